"""What the client stub adds to the client operations' classes: the paginator and
waiter classes (from their pages), the `client.exceptions` container, and boto3's own
client methods. Built after the names are resolved (naming.resolve_service), and
checked there: a name that clashes or a bad name from a page is an error of that page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codegen.emit import paginators
from codegen.emit.exceptions import exception_names
from codegen.emit.paginators import HelperView
from codegen.emit.types import typed_dict_name
from codegen.escape import shown
from codegen.naming import RESERVED_CLASS_NAMES, SERVICE_NAMES, InvalidName, ServiceNames, pascal
from codegen.tree import Operation

# boto3's own client methods (botocore.client.BaseClient), as they are in boto3:
# their pages show the parameters, but not that they are positional, nor the return
# type. Nothing service-specific: the same for every client.
BASE_METHODS: dict[str, tuple[str, str]] = {
    # name: (parameters after self, return type)
    "can_paginate": ("operation_name: str", "bool"),
    "close": ("", "None"),
}
# Pages of boto3's own methods that the stub replaces (api_name None: no AWS operation).
REPLACED = frozenset(BASE_METHODS) | {"get_paginator", "get_waiter"}

# What the service package's root has besides the stub's names, which it re-exports
# (templates/service_init.py.jinja2, service_init.pyi.jinja2): functions and submodules.
SERVICE_ROOT_NAMES = SERVICE_NAMES | {"create_client"}

# What client.pyi imports besides its own classes (templates/client.pyi.jinja2).
STUB_IMPORTS = frozenset(
    {"Any", "IO", "Literal", "NotRequired", "TypedDict", "Mapping", "Sequence", "datetime", "overload"}
)


@dataclass(frozen=True, slots=True)
class ClientExtras:
    paginators: tuple[HelperView, ...]
    waiters: tuple[HelperView, ...]
    exceptions_class: str
    exceptions: tuple[str, ...]
    # boto3's own methods whose page is among the client pages: name, signature parts and
    # the page's description
    base_methods: tuple[tuple[str, str, str, str], ...]
    generic_paginator: bool  # a get_paginator page, and no paginator page
    generic_waiter: bool

    @staticmethod
    def replaces(op: Operation) -> bool:
        """A page of boto3's own methods that the stub writes from BASE_METHODS / the overloads."""
        return is_replaced(op)

    @property
    def annotations(self) -> str:
        views = (*self.paginators, *self.waiters)
        return " ".join(paginators.annotation_text(views).values())


def is_replaced(op: Operation) -> bool:
    """A page of boto3's own methods that the stub writes from BASE_METHODS / the overloads."""
    return op.api_name is None and op.name in REPLACED


def client_extras(names: ServiceNames, operations: Sequence[Operation]) -> ClientExtras:
    """The extras of one service from all its pages (client, paginator and waiter).
    InvalidName (`FILE:1: message`) for a bad name from a page or a class name that
    clashes with another of the stub."""
    pages = paginators.helpers(names, [o for o in operations if o.kind == "paginator"], "paginator")
    waiters = paginators.helpers(names, [o for o in operations if o.kind == "waiter"], "waiter")
    present = {op.name: op.documentation for op in names.all_client_operations if is_replaced(op)}
    extras = ClientExtras(
        paginators=tuple(pages),
        waiters=tuple(waiters),
        exceptions_class=pascal(names.service) + "Exceptions",
        exceptions=tuple(exception_names(operations)),
        base_methods=tuple(
            (n, *BASE_METHODS[n], present[n]) for n in sorted(present.keys() & set(BASE_METHODS))
        ),
        # (botocore's untyped get_paginator / get_waiter where no page types one)
        generic_paginator=not pages and "get_paginator" in present,
        generic_waiter=not waiters and "get_waiter" in present,
    )
    _check_clashes(names, extras, operations)
    return extras


def _stub_names(names: ServiceNames) -> Iterable[str]:
    """The module-level names the stub has without the extras."""
    yield names.client_class
    yield from (e.name for e in names.enums)
    for info in names.classes:
        if info.name in names.request_side:
            yield typed_dict_name(names, info.name, "request")
        if info.name in names.response_side:
            yield typed_dict_name(names, info.name, "response")


def _check_clashes(names: ServiceNames, extras: ClientExtras, operations: Sequence[Operation]) -> None:
    taken = dict.fromkeys(_stub_names(names), "a class of the stub")
    source = next((o.source for o in operations if o.kind == "client"), "") or "<tree>"
    # The service package re-exports the stub's names beside its own (functions and
    # submodules, none capitalised): at run time it tells them apart by the capital.
    lower = sorted(n for n in taken if not n[:1].isupper())
    if lower:
        raise InvalidName(f"{source}:1: class {lower[0]} does not start with a capital letter")
    taken.update(dict.fromkeys(STUB_IMPORTS | RESERVED_CLASS_NAMES, "a name the stub imports"))
    taken.update(dict.fromkeys(SERVICE_ROOT_NAMES, "a name of the service package"))
    new = [(v.class_name, f"{v.kind} class", v.source) for v in (*extras.paginators, *extras.waiters)]
    new.append((extras.exceptions_class, "exceptions class", source))
    for name, what, page in new:
        if name in taken:
            raise InvalidName(f"{page or '<tree>'}:1: {what} {name} clashes with {taken[name]} of the same name")
        taken[name] = f"the {what}"
    for views in (extras.paginators, extras.waiters):
        literals: dict[str, HelperView] = {}
        for v in views:
            if v.literal in literals:
                raise InvalidName(
                    f"{v.source or '<tree>'}:1: {v.kind} name {shown(v.literal)} is also the name of "
                    f"{literals[v.literal].class_name} (client.get_{v.kind} could not tell them apart)"
                )
            literals[v.literal] = v


def package_stub_files(package: str, targets: Sequence[str]) -> dict[str, str]:
    """The package-level stub the client stubs import (`<package>/_botocore.pyi`)."""
    from codegen.emit.env import render

    return {f"{package}/_botocore.pyi": render("botocore.pyi.jinja2")} if "stubs" in targets else {}
