"""A parsed page → its Operation: the method's signature, description, fields,
Request/Response Syntax blocks and Exceptions, checked for what a damaged page loses."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar, cast

from docutils import nodes

from codegen import naming
from codegen.escape import shown
from codegen.rst import items, syntax
from codegen.rst.directives import desc, xref
from codegen.rst.entries import Context, Entry, cut_off_fields, doc_text, entries_of, first_method_text, is_union, split_body
from codegen.rst.errors import NotAMethodPage, PageError
from codegen.rst.markers import REQUIRED, TOO_LARGE, TYPE_MARKERS, TypeMarker, check_marker, raw_text, type_marker
from codegen.rst.shapes import build_shape, build_structure, from_syntax, resolve_recursion, with_targets
from codegen.rst.text import blocks_text
from codegen.tree import EMPTY_STRUCTURE, Operation, OperationKind, Shape, api_url_ok


_KIND_BY_CLASS: dict[str, OperationKind] = {
    "Client": "client",
    "Paginator": "paginator",
    "Waiter": "waiter",
}


_DEPRECATED = "This operation is deprecated"


_API_LINK = "AWS API Documentation"


def read_method(document: nodes.document, text: str, source: str, ctx: Context) -> Operation:
    try:
        method, kind, service, name = _find_method(document, source)
    except NotAMethodPage:
        folder = source.rsplit("/", 2)[-2] if source.count("/") >= 1 else ""
        if folder in ("client", "paginator", "waiter"):
            # boto3 writes only method pages there (its index and resource pages are in
            # other folders): this one is damaged, not to be skipped without a word.
            raise PageError(
                source, text.count("\n") + 1, f"no method on a page in a {folder}/ folder (truncated?)"
            ) from None
        raise
    service_id = _service_id(document, source)
    _check_body_complete(method, source)
    body = flat(method.children)
    if not body:
        # (every method of the reference has a description, at least)
        raise PageError(source, text.count("\n") + 1, "truncated page: the method has no body")
    _check_body_open(body, source)
    if ctx.sections.exceptions is not None:
        _check_exceptions_cut(body)

    api_name, api_url = _api_link(body, source)
    deprecated = any(
        isinstance(n, nodes.danger) and _DEPRECATED in n.astext() for n in body
    )
    fields = _fields(body)
    if not fields and _has_arguments(method):
        # (the only pages of the reference without fields are the `close()` methods')
        raise PageError(source, text.count("\n") + 1, "truncated page: ends before the method's fields")
    request_block = _syntax_block(body, "Request Syntax")
    tail = _after_fields(body)
    has_response = any(
        f[0] in ("returns", "return") and _has_response_structure(flat(f[1].children) + tail)
        for f in fields
    )
    model_driven = api_name is not None or request_block is not None or has_response

    if model_driven and request_block is None:
        raise PageError(source, method.line, "page has no Request Syntax block")
    if model_driven and not any(f[0] in ("returns", "return") for f in fields):
        last = text.count("\n") + 1
        raise PageError(source, last, "truncated page: ends before its :returns: field")
    request_syntax: syntax.SyntaxDict | None = None
    if request_block is not None and not _truncated(request_block):
        request_syntax = _parse_block(request_block, source, syntax.parse_request)

    if _parameters_truncated(body, request_block):
        input_shape = from_syntax(request_syntax, "input", ctx)
    else:
        input_shape = _input(
            fields, request_syntax, ctx, truncated=_truncated(request_block), cut=cut_off_fields(body)
        )
    output_shape = _output(fields, tail, ctx, model_driven)
    resolve_recursion(input_shape, output_shape, ctx)

    return Operation(
        service=service,
        service_id=service_id,
        kind=kind,
        name=name,
        api_name=api_name,
        api_url=api_url,
        documentation=_description(body),
        deprecated=deprecated,
        input=with_targets(input_shape, "input", ctx),
        output=None if output_shape is None else with_targets(output_shape, "output", ctx),
        exceptions=tuple(_exceptions(body)),
        source=source,
    )


def _find_method(document: nodes.document, source: str) -> tuple[desc, OperationKind, str, str]:
    for node in document.findall(desc):
        signature = str(node["signature"])
        path = signature.split("(", 1)[0].strip()
        parts = path.split(".")
        if node["objtype"] == "method" and len(parts) == 3 and parts[1] == "Client":
            _check_names(source, node, parts[0], "client", parts[2])
            return node, "client", parts[0], parts[2]
        if node["objtype"] == "class" and len(parts) == 3 and parts[1] in _KIND_BY_CLASS:
            inner = next((d for d in node.findall(desc) if d is not node), None)
            if inner is None or inner["objtype"] != "method":
                raise PageError(source, node.line, f"{shown(path)} has no method")
            _check_names(source, node, parts[0], _KIND_BY_CLASS[parts[1]], parts[2])
            return inner, _KIND_BY_CLASS[parts[1]], parts[0], parts[2]
    raise NotAMethodPage(source)


def _check_body_complete(method: desc, source: str) -> None:
    """A page whose method text goes on after the method's body has ended: a line
    indented less than the body (an edit, a bad merge) ends the directive there, and the
    rest would otherwise be dropped without a word, leaving a method with no parameters."""
    node: nodes.Node = method
    while node.parent is not None:
        siblings = node.parent.children
        for after in siblings[siblings.index(node) + 1 :]:
            # (real pages have nothing after the method: this walks nothing)
            stray = first_method_text(after)
            if stray is not None:
                line = stray.line or next((n.line for n in stray.findall() if n.line), None)
                raise PageError(
                    source, line, "method text after the end of the method's body (indented less than it)"
                )
        node = node.parent


def _check_body_open(body: Sequence[nodes.Node], source: str) -> None:
    """A page whose method text went into some block of the body (a `.. note::` whose
    indentation slipped holds everything after it): its fields would not be seen, and
    the method read as one without parameters."""
    for node in body:
        if isinstance(node, (nodes.field_list, nodes.paragraph, nodes.literal_block, items.ExceptionList)):
            continue
        stray = first_method_text(node)
        if stray is not None:
            line = stray.line or next((n.line for n in stray.findall() if n.line), None)
            raise PageError(
                source, line, f"method text inside a {type(node).__name__} (its indentation is off)"
            )


def _has_arguments(method: desc) -> bool:
    arguments = str(method["signature"]).partition("(")[2]
    return bool(arguments.removesuffix(")").strip()) or not arguments.endswith(")")


def _check_names(source: str, node: nodes.Node, service: str, kind: OperationKind, name: str) -> None:
    """The names of the signature become Python names: validated here, so that a page
    with a bad one fails on its own line (codegen/naming.py)."""
    try:
        naming.check_service_name(service)
        if kind == "client":
            naming.check_operation_name(name)
        else:
            naming.check_name(f"{kind} name", name)
    except naming.InvalidName as exc:
        raise PageError(source, node.line, str(exc)) from None


def _service_id(document: nodes.document, source: str) -> str:
    """The boto3 service name: the target of the breadcrumb's `:doc:` link."""
    for ref in document.findall(xref):
        if ref["role"] == "doc":
            service_id = str(ref["target"]).rstrip("/").rsplit("/", 1)[-1]
            try:
                return naming.check_service_id(service_id)
            except naming.InvalidName as exc:
                raise PageError(source, _line_of(ref), str(exc)) from None
    raise PageError(source, 1, "no service id: the page has no breadcrumb `:doc:` link")


