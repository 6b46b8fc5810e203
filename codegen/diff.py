"""Two shape trees → a semantic changelog: changes with rule ids, levels and paths.

`codegen diff OLD NEW` compares what two revisions of the reference say about each
operation (matched by service, kind and name), not their text. Every change carries

- a rule id (`request-member-removed`, ...; the table is `RULES`, documented with the
  JSON schema in docs/diff-json.md),
- a level: `ERR` breaks callers, `WARN` may break them, `INFO` does not,
- one or more locations: the operation (`SageMaker.Client.create_model`) and a contract
  path (`input.PrimaryContainer.ModelDataSource.S3DataSource`), no path for changes
  of the operation itself.

Pages carry no shape names, so a structure that boto3 renders at many places (the S3
data source of a model) is recognised by its content: sub-trees are interned
bottom-up, and a change found below the same pair (old sub-tree, new sub-tree) is one
change listing every location where that pair is reached, in every operation. The
comparison of each such pair runs once.

Renderers (`TextRenderer`, `MarkdownRenderer`, `JsonRenderer`) turn a `DiffResult`
into text; `changelog_markdown` is the entry point for the CHANGES.md of a generated
package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import click

from codegen import files, naming, tree, treecheck
from codegen.escape import md_code
from codegen.tree import Operation, Shape

Level = Literal["ERR", "WARN", "INFO"]
LEVELS: tuple[Level, ...] = ("ERR", "WARN", "INFO")
_RANK: dict[str, int] = {"ERR": 3, "WARN": 2, "INFO": 1}
Side = Literal["request", "response"]

DIFF_JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    summary: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("operation-added", "INFO", "a client method, paginator or waiter was added"),
        Rule("operation-removed", "ERR", "a client method, paginator or waiter was removed"),
        Rule("operation-deprecated", "WARN", "the operation is now marked deprecated"),
        Rule("operation-undeprecated", "INFO", "the operation is no longer marked deprecated"),
        Rule("api-name-changed", "INFO", "the operation's AWS API name changed"),
        Rule("output-added", "INFO", "the operation now returns a response (was `None`)"),
        Rule("output-removed", "WARN", "the operation now returns `None`"),
        Rule("exception-added", "WARN", "the operation documents a new exception"),
        Rule("exception-removed", "INFO", "the operation no longer documents an exception"),
        Rule("request-member-added", "INFO", "an optional request member was added"),
        Rule("request-member-added-required", "ERR", "a required request member was added"),
        Rule("request-member-removed", "ERR", "a request member was removed"),
        Rule("request-member-now-required", "ERR", "a request member became required"),
        Rule("request-member-now-optional", "INFO", "a request member became optional"),
        Rule("response-member-added", "INFO", "a response member was added"),
        Rule("response-member-removed", "WARN", "a response member was removed"),
        Rule("request-enum-value-added", "INFO", "a request enum accepts new values"),
        Rule("request-enum-value-removed", "ERR", "a request enum no longer accepts values"),
        Rule(
            "response-enum-value-added",
            "WARN",
            "a response enum has new values (exhaustive matches miss them)",
        ),
        Rule("response-enum-value-removed", "INFO", "a response enum lost values"),
        Rule("request-enum-introduced", "WARN", "a free request string became an enum"),
        Rule("request-enum-dropped", "INFO", "a request enum became a free string"),
        Rule("response-enum-introduced", "INFO", "a free response string became an enum"),
        Rule("response-enum-dropped", "WARN", "a response enum became a free string"),
        Rule(
            "type-changed",
            "ERR",
            "a node changed type (list/scalar, structure/map, "
            "integer/float, recursion target, ...)",
        ),
        Rule(
            "shape-flag-changed",
            "WARN",
            "streaming, event stream, tagged union, JSON value or Python type of a node changed",
        ),
        Rule(
            "section-not-compared",
            "INFO",
            'boto3 did not render this section on one side ("too large to render"): '
            "members (when unknown), required flags and documentation below it not compared",
        ),
        Rule(
            "documentation-changed",
            "INFO",
            "documentation text changed (only with --include-docs)",
        ),
        Rule(
            "class-renamed",
            "WARN",
            "a generated class or Literal alias has a new name (the old one stays a deprecated "
            "alias until the pages next change)",
        ),
    )
}


def level_at_least(level: str, threshold: str) -> bool:
    return _RANK[level] >= _RANK[threshold]


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


# --- ignore files -------------------------------------------------------------------


class InputError(Exception):
    """Unreadable input (exit status 2): the message is one line."""


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


def parse_ignore(text: str, source: str = "<ignore>") -> list[IgnoreRule]:
    """`RULE-ID PATH` per line (globs `*`/`?` in both); `#` comments and blank lines skipped.

    PATH is matched against the location's full address
    (`SageMaker.Client.create_model.input.Tags`), its bare contract path
    (`input.Tags`) and its operation (`SageMaker.Client.create_model`).
    """
    rules: list[IgnoreRule] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise InputError(f"{source}:{number}: expected `RULE-ID PATH`, got {raw.strip()!r}")
        rule, path = parts
        if not any(ch in rule for ch in "*?") and rule not in RULES:
            raise InputError(f"{source}:{number}: unknown rule id {rule!r}")
        rules.append(IgnoreRule(rule, path, number))
    return rules


def read_ignore_file(path: Path) -> list[IgnoreRule]:
    try:
        text = _read_regular(path).decode("utf-8")  # (a FIFO would hang the run)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read ignore file: {_reason(exc)}") from None
    return parse_ignore(text, str(path))


# --- inputs -------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower() if exc.strerror[0].isupper() else exc.strerror
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return " ".join(str(exc).split()) or type(exc).__name__


class ParsedPages(Protocol):
    """What `codegen.parse.parse_paths` returns (only the parts read here)."""

    @property
    def operations(self) -> list[Operation]: ...

    @property
    def errors(self) -> Sequence[object]: ...


# `codegen.parse.parse_paths`, passed in by the caller: this module depends on the
# shape tree only, never on the page parser.
PageParser = Callable[[Sequence[Path]], ParsedPages]


def load_operations(
    path: Path, parse_pages: PageParser, bad_pages: list[PageFailure] | None = None
) -> list[Operation]:
    """A page, a directory of pages or a saved `codegen parse` JSON → operations.

    Raises InputError (one line) for a missing path, a binary or non-UTF-8 file, JSON
    that is not a shape tree, a file that is not a method page, any page that fails to
    parse (unless `bad_pages` is given: the failures of a directory's pages are then
    added to it and the other pages returned), or a directory without method pages.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        return _parse(path, parse_pages, single=False, bad_pages=bad_pages)
    raw = _read_regular(path)
    if b"\x00" in raw:
        raise InputError(f"{path}: binary file, not a reference page or shape-tree JSON")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not UTF-8 text, not a reference page or shape-tree JSON"
        ) from None
    if path.suffix == ".json" or text.lstrip().startswith("{"):
        try:
            return load_tree(text)
        except ValueError as exc:
            raise InputError(f"{path}: not a codegen shape tree: {_reason(exc)}") from None
    return _parse(path, parse_pages, single=True)


