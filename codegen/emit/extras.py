"""What the client stub adds to the client operations' classes: the paginator and
waiter classes (from their pages), the `client.exceptions` container, and boto3's own
client methods. Built after the names are resolved (naming.resolve_service), and
checked there: a name that clashes or a bad name from a page is an error of that page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codegen.emit import paginators
from codegen.emit.boto3_methods import EXTRA_ARGS, BaseMethodView, base_method, unpaged_methods
from codegen.emit.exceptions import exception_names
from codegen.emit.paginators import HelperView
from codegen.emit.types import typed_dict_name
from codegen.escape import shown
from codegen.naming import RESERVED_CLASS_NAMES, SERVICE_NAMES, InvalidName, ServiceNames, pascal
from codegen.tree import Operation

# Pages of boto3's own methods that the stub writes as overloads (paginators, waiters).
OVERLOADED = frozenset({"get_paginator", "get_waiter"})

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
    # boto3's own methods whose page is among the client pages (and agrees with the table)
    base_methods: tuple[BaseMethodView, ...]
    generic_paginator: bool  # a get_paginator page, and no paginator page
    generic_waiter: bool

    def replaces(self, op: Operation) -> bool:
        """A page of boto3's own methods that the stub writes from BASE_METHODS / the overloads."""
        if op.api_name is not None:
            return False
        return op.name in OVERLOADED or any(m.name == op.name for m in self.base_methods)

    @property
    def annotations(self) -> str:
        views = (*self.paginators, *self.waiters)
        texts = [*paginators.annotation_text(views).values(), *(m.params_text for m in self.base_methods)]
        return " ".join(texts + [m.returns for m in self.base_methods])


def client_extras(names: ServiceNames, operations: Sequence[Operation]) -> ClientExtras:
    """The extras of one service from all its pages (client, paginator and waiter).
    InvalidName (`FILE:1: message`) for a bad name from a page or a class name that
    clashes with another of the stub."""
    pages = paginators.helpers(names, [o for o in operations if o.kind == "paginator"], "paginator")
    waiters = paginators.helpers(names, [o for o in operations if o.kind == "waiter"], "waiter")
    present = {op.name for op in names.all_client_operations if op.api_name is None}
    methods = [m for op in names.all_client_operations if (m := base_method(op)) is not None]
    methods += unpaged_methods(present)
    extras = ClientExtras(
        paginators=tuple(pages),
        waiters=tuple(waiters),
        exceptions_class=pascal(names.service) + "Exceptions",
        exceptions=tuple(exception_names(operations)),
        base_methods=tuple(sorted(methods, key=lambda m: m.name)),
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

    if "stubs" not in targets:
        return {}
    return {f"{package}/_botocore.pyi": render("botocore.pyi.jinja2", extra_args=EXTRA_ARGS)}
