"""One reference page → one Operation of the shape tree.

The page is parsed by docutils; the method body gives the description, the `:type:` /
`:param:` fields and the nested `- **Name** *(type) --*` bullets (members, types,
`[REQUIRED]`, documentation); the Request/Response Syntax blocks give what the bullets
cannot (enum values, recursion) and are checked against the bullets path by path.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter, deque
from contextlib import contextmanager
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar, cast

from docutils import frontend, nodes, utils
from docutils.parsers.rst import Parser

from codegen import gcpause, naming
from codegen.escape import printable, shown
from codegen.rst import items, syntax
from codegen.rst.directives import desc, register, xref
from codegen.rst.text import blocks_text, inline_text
from codegen.tree import EMPTY_STRUCTURE, Member, Operation, OperationKind, Shape, api_url_ok

_KIND_BY_CLASS: dict[str, OperationKind] = {
    "Client": "client",
    "Paginator": "paginator",
    "Waiter": "waiter",
}
_HEADER = re.compile(
    r"^(?:\*\*(?P<name>[^*]+)\*\*\s+)?"
    r"(?:\*\((?P<plain>[^)]*)\) --\*|\((?P<special>.*?)\) --)"
    r"\s*(?P<required>\*\*\[REQUIRED\]\*\*)?\s*(?P<rest>.*)$",
    re.DOTALL,
)
_REQUIRED = "**[REQUIRED]**"
_AUTOPOPULATED = "This field is autopopulated if not provided."
_DEPRECATED = "This operation is deprecated"
_UNION_NOTE = re.compile(r"This is a Tagged Union structure\. Only one of the\s+following top level keys")
_API_LINK = "AWS API Documentation"


@dataclass(frozen=True, slots=True)
class TypeMarker:
    """What a `(type)` marker or `:type:` field says."""

    type: str  # a contract type, or "dict" until the children decide structure vs map
    streaming: bool = False
    event_stream: bool = False
    json_value: bool = False
    python_type: str = ""


# Model-driven markers (botocore's py_type_name and its special type names), then the
# Python types that boto3's hand-written methods (upload_file, ...) document.
TYPE_MARKERS: dict[str, TypeMarker] = {
    "string": TypeMarker("string"),
    "integer": TypeMarker("integer"),
    "float": TypeMarker("float"),
    "boolean": TypeMarker("boolean"),
    "datetime": TypeMarker("timestamp"),
    "bytes": TypeMarker("blob"),
    "dict": TypeMarker("dict"),
    "list": TypeMarker("list"),
    ":ref:`document<document>`": TypeMarker("document"),
    "JSON serializable": TypeMarker("document", json_value=True),
    "bytes or seekable file-like object": TypeMarker("blob", streaming=True),
    ":class:`.StreamingBody`": TypeMarker("blob", streaming=True),
    ":class:`.EventStream`": TypeMarker("structure", event_stream=True),
    # boto3 customisations and hand-written methods
    "*dict*": TypeMarker("document"),
    "str or dict": TypeMarker("string", python_type="str | dict"),
    "str": TypeMarker("string"),
    "int": TypeMarker("integer"),
    "bool": TypeMarker("boolean"),
    "a file-like object": TypeMarker("blob", streaming=True),
    "function": TypeMarker("document", python_type="Callable"),
    "boto3.s3.transfer.TransferConfig": TypeMarker(
        "document", python_type="boto3.s3.transfer.TransferConfig"
    ),
    "botocore or boto3 Client": TypeMarker("document", python_type="botocore.client.BaseClient"),
    "botocore.paginate.Paginator": TypeMarker("document", python_type="botocore.paginate.Paginator"),
    "botocore.waiter.Waiter": TypeMarker("document", python_type="botocore.waiter.Waiter"),
}
TOO_LARGE = "# This section is too large to render."


class PageError(Exception):
    """A page that cannot be read as a reference page; carries the file and line."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.source = source
        self.line = line or 1
        self.message = message

    def __str__(self) -> str:
        return f"{printable(self.source)}:{self.line}: {printable(_FOLD.sub(' ', self.message))}"

    def __reduce__(self) -> tuple[type[PageError], tuple[str, int, str]]:
        return (PageError, (self.source, self.line, self.message))


_FOLD = re.compile(r"\s*[\r\n]\s*")


class NotAMethodPage(Exception):
    """A page without a client/paginator/waiter method (service index, resource page)."""


@dataclass(slots=True)
class _Context:
    source: str
    # (path, type marker, text) of each `{'... recursive ...'}` node met while building
    recursive: list[tuple[str, str, str]] = field(default_factory=list)
    # path → the ancestor it repeats, once the whole operation is built
    targets: dict[str, str] = field(default_factory=dict)
    # Read by content (items.py): the page's runs of entries, what each entry reads as
    # (by its index in cut.keys), and the runs read so far.
    cut: items.Cut | None = None
    entries: dict[int, _Entry] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    pending: dict[int, nodes.Node] = field(default_factory=dict)  # parsed, not read yet
    sections: items.Sections = field(default_factory=items.Sections)  # cut from the skeleton


# --- docutils ------------------------------------------------------------------------

_parser: Parser | None = None
_settings: frontend.Values | None = None


