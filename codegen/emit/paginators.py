"""Paginator and waiter pages → classes of the client stub (`<Op>Paginator.paginate`,
`<Waiter>Waiter.wait`), and the names `get_paginator` / `get_waiter` take for them.

A paginator or waiter page documents the request of a client operation (the paginator's
own operation; the operation a waiter polls): its parameters are typed with that
operation's classes where the page shows the same shape, so that one structure has one
TypedDict in the stub. The config argument boto3 adds to every page (`PaginationConfig`,
`WaiterConfig`) is botocore's own, typed from the package's `_botocore.pyi`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from codegen.emit.stubs import NOT_PARAMS, PAGE_ITERATOR, PAGINATION_CONFIG, WAITER_CONFIG, MethodView, ParamView, method_view
from codegen.emit.types import py_type, typed_dict_name
from codegen.naming import (
    InvalidName,
    ServiceNames,
    check_api_name,
    check_name,
    pascal,
    snake_case,
    structure_key,
)
from codegen.tree import SCALAR_TYPES, Member, Operation, Shape

# The config members boto3 documents on every page, as botocore reads them.
_CONFIGS: dict[str, tuple[str, str, frozenset[str]]] = {
    # kind: (member, its type, the keys the stand-in TypedDict has)
    "paginator": ("PaginationConfig", PAGINATION_CONFIG, frozenset({"MaxItems", "PageSize", "StartingToken"})),
    "waiter": ("WaiterConfig", WAITER_CONFIG, frozenset({"Delay", "MaxAttempts"})),
}
_SUFFIX = {"paginator": "Paginator", "waiter": "Waiter"}
_METHOD = {"paginator": "paginate", "waiter": "wait"}


@dataclass(frozen=True, slots=True)
class HelperView:
    """One paginator or waiter class, and the overload of `get_paginator` / `get_waiter`
    that returns it."""

    kind: str  # "paginator" | "waiter"
    class_name: str
    literal: str  # the argument of get_paginator / get_waiter
    operation: str  # the client method it pages or polls ("" when no page documents it)
    method: MethodView
    source: str


def helpers(names: ServiceNames, pages: Sequence[Operation], kind: str) -> list[HelperView]:
    """The classes of the service's paginator (or waiter) pages, sorted by the name
    `get_paginator` (or `get_waiter`) takes. A paginator whose client operation is not
    among the pages is left out: its name and pages come from that operation."""
    by_api: dict[str, Operation] = {}
    for op in names.all_client_operations:
        if op.api_name is not None:
            by_api.setdefault(op.api_name, op)
    views = []
    for page in pages:
        _check_page(page, kind)
        # A paginator is named after its operation; a waiter polls the page's API operation.
        keys = (page.name, page.api_name) if kind == "paginator" else (page.api_name,)
        client_op = next((by_api[k] for k in keys if k is not None and k in by_api), None)
        if kind == "paginator":
            if client_op is None:
                continue
            literal = client_op.name  # botocore: get_paginator takes the client method's name
        else:
            literal = snake_case(page.name)  # botocore: xform_name of the waiter's name
        views.append(
            HelperView(
                kind,
                pascal(page.name) + _SUFFIX[kind],
                literal,
                "" if client_op is None else client_op.name,
                _method(names, page, client_op, kind),
                page.source,
            )
        )
    return sorted(views, key=lambda v: v.literal)


def _check_page(page: Operation, kind: str) -> None:
    """The reader checked these names; a tree from elsewhere (a cache, JSON) is checked here."""
    try:
        check_name(f"{kind} name", page.name)
        if page.api_name is not None:
            check_api_name(page.api_name)
    except InvalidName as exc:
        raise InvalidName(f"{page.source or '<tree>'}:1: {exc}") from None


def _method(names: ServiceNames, page: Operation, client_op: Operation | None, kind: str) -> MethodView:
    config_member, config_type, config_keys = _CONFIGS[kind]
    twins = {} if client_op is None else client_op.input.member_map

    def annotation(wire: str, member: Member) -> str:
        path = f"input.{wire}"
        twin = twins.get(wire)
        if wire == config_member and _is_config(member.shape, config_keys):
            return config_type
        if client_op is not None and twin is not None and _same(twin.shape, member.shape, path):
            return py_type(names, client_op.name, path, twin.shape, "request")
        return _loose(names, page, path, member.shape)

    returns = "None" if kind == "waiter" else f"{PAGE_ITERATOR}[{_page_type(names, client_op)}]"
    return method_view(_METHOD[kind], page, annotation, returns)


def _is_config(shape: Shape, keys: frozenset[str]) -> bool:
    return shape.type == "structure" and bool(shape.members) and {w for w, _ in shape.members} <= keys


def _same(a: Shape, b: Shape, path: str) -> bool:
    return a is b or structure_key(a, path) == structure_key(b, path)


def _loose(names: ServiceNames, page: Operation, path: str, shape: Shape) -> str:
    """A parameter the client operation does not have (in that shape): scalars typed,
    anything else `Any` (it has no class of its own)."""
    if shape.type in SCALAR_TYPES and not shape.enum:
        return py_type(names, page.name, path, shape, "request")
    return "str" if shape.type == "string" else "Any"


def _page_type(names: ServiceNames, client_op: Operation | None) -> str:
    """One page: the operation's response."""
    if client_op is None or client_op.output is None:
        return "dict[str, Any]"
    response = names.response_class(client_op)
    if response is not None:
        return typed_dict_name(names, response, "response")
    return py_type(names, client_op.name, "output", client_op.output, "response")


def annotation_text(views: Sequence[HelperView]) -> Mapping[str, str]:
    """Every annotation the classes write (for the stub's imports), by class."""
    return {
        v.class_name: " ".join([p.annotation for p in v.method.params] + [v.method.returns]) for v in views
    }
