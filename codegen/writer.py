"""Bringing one generated file on disk up to date: write, merge hand edits, or report.

Used by the workers of `generate` (each writes its own service's files) and by the main
process (package-level files, removals). Every write goes through a temporary file and
os.replace (manifest.atomic_write).

Whether the file on disk is what the generator wrote last time is decided by its hash
against the manifest record, so only Python modules need their pristine text kept
(`.codegen/pristine/`): they are the only files merged member by member (merge.py);
any other file is merged as a whole, which the hashes alone decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codegen import manifest as mf

if TYPE_CHECKING:
    from codegen.merge import Conflict

BACKUP_SUFFIX = ".orig"


def is_python(path: str) -> bool:
    return path.endswith((".py", ".pyi"))


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


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


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
    `legacy`: the file is listed by an output made before the manifest existed.
    Returns the base hash to keep recording when the file is left alone on a conflict.
    """
    path = out / rel
    disk = read_text(path)
    if not dry_run and is_python(rel):
        mf.put_pristine(out, theirs)
    if disk == theirs:
        return None
    disk_sha = mf.sha256(disk) if disk is not None else None
    if disk is None or disk_sha == base_sha:
        text = theirs
    elif base_sha is not None and mf.sha256(theirs) == base_sha:
        return None  # only the user changed it: theirs is what they started from
    elif base_sha is None and legacy:
        # Made before the manifest existed: hand edits cannot be told apart; keep a copy.
        if not dry_run:
            mf.atomic_write(out / (rel + BACKUP_SUFFIX), disk.encode("utf-8"))
        log.backups.append(rel + BACKUP_SUFFIX)
        text = theirs
    else:
        from codegen.merge import merge  # libcst: imported only when there are edits to merge

        base = mf.get_pristine(out, base_sha) if base_sha is not None and is_python(rel) else None
        merged = merge(base, disk, theirs, rel, force=force)
        log.conflicts.extend(merged.conflicts)
        if merged.text is None:
            return base_sha or ""
        if merged.conflicts:
            if not dry_run:
                mf.atomic_write(out / (rel + BACKUP_SUFFIX), disk.encode("utf-8"))
            log.backups.append(rel + BACKUP_SUFFIX)
        elif merged.text != theirs:
            log.merged.append(rel)
        text = merged.text
        if text == disk:
            return None
    if not dry_run:
        mf.atomic_write(path, text.encode("utf-8"))
    log.written.append(rel)
    return None


def remove_one(out: Path, rel: str, sha: str, force: bool, dry_run: bool, log: WriteLog) -> bool:
    """Delete a file the generator no longer makes; False when it has hand edits (kept)."""
    path = out / rel
    disk = read_text(path)
    if disk is None and not path.exists():
        return True
    if disk is not None and mf.sha256(disk) != sha:
        from codegen.merge import Conflict

        log.conflicts.append(Conflict(rel, "", "<file removed by the generator, edited by hand>", disk, None))
        if not force:
            return False
        if not dry_run:
            mf.atomic_write(out / (rel + BACKUP_SUFFIX), disk.encode("utf-8"))
        log.backups.append(rel + BACKUP_SUFFIX)
    if not dry_run:
        path.unlink(missing_ok=True)
    log.removed.append(rel)
    return True


def remove_stale_temps(out: Path) -> None:
    """Temp files of a write that was killed before its rename (`.<name>.<random>.tmp`)."""
    if out.is_dir():
        for path in out.rglob(".*.tmp"):
            if path.is_file():
                path.unlink(missing_ok=True)


def remove_empty_dirs(out: Path, removed: Sequence[str]) -> None:
    for rel in removed:
        parent = (out / rel).parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
