"""Is a JSON value a shape tree? The checks of docs/shape-tree.md, in one function.

`check_document(data)` returns None for a document that `tree.loads` can read and
`codegen diff` can compare, and raises NotATree (one line: what is wrong, and where)
for anything else. The walk is iterative and stops at MAX_DEPTH nested shapes, so a
hostile file (5,000 levels of nesting) is an error, not a RecursionError in the reader
or in the comparison after it.

It imports nothing of codegen but tree.py, whose names it checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from codegen.escape import printable, shown
from codegen.tree import IR_VERSION, OperationKind, ShapeType, api_url_ok

# Shapes nested in one another, counted from an operation's input/output. The deepest
# operation of the whole boto3 1.44.8 reference is far below (recursion is cut by
# `recursive` markers); the comparison of `codegen diff` recurses per level.
MAX_DEPTH = 100

SHAPE_TYPES = frozenset(get_args(ShapeType))
KINDS: tuple[str, ...] = get_args(OperationKind)

# Optional keys of a shape: texts and flags (a flag is a JSON boolean: 1 is not one).
_SHAPE_FLAGS: dict[str, type] = {
    "documentation": str,
    "streaming": bool,
    "json_value": bool,
    "python_type": str,
    "truncated": bool,
    "union": bool,
    "event_stream": bool,
}


class NotATree(ValueError):
    """The JSON is not a shape tree; the message is one line (names from the file are
    shown with their control characters escaped)."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _expect(value: Any, wanted: type | tuple[type, ...], what: str, where: str) -> None:
    ok = isinstance(value, wanted) and not (wanted is not bool and isinstance(value, bool))
    if not ok:
        raise NotATree(f"{where}: {what}, got {_kind(value)}")


