"""Where a service's structures and enums are met, and the name the page suggests at
each place: the walk over its operations' trees that turns them into sites, the unit of
evidence (codegen/evidence.py) the rest of the resolver groups and names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Hashable

from codegen.evidence import DERIVED, Candidate, Reach, candidate, capitalised, singular, text_names
from codegen.pynames import operation_class_stem, pascal
from codegen.registry import place
from codegen.shapekey import is_class_shape, is_event_stream, structure_key
from codegen.tree import Operation, Shape


SIDES = ("input", "output")


@dataclass(slots=True)
class Site:
    """One place a structure (or an enum) is met: the unit of evidence."""

    op: str
    side: str
    path: str
    shape: Shape
    key: Hashable
    cand: Candidate
    quals: tuple[str, ...]  # qualifiers, nearest first: enclosing member names, the operation
    order: int  # traversal order: where its class is listed in the modules
    about: bool = False  # the operation is named after it (`DescribeAddresses`, `Address`)
    place: str = ""  # `operation:path`, the names registry's key (codegen/registry.py)
    mentions: frozenset[str] = frozenset()  # type-like words of the texts under its member


class Walker:
    """Collects the structure and enum sites of a service's operations."""

    def __init__(self, operation_words: frozenset[str]) -> None:
        # The service's operation names: texts mention them (`CreateTags`), never as a type.
        self.operation_words = operation_words
        self.structs: list[Site] = []
        self.enums: list[Site] = []
        self.recursive: list[tuple[str, str, str]] = []  # (op, path, target)
        self.ancestors: dict[str, Shape] = {}  # path → structure or list, of the side being walked
        # The member names of the operation being walked: a text mentions them (`ReturnConsumedCapacity`), never as a type.
        self.op_members: frozenset[str] = frozenset()
        self.op_members_of = ""
        self.count = 0
        # The response event streams met, walked last (walk_events): what the walk knew there.
        self.deferred: list[tuple[Operation, str, Shape, str, tuple[str, ...], tuple[str, ...], frozenset[str],
                                  dict[str, Shape], frozenset[str]]] = []

    def walk(
        self,
        op: Operation,
        side: str,
        path: str,
        shape: Shape,
        member: str,
        reach: Reach,
        texts: tuple[str, ...],
        quals: tuple[str, ...],
        siblings: frozenset[str],
    ) -> None:
        if shape.documentation:
            texts = texts + (shape.documentation,)
        if shape.type == "recursive":
            self.recursive.append((op.name, path, shape.target or ""))
            return
        if shape.type == "string" and shape.enum:
            name = singular(capitalised(member)) if reach == "item" else None
            cand = Candidate(pascal(name or member), 0, member)
            self._add(self.enums, op, side, path, shape, ("enum", cand.name, shape.enum), cand, quals)
            return
        if shape.type == "list" and shape.member is not None:
            self.ancestors[path] = shape  # (a list can repeat too: `Configurations[].Configurations`)
            self.walk(op, side, path + "[]", shape.member, member, "item", texts, quals, siblings)
            return
        if shape.type == "map" and shape.key is not None and shape.value is not None:
            self.walk(op, side, path + "{key}", shape.key, member, "key", texts, quals, siblings)
            self.walk(op, side, path + "{}", shape.value, member, "value", texts, quals, siblings)
            return
        top = path in SIDES
        if top:
            self.ancestors.clear()
            if self.op_members_of != op.name:
                self.op_members_of = op.name
                self.op_members = frozenset(_member_names(op.input)) | set(op.exceptions)
                if op.output is not None:
                    self.op_members |= frozenset(_member_names(op.output))
        elif side == "output" and is_event_stream(shape):
            self.deferred.append(
                (op, path, shape, member, texts, quals, siblings, dict(self.ancestors), self.op_members)
            )
            return
        elif not is_class_shape(shape):
            return
        else:
            own = frozenset(n for n, _ in shape.members)
            excluded = own | siblings | self.operation_words | self.op_members
            # (pascal: a member name from a page is no identifier until made one)
            cand = candidate(pascal(member), reach, texts, excluded)
            self._add(self.structs, op, side, path, shape, structure_key(shape, path, self.ancestors), cand, quals)
            self.structs[-1].mentions = frozenset(w for w, _, _ in text_names(texts, own | self.operation_words))
            quals = (pascal(member),) + quals
        self._members(op, side, path, shape, quals)

    def _members(self, op: Operation, side: str, path: str, shape: Shape, quals: tuple[str, ...]) -> None:
        self.ancestors[path] = shape  # (what a recursive reference below leads to)
        own = frozenset(n for n, _ in shape.members)
        for name, child in shape.members:
            docs = (child.documentation,) if child.documentation else ()
            self.walk(op, side, f"{path}.{name}", child.shape, name, "member", docs, quals, own)

    def walk_events(self) -> tuple[list[Site], list[Site]]:
        """The sites at and below the response event streams met (their structure and enum
        sites), after every other place's: so that a page's events move no other name."""
        main = self.structs, self.enums
        self.structs, self.enums = [], []
        for op, path, shape, member, texts, quals, siblings, ancestors, op_members in self.deferred:
            self.ancestors, self.op_members, self.op_members_of = ancestors, op_members, op.name
            # The union of the stream's events (the stubs' TypedDict of one key per event):
            # no page names it; a response has at most one, so the operation does.
            cand = Candidate(operation_class_stem(op) + "EventStream", DERIVED, member)
            key = structure_key(shape, path, self.ancestors)
            self._add(self.structs, op, "output", path, shape, key, cand, quals)
            self._members(op, "output", path, shape, (pascal(member),) + quals)
        events = self.structs, self.enums
        self.structs, self.enums = main
        return events

    def _add(self, sites: list[Site], op: Operation, side: str, path: str, shape: Shape,
             key: Hashable, cand: Candidate, quals: tuple[str, ...]) -> None:
        self.count += 1
        api = op.api_name or pascal(op.name)
        about = api.endswith((cand.name, cand.name + "s", cand.name + "es"))
        sites.append(Site(op.name, side, path, shape, key, cand, quals, self.count, about, place(op.name, path)))


def _member_names(shape: Shape) -> Iterable[str]:
    """Every member name under `shape`, at any depth."""
    stack = [shape]
    while stack:
        node = stack.pop()
        for name, child in node.members:
            yield name
            stack.append(child.shape)
        stack.extend(n for n in (node.member, node.key, node.value) if n is not None)