def _line_of(node: nodes.Node) -> int | None:
    """The line of a node, or of its nearest ancestor that has one (inline nodes have none)."""
    current: nodes.Node | None = node
    while current is not None:
        if current.line:
            return current.line
        current = current.parent
    return None


def _api_link(body: Sequence[nodes.Node], source: str) -> tuple[str | None, str]:
    """The operation's API name (the link's last segment, checked) and the link itself,
    kept only if tree.api_url_ok: a link elsewhere stays out of docstrings and docs."""
    for node in body:
        if isinstance(node, nodes.paragraph) and node.astext().startswith("See also:"):
            for ref in node.findall(nodes.reference):
                if ref.astext().strip() == _API_LINK and ref.get("refuri"):
                    url = str(ref["refuri"])
                    name = url.rstrip("/").rsplit("/", 1)[-1]
                    try:
                        return naming.check_api_name(name), url if api_url_ok(url) else ""
                    except naming.InvalidName as exc:
                        raise PageError(source, _line_of(node), str(exc)) from None
    return None, ""


def _is_heading(node: nodes.Node, title: str) -> bool:
    return isinstance(node, nodes.paragraph) and node.astext().strip() == title


def _description(body: Sequence[nodes.Node]) -> str:
    blocks: list[nodes.Node] = []
    for node in body:
        if isinstance(node, nodes.field_list) or _is_heading(node, "Request Syntax"):
            break
        if isinstance(node, nodes.paragraph) and node.astext().startswith("See also:"):
            continue
        if isinstance(node, nodes.danger) and _DEPRECATED in node.astext():
            continue
        blocks.append(node)
    return blocks_text(blocks)