def _read_regular(path: Path) -> bytes:
    """The bytes of a file named on the command line, if it is a regular file: a FIFO
    or a device (`/dev/zero`, a link to one) would block the read or never end."""
    try:
        return files.read_regular(path, follow_links=True)
    except files.NotRead as exc:
        if exc.error is None:
            raise InputError(f"{path}: not a regular file: not read") from None
        raise InputError(f"{path}: cannot read: {_reason(exc.error)}") from None


def load_tree(text: str) -> list[Operation]:
    """Operations of a saved shape tree, checked against docs/shape-tree.md first
    (treecheck): whatever the reader or the comparison would trip on is a ValueError."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise treecheck.NotATree("JSON nested too deep") from None
    treecheck.check_document(data)
    return [tree.operation_from_json(op) for op in data["operations"]]


@dataclass(frozen=True, slots=True)
class PageFailure:
    source: str  # the page, relative to the directory given
    message: str  # "source:line: message"


def without_pages(ops: Iterable[Operation], failures: Iterable[PageFailure]) -> list[Operation]:
    """`ops` but those read from a page that failed on either side: a page broken in one
    release would otherwise show as its operation removed or added."""
    bad = {f.source for f in failures}
    return [op for op in ops if op.source not in bad]


def _parse(
    path: Path, parse_pages: PageParser, single: bool, bad_pages: list[PageFailure] | None = None
) -> list[Operation]:
    try:
        result = parse_pages([path])
    except Exception as exc:  # the parser's own failures are unreadable input here
        raise InputError(f"{path}: cannot parse: {type(exc).__name__}: {_reason(exc)}") from None
    if result.errors and bad_pages is not None:
        for error in result.errors:
            source = str(getattr(error, "source", ""))
            bad_pages.append(PageFailure(source, f"{path}: " + " ".join(str(error).split())))
    elif result.errors:
        more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        first = " ".join(str(result.errors[0]).split())
        raise InputError(f"{path}: {first}{more}")
    if not result.operations and not (bad_pages and result.errors):
        what = (
            "not a client, paginator or waiter method page" if single else "no method pages found"
        )
        raise InputError(f"{path}: {what}")
    return list(result.operations)


# --- renderers ----------------------------------------------------------------------


class Renderer(Protocol):
    def render(self, result: DiffResult) -> str: ...


def _summary(result: DiffResult) -> str:
    counts = result.counts()
    total = len(result.changes)
    parts = ", ".join(f"{counts[level]} {level}" for level in LEVELS)
    text = f"{total} change{'s' if total != 1 else ''} ({parts})"
    if result.ignored:
        text += f", {result.ignored} location{'s' if result.ignored != 1 else ''} ignored"
    return text


def _by_operation(result: DiffResult) -> tuple[dict[str, list[Change]], list[Change]]:
    """Changes of a single operation under it; changes seen in several operations apart."""
    per_op: dict[str, list[Change]] = {}
    shared: list[Change] = []
    for change in result.changes:
        if change.shared:
            shared.append(change)
        else:
            per_op.setdefault(change.locations[0].operation, []).append(change)
    return per_op, shared


def _level_order(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (-_RANK[c.level], c.locations[0], c.rule))


class TextRenderer:
    """Grouped by operation; changes seen in several operations are listed once, as
    shared changes `[S1]`, ... with all their paths, and referenced from each operation."""

    _COLORS: dict[str, dict[str, Any]] = {
        "ERR": {"fg": "red", "bold": True},
        "WARN": {"fg": "yellow", "bold": True},
        "INFO": {"fg": "cyan"},
    }

    def __init__(self, color: bool = False) -> None:
        self.color = color

    def _level(self, level: str) -> str:
        text = level.ljust(4)
        return click.style(text, **self._COLORS[level]) if self.color else text

    def render(self, result: DiffResult) -> str:
        lines: list[str] = []
        if result.old_label or result.new_label:
            lines.append(
                f"old: {result.old_label} ({result.old_operations} operations)\n"
                f"new: {result.new_label} ({result.new_operations} operations)\n"
            )
        per_op, shared = _by_operation(result)
        shared = _level_order(shared)
        shared_ids = {id(c): f"S{i}" for i, c in enumerate(shared, 1)}
        refs: dict[str, list[Change]] = {}
        for change in shared:
            for op in change.operations:
                refs.setdefault(op, []).append(change)
        for op in sorted(per_op.keys() | refs.keys()):
            lines.append(op)
            for change in _level_order(per_op.get(op, [])):
                paths = [loc.path for loc in change.locations if loc.path]
                head = f"  {self._level(change.level)}  {change.rule}"
                lines.append(f"{head}  {paths[0]}" if paths else head)
                lines.append(f"        {change.message}")
                lines.extend(f"        also at {p}" for p in paths[1:])
            for change in _level_order(refs.get(op, [])):
                n = sum(1 for loc in change.locations if loc.operation == op)
                lines.append(
                    f"  {self._level(change.level)}  {change.rule}  [{shared_ids[id(change)]}]"
                    f" {n} path{'s' if n != 1 else ''}, see shared changes"
                )
            lines.append("")
        if shared:
            lines.append("Shared changes (the same sub-tree reached from several operations)")
            for change in shared:
                ops = change.operations
                lines.append(
                    f"  [{shared_ids[id(change)]}] {self._level(change.level)}  {change.rule}"
                    f"  ({len(change.locations)} paths in {len(ops)} operations)"
                )
                lines.append(f"        {change.message}")
                for loc in change.locations:
                    lines.append(f"        {loc.address}")
            lines.append("")
        lines.append(_summary(result) if result.changes or result.ignored else "No changes.")
        return "\n".join(lines) + "\n"


class MarkdownRenderer:
    """Sections per level (breaking first), one bullet per change with its locations."""

    _TITLES = {
        "ERR": "Breaking changes (ERR)",
        "WARN": "Possibly breaking changes (WARN)",
        "INFO": "Other changes (INFO)",
    }

    def __init__(self, title: str | None = None, heading: int = 2) -> None:
        self.title = title
        self.heading = heading

    def render(self, result: DiffResult) -> str:
        h = "#" * self.heading
        out: list[str] = []
        if self.title:
            out += [f"{h} {self.title}", ""]
        if not result.changes:
            out += ["No API changes." if not result.ignored else _summary(result) + ".", ""]
            return "\n".join(out)
        out += [_summary(result) + ".", ""]
        for level in LEVELS:
            changes = [c for c in result.changes if c.level == level]
            if not changes:
                continue
            out += [f"{h}# {self._TITLES[level]}", ""]
            for change in _level_order(changes):
                out.extend(self._bullet(change))
            out.append("")
        return "\n".join(out)

    @staticmethod
    def _bullet(change: Change) -> list[str]:
        message = _md_escape(change.message)
        by_op: dict[str, list[str]] = {}
        for loc in change.locations:
            by_op.setdefault(loc.operation, []).append(loc.path)
        if len(change.locations) == 1:
            loc = change.locations[0]
            where = md_code(loc.operation) + (f" {md_code(loc.path)}" if loc.path else "")
            return [f"- {where}: {message} (`{change.rule}`)"]
        lines = [
            f"- {message} (`{change.rule}`), {len(change.locations)} paths"
            f" in {len(by_op)} operation{'s' if len(by_op) != 1 else ''}:"
        ]
        for op, paths in by_op.items():
            listed = ", ".join(md_code(p) for p in paths if p)
            lines.append(f"  - {md_code(op)}" + (f": {listed}" if listed else ""))
        return lines


def _md_escape(text: str) -> str:
    """Escape markdown outside the message's `code spans` (names and values). Names
    and values come from pages and may hold backticks themselves, so that Markdown may
    pair them otherwise: what stands between them has no raw `<`, `&` or link either."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([\\*_<>|\[\]])", r"\\\1", parts[i])
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].translate(_CODE_ENTITIES).replace("](", "\\](")
    return "`".join(parts)


