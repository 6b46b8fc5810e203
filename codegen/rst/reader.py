"""One reference page → one Operation of the shape tree.

The page is parsed by docutils; the method body gives the description, the `:type:` /
`:param:` fields and the nested `- **Name** *(type) --*` bullets (members, types,
`[REQUIRED]`, documentation); the Request/Response Syntax blocks give what the bullets
cannot (enum values, recursion) and are checked against the bullets path by path.

The modules of codegen/rst/, from the page down: reader (this one: by content or whole),
method (a doctree → an Operation), shapes (entries → shapes), entries (the
`- **Name** *(type) --*` items, memoised), markers, driver (docutils), errors; items
(the lexical cut of a page into its skeleton and entries), toplevel and fieldcut (the
method's body and fields at the skeleton's top level) and syntax (the syntax blocks)
beside them.
"""

from __future__ import annotations

from collections import Counter, deque

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


# Pages read by content, and read whole (by choice or after an error), in this process.
STATS: Counter[str] = Counter()


def _read_by_content(text: str, source: str) -> Operation:
    """The operation from the page's skeleton and its entries, each distinct entry
    parsed and read once (items.py). Unsure, PageError or RecursionError: read the
    page whole."""
    skeleton, runs = items.split(items.normalise(text), 0)
    skeleton, sections = items.cut_sections(skeleton)
    skeleton, literal_texts = literals.cut_literals(skeleton)
    method = toplevel.Cut()
    skeleton = toplevel.cut_directive(skeleton, method)
    cut = items.Cut()
    ctx = Context(source, cut=cut, sections=sections)
    todo = deque(cut.add_runs(runs))
    missing: list[int] = []
    parts: list[str] = []
    while todo:
        i = todo.popleft()
        known = MEMO.get(cut.keys[i])
        if known is not None:
            ctx.entries[i] = known
            continue
        missing.append(i)
        inner, inner_runs = items.split(cut.keys[i], len(cut.runs))
        cut.within[i] = range(len(cut.runs), len(cut.runs) + len(inner_runs))
        todo.extend(cut.add_runs(inner_runs))
        parts.append(inner)
    chunks: list[items.Chunk] = []
    if parts:
        batch_text, chunks = items.batch(parts, skeleton.count("\n"))
        skeleton += batch_text
    document = parse_rst(skeleton, source)
    try:
        found, batch, literal_blocks = items.placeholders(document, len(cut.runs), sections, chunks)
        literals.restore(literal_blocks, literal_texts)
        toplevel.wrap(document, method)
        if (batch is None) != (not missing) or (batch is not None and len(batch) != len(missing)):
            raise items.Unsure
        if batch is not None:
            _read_entries(cut, missing, batch, ctx)
        for run in found:
            run["method_text"] = any(ctx.entries[i].method_text for i in cut.runs[run["run"]])
        operation = read_method(document, text, source, ctx)
        if len(ctx.consumed) != len(found):
            raise items.Unsure  # a run the reader did not read as entries
        return operation
    finally:
        dismantle(document)


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
