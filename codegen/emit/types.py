"""Python type expressions for shapes, per flavour of output.

`model`: dataclass attributes (what `from_dict` loads); `request`: TypedDicts a caller
passes (accepts Mapping/Sequence); `response`: TypedDicts boto3 returns (dict/list).
"""

from __future__ import annotations

from typing import Literal

from codegen.naming import ServiceNames, is_class_shape
from codegen.tree import Shape

Flavour = Literal["model", "request", "response"]

_SCALARS: dict[str, dict[str, str]] = {
    "model": {
        "string": "str",
        "integer": "int",
        "float": "float",
        "boolean": "bool",
        "timestamp": "datetime",
        "blob": "bytes",
        "document": "Any",
    },
    "request": {
        "string": "str",
        "integer": "int",
        "float": "float",
        "boolean": "bool",
        "timestamp": "datetime | str",
        "blob": "bytes | bytearray | str | IO[Any]",
        "document": "Any",
    },
    "response": {
        "string": "str",
        "integer": "int",
        "float": "float",
        "boolean": "bool",
        "timestamp": "datetime",
        "blob": "bytes",
        "document": "Any",
    },
}

# Streaming blobs (a payload of its own: `GetObject`'s `Body`, `Invoke`'s `Payload`).
# botocore reads a response's as it comes: a botocore.response.StreamingBody. A request's
# may be what botocore's validator takes for any blob (bytes, bytearray, str) or a binary
# file object it reads from (open(path, "rb"), io.BytesIO, a StreamingBody). The models
# keep the object botocore gave (Any). `_`-names: the package's _botocore.pyi.
_STREAMING: dict[str, str] = {
    "model": "Any",
    "request": "str | bytes | bytearray | IO[bytes] | _StreamingBody",
    "response": "_StreamingBody",
}
# A response's event stream: botocore.eventstream.EventStream, iterated event by event,
# each event a dict with one key (the event's name): the TypedDict of the union of its
# events that the resolver names. (A request's stays Any: boto3 has no client that sends
# event streams.)
EVENT_STREAM = "_EventStream[{}]"


def typed_dict_name(names: ServiceNames, class_name: str, flavour: Flavour) -> str:
    """`<Stem>TypeDef` for requests and top-level responses, `<Stem>OutputTypeDef` else
    (the stem is the class name without the `Output` a response dataclass may carry)."""
    stem = names.stem_of(class_name)
    if flavour == "response" and class_name not in names.top_responses:
        return stem + "OutputTypeDef"
    return stem + "TypeDef"


def py_type(names: ServiceNames, op: str, path: str, shape: Shape, flavour: Flavour) -> str:
    if shape.python_type or shape.json_value:
        return "Any"
    if shape.type == "string" and shape.enum:
        return names.enum_at(op, path)
    if shape.type == "blob" and shape.streaming:
        return _STREAMING[flavour]
    if shape.type in _SCALARS[flavour]:
        return _SCALARS[flavour][shape.type]
    if shape.type == "structure":
        if not is_class_shape(shape):
            if shape.event_stream:
                if flavour != "response":
                    return "Any"
                events = names.by_path.get((op, path))
                return EVENT_STREAM.format("dict[str, Any]" if events is None else _class_ref(names, events, flavour))
            return "Mapping[str, Any]" if flavour == "request" else "dict[str, Any]"
        return _class_ref(names, names.class_at(op, path), flavour)
    if shape.type == "recursive":
        target = names.by_path.get((op, path))
        if target is not None:
            return _class_ref(names, target, flavour)
        # A list that repeats a list above it (`children[].children`): a list of the
        # structure that list holds. (The models keep the dicts: `Any` there.)
        item = names.by_path.get((op, f"{shape.target}[]")) if shape.target and flavour != "model" else None
        if item is None:
            return "Any"
        inner = _class_ref(names, item, flavour)
        return f"Sequence[{inner}]" if flavour == "request" else f"list[{inner}]"
    if shape.type == "list":
        assert shape.member is not None
        inner = py_type(names, op, path + "[]", shape.member, flavour)
        return f"Sequence[{inner}]" if flavour == "request" else f"list[{inner}]"
    if shape.type == "map":
        assert shape.key is not None and shape.value is not None
        key = py_type(names, op, path + "{key}", shape.key, flavour)
        value = py_type(names, op, path + "{}", shape.value, flavour)
        return f"Mapping[{key}, {value}]" if flavour == "request" else f"dict[{key}, {value}]"
    return "Any"


def _class_ref(names: ServiceNames, name: str, flavour: Flavour) -> str:
    return name if flavour == "model" else typed_dict_name(names, name, flavour)
