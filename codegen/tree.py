"""The shape tree: what a reference page says about one operation.

Frozen dataclasses, and their JSON form as fixed by docs/shape-tree.md. Every
output of codegen (models, validators, stubs, docs, diffs) reads this tree; nothing
changes it after parsing. This module imports nothing else of codegen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

IR_VERSION = 1

ShapeType = Literal[
    "string",
    "integer",
    "float",
    "boolean",
    "timestamp",
    "blob",
    "document",
    "structure",
    "list",
    "map",
    "recursive",
]
OperationKind = Literal["client", "paginator", "waiter"]

# What `api_url` may hold (docs/shape-tree.md): an https link to AWS's documentation
# hosts, of URL characters that need no escaping in a docstring or a Markdown link (no
# quotes, brackets, parentheses, backslashes, spaces, `%`, query or fragment). Every
# link of the boto3 1.44.8 reference is `https://docs.aws.amazon.com/goto/WebAPI/<uid>/<Op>`.
API_URL = re.compile(r"https://(?:docs\.aws\.amazon\.com|docs\.amazonaws\.cn)/[A-Za-z0-9._~/-]{1,200}")


def api_url_ok(url: str) -> bool:
    """Whether `url` may be an operation's `api_url` (the page's link is kept only then)."""
    return bool(API_URL.fullmatch(url))
SCALAR_TYPES: frozenset[str] = frozenset(
    {"string", "integer", "float", "boolean", "timestamp", "blob", "document"}
)


@dataclass(frozen=True, slots=True)
class Member:
    """A named member of a structure: its shape plus the page's `[REQUIRED]` flag."""

    shape: Shape
    required: bool = False
    documentation: str = ""
    # The page says "This field is autopopulated if not provided." (idempotency tokens):
    # required on the wire, but boto3 fills it in.
    autopopulated: bool = False


@dataclass(frozen=True, slots=True)
class Shape:
    """One node of the tree. Only the fields that fit `type` are set."""

    type: ShapeType
    documentation: str = ""
    enum: tuple[str, ...] = ()
    members: tuple[tuple[str, Member], ...] = ()
    member: Shape | None = None
    key: Shape | None = None
    value: Shape | None = None
    union: bool = False
    event_stream: bool = False
    streaming: bool = False
    json_value: bool = False
    # For the Python objects of boto3's hand-written methods (`function`, `TransferConfig`).
    python_type: str = ""
    # boto3 left this section out ("This section is too large to render"): what is
    # known came from the other of bullets and syntax block, or nothing at all.
    truncated: bool = False
    target: str | None = None

    @property
    def member_map(self) -> dict[str, Member]:
        return dict(self.members)

    def children(self, path: str) -> Iterator[tuple[str, Shape]]:
        """The direct child shapes with their contract paths."""
        for name, member in self.members:
            yield f"{path}.{name}", member.shape
        if self.member is not None:
            yield f"{path}[]", self.member
        if self.value is not None:
            yield f"{path}{{}}", self.value

    def walk(self, path: str) -> Iterator[tuple[str, Shape]]:
        """Every node below and including this one, depth first in page order."""
        yield path, self
        for child_path, child in self.children(path):
            yield from child.walk(child_path)


EMPTY_STRUCTURE = Shape(type="structure")


@dataclass(frozen=True, slots=True)
class Operation:
    service: str
    kind: OperationKind
    name: str
    api_name: str | None
    documentation: str
    deprecated: bool
    input: Shape
    output: Shape | None
    exceptions: tuple[str, ...]
    source: str
    # The boto3 service name (`sagemaker`, `bedrock-runtime`), taken from the page's
    # breadcrumb link; the class prefix in `service` is not enough to build a client.
    service_id: str = ""
    # The page's "AWS API Documentation" link, when it passes `api_url_ok` ("" otherwise).
    api_url: str = ""

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.service, self.kind, self.name)

    def walk(self) -> Iterator[tuple[str, Shape]]:
        yield from self.input.walk("input")
        if self.output is not None:
            yield from self.output.walk("output")


@dataclass(frozen=True, slots=True)
class Document:
    operations: tuple[Operation, ...] = field(default_factory=tuple)


# --- JSON ---------------------------------------------------------------------------


def shape_to_json(shape: Shape) -> dict[str, Any]:
    out: dict[str, Any] = {"type": shape.type}
    if shape.documentation:
        out["documentation"] = shape.documentation
    if shape.enum:
        out["enum"] = list(shape.enum)
    if shape.streaming:
        out["streaming"] = True
    if shape.json_value:
        out["json_value"] = True
    if shape.python_type:
        out["python_type"] = shape.python_type
    if shape.truncated:
        out["truncated"] = True
    if shape.type == "structure":
        out["members"] = {name: member_to_json(m) for name, m in shape.members}
        if shape.union:
            out["union"] = True
        if shape.event_stream:
            out["event_stream"] = True
    elif shape.type == "list":
        assert shape.member is not None
        out["member"] = shape_to_json(shape.member)
    elif shape.type == "map":
        assert shape.key is not None and shape.value is not None
        out["key"] = shape_to_json(shape.key)
        out["value"] = shape_to_json(shape.value)
    elif shape.type == "recursive":
        out["target"] = shape.target
    return out