_CODE_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class JsonRenderer:
    """The schema of docs/diff-json.md."""

    def render(self, result: DiffResult) -> str:
        return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"


def to_json(result: DiffResult) -> dict[str, Any]:
    counts = result.counts()
    return {
        "diff_version": DIFF_JSON_VERSION,
        "old": {"source": result.old_label, "operations": result.old_operations},
        "new": {"source": result.new_label, "operations": result.new_operations},
        "summary": {
            "changes": len(result.changes),
            "locations": sum(len(c.locations) for c in result.changes),
            "ignored": result.ignored,
            **{level: counts[level] for level in LEVELS},
        },
        "changes": [
            {
                "rule": c.rule,
                "level": c.level,
                "message": c.message,
                "detail": c.detail_dict(),
                "operations": c.operations,
                "locations": [
                    {
                        "service": loc.service,
                        "kind": loc.kind,
                        "name": loc.name,
                        "operation": loc.operation,
                        "path": loc.path or None,
                    }
                    for loc in c.locations
                ],
            }
            for c in result.changes
        ],
    }


FORMATS = ("text", "markdown", "json")


def renderer(fmt: str, color: bool = False) -> Renderer:
    if fmt == "text":
        return TextRenderer(color=color)
    if fmt == "markdown":
        return MarkdownRenderer()
    if fmt == "json":
        return JsonRenderer()
    raise ValueError(f"unknown format {fmt!r}")