def _fields(body: Sequence[nodes.Node]) -> list[tuple[str, nodes.field_body, str, int]]:
    """(kind, body, argument, line) for every field of the method, in order."""
    out = []
    for node in body:
        if not isinstance(node, nodes.field_list):
            continue
        for fld in [c for c in node.children if isinstance(c, nodes.field)]:
            name = fld[0].astext().strip()
            kind, _, arg = name.partition(" ")
            line = fld.line or node.line or 0
            out.append((kind, cast(nodes.field_body, fld[1]), arg.strip(), line))
    return out


def _syntax_block(body: Sequence[nodes.Node], title: str) -> nodes.literal_block | None:
    for i, node in enumerate(body):
        if _is_heading(node, title):
            following = body[i + 1] if i + 1 < len(body) else None
            if isinstance(following, nodes.literal_block):
                return following
            return None
    return None


def _block_text(block: nodes.literal_block) -> str:
    # A truncated Parameters section is written indented under the request syntax,
    # so docutils reads it as part of the same literal block.
    text = block.astext()
    cut = text.find("\n**Parameters**")
    return text if cut < 0 else text[:cut]


def _truncated(block: nodes.Node | None) -> bool:
    return isinstance(block, nodes.literal_block) and block.astext().lstrip().startswith(TOO_LARGE)


def _parameters_truncated(body: Sequence[nodes.Node], request: nodes.literal_block | None) -> bool:
    if request is not None and "\n**Parameters**" in request.astext():
        return TOO_LARGE in request.astext().split("\n**Parameters**", 1)[1]
    return _truncated(_syntax_block(body, "Parameters"))


_T = TypeVar("_T")


def _parse_block(block: nodes.literal_block, source: str, fn: Callable[[str, int], _T]) -> _T:
    try:
        return fn(_block_text(block), (block.line or 1) - 1)
    except syntax.SyntaxBlockError as exc:
        raise PageError(source, (block.line or 1) + exc.line - 1, str(exc)) from None


def _astext_is(node: nodes.Node, wanted: str) -> bool:
    """`node.astext().strip() == wanted`, without making all the text of a big node
    (a response body): its pieces, in order, until there are too many characters."""
    most = sum(not c.isspace() for c in wanted)
    pieces: list[str] = []
    seen = 0
    for piece in _astext_pieces(node):
        pieces.append(piece)
        seen += sum(not c.isspace() for c in piece)
        if seen > most:
            return False
    return "".join(pieces).strip() == wanted


def _astext_pieces(node: nodes.Node) -> Iterator[str]:
    """The strings that `node.astext()` joins, in order."""
    if type(node).astext is nodes.Element.astext and isinstance(node, nodes.Element):
        for i, child in enumerate(node.children):
            if i:
                yield node.child_text_separator
            yield from _astext_pieces(child)
    else:
        yield node.astext()


def _has_response_structure(children: Sequence[nodes.Node]) -> bool:
    return any(_is_heading(n, "Response Structure") for n in children)


def flat(children: Sequence[nodes.Node]) -> list[nodes.Node]:
    """Body elements with block quotes opened: boto3 sometimes indents a section
    heading or block deeper or shallower than its neighbours, which docutils reads
    as a block quote or as the end of a field list."""
    out: list[nodes.Node] = []
    for child in children:
        if isinstance(child, nodes.block_quote):
            out.extend(flat(child.children))
        else:
            out.append(child)
    return out


def _after_fields(body: list[nodes.Node]) -> list[nodes.Node]:
    """What follows the last field list up to the Exceptions heading: where the rest
    of a `:returns:` field lands when its indentation slips."""
    last = max((i for i, n in enumerate(body) if isinstance(n, nodes.field_list)), default=None)
    if last is None:
        return []
    tail = body[last + 1 :]
    end = next((i for i, n in enumerate(tail) if _is_exceptions(n)), len(tail))
    return tail[:end]


def _is_exceptions(node: nodes.Node) -> bool:
    return isinstance(node, items.ExceptionList) or _is_heading(node, "Exceptions")


