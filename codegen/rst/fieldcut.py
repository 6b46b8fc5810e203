"""The method's field list (`:param X:`, `:returns:`...) cut into its fields' bodies.

docutils parses a field list with a state machine of its own (about fifteen states,
their transitions compiled anew, once a page) and each field's body in a nested parse.
A field's body is parsed as a nested Body, so, at the top level of the skeleton (the
method's body is there already: toplevel.py), the body's text reads the same as in its
field, with the same exceptions as there (titles, transitions, a final `::`). So the
field list, where it is exactly a run of plain fields, is replaced by its bodies, one
after the other after a marker paragraph, and the field list put together afterwards
(`wrap`): its fields' names are plain words, which docutils' inline parser leaves as
they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from docutils import nodes

from codegen.rst import items
from codegen.rst.items import Unsure

FIELDS = "CODEGENFIELDS"
FIELD = "CODEGENFIELD"
END = "CODEGENENDFIELDS"

# A field marker with a plain name, at the left margin (a subset of docutils' pattern).
_FIELD = re.compile(r":([A-Za-z]+(?: [A-Za-z0-9_]+)?):(?: +|$)", re.MULTILINE)
_FIRST = re.compile(r"^:(?!:$)", re.MULTILINE)  # (a line starting with `:`, but `::`)


@dataclass(frozen=True, slots=True)
class Field:
    """A field cut: its name, its body's text, the line (0-based, in the new content)
    where its body starts (None: an empty body), and whether a FIELD marker paragraph
    comes first (on that line)."""

    name: str
    body: str
    line: int | None
    marked: bool


def cut_fields(content: str, reads_the_same: Callable[[str], bool]) -> tuple[str, list[Field]]:
    """The content (dedented, lines right-stripped) with its field list replaced by the
    fields' bodies; (content, []) where the layout is not exactly a list of plain
    fields after a blank line, ending before a blank line."""
    found = _FIRST.search(content)
    if found is None:
        return content, []
    first = found.start()
    if first and not content.endswith("\n\n", 0, first):
        return content, []  # (the list run into what comes before it)
    bodies: list[tuple[str, str]] = []
    at = first
    while at < len(content) and content[at] == ":":
        match = _FIELD.match(content, at)
        if match is None:
            return content, []
        eol = content.find("\n", match.end())
        if eol < 0:
            eol = len(content)
        rest, at = items.indented_block(content, min(eol + 1, len(content)))
        text = f"{content[match.end() : eol]}\n{rest}".strip("\n")
        if text and (text.endswith("::") or not reads_the_same(text)):
            return content, []
        bodies.append((match[1], text))
    if at < len(content) and not content.endswith("\n\n", 0, at):
        return content, []  # (no blank line after the list: docutils warns)
    pieces = [content[:first], FIELDS, "\n\n"]
    line = content.count("\n", 0, first) + 2  # (the line after the marker's blank line)
    fields: list[Field] = []
    for name, text in bodies:
        if not text:
            fields.append(Field(name, text, None, False))
            continue
        marked = not _starts_paragraph(text)
        fields.append(Field(name, text, line, marked))
        if marked:
            pieces.append(f"{FIELD}\n\n")
            line += 2
        pieces.append(f"{text}\n\n")
        line += text.count("\n") + 2
    pieces += [END, "\n\n", content[at:]]
    return "".join(pieces), fields


# A first line that docutils reads as the start of a paragraph (not a list, a table, an
# enumerator, markup...), the line after it blank (not a definition list's term).
_PARAGRAPH = re.compile(r"(?:[A-Za-z0-9]|\*\*[^\s*])[^\n]*(?:\n\n|$)")
_ENUMERATOR_LIKE = re.compile(r"(?:\([A-Za-z0-9#]+\)|[A-Za-z0-9#]+[.)])(?: |$)")


def _starts_paragraph(text: str) -> bool:
    if text.startswith("CODEGEN"):
        return False  # (a run's placeholder: an EntryRun by the time the fields are put together)
    return _PARAGRAPH.match(text) is not None and _ENUMERATOR_LIKE.match(text) is None


def wrap(parent: nodes.Element, at: int, fields: list[Field], first_line: int) -> None:
    """Replace the FIELDS marker (parent[at]) and what follows it up to the END marker
    by the field list (`first_line`: the document line of the new content's first line).
    Unsure unless each body starts where it should."""
    children = parent.children
    end = next(
        (k for k in range(at + 1, len(children)) if _is_marker(children[k], END)),
        None,
    )
    if end is None:
        raise Unsure
    rest = children[at + 1 : end]
    starts = [first_line + f.line for f in fields if f.line is not None]
    groups: list[list[nodes.Node]] = []
    k = 0
    for number, start in enumerate(starts):
        head = rest[k] if k < len(rest) else None
        if not isinstance(head, nodes.paragraph) or head.line != start:
            raise Unsure
        following = starts[number + 1] if number + 1 < len(starts) else None
        stop = k + 1
        while stop < len(rest) and not (isinstance(rest[stop], nodes.paragraph) and rest[stop].line == following):
            stop += 1
        groups.append(rest[k:stop])
        k = stop
    if k != len(rest):
        raise Unsure
    field_list = nodes.field_list()
    bodies = iter(groups)
    for f in fields:
        body = nodes.field_body(f.body)
        if f.line is not None:
            group = next(bodies)
            if f.marked:
                if not _is_marker(group[0], FIELD):
                    raise Unsure
                group = group[1:]
            if any(isinstance(node, (nodes.section, nodes.transition)) for node in group):
                raise Unsure
            body.extend(group)
        field_list += nodes.field("", nodes.field_name(f.name, "", nodes.Text(f.name)), body)
    del parent.children[at : end + 1]
    parent.insert(at, field_list)


def _is_marker(node: nodes.Node, marker: str) -> bool:
    return isinstance(node, nodes.paragraph) and node.rawsource == marker
