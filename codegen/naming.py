"""The one resolver of names: attributes, classes, enum aliases. Pure functions of the tree.

* Attributes: snake_case of the wire name (`S3Uri` → `s3_uri`, `KMSKeyId` → `kms_key_id`),
  a trailing `_` for keywords, builtins and the model methods; the wire name is kept
  next to the attribute, so the mapping back is a table lookup and exactly lossless.
* Classes: `<Operation>Request` / `<Operation>Response` at the top. Every nested
  structure is named by the evidence its pages give (codegen/evidence.py), in the order
  of docs/names.md:
  1. a name the names registry has for its places (codegen/registry.py): published
     names never move unless re-resolved on purpose;
  2. a type name the text under its member gives ("an array of ``Channel`` objects");
  3. the member name, or its singular for the items of a plural list or map;
  4. a made-up name: `<Member>Item` / `<Member>Value`.
  Identical structures share a class where the pages call them alike (a made-up name
  gives way to a shown one; forms of one name, `CertificateTag` and `Tag`,
  `ScheduleConfig` and `ScheduleConfiguration`; a type the text under one member names;
  list items joining the structure a member holds directly); the same structure under
  unrelated member names stays as many classes, as AWS names them.
  When two structures want one name, a request class before a response class (the
  stubs keep the sides apart; a response-only dataclass then carries `Output`), then the
  stronger evidence, the structure an operation is named after, the one nearer the top,
  the one met at more places, the first in sorted order: names depend on the set of
  pages, never on their order. The other takes the smallest qualifier that makes it
  unique (its member name, the nearest enclosing member name or one of its words, ...),
  at most 40 characters unless the page shows the longer name.
* Event streams: a response's event stream is the union of its events,
  `<Operation>EventStream` (no page names it); it and the structures below it are named
  last, around every other name, joining a class of the rest that is the same structure
  called alike: the events of a page move no other name.

Where each part lives (each module imports only those above it):

* codegen/pynames.py: Python names made of wire names (attributes, classes, modules);
* codegen/namecheck.py: the one validator of names from pages;
* codegen/shapekey.py: which shapes become classes, and the structure key;
* codegen/servicenames.py: ServiceNames, what the emitters get;
* codegen/evidence.py: what one place's page suggests for a structure's name;
* codegen/namesites.py: the walk that finds every place a structure is met;
* codegen/namegroups.py: which places are one class;
* codegen/namecontest.py: who keeps a contested name, the qualified names of the others;
* codegen/stablenames.py: the registry's names and the overrides kept, renames recorded;
* here: resolve / resolve_service, the resolver the pipeline calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from codegen.namecheck import (
    MAX_NAME, PACKAGE_NAMES, RUNTIME_CHECKS, SERVICE_NAMES, InvalidName, check_api_name, check_name,
    check_operation_name, check_package_name, check_service_id, check_service_name, is_identifier
)
from codegen.namecontest import TakenNames
from codegen.namesites import Walker
from codegen.pynames import RESERVED_CLASS_NAMES, attribute_map, module_name, operation_class_stem, pascal, snake_case
from codegen.registry import Registry
from codegen.servicenames import ClassInfo, EnumInfo, ServiceNames
from codegen.shapekey import is_class_shape, structure_key
from codegen.stablenames import join_events, mark_registered, named, record
from codegen.tree import Operation

# The names layer's front: the resolver, and the names the emitters, the page reader, the
# pipeline and the tests take from here (`naming.ServiceNames`, `naming.check_name`, ...).
__all__ = [
    "resolve", "resolve_service",
    "ClassInfo", "EnumInfo", "ServiceNames",
    "InvalidName", "check_name", "check_api_name", "check_operation_name", "check_package_name",
    "check_service_id", "check_service_name", "is_identifier",
    "MAX_NAME", "PACKAGE_NAMES", "RESERVED_CLASS_NAMES", "RUNTIME_CHECKS", "SERVICE_NAMES",
    "module_name", "pascal", "snake_case",
    "is_class_shape", "structure_key",
]


def resolve_service(
    operations: Sequence[Operation],
    registry: Registry | None = None,
    reresolve: bool = False,
    overrides: Mapping[str, str] | None = None,
    keep_deprecated: bool = False,
) -> ServiceNames:
    """Names for every class and enum of one service's client operations (module docstring).

    `keep_deprecated`: the registry's deprecated aliases stay (the pages did not change
    since the run that made them: a regeneration for a new codegen is not the one that
    drops them).

    `registry`: the names published before, kept for the places they name unless
    `reresolve`; `overrides`: name → the name to use instead."""
    client_ops = sorted((o for o in operations if o.kind == "client"), key=lambda o: o.name)
    if not client_ops:
        raise ValueError("no client operations")
    for op in client_ops:
        _check_operation(op)
    first = client_ops[0]
    api_ops = [o for o in client_ops if o.api_name]
    names = ServiceNames(
        service_id=first.service_id,
        service=first.service,
        module=module_name(first.service_id),
        client_class=pascal(first.service) + "Client",
        operations=api_ops,
        all_client_operations=client_ops,
    )
    reserved = set(RESERVED_CLASS_NAMES | {names.client_class})
    # Top-level names first: nested classes never take an operation's name.
    for op in client_ops:
        stem = operation_class_stem(op)
        for side, shape, suffix in (("input", op.input, "Request"), ("output", op.output, "Response")):
            if shape is None or shape.type != "structure" or shape.event_stream:
                continue  # top level: even a truncated, member-less section gets its class
            cands = [stem + suffix, pascal(op.name) + suffix, stem + "Operation" + suffix]
            name = next((c for c in cands if c not in reserved), None)
            if name is None:
                raise ValueError(f"cannot name class: {cands[0]} and its prefixed forms are taken")
            reserved.add(name)
            names.by_path[(op.name, side)] = name
            (names.request_side if side == "input" else names.response_side).add(name)
            if side == "output":
                names.top_responses.add(name)
            names.classes.append(ClassInfo(name, shape, op.name, side, top=True, stem=name))
            names.attrs[name] = attribute_map(n for n, _ in shape.members)

    walker = Walker(frozenset(operation_class_stem(o) for o in client_ops) | {pascal(o.name) for o in client_ops})
    for op in client_ops:
        stem = operation_class_stem(op)
        walker.walk(op, "input", "input", op.input, "", "member", (), (stem,), frozenset())
        if op.output is not None:
            walker.walk(op, "output", "output", op.output, "", "member", (), (stem,), frozenset())

    event_structs, event_enums = walker.walk_events()

    old = registry or Registry()
    for entry in old.classes + old.enums:
        check_name("name in the names registry", entry.name, frozenset(reserved))
        if entry.stem:
            check_name("name in the names registry", entry.stem, frozenset(reserved))
    if not reresolve:
        mark_registered(walker.structs + event_structs, walker.enums + event_enums, old)
    wanted = dict(overrides or {})
    structs, enums, taken = named(walker.structs, walker.enums, old, reresolve, wanted, reserved, TakenNames(reserved))
    # Then the events, around the names of the rest: their structures join a class of the
    # rest that is the same structure called alike, and move no other name.
    event_structs, event_enums = join_events(structs, enums, event_structs, event_enums, taken)
    given = {g.name for g in structs + enums}
    old_events = Registry(
        tuple(e for e in old.classes if e.name not in given), tuple(e for e in old.enums if e.name not in given)
    )
    more_structs, more_enums, _ = named(event_structs, event_enums, old_events, reresolve, wanted, reserved, taken)
    structs += more_structs
    enums += more_enums

    for group in sorted(structs, key=lambda g: min(s.order for s in g.sites)):
        site = min(group.sites, key=lambda s: s.order)
        names.classes.append(ClassInfo(group.name, site.shape, site.op, site.path, stem=group.stem))
        names.attrs[group.name] = attribute_map(n for n, _ in site.shape.members)
        for s in group.sites:
            names.by_path[(s.op, s.path)] = group.name
            (names.request_side if s.side == "input" else names.response_side).add(group.name)
    for group in sorted(enums, key=lambda g: min(s.order for s in g.sites)):
        names.enums.append(EnumInfo(group.name, group.sites[0].shape.enum))
        for s in group.sites:
            names.enum_by_path[(s.op, s.path)] = group.name
    for op_name, path, target in walker.recursive:
        cls = names.by_path.get((op_name, target))
        if cls is not None:
            names.by_path[(op_name, path)] = cls
    record(names, old, structs, enums, keep_deprecated)
    return names


def _check_operation(op: Operation) -> None:
    """The page reader checked these names already; a tree from anywhere else (a cache,
    JSON) is checked here, before any of them reaches a template."""
    try:
        check_service_id(op.service_id)
        check_service_name(op.service)
        check_operation_name(op.name)
        if op.api_name is not None:
            check_api_name(op.api_name)
    except InvalidName as exc:
        raise InvalidName(f"{op.source or '<tree>'}:1: {exc}") from None


def resolve(
    operations: Iterable[Operation],
    registries: Mapping[str, Registry] | None = None,
    reresolve: bool = False,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    keep_deprecated: bool = False,
) -> list[ServiceNames]:
    """One ServiceNames per boto3 service, sorted by service name; `registries` and
    `overrides` per service id (see resolve_service)."""
    by_service: dict[str, list[Operation]] = {}
    for op in operations:
        by_service.setdefault(op.service_id or op.service.lower(), []).append(op)
    out = []
    for sid in sorted(by_service):
        if any(o.kind == "client" for o in by_service[sid]):
            out.append(resolve_service(
                by_service[sid],
                (registries or {}).get(sid),
                reresolve,
                (overrides or {}).get(sid),
                keep_deprecated,
            ))
    return out
