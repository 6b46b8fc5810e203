"""The Request Syntax / Response Syntax blocks: enum values, recursion and value kinds.

botocore writes these blocks as Python expressions (`Name='A'|'B'`, `{'... recursive ...'}`,
`datetime(2015, 1, 1)`, `EventStream({...})`), so the standard library's `ast` reads
them; this module turns that AST into a small tree the reader walks beside the bullets.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

ScalarKind = Literal[
    "string", "integer", "float", "boolean", "timestamp", "blob", "document", "stream", "any"
]


@dataclass(frozen=True, slots=True)
class SyntaxScalar:
    kind: ScalarKind
    streaming: bool = False


@dataclass(frozen=True, slots=True)
class SyntaxEnum:
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SyntaxDict:
    """A `{...}` with literal keys: a structure's members, or a map's single key entry."""

    entries: tuple[tuple[str, SyntaxNode], ...]
    event_stream: bool = False
    line: int = field(default=0, compare=False)  # in the page (see parse_request's `offset`)

    def get(self, key: str) -> SyntaxNode | None:
        for name, node in self.entries:
            if name == key:
                return node
        return None


@dataclass(frozen=True, slots=True)
class SyntaxList:
    item: SyntaxNode | None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class SyntaxRecursive:
    pass


SyntaxNode = SyntaxScalar | SyntaxEnum | SyntaxDict | SyntaxList | SyntaxRecursive

RECURSIVE_MARKER = "... recursive ..."
# Dicts and lists nested in a block. The deepest block of the boto3 1.44.8 reference
# nests 23 (bedrock-agent-runtime's invoke_flow); beyond this the page is refused
# rather than walked (every level is a few Python frames here and in the reader).
MAX_DEPTH = 64
_PLACEHOLDER_STRING = "string"


class SyntaxBlockError(ValueError):
    """The block is not the Python-like expression botocore writes. `line` is 1-based in the block."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def parse_request(text: str, offset: int = 0) -> SyntaxDict:
    """`response = client.op(A=..., B=...)` (or `paginator.paginate(...)`, `waiter.wait(...)`).
    `offset`: added to the block's line numbers to give the `line` of its nodes."""
    tree = _parse(text)
    walk = _Walker(offset)
    call = tree.value if isinstance(tree, ast.Assign) else tree
    if isinstance(call, ast.Expr):
        call = call.value
    if not isinstance(call, ast.Call):
        raise SyntaxBlockError("request syntax is not a method call", _line(call))
    if call.args:
        raise SyntaxBlockError("request syntax has positional arguments", _line(call))
    entries = []
    for kw in call.keywords:
        if kw.arg is None:
            raise SyntaxBlockError("request syntax has **kwargs", _line(kw))
        entries.append((kw.arg, walk.node(kw.value, 1)))
    return SyntaxDict(tuple(entries), line=_line(call) + offset)


def parse_response(text: str, offset: int = 0) -> SyntaxNode:
    tree = _parse(text)
    if not isinstance(tree, ast.Expr):
        raise SyntaxBlockError("response syntax is not an expression", _line(tree))
    return _Walker(offset).node(tree.value, 1)


def _parse(text: str) -> ast.stmt:
    try:
        module = ast.parse(text.strip("\n"), mode="exec")
    except SyntaxError as exc:
        raise SyntaxBlockError(f"unreadable syntax block: {exc.msg}", exc.lineno or 1) from None
    if len(module.body) != 1:
        raise SyntaxBlockError("syntax block holds more than one statement")
    return module.body[0]


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 1)


def _alternatives(node: ast.expr) -> list[ast.expr]:
    # `'a'|'b'|'c'` nests to the left; EC2's instance types make it over 1,000 deep,
    # so walk the left spine in a loop rather than recursing.
    right: list[ast.expr] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        right.append(node.right)
        node = node.left
    return [node, *reversed(right)]


