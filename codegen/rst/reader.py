"""One reference page → one Operation of the shape tree.

The page is parsed by docutils; the method body gives the description, the `:type:` /
`:param:` fields and the nested `- **Name** *(type) --*` bullets (members, types,
`[REQUIRED]`, documentation); the Request/Response Syntax blocks give what the bullets
cannot (enum values, recursion) and are checked against the bullets path by path.

The modules of codegen/rst/, from the page down: reader (this one: by content, several
pages to a document, or whole), method (a doctree → an Operation), shapes (entries →
shapes), entries (the `- **Name** *(type) --*` items, memoised), markers, driver
(docutils), errors; items (the lexical cut of a page into its skeleton and entries),
toplevel and fieldcut (the method's body and fields at the skeleton's top level),
literals (the skeleton's syntax blocks cut to a line) and syntax (the syntax blocks'
reading) beside them.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass

from docutils import nodes

from codegen.rst import items, literals, toplevel
from codegen.rst.driver import (
    MAX_DEPTH,
    MAX_INDENT,
    STRAY_BREAKS,
    check_layout,
    decode,
    dismantle,
    has_stray_break,
    doctree,
    gc_paused,
    new_document,
    parse_rst,
    too_deep,
)
from codegen.rst.entries import MEMO, Context, forget_entries, read_entry
from codegen.rst.errors import NotAMethodPage, PageError
from codegen.rst.method import read_method
from codegen.tree import Operation

__all__ = [
    "MAX_DEPTH",
    "MAX_INDENT",
    "STATS",
    "NotAMethodPage",
    "PageError",
    "decode",
    "doctree",
    "forget_entries",
    "parse_page",
    "parse_page_whole",
    "parse_pages",
]


def parse_page(data: bytes, source: str) -> Operation:
    """One page's operation: read by content (`_read_by_content`), or, when that is
    unsure or finds an error, from docutils' parse of the whole page, whose errors
    carry the page's own lines."""
    with gc_paused():
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
    with gc_paused():
        return _read_whole(_page_text(data, source), source)


def _page_text(data: bytes, source: str) -> str:
    text = decode(data, source)
    check_layout(text, source)
    if has_stray_break(text):
        text = text.translate(STRAY_BREAKS)
    return text


def _read_whole(text: str, source: str) -> Operation:
    try:
        document = parse_rst(text, source)
    except RecursionError:
        raise too_deep(source) from None
    try:
        return read_method(document, text, source, Context(source))
    except RecursionError:
        raise too_deep(source) from None
    finally:
        dismantle(document)


Outcome = Operation | PageError | NotAMethodPage


def parse_pages(pages: Sequence[tuple[bytes, str]]) -> list[Outcome]:
    """parse_page of each page: its operation, or the PageError or NotAMethodPage it
    raises. The pages read by content are parsed by docutils together, in one document:
    what docutils does for a document of its own (a state machine of fifteen states,
    their transitions compiled anew) is done once for them all. A page whose reading
    there is unsure or fails, and every page when that document is not exactly theirs
    one after the other (`_split`) or has an error, is read on its own, as parse_page
    reads it. (docutils keeps one register of names a document: a name on two pages is
    a system message in the second's tree, which the reader skips, as it skips those of
    a page alone: text.py.)"""
    outcomes: list[Outcome | None] = [None] * len(pages)
    if len(pages) > 1:
        with gc_paused():
            _parse_together(pages, outcomes)
    return [_alone(*page) if outcome is None else outcome for page, outcome in zip(pages, outcomes)]


def _alone(data: bytes, source: str) -> Outcome:
    try:
        return parse_page(data, source)
    except (PageError, NotAMethodPage) as exc:
        return exc


def _parse_together(pages: Sequence[tuple[bytes, str]], outcomes: list[Outcome | None]) -> None:
    """The outcomes of the pages read together (see parse_pages); None: read it alone."""
    cut: list[tuple[int, _Page]] = []
    pieces: list[str] = []
    pending: dict[str, None] = {}
    lines = 0
    for n, (data, source) in enumerate(pages):
        try:
            text = _page_text(data, source)
            page = _prepare(text, source, lines + 2, pending)
        except Exception:  # (a PageError, items.Unsure: read alone)
            continue
        pieces.append(f"{items.PAGE}{len(cut)}\n\n{page.doc_text}\n\n")
        lines += pieces[-1].count("\n")
        cut.append((n, page))
    if len(cut) < 2:
        return
    try:
        document = parse_rst("".join(pieces), cut[0][1].source)
    except Exception:  # (a PageError, RecursionError: read alone)
        return
    try:
        for (n, page), top in zip(cut, _split(document, len(cut))):
            own = new_document(page.source)
            own.extend(top)
            try:
                outcomes[n] = _finish(page, own)
                STATS["by content"] += 1
                STATS["together"] += 1
            except Exception:  # (Unsure, a PageError, RecursionError: read alone)
                pass
            finally:
                dismantle(own)
    except items.Unsure:
        return
    finally:
        dismantle(document)


