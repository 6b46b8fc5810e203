"""Nested blocks of paragraphs, literal blocks, bullet lists and field lists, parsed
without a state machine.

Most of a reference page is such blocks: a method's fields, each parameter's
description, and list items like

    **Name** *(string) --*

    The name of the thing.

    - **Child** *(string) --* ...

For each, docutils runs a nested state machine that matches every line against a dozen
transition patterns, switches states, and runs one more machine per list.
`parse_block` builds the same nodes (same classes, raw sources, lines, sources,
bullets, in the same order, with the inline text from docutils' own Inliner) straight
from the lines, for blocks of nothing but those four constructs. It plans the whole
block first without touching anything; at anything else (an indented block, a
directive, a title, a transition, another kind of list, a list or literal block ending
without its blank line, which docutils warns about...) it declines before any side
effect, and docutils parses the block as before. The blocks within (a list item's, a
field's body) are parsed by the caller's `nested`: this module again, the node cache,
or docutils.

It is used for detached nodes only (a list item, a field body, a directive's content
before the directive returns it): appending to a node in the document would also set
the children's source and line from the document's current position. For the same
reason its nodes are made and linked without docutils' per-child document lookup
(`element`, `adopt`), which the node cache's inline text uses too.

The rules are docutils 0.23's, step for step (the docutils methods are named in the
comments), with docutils' own patterns; fastparse enables this module only on the
docutils versions it was checked against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import TypeVar

from docutils import nodes
from docutils.parsers.rst import states
from docutils.statemachine import StringList
from docutils.utils import column_width

# The transitions Body tries, in its order, before `text` (which matches anything);
# then StateWS's whitespace patterns and Text's underline.
_BODY = tuple(
    (name, re.compile(p) if isinstance(p, str) else p)
    for name, p in ((n, states.Body.patterns[n]) for n in states.Body.initial_transitions)
    if name != "text"
)
_BLANK = re.compile(" *$")
_INDENT = re.compile(" +")
_UNDERLINE = re.compile(states.Body.patterns["line"])
_LITERAL_NEXT = re.compile(r"(?<!\\)(\\\\)*::$")  # RSTState.paragraph's

# A plan is a list of steps, each a node docutils would append to the block's node:
# - a paragraph: ("p", first line, its text, the literal block it announces as
#   (first line, text) or None, the line after them);
# - a bullet list or a field list: ("bullet" or "field_marker", first line, entries),
#   an entry being (first line, marker, lines, line offset of the lines).
_Entry = tuple[int, str, StringList, int]
_Paragraph = tuple[str, int, str, "tuple[int, str] | None", int]
_List = tuple[str, int, list[_Entry]]

NestedParse = Callable[[StringList, int, nodes.Element], int]


# The patterns a line can match by its first character: one starting with an ASCII
# letter or digit can only be an enumerator ("1.", "a)"), one with `*` a bullet or a
# line of asterisks; none but three bullets start with a non-ASCII character.
_ENUMERATOR_ONLY = tuple(t for t in _BODY if t[0] == "enumerator")
_ASTERISK = tuple(t for t in _BODY if t[0] in ("bullet", "line"))
_BULLET_ONLY = tuple(t for t in _BODY if t[0] == "bullet")
_NON_ASCII_BULLETS = "\u2022\u2023\u2043"


def _candidates(first: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    if first.isascii():
        if first.isalnum():
            return _ENUMERATOR_ONLY
        return _ASTERISK if first == "*" else _BODY
    return _BULLET_ONLY if first in _NON_ASCII_BULLETS else ()


def _transition(line: str) -> tuple[str, re.Match[str] | None]:
    """The Body transition a non-blank, flush-left line takes."""
    for name, pattern in _candidates(line[0]):
        match = pattern.match(line)
        if match:
            if name == "line" and line.strip() == "::":  # Body.line: TransitionCorrection
                break
            return name, match
    return "text", None


def _odd_blank(line: str) -> bool:
    """Blank to str.strip() but not to the ` *$` pattern (e.g. a no-break space): the
    two disagree on where blocks end, so leave such blocks to docutils. (Lines from
    docutils.statemachine.string2lines are right-stripped: none such.)"""
    return not line.strip() and not _BLANK.match(line)


def _short_underline(title: str, underline: str) -> bool:
    """Text.underline's TransitionCorrection('text'): an underline too short to be one."""
    underline = underline.rstrip()
    return len(underline) < 4 and column_width(title.rstrip()) > len(underline)


