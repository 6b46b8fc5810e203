"""Names that stay: the names registry's published names (codegen/registry.py) and the
overrides are pinned before the resolver's rule names the rest; a page's events are named
around every other name; and a run records the registry it publishes, with the renames
and the deprecated aliases against the one it read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Hashable

from codegen.evidence import REGISTERED, Candidate
from codegen.namecheck import check_name
from codegen.namecontest import TakenNames, assign
from codegen.namegroups import Group, enum_groups, struct_groups
from codegen.namesites import Site
from codegen.registry import Entry, Registry
from codegen.registry import match as match_registry
from codegen.registry import with_entries as registry_with
from codegen.servicenames import Alias, ServiceNames


def named(
    sites: Sequence[Site],
    enum_sites: Sequence[Site],
    old: Registry,
    reresolve: bool,
    wanted: Mapping[str, str],
    reserved: set[str],
    base: TakenNames,
) -> tuple[list[Group], list[Group], TakenNames]:
    """The classes and Literal aliases of these sites, named around the names `base` holds
    (the registry's names first, then the resolver's rule, then the overrides `wanted`),
    and the names then taken."""
    structs, enums = struct_groups(sites), enum_groups(enum_sites)
    class_match = match_registry(old.classes, [_places(g) for g in structs] if old.classes else [])
    enum_match = match_registry(old.enums, [_places(g) for g in enums] if old.enums else [])
    pins: dict[int, tuple[str, str, frozenset[str]]] = {}
    enum_pins: dict[int, str] = {}
    if not reresolve:
        pins = {i: (e.name, e.stem_or_name, e.sides) for i, e in class_match.taken.items()}
        enum_pins = {i: e.name for i, e in enum_match.taken.items()}
    taken = base.copy()
    assign(structs, enums, taken, pins, enum_pins)
    if any(g.name in wanted for g in structs + enums):
        # An override renames what the registry or the resolver would name: pinned
        # like a registered name, and the rest named around it.
        for name in wanted.values():
            check_name("name override", name, frozenset(reserved))
        pins.update({
            i: (wanted[g.name], wanted[g.name], frozenset()) for i, g in enumerate(structs) if g.name in wanted
        })
        enum_pins.update({i: wanted[g.name] for i, g in enumerate(enums) if g.name in wanted})
        structs, enums = struct_groups(sites), enum_groups(enum_sites)
        taken = base.copy()
        assign(structs, enums, taken, pins, enum_pins)
    structs = [g for g in structs if g.name]  # (those that joined another class)
    for group in structs + enums:
        # Made of identifiers only (pascal, the texts' words, checked registry names):
        # checked once more, as every name from a page is before it reaches a template.
        check_name("class name", group.name, frozenset(reserved))
    return structs, enums, taken


def join_events(
    structs: Sequence[Group], enums: Sequence[Group], sites: Sequence[Site], enum_sites: Sequence[Site],
    taken: TakenNames,
) -> tuple[list[Site], list[Site]]:
    """Event sites that are a class or Literal alias of the rest join it: the same
    structure under the name it has there (a response class, or one that can be used in
    responses under its name), the same member name and values. The others, returned,
    are named on their own."""
    by_key: dict[Hashable, list[Group]] = {}
    for group in structs:
        by_key.setdefault(group.sites[0].key, []).append(group)
    rest: list[Site] = []
    for site in sites:
        joined = next(
            (g for g in by_key.get(site.key, ()) if site.cand.name in (g.want, g.stem, g.name)
             and taken.extend(g, frozenset({site.side}))),
            None,
        )
        if joined is None:
            rest.append(site)
        else:
            joined.sites.append(site)
            joined.sides |= {site.side}
    enum_by_key = {g.sites[0].key: g for g in enums}
    rest_enums: list[Site] = []
    for site in enum_sites:
        if site.key in enum_by_key:
            enum_by_key[site.key].sites.append(site)
        else:
            rest_enums.append(site)
    return rest, rest_enums


def mark_registered(sites: Sequence[Site], enum_sites: Sequence[Site], old: Registry) -> None:
    """Places the registry names keep that name as their evidence: no rule of the resolver
    regroups them (a published class neither merges into another nor splits by name)."""
    where = {p: e.name for e in old.classes for p in e.paths}
    for site in sites:
        name = where.get(site.place)
        if name is not None:
            site.cand = Candidate(name, REGISTERED, site.cand.member)
    where = {p: e.name for e in old.enums for p in e.paths}
    for site in enum_sites:
        name = where.get(site.place)
        if name is not None:
            site.key = ("enum", name, site.shape.enum)


def _places(group: Group) -> list[str]:
    return sorted(s.place for s in group.sites)


def record(
    names: ServiceNames, old: Registry, structs: Sequence[Group], enums: Sequence[Group], keep: bool
) -> None:
    """The registry this run publishes, and the renames against the one it read: a name
    the old registry had for some of these places and that no longer exists keeps a
    deprecated alias to its successor until the pages next change."""
    classes = [Entry(g.name, tuple(_places(g)), g.stem if g.stem != g.name else "") for g in structs]
    enum_entries = [Entry(g.name, tuple(_places(g))) for g in enums]
    places = {id(e): list(e.paths) for e in classes + enum_entries}
    now = {g.name for g in structs} | {g.name for g in enums}
    for kind, before, after, entries in (
        ("class", old.classes, structs, classes), ("enum", old.enums, enums, enum_entries)
    ):
        matched = match_registry(before, [places[id(e)] for e in entries])
        pairs = [(e, i) for i, e in matched.taken.items()]
        pairs += [(e, i) for i, es in matched.absorbed.items() for e in es]
        for entry, index in sorted(pairs, key=lambda p: p[0].name):
            new = after[index].name
            if entry.name != new:
                names.renames.append((entry.name, new))
                if entry.name not in now:
                    names.aliases.append(Alias(entry.name, new, kind, entry.stem_or_name))
    if keep:
        kept = {a.old for a in names.aliases}
        enum_names = {g.name for g in enums}
        stems = {g.name: g.stem for g in structs}
        for old_name, new_name in old.deprecated:
            if old_name in kept or old_name in now or new_name not in now:
                continue
            kind = "enum" if new_name in enum_names else "class"
            # (`XOutput` as a response dataclass: its TypedDict was `XOutputTypeDef`)
            response_twin = stems.get(new_name, new_name) != new_name and old_name.endswith("Output")
            old_stem = old_name[: -len("Output")] if response_twin else old_name
            names.aliases.append(Alias(old_name, new_name, kind, old_stem))
    names.renames.sort()
    names.aliases.sort()
    names.registry = registry_with(classes, enum_entries, {a.old: a.new for a in names.aliases})
