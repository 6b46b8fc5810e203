"""What a `generate` run has to do: the units to redo, and the task of each.

With the manifest of the last run (codegen/pipeline/state.py), a unit is redone when one
of its pages is new, changed or gone, when it has a pending conflict or a generated
file gone missing, and every unit is when the settings (the generator, the templates,
the options) changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from codegen.pipeline.pages import Pages, unit_of
from codegen.pipeline.state import Manifest


def affected_units(
    units: Mapping[str, Sequence[str]], pages: Pages, old: Manifest | None, same: bool, out: Path
) -> list[str]:
    """Units to redo: all when the settings changed, else those with a page new, changed
    or gone, a pending conflict, or a generated file gone missing."""
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
    missing = {rec.service for rel, rec in old.files.items() if not (out / rel).is_file()}
    for unit, services in old_units.items():
        if services & (pending | missing) or any(s not in old.services for s in services):
            affected.add(unit)
    return sorted(u for u in affected if u in units)
