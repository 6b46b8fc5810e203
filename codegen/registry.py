"""The names registry: the class and Literal-alias names a package has published.

One JSON file per service, `<out>/.codegen/names/<service>.json`, committed with the
package. Its key for a class is the set of places the class occupies: member paths in
the shape-tree notation, each prefixed with its operation (`create_model_package:
input.InferenceSpecification`). A structure that gains or loses members keeps those
places, so it keeps its name; a page added elsewhere adds places, not a new key.

    {
     "version": 2,
     "classes": {
      "InferenceSpecification": {"paths":["create_model_package:input.InferenceSpecification"]},
      "InferenceSpecificationOutput": {"stem":"InferenceSpecification","paths":[...]},
      "ModelPackageContainerDefinition": {"paths":["InferenceSpecification.Containers[]"]}
     },
     "enums": {"ModelApprovalStatusType": {"paths":[...]}},
     "deprecated": {"OldName": "NewName"}
    }

A place written `Class.Member` (or `Class.Items[]`, `Class.Map{}`: no `operation:`)
stands for that member at every place of `Class`, a class of the same file: a nested
structure is said once, not once per path that reaches it, which makes the file a
third of the size (format 1 spelled every place out, and is still read: version 1).
It is written so only when it covers every place of `Class`; the places it covers are
exactly those, so a run reads back the same set of places it wrote.

`stem` is the resolver's name when the module name differs (a response-only class that
shares its name with a request class carries `Output`); `deprecated` lists the aliases
kept for renamed classes, until the service is regenerated from changed pages.

This module only reads, writes and matches registries; codegen/naming.py decides what
the names are, and checks every name read here before it reaches a template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

VERSION = 2
_READS = (1, 2)  # 1: every place spelled out (no `Class.member` references)
_NAME = re.compile(r"[^.\[{:]+")
_REFERENCE = re.compile(r"([^.\[{:]+)((?:\.|\[\]|\{\}).*)", re.S)


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # the module-level name: a dataclass, or a Literal alias
    paths: tuple[str, ...]  # `operation:path`, sorted
    stem: str = ""  # the resolver's name, where it is not `name`

    @property
    def stem_or_name(self) -> str:
        return self.stem or self.name

    @property
    def sides(self) -> frozenset[str]:
        """`input` / `output`: the sides of the operations it was used on."""
        return frozenset(p.partition(":")[2].partition(".")[0] for p in self.paths)


@dataclass(frozen=True, slots=True)
class Registry:
    classes: tuple[Entry, ...] = ()
    enums: tuple[Entry, ...] = ()
    deprecated: tuple[tuple[str, str], ...] = ()  # (old name, new name)

    def names(self) -> set[str]:
        return {e.name for e in self.classes} | {e.name for e in self.enums}


class RegistryError(ValueError):
    """A registry file that is not one; str() is one line."""


def place(op: str, path: str) -> str:
    return f"{op}:{path}"


def loads(text: str) -> Registry:
    """Parse a registry file (version 2, or 1: every place spelled out). Only its shape is
    checked here (names: codegen/naming.py)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RegistryError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("version") not in _READS:
        raise RegistryError(f"not a names registry of version {VERSION}")
    classes = _entries(data.get("classes", {}), "classes")
    places = _Places({e.name: e.paths for e in classes})
    try:
        return Registry(
            classes=tuple(Entry(e.name, places.of_class(e.name), e.stem) for e in classes),
            enums=tuple(
                Entry(e.name, places.expand(e.paths), e.stem) for e in _entries(data.get("enums", {}), "enums")
            ),
            deprecated=tuple(sorted(_pairs(data.get("deprecated", {})))),
        )
    except RecursionError:  # (a chain of references as long as the file: not codegen's)
        raise RegistryError("`classes`: references nested too deep") from None


class _Places:
    """The places of a file's entries, its `Class.member` references expanded."""

    def __init__(self, written: Mapping[str, tuple[str, ...]]) -> None:
        self.written = written
        self.done: dict[str, tuple[str, ...]] = {}
        self.busy: set[str] = set()

    def of_class(self, name: str) -> tuple[str, ...]:
        if name in self.done:
            return self.done[name]
        if name not in self.written:
            raise RegistryError(f"`{name}`: a reference to no class of this registry")
        if name in self.busy:
            raise RegistryError(f"`classes.{name}`: its places refer back to it")
        self.busy.add(name)
        self.done[name] = self.expand(self.written[name])
        self.busy.discard(name)
        return self.done[name]

    def expand(self, paths: Iterable[str]) -> tuple[str, ...]:
        found: set[str] = set()
        for path in paths:
            if ":" in path:
                found.add(path)
                continue
            ref = _REFERENCE.fullmatch(path)
            if ref is None:
                raise RegistryError(f"`{path}` is neither `operation:path` nor `Class.member`")
            found.update(p + ref[2] for p in self.of_class(ref[1]))
        return tuple(sorted(found))


def _entries(value: Any, what: str) -> tuple[Entry, ...]:
    if not isinstance(value, dict):
        raise RegistryError(f"`{what}` is not an object")
    out = []
    for name, body in value.items():
        if not isinstance(body, dict) or not isinstance(body.get("paths"), list):
            raise RegistryError(f"`{what}.{name}` has no list of paths")
        paths = body["paths"]
        stem = body.get("stem", "")
        if not all(isinstance(p, str) for p in paths) or not isinstance(stem, str):
            raise RegistryError(f"`{what}.{name}`: paths and stem must be strings")
        out.append(Entry(name, tuple(sorted(paths)), stem))
    return tuple(sorted(out, key=lambda e: e.name))


