"""The method's body at the top level of the skeleton, not in its directive.

Parsed as `.. py:method::`'s content, the body of a page is a nested parse, after which
docutils starts a state machine of its own (about fifteen states, their transitions
compiled anew) for explicit markup that could follow the directive; nothing does. So
the skeleton's directive (a paginator's or waiter's class directive, and the method
directive that ends its content), where it is exactly boto3's layout, is replaced by a
marker paragraph and its content, dedented: the top level reads that text as the
directive's nested parse does, and the `desc` node the directive would make is put
together around it afterwards (`wrap`).

The top level and a nested parse read a text the same way but for section titles and
transitions, which only the top level makes: a content with a line of punctuation at
its left margin (docutils' Body pattern `line`) is not cut, bar the `::` lines that
docutils reads as text either way: under the first line of a paragraph three columns
wide or more (`**Request Syntax**`: an underline too short), or between blank lines (a
transition too short). Neither is a content ending with
`::` (its literal block: what follows the content decides), nor a directive with
options, text after it, or no blank line before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docutils import nodes

from codegen.rst import fieldcut, items
from codegen.rst.directives import desc
from codegen.rst.items import Unsure

DESC = "CODEGENDESC"

# `.. py:method:: SIGNATURE` at the left margin, then a blank line (no options)
_DIRECTIVE = re.compile(r"^\.\. py:(method|class):: +([^\s:][^\n]*)\n[ ]*\n", re.MULTILINE)
_NOT_INDENTED = re.compile(r"^[^ \n]", re.MULTILINE)
_TITLE_LINE = re.compile(r"^([!-/:-@\[-`{-~])\1* *$", re.MULTILINE)
# A line that starts a paragraph (docutils' Body reads it as text: not a list item,
# an enumerator, a field, an option, a table, markup...), at least three columns wide.
_TEXT_START = re.compile(r"(?:[A-Za-z0-9]|\*\*[^\s*])[^\n]*")
_ENUMERATOR_LIKE = re.compile(r"(?:\([A-Za-z0-9#]+\)|[A-Za-z0-9#]+[.)])(?: |$)")


@dataclass(slots=True)
class Cut:
    """The directives cut, outermost first: (objtype, signature, block text)."""

    directives: list[tuple[str, str, str]] = field(default_factory=list)
    # the fields cut out of its content (fieldcut.py), and the document line of the
    # content's first line
    fields: list[fieldcut.Field] = field(default_factory=list)
    first_line: int = 0


def cut_directive(skeleton: str, cut: Cut) -> str:
    """The skeleton with its method directive (where it is the last thing on the page,
    in boto3's layout; in a paginator's or waiter's class directive, both) replaced by a
    DESC marker and its content, at the top level."""
    new = _cut(skeleton, cut, nested=False)
    if new is None:
        cut.directives.clear()
        cut.fields = []
        return skeleton
    return new


def _cut(text: str, cut: Cut, nested: bool) -> str | None:
    match = _DIRECTIVE.search(text)
    if match is None or (nested and match[1] != "method"):
        return None
    start = match.start()
    if start and not _blank_line_before(text, start):
        return None
    after = match.end()
    if _NOT_INDENTED.search(text, after) is not None:
        return None  # (text after the directive: its explicit markup list, or a page error)
    content = items.dedent(text[after:])
    if not content or content.endswith("::") or not _titles_ok(content):
        return None
    if match[1] == "class":
        inner = _cut(content, cut, nested=True)
        if inner is None:
            return None
        content = inner
        # (the method's content: its lines in the class's content, from here on)
        cut.first_line += text.count("\n", 0, start) + 2
    else:
        content, cut.fields = fieldcut.cut_fields(content, _titles_ok)
        cut.first_line = text.count("\n", 0, start) + 3  # (after the marker and a blank line)
    cut.directives.insert(0, (match[1], match[2].rstrip(), text[start:].rstrip()))
    return f"{text[:start]}{DESC}\n\n{content}\n"


def _blank_line_before(text: str, start: int) -> bool:
    before = text.rfind("\n", 0, start - 1) + 1
    return not text[before : start - 1].strip(" ")


def _titles_ok(content: str) -> bool:
    """No line of punctuation at the left margin, bar `::` lines that docutils reads as
    text at the top level as in a nested parse: under the first line of a paragraph (an
    underline too short), or between blank lines (a transition too short)."""
    if _TITLE_LINE.search(content) is None:
        return True
    lines = content.split("\n")
    for n, line in enumerate(lines):
        if _TITLE_LINE.match(line) is None:
            continue
        if line != "::":
            return False
        if n == 0 or not lines[n - 1]:
            if n + 1 >= len(lines) or lines[n + 1]:
                return False
        elif (n >= 2 and lines[n - 2]) or not _starts_text(lines[n - 1]):
            return False
    return True


def _starts_text(line: str) -> bool:
    if _TEXT_START.fullmatch(line) is None or _ENUMERATOR_LIKE.match(line) is not None:
        return False
    return sum(c.isascii() for c in line) > 2  # (wider than the `::`: docutils' column_width)


def wrap(document: nodes.document, cut: Cut) -> None:
    """Put the desc node of each cut directive around what follows its marker (the
    batch taken out already). Unsure unless each marker is found, in order, at the top
    level."""
    if not cut.directives:
        return
    top = _top_level(document)
    markers = [node for node in top if isinstance(node, nodes.paragraph) and node.rawsource == DESC]
    if len(markers) != len(cut.directives) or any(m.parent is not markers[0].parent for m in markers):
        raise Unsure
    if cut.fields:
        fields = next((n for n in top if isinstance(n, nodes.paragraph) and n.rawsource == fieldcut.FIELDS), None)
        if fields is None or fields.parent is not markers[0].parent:
            raise Unsure
        fieldcut.wrap(fields.parent, fields.parent.index(fields), cut.fields, cut.first_line)
    for marker, (objtype, signature, block) in zip(reversed(markers), reversed(cut.directives)):
        parent = marker.parent
        assert parent is not None
        at = parent.index(marker)
        rest = parent.children[at + 1 :]
        del parent.children[at:]
        node = desc(block, objtype=objtype, signature=signature)
        node.extend(rest)
        parent.append(node)


def _top_level(document: nodes.document) -> list[nodes.Node]:
    """The children of the document and of its sections, in order."""
    out: list[nodes.Node] = []
    stack: list[nodes.Node] = [document]
    while stack:
        node = stack.pop()
        for child in node.children:
            out.append(child)
        stack.extend(reversed([c for c in node.children if isinstance(c, nodes.section)]))
    return out
