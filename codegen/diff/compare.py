"""Two shape trees → a semantic changelog: changes with rule ids, levels and paths.

`codegen diff OLD NEW` compares what two revisions of the reference say about each
operation (matched by service, kind and name), not their text. Every change carries

- a rule id (`request-member-removed`, ...; the table is `rules.RULES`, documented with
  the JSON schema in docs/diff-json.md),
- a level: `ERR` breaks callers, `WARN` may break them, `INFO` does not,
- one or more locations: the operation (`SageMaker.Client.create_model`) and a contract
  path (`input.PrimaryContainer.ModelDataSource.S3DataSource`), no path for changes
  of the operation itself.

Pages carry no shape names, so a structure that boto3 renders at many places (the S3
data source of a model) is recognised by its content: sub-trees are interned
bottom-up, and a change found below the same pair (old sub-tree, new sub-tree) is one
change listing every location where that pair is reached, in every operation. The
comparison of each such pair runs once.

A `DiffResult` drops the locations its `IgnoreRule`s match (`ignoring`); `load` reads
them from an ignore file, `render` prints the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from codegen import naming, tree
from codegen.diff.rules import LEVELS, RULES, Level, level_at_least
from codegen.tree import Operation, Shape

Side = Literal["request", "response"]

# --- changes ------------------------------------------------------------------------

_KIND_CLASS = {"client": "Client", "paginator": "Paginator", "waiter": "Waiter"}

Detail = tuple[tuple[str, "str | tuple[str, ...]"], ...]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """One place a change is seen: an operation and a contract path ("" = the operation)."""

    service: str
    kind: str
    name: str
    path: str = ""

    @property
    def operation(self) -> str:
        """`SageMaker.Client.create_model`, as the page's `py:method` names it."""
        return f"{self.service}.{_KIND_CLASS.get(self.kind, self.kind)}.{self.name}"

    @property
    def address(self) -> str:
        return f"{self.operation}.{self.path}" if self.path else self.operation


@dataclass(frozen=True, slots=True)
class Change:
    rule: str
    level: Level
    message: str
    locations: tuple[Location, ...]
    detail: Detail = ()

    @property
    def operations(self) -> list[str]:
        return sorted({loc.operation for loc in self.locations})

    @property
    def shared(self) -> bool:
        """Seen in more than one operation."""
        return len({loc.operation for loc in self.locations}) > 1

    def detail_dict(self) -> dict[str, str | list[str]]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.detail}


@dataclass(slots=True)
class DiffResult:
    changes: list[Change]
    old_operations: int = 0
    new_operations: int = 0
    old_label: str = ""
    new_label: str = ""
    ignored: int = 0  # locations silenced by ignore rules

    def counts(self) -> dict[Level, int]:
        out: dict[Level, int] = {level: 0 for level in LEVELS}
        for change in self.changes:
            out[change.level] += 1
        return out

    def has_level(self, threshold: str) -> bool:
        """A change at `threshold` or above exists."""
        return any(level_at_least(c.level, threshold) for c in self.changes)

    def ignoring(self, rules: Sequence[IgnoreRule]) -> DiffResult:
        if not rules:
            return self
        kept: list[Change] = []
        silenced = 0
        for change in self.changes:
            locations = tuple(
                loc
                for loc in change.locations
                if not any(r.matches(change.rule, loc) for r in rules)
            )
            silenced += len(change.locations) - len(locations)
            if locations:
                kept.append(replace(change, locations=locations))
        return replace(self, changes=kept, ignored=self.ignored + silenced)


# --- ignore rules -------------------------------------------------------------------


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """`*` matches any run of characters, `?` one; everything else (`[]`, `{}`) is literal."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts) + r"\Z")


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One `RULE-ID PATH` line of an ignore file."""

    rule: str
    path: str
    line: int = 0

    def matches(self, rule: str, loc: Location) -> bool:
        if not _glob(self.rule).match(rule):
            return False
        pattern = _glob(self.path)
        return any(
            pattern.match(candidate)
            for candidate in (loc.address, loc.path, loc.operation)
            if candidate
        )



# --- comparing shapes ---------------------------------------------------------------

_SEGMENT = re.compile(r"\.[^.\[\]{}]+|\[\]|\{\}")


def _depth(path: str) -> int:
    return len(_SEGMENT.findall(path))


