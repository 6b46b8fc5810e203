"""Shape tree → Markdown: per service an index, a page per operation (request and response
syntax, tables, exceptions, paginator, waiters), a page per structure, an exceptions page;
and an `mkdocs.yml` with the navigation.

Layout of `docs/<module>/`: `index.md`, `<operation>.md`, `exceptions.md`,
`structures/index.md`, `structures/<Class>.md`. A request or response class is
documented on its operation's page (`#request`, `#response`), every other class on its
own page. Page text goes through codegen/escape.py (md_text, md_cell, md_code, md_fence).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from codegen.emit.docsyntax import request_example, response_example
from codegen.emit.env import md_code_cached, render
from codegen.emit.rendermemo import RenderMemo, ServiceTitle, render_into
from codegen.emit.types import py_type
from codegen.escape import md_code, md_fence
from codegen.naming import ClassInfo, ServiceNames, is_class_shape, snake_case
from codegen.tree import Operation, Shape

STRUCTURES = "structures"
EXCEPTIONS_PAGE = "exceptions.md"
OP_ROW_LEVELS = 2  # member rows on an operation page: the linked structure pages have the rest


@dataclass(frozen=True, slots=True)
class RowView:
    path: str
    type: str
    required: bool
    values: str
    doc: str


@dataclass(frozen=True, slots=True)
class HelperView:
    """A paginator or waiter of an operation, from its own page."""

    kind: str  # "paginator" | "waiter"
    name: str  # the page name (`ListModelPackages`, `EndpointInService`)
    doc: str
    code: str  # fenced syntax example


def slug(text: str) -> str:
    """The anchor Python-Markdown's toc extension (mkdocs) gives a heading: GitHub's for
    the names used here (letters, digits, `_`)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


class Links:
    """Where each class of a service is documented, as a link from a page `depth` folders
    below `docs/<module>/` (0: an operation page, 1: a structure page)."""

    def __init__(self, names: ServiceNames) -> None:
        self.names = names
        self.top: dict[str, tuple[str, str]] = {}
        for op in names.operations:
            self.top[names.request_class(op)] = (op.name, "request")
            response = names.response_class(op)
            if response is not None:
                self.top[response] = (op.name, "response")
        wanted = names.api_classes()
        self.pages = sorted(
            (c for c in names.classes if c.name in wanted and c.name not in self.top), key=lambda c: c.name
        )
        lowered: dict[str, int] = {}
        for c in self.pages:
            lowered[c.name.lower()] = lowered.get(c.name.lower(), 0) + 1
        # One file per class, also on a case-insensitive file system: names that differ
        # only in case get a suffix from their own capitals (a function of the name alone).
        self.stem = {
            c.name: c.name if lowered[c.name.lower()] == 1 else f"{c.name}-{_capitals(c.name):x}" for c in self.pages
        }

    def href(self, name: str, depth: int) -> str:
        up = "../" * depth
        if name in self.top:
            op, anchor = self.top[name]
            return f"{up}{op}.md#{anchor}"
        if depth == 1:
            return f"{self.stem[name]}.md"
        return f"{up}{STRUCTURES}/{self.stem[name]}.md"

    def link(self, name: str, depth: int) -> str:
        return f"[`{name}`]({self.href(name, depth)})"


def _capitals(name: str) -> int:
    return sum(1 << i for i, ch in enumerate(name) if ch.isupper())


def _classes_in(names: ServiceNames, op: str, path: str, shape: Shape) -> list[str]:
    if shape.type == "recursive":
        target = names.by_path.get((op, path))
        return [target] if target else []
    if is_class_shape(shape):
        return [names.class_at(op, path)]
    if shape.type == "list" and shape.member is not None:
        return _classes_in(names, op, path + "[]", shape.member)
    if shape.type == "map" and shape.value is not None:
        return _classes_in(names, op, path + "{}", shape.value)
    return []


def _type_cell(links: Links, op: str, path: str, shape: Shape, depth: int) -> str:
    names = links.names
    text = md_code_cached(py_type(names, op, path, shape, "model").replace("|", "or"), cell=True)
    found = [links.link(c, depth) for c in _classes_in(names, op, path, shape)]
    return text + (" → " + ", ".join(found) if found else "")


