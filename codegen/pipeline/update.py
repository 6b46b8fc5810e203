"""A generated file brought up to date: written, merged with the user's hand edits,
set aside, or removed (what `generate` does to each file it makes or no longer makes).

Edits are sacred: a file that cannot be read or decoded as UTF-8, or that the user
replaced with a symlink (or anything but a regular file), is never written, merged or
removed. It is a conflict unless the generator's text did not change; with `force` it is
moved aside to `<file>.orig` as it is (rename: the bytes, the mode, the link itself).
A Python file that does not parse is a conflict as well (codegen/pipeline/merge.py).
Whether the file on disk is what the generator wrote last time is decided by its hash
against the manifest record; the merge bases are in the packs (codegen/pipeline/write.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codegen.pipeline import write
from codegen.pipeline.write import (
    BACKUP_SUFFIX, BOM, OnDisk, file_mode, get_pristine, is_python, keep_pristine, put_pristine, read_disk, sha256,
)

if TYPE_CHECKING:
    from codegen.pipeline.merge import Conflict


@dataclass(slots=True)
class WriteLog:
    """What writing a set of files did (or, in a dry run, would do)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # files whose hand edits were carried over
    backups: list[str] = field(default_factory=list)  # `.orig` copies saved by force
    conflicts: list[Conflict] = field(default_factory=list)

    def extend(self, other: WriteLog) -> None:
        self.written.extend(other.written)
        self.removed.extend(other.removed)
        self.merged.extend(other.merged)
        self.backups.extend(other.backups)
        self.conflicts.extend(other.conflicts)


def _shown(disk: OnDisk) -> str | None:
    """The user's file as text for a conflict report (bad bytes escaped)."""
    if disk.text is not None:
        return disk.text
    return None if disk.data is None else disk.data.decode("utf-8", "backslashreplace")


def _set_aside(out: Path, rel: str, dry_run: bool, log: WriteLog) -> None:
    """Force on a file that cannot be merged: move it to `<file>.orig` untouched."""
    if not dry_run:
        os.replace(out / rel, out / (rel + BACKUP_SUFFIX))
    log.backups.append(rel + BACKUP_SUFFIX)


def _untouchable(
    out: Path, rel: str, disk: OnDisk, base: str | None, theirs: str | None, force: bool, dry_run: bool, log: WriteLog
) -> bool:
    """Report a file that cannot be used (OnDisk.problem) as a conflict; with `force`,
    set it aside. True when the caller may go on (forced), False to leave it."""
    from codegen.pipeline.merge import Conflict

    log.conflicts.append(Conflict(rel, "", f"<file: yours {disk.problem}>", _shown(disk), theirs, base))
    if not force:
        return False
    _set_aside(out, rel, dry_run, log)
    return True


def _base_text(out: Path, rel: str, base_sha: str | None) -> str | None:
    return get_pristine(out, base_sha, rel) if base_sha is not None and is_python(rel) else None


def _left_alone(out: Path, rel: str, base_sha: str | None, dry_run: bool) -> str:
    """A file left as it is (a conflict) keeps its old base in the manifest and the pack."""
    if not dry_run and is_python(rel):
        keep_pristine(out, rel, base_sha or "")
    return base_sha or ""


def write_one(
    out: Path,
    rel: str,
    theirs: str,
    base_sha: str | None,
    legacy: bool,
    force: bool,
    dry_run: bool,
    log: WriteLog,
) -> str | None:
    """Bring `out/rel` to `theirs`, the generator's new text, merging hand edits.

    `base_sha`: hash of what the generator wrote there last time (None: never).
    `legacy`: the file was generated, with no record of the text (an output made before
    the manifest, or whose manifest was lost).
    Returns the base hash to keep recording when the file is left alone on a conflict.
    """
    path = out / rel
    disk = read_disk(path)
    if not dry_run and is_python(rel):
        put_pristine(out, rel, theirs)
    if disk.problem:
        if base_sha is not None and sha256(theirs) == base_sha:
            return None  # only the user changed it: theirs is what they started from
        if not _untouchable(out, rel, disk, _base_text(out, rel, base_sha), theirs, force, dry_run, log):
            return _left_alone(out, rel, base_sha, dry_run)
        disk = OnDisk(False)
    text_on_disk = disk.text
    if text_on_disk == theirs:
        return None
    disk_sha = sha256(text_on_disk) if text_on_disk is not None else None
    if text_on_disk is None or disk_sha == base_sha:
        text = theirs
    elif base_sha is not None and sha256(theirs) == base_sha:
        return None  # only the user changed it: theirs is what they started from
    elif base_sha is None and legacy:
        # Made before the manifest existed: hand edits cannot be told apart; keep a copy.
        _backup(out, rel, disk, dry_run, log)
        text = theirs
    else:
        from codegen.pipeline.merge import merge  # libcst: imported only when there are edits to merge

        merged = merge(_base_text(out, rel, base_sha), text_on_disk, theirs, rel, force=force)
        log.conflicts.extend(merged.conflicts)
        if merged.text is None:
            return _left_alone(out, rel, base_sha, dry_run)
        if merged.conflicts:
            _backup(out, rel, disk, dry_run, log)
        elif merged.text != theirs:
            log.merged.append(rel)
        text = merged.text
        if text_on_disk.startswith(BOM) and not text.startswith(BOM):
            text = BOM + text  # (libcst drops it; the user's editor put it there)
        if text == text_on_disk:
            return None
    if not dry_run:
        # (a file that was not there gets a new file's mode: no second look at it)
        write.atomic_write(path, text.encode("utf-8"), mode=None if disk.exists else write.NEW_FILE_MODE)
    log.written.append(rel)
    return None


def _backup(out: Path, rel: str, disk: OnDisk, dry_run: bool, log: WriteLog) -> None:
    """The user's file, byte for byte, as `<file>.orig` (the file itself is rewritten)."""
    if not dry_run:
        assert disk.data is not None
        write.atomic_write(out / (rel + BACKUP_SUFFIX), disk.data, mode=file_mode(out / rel))
    log.backups.append(rel + BACKUP_SUFFIX)


def remove_one(out: Path, rel: str, sha: str, force: bool, dry_run: bool, log: WriteLog) -> bool:
    """Delete a file the generator no longer makes; False when it has hand edits (kept)."""
    path = out / rel
    disk = read_disk(path)
    if not disk.exists:
        return True
    if disk.problem:
        if not _untouchable(out, rel, disk, _base_text(out, rel, sha), None, force, dry_run, log):
            return False
        log.removed.append(rel)
        return True
    if disk.text is not None and sha256(disk.text) != sha:
        from codegen.pipeline.merge import Conflict

        log.conflicts.append(
            Conflict(rel, "", "<file removed by the generator, edited by hand>", disk.text, None, _base_text(out, rel, sha))
        )
        if not force:
            return False
        _backup(out, rel, disk, dry_run, log)
    if not dry_run:
        path.unlink(missing_ok=True)
    log.removed.append(rel)
    return True


def remove_legacy(out: Path, rel: str, dry_run: bool, log: WriteLog) -> None:
    """Drop a file an output made before the manifest listed and the generator no
    longer makes. Hand edits cannot be told apart there: it is moved to `<file>.orig`."""
    if os.path.lexists(out / rel):
        _set_aside(out, rel, dry_run, log)
    log.removed.append(rel)
