"""`codegen sync`: the pages of some services, as the installed boto3 renders them, into
the project's input folder.

The command (codegen/cli.py) renders into a temporary folder, compares it with the input
folder (the comparison of `codegen diff`) and only then, unless told not to (`--dry-run`,
`--fail-on`), applies the plan made here and regenerates as `codegen generate` does.
Sync owns the boto3 pages of the services it is given, and nothing else: the `.rst`
files directly under their `client/`, `paginator/` and `waiter/` folders. Any other file
there (notes, a page elsewhere) is neither replaced nor removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codegen import files
from codegen.pipeline.boto3_render import KINDS
from codegen.pipeline import write


class SyncError(Exception):
    """The input folder cannot take the pages; str() is one line."""


@dataclass(slots=True)
class PagePlan:
    """What syncing one service does to its folder; paths are `kind/page.rst`."""

    service: str
    rendered: dict[str, Path] = field(default_factory=dict)  # every page boto3 has → its render
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def describe(self, folder: Path, dry_run: bool) -> str:
        verb = "would be " if dry_run else ""
        return (
            f"{folder}: {len(self.added)} page(s) {verb}added, {len(self.updated)} {verb}updated, "
            f"{len(self.removed)} {verb}removed, {self.unchanged} unchanged"
        )


def pages(folder: Path) -> dict[str, Path]:
    """The pages sync owns in a service folder (`kind/page.rst` → path); links and
    other non-files among them are listed too, so that they are replaced or removed."""
    found: dict[str, Path] = {}
    for kind in KINDS:
        here = folder / kind
        if not here.is_dir():
            continue
        for path in here.iterdir():
            if path.suffix == ".rst" and (path.is_symlink() or path.is_file()):
                found[f"{kind}/{path.name}"] = path
    return dict(sorted(found.items()))


def check_folder(input_root: Path, service: str) -> Path:
    """input/<service>, refused when it, or one of its kind folders, is not a folder or
    leads out of the input folder (a link): sync would write or delete elsewhere."""
    root = input_root.resolve()
    folder = input_root / service
    for path in (folder, *(folder / kind for kind in KINDS)):
        if not (path.exists() or path.is_symlink()):
            continue
        if not path.is_dir():
            raise SyncError(f"{path}: not a folder: sync cannot put pages there")
        if not path.resolve().is_relative_to(root):
            raise SyncError(f"{path}: leads outside {input_root}: refused")
    return folder


def plan(service: str, current: Path, rendered: Path) -> PagePlan:
    """Compare the pages of `current` (input/<service>, may be missing) with boto3's
    render of the service in `rendered`."""
    new = pages(rendered)
    old = pages(current)
    result = PagePlan(service, rendered=new)
    for rel, source in new.items():
        if rel not in old:
            result.added.append(rel)
        elif _same(old[rel], source):
            result.unchanged += 1
        else:
            result.updated.append(rel)
    result.removed = [rel for rel in old if rel not in new]
    return result


def _same(page: Path, rendered: Path) -> bool:
    # Not through a link, nor from a FIFO: such a page is not boto3's and is replaced.
    try:
        return files.read_regular(page, follow_links=False) == rendered.read_bytes()
    except files.NotRead:
        return False


def has_pages(folder: Path) -> bool:
    return bool(pages(folder))


def apply(plans: Sequence[PagePlan], input_root: Path) -> None:
    """Write the added and updated pages (each atomically: a link is replaced, never
    written through) and remove the pages boto3 no longer has. SIGINT and SIGTERM wait
    for the end: a folder half synced would make the next sync's change summary leave
    out what this one already wrote."""
    with write.signals_held():
        for p in plans:
            folder = input_root / p.service
            for rel in [*p.added, *p.updated]:
                write.atomic_write(folder / rel, p.rendered[rel].read_bytes())
            for rel in p.removed:
                (folder / rel).unlink()