def _text(value: Any, where: str, empty: bool = True) -> None:
    _expect(value, str, "expected a string", where)
    if not empty and not value:
        raise NotATree(f"{where}: expected a non-empty string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (`"\\ud800"`) could not be printed
        raise NotATree(f"{where}: not valid Unicode text") from None


def check_document(data: Any) -> None:
    """Raise NotATree unless `data` (parsed JSON) is a shape tree of docs/shape-tree.md."""
    _expect(data, Mapping, "expected an object", "document")
    version = data.get("ir_version")
    if isinstance(version, bool) or version != IR_VERSION:
        raise NotATree(f"ir_version {IR_VERSION} expected, got {_short(version)}")
    operations = data.get("operations")
    _expect(operations, list, "expected a list", "operations")
    seen: dict[tuple[str, str, str], int] = {}
    for index, op in enumerate(operations):
        where = f"operations[{index}]"
        _check_operation(op, where)
        key = (op["service"], op["kind"], op["name"])
        if key in seen:
            raise NotATree(
                f"{where}: duplicate operation {'.'.join(key)} (also operations[{seen[key]}])"
            )
        seen[key] = index


def _short(value: Any) -> str:
    return shown(value, width=40)  # (a message names a path too: shorter than a name's 80)


def _check_operation(op: Any, where: str) -> None:
    _expect(op, Mapping, "expected an object", where)
    for key in ("service", "kind", "name", "input"):
        if key not in op:
            raise NotATree(f"{where}: no {key!r}")
    _text(op["service"], f"{where}.service", empty=False)
    _text(op["name"], f"{where}.name", empty=False)
    if op["kind"] not in KINDS or not isinstance(op["kind"], str):
        raise NotATree(f"{where}.kind: expected one of {', '.join(KINDS)}, got {_short(op['kind'])}")
    for key in ("service_id", "documentation", "source"):
        if key in op:
            _text(op[key], f"{where}.{key}")
    if op.get("api_name") is not None:
        _text(op["api_name"], f"{where}.api_name")
    if "api_url" in op:
        _text(op["api_url"], f"{where}.api_url")
        if op["api_url"] and not api_url_ok(op["api_url"]):
            # (the reader keeps no other: a saved tree is not to smuggle one into docstrings)
            raise NotATree(f"{where}.api_url: not an https link to AWS documentation, got {_short(op['api_url'])}")
    if "deprecated" in op:
        _expect(op["deprecated"], bool, "expected true or false", f"{where}.deprecated")
    exceptions = op.get("exceptions", [])
    _expect(exceptions, list, "expected a list", f"{where}.exceptions")
    for i, name in enumerate(exceptions):
        _text(name, f"{where}.exceptions[{i}]", empty=False)
    _expect(op["input"], Mapping, "expected an object", f"{where}.input")
    if op["input"].get("type") != "structure":
        raise NotATree(f"{where}.input: expected a structure, got {_short(op['input'].get('type'))}")
    _check_shape(op["input"], "input", where)
    if op.get("output") is not None:
        _check_shape(op["output"], "output", where)


def _check_shape(root: Any, root_path: str, where: str) -> None:
    """The shape at `root` and everything below it, walked with a stack (no recursion).

    Paths are the contract's (`input.A.B[]{}`): a `recursive` node's target must be the
    path of one of its ancestors.
    """
    # A cached service is tens of thousands of shapes: the common case (a dict, ASCII
    # text, a real bool) is tested inline, and the message with its path is only built,
    # by the general checks, for a value that fails it.
    stack: list[tuple[Any, str, tuple[str, ...]]] = [(root, root_path, ())]
    while stack:
        shape, path, ancestors = stack.pop()
        if len(ancestors) >= MAX_DEPTH:
            raise NotATree(f"{where} {path}: shapes nested more than {MAX_DEPTH} deep")
        if type(shape) is not dict:
            _expect(shape, Mapping, "expected a shape object", f"{where} {path}")
        kind = shape.get("type")
        if not isinstance(kind, str) or kind not in SHAPE_TYPES:
            raise NotATree(f"{where} {path}: unknown shape type {_short(kind)}")
        for key, wanted in _SHAPE_FLAGS.items():
            if key in shape:
                value = shape[key]
                if type(value) is not wanted or (isinstance(value, str) and not value.isascii()):
                    at = f"{where} {path}"
                    if wanted is str:
                        _text(value, f"{at}: {key}")
                    else:
                        _expect(value, bool, f"{key}: expected true or false", at)
        if "enum" in shape:
            _check_enum(shape["enum"], kind, where, path)
        inner = (*ancestors, path)
        if kind == "structure":
            if "members" not in shape:
                raise NotATree(f"{where} {path}: a structure needs 'members'")
            members = shape["members"]
            if type(members) is not dict:
                _expect(members, Mapping, "members: expected an object", f"{where} {path}")
            for name, member in reversed(list(members.items())):
                if type(name) is not str or not name or not name.isascii():
                    _text(name, f"{where} {path}: member name", empty=False)
                if (
                    type(member) is not dict
                    or "shape" not in member
                    or type(member.get("required")) is not bool
                    or not _plain_flags(member)
                ):
                    _check_member(member, f"{where} {path}.{name}")
                stack.append((member["shape"], f"{path}.{name}", inner))
        elif kind == "list":
            if "member" not in shape:
                raise NotATree(f"{where} {path}: a list needs 'member'")
            stack.append((shape["member"], path + "[]", inner))
        elif kind == "map":
            if "key" not in shape or "value" not in shape:
                raise NotATree(f"{where} {path}: a map needs 'key' and 'value'")
            stack.append((shape["value"], path + "{}", inner))
            stack.append((shape["key"], path + "{key}", inner))
        elif kind == "recursive":
            target = shape.get("target")
            _text(target, f"{where} {path}: target")
            if target and target not in ancestors:
                raise NotATree(f"{where} {path}: recursive target {_short(target)} is not an enclosing shape")


def _plain_flags(member: dict[str, Any]) -> bool:
    """A member's optional keys in their common form (ASCII text, real booleans)."""
    doc = member.get("documentation", "")
    return (type(doc) is str and doc.isascii()) and type(member.get("autopopulated", False)) is bool


def _check_member(member: Any, member_at: str) -> None:
    """A member object other than a shape; raises NotATree with its path."""
    _expect(member, Mapping, "expected a member object", member_at)
    if "shape" not in member or "required" not in member:
        raise NotATree(f"{member_at}: a member needs 'shape' and 'required'")
    _expect(member["required"], bool, "required: expected true or false", member_at)
    if "documentation" in member:
        _text(member["documentation"], f"{member_at}: documentation")
    if "autopopulated" in member:
        _expect(member["autopopulated"], bool, "autopopulated: expected true or false", member_at)


def _check_enum(values: Any, kind: str, where: str, path: str) -> None:
    if kind != "string":
        raise NotATree(f"{where} {path}: enum on a shape of type {kind}")
    if not (type(values) is list and all(type(value) is str and value.isascii() for value in values)):
        _expect(values, list, "enum: expected a list", f"{where} {path}")
        for value in values:
            _text(value, f"{where} {path}: enum value")
    if len(set(values)) != len(values):
        raise NotATree(f"{where} {path}: duplicate enum values")
