"""What the resolver hands the emitters for one service (ServiceNames): its classes and
Literal aliases, the class at every place, the attributes of each class, and what the
names registry is told (the names published, the renames, the deprecated aliases)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codegen.registry import Registry
from codegen.shapekey import is_class_shape, is_event_stream
from codegen.tree import Operation, Shape


@dataclass(frozen=True, slots=True)
class ClassInfo:
    name: str
    shape: Shape
    op: str  # python name of the operation of its first occurrence
    path: str  # contract path of its first occurrence
    top: bool = False
    # The resolver's name, what the stubs' TypedDict names are made of: the same as `name`
    # except for a response-only class that shares it with a request class (`name` is
    # then `<stem>Output`).
    stem: str = ""


@dataclass(frozen=True, slots=True)
class EnumInfo:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True, order=True)
class Alias:
    """A renamed class or Literal alias: its old name stays, deprecated, for one run."""

    old: str
    new: str
    kind: str  # "class" or "enum"
    old_stem: str = ""  # the old name's stem, for the stubs' TypedDict names


@dataclass(slots=True)
class ServiceNames:
    service_id: str
    service: str
    module: str
    client_class: str
    operations: list[Operation]  # client operations with an API name, sorted by name
    all_client_operations: list[Operation]
    classes: list[ClassInfo] = field(default_factory=list)
    enums: list[EnumInfo] = field(default_factory=list)
    by_path: dict[tuple[str, str], str] = field(default_factory=dict)
    enum_by_path: dict[tuple[str, str], str] = field(default_factory=dict)
    request_side: set[str] = field(default_factory=set)
    response_side: set[str] = field(default_factory=set)
    attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    top_responses: set[str] = field(default_factory=set)
    registry: Registry = field(default_factory=Registry)  # what this run publishes
    renames: list[tuple[str, str]] = field(default_factory=list)  # (old, new) against the registry read
    aliases: list[Alias] = field(default_factory=list)  # deprecated old names this run keeps
    _stems: dict[str, str] = field(default_factory=dict)
    _by_name: dict[str, ClassInfo] = field(default_factory=dict)
    _direct: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def class_at(self, op: str, path: str) -> str:
        return self.by_path[(op, path)]

    def stem_of(self, class_name: str) -> str:
        """The resolver's name of a class (ClassInfo.stem)."""
        stems = self._stems
        if not stems:
            stems.update((c.name, c.stem or c.name) for c in self.classes)
        return stems.get(class_name, class_name)

    def enum_at(self, op: str, path: str) -> str:
        return self.enum_by_path[(op, path)]

    def reachable(self, roots: Iterable[str]) -> set[str]:
        """The classes used by the given classes, transitively (including themselves)."""
        todo = list(roots)
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self._uses(name))
        return seen

    def _uses(self, name: str) -> tuple[str, ...]:
        # (the docs ask once per operation: each class's nearest classes are found once)
        uses = self._direct.get(name)
        if uses is not None:
            return uses
        if not self._by_name:
            self._by_name.update((c.name, c) for c in self.classes)
        info = self._by_name[name]
        found: list[str] = []
        # Down to the nearest classes only: what lies below a class is found from
        # its own entry (a class name stands for one structure, all it contains).
        stack = list(info.shape.children(info.path))
        while stack:
            path, shape = stack.pop()
            if is_event_stream(shape):
                continue  # (the models and docs take botocore's object as it is)
            if shape.type == "recursive" or is_class_shape(shape):
                child = self.by_path.get((info.op, path))
                if child is not None:
                    found.append(child)
                    continue
            stack.extend(shape.children(path))
        uses = self._direct[name] = tuple(found)
        return uses

    def api_request_classes(self) -> set[str]:
        """Classes reachable from the requests of API operations (what validators check)."""
        return self.reachable(self.request_class(op) for op in self.operations)

    def api_classes(self) -> set[str]:
        """Classes reachable from API operations' requests and responses (the models)."""
        roots = [self.request_class(op) for op in self.operations]
        roots += [r for op in self.operations if (r := self.response_class(op)) is not None]
        return self.reachable(roots)

    def request_class(self, op: Operation) -> str:
        return self.by_path[(op.name, "input")]

    def response_class(self, op: Operation) -> str | None:
        return self.by_path.get((op.name, "output"))