def _check_exceptions_cut(body: Sequence[nodes.Node]) -> None:
    """The Exceptions list cut out of the page (items.cut_sections) is read as the
    whole page's would be only where the method's body holds it after its fields."""
    at = next((i for i, n in enumerate(body) if isinstance(n, items.ExceptionList)), None)
    if at is None or not any(isinstance(n, nodes.field_list) for n in body[:at]):
        raise items.Unsure


def _exceptions(body: Sequence[nodes.Node]) -> Iterator[str]:
    for i, node in enumerate(body):
        if isinstance(node, items.ExceptionList):
            for target in node["targets"]:
                yield str(target).rsplit(".", 1)[-1]
            return
        if _is_heading(node, "Exceptions"):
            for lst in body[i + 1 :]:
                if not isinstance(lst, nodes.bullet_list):
                    break
                for ref in lst.findall(xref):
                    yield str(ref["target"]).rsplit(".", 1)[-1]
            return


def _input(
    fields: list[tuple[str, nodes.field_body, str, int]],
    request: syntax.SyntaxDict | None,
    ctx: Context,
    truncated: bool,
    cut: set[int],
) -> Shape:
    types = {arg: (body, line) for kind, body, arg, line in fields if kind == "type"}
    entries: list[Entry] = []
    for kind, body, arg, line in fields:
        if kind != "param":
            continue
        cut_type = ctx.sections.types.get(arg)
        if cut_type is not None:
            marker = TYPE_MARKERS[cut_type]  # (its field cut out of the skeleton: items.py)
        else:
            type_body, type_line = types.get(arg, (None, line))
            if type_body is None:
                raise PageError(ctx.source, line, f"parameter {arg!r} has no :type: field")
            marker = type_marker(raw_text(type_body), ctx.source, type_line)
        children = list(body.children)
        required = False
        if children and isinstance(children[0], nodes.paragraph):
            raw = children[0].rawsource.strip()
            check_marker(raw, ctx.source, line)
            if raw.startswith(REQUIRED):
                required = True
                rest = raw[len(REQUIRED) :].strip()
                children = children[1:]
                if rest:
                    children.insert(0, nodes.paragraph(text=rest))
        docs, kids = split_body(children)
        cut_off = id(body) in cut
        params = tuple(entries_of(kids, ctx, 1, cut_off))
        entries.append(Entry(arg, marker, required, doc_text(docs), is_union(docs), params, line, cut_off))
    root = Entry(None, TypeMarker("dict"), False, "", False, tuple(entries), 0)
    if not entries and request is None:
        return replace(EMPTY_STRUCTURE, truncated=truncated)
    shape = build_structure(root, "input", request, ctx, "", event_stream=False)
    return replace(shape, truncated=truncated)


def _output(
    fields: list[tuple[str, nodes.field_body, str, int]],
    tail: list[nodes.Node],
    ctx: Context,
    model_driven: bool,
) -> Shape | None:
    returns = next(((b, line) for k, b, _, line in fields if k in ("returns", "return")), None)
    rtype = next((raw_text(b) for k, b, _, _ in fields if k == "rtype"), None)
    if returns is None:
        return None
    body, line = returns
    if _astext_is(body, "None"):
        return None
    children = flat(body.children) + tail
    if not _has_response_structure(children):
        if model_driven:
            raise PageError(ctx.source, line, "returns a value but has no Response Structure")
        if rtype is None:
            return None
        marker = type_marker(rtype, ctx.source, line)
        return Shape(type=marker.type if marker.type != "dict" else "document", documentation=blocks_text(children))  # type: ignore[arg-type]
    block = _syntax_block(children, "Response Syntax")
    if block is None:
        raise PageError(ctx.source, line, "page has no Response Syntax block")
    response = None if _truncated(block) else _parse_block(block, ctx.source, syntax.parse_response)
    if _truncated(_syntax_block(children, "Response Structure")):
        return from_syntax(response, "output", ctx)
    idx = next(i for i, n in enumerate(children) if _is_heading(n, "Response Structure"))
    lst = next((n for n in children[idx + 1 :] if isinstance(n, nodes.bullet_list)), None)
    roots = entries_of(lst, ctx)
    if len(roots) != 1 or roots[0].name is not None:
        raise PageError(ctx.source, line, "Response Structure is not a single `*(dict) --*` entry")
    root = roots[0]
    shape = build_shape(root, "output", response, ctx, root.doc)
    return replace(shape, truncated=True) if response is None else shape
