"""Which shapes become classes, and when two places hold one class: the structure key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Hashable

from codegen.tree import Shape


SEGMENT = re.compile(r"\.[^.\[\]{}]+|\[\]|\{\}")


def path_depth(path: str) -> int:
    return len(SEGMENT.findall(path))


def is_class_shape(shape: Shape) -> bool:
    """Structures that become a class. Event streams do not (the models take botocore's
    object as it is: is_event_stream), and neither does a truncated structure whose page
    listed no members; one that lists some (from the syntax block) becomes an open class:
    known members typed, other keys let through."""
    if shape.type != "structure" or shape.event_stream:
        return False
    return not shape.truncated or bool(shape.members)


def is_event_stream(shape: Shape) -> bool:
    """A response's event stream: named in the stubs only, as the union of its events
    (one key each), the events below it as classes of their own."""
    return shape.type == "structure" and shape.event_stream


def structure_key(shape: Shape, path: str, ancestors: Mapping[str, Shape] | None = None) -> Hashable:
    """Canonical form of a shape without documentation: equal keys, one class.

    `ancestors` (path → structure or list above `shape`): a recursive reference that leads
    out of `shape` is keyed by its target too. Its class types it, so two places whose
    references lead to different structures (bedrock-agent's `Loop`, in a request and a
    response `Definition`) or lists of them (fsx's `AdministrativeActions` of a file
    system's or a volume's) are two classes."""
    return _key(shape, path, path, ancestors)


def _key(shape: Shape, path: str, root: str, ancestors: Mapping[str, Shape] | None) -> Hashable:
    if shape.type == "structure":
        return (
            "structure",
            shape.truncated,
            shape.event_stream,
            shape.union,
            tuple(
                (name, m.required, m.autopopulated, _key(m.shape, f"{path}.{name}", root, ancestors))
                for name, m in shape.members
            ),
        )
    if shape.type == "list":
        assert shape.member is not None
        return ("list", _key(shape.member, path + "[]", root, ancestors))
    if shape.type == "map":
        assert shape.key is not None and shape.value is not None
        return ("map", _key(shape.key, path, root, ancestors), _key(shape.value, path + "{}", root, ancestors))
    if shape.type == "recursive":
        target = shape.target or ""
        key: tuple[Hashable, ...] = ("recursive", path_depth(path) - path_depth(target))
        outside = target != root and not target.startswith((root + ".", root + "[", root + "{"))
        if ancestors is not None and outside and target in ancestors:
            key += (structure_key(ancestors[target], target, ancestors),)
        return key
    return (shape.type, shape.enum, shape.streaming, shape.json_value, bool(shape.python_type))
