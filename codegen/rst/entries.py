"""The `- **Name** *(type) --*` entries of a page: each read into an Entry, by its text
alone (so memoised by its text, for every page of the process)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import cast

from docutils import nodes

from codegen.rst import items
from codegen.rst.driver import MAX_DEPTH
from codegen.rst.errors import PageError
from codegen.rst.markers import HEADER, TypeMarker, check_marker, type_marker
from codegen.rst.text import blocks_text


_UNION_NOTE = re.compile(r"This is a Tagged Union structure\. Only one of the\s+following top level keys")


@dataclass(slots=True)
class Context:
    source: str
    # (path, type marker, text) of each `{'... recursive ...'}` node met while building
    recursive: list[tuple[str, str, str]] = field(default_factory=list)
    # path → the ancestor it repeats, once the whole operation is built
    targets: dict[str, str] = field(default_factory=dict)
    # Read by content (items.py): the page's runs of entries, what each entry reads as
    # (by its index in cut.keys), and the runs read so far.
    cut: items.Cut | None = None
    entries: dict[int, Entry] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    pending: dict[int, nodes.Node] = field(default_factory=dict)  # parsed, not read yet
    sections: items.Sections = field(default_factory=items.Sections)  # cut from the skeleton


# Entries read so far, by their text (dedented): what the reader made of each (frozen,
# so shared). Bounded by the length of the texts kept.
MEMO: dict[str, Entry] = {}


_MEMO_CHARS = 0


MAX_MEMO_CHARS = 64_000_000


def forget_entries() -> None:
    """Drop the entries memoised so far."""
    global _MEMO_CHARS
    MEMO.clear()
    _MEMO_CHARS = 0


def read_entry(i: int, ctx: Context) -> Entry:
    """Entry i of the batch (its own entries first, when entries_of meets them)."""
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
    MEMO[key] = entry
    _MEMO_CHARS += len(key)
    return entry


def split_body(children: Sequence[nodes.Node]) -> tuple[list[nodes.Node], nodes.bullet_list | None]:
    """Documentation blocks, and the bullet list holding the child entries (if any)."""
    docs: list[nodes.Node] = []
    entries: nodes.bullet_list | None = None
    for child in children:
        if entries is None and isinstance(child, nodes.bullet_list) and is_entry_list(child):
            entries = child
        elif entries is None:
            docs.append(child)
    return docs, entries


def is_entry_list(lst: nodes.bullet_list) -> bool:
    if isinstance(lst, items.EntryRun):
        return True
    if lst.get("bullet") != "-" or not lst.children:
        return False
    first = lst.children[0]
    if not isinstance(first, nodes.list_item) or not first.children:
        return False
    head = first.children[0]
    return isinstance(head, nodes.paragraph) and bool(HEADER.match(head.rawsource.strip()))


@dataclass(frozen=True, slots=True)
class Entry:
    """What the reader makes of one `- **Name** *(type) --*` entry and its own entries:
    nothing but its text decides it (so it is memoised by its text, see MEMO), bar
    `line` (its page's line, for errors; read by content, a line of no page) and
    `cut_off`, which the page decides (see _cut_off)."""

    name: str | None
    marker: TypeMarker
    required: bool
    doc: str  # its documentation (doc_text of its blocks)
    union: bool  # documented as a tagged union
    children: tuple[Entry, ...]
    line: int
    # Its bullets may have been cut off by a description that breaks the page's
    # indentation upstream: it ends its list, and entries follow the list (see entries_of).
    cut_off: bool = False
    height: int = 1  # levels of entries, itself included
    # Method text (a field list, a section heading) somewhere in it: an error where the
    # method's body is checked (_is_method_text), not inside a field.
    method_text: bool = False


def entries_of(
    lst: nodes.bullet_list | None, ctx: Context, depth: int = 1, cut_off: bool = False
) -> list[Entry]:
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


def _run_entries(run: items.EntryRun, ctx: Context, depth: int, cut_off: bool) -> list[Entry]:
    """The entries of a run cut out of the page, read already (reader._read_by_content)."""
    assert ctx.cut is not None
    number = int(run["run"])
    if number in ctx.consumed:
        raise items.Unsure
    ctx.consumed.add(number)
    out = [ctx.entries.get(i) or read_entry(i, ctx) for i in ctx.cut.runs[number]]
    for entry in out:
        if depth + entry.height - 1 > MAX_DEPTH:
            # (the page is read again whole, for the line of the entry too deep)
            raise PageError(ctx.source, None, f"entries nested deeper than {MAX_DEPTH} levels")
    if out and (cut_off or _entries_follow(run)):
        out[-1] = _cut_off(out[-1])
    return out


def _cut_off(entry: Entry) -> Entry:
    """The entry as the last of a list that its page cut off: so is its last entry."""
    children = entry.children
    if children:
        children = (*children[:-1], _cut_off(children[-1]))
    return replace(entry, cut_off=True, children=children)


def _entries_follow(lst: nodes.bullet_list) -> bool:
    siblings = lst.parent.children if lst.parent is not None else []
    return any(
        is_entry_list(stray)
        for after in siblings[siblings.index(lst) + 1 :]
        for stray in after.findall(nodes.bullet_list)
    )


def cut_off_fields(body: Sequence[nodes.Node]) -> set[int]:
    """The ids of the `:param:` bodies whose description breaks the indentation
    (serverlessrepo): it ends the field list and the method body's block there, and the
    entries that follow, before the next field list, are that last parameter's."""
    out: set[int] = set()
    last: nodes.field_body | None = None
    for node in body:
        if isinstance(node, nodes.field_list):
            fld = node.children[-1] if node.children else None
            last = cast(nodes.field_body, fld[1]) if isinstance(fld, nodes.field) and len(fld) > 1 else None
        elif last is not None and any(is_entry_list(n) for n in node.findall(nodes.bullet_list)):
            out.add(id(last))
            last = None
    return out


def _entry(item: nodes.list_item, ctx: Context, depth: int, cut_off: bool) -> Entry:
    head = item[0] if item.children else None
    line = (head.line if head is not None else None) or item.line or 0
    if depth > MAX_DEPTH:
        raise PageError(ctx.source, line, f"entries nested deeper than {MAX_DEPTH} levels")
    if not isinstance(head, nodes.paragraph):
        raise PageError(ctx.source, line, "malformed entry: expected `**Name** *(type) --*`")
    match = HEADER.match(head.rawsource.strip())
    if match is None:
        raise PageError(ctx.source, line, f"malformed entry {head.rawsource.strip()[:60]!r}")
    if match["required"] is None:
        check_marker(match["rest"], ctx.source, line)
    type_text = match["plain"] if match["plain"] is not None else match["special"]
    marker = type_marker(type_text, ctx.source, line)
    docs, children = split_body(item.children[1:])
    if match["rest"].strip():
        docs.insert(0, head)  # description written on the header line
    entries = tuple(entries_of(children, ctx, depth + 1, cut_off))
    return Entry(
        name=match["name"],
        marker=marker,
        required=match["required"] is not None,
        doc=doc_text(docs),
        union=is_union(docs),
        children=entries,
        line=line,
        cut_off=cut_off,
        height=1 + max((e.height for e in entries), default=0),
        method_text=any(e.method_text for e in entries)
        or any(first_method_text(n) is not None for n in item.children if n is not children),
    )


def _doc_without_header(docs: list[nodes.Node]) -> list[nodes.Node]:
    if docs and isinstance(docs[0], nodes.paragraph):
        match = HEADER.match(docs[0].rawsource.strip())
        if match is not None:
            rest = nodes.paragraph(text=match["rest"])
            return [rest, *docs[1:]]
    return docs


def doc_text(docs: list[nodes.Node]) -> str:
    return blocks_text(_doc_without_header(docs))


def is_union(docs: list[nodes.Node]) -> bool:
    return any(isinstance(d, nodes.note) and _UNION_NOTE.search(d.astext()) for d in docs)


_SECTIONS = ("Request Syntax", "Response Syntax", "Response Structure", "Exceptions")


def first_method_text(node: nodes.Node) -> nodes.Node | None:
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