def _pairs(value: Any) -> Iterable[tuple[str, str]]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise RegistryError("`deprecated` is not an object of names")
    return value.items()


def dumps(registry: Registry) -> str:
    """Deterministic JSON text: sorted, one name per line, for readable diffs in review."""
    written = _Written(registry.classes)

    def body(entries: Sequence[Entry]) -> dict[str, Any]:
        return {
            e.name: ({"stem": e.stem} if e.stem and e.stem != e.name else {}) | {"paths": written.paths(e)}
            for e in sorted(entries, key=lambda e: e.name)
        }

    def section(entries: Mapping[str, Any]) -> str:
        # A name and its places on one line: the diff of a pull request shows which
        # names moved, at a tenth less size than a place a line.
        if not entries:
            return "{}"
        lines = (f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in entries.items())
        return "{\n" + ",\n".join(lines) + "\n }"

    sections = {
        "classes": body(registry.classes),
        "enums": body(registry.enums),
        "deprecated": dict(sorted(registry.deprecated)),
    }
    parts = [f' "version": {VERSION}', *(f" {json.dumps(k)}: {section(v)}" for k, v in sections.items())]
    return "{\n" + ",\n".join(parts) + "\n}\n"


class _Written:
    """An entry's places as written: `Class.member` for each member of a class that the
    entry occupies at every place of that class, the others spelled out."""

    def __init__(self, classes: Sequence[Entry]) -> None:
        self.places = {e.name: e.paths for e in classes}
        self.owner: dict[str, str] = {}
        for entry in sorted(classes, key=lambda e: e.name):
            for path in entry.paths:
                self.owner.setdefault(path, entry.name)

    def paths(self, entry: Entry) -> list[str]:
        candidates: set[tuple[str, str]] = set()
        for path in entry.paths:
            # The longest prefix that is another class's place: the member's parent.
            # (Its steps down, `.M`, `[]`, `{}`, from the right; none before `operation:`.)
            start, cut, rfind = path.find(":") + 1, len(path), path.rfind
            while (cut := max(rfind(".", start, cut), rfind("[", start, cut), rfind("{", start, cut))) > 0:
                parent = self.owner.get(path[:cut], entry.name)
                if parent != entry.name:
                    candidates.add((parent, path[cut:]))
                    break
        mine, covered, refs = set(entry.paths), set[str](), []
        for parent, suffix in sorted(candidates):
            if ":" in suffix or not _NAME.fullmatch(parent):
                continue  # (would not read back as a reference)
            full = {p + suffix for p in self.places[parent]}
            if full <= mine and full.isdisjoint(covered):
                refs.append(parent + suffix)
                covered |= full
        return sorted([*refs, *(mine - covered)])


@dataclass(slots=True)
class Matching:
    """Which registry entry each new thing (by index) takes its name from, and the entries
    whose places now belong to a thing that keeps another name."""

    taken: dict[int, Entry] = field(default_factory=dict)
    absorbed: dict[int, list[Entry]] = field(default_factory=dict)


def match(entries: Sequence[Entry], things: Sequence[Iterable[str]]) -> Matching:
    """Pair registry entries with new things (each given by the places it occupies):
    most shared places first, so that when a shared structure splits, the part found at
    the most places keeps the name. Ties go to the sorted-first name, then the first
    thing: the pairing depends on the places only."""
    if not entries:
        return Matching()
    where: dict[str, int] = {}
    for index, places in enumerate(things):
        for p in places:
            where[p] = index
    overlaps: list[tuple[int, str, int, Entry]] = []
    for entry in entries:
        counts: dict[int, int] = {}
        for p in entry.paths:
            if p in where:
                counts[where[p]] = counts.get(where[p], 0) + 1
        overlaps += [(-n, entry.name, index, entry) for index, n in counts.items()]
    overlaps.sort(key=lambda t: (t[0], t[1], t[2]))
    result = Matching()
    used: set[str] = set()
    for _, name, index, entry in overlaps:
        if name in used or index in result.taken:
            continue
        result.taken[index] = entry
        used.add(name)
    for _, name, index, entry in overlaps:
        if name not in used:
            result.absorbed.setdefault(index, []).append(entry)
            used.add(name)
    return result


def with_entries(classes: Iterable[Entry], enums: Iterable[Entry], deprecated: Mapping[str, str]) -> Registry:
    return Registry(
        tuple(sorted(classes, key=lambda e: e.name)),
        tuple(sorted(enums, key=lambda e: e.name)),
        tuple(sorted(deprecated.items())),
    )


@dataclass(frozen=True, slots=True)
class NameOptions:
    """How a run names classes: `reresolve` ignores the registries (the resolver names
    everything afresh; renames keep deprecated aliases), `overrides` are the project's
    `[tool.codegen.names]`: service id → {name: name to use instead}."""

    reresolve: bool = False
    overrides: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @classmethod
    def of(cls, reresolve: bool, overrides: Mapping[str, Mapping[str, str]]) -> NameOptions:
        return cls(reresolve, tuple(sorted((s, tuple(sorted(m.items()))) for s, m in overrides.items())))

    def overrides_for(self, service: str) -> dict[str, str]:
        return next((dict(m) for s, m in self.overrides if s == service), {})

    def settings_key(self) -> str:
        """What the manifest records: a change of overrides redoes every service."""
        return json.dumps(self.overrides) if self.overrides else ""