def _split(document: nodes.document, count: int) -> list[list[nodes.Node]]:
    """The top-level nodes of each of the `count` pages of the document, each of which
    came after its PAGE marker paragraph (taken out). A page's title makes a section of
    the rest of it, so the next page's marker, and what comes before that page's title,
    end up at the end of that section. Unsure unless each marker is found, in order,
    first in the document, the others one in each of its sections."""
    top = document.children
    if not top or not _is_page_marker(top[0], 0):
        raise items.Unsure
    pages: list[list[nodes.Node]] = []
    current: list[nodes.Node] = []
    for node in top[1:]:
        current.append(node)
        if not isinstance(node, nodes.section):
            continue
        children = node.children
        at = [k for k, child in enumerate(children) if _is_page_marker(child, None)]
        if not at:
            continue
        if len(at) > 1 or not _is_page_marker(children[at[0]], len(pages) + 1):
            raise items.Unsure
        pages.append(current)
        current = children[at[0] + 1 :]
        del children[at[0] :]
    pages.append(current)
    if len(pages) != count:
        raise items.Unsure
    return pages


def _is_page_marker(node: nodes.Node, number: int | None) -> bool:
    """A PAGE marker paragraph (the one of page `number`; None: any)."""
    if not isinstance(node, nodes.paragraph) or not node.rawsource.startswith(items.PAGE):
        return False
    return number is None or node.rawsource == f"{items.PAGE}{number}"


# Pages read by content ("together": of them, those read in a document of several), and
# read whole (by choice or after an error), in this process.
STATS: Counter[str] = Counter()


def _read_by_content(text: str, source: str) -> Operation:
    """The operation from the page's skeleton and its entries, each distinct entry
    parsed and read once (items.py). Unsure, PageError or RecursionError: read the
    page whole."""
    page = _prepare(text, source, 0, {})
    document = parse_rst(page.doc_text, source)
    try:
        return _finish(page, document)
    finally:
        dismantle(document)


@dataclass(slots=True)
class _Page:
    """A page cut for reading by content: what docutils parses (`doc_text`: its
    skeleton, then the batch of its entries not met before), and what to put back."""

    text: str
    source: str
    doc_text: str
    ctx: Context
    method: toplevel.Cut
    literal_texts: list[str]
    missing: list[int]  # the entries of the batch, in its order
    chunks: list[items.Chunk]
    deferred: list[int]  # entries in the batch of a page read before it (parse_pages)


def _prepare(text: str, source: str, lines_before: int, pending: dict[str, None]) -> _Page:
    """The page cut (its document lines counted from `lines_before`: the lines before it
    in the document parsed). `pending`: the entries in the batch of a page read before
    it, which it takes from MEMO once that page is read; its own are added."""
    skeleton, runs = items.split(items.normalise(text), 0)
    skeleton, sections = items.cut_sections(skeleton)
    skeleton, literal_texts = literals.cut_literals(skeleton)
    method = toplevel.Cut()
    skeleton = toplevel.cut_directive(skeleton, method)
    if method.directives:
        method.first_line += lines_before
    cut = items.Cut()
    ctx = Context(source, cut=cut, sections=sections)
    todo = deque(cut.add_runs(runs))
    missing: list[int] = []
    deferred: list[int] = []
    parts: list[str] = []
    while todo:
        i = todo.popleft()
        key = cut.keys[i]
        known = MEMO.get(key)
        if known is not None:
            ctx.entries[i] = known
            continue
        if key in pending:
            deferred.append(i)
            continue
        missing.append(i)
        inner, inner_runs = items.split(key, len(cut.runs))
        cut.within[i] = range(len(cut.runs), len(cut.runs) + len(inner_runs))
        todo.extend(cut.add_runs(inner_runs))
        parts.append(inner)
    chunks: list[items.Chunk] = []
    if parts:
        batch_text, chunks = items.batch(parts, lines_before + skeleton.count("\n"))
        skeleton += batch_text
    pending.update((cut.keys[i], None) for i in missing)
    return _Page(text, source, skeleton, ctx, method, literal_texts, missing, chunks, deferred)


def _finish(page: _Page, document: nodes.document) -> Operation:
    """The operation from the page's doctree (`document`: a document of its own)."""
    ctx = page.ctx
    cut = ctx.cut
    assert cut is not None
    for i in page.deferred:
        known = MEMO.get(cut.keys[i])
        if known is None:
            raise items.Unsure  # (the page that parsed it failed, or the memo was emptied)
        ctx.entries[i] = known
    missing = page.missing
    found, batch, literal_blocks = items.placeholders(document, len(cut.runs), ctx.sections, page.chunks)
    literals.restore(literal_blocks, page.literal_texts)
    toplevel.wrap(document, page.method)
    if (batch is None) != (not missing) or (batch is not None and len(batch) != len(missing)):
        raise items.Unsure
    if batch is not None:
        _read_entries(cut, missing, batch, ctx)
    for run in found:
        run["method_text"] = any(ctx.entries[i].method_text for i in cut.runs[run["run"]])
    operation = read_method(document, page.text, page.source, ctx)
    if len(ctx.consumed) != len(found):
        raise items.Unsure  # a run the reader did not read as entries
    return operation


def _read_entries(cut: items.Cut, missing: list[int], batch: nodes.bullet_list, ctx: Context) -> None:
    """Read the entries parsed in the batch (`missing`, in the batch's order) and
    memoise them."""
    ctx.pending = dict(zip(missing, batch.children))
    try:
        for i in missing:
            if i not in ctx.entries:
                read_entry(i, ctx)
    finally:
        dismantle(batch)