class _Walker:
    """The AST of a block → its SyntaxNode tree, with page lines and a depth limit."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def node(self, node: ast.expr, depth: int) -> SyntaxNode:
        if depth > MAX_DEPTH:
            raise SyntaxBlockError(f"nested deeper than {MAX_DEPTH} levels", _line(node))
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # `'string' or {'Bucket': ...}`: boto3 also accepts a dict for S3's CopySource;
            # the first form is the model's.
            return self.node(node.values[0], depth)
        options = _alternatives(node)
        if len(options) > 1:
            return self._union(options, node)
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Set):
            return self._set(node)
        if isinstance(node, ast.Dict):
            return self._dict(node, depth)
        if isinstance(node, ast.List):
            if len(node.elts) > 1:
                raise SyntaxBlockError("list syntax with more than one item", _line(node))
            line = _line(node) + self.offset
            if node.elts and isinstance(node.elts[0], ast.Constant) and node.elts[0].value is ...:
                return SyntaxList(None, line=line)
            return SyntaxList(self.node(node.elts[0], depth + 1) if node.elts else None, line=line)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node.func.id, node, depth)
        raise SyntaxBlockError(f"unexpected syntax {ast.unparse(node)[:40]!r}", _line(node))

    @staticmethod
    def _constant(node: ast.Constant) -> SyntaxNode:
        value = node.value
        if isinstance(value, bool):
            return SyntaxScalar("boolean")
        if isinstance(value, int):
            return SyntaxScalar("integer")
        if isinstance(value, float):
            return SyntaxScalar("float")
        if isinstance(value, bytes):
            return SyntaxScalar("blob")
        if isinstance(value, str):
            # botocore writes a non-enum string as 'string' and an enum as its values,
            # so any other literal is a one-value enum.
            return SyntaxScalar("string") if value == _PLACEHOLDER_STRING else SyntaxEnum((value,))
        if value is ...:
            return SyntaxScalar("any")
        raise SyntaxBlockError(f"unexpected constant {value!r}", _line(node))

    @staticmethod
    def _union(options: list[ast.expr], node: ast.expr) -> SyntaxNode:
        if all(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in options):
            # (the first of repeated values, in order; EC2 has enums of over 1,000 values)
            values = dict.fromkeys(str(o.value) for o in options if isinstance(o, ast.Constant))
            return SyntaxEnum(tuple(values))
        if all(isinstance(o, ast.Constant) and isinstance(o.value, bool) for o in options):
            return SyntaxScalar("boolean")
        first = options[0]
        if (
            len(options) == 2
            and isinstance(first, ast.Constant)
            and isinstance(first.value, bytes)
            and isinstance(options[1], ast.Name)
        ):
            return SyntaxScalar("blob", streaming=True)  # b'bytes'|file
        if len(options) > 2:
            return SyntaxScalar("document")  # {...}|[...]|123|123.4|'string'|True|None
        raise SyntaxBlockError(f"unexpected alternatives {ast.unparse(node)[:40]!r}", _line(node))

    @staticmethod
    def _set(node: ast.Set) -> SyntaxNode:
        if len(node.elts) == 1 and isinstance(node.elts[0], ast.Constant):
            value = node.elts[0].value
            if value == RECURSIVE_MARKER:
                return SyntaxRecursive()
            if value is ...:
                return SyntaxScalar("any")  # `{...}`: a structure botocore did not expand
        raise SyntaxBlockError(f"unexpected set syntax {ast.unparse(node)[:40]!r}", _line(node))

    def _dict(self, node: ast.Dict, depth: int) -> SyntaxDict:
        entries: list[tuple[str, SyntaxNode]] = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                raise SyntaxBlockError("dict syntax with ** expansion", _line(node))
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                name = key.value
            else:
                # A map whose key shape is an enum is written with its values as the key.
                alts = _alternatives(key)
                if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in alts):
                    raise SyntaxBlockError(f"unexpected dict key {ast.unparse(key)!r}", _line(key))
                name = _PLACEHOLDER_STRING
            entries.append((name, self.node(value, depth + 1)))
        return SyntaxDict(tuple(entries), line=_line(node) + self.offset)

    def _call(self, name: str, node: ast.Call, depth: int) -> SyntaxNode:
        if name == "datetime":
            return SyntaxScalar("timestamp")
        if name == "StreamingBody":
            return SyntaxScalar("stream", streaming=True)
        if name == "EventStream":
            if not node.args:
                return SyntaxDict((), event_stream=True)
            inner = self.node(node.args[0], depth)
            if not isinstance(inner, SyntaxDict):
                raise SyntaxBlockError("EventStream(...) without a dict", _line(node))
            return SyntaxDict(inner.entries, event_stream=True, line=inner.line)
        raise SyntaxBlockError(f"unexpected call {name}(...)", _line(node))
