"""Carry hand-written code from the file on disk into newly generated text (libcst).

A three-way merge: `base` is what the generator wrote last time (the pristine copy),
`ours` is the file on disk (the user's), `theirs` is what the generator writes now.

Python modules are compared statement by statement, recursing into classes. Each
top-level statement and each statement of a class body gets a key (`def to_dict`,
`field model_card`, `class Container`, `from typing`, the docstring, ...); per key:

* unchanged by the user (ours == base): the generator's version (or its removal);
* unchanged by the generator (theirs == base): the user's version (additions, edits,
  removals);
* changed by both the same way: that version;
* changed by both differently: a class is merged member by member, a `from X import`
  and `__all__` by their names; anything else is a Conflict (both versions reported).

User additions are placed after the statement that precedes them in the user's file.
The result is formatted with black. Other files (Markdown, TOML) merge as a whole:
a file both sides changed differently is one conflict.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from codegen import fmt

Key = tuple[str, ...]


DIFF_CONTEXT = 2  # lines of context around each change in a conflict report
DIFF_LINES = 20  # lines of a conflict report's diff shown; the rest is counted


@dataclass(frozen=True, slots=True)
class Conflict:
    """A member both the user and the generator changed, differently."""

    file: str
    cls: str  # dotted class path, "" at module level
    member: str  # e.g. "def to_dict", "field model_card", "docstring", "<file>"
    ours: str | None  # the user's version (None: the user removed it)
    theirs: str | None  # the generator's new version (None: the generator removes it)
    base: str | None = None  # what the generator wrote last time, when known

    def describe(self) -> str:
        where = f"{self.file}: " + (f"class {self.cls}: " if self.cls else "")
        return f"{where}{self.member}: changed by hand and by the generator"

    def details(self) -> str:
        """Short unified diffs: the user's hunk (from what the generator wrote last time,
        or, when that is unknown, from what it writes now), then, for a member, the
        generator's."""
        if self.ours is None and self.member.startswith("<file: yours "):
            return "(yours is left as it is; it cannot be shown as text)"
        if self.base is not None:
            parts = [_short_diff(self.base, self.ours, "generated last time", "yours")]
            if not self.member.startswith("<file"):  # (of a whole file: the new page's changes)
                parts.append(_short_diff(self.base, self.theirs, "generated last time", "generator now"))
        else:
            parts = [_short_diff(self.theirs, self.ours, "generator now", "yours")]
        return "\n".join(parts)


def _short_diff(old: str | None, new: str | None, old_label: str, new_label: str) -> str:
    """`difflib.unified_diff` of two versions of a member, capped at DIFF_LINES lines."""
    if new is None:
        return f"--- {old_label}\n+++ {new_label}\n(removed)"
    lines = list(
        difflib.unified_diff(
            (old or "").splitlines(), new.splitlines(), old_label, new_label, n=DIFF_CONTEXT, lineterm=""
        )
    )
    if not lines:
        return f"--- {old_label}\n+++ {new_label}\n(same)"
    if len(lines) > DIFF_LINES:
        lines[DIFF_LINES:] = [f"... {len(lines) - DIFF_LINES} more lines"]
    return "\n".join(lines)


@dataclass(slots=True)
class MergeResult:
    text: str | None  # merged text; None when there are conflicts (and not forced)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.text is not None


class _Unparsable(Exception):
    pass




def merge(base: str | None, ours: str, theirs: str, path: str = "", force: bool = False) -> MergeResult:
    """Merge the user's `ours` with the generator's move from `base` to `theirs`.

    `base` None means the generator never wrote this file before (an unknown file is
    in the way): any difference from `theirs` is a whole-file conflict. With `force`,
    conflicts are resolved to the generator's version (and still listed).
    """
    if ours == theirs or ours == base:
        return MergeResult(theirs)
    if theirs == base:
        return MergeResult(ours)
    if base is None or not path.endswith((".py", ".pyi")):  # (others merge as a whole)
        conflict = Conflict(path, "", "<file>", ours, theirs, base)
        return MergeResult(theirs if force else None, [conflict])
    try:
        merger = _Merger(path, base, ours, theirs, force)
    except _Unparsable as exc:
        conflict = Conflict(path, "", f"<file: {exc}>", ours, theirs, base)
        return MergeResult(theirs if force else None, [conflict])
    module = merger.run()
    if merger.conflicts and not force:
        return MergeResult(None, merger.conflicts)
    text = module.code
    try:
        text = fmt.format_changed(text, theirs, pyi=path.endswith(".pyi"))
    except Exception as exc:  # the user's code black cannot format (should not happen: it parsed)
        conflict = Conflict(path, "", f"<file: black: {exc}>", ours, theirs, base)
        return MergeResult(theirs if force else None, [*merger.conflicts, conflict])
    return MergeResult(text, merger.conflicts)


