"""The shape trees CHANGES.md last described, saved in the output folder
(`.codegen/trees/`), and the new ones staged beside them until CHANGES.md has them."""

from __future__ import annotations

import gzip
import hashlib
import lzma
import os
import re
import threading
import zlib
from pathlib import Path

from codegen.pipeline import write
from codegen.pipeline.write import read_disk, state_dir

def tree_path(out: Path, service: str, staged: bool = False) -> Path:
    """`.codegen/trees/<service>.json.xz`: the shape tree CHANGES.md last described
    (tree.document_to_json; xz, as the merge bases: a 25th of the size; `xzcat` reads it)."""
    return state_dir(out) / "trees" / f"{service or '_'}.json.xz{'.new' if staged else ''}"


# Earlier layouts, read once and replaced: gzip (format 1), plain JSON (before it).
_LEGACY_TREES = (".json.gz", ".json")


def _legacy_tree_paths(out: Path, service: str) -> list[Path]:
    return [state_dir(out) / "trees" / f"{service or '_'}{suffix}" for suffix in _LEGACY_TREES]


# The documentation of every shape: CHANGES.md does not compare it (diff.compare without
# include_docs), and it is most of a tree; the saved tree keeps it as "", and the hash
# of the whole text, docs included: a run that reads the same tree as the last one is
# no regeneration from changed pages (its deprecated names stay: codegen/pipeline/unit.py).
# (`[^"\\]*(?:\\.[^"\\]*)*`, not `(?:[^"\\]|\\.)*`: the same strings, seven times faster)
_DOCS = re.compile(r'"documentation":"[^"\\]*(?:\\.[^"\\]*)*"')


def saved_tree(text: str) -> str:
    """What is kept of a tree's JSON text (tree.document_to_json, an object): all but the
    docs, and `tree_sha256`, the hash of all of it."""
    stripped = _DOCS.sub('"documentation":""', text)
    whole = hashlib.sha256(text.encode("utf-8")).hexdigest()  # (all 256 bits: as format 2 saved it)
    return '{"tree_sha256":"%s",%s' % (whole, stripped[1:])


def read_tree(out: Path, service: str) -> str | None:
    """The saved tree's JSON text; None when missing or unusable (not a regular file,
    not xz, not UTF-8: the output may come from a pull request)."""
    disk = read_disk(tree_path(out, service))
    if not disk.exists:
        for path in _legacy_tree_paths(out, service):
            old = read_disk(path)
            if old.exists:
                if not path.name.endswith(".gz"):
                    return None if old.text is None else saved_tree(old.text)
                try:
                    return None if old.data is None else saved_tree(gzip.decompress(old.data).decode("utf-8"))
                except (OSError, EOFError, zlib.error, UnicodeDecodeError):
                    return None
        return None
    if disk.problem and disk.data is None:
        return None
    try:
        unpacker = lzma.LZMADecompressor()
        data = unpacker.decompress(disk.data or b"", max_length=write.PACK_LIMIT)
        return data.decode("utf-8") if unpacker.eof else None
    except (lzma.LZMAError, UnicodeDecodeError):
        return None


# Trees being staged by a thread: output → (the thread, its error).
_staging: dict[str, list[tuple[threading.Thread, list[BaseException]]]] = {}


def stage_tree(out: Path, service: str, saved: str, background: bool = False) -> None:
    """The new tree (`saved`: saved_tree of its text), beside the saved one until
    commit_tree (once CHANGES.md has it). `background`: in a thread (xz lets go of the
    GIL: sagemaker's tree, 0.08 s, while the unit goes on), which wait_staged waits for."""
    path = tree_path(out, service, staged=True)
    if not background:
        write.atomic_write(path, write.xz(saved.encode("utf-8")))
        return
    failed: list[BaseException] = []

    def work() -> None:
        try:
            write.atomic_write(path, write.xz(saved.encode("utf-8")))
        except BaseException as exc:  # (raised again in the main thread, by wait_staged)
            failed.append(exc)

    thread = threading.Thread(target=work, name="codegen-tree", daemon=True)
    _staging.setdefault(str(out), []).append((thread, failed))
    thread.start()


def wait_staged(out: Path) -> None:
    """Wait for the trees being staged in the background for `out`; their error, if any."""
    for thread, failed in _staging.pop(str(out), []):
        thread.join()
        if failed:
            raise failed[0]


def commit_tree(out: Path, service: str) -> None:
    os.replace(tree_path(out, service, staged=True), tree_path(out, service))
    for legacy in _legacy_tree_paths(out, service):
        if legacy.is_symlink() or legacy.is_file():
            legacy.unlink()
