"""Page text made safe for the text codegen writes that is not Python: Markdown, and
the one-line messages it prints (`printable`, `shown`).

Stdlib only (codegen/diff/render.py renders CHANGES.md with it too). The Python side,
string literals and docstrings, is codegen/emit/env.py (pyrepr, doc_escape).
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
# whole block is escaped); links keep only http(s) targets and mailto with a real
# address (docutils links any `a@b`, so upstream `Lambda@Edge` became `mailto:Lambda@Edge`);
# any other link of page text is left to its title: a relative target was written for
# the AWS site and resolves nowhere here. No link reference definition survives, and no
# line of page text becomes a heading.

# A code span on one line: a backtick run closed by the next run, of the same length
# (CommonMark), the opening run not after a backslash.
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)([^`\n]+?)(?<!`)\1(?!`)")
_BACKTICKS = re.compile(r"`+")
_BLOCKS = re.compile(r"(\n[ \t]*\n)")  # blank lines: code spans do not cross them
_MD_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# A whole inline link with a plain title (what the tree writes for a page's links).
_MD_FULL_LINK = re.compile(r"\[(?P<title>[^\[\]\n]*)\]\(\s*(?P<target>[^)\s]*)\s*\)")
# `](target` ends an inline link; `]:` a link reference definition's label.
_MD_LINK = re.compile(r"\]\(\s*(?P<target>[^)\s]*)|\]:")
_WEB = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)
_MAILTO = re.compile(r"mailto:[\w.+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)


def link_target_ok(target: str) -> bool:
    """A link target page text may keep: http(s) with a host, or mailto with a real
    address (a dotted domain)."""
    target = html.unescape(target)
    return bool(_WEB.match(target) or _MAILTO.fullmatch(target))


def _md_plain(text: str) -> str:
    text = _MD_FULL_LINK.sub(_md_full_link, text.translate(_MD_ENTITIES))
    return _MD_LINK.sub(_md_link, text)


def _md_full_link(match: re.Match[str]) -> str:
    title = match.group("title")
    if link_target_ok(match.group("target")) and title.strip():
        return match.group()
    return title or html.unescape(match.group("target")).translate(_MD_ENTITIES)


def _md_link(match: re.Match[str]) -> str:
    target = match.group("target")
    if target is None:
        return "\\]:"  # a definition would turn `[label]` anywhere into its link
    if link_target_ok(target):
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


# A line Markdown would read as a heading (ATX `# x`, or a setext underline below text),
# at most three spaces in (deeper is a code block, or code inside a list item).
_ATX = re.compile(r"^( {0,3})(#{1,6}(?:[ \t]|$))")
_SETEXT = re.compile(r"^( {0,3})(=+|-+)[ \t]*$")
_BULLET = re.compile(r"^ *- ")
# A heading of the AWS pages that boto3's RST left indented under the last bullet of a
# list (s3 get_object's "Storage classes"): a few words without end punctuation.
_LOOSE_HEADING = re.compile(r"^ +([A-Za-z][\w'’()/&, -]{0,59}[\w)])[ \t]*$")


def _lines(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        before = lines[i - 1] if i else ""
        after = lines[i + 1] if i + 1 < len(lines) else ""
        loose = _LOOSE_HEADING.match(line)
        if (
            loose
            and _BULLET.match(before)
            and len(loose.group(1).split()) <= 6
            and (not after.strip() or not after.startswith(" "))
        ):
            # Out of the list, a paragraph of its own: it heads what follows the list.
            out += ["", loose.group(1), ""] if after.strip() else ["", loose.group(1)]
            continue
        if _ATX.match(line) or (_SETEXT.match(line) and before.strip()):
            line = _ATX.sub(r"\1\\\2", line) if _ATX.match(line) else _SETEXT.sub(r"\1\\\2", line)
        out.append(line)
    return "\n".join(out)


def md_text(text: str) -> str:
    """Page text for a Markdown page: no HTML, no unsafe links, code spans as they are,
    no headings, no heading left inside a list."""
    parts = _BLOCKS.split(_lines(clean(text)))
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


def md_fence(code: str, lang: str = "") -> str:
    """`code` as a fenced code block: a fence longer than any backtick run in it, so no
    line of it can close the block."""
    code = clean(code)
    fence = "`" * max(3, max((len(r) for r in _BACKTICKS.findall(code)), default=0) + 1)
    return f"{fence}{lang}\n{code}\n{fence}"