# --- Python -------------------------------------------------------------------------------


def _parse(text: str, label: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise _Unparsable(f"{label} does not parse: line {exc.raw_line}: {exc.message}") from None


_EMPTY_MODULE = cst.Module(body=[])


def _code(node: cst.CSTNode) -> str:
    return _EMPTY_MODULE.code_for_node(node)


def _norm(code: str | None) -> str | None:
    """Code without blank lines or trailing spaces: formatting that black restores anyway."""
    if code is None:
        return None
    return "\n".join(line.rstrip() for line in code.splitlines() if line.strip())


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _dotted(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return _code(node)


def _base_key(stmt: cst.CSTNode, first: bool) -> Key:
    if first and _is_docstring(stmt):
        return ("docstring",)
    if isinstance(stmt, cst.ClassDef):
        return ("class", stmt.name.value)
    if isinstance(stmt, cst.FunctionDef):
        return ("def", stmt.name.value)
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            module = "." * len(small.relative) + _dotted(small.module)
            return ("from", module)
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return ("field", small.target.value)
        if isinstance(small, cst.Assign) and all(isinstance(t.target, cst.Name) for t in small.targets):
            return ("field", ",".join(t.target.value for t in small.targets if isinstance(t.target, cst.Name)))
    return ("stmt", _norm(_code(_strip_leading(stmt))) or "")


def _strip_leading(stmt: cst.CSTNode) -> cst.CSTNode:
    if isinstance(stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        return stmt.with_changes(leading_lines=[])
    return stmt


def _keyed(body: Sequence[cst.CSTNode]) -> dict[Key, cst.CSTNode]:
    out: dict[Key, cst.CSTNode] = {}
    seen: dict[Key, int] = {}
    for index, stmt in enumerate(body):
        key = _base_key(stmt, index == 0)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out[key + ((str(n),) if n else ())] = stmt
    return out


def _describe(key: Key) -> str:
    kind = key[0]
    if kind == "docstring":
        return "docstring"
    if kind == "stmt":
        first = key[1].splitlines()[0] if key[1] else ""
        return f"statement {first[:60]}"
    if kind == "from":
        return f"import from {key[1]}"
    return " ".join(key[:2])


def _names(stmt: cst.CSTNode | None, key: Key) -> list[str] | None:
    """The names of a `from X import ...` or of an `__all__ = [...]` list; None if neither."""
    if stmt is None:
        return []
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if key[0] == "from" and isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        return [_code(a.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip() for a in small.names]
    if key[:2] == ("field", "__all__") and isinstance(small, cst.Assign):
        value = small.value
        if isinstance(value, (cst.List, cst.Tuple)):
            items = []
            for element in value.elements:
                if not isinstance(element.value, cst.SimpleString):
                    return None
                items.append(element.value.value)
            return items
    return None


def _merge_names(b: list[str], o: list[str], t: list[str]) -> list[str]:
    removed_by_user = set(b) - set(o)
    added_by_user = [n for n in o if n not in b and n not in t]
    return [n for n in t if n not in removed_by_user] + added_by_user


def _names_statement(key: Key, names: list[str]) -> cst.CSTNode | None:
    if not names:
        return None
    if key[0] == "from":
        return cst.parse_statement(f"from {key[1]} import {', '.join(names)}\n")
    return cst.parse_statement(f"__all__ = [{', '.join(names)}]\n")


class _Merger:
    def __init__(self, path: str, base: str, ours: str, theirs: str, force: bool) -> None:
        self.path = path
        self.force = force
        self.conflicts: list[Conflict] = []
        self.base = _parse(base, "the previously generated file")
        self.ours = _parse(ours, "your file")
        self.theirs = _parse(theirs, "the generated file")

    def run(self) -> cst.Module:
        body = self.merge_body(self.base.body, self.ours.body, self.theirs.body, "")
        header = self.ours.header if _norm(_lines(self.ours.header)) != _norm(_lines(self.base.header)) else self.theirs.header
        footer = self.ours.footer if _norm(_lines(self.ours.footer)) != _norm(_lines(self.base.footer)) else self.theirs.footer
        return self.theirs.with_changes(body=body, header=header, footer=footer)

    def conflict(
        self, cls: str, key: Key, b: cst.CSTNode | None, o: cst.CSTNode | None, t: cst.CSTNode | None
    ) -> cst.CSTNode | None:
        self.conflicts.append(
            Conflict(
                self.path, cls, _describe(key), *(None if n is None else _code(n) for n in (o, t, b))
            )
        )
        return t if self.force else o

    def merge_body(
        self, base: Sequence[cst.CSTNode], ours: Sequence[cst.CSTNode], theirs: Sequence[cst.CSTNode], cls: str
    ) -> list[cst.CSTNode]:
        b, o, t = _keyed(base), _keyed(ours), _keyed(theirs)
        resolved: dict[Key, cst.CSTNode | None] = {}
        for key in {**t, **o, **b}:
            resolved[key] = self.merge_item(key, b.get(key), o.get(key), t.get(key), cls)
        # The generator's order, then the user's own statements after their predecessor.
        # Statements after the user's last generated one stay at the end.
        order = [k for k in t if resolved[k] is not None]
        placed = set(order)
        tail = len(o)
        for index, key in enumerate(o):
            if key in placed:
                tail = len(o) if index + 1 == len(o) else index + 1
        cursor = 1 if order and order[0] == ("docstring",) else 0
        for index, key in enumerate(o):
            if key in placed:
                cursor = order.index(key) + 1
            elif resolved[key] is not None:
                if index >= tail:
                    cursor = len(order)
                order.insert(cursor, key)
                placed.add(key)
                cursor += 1
        out = []
        for key in order:
            node = resolved[key]
            if node is not None:
                out.append(node)
        return out

    def merge_item(
        self, key: Key, b: cst.CSTNode | None, o: cst.CSTNode | None, t: cst.CSTNode | None, cls: str
    ) -> cst.CSTNode | None:
        cb, co, ct = (_norm(None if n is None else _code(_strip_leading(n))) for n in (b, o, t))
        if co == cb:
            return t
        if ct == cb or co == ct:
            return o
        # Both changed, differently.
        if key[0] == "class" and isinstance(o, cst.ClassDef) and isinstance(t, cst.ClassDef):
            return self.merge_class(key, b if isinstance(b, cst.ClassDef) else None, o, t, cls)
        if key[0] in ("from", "field"):
            names = [_names(n, key) for n in (b, o, t)]
            nb, no, nt = names
            if nb is not None and no is not None and nt is not None:
                return _names_statement(key, _merge_names(nb, no, nt))
        return self.conflict(cls, key, b, o, t)

    def merge_class(
        self, key: Key, b: cst.ClassDef | None, o: cst.ClassDef, t: cst.ClassDef, cls: str
    ) -> cst.CSTNode | None:
        path = f"{cls}.{o.name.value}" if cls else o.name.value
        hb, ho, ht = (None if n is None else _norm(_header(n)) for n in (b, o, t))
        if ho == hb or ho == ht:
            head = t
        elif ht == hb:
            head = o
        else:
            header_b = None if b is None else _header(b)
            self.conflicts.append(Conflict(self.path, path, "class header", _header(o), _header(t), header_b))
            head = t if self.force else o
        body = self.merge_body(_body(b) if b is not None else [], _body(o), _body(t), path)
        if not body:
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return head.with_changes(body=cst.IndentedBlock(body=body))  # type: ignore[arg-type]


def _lines(lines: Sequence[cst.EmptyLine]) -> str:
    return "\n".join(_code(line) for line in lines)


def _body(node: cst.ClassDef) -> Sequence[cst.CSTNode]:
    if isinstance(node.body, cst.IndentedBlock):
        return node.body.body
    return node.body.body


def _header(node: cst.ClassDef) -> str:
    stub = node.with_changes(body=cst.SimpleStatementSuite(body=[cst.Expr(cst.Ellipsis())]), leading_lines=[])
    return _code(stub)


def parses(text: str) -> bool:
    """True when `text` is valid Python (for callers that want to check merged output)."""
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True