@lru_cache(maxsize=1 << 12)  # (an enum recurs in every row of every page that holds it)
def _values(enum: tuple[str, ...]) -> str:
    """A row's allowed values: the first 12."""
    return ", ".join(md_code_cached(v, cell=True) for v in enum[:12]) + (" ..." if len(enum) > 12 else "")


def _rows(links: Links, op: str, path: str, shape: Shape, shown: str, limit: int, depth: int) -> list[RowView]:
    """Flattened member rows below a structure, at most `limit` levels deep."""
    rows: list[RowView] = []
    if limit == 0:
        return rows
    for wire, member in shape.members:
        mpath, mshown = f"{path}.{wire}", f"{shown}.{wire}" if shown else wire
        ms = member.shape
        values = _values(ms.enum) if ms.enum else ""
        rows.append(RowView(mshown, _type_cell(links, op, mpath, ms, depth), member.required, values, member.documentation))
        sub_path, sub_shown = mpath, mshown
        while ms.type in ("list", "map"):
            if ms.type == "list" and ms.member is not None:
                sub_path, sub_shown, ms = sub_path + "[]", sub_shown + "[]", ms.member
            elif ms.value is not None:
                sub_path, sub_shown, ms = sub_path + "{}", sub_shown + "{}", ms.value
        if is_class_shape(ms):
            rows.extend(_rows(links, op, sub_path, ms, sub_shown, limit - 1, depth))
    return rows


def helpers_by_api(others: Iterable[Operation]) -> dict[str, list[Operation]]:
    """Paginator and waiter pages by the API operation they drive (their API name)."""
    found: dict[str, list[Operation]] = {}
    for other in sorted(others, key=lambda o: o.sort_key):
        if other.kind in ("paginator", "waiter") and other.api_name:
            found.setdefault(other.api_name, []).append(other)
    return found


def waiter_name(page_name: str) -> str:
    """The name `client.get_waiter` takes for a waiter page (`EndpointInService` →
    `endpoint_in_service`), as botocore's xform_name makes it."""
    return snake_case(page_name)


def _helper(op: Operation, helper: Operation) -> HelperView:
    if helper.kind == "paginator":
        head = f"paginator = client.get_paginator({op.name!r})\nresponse_iterator = paginator.paginate"
    else:
        head = f"waiter = client.get_waiter({waiter_name(helper.name)!r})\nwaiter.wait"
    return HelperView(helper.kind, helper.name, helper.documentation, md_fence(request_example(helper.input, head), "python"))


def _exception_link(name: str) -> str:
    # (a name that is not an identifier has no anchor that Markdown and `slug` agree on)
    code = md_code(name)
    return f"[{code}]({EXCEPTIONS_PAGE}#{slug(name)})" if name.isidentifier() else code


@dataclass(frozen=True, slots=True)
class OperationHeading:
    """What an operation page says of the operation beside its tables (not the whole
    operation: codegen/emit/rendermemo.py fingerprints what the template is given)."""

    name: str
    api_name: str | None
    api_url: str
    deprecated: bool
    documentation: str
    has_output: bool
    output_documentation: str

    @classmethod
    def of(cls, op: Operation) -> OperationHeading:
        output = op.output
        return cls(op.name, op.api_name, op.api_url, op.deprecated, op.documentation, output is not None,
                   "" if output is None else output.documentation)


def emit_operation_doc(
    names: ServiceNames, op: Operation, package: str, helpers: Sequence[Operation] = (), links: Links | None = None
) -> str:
    files: dict[str, str] = {}
    _operation_doc(files, None, "", names, op, package, helpers, links)
    return files[""]


def _operation_doc(
    files: dict[str, str], memo: RenderMemo | None, rel: str,
    names: ServiceNames, op: Operation, package: str, helpers: Sequence[Operation] = (), links: Links | None = None
) -> None:
    links = links or Links(names)
    response = names.response_class(op)
    render_into(
        files, rel, memo,
        "operation.md.jinja2",
        names=ServiceTitle.of(names),
        op=OperationHeading.of(op),
        package=package,
        request=names.request_class(op),
        response=response,
        request_code=md_fence(request_example(op.input, f"response = client.{op.name}"), "python"),
        response_code=None if op.output is None else md_fence(response_example(op.output), "python"),
        params=_rows(links, op.name, "input", op.input, "", OP_ROW_LEVELS, 0),
        result=[] if op.output is None or response is None else _rows(links, op.name, "output", op.output, "", OP_ROW_LEVELS, 0),
        exceptions=[_exception_link(e) for e in op.exceptions],
        paginators=[_helper(op, h) for h in helpers if h.kind == "paginator"],
        waiters=[_helper(op, h) for h in helpers if h.kind == "waiter"],
    )