def _docutils() -> tuple[Parser, frontend.Values]:
    global _parser, _settings
    if _settings is None:
        register()
        _settings = frontend.get_default_settings(Parser)
        _settings.report_level = 5
        _settings.halt_level = 5
        _settings.warning_stream = False
        _settings.file_insertion_enabled = False
        _settings.raw_enabled = False
        # Enum lists of EC2 instance types make single lines of well over 10,000 characters.
        _settings.line_length_limit = 10_000_000
    if _parser is None:
        _parser = Parser()
    return _parser, _settings


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of a page, or a PageError naming the line of the first bad byte.
    A byte order mark is dropped and CRLF line ends read as LF: an editor on Windows
    adds them, and the page means the same."""
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if not data.strip():
        raise PageError(source, 1, "empty page")
    nul = data.find(b"\0")
    if nul >= 0:
        raise PageError(source, data.count(b"\n", 0, nul) + 1, "binary file (NUL byte)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PageError(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x})") from None


# Characters that str.splitlines (and so docutils) takes as line breaks, though the
# page author did not: a U+2028 inside a description would end a bullet entry early.
_STRAY_BREAKS = str.maketrans({c: " " for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
_HAS_STRAY_BREAK = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@contextmanager
def _gc_paused() -> Generator[None, None, None]:
    """No cyclic garbage collection while a page is parsed and read (codegen/gcpause.py).
    `parse_page` frees its tree itself (`_dismantle`)."""
    with gcpause.paused():
        yield


def doctree(text: str, source: str) -> nodes.document:
    """The page's doctree, as docutils parses it whole (PageError on an RST error)."""
    with _gc_paused():
        if _HAS_STRAY_BREAK.search(text):  # (rare; translate is slow on a long text)
            text = text.translate(_STRAY_BREAKS)
        return _rst(text, source)


class _Serious:
    """Counts the system messages of level >= 3 a parse reports (docutils' observer
    API), so that a clean parse need not look for them in the tree."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, message: nodes.system_message) -> None:
        if message["level"] >= 3:
            self.count += 1


def _rst(text: str, source: str) -> nodes.document:
    parser, settings = _docutils()
    document = utils.new_document(source, settings)
    serious = _Serious()
    document.reporter.attach_observer(serious)
    parser.parse(text, document)
    document.reporter.detach_observer(serious)
    if serious.count:
        for message in document.findall(nodes.system_message):
            if message["level"] >= 3:
                # (its paragraphs, on one line: the rest is the offending block, copied whole)
                what = " ".join(p.astext() for p in message.findall(nodes.paragraph))
                what = " ".join((what or message.astext()).split())
                raise PageError(source, message.get("line"), "RST: " + what)
    return document


# --- the page ------------------------------------------------------------------------


def parse_page(data: bytes, source: str) -> Operation:
    """One page's operation: read by content (`_read_by_content`), or, when that is
    unsure or finds an error, from docutils' parse of the whole page, whose errors
    carry the page's own lines."""
    with _gc_paused():
        text = _page_text(data, source)
        try:
            operation = _read_by_content(text, source)
            STATS["by content"] += 1
            return operation
        except Exception:  # (items.Unsure, a PageError, RecursionError: nothing is trusted)
            STATS["whole"] += 1
        return _read_whole(text, source)


def parse_page_whole(data: bytes, source: str) -> Operation:
    """parse_page from docutils' parse of the whole page, never by content (what
    parse_page falls back to, and what the tests compare it with)."""
    with _gc_paused():
        return _read_whole(_page_text(data, source), source)


def _page_text(data: bytes, source: str) -> str:
    text = decode(data, source)
    _check_layout(text, source)
    if _HAS_STRAY_BREAK.search(text):  # (rare; translate is slow on a long text)
        text = text.translate(_STRAY_BREAKS)
    return text


def _read_whole(text: str, source: str) -> Operation:
    try:
        document = _rst(text, source)
    except RecursionError:
        raise _too_deep(source) from None
    try:
        return _read(document, text, source, _Context(source))
    except RecursionError:
        raise _too_deep(source) from None
    finally:
        _dismantle(document)


# Pages read by content, and read whole (by choice or after an error), in this process.
STATS: Counter[str] = Counter()


# Entries read so far, by their text (dedented): what the reader made of each (frozen,
# so shared). Bounded by the length of the texts kept.
_MEMO: dict[str, _Entry] = {}
_MEMO_CHARS = 0
MAX_MEMO_CHARS = 64_000_000


def forget_entries() -> None:
    """Drop the entries memoised so far."""
    global _MEMO_CHARS
    _MEMO.clear()
    _MEMO_CHARS = 0


