"""Poll input pages and call back when they change (debounced). Standard library only.

Polling the pages' (mtime, size) is portable and needs no dependency; a burst of
writes (a `render-rst` of a whole service, an editor's save-and-rename) is debounced:
the callback runs once the tree has been still for `debounce` seconds. Ctrl-C stops
the loop cleanly (also while the callback runs: every write it does is atomic).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

Snapshot = dict[str, tuple[int, int]]


def snapshot(paths: Iterable[Path], pattern: str = "*.rst") -> Snapshot:
    """path → (mtime_ns, size) of every page under `paths` (files or directories)."""
    out: Snapshot = {}
    for root in paths:
        candidates = sorted(root.rglob(pattern)) if root.is_dir() else [root]
        for path in candidates:
            try:
                st = os.stat(path)
            except OSError:
                continue
            out[str(path)] = (st.st_mtime_ns, st.st_size)
    return out


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """Human-readable list: `added P`, `modified P`, `removed P`, sorted by path."""
    lines = []
    for path in sorted(before.keys() | after.keys()):
        if path not in before:
            lines.append(f"added {path}")
        elif path not in after:
            lines.append(f"removed {path}")
        elif before[path] != after[path]:
            lines.append(f"modified {path}")
    return lines


def watch(
    paths: Iterable[Path],
    on_change: Callable[[list[str]], None],
    interval: float = 0.5,
    debounce: float = 0.3,
    stop: threading.Event | None = None,
    since: Snapshot | None = None,
) -> None:
    """Call `on_change(changes)` after each settled change until `stop` is set or Ctrl-C.
    `since`: the pages as they were when the caller last looked (default: now), so that
    a change made while the caller was busy (its first run) is not missed."""
    roots = list(paths)
    stop = stop or threading.Event()
    try:
        previous = snapshot(roots) if since is None else since
        while not stop.wait(interval):
            current = snapshot(roots)
            if current == previous:
                continue
            # Wait until nothing moves for `debounce` seconds.
            while not stop.wait(debounce):
                settled = snapshot(roots)
                if settled == current:
                    break
                current = settled
            if stop.is_set():
                return
            what = changes(previous, current)
            previous = current
            if what:
                on_change(what)
    except KeyboardInterrupt:
        return
