"""Doctree nodes → the contract's documentation text.

Paragraphs are separated by a blank line, inline literals keep backticks, links read
`[title](url)`, bullet items become `- ` lines, admonitions keep their paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from docutils import nodes

from codegen.rst.directives import xref

_SPACES = re.compile(r"\s+")
# ``literal``text (no space after the end-string) is not markup to docutils, but it
# is to the author: render it as a literal all the same.
_STRAY_LITERAL = re.compile(r"``([^`]+?)``")
_CODE_ROLES = frozenset({"class", "meth", "func", "attr", "obj", "exc", "mod"})


def inline_text(node: nodes.Node) -> str:
    """One paragraph's inline content as a single line."""
    text = "".join([_inline(child) for child in node.children])
    # An unclosed ``literal`` (docutils leaves a `problematic` node and the rest as text).
    # (split/join: what `\s+` → " " and strip() make of it, without the regex)
    return " ".join(text.replace("``", "`").split())


def _inline(node: nodes.Node) -> str:
    if isinstance(node, nodes.Text):
        # astext() drops the NULs docutils keeps where the source had a backslash escape
        # (and is slow: skipped when there is none)
        text = str(node)
        if "\x00" in text:
            text = node.astext()
        return _STRAY_LITERAL.sub(r"`\1`", text) if "``" in text else text
    if isinstance(node, nodes.literal):
        return f"`{node.astext()}`"
    if isinstance(node, xref):
        role = str(node["role"]).removeprefix("py:")
        return f"`{node.astext()}`" if role in _CODE_ROLES else node.astext()
    if isinstance(node, nodes.reference):
        title = "".join(_inline(c) for c in node.children).strip()
        uri = node.get("refuri")
        return f"[{title}]({uri})" if uri and title != uri else title
    if isinstance(node, (nodes.system_message, nodes.target)):
        return ""
    if isinstance(node, nodes.problematic):
        return node.astext()
    if isinstance(node, nodes.Element):
        return "".join(_inline(child) for child in node.children)
    return node.astext()


def blocks_text(blocks: Iterable[nodes.Node]) -> str:
    """Body elements (paragraphs, lists, notes...) as text blocks joined by blank lines."""
    parts = [part for block in blocks for part in _block(block)]
    return "\n\n".join(p for p in parts if p)


def _block(node: nodes.Node) -> list[str]:
    if isinstance(node, nodes.paragraph):
        return [inline_text(node)]
    if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
        return [_list(node, "")]
    if isinstance(node, nodes.literal_block):
        return ["\n".join("    " + line for line in node.astext().splitlines())]
    if isinstance(node, (nodes.system_message, nodes.target, nodes.comment)):
        return []
    if isinstance(node, nodes.definition_list):
        return [
            f"{inline_text(item[0])}: {blocks_text(item[-1].children)}"
            for item in node.children
            if isinstance(item, nodes.definition_list_item)
        ]
    if isinstance(node, nodes.TextElement):
        return [inline_text(node)]
    if isinstance(node, nodes.Element):
        # Admonitions, block quotes, containers: their body, flattened.
        return [part for child in node.children for part in _block(child)]
    return [_SPACES.sub(" ", node.astext()).strip()]


def _list(node: nodes.Element, indent: str) -> str:
    lines: list[str] = []
    enumerated = isinstance(node, nodes.enumerated_list)
    for number, item in enumerate(node.children, start=1):
        if not isinstance(item, nodes.list_item):
            continue
        bullet = f"{number}. " if enumerated else "- "
        first = True
        for child in item.children:
            if isinstance(child, (nodes.bullet_list, nodes.enumerated_list)):
                lines.append(_list(child, indent + "  "))
                continue
            for part in _block(child):
                if not part:
                    continue
                prefix = indent + (bullet if first else "  ")
                lines.append(prefix + part.replace("\n", "\n" + indent + "  "))
                first = False
    return "\n".join(lines)
