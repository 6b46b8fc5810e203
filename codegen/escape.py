"""Page text made safe for the text codegen writes that is not Python: Markdown, and
the one-line messages it prints (`printable`, `shown`).

Stdlib only (codegen/diff.py renders CHANGES.md with it too). The Python side, string
literals and docstrings, is codegen/emit/env.py (pyrepr, doc_escape).
"""

from __future__ import annotations

import html
import re

_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"} | {0x7F: None}
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # the same characters


def clean(text: str) -> str:
    """Page text without control characters (docutils leaves NUL for backslash-escapes)."""
    # (translate looks every character up in the table: search first, as most text has
    # none of them)
    return text.translate(_CONTROL) if _HAS_CONTROL.search(text) else text


# --- messages ---------------------------------------------------------------------------
#
# A name or text from a page (or a saved tree) in an error line must not break the line
# (`\n` then a forged `error: ...`) nor reach the terminal as a control sequence.


def printable(text: str) -> str:
    """`text` with each non-printable character (a newline, a control character) written
    as `repr` writes it: a file name or message from a page stays on its one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def shown(value: object, width: int = 80) -> str:
    """A value quoted for a one-line message: repr'd (escapes newlines), and cut to
    `width` characters when long."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


# --- Markdown ---------------------------------------------------------------------------
#
# The docs are read through site generators, which pass raw HTML through: page text must
# not add markup (`<script>`, `<img onerror=...>`) or `javascript:` links. Outside code
# spans `&`, `<`, `>` become entities; code spans are literal to Markdown, so they keep
# their text, as long as this module and Markdown agree on where they are (else the
# whole block is escaped); links keep only http(s)/mailto (or relative) targets, and
# no link reference definition survives.

# A code span on one line: a backtick run closed by the next run, of the same length
# (CommonMark), the opening run not after a backslash.
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)([^`\n]+?)(?<!`)\1(?!`)")
_BACKTICKS = re.compile(r"`+")
_BLOCKS = re.compile(r"(\n[ \t]*\n)")  # blank lines: code spans do not cross them
_MD_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# `](target` ends an inline link; `]:` a link reference definition's label.
_MD_LINK = re.compile(r"\]\(\s*(?P<target>[^)\s]*)|\]:")
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def _md_plain(text: str) -> str:
    return _MD_LINK.sub(_md_link, text.translate(_MD_ENTITIES))


def _md_link(match: re.Match[str]) -> str:
    target = match.group("target")
    if target is None:
        return "\\]:"  # a definition would turn `[label]` anywhere into its link
    scheme = _SCHEME.match(html.unescape(target))
    if scheme is None or scheme.group()[:-1].lower() in _SAFE_SCHEMES:
        return match.group()
    return "\\]" + match.group()[1:]  # not a link: the text as written


def _md_block(block: str) -> str:
    spans = list(_CODE_SPAN.finditer(block))
    if sum(len(_BACKTICKS.findall(s.group())) for s in spans) != len(_BACKTICKS.findall(block)):
        return _md_plain(block)  # a backtick Markdown may pair otherwise: escape it all
    out: list[str] = []
    last = 0
    for span in spans:
        out += [_md_plain(block[last : span.start()]), span.group()]
        last = span.end()
    out.append(_md_plain(block[last:]))
    return "".join(out)


def md_text(text: str) -> str:
    """Page text for a Markdown page: no HTML, no unsafe links, code spans as they are."""
    parts = _BLOCKS.split(clean(text))
    return "".join(part if i % 2 else _md_block(part) for i, part in enumerate(parts))


def md_code(text: str, cell: bool = False) -> str:
    """Page text as one inline code span (in a table `cell`, with `|` escaped)."""
    text = " ".join(clean(text).split())
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    if not text or text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if cell:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def md_cell(text: str) -> str:
    """Text for one Markdown table cell: one line, pipes escaped."""
    # (joined first: escaped as the one line Markdown will read)
    return md_text(" ".join(clean(text).split())).replace("|", "\\|")
