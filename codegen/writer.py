"""Bringing one generated file on disk up to date: write, merge hand edits, or report.

Used by the workers of `generate` (each writes its own service's files) and by the main
process (package-level files, removals). Every write goes through a temporary file and
os.replace (manifest.atomic_write), and keeps the permission bits of the file it replaces.

Whether the file on disk is what the generator wrote last time is decided by its hash
against the manifest record, so only Python modules need their pristine text kept
(`.codegen/pristine/`): they are the only files merged member by member (merge.py);
any other file is merged as a whole, which the hashes alone decide.

Edits are sacred: a file that cannot be read or decoded as UTF-8, or that the user
replaced with a symlink (or anything but a regular file), is never written, merged or
removed. It is a conflict unless the generator's text did not change; with `force` it is
moved aside to `<file>.orig` as it is (rename: the bytes, the mode, the link itself).
A Python file that does not parse is a conflict as well (merge.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from codegen import files
from codegen import manifest as mf

if TYPE_CHECKING:
    from codegen.merge import Conflict

BACKUP_SUFFIX = ".orig"
_BOM = "\ufeff"


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


@dataclass(frozen=True, slots=True)
class OnDisk:
    """A generated file's path as found on disk.

    `text`: its content as text (newlines as Python's text mode reads them); None when
    missing or when `problem` says why it cannot be used. `data`: its bytes, when read.
    """

    exists: bool
    text: str | None = None
    data: bytes | None = None
    problem: str = ""  # e.g. "is a symlink", "is not UTF-8 (...)": never touch the file


def read_disk(path: Path) -> OnDisk:
    """What is at `path`: missing, a readable UTF-8 file, or something to leave alone."""
    try:
        data = files.read_regular(path, follow_links=False)
    except files.NotRead as exc:
        if exc.reason == "link":
            return OnDisk(True, problem=f"is a symlink (to {os.readlink(path)!r})")
        if exc.reason != "os":
            return OnDisk(True, problem="is not a regular file")
        if not exc.before_open:
            return OnDisk(True, problem=f"cannot be read: {exc.why}")
        if isinstance(exc.error, FileNotFoundError):
            return OnDisk(False)
        return OnDisk(True, problem=f"cannot be looked at: {exc.why}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return OnDisk(True, data=data, problem=f"is not UTF-8 (byte {data[exc.start]:#04x} on line {line})")
    # Universal newlines, as Path.read_text: CRLF alone is no hand edit.
    return OnDisk(True, text=text.replace("\r\n", "\n").replace("\r", "\n"), data=data)


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
    from codegen.merge import Conflict

    log.conflicts.append(Conflict(rel, "", f"<file: yours {disk.problem}>", _shown(disk), theirs, base))
    if not force:
        return False
    _set_aside(out, rel, dry_run, log)
    return True


def _base_text(out: Path, rel: str, base_sha: str | None) -> str | None:
    return mf.get_pristine(out, base_sha) if base_sha is not None and is_python(rel) else None


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
    disk = read_disk(path)
    if not dry_run and is_python(rel):
        mf.put_pristine(out, theirs)
    if disk.problem:
        if base_sha is not None and mf.sha256(theirs) == base_sha:
            return None  # only the user changed it: theirs is what they started from
        if not _untouchable(out, rel, disk, _base_text(out, rel, base_sha), theirs, force, dry_run, log):
            return base_sha or ""
        disk = OnDisk(False)
    text_on_disk = disk.text
    if text_on_disk == theirs:
        return None
    disk_sha = mf.sha256(text_on_disk) if text_on_disk is not None else None
    if text_on_disk is None or disk_sha == base_sha:
        text = theirs
    elif base_sha is not None and mf.sha256(theirs) == base_sha:
        return None  # only the user changed it: theirs is what they started from
    elif base_sha is None and legacy:
        # Made before the manifest existed: hand edits cannot be told apart; keep a copy.
        _backup(out, rel, disk, dry_run, log)
        text = theirs
    else:
        from codegen.merge import merge  # libcst: imported only when there are edits to merge

        merged = merge(_base_text(out, rel, base_sha), text_on_disk, theirs, rel, force=force)
        log.conflicts.extend(merged.conflicts)
        if merged.text is None:
            return base_sha or ""
        if merged.conflicts:
            _backup(out, rel, disk, dry_run, log)
        elif merged.text != theirs:
            log.merged.append(rel)
        text = merged.text
        if text_on_disk.startswith(_BOM) and not text.startswith(_BOM):
            text = _BOM + text  # (libcst drops it; the user's editor put it there)
        if text == text_on_disk:
            return None
    if not dry_run:
        mf.atomic_write(path, text.encode("utf-8"))
    log.written.append(rel)
    return None


def _backup(out: Path, rel: str, disk: OnDisk, dry_run: bool, log: WriteLog) -> None:
    """The user's file, byte for byte, as `<file>.orig` (the file itself is rewritten)."""
    if not dry_run:
        assert disk.data is not None
        mf.atomic_write(out / (rel + BACKUP_SUFFIX), disk.data, mode=mf.file_mode(out / rel))
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
    if disk.text is not None and mf.sha256(disk.text) != sha:
        from codegen.merge import Conflict

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


def rename_package(out: Path, old: mf.Manifest, package: str, dry_run: bool) -> mf.Manifest:
    """`old` with its package's files moved from `<old package>/` to `<package>/`, on
    disk too (unless `dry_run`), so that the run that follows merges hand edits in place.

    In the moved modules, and in the generator's last text of them (the merge base),
    the imports of the old package become imports of the new one (`from old.x import`,
    `import old`): what a rename asks for, and what lets an import the user extended
    merge by name. The manifest keeps its old package name, so that the run re-renders
    everything; it is saved with the files' new paths and bases, and a rename
    interrupted at any point is picked up by the next one. A file whose new path is
    taken is left where it is; a file that cannot be decoded is moved as it is."""
    prefix = old.package + "/"
    imports = re.compile(rf"^([ \t]*(?:from|import)[ \t]+){re.escape(old.package)}(?=[.\s,]|$)", re.M)

    def moved(rel: str) -> str:
        return package + "/" + rel[len(prefix) :] if rel.startswith(prefix) else rel

    def renamed(text: str) -> str:
        return imports.sub(lambda m: m.group(1) + package, text)

    done: list[str] = []
    files: dict[str, mf.FileRecord] = {}
    for rel, rec in old.files.items():
        files[moved(rel)] = rec
        if not is_python(rel) or dry_run:
            continue
        base = mf.get_pristine(out, rec.sha)
        if base is not None and renamed(base) != base:
            files[moved(rel)] = mf.FileRecord(mf.put_pristine(out, renamed(base)), rec.service)
    for rel in sorted({*old.files, *old.orphans}):
        src, dst = out / rel, out / moved(rel)
        if dry_run or src == dst:
            continue
        if os.path.lexists(src) and not os.path.lexists(dst):
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.rename(src, dst)  # a symlink moves as a link; bytes and modes as they are
            done.append(rel)
        if rel not in old.files or not is_python(rel) or os.path.lexists(src):
            continue  # (an orphan keeps its text, which its record's hash is of)
        disk = read_disk(dst)
        if disk.data is not None and not disk.problem:
            text = disk.data.decode("utf-8")  # (its own line ends)
            if renamed(text) != text:
                mf.atomic_write(dst, renamed(text).encode("utf-8"))
    result = replace(old, files=files, orphans={moved(rel): sha for rel, sha in old.orphans.items()})
    if not dry_run:
        mf.save(out, result)
        remove_empty_dirs(out, done)
    return result


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