def _plan(block: StringList, input_offset: int) -> list[_Paragraph | _List] | None:
    """What Body would build of the block, or None if it is not all paragraphs (with
    their literal blocks), bullet lists and field lists."""
    data = block.data
    n = len(data)
    steps: list[_Paragraph | _List] = []
    k = 0
    while k < n:
        line = data[k]
        if _BLANK.match(line):  # StateWS.blank
            k += 1
            continue
        if _INDENT.match(line) or _odd_blank(line):  # Body.indent: a block quote
            return None
        name, match = _transition(line)
        if name == "text":
            paragraph = _paragraph(block, k)
            if paragraph is None:
                return None
            steps.append(paragraph)
            k = paragraph[4]
        elif (name == "bullet" or name == "field_marker") and match is not None:
            entries = _entries(block, k, name, match, input_offset)
            if entries is None:
                return None
            steps.append((name, k, entries[0]))
            k = entries[1]
        else:
            return None
    return steps


def _paragraph(block: StringList, k: int) -> _Paragraph | None:
    """Body.text then Text: the paragraph starting at line k, its text, the literal
    block it announces if it ends in `::`, and the line after them; None for a title,
    a definition list, an unexpected indentation, or a `::` not followed by an indented
    block and a blank line."""
    data = block.data
    n = len(data)
    end = k + 1
    if end < n:
        second = data[end]
        if _BLANK.match(second):  # Text.blank
            pass
        elif _INDENT.match(second) or _odd_blank(second):  # Text.indent
            return None
        elif _UNDERLINE.match(second) and not _short_underline(data[k], second):
            return None  # Text.underline: a title
        else:  # Text.text: StateMachine.get_text_block(flush_left=True)
            while end < n:
                line = data[end]
                if not line.strip():
                    if _odd_blank(line):
                        return None
                    break
                if line[0] == " ":  # UnexpectedIndentationError
                    return None
                end += 1
    text = "\n".join(data[k:end]).rstrip()
    if not text.endswith("::") or not _LITERAL_NEXT.search(text):
        return "p", k, text, None, end
    if end == n:  # Text.literal_block at the end: quoted_literal_block
        return None
    # Text.literal_block → StateMachineWS.get_indented, from the blank line on
    literal, _, blank_finish = block.get_indented(end)
    after = end + len(literal)
    start = end
    while literal and not literal[0].strip():
        literal.trim_start()
        start += 1
    while literal and not literal[-1].strip():
        literal.trim_end()
    if not literal or not blank_finish:  # quoted_literal_block, unindent_warning
        return None
    return "p", k, text, (start, "\n".join(literal)), after


def _entries(block: StringList, k: int, kind: str, match: re.Match[str],
             input_offset: int) -> tuple[list[_Entry], int] | None:
    """Body.bullet then BulletList, or Body.field_marker then FieldList: the entries
    of the list starting at line k and the line after the list; None for a bullet with
    nothing after it on its line, or a list that ends without a blank line (a
    warning)."""
    data = block.data
    n = len(data)
    bullet = data[k][0]
    entries: list[_Entry] = []
    while True:
        indent = match.end()
        if kind == "bullet":
            if not data[k][indent:]:  # get_first_known_indented: left to docutils
                return None
            # Body.list_item → StateMachineWS.get_known_indented
            indented, _, blank_finish = block.get_indented(k, block_indent=indent)
        else:  # Body.field → StateMachineWS.get_first_known_indented
            indented, _, blank_finish = block.get_indented(k, first_indent=indent)
        advance = len(indented)
        offset = input_offset + k
        while indented and not indented[0].strip():
            indented.trim_start()
            offset += 1
        entries.append((k, match.group(), indented, offset))
        k += advance
        while k < n and _BLANK.match(data[k]):
            k += 1
        if k == n:
            break
        line = data[k]
        if _INDENT.match(line) or _odd_blank(line):
            return None  # the list ends, then Body.indent
        name, next_match = _transition(line)
        if name != kind or next_match is None or (kind == "bullet" and line[0] != bullet):
            break  # SpecializedBody.invalid_input: the list ends here
        match = next_match
    if not blank_finish:  # Body.bullet's or Body.field_marker's unindent_warning
        return None
    return entries, k


