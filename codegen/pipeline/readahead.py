"""What a run is about to read from the output, read ahead in a forked copy of it
(forks.meanwhile), so that the kernel has it cached by the time the run gets there.

On a cold cache a small change waits on the disk: the walk of the output's 2,200
folders (outscan) looks up each folder's inode, and the unit writing one service
(update.write_one) reads each of its files first, one at a time. Meanwhile the run
itself is busy on one core (the manifest's JSON, the names). The copy asks for the same
inodes and pages from a few threads at once, so their reads overlap each other and the
run's work; it reads nothing back (descriptor closed, data left in the page cache).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Reads in flight at once: enough to keep a virtual disk's queue busy.
THREADS = 8
# Below this many paths the copy is not worth its fork.
AT_LEAST = 32


def folders(out: Path, rels: Iterable[str]) -> Callable[[], None] | None:
    """The folders `rels` of `out` (outscan's relative paths: "" or ending in "/") looked
    up; None when there are too few."""
    return _ahead(_look_up, out, rels)


def files(out: Path, rels: Iterable[str]) -> Callable[[], None] | None:
    """The files `rels` of `out` (relative paths) read into the page cache; None when
    there are too few."""
    return _ahead(_fetch, out, rels)


def _ahead(look: Callable[[str], object], out: Path, rels: Iterable[str]) -> Callable[[], None] | None:
    paths = [os.path.join(out, rel) for rel in rels]
    return (lambda: _each(look, paths)) if len(paths) >= AT_LEAST else None


def _look_up(path: str) -> None:
    os.lstat(path)


def _fetch(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)  # (the kernel reads it in)
        else:  # pragma: no cover - not Linux
            while os.read(fd, 1 << 20):
                pass
    finally:
        os.close(fd)


def _each(look: Callable[[str], object], paths: list[str]) -> None:
    def quietly(path: str) -> None:
        try:
            look(path)
        except OSError:
            pass  # (gone, or not what it was: the run finds out for itself)

    with ThreadPoolExecutor(THREADS) as pool:
        for _ in pool.map(quietly, paths):
            pass
