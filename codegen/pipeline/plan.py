"""What a `generate` run has to do: the units to redo, the task of each, and whether
the package-level files are rendered again.

With the manifest of the last run (codegen/pipeline/state.py), a unit is redone when one
of its pages is new, changed or gone, when it has a pending conflict or a generated
file gone missing, and every unit is when the settings (the generator, the templates,
the options) changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence, Set as AbstractSet
from pathlib import Path
from typing import Any

from codegen.pipeline.pages import Pages, unit_of
from codegen.pipeline.state import Manifest
from codegen.pipeline.task import UnitTask
from codegen.registry import NameOptions


def hash_json(value: Any) -> str:
    """The key of a service's pages, or of what the package-level files are made of."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def affected_units(
    units: Mapping[str, Sequence[str]], pages: Pages, old: Manifest | None, same: bool, out: Path,
    present: AbstractSet[str] = frozenset(),
) -> list[str]:
    """Units to redo: all when the settings changed, else those with a page new, changed
    or gone, a pending conflict, or a generated file gone missing. `present`: files known
    to be in `out` (outscan.scan_output); the others are looked for."""
    if old is None or not same:
        return sorted(units)
    old_units: dict[str, set[str]] = {}  # unit → services its pages made last time
    for source, rec in old.pages.items():
        services = old_units.setdefault(unit_of(source), set())
        if rec.service is not None:
            services.add(rec.service)
    affected = set()
    for unit, sources in units.items():
        if any(s not in old.pages or old.pages[s].sha != pages.sha[s] for s in sources):
            affected.add(unit)
    affected |= {unit_of(s) for s in old.pages if s not in pages.sha}
    pending = {s for s, rec in old.services.items() if not rec.key}
    # (os.path on strings: a Path per file costs more than the stat, over 100,000 files)
    root = os.fspath(out)
    missing = {
        service for service, group in old.files.items()
        if any(rel not in present and not os.path.isfile(os.path.join(root, rel)) for rel in group)
    }
    for unit, services in old_units.items():
        if services & (pending | missing) or any(s not in old.services for s in services):
            affected.add(unit)
    return sorted(u for u in affected if u in units)


def unit_tasks(
    affected: Sequence[str], units: Mapping[str, Sequence[str]], pages: Pages, old: Manifest | None, same: bool,
    out: Path, package: str, targets: tuple[str, ...], generator: str, force: bool, dry_run: bool,
    names: NameOptions, responses: str,
) -> list[UnitTask]:
    """The task of each affected unit. A unit's parse cache is used when the generator
    that wrote it is this one (the services it may hold: those its pages made last time)."""
    old_pages = old.pages if old is not None else {}
    cached = same or (old is not None and old.generator == generator)
    return [
        UnitTask(
            name=name,
            pages=tuple((s, pages.paths[s], pages.sha[s]) for s in units[name]),
            out=str(out),
            package=package,
            targets=targets,
            generator=generator,
            cached_services=tuple(sorted({old_pages[s].service or "" for s in units[name] if s in old_pages} - {""}))
            if cached
            else (),
            force=force,
            dry_run=dry_run,
            weight=sum(pages.size.get(s, 0) for s in units[name]),
            names=names,
            responses=responses,
        )
        for name in affected
    ]


def package_due(out: Path, old: Manifest | None, same: bool, package_key: str) -> bool:
    """Whether the package-level files are rendered again: new settings, another list of
    services or operations (`package_key`), a pending conflict in them, or one gone."""
    if old is None or not same or package_key != old.package_key:
        return True
    pending = {s for s, rec in old.services.items() if not rec.key} | ({""} if not old.package_key else set())
    return "" in pending or any(not (out / rel).is_file() for rel in old.files.get("", {}))