def _read_by_content(text: str, source: str) -> Operation:
    """The operation from the page's skeleton and its entries, each distinct entry
    parsed and read once (items.py). Unsure, PageError or RecursionError: read the
    page whole."""
    skeleton, runs = items.split(items.normalise(text), 0)
    skeleton, sections = items.cut_sections(skeleton)
    cut = items.Cut()
    ctx = _Context(source, cut=cut, sections=sections)
    todo = deque(cut.add_runs(runs))
    missing: list[int] = []
    parts: list[str] = []
    while todo:
        i = todo.popleft()
        known = _MEMO.get(cut.keys[i])
        if known is not None:
            ctx.entries[i] = known
            continue
        missing.append(i)
        inner, inner_runs = items.split(cut.keys[i], len(cut.runs))
        cut.within[i] = range(len(cut.runs), len(cut.runs) + len(inner_runs))
        todo.extend(cut.add_runs(inner_runs))
        parts.append(inner)
    document = _rst(skeleton + (items.batch(parts) if parts else ""), source)
    try:
        found, batch = items.placeholders(document, len(cut.runs), sections)
        if (batch is None) != (not missing) or (batch is not None and len(batch) != len(missing)):
            raise items.Unsure
        if batch is not None:
            _read_entries(cut, missing, batch, ctx)
        for run in found:
            run["method_text"] = any(ctx.entries[i].method_text for i in cut.runs[run["run"]])
        operation = _read(document, text, source, ctx)
        if len(ctx.consumed) != len(found):
            raise items.Unsure  # a run the reader did not read as entries
        return operation
    finally:
        _dismantle(document)


def _read_entries(cut: items.Cut, missing: list[int], batch: nodes.bullet_list, ctx: _Context) -> None:
    """Read the entries parsed in the batch (`missing`, in the batch's order) and
    memoise them."""
    ctx.pending = dict(zip(missing, batch.children))
    try:
        for i in missing:
            if i not in ctx.entries:
                _read_entry(i, ctx)
    finally:
        _dismantle(batch)


def _read_entry(i: int, ctx: _Context) -> _Entry:
    """Entry i of the batch (its own entries first, when _entries meets them)."""
    global _MEMO_CHARS
    assert ctx.cut is not None
    item = ctx.pending.pop(i, None)
    if not isinstance(item, nodes.list_item):
        raise items.Unsure
    entry = _entry(item, ctx, 1, False)
    if any(n not in ctx.consumed for n in ctx.cut.within[i]):
        raise items.Unsure  # a run of it read as something else
    ctx.entries[i] = entry
    key = ctx.cut.keys[i]
    if _MEMO_CHARS > MAX_MEMO_CHARS:
        forget_entries()
    _MEMO[key] = entry
    _MEMO_CHARS += len(key)
    return entry


# Nesting limits, set well above the deepest page of the boto3 1.44.8 reference: its
# bullets nest 20 entries deep and its text is indented at most 94 columns (a syntax
# block; bedrock-agent-runtime's invoke_flow); each entry is 2 columns deeper than its
# parent. Deeper pages are refused: docutils and the reader recurse once per level.
MAX_DEPTH = 64  # entries in entries (syntax.MAX_DEPTH: dicts and lists in a syntax block)
MAX_INDENT = 256  # columns of indentation, bullet markers included (`- - - x` nests too)
_TOO_INDENTED = re.compile(r"^(?:[ ]|[-*+](?= )){%d}" % MAX_INDENT, re.MULTILINE)
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


def _check_layout(text: str, source: str) -> None:
    """Refuse, before docutils sees it, a page docutils would misread or recurse on."""
    tab = _TAB_INDENT.search(text)
    if tab is not None:
        # boto3 indents with spaces; docutils takes a tab as 8 columns, so a page
        # re-indented with tabs silently nests entries under the wrong parents.
        line = text.count("\n", 0, tab.start()) + 1
        raise PageError(source, line, "tab in the indentation (reference pages are indented with spaces)")
    deep = _TOO_INDENTED.search(text)
    if deep is not None:
        line = text.count("\n", 0, deep.start()) + 1
        raise PageError(source, line, f"nested too deeply: indented over {MAX_INDENT} columns")


def _too_deep(source: str) -> PageError:
    # Nesting that stays under MAX_INDENT but still runs docutils out of stack (blocks
    # indented one column deeper each): the page is refused, the parser made anew.
    global _parser
    _parser = None
    return PageError(source, 1, "nested too deeply to read")


def _dismantle(document: nodes.Element) -> None:
    """Empty every children list of a doctree nobody needs any more: parent and child
    point at each other, so the tree would otherwise wait for the cycle collector,
    which walks it all; this way reference counting frees it at once."""
    stack: list[nodes.Node] = [document]
    while stack:
        children = stack.pop().children
        if children:
            stack.extend(children)
            children.clear()  # type: ignore[attr-defined]


