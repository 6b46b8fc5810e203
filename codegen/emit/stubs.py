"""Shape tree → `<service>/client.pyi`: TypedDicts, Literal aliases and the client class."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codegen.emit.aliases import stub_aliases
from codegen.emit.options import DEFAULT_RESPONSES
from codegen.emit import docstrings
from codegen.emit.responses import key_present
from codegen.emit.env import pyrepr, render
from codegen.emit.types import Flavour, py_type, typed_dict_name
from codegen.naming import ClassInfo, ServiceNames, is_identifier
from codegen.tree import Member, Operation

if TYPE_CHECKING:  # (extras builds on this module's views)
    from codegen.emit.extras import ClientExtras

# Names the stub's method already has: a member called so goes through **kwargs.
NOT_PARAMS = frozenset({"self", "kwargs"})

# How the client stub imports the stand-ins of _botocore.pyi (underscored: the resolver
# never makes such a name, so they clash with no class of the stub).
PAGE_ITERATOR = "_PageIterator"
PAGINATION_CONFIG = "_PaginationConfig"
WAITER_CONFIG = "_WaiterConfig"
BOTOCORE_IMPORTS = (
    ("PageIterator", PAGE_ITERATOR),
    ("PaginationConfigTypeDef", PAGINATION_CONFIG),
    ("WaiterConfigTypeDef", WAITER_CONFIG),
    ("Paginator", "_Paginator"),
    ("Waiter", "_Waiter"),
    ("ClientError", "_ClientError"),
    ("ResponseMetadataTypeDef", "_ResponseMetadataTypeDef"),
)


# What every response carries and no page documents: key → (type in the stub, its
# docstring). The types live in the package's _botocore.pyi (templates/botocore.pyi.jinja2).
# Nothing service-specific belongs here.
UNDOCUMENTED_RESPONSE_KEYS: dict[str, tuple[str, str]] = {
    "ResponseMetadata": (
        "_ResponseMetadataTypeDef",
        "What botocore adds to every response: the request id, the HTTP status code and "
        "headers, and the number of retries.",
    ),
}


@dataclass(frozen=True, slots=True)
class KeyView:
    wire: str
    annotation: str
    doc: str = ""  # clean text (docstrings.member_text)

    @property
    def entry(self) -> str:
        """The key in a functional TypedDict's dict."""
        return f"{pyrepr(self.wire)}: {self.annotation}"

    @property
    def statement(self) -> str:
        """The key in a TypedDict class."""
        return f"{self.wire}: {self.annotation}"


@dataclass(frozen=True, slots=True)
class TypedDictView:
    name: str
    keys: tuple[KeyView, ...]
    functional: bool
    doc: str = ""  # clean text (docstrings.class_text)

    @property
    def entries(self) -> list[tuple[str, str]]:
        """(key, description) of each key: the TypedDict docstring's Keys."""
        return [(k.wire, k.doc) for k in self.keys]


@dataclass(frozen=True, slots=True)
class ParamView:
    name: str
    annotation: str
    required: bool
    doc: str = ""  # clean text (docstrings.member_text)



@dataclass(frozen=True, slots=True)
class MethodView:
    name: str
    params: tuple[ParamView, ...]
    returns: str
    doc: str
    extra_kwargs: bool
    link: str = ""  # docstrings.see_also of the page's AWS API reference link

    @property
    def entries(self) -> list[tuple[str, str]]:
        """(parameter, description) of each parameter: the method docstring's Args."""
        return [(p.name, p.doc) for p in self.params]

    @property
    def params_text(self) -> str:
        """The parameter list, on one line (keyword-only after `self`)."""
        parts = ["self"]
        if self.params:
            parts.append("*")
        parts += [f"{p.name}: {p.annotation}" + ("" if p.required else " = ...") for p in self.params]
        if self.extra_kwargs:
            parts.append("**kwargs: Any")
        return ", ".join(parts)


def _typed_dict(names: ServiceNames, info: ClassInfo, flavour: Flavour, responses: str) -> TypedDictView:
    keys = []
    for wire, member in info.shape.members:
        ann = py_type(names, info.op, f"{info.path}.{wire}", member.shape, flavour)
        if flavour == "request":
            required = member.required and not member.autopopulated
        else:
            required = key_present(info.shape, member, responses)
        doc = docstrings.member_text(member.documentation, member.shape)
        keys.append(KeyView(wire, ann if required else f"NotRequired[{ann}]", doc))
    if flavour == "response" and info.name in names.top_responses:
        documented = {k.wire for k in keys}
        keys += [
            KeyView(key, annotation, doc)
            for key, (annotation, doc) in UNDOCUMENTED_RESPONSE_KEYS.items()
            if key not in documented
        ]
    # A key that is no identifier (or a dunder) is written as a string: functional syntax.
    functional = any(not is_identifier(k.wire) for k in keys)
    doc = docstrings.class_text(names, info)
    return TypedDictView(typed_dict_name(names, info.name, flavour), tuple(keys), functional, doc)


