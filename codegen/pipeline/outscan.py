"""What is in the output folder: one walk of it, and the folders' listings kept between
runs so that a run reads again only the folders that changed.

A run needs to know which generated files went missing (their service is redone) and
which temp files a killed write left. Over the whole reference that is 113,000 entries
in 2,200 folders: reading them all was a quarter of a no-op `generate` with cold
caches. A folder's mtime and ctime move whenever an entry is added, removed or renamed
in it, so a folder whose stat is the one recorded still holds the entries recorded.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from codegen import usercache
from codegen.pipeline import write

# A folder whose stat is within this many seconds of the walk is read again next time
# (git's "racy" entries): a change in the same clock tick as the stat would not move it.
RACY_NS = 2_000_000_000


class Listings:
    """Each folder's files and subfolders by its relative path and stat (device, inode,
    mtime and ctime in ns), as the last walk found them. A folder that holds a link is
    never kept (its target can go or come without the folder knowing), nor one with a
    temp file (removed by the run), nor one changed less than RACY_NS before the walk.
    A folder's mtime can be set back (os.utime), its ctime only by the clock: `check`
    does not use the listings, as it does not use the pages' stats.
    Kept in the user's cache folder (`outscan/<hash of the output's path>.json`):
    rebuilt when missing, damaged or of another layout."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, list[Any]] = {}
        self.seen: dict[str, list[Any]] = {}
        self.recorded = 0  # folders read and recorded by this walk
        self.now = time.time_ns()
        if path is not None:
            try:
                data = json.loads(write.read_state(path))
                if isinstance(data, dict) and data.get("layout") == 1 and isinstance(data.get("folders"), dict):
                    self.entries = data["folders"]
            except (OSError, ValueError):
                pass

    def lookup(self, rel: str, key: list[int]) -> tuple[list[str], list[str]] | None:
        """(files, subfolders) of the folder `rel` when `key` is the stat recorded."""
        hit = self.entries.get(rel)
        if (
            isinstance(hit, list) and len(hit) == 6 and hit[:4] == key
            and isinstance(hit[4], list) and isinstance(hit[5], list)
            and all(isinstance(name, str) and _plain(name) for name in hit[4] + hit[5])
        ):
            self.seen[rel] = hit
            return hit[4], hit[5]
        return None

    def record(self, rel: str, key: list[int], files: list[str], folders: list[str]) -> None:
        if self.path is None or self.now - max(key[2], key[3]) < RACY_NS:
            return
        self.seen[rel] = [*key, files, folders]
        self.recorded += 1

    def save(self) -> None:
        """The listings of the folders this walk saw, when it read enough of them again
        (usercache.worth_rewriting: not the few a small change wrote to, which the next
        walks read again), or the cache had none."""
        if self.path is None or not (self.recorded or self.seen.keys() != self.entries.keys()):
            return
        if self.entries and not usercache.worth_rewriting(self.recorded, len(self.seen)):
            return
        data = json.dumps({"layout": 1, "folders": self.seen}, separators=(",", ":")).encode()
        try:
            write.atomic_write(self.path, data)
        except OSError:
            pass  # (a cache: the next run reads every folder)


def _plain(name: str) -> bool:
    # (a damaged or hostile cache must not lead the walk out of the output)
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name


def scan_output(out: Path, listings: Listings | None = None) -> tuple[set[str], list[str]]:
    """One walk of `out` (links to folders not followed, as rglob): the files in it by
    relative path (a link to a file counts, as os.path.isfile has it), and the temp files
    a killed write left (`.<name>.<pid>-<n>.tmp`). `listings`: the folders whose stat
    is the one recorded are not read."""
    found: set[str] = set()
    temps: list[str] = []
    if listings is not None:
        listings.now = time.time_ns()  # (what a folder's stat must be older than, by RACY_NS)
    folders = [("", os.fspath(out))]
    while folders:
        prefix, folder = folders.pop()
        try:
            st = os.lstat(folder) if prefix else os.stat(folder)  # (`out` may be a link)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue
        key = [st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
        hit = listings.lookup(prefix, key) if listings is not None else None
        if hit is not None:
            found.update(prefix + name for name in hit[0])
            folders.extend((prefix + name + "/", os.path.join(folder, name)) for name in hit[1])
            continue
        files, subfolders, keep = _read_folder(folder, temps)
        found.update(prefix + name for name in files)
        folders.extend((prefix + name + "/", os.path.join(folder, name)) for name in subfolders)
        if keep and listings is not None:
            listings.record(prefix, key, files, subfolders)
    return found, sorted(temps)


def _read_folder(folder: str, temps: list[str]) -> tuple[list[str], list[str], bool]:
    """(files, subfolders, whether the listing may be kept) of one folder."""
    files: list[str] = []
    subfolders: list[str] = []
    keep = True
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return files, subfolders, False
    for entry in entries:
        try:
            if entry.is_symlink():
                keep = False
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.name)
            elif entry.is_file():
                files.append(entry.name)
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    temps.append(entry.path)
                    keep = False
        except OSError:
            keep = False
            continue
    files.sort()
    subfolders.sort()
    return files, subfolders, keep


def remove_stale_temps(out: Path, temps: list[str] | None = None) -> None:
    """Temp files of a write that was killed before its rename (`.<name>.<random>.tmp`);
    `temps`: those scan_output found."""
    if temps is None:
        temps = scan_output(out)[1] if out.is_dir() else []
    for path in temps:
        Path(path).unlink(missing_ok=True)