def _read(document: nodes.document, text: str, source: str, ctx: _Context) -> Operation:
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
    body = _flat(method.children)
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
        f[0] in ("returns", "return") and _has_response_structure(_flat(f[1].children) + tail)
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
        input_shape = _from_syntax(request_syntax, "input", ctx)
    else:
        input_shape = _input(
            fields, request_syntax, ctx, truncated=_truncated(request_block), cut=_cut_off_fields(body)
        )
    output_shape = _output(fields, tail, ctx, model_driven)
    _resolve_recursion(input_shape, output_shape, ctx)

    return Operation(
        service=service,
        service_id=service_id,
        kind=kind,
        name=name,
        api_name=api_name,
        api_url=api_url,
        documentation=_description(body),
        deprecated=deprecated,
        input=_with_targets(input_shape, "input", ctx),
        output=None if output_shape is None else _with_targets(output_shape, "output", ctx),
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


_SECTIONS = ("Request Syntax", "Response Syntax", "Response Structure", "Exceptions")


def _check_body_complete(method: desc, source: str) -> None:
    """A page whose method text goes on after the method's body has ended: a line
    indented less than the body (an edit, a bad merge) ends the directive there, and the
    rest would otherwise be dropped without a word, leaving a method with no parameters."""
    node: nodes.Node = method
    while node.parent is not None:
        siblings = node.parent.children
        for after in siblings[siblings.index(node) + 1 :]:
            # (real pages have nothing after the method: this walks nothing)
            stray = _first_method_text(after)
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
        stray = _first_method_text(node)
        if stray is not None:
            line = stray.line or next((n.line for n in stray.findall() if n.line), None)
            raise PageError(
                source, line, f"method text inside a {type(node).__name__} (its indentation is off)"
            )


def _first_method_text(node: nodes.Node) -> nodes.Node | None:
    """`next(node.findall(_is_method_text), None)`, without findall's generators
    (it runs over every entry's text: a tenth of the reader's time)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if _is_method_text(current):
            return current
        children = current.children
        if children:
            stack.extend(reversed(children))
    return None


def _is_method_text(node: nodes.Node) -> bool:
    if isinstance(node, items.EntryRun):
        return bool(node.get("method_text"))  # (set once its entries are read)
    if isinstance(node, items.ExceptionList):
        return True  # (the Exceptions heading is)
    return isinstance(node, nodes.field_list) or (
        isinstance(node, nodes.paragraph) and node.astext().strip() in _SECTIONS
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


def _flat(children: Sequence[nodes.Node]) -> list[nodes.Node]:
    """Body elements with block quotes opened: boto3 sometimes indents a section
    heading or block deeper or shallower than its neighbours, which docutils reads
    as a block quote or as the end of a field list."""
    out: list[nodes.Node] = []
    for child in children:
        if isinstance(child, nodes.block_quote):
            out.extend(_flat(child.children))
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


# --- members -------------------------------------------------------------------------


def _raw(body: nodes.Element) -> str:
    """A field's text as written (roles kept), e.g. ``:ref:`document<document>` ``."""
    raw = " ".join(p.rawsource.strip() for p in body.findall(nodes.paragraph))
    return (raw or body.astext()).strip().strip("`") if raw.startswith("``") else (raw or body.astext()).strip()


def _marker(text: str, source: str, line: int | None) -> TypeMarker:
    marker = TYPE_MARKERS.get(text.strip())
    if marker is None:
        raise PageError(source, line, f"unknown type marker {text.strip()!r}")
    return marker


def _split_body(children: Sequence[nodes.Node]) -> tuple[list[nodes.Node], nodes.bullet_list | None]:
    """Documentation blocks, and the bullet list holding the child entries (if any)."""
    docs: list[nodes.Node] = []
    entries: nodes.bullet_list | None = None
    for child in children:
        if entries is None and isinstance(child, nodes.bullet_list) and _is_entry_list(child):
            entries = child
        elif entries is None:
            docs.append(child)
    return docs, entries


def _is_entry_list(lst: nodes.bullet_list) -> bool:
    if isinstance(lst, items.EntryRun):
        return True
    if lst.get("bullet") != "-" or not lst.children:
        return False
    first = lst.children[0]
    if not isinstance(first, nodes.list_item) or not first.children:
        return False
    head = first.children[0]
    return isinstance(head, nodes.paragraph) and bool(_HEADER.match(head.rawsource.strip()))


@dataclass(frozen=True, slots=True)
class _Entry:
    """What the reader makes of one `- **Name** *(type) --*` entry and its own entries:
    nothing but its text decides it (so it is memoised by its text, see _MEMO), bar
    `line` (its page's line, for errors; read by content, a line of no page) and
    `cut_off`, which the page decides (see _cut_off)."""

    name: str | None
    marker: TypeMarker
    required: bool
    doc: str  # its documentation (_text of its blocks)
    union: bool  # documented as a tagged union
    children: tuple[_Entry, ...]
    line: int
    # Its bullets may have been cut off by a description that breaks the page's
    # indentation upstream: it ends its list, and entries follow the list (see _entries).
    cut_off: bool = False
    height: int = 1  # levels of entries, itself included
    # Method text (a field list, a section heading) somewhere in it: an error where the
    # method's body is checked (_is_method_text), not inside a field.
    method_text: bool = False


def _entries(
    lst: nodes.bullet_list | None, ctx: _Context, depth: int = 1, cut_off: bool = False
) -> list[_Entry]:
    if lst is None:
        return []
    if isinstance(lst, items.EntryRun):
        return _run_entries(lst, ctx, depth, cut_off)
    listed = [item for item in lst.children if isinstance(item, nodes.list_item)]
    if listed:
        # A description whose lines boto3 indents less than the entry (apigatewayv2's
        # integrations) ends the entry, its list and maybe its parents' there; the
        # entries that followed are left as stray lists after the list.
        cut_off = cut_off or _entries_follow(lst)
    return [_entry(item, ctx, depth, cut_off and item is listed[-1]) for item in listed]


def _run_entries(run: items.EntryRun, ctx: _Context, depth: int, cut_off: bool) -> list[_Entry]:
    """The entries of a run cut out of the page, read already (_read_by_content)."""
    assert ctx.cut is not None
    number = int(run["run"])
    if number in ctx.consumed:
        raise items.Unsure
    ctx.consumed.add(number)
    out = [ctx.entries.get(i) or _read_entry(i, ctx) for i in ctx.cut.runs[number]]
    for entry in out:
        if depth + entry.height - 1 > MAX_DEPTH:
            # (the page is read again whole, for the line of the entry too deep)
            raise PageError(ctx.source, None, f"entries nested deeper than {MAX_DEPTH} levels")
    if out and (cut_off or _entries_follow(run)):
        out[-1] = _cut_off(out[-1])
    return out


def _cut_off(entry: _Entry) -> _Entry:
    """The entry as the last of a list that its page cut off: so is its last entry."""
    children = entry.children
    if children:
        children = (*children[:-1], _cut_off(children[-1]))
    return replace(entry, cut_off=True, children=children)


def _entries_follow(lst: nodes.bullet_list) -> bool:
    siblings = lst.parent.children if lst.parent is not None else []
    return any(
        _is_entry_list(stray)
        for after in siblings[siblings.index(lst) + 1 :]
        for stray in after.findall(nodes.bullet_list)
    )


def _cut_off_fields(body: Sequence[nodes.Node]) -> set[int]:
    """The ids of the `:param:` bodies whose description breaks the indentation
    (serverlessrepo): it ends the field list and the method body's block there, and the
    entries that follow, before the next field list, are that last parameter's."""
    out: set[int] = set()
    last: nodes.field_body | None = None
    for node in body:
        if isinstance(node, nodes.field_list):
            fld = node.children[-1] if node.children else None
            last = cast(nodes.field_body, fld[1]) if isinstance(fld, nodes.field) and len(fld) > 1 else None
        elif last is not None and any(_is_entry_list(n) for n in node.findall(nodes.bullet_list)):
            out.add(id(last))
            last = None
    return out


def _entry(item: nodes.list_item, ctx: _Context, depth: int, cut_off: bool) -> _Entry:
    head = item[0] if item.children else None
    line = (head.line if head is not None else None) or item.line or 0
    if depth > MAX_DEPTH:
        raise PageError(ctx.source, line, f"entries nested deeper than {MAX_DEPTH} levels")
    if not isinstance(head, nodes.paragraph):
        raise PageError(ctx.source, line, "malformed entry: expected `**Name** *(type) --*`")
    match = _HEADER.match(head.rawsource.strip())
    if match is None:
        raise PageError(ctx.source, line, f"malformed entry {head.rawsource.strip()[:60]!r}")
    if match["required"] is None:
        _check_marker(match["rest"], ctx.source, line)
    type_text = match["plain"] if match["plain"] is not None else match["special"]
    marker = _marker(type_text, ctx.source, line)
    docs, children = _split_body(item.children[1:])
    if match["rest"].strip():
        docs.insert(0, head)  # description written on the header line
    entries = tuple(_entries(children, ctx, depth + 1, cut_off))
    return _Entry(
        name=match["name"],
        marker=marker,
        required=match["required"] is not None,
        doc=_text(docs),
        union=_is_union(docs),
        children=entries,
        line=line,
        cut_off=cut_off,
        height=1 + max((e.height for e in entries), default=0),
        method_text=any(e.method_text for e in entries)
        or any(_first_method_text(n) is not None for n in item.children if n is not children),
    )


# A short bold bracket where `**[REQUIRED]**` goes: the only such marker over the whole
# boto3 1.44.8 reference is `[REQUIRED]`, so another is a damaged one, whose member
# would silently read as optional.
_MARKER_LIKE = re.compile(r"\*\*\[[^\]\n]{0,12}\]\*\*")


def _check_marker(text: str, source: str, line: int) -> None:
    found = _MARKER_LIKE.match(text.lstrip())
    if found is not None and found[0] != _REQUIRED:
        raise PageError(source, line, f"malformed marker {found[0]!r} (expected {_REQUIRED!r})")


def _doc_without_header(docs: list[nodes.Node]) -> list[nodes.Node]:
    if docs and isinstance(docs[0], nodes.paragraph):
        match = _HEADER.match(docs[0].rawsource.strip())
        if match is not None:
            rest = nodes.paragraph(text=match["rest"])
            return [rest, *docs[1:]]
    return docs


def _text(docs: list[nodes.Node]) -> str:
    return blocks_text(_doc_without_header(docs))


def _is_union(docs: list[nodes.Node]) -> bool:
    return any(isinstance(d, nodes.note) and _UNION_NOTE.search(d.astext()) for d in docs)


def _mismatch(ctx: _Context, line: int, path: str, what: str) -> PageError:
    return PageError(ctx.source, line, f"{path}: bullets and syntax block disagree: {what}")


def _build(
    entry: _Entry, path: str, node: syntax.SyntaxNode | None, ctx: _Context, doc: str
) -> Shape:
    """The shape of one entry (a member's value, a list item, a map value)."""
    marker = entry.marker
    if not entry.children and marker.type in ("dict", "list") and _has_content(node):
        assert isinstance(node, (syntax.SyntaxDict, syntax.SyntaxList))
        if entry.cut_off:
            # The entry's own bullets were cut off by a description that breaks the
            # page's indentation upstream (apigatewayv2); the syntax block still shows
            # what it holds, but not which members are required: marked truncated.
            return replace(_shape_from_syntax(node, path, ctx), documentation=doc, truncated=True)
        # The entry's bullets are missing (deleted) while the syntax block shows what
        # it holds: reading it from the block alone would lose the bullets' `[REQUIRED]`
        # flags and documentation without a word.
        held = "members" if isinstance(node, syntax.SyntaxDict) else "an item"
        raise _mismatch(
            ctx, entry.line, path,
            f"the syntax block (line {node.line}) shows {held} the bullets (line {entry.line}) lack",
        )
    if isinstance(node, syntax.SyntaxRecursive):
        if marker.type not in ("dict", "list", "structure"):
            raise _mismatch(ctx, entry.line, path, f"{marker.type} marked recursive")
        ctx.recursive.append((path, marker.type, doc))
        return Shape(type="recursive", documentation=doc, target="")
    if marker.type == "dict" and (entry.children or node is not None):
        return _build_dict(entry, path, node, ctx, doc)
    if marker.type == "dict":
        # A free-form dict of a hand-written method (no syntax block, no entries).
        return Shape(type="document", documentation=doc, python_type="dict")
    if marker.type == "structure":  # EventStream
        return _build_structure(entry, path, node, ctx, doc, event_stream=True)
    if marker.type == "list":
        return _build_list(entry, path, node, ctx, doc)
    return _build_scalar(entry, path, node, ctx, doc)


def _has_content(node: syntax.SyntaxNode | None) -> bool:
    return (isinstance(node, syntax.SyntaxDict) and bool(node.entries)) or isinstance(
        node, syntax.SyntaxList
    )


def _build_dict(
    entry: _Entry, path: str, node: syntax.SyntaxNode | None, ctx: _Context, doc: str
) -> Shape:
    kids = entry.children
    if len(kids) == 1 and kids[0].name is None:
        key_entry = kids[0]
        if len(key_entry.children) != 1 or key_entry.children[0].name is not None:
            raise PageError(ctx.source, key_entry.line, f"{path}: map key entry without a value entry")
        if node is not None and not (
            isinstance(node, syntax.SyntaxDict) and len(node.entries) == 1 and not node.event_stream
        ):
            raise _mismatch(ctx, entry.line, path, "map expected")
        value_node = node.entries[0][1] if isinstance(node, syntax.SyntaxDict) else None
        key_doc = key_entry.doc
        key_only = _Entry(None, key_entry.marker, False, key_entry.doc, key_entry.union, (), key_entry.line)
        key = _build_scalar(key_only, path + "<key>", None, ctx, key_doc)
        value_entry = key_entry.children[0]
        value_doc = value_entry.doc
        value = _build(value_entry, path + "{}", value_node, ctx, value_doc)
        return Shape(type="map", documentation=doc, key=key, value=value)
    return _build_structure(entry, path, node, ctx, doc, event_stream=False)


def _build_structure(
    entry: _Entry,
    path: str,
    node: syntax.SyntaxNode | None,
    ctx: _Context,
    doc: str,
    event_stream: bool,
) -> Shape:
    if node is not None and not isinstance(node, syntax.SyntaxDict):
        if not (isinstance(node, syntax.SyntaxScalar) and node.kind == "any"):
            raise _mismatch(ctx, entry.line, path, "structure expected")
        node = None
    members = _members(entry.children, path, node, ctx)
    return Shape(
        type="structure",
        documentation=doc,
        members=members,
        union=entry.union,
        event_stream=event_stream or bool(isinstance(node, syntax.SyntaxDict) and node.event_stream),
    )


def _members(
    entries: Sequence[_Entry], path: str, node: syntax.SyntaxDict | None, ctx: _Context
) -> tuple[tuple[str, Member], ...]:
    members: list[tuple[str, Member]] = []
    lines: dict[str, int] = {}
    for child in entries:
        if child.name is None:
            raise PageError(ctx.source, child.line, f"{path}: unnamed entry in a structure")
        if child.name in lines:
            # (a duplicated line, a bad merge: the class would get one field twice)
            raise PageError(
                ctx.source, child.line, f"{path}: member {child.name!r} listed twice (also on line {lines[child.name]})"
            )
        lines[child.name] = child.line
        child_path = f"{path}.{child.name}"
        # boto3 hides some members from the syntax block only (S3's SSECustomerKeyMD5,
        # Glacier's accountId): such a member is read from its bullets alone.
        child_node = node.get(child.name) if node is not None else None
        doc = child.doc
        shape = _build(child, child_path, child_node, ctx, "")
        members.append(
            (
                child.name,
                Member(
                    shape=shape,
                    required=child.required,
                    documentation=doc,
                    autopopulated=doc.endswith(_AUTOPOPULATED),
                ),
            )
        )
    if node is not None:
        names = [name for name, _ in members]
        extra = [k for k, _ in node.entries if k not in names]
        if extra:
            raise _mismatch(ctx, entries[0].line if entries else 0, path, f"syntax has {extra[0]!r}")
    return tuple(members)


def _build_list(
    entry: _Entry, path: str, node: syntax.SyntaxNode | None, ctx: _Context, doc: str
) -> Shape:
    if not entry.children and node is None:
        # A free-form list of a hand-written method (no syntax block, no item entry).
        return Shape(type="list", documentation=doc, member=Shape(type="document"))
    if len(entry.children) != 1 or entry.children[0].name is not None:
        raise PageError(ctx.source, entry.line, f"{path}: list without one item entry")
    if node is not None and not isinstance(node, syntax.SyntaxList):
        raise _mismatch(ctx, entry.line, path, "list expected")
    item = entry.children[0]
    item_node = node.item if isinstance(node, syntax.SyntaxList) else None
    member = _build(item, path + "[]", item_node, ctx, item.doc)
    return Shape(type="list", documentation=doc, member=member)


_SCALAR_SYNTAX = {
    "string": ("string",),
    "integer": ("integer",),
    "float": ("float", "any"),
    "boolean": ("boolean",),
    "timestamp": ("timestamp",),
    "blob": ("blob", "stream", "string"),
    "document": ("document", "any"),
}


def _build_scalar(
    entry: _Entry, path: str, node: syntax.SyntaxNode | None, ctx: _Context, doc: str
) -> Shape:
    marker = entry.marker
    if entry.children:
        raise PageError(ctx.source, entry.children[0].line, f"{path}: {marker.type} with child entries")
    enum: tuple[str, ...] = ()
    if isinstance(node, syntax.SyntaxEnum):
        if marker.type != "string":
            raise _mismatch(ctx, entry.line, path, f"enum values on a {marker.type}")
        enum = node.values
    elif isinstance(node, syntax.SyntaxDict) and marker.type == "document" and not node.entries:
        pass  # `(*dict*)` over `{}`: CloudFormation's parsed TemplateBody
    elif isinstance(node, syntax.SyntaxScalar):
        if node.kind not in _SCALAR_SYNTAX.get(marker.type, ()):
            raise _mismatch(ctx, entry.line, path, f"{marker.type} vs {node.kind}")
    elif node is not None:
        raise _mismatch(ctx, entry.line, path, f"{marker.type} expected")
    return Shape(
        type=marker.type,  # type: ignore[arg-type]
        documentation=doc,
        enum=enum,
        streaming=marker.streaming,
        json_value=marker.json_value,
        python_type=marker.python_type,
    )


# --- input and output ----------------------------------------------------------------


def _input(
    fields: list[tuple[str, nodes.field_body, str, int]],
    request: syntax.SyntaxDict | None,
    ctx: _Context,
    truncated: bool,
    cut: set[int],
) -> Shape:
    types = {arg: (body, line) for kind, body, arg, line in fields if kind == "type"}
    entries: list[_Entry] = []
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
            marker = _marker(_raw(type_body), ctx.source, type_line)
        children = list(body.children)
        required = False
        if children and isinstance(children[0], nodes.paragraph):
            raw = children[0].rawsource.strip()
            _check_marker(raw, ctx.source, line)
            if raw.startswith(_REQUIRED):
                required = True
                rest = raw[len(_REQUIRED) :].strip()
                children = children[1:]
                if rest:
                    children.insert(0, nodes.paragraph(text=rest))
        docs, kids = _split_body(children)
        cut_off = id(body) in cut
        params = tuple(_entries(kids, ctx, 1, cut_off))
        entries.append(_Entry(arg, marker, required, _text(docs), _is_union(docs), params, line, cut_off))
    root = _Entry(None, TypeMarker("dict"), False, "", False, tuple(entries), 0)
    if not entries and request is None:
        return replace(EMPTY_STRUCTURE, truncated=truncated)
    shape = _build_structure(root, "input", request, ctx, "", event_stream=False)
    return replace(shape, truncated=truncated)


def _output(
    fields: list[tuple[str, nodes.field_body, str, int]],
    tail: list[nodes.Node],
    ctx: _Context,
    model_driven: bool,
) -> Shape | None:
    returns = next(((b, line) for k, b, _, line in fields if k in ("returns", "return")), None)
    rtype = next((_raw(b) for k, b, _, _ in fields if k == "rtype"), None)
    if returns is None:
        return None
    body, line = returns
    if _astext_is(body, "None"):
        return None
    children = _flat(body.children) + tail
    if not _has_response_structure(children):
        if model_driven:
            raise PageError(ctx.source, line, "returns a value but has no Response Structure")
        if rtype is None:
            return None
        marker = _marker(rtype, ctx.source, line)
        return Shape(type=marker.type if marker.type != "dict" else "document", documentation=blocks_text(children))  # type: ignore[arg-type]
    block = _syntax_block(children, "Response Syntax")
    if block is None:
        raise PageError(ctx.source, line, "page has no Response Syntax block")
    response = None if _truncated(block) else _parse_block(block, ctx.source, syntax.parse_response)
    if _truncated(_syntax_block(children, "Response Structure")):
        return _from_syntax(response, "output", ctx)
    idx = next(i for i, n in enumerate(children) if _is_heading(n, "Response Structure"))
    lst = next((n for n in children[idx + 1 :] if isinstance(n, nodes.bullet_list)), None)
    roots = _entries(lst, ctx)
    if len(roots) != 1 or roots[0].name is not None:
        raise PageError(ctx.source, line, "Response Structure is not a single `*(dict) --*` entry")
    root = roots[0]
    shape = _build(root, "output", response, ctx, root.doc)
    return replace(shape, truncated=True) if response is None else shape


# --- sections boto3 did not render -------------------------------------------------------

_SCALAR_FROM_SYNTAX: dict[str, str] = {
    "string": "string",
    "integer": "integer",
    "float": "float",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "blob": "blob",
    "stream": "blob",
    "document": "document",
    "any": "float",  # botocore writes `...` for its `float` type only
}


def _from_syntax(node: syntax.SyntaxNode | None, path: str, ctx: _Context) -> Shape:
    """The shape a syntax block alone shows, for a section whose bullets boto3 left out."""
    if node is None:
        return Shape(type="structure", truncated=True)
    shape = _shape_from_syntax(node, path, ctx)
    return replace(shape, truncated=True)


def _shape_from_syntax(node: syntax.SyntaxNode, path: str, ctx: _Context) -> Shape:
    if isinstance(node, syntax.SyntaxEnum):
        return Shape(type="string", enum=node.values)
    if isinstance(node, syntax.SyntaxScalar):
        return Shape(type=_SCALAR_FROM_SYNTAX[node.kind], streaming=node.streaming)  # type: ignore[arg-type]
    if isinstance(node, syntax.SyntaxRecursive):
        ctx.recursive.append((path, "dict", ""))
        return Shape(type="recursive", target="")
    if isinstance(node, syntax.SyntaxList):
        item = node.item if node.item is not None else syntax.SyntaxScalar("any")
        return Shape(type="list", member=_shape_from_syntax(item, path + "[]", ctx))
    if len(node.entries) == 1 and node.entries[0][0] == "string" and not node.event_stream:
        value = _shape_from_syntax(node.entries[0][1], path + "{}", ctx)
        return Shape(type="map", key=Shape(type="string"), value=value)
    members = tuple(
        (name, Member(shape=_shape_from_syntax(child, f"{path}.{name}", ctx)))
        for name, child in node.entries
    )
    return Shape(type="structure", members=members, event_stream=node.event_stream)


# --- recursion -----------------------------------------------------------------------


def _resolve_recursion(input_shape: Shape, output_shape: Shape | None, ctx: _Context) -> None:
    """Pick, for each recursive node, the ancestor it repeats (see `_target`)."""
    trees = [("input", input_shape)] + ([("output", output_shape)] if output_shape else [])
    if not ctx.recursive:
        return
    index = {path: node for root_path, shape in trees for path, node in shape.walk(root_path)}
    docs = _docs_by_path(trees)
    for path, marker_type, doc in ctx.recursive:
        ctx.targets[path] = _target(path, marker_type, doc, index, docs)


def _ancestors(path: str) -> Iterator[str]:
    """Contract paths of the ancestors of `path`, nearest first."""
    current = path
    while True:
        cut = max(current.rfind("."), current.rfind("[]"), current.rfind("{}"))
        if cut <= 0:
            return
        if current.endswith("[]") or current.endswith("{}"):
            current = current[:-2]
        else:
            current = current[: current.rfind(".")]
        yield current


def _target(
    path: str,
    marker_type: str,
    doc: str,
    index: dict[str, Shape],
    docs: dict[str, str],
) -> str:
    """The ancestor a `{'... recursive ...'}` node repeats.

    The page does not name shapes, so this is inferred, in order: an ancestor whose
    text is the node's own (a shape's documentation repeats wherever it is used); an
    ancestor whose member name ends the node's (`ScopeDownStatement` → `Statement`,
    `Statements[]` → `Statement`); else the nearest structure.
    """
    wanted = ("list",) if marker_type == "list" else ("structure",)
    candidates = [a for a in _ancestors(path) if a in index and index[a].type in wanted]
    if not candidates and marker_type != "list":
        candidates = [a for a in _ancestors(path) if a in index and index[a].type == "map"]
    if not candidates:
        return ""
    for ancestor in candidates:
        if doc and docs.get(ancestor) == doc:
            return ancestor
    own = _member_name(path)
    for ancestor in candidates:
        name = _member_name(ancestor)
        if name and (own.endswith(name) or own.rstrip("s").endswith(name)):
            return ancestor
    return candidates[0]


def _member_name(path: str) -> str:
    """The last member name on a path, with list/map steps dropped."""
    while path.endswith("[]") or path.endswith("{}"):
        path = path[:-2]
    return path.rsplit(".", 1)[-1] if "." in path else ""


def _docs_by_path(trees: list[tuple[str, Shape]]) -> dict[str, str]:
    """The text attached to each node: a member's documentation, else the shape's."""
    out: dict[str, str] = {}
    for root_path, shape in trees:
        out[root_path] = shape.documentation
        for path, node in shape.walk(root_path):
            for name, member in node.members:
                out[f"{path}.{name}"] = member.documentation or member.shape.documentation
            if node.member is not None:
                out[f"{path}[]"] = node.member.documentation
            if node.value is not None:
                out[f"{path}{{}}"] = node.value.documentation
    return out


def _with_targets(shape: Shape, path: str, ctx: _Context) -> Shape:
    if not ctx.targets:
        return shape
    return _retarget(shape, path, ctx.targets)


def _retarget(shape: Shape, path: str, targets: dict[str, str]) -> Shape:
    if shape.type == "recursive":
        return replace(shape, target=targets.get(path, ""))
    if shape.type == "structure":
        members = tuple(
            (name, replace(m, shape=_retarget(m.shape, f"{path}.{name}", targets)))
            for name, m in shape.members
        )
        return replace(shape, members=members)
    if shape.type == "list" and shape.member is not None:
        return replace(shape, member=_retarget(shape.member, path + "[]", targets))
    if shape.type == "map" and shape.value is not None:
        return replace(shape, value=_retarget(shape.value, path + "{}", targets))
    return shape