def emit_service_index(names: ServiceNames, package: str, links: Links | None = None) -> str:
    links = links or Links(names)
    ops = [
        (op, links.link(names.request_class(op), 0), links.link(r, 0) if (r := names.response_class(op)) else "`None`")
        for op in names.operations
    ]
    return render("service_index.md.jinja2", names=names, package=package, ops=ops)


USED_BY_SHOWN = 20


def _used_by(names: ServiceNames) -> dict[str, list[str]]:
    """Class → the operations whose request or response contains it."""
    found: dict[str, list[str]] = {}
    for op in names.operations:
        roots = [names.request_class(op), *filter(None, [names.response_class(op)])]
        for name in sorted(names.reachable(roots)):
            found.setdefault(name, []).append(op.name)
    return found


def emit_structure_docs(
    names: ServiceNames, package: str, links: Links | None = None, memo: RenderMemo | None = None
) -> dict[str, str]:
    """`structures/<Class>.md` for every class not documented on an operation page, and
    `structures/index.md` listing them; paths relative to the service's docs folder.
    `memo`: the pages it keeps are left out."""
    links = links or Links(names)
    used_by = _used_by(names)
    title = ServiceTitle.of(names)
    files: dict[str, str] = {}
    for c in links.pages:
        render_into(
            files, f"{STRUCTURES}/{links.stem[c.name]}.md", memo,
            "structure.md.jinja2",
            names=title,
            package=package,
            name=c.name,
            documentation=c.shape.documentation,
            rows=_rows(links, c.op, c.path, c.shape, "", 1, 1),
            used_by=used_by.get(c.name, [])[:USED_BY_SHOWN],
            more=max(0, len(used_by.get(c.name, [])) - USED_BY_SHOWN),
        )
    groups: dict[str, list[ClassInfo]] = {}
    for c in links.pages:
        groups.setdefault(c.name[0].upper(), []).append(c)
    files[f"{STRUCTURES}/index.md"] = render(
        "structures_index.md.jinja2", names=names, package=package, groups=sorted(groups.items()), links=links
    )
    return files


def emit_exceptions_doc(names: ServiceNames, package: str) -> str:
    raised: dict[str, list[str]] = {}
    for op in names.operations:
        for e in op.exceptions:
            raised.setdefault(e, []).append(op.name)
    entries = [
        (e, md_fence(f"except client.exceptions.{e}:", "python") if e.isidentifier() else "", ops)
        for e, ops in sorted(raised.items())
    ]
    return render("exceptions.md.jinja2", names=names, package=package, raised=entries)


def emit_service_docs(
    names: ServiceNames, package: str, others: Iterable[Operation] = (), memo: RenderMemo | None = None
) -> dict[str, str]:
    """Every page of one service, by path relative to `docs/<module>/`. `memo`: the pages
    it keeps are left out."""
    links = Links(names)
    helpers = helpers_by_api(others)
    files = {"index.md": emit_service_index(names, package, links), EXCEPTIONS_PAGE: emit_exceptions_doc(names, package)}
    files.update(emit_structure_docs(names, package, links, memo))
    for op in names.operations:
        _operation_doc(files, memo, f"{op.name}.md", names, op, package, helpers.get(op.api_name or "", []), links)
    return files


@dataclass(frozen=True, slots=True)
class NavService:
    service: str
    module: str
    operations: tuple[str, ...]


def emit_mkdocs(package: str, services: Iterable[NavService]) -> str:
    """`mkdocs.yml` beside `docs/`: every page but the structure pages in the navigation
    (those are reached from the structures index and the links). Values are written as
    JSON strings, which YAML reads as the same strings."""
    return render("mkdocs.yml.jinja2", package=package, services=list(services), q=json.dumps)