# --- nodes outside the document -----------------------------------------------------
# A node that is not (yet) in a document has no document to take a source or line from,
# so docutils' setting up of a child (Element.setup_child) comes down to its parent.

_E = TypeVar("_E", bound=nodes.Element)
_PLAIN_INIT: set[type[nodes.Element]] = set()


def element(cls: type[_E], rawsource: str = "", children: Sequence[nodes.Node] = ()) -> _E:
    """`cls(rawsource, *children)` without attributes, as Element.__init__ makes it, for
    a node outside the document, of a class with no __init__ of its own (a TextElement's
    text goes in as a child Text)."""
    if cls not in _PLAIN_INIT:
        if cls.__init__ not in (nodes.Element.__init__, nodes.TextElement.__init__):
            raise TypeError(f"{cls.__name__} has an __init__ of its own")
        _PLAIN_INIT.add(cls)
    node = object.__new__(cls)
    kids = list(children)
    for child in kids:
        child.parent = node
    d = node.__dict__
    d["rawsource"] = rawsource
    d["children"] = kids
    d["attributes"] = {name: [] for name in cls.list_attributes}
    if cls.tagname is None:
        d["tagname"] = cls.__name__
    return node


def text_node(text: str) -> nodes.Text:
    """`nodes.Text(text)`."""
    return str.__new__(nodes.Text, text)


def adopt(parent: nodes.Element, child: nodes.Node) -> None:
    """`parent += child` for a parent outside the document."""
    child.parent = parent
    parent.children.append(child)


def parse_block(state: states.RSTState, block: StringList, input_offset: int,
               node: nodes.Element, nested: NestedParse) -> int | None:
    """`state.nested_parse(block, input_offset, node)` for a detached node and a block
    of paragraphs, literal blocks, bullet lists and field lists whose lines are in
    order from one source; `nested` parses the list items' and fields' blocks. None,
    having done nothing, for any other block."""
    items = block.items
    if not items:
        return None
    source, first = items[0]
    if input_offset != first or items != list(zip(repeat(source), range(first, first + len(items)))):
        return None
    steps = _plan(block, input_offset)
    if steps is None:
        return None
    memo = state.memo
    parse_inline = memo.inliner.parse
    line = first + 1  # line numbers count from 1
    for step in steps:
        if step[0] == "p":  # RSTState.paragraph (and Text.literal_block)
            _, k, data, literal, _ = step  # type: ignore[misc]
            if literal is None or data != "::":
                text = data
                if literal is not None:
                    text = data[:-3].rstrip() if data[-3] in " \n" else data[:-1]
                textnodes, messages = parse_inline(text, input_offset + k + 1, memo, node)
                p = element(nodes.paragraph, data, textnodes)
                p.source, p.line = source, line + k
                adopt(node, p)
                for message in messages:
                    adopt(node, message)
            if literal is not None:
                j, code = literal
                block_node = nodes.literal_block(code, code)
                block_node.source, block_node.line = source, line + j
                adopt(node, block_node)
        elif step[0] == "bullet":  # Body.bullet, BulletList.bullet, Body.list_item
            _, k, entries = step  # type: ignore[misc]
            ul = element(nodes.bullet_list)
            ul.source, ul.line = source, line + k
            adopt(node, ul)
            ul["bullet"] = entries[0][1][0]
            for j, _, indented, offset in entries:
                item = element(nodes.list_item, "\n".join(indented))
                item.source, item.line = source, line + j
                if indented:
                    nested(indented, offset, item)
                adopt(ul, item)
        else:  # Body.field_marker, FieldList.field_marker, Body.field
            _, k, entries = step  # type: ignore[misc]
            field_list = element(nodes.field_list)
            adopt(node, field_list)
            parent = node
            for j, marker, indented, offset in entries:
                name = marker[1:]
                name = name[: name.rfind(":")]  # Body.parse_field_marker
                field = element(nodes.field)
                field.source, field.line = source, line + j
                name_nodes, name_messages = parse_inline(name, input_offset + j + 1, memo, parent)
                adopt(field, element(nodes.field_name, name, name_nodes))
                body = element(nodes.field_body, "\n".join(indented), name_messages)
                adopt(field, body)
                if indented:
                    nested(indented, offset, body)
                adopt(field_list, field)
                parent = field_list  # (FieldList's own parent)
    memo.document.note_source(source, None)  # where the machine would have stopped
    return input_offset + len(items)