# --- changelog of a generated package -----------------------------------------------

CHANGELOG_HEADING = "# Changes"


def changelog_markdown(
    old_ops: Iterable[Operation],
    new_ops: Iterable[Operation],
    title: str,
    extra: Sequence[Change] = (),
) -> str:
    """One CHANGES.md section: `## title` and the markdown diff from old to new, with
    `extra` changes (the renames of the names registry) among them.

    Put it above the earlier sections (newest first), e.g. with `prepend_changelog`.
    """
    result = compare(old_ops, new_ops)
    if extra:
        result.changes = sorted([*result.changes, *extra], key=lambda c: (c.locations[0], c.rule, c.detail))
    return MarkdownRenderer(title=title, heading=2).render(result)


def prepend_changelog(existing: str | None, section: str) -> str:
    """CHANGES.md text with `section` as its newest entry, under one `# Changes` heading."""
    body = (existing or "").strip("\n")
    if body.startswith(CHANGELOG_HEADING + "\n") or body == CHANGELOG_HEADING:
        body = body[len(CHANGELOG_HEADING) :].strip("\n")
    parts = [CHANGELOG_HEADING, section.strip("\n")] + ([body] if body else [])
    return "\n\n".join(parts) + "\n"


__all__ = [
    "Change",
    "DiffResult",
    "IgnoreRule",
    "InputError",
    "JsonRenderer",
    "LEVELS",
    "Location",
    "MarkdownRenderer",
    "RULES",
    "TextRenderer",
    "changelog_markdown",
    "compare",
    "load_operations",
    "parse_ignore",
    "prepend_changelog",
    "read_ignore_file",
    "renderer",
]