class _Interner:
    """Structural ids of sub-trees: equal content (docs included) ⇔ equal id.

    A recursion marker is identified by how many levels up its target is, so the same
    recursive structure reached at different depths still gets one id.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[object, ...], int] = {}
        self._memo: dict[int, int] = {}
        self._alive: list[Shape] = []  # keep memoised objects alive so id() stays unique

    def of(self, shape: Shape, depth: int) -> int:
        known = self._memo.get(id(shape))
        if known is not None:
            return known
        key: tuple[object, ...]
        if shape.type == "recursive":
            key = ("recursive", depth - _depth(shape.target or ""))
        else:
            key = (
                shape.type,
                shape.documentation,
                shape.enum,
                tuple(
                    (n, m.required, m.autopopulated, m.documentation, self.of(m.shape, depth + 1))
                    for n, m in shape.members
                ),
                -1 if shape.member is None else self.of(shape.member, depth + 1),
                -1 if shape.key is None else self.of(shape.key, depth + 1),
                -1 if shape.value is None else self.of(shape.value, depth + 1),
                shape.union,
                shape.event_stream,
                shape.streaming,
                shape.json_value,
                shape.python_type,
                shape.truncated,
            )
        ident = self._ids.setdefault(key, len(self._ids))
        self._memo[id(shape)] = ident
        self._alive.append(shape)
        return ident


@dataclass(frozen=True, slots=True)
class _Rel:
    """A change relative to a compared node: `suffix` is the path below it."""

    rule: str
    suffix: str
    message: str
    detail: Detail
    anchor: tuple[int, int, str]  # the (old, new, side) node pair the change belongs to


def _describe(shape: Shape) -> str:
    if shape.type == "list" and shape.member is not None:
        return f"list of {_describe(shape.member)}"
    if shape.type == "map" and shape.value is not None:
        return f"map of {_describe(shape.value)}"
    if shape.type == "recursive":
        return "recursive reference"
    return shape.type


def _values(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


_RelMaker = Callable[[str, str, str, Detail], _Rel]
_FLAGS = ("streaming", "event_stream", "union", "json_value", "python_type")


class _Comparer:
    """Compares node pairs once each (memoised on their structural ids).

    `partial` is set below a section that boto3 did not render on one side ("too large
    to render"): what is known there comes from the syntax block alone, without
    `[REQUIRED]` flags or documentation, so those are not compared.
    """

    def __init__(self, include_docs: bool) -> None:
        self.include_docs = include_docs
        self.ids = _Interner()
        self._memo: dict[tuple[int, int, str, bool], tuple[_Rel, ...]] = {}

    def shapes(
        self, old: Shape, new: Shape, side: Side, depth: int, partial: bool = False
    ) -> tuple[_Rel, ...]:
        oid, nid = self.ids.of(old, depth), self.ids.of(new, depth)
        if oid == nid:
            return ()
        key = (oid, nid, side, partial)
        found = self._memo.get(key)
        if found is None:
            found = tuple(self._compare(old, new, side, depth, partial, (oid, nid, side)))
            self._memo[key] = found
        return found

    def _compare(
        self,
        old: Shape,
        new: Shape,
        side: Side,
        depth: int,
        partial: bool,
        anchor: tuple[int, int, str],
    ) -> Iterator[_Rel]:
        def rel(rule: str, suffix: str, message: str, detail: Detail) -> _Rel:
            return _Rel(rule, suffix, message, detail, anchor)

        if old.type != new.type:
            a, b = _describe(old), _describe(new)
            yield rel("type-changed", "", f"type changed from {a} to {b}", (("old", a), ("new", b)))
            return
        if old.type == "recursive":  # same id would mean the same ancestor: this one differs
            a, b = (
                f"recursive reference {depth - _depth(s.target or '')} levels up"
                for s in (old, new)
            )
            yield rel("type-changed", "", f"type changed from {a} to {b}", (("old", a), ("new", b)))
            return
        for flag in _FLAGS:
            before, after = getattr(old, flag), getattr(new, flag)
            if before != after:
                yield rel(
                    "shape-flag-changed",
                    "",
                    f"{flag} changed from {before!r} to {after!r}",
                    (("flag", flag), ("old", str(before)), ("new", str(after))),
                )
        unrendered = old.truncated or new.truncated
        partial = partial or unrendered
        if self.include_docs and not partial and old.documentation != new.documentation:
            yield rel("documentation-changed", "", "documentation changed", ())
        if old.enum != new.enum:
            yield from self._enum(old, new, side, rel)
        if old.type == "structure":
            if unrendered:
                known = bool(old.members) and bool(new.members)
                yield rel(
                    "section-not-compared",
                    "",
                    "boto3 did not render this section on one side: "
                    + (
                        "required flags and documentation below it were not compared"
                        if known
                        else "its members were not compared"
                    ),
                    (),
                )
                if not known:
                    return
            yield from self._structure(old, new, side, depth, partial, rel)
        elif old.type == "list" and old.member is not None and new.member is not None:
            yield from _below("[]", self.shapes(old.member, new.member, side, depth + 1, partial))
        elif old.type == "map":
            if old.key is not None and new.key is not None:
                for r in self.shapes(old.key, new.key, side, depth + 1, partial):
                    yield replace(
                        r, message=f"map key: {r.message}", detail=r.detail + (("of", "key"),)
                    )
            if old.value is not None and new.value is not None:
                yield from _below("{}", self.shapes(old.value, new.value, side, depth + 1, partial))

    def _enum(self, old: Shape, new: Shape, side: Side, rel: _RelMaker) -> Iterator[_Rel]:
        if not old.enum:
            yield rel(
                f"{side}-enum-introduced",
                "",
                f"now an enum: {_values(new.enum)}",
                (("values", new.enum),),
            )
            return
        if not new.enum:
            yield rel(
                f"{side}-enum-dropped",
                "",
                "no longer an enum (any string)",
                (("values", old.enum),),
            )
            return
        before, after = set(old.enum), set(new.enum)
        added = tuple(v for v in new.enum if v not in before)
        removed = tuple(v for v in old.enum if v not in after)
        if added:
            yield rel(
                f"{side}-enum-value-added",
                "",
                f"enum values added: {_values(added)}",
                (("values", added),),
            )
        if removed:
            yield rel(
                f"{side}-enum-value-removed",
                "",
                f"enum values removed: {_values(removed)}",
                (("values", removed),),
            )

    def _structure(
        self, old: Shape, new: Shape, side: Side, depth: int, partial: bool, rel: _RelMaker
    ) -> Iterator[_Rel]:
        before, after = old.member_map, new.member_map
        what = "request" if side == "request" else "response"
        for name, member in old.members:
            if name not in after:
                yield rel(
                    f"{side}-member-removed",
                    f".{name}",
                    f"{what} member `{name}` removed",
                    (("member", name),),
                )
        for name, member in new.members:
            was = before.get(name)
            if was is None:
                if side == "response":
                    rule, message = "response-member-added", f"response member `{name}` added"
                elif _required(member) and not partial:
                    rule = "request-member-added-required"
                    message = f"required request member `{name}` added"
                else:
                    rule = "request-member-added"
                    message = f"optional request member `{name}` added"
                yield rel(rule, f".{name}", message, (("member", name),))
                continue
            if side == "request" and not partial and _required(was) != _required(member):
                if _required(member):
                    rule, message = "request-member-now-required", "is now required"
                else:
                    rule, message = "request-member-now-optional", "is now optional"
                yield rel(
                    rule, f".{name}", f"request member `{name}` {message}", (("member", name),)
                )
            if self.include_docs and not partial and was.documentation != member.documentation:
                yield rel(
                    "documentation-changed",
                    f".{name}",
                    f"documentation of `{name}` changed",
                    (("member", name),),
                )
            yield from _below(
                f".{name}", self.shapes(was.shape, member.shape, side, depth + 1, partial)
            )


def _required(member: tree.Member) -> bool:
    """Required for a caller: boto3 fills in autopopulated (idempotency) members."""
    return member.required and not member.autopopulated


def _below(step: str, rels: Iterable[_Rel]) -> Iterator[_Rel]:
    for r in rels:
        yield replace(r, suffix=step + r.suffix)


# --- comparing operations -----------------------------------------------------------


def compare(
    old_ops: Iterable[Operation],
    new_ops: Iterable[Operation],
    *,
    include_docs: bool = False,
    old_label: str = "",
    new_label: str = "",
) -> DiffResult:
    """Every change between two shape trees, changes below shared structures grouped."""
    old_by = {op.sort_key: op for op in old_ops}
    new_by = {op.sort_key: op for op in new_ops}
    comparer = _Comparer(include_docs)
    groups: dict[tuple[object, ...], tuple[str, str, Detail, list[Location]]] = {}

    def add(
        group: tuple[object, ...], rule: str, message: str, detail: Detail, loc: Location
    ) -> None:
        entry = groups.setdefault((rule, detail) + group, (rule, message, detail, []))
        entry[3].append(loc)

    for key in sorted(old_by.keys() | new_by.keys()):
        old, new = old_by.get(key), new_by.get(key)
        here = Location(*key)
        if old is None:
            add(key, "operation-added", "operation added", (), here)
            continue
        if new is None:
            add(key, "operation-removed", "operation removed", (), here)
            continue
        if old is new:  # (a page both sides share, parsed once: nothing can differ)
            continue
        for rule, message, detail in _operation_changes(old, new, include_docs):
            add(key, rule, message, detail, here)
        sides: list[tuple[str, Side, Shape | None, Shape | None]] = [
            ("input", "request", old.input, new.input),
            ("output", "response", old.output, new.output),
        ]
        for root, side, before, after in sides:
            if before is None or after is None:
                continue
            for r in comparer.shapes(before, after, side, 0):
                add(r.anchor, r.rule, r.message, r.detail, replace(here, path=root + r.suffix))

    changes = [
        Change(rule, RULES[rule].level, message, tuple(sorted(set(locs))), detail)
        for rule, message, detail, locs in groups.values()
    ]
    changes.sort(key=lambda c: (c.locations[0], c.rule, c.detail))
    return DiffResult(changes, len(old_by), len(new_by), old_label, new_label)


def merge_results(results: Sequence[DiffResult], old_label: str = "", new_label: str = "") -> DiffResult:
    """Results of comparing the services one at a time, as one result (changes of
    structures shared by several services are then grouped within each service)."""
    changes = sorted(
        (c for r in results for c in r.changes), key=lambda c: (c.locations[0], c.rule, c.detail)
    )
    return DiffResult(
        changes,
        sum(r.old_operations for r in results),
        sum(r.new_operations for r in results),
        old_label,
        new_label,
    )


def _operation_changes(
    old: Operation, new: Operation, include_docs: bool
) -> Iterator[tuple[str, str, Detail]]:
    if old.deprecated != new.deprecated:
        if new.deprecated:
            yield "operation-deprecated", "operation deprecated", ()
        else:
            yield "operation-undeprecated", "operation no longer deprecated", ()
    if old.api_name != new.api_name:
        yield (
            "api-name-changed",
            f"API name changed from {old.api_name} to {new.api_name}",
            (("old", str(old.api_name)), ("new", str(new.api_name))),
        )
    if old.output is None and new.output is not None:
        yield "output-added", "now returns a response (was None)", ()
    elif old.output is not None and new.output is None:
        yield "output-removed", "now returns None", ()
    for name in new.exceptions:
        if name not in old.exceptions:
            yield "exception-added", f"exception `{name}` added", (("exception", name),)
    for name in old.exceptions:
        if name not in new.exceptions:
            yield "exception-removed", f"exception `{name}` removed", (("exception", name),)
    if include_docs and old.documentation != new.documentation:
        yield "documentation-changed", "operation documentation changed", ()


# --- renamed classes ------------------------------------------------------------------


def renamed(renames: Iterable[tuple[str, str, str, Location]]) -> list[Change]:
    """`class-renamed` changes: (old name, new name, "class" or "Literal alias", where)."""
    places: dict[tuple[str, str, str], list[Location]] = {}
    for old, new, kind, loc in renames:
        places.setdefault((old, new, kind), []).append(loc)
    changes = [
        Change(
            "class-renamed",
            RULES["class-renamed"].level,
            f"{kind} `{old}` renamed to `{new}`",
            tuple(sorted(set(locs))),
            (("kind", kind), ("new", new), ("old", old)),
        )
        for (old, new, kind), locs in places.items()
    ]
    changes.sort(key=lambda c: (c.locations[0], c.detail))
    return changes


def resolver_renames(old_ops: Sequence[Operation], new_ops: Sequence[Operation]) -> list[Change]:
    """The names the resolver gives at the same places in two revisions, where they differ.
    Pages carry no names registry: this is what a package generated afresh from each
    revision would call its classes (`codegen generate` keeps published names, see
    docs/names.md, unless asked to re-resolve them)."""
    try:
        before = {n.service_id: n for n in naming.resolve(old_ops)}
        after = {n.service_id: n for n in naming.resolve(new_ops)}
    except ValueError:
        return []  # a tree the resolver refuses (the comparison of shapes still stands)
    service_of = {(o.service_id or o.service.lower(), o.name): o.service for o in new_ops}
    out: list[tuple[str, str, str, Location]] = []
    for sid in sorted(before.keys() & after.keys()):
        old, new = before[sid], after[sid]
        tops = {c.name for c in old.classes if c.top} | {c.name for c in new.classes if c.top}
        for kind, was, now in (
            ("class", old.by_path, new.by_path),
            ("Literal alias", old.enum_by_path, new.enum_by_path),
        ):
            for (op, path), name in sorted(was.items()):
                other = now.get((op, path))
                if other is not None and other != name and name not in tops:
                    service = service_of.get((sid, op), sid)
                    out.append((name, other, kind, Location(service, "client", op, path)))
    return renamed(out)

