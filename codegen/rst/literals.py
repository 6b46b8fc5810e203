"""The skeleton's literal blocks (the Request and Response Syntax) cut to one line each.

docutils reads a literal block line by line (StringList.get_indented: a Python loop
over its lines) and keeps its text as it is; a syntax block runs to hundreds of lines,
a fifth of the work of parsing a skeleton whose entries are cut out. So each block
after a line that is only `::` is replaced by a one-line block holding a placeholder,
and after the parse each placeholder's literal block is given the block's text, as
docutils reads it (the lines dedented by their least indentation, their ends' white
space dropped, the blank lines at both ends dropped: items.dedent).

A `::` line can only be a paragraph's line at its container's indentation, so the
block is what follows it up to the first line that is not blank and not indented
deeper (docutils' rule: anything less indented ends the container first). Where the
`::` is not read as a paragraph's end (in a comment, a directive's content...),
the placeholder does not come back as a literal block of its own and the caller reads
the page whole (`restore`: Unsure).
"""

from __future__ import annotations

import re

from docutils import nodes

from codegen.rst import items
from codegen.rst.items import Unsure

LITERAL = items.LITERAL

# A line that is only `::` (its indentation in group 1), then a line end.
_OPENER = re.compile(r"^( *)::\n", re.MULTILINE)
_NOT_BLANK = re.compile(r"[^ \n]")


def cut_literals(text: str) -> tuple[str, list[str]]:
    """The text with each `::` line's block replaced by a placeholder line
    (`LITERAL<n>`), and each block's text as docutils reads it."""
    if "::\n" not in text:
        return text, []
    pieces: list[str] = []
    blocks: list[str] = []
    pos = 0
    for opener in _OPENER.finditer(text):
        if opener.start() < pos:
            continue  # (a `::` line inside a block cut already)
        column = len(opener[1])
        start = opener.end()
        found = items.end_of_item(column + 1).search(text, start - 1)
        end = len(text) if found is None else found.start() + 1
        first = _NOT_BLANK.search(text, start, end)
        if first is None:
            continue  # (no block: docutils looks for a quoted one, or warns)
        line_start = text.rfind("\n", 0, first.start()) + 1
        # (blank lines before and after the block kept: the block's line, and whether
        # it ends with a blank line, are what they were)
        last = end - 1
        while text[last] in " \n":
            last -= 1
        eol = text.find("\n", last, end)
        block_end = end if eol < 0 else eol + 1
        pieces.append(text[pos:line_start])
        pieces.append(f"{' ' * (column + 1)}{LITERAL}{len(blocks)}\n")
        blocks.append(items.dedent(text[line_start:block_end]))
        pos = block_end
    if not blocks:
        return text, []
    pieces.append(text[pos:])
    return "".join(pieces), blocks


def restore(found: list[nodes.literal_block], blocks: list[str]) -> None:
    """Give each placeholder's literal block (`found`: those whose text starts with
    LITERAL, in document order) its block's text. Unsure unless each placeholder came
    back once, alone in a literal block."""
    if len(found) != len(blocks):
        raise Unsure
    for n, (node, data) in enumerate(zip(found, blocks)):
        parent = node.parent
        if node.rawsource != f"{LITERAL}{n}" or parent is None:
            raise Unsure
        block = nodes.literal_block(data, data)
        block.source, block.line = node.source, node.line
        parent.replace(node, block)