def member_to_json(member: Member) -> dict[str, Any]:
    out = {
        "shape": shape_to_json(member.shape),
        "required": member.required,
        "documentation": member.documentation,
    }
    if member.autopopulated:
        out["autopopulated"] = True
    return out


def operation_to_json(op: Operation) -> dict[str, Any]:
    return {
        "service": op.service,
        "service_id": op.service_id,
        "kind": op.kind,
        "name": op.name,
        "api_name": op.api_name,
        "api_url": op.api_url,
        "documentation": op.documentation,
        "deprecated": op.deprecated,
        "input": shape_to_json(op.input),
        "output": None if op.output is None else shape_to_json(op.output),
        "exceptions": list(op.exceptions),
        "source": op.source,
    }


def document_to_json(operations: list[Operation] | tuple[Operation, ...]) -> dict[str, Any]:
    ordered = sorted(operations, key=lambda op: op.sort_key)
    return {"ir_version": IR_VERSION, "operations": [operation_to_json(op) for op in ordered]}


def dumps(operations: list[Operation] | tuple[Operation, ...]) -> str:
    """The contract's JSON text: stable key order, UTF-8 kept readable, newline-terminated."""
    return json.dumps(document_to_json(operations), indent=2, ensure_ascii=False) + "\n"


def dump_operation(op: Operation) -> str:
    """One operation's text as `dumps` writes it inside the document (indented to its
    place, no separator): what `dump_pieces` puts together."""
    # (JSON strings hold no raw line break: indenting every line indents the object)
    return "    " + json.dumps(operation_to_json(op), indent=2, ensure_ascii=False).replace("\n", "\n    ")


def dump_pieces(operation_texts: Iterable[str]) -> Iterator[str]:
    """The text of `dumps`, piece by piece, from the `dump_operation` texts of the
    operations in `sort_key` order: the same bytes, without the whole document in
    memory (`codegen parse --format json` of the whole reference is 333 MB)."""
    yield f'{{\n  "ir_version": {IR_VERSION},\n  "operations": ['
    separator = "\n"
    for text in operation_texts:
        yield separator + text
        separator = ",\n"
    yield "]\n}\n" if separator == "\n" else "\n  ]\n}\n"


def shape_from_json(data: Mapping[str, Any]) -> Shape:
    kind = data["type"]
    members: tuple[tuple[str, Member], ...] = ()
    if kind == "structure":
        members = tuple(
            (name, member_from_json(m)) for name, m in data.get("members", {}).items()
        )
    return Shape(
        type=kind,
        documentation=data.get("documentation", ""),
        enum=tuple(data.get("enum", ())),
        members=members,
        member=shape_from_json(data["member"]) if kind == "list" else None,
        key=shape_from_json(data["key"]) if kind == "map" else None,
        value=shape_from_json(data["value"]) if kind == "map" else None,
        union=bool(data.get("union", False)),
        event_stream=bool(data.get("event_stream", False)),
        streaming=bool(data.get("streaming", False)),
        json_value=bool(data.get("json_value", False)),
        python_type=data.get("python_type", ""),
        truncated=bool(data.get("truncated", False)),
        target=data.get("target"),
    )


def member_from_json(data: Mapping[str, Any]) -> Member:
    return Member(
        shape=shape_from_json(data["shape"]),
        required=bool(data["required"]),
        documentation=data.get("documentation", ""),
        autopopulated=bool(data.get("autopopulated", False)),
    )


def operation_from_json(data: Mapping[str, Any]) -> Operation:
    return Operation(
        service=data["service"],
        service_id=data.get("service_id", ""),
        kind=data["kind"],
        name=data["name"],
        api_name=data.get("api_name"),
        api_url=data.get("api_url", ""),
        documentation=data.get("documentation", ""),
        deprecated=bool(data.get("deprecated", False)),
        input=shape_from_json(data["input"]),
        output=None if data.get("output") is None else shape_from_json(data["output"]),
        exceptions=tuple(data.get("exceptions", ())),
        source=data.get("source", ""),
    )


def loads(text: str) -> list[Operation]:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("ir_version") != IR_VERSION:
        raise ValueError(f"not a codegen shape tree (ir_version {IR_VERSION} expected)")
    return [operation_from_json(op) for op in data["operations"]]
