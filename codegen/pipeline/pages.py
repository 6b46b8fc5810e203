"""Finding and reading the input pages of `generate`, and grouping them into units.

A unit is a service folder in boto3's layout (`<service>/{client,paginator,waiter}/*.rst`):
what one worker parses, renders and writes (codegen/pipeline/unit.py).
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codegen import usercache
from codegen.errors import BuildError
from codegen.pagefiles import page_files, read_page_bytes
from codegen.pipeline import write
from codegen.rst.errors import PageError


def unit_of(source: str) -> str:
    """The unit a page belongs to: its service folder in boto3's layout
    (`<service>/<kind>/<page>.rst`), else every page of the input together."""
    parts = source.split("/")
    return parts[0] if len(parts) >= 3 else ""


# A page whose stat is within this many seconds of the run's start is hashed again next
# time (git's "racy" entries): a write in the same clock tick as the stat would not
# change the stat.
_RACY_NS = 2_000_000_000


class StatCache:
    """The sha256 of each page's bytes by its path and stat (device, inode, size, mtime
    and ctime, in ns), as git's index and black's cache keep them: a run hashes only the
    pages whose stat moved. ctime is the check on a page edited with its mtime set back
    (os.utime, `touch -d`): the kernel sets ctime to now on every write and utime, and
    nothing but the clock sets it back. What a clock set back, a file system without
    ctime, or a page edited in the second its stat was recorded can hide is why `check`
    does not use it (it hashes every page), and why stats less than 2 s old are not kept.
    Kept in the user's cache folder (`pagestat/<hash of the output's path>.json`):
    rebuilt when missing, damaged or of another layout."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, list[Any]] = {}
        self.now = time.time_ns()
        self.recorded = 0  # pages hashed and recorded by this run
        self._key: list[Any] | None = None  # the stat of the last page looked up and missed
        self._listed: dict[str, list[Any]] = {}  # page → its stat when listed, not read (listed)
        if path is not None:
            try:
                data = json.loads(write.read_state(path))
                if isinstance(data, dict) and data.get("layout") == 1 and isinstance(data.get("pages"), dict):
                    self.entries = data["pages"]
            except (OSError, ValueError):
                pass
        self.seen: dict[str, list[Any]] = {}

    def lookup(self, page: str) -> tuple[str, int] | None:
        """(sha, size) of `page` when its stat is the one recorded, else None."""
        if self.path is None:
            return None
        try:
            st = os.lstat(page)
        except OSError:
            return None
        key = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        self._key = None
        hit = self.entries.get(page)
        if hit is not None and hit[:5] == key and isinstance(hit[5], str) and stat.S_ISREG(st.st_mode):
            self.seen[page] = hit
            return hit[5], st.st_size
        self._key = key if stat.S_ISREG(st.st_mode) else None
        return None

    def record(self, page: str, sha: str, size: int) -> None:
        """After a lookup miss: the sha of the bytes just read, kept unless the stat is
        too recent to vouch for them (or moved while they were read)."""
        key, self._key = self._key, None
        if key is None or key[2] != size or self.now - max(key[3], key[4]) < _RACY_NS:
            return  # (an entry left behind misses, as it did now: no need to write the cache for it)
        self.seen[page] = [*key, sha]
        self.recorded += 1

    def listed(self, page: str) -> int:
        """The size of `page`, listed without being read (a first run: the workers hash
        each page as they read it); its stat is kept for record_read."""
        st = os.lstat(page)
        if self.path is not None and stat.S_ISREG(st.st_mode):
            self._listed[page] = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        return st.st_size

    def record_read(self, page: str, sha: str) -> None:
        """After a first run: the sha of the bytes a worker read from `page`, kept with
        the stat the page had when listed, before the worker read it (a page changed in
        between has another stat now, and is hashed again next time)."""
        key = self._listed.get(page)
        if key is None or self.now - max(key[3], key[4]) < _RACY_NS:
            return
        self.seen[page] = [*key, sha]
        self.recorded += 1

    def save(self) -> None:
        """The entries of the pages this run saw, when it recorded enough new ones
        (usercache.worth_rewriting), or the cache had none (a first run, a cache removed
        or damaged): a no-op run, or one whose only changed pages are few or too recent
        to record, writes nothing (the next runs hash those again)."""
        if self.path is None or not self.recorded:
            return
        if self.entries and not usercache.worth_rewriting(self.recorded, len(self.seen)):
            return
        data = json.dumps({"layout": 1, "pages": self.seen}, separators=(",", ":")).encode()
        try:
            write.atomic_write(self.path, data)
        except OSError:
            pass  # (a cache: the next run hashes again)


class Pages:
    """Every input page: source name → (path, sha256 of its bytes).

    Without `hashed` the pages are only listed (sha ""): with no earlier run to compare
    with, every unit is redone, and the workers hash each page as they read it, so the
    first workers start at once instead of after a pass over all the input. `stats`:
    the pages whose stat is the one recorded are not read (StatCache)."""

    def __init__(self, inputs: Sequence[Path], hashed: bool = True, stats: StatCache | None = None) -> None:
        self.paths: dict[str, str] = {}
        self.sha: dict[str, str] = {}
        self.size: dict[str, int] = {}  # bytes: what a unit's work is reckoned by
        errors: list[str] = []
        stats = stats or StatCache(None)
        for path in inputs:
            for page, source in page_files(path):
                try:
                    if hashed and (known := stats.lookup(page)) is not None:
                        self.sha[source], self.size[source] = known
                    elif hashed:
                        data = read_page_bytes(page, source)
                        self.sha[source], self.size[source] = write.sha256(data), len(data)
                        stats.record(page, self.sha[source], len(data))
                    else:
                        self.sha[source], self.size[source] = "", stats.listed(page)
                except PageError:
                    # (a FIFO, a refused link, ...: its unit is redone, and reports it)
                    self.sha[source], self.size[source] = "unreadable", 0
                except OSError as exc:
                    errors.append(f"{source}:1: cannot read: {exc.strerror or exc}")
                self.paths[source] = page
        if errors:
            raise BuildError(errors)

    def units(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for source in self.sha:
            grouped.setdefault(unit_of(source), []).append(source)
        return grouped