def method_view(
    name: str, page: Operation, annotation: Callable[[str, Member], str], returns: str, link: str = ""
) -> MethodView:
    """The method a page documents: its request's members as keyword-only parameters,
    each typed `annotation(wire name, member)` (one that cannot be a parameter goes
    through **kwargs, as does what a truncated request may hold)."""
    params = []
    extra = page.input.truncated
    for wire, member in page.input.members:
        if not is_identifier(wire, NOT_PARAMS):
            extra = True  # passed through **kwargs
            continue
        doc = docstrings.member_text(member.documentation, member.shape)
        params.append(ParamView(wire, annotation(wire, member), member.required and not member.autopopulated, doc))
    return MethodView(name, tuple(params), returns, page.documentation, extra, link)


def _method(names: ServiceNames, op: Operation) -> MethodView:
    if op.output is None:
        returns = "None"
    elif (response := names.response_class(op)) is not None:
        returns = typed_dict_name(names, response, "response")
    else:
        returns = py_type(names, op.name, "output", op.output, "response")

    def annotation(wire: str, member: Member) -> str:
        return py_type(names, op.name, f"input.{wire}", member.shape, "request")

    return method_view(op.name, op, annotation, returns, docstrings.see_also(op.api_url))


def emit_stubs(
    names: ServiceNames, package: str, extras: ClientExtras, responses: str = DEFAULT_RESPONSES
) -> str:
    """`responses`: which response keys are Required (config.RESPONSE_MODES)."""
    # (not the request of a boto3 method the template writes itself: no method takes it)
    replaced = {op.name for op in names.all_client_operations if extras.replaces(op)}
    classes = [i for i in names.classes if not (i.top and i.op in replaced)]
    typed_dicts = [_typed_dict(names, i, "request", responses) for i in classes if i.name in names.request_side]
    typed_dicts += [_typed_dict(names, i, "response", responses) for i in classes if i.name in names.response_side]
    typed_dicts.sort(key=lambda t: t.name)
    methods = [
        _method(names, op)
        for op in names.all_client_operations
        if not extras.replaces(op)  # boto3's own methods: the template writes them
    ]
    helpers = (*extras.paginators, *extras.waiters)
    # (one separator between all: the last key's type must not run into the first parameter's)
    text = " ".join([
        *(k.annotation for t in typed_dicts for k in t.keys),
        *(p.annotation for m in methods for p in m.params),
        *(m.returns for m in methods),
        extras.annotations,
    ])
    return render(
        "client.pyi.jinja2",
        names=names,
        package=package,
        typed_dicts=typed_dicts,
        methods=methods,
        extras=extras,
        uses_any="Any" in text or any(m.extra_kwargs for m in (*methods, *(h.method for h in helpers))),
        uses_datetime="datetime" in text,
        uses_io="IO[" in text,
        uses_mapping="Mapping[" in text,
        uses_sequence="Sequence[" in text,
        uses_literal=bool(names.enums or extras.paginators or extras.waiters),
        uses_overload=len(extras.paginators) > 1 or len(extras.waiters) > 1,
        botocore_imports=_botocore_imports(extras, text),
        aliases=stub_aliases(names, {t.name for t in typed_dicts} | {e.name for e in names.enums}),
    )


def _botocore_imports(extras: ClientExtras, text: str) -> list[tuple[str, str]]:
    """What the stub takes from the package's _botocore.pyi: (name, local alias)."""
    from codegen.emit.boto3_methods import BOTO3_IMPORTS

    used = set(re.findall(r"\w+", text))
    wanted = {"_ClientError", "_ClientMeta"}  # (the exceptions container's base, `meta`)
    if extras.generic_paginator:
        wanted.add("_Paginator")
    if extras.generic_waiter:
        wanted.add("_Waiter")
    return [(name, alias) for name, alias in (*BOTOCORE_IMPORTS, *BOTO3_IMPORTS) if alias in wanted | used]
