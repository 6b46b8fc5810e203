"""The jinja2 environment every emitter renders with.

Templates live in the repository's top-level `templates/` (the source of truth); an
installed codegen carries the same files as `codegen/templates` (see pyproject.toml).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from black.strings import normalize_string_quotes

from codegen.emit import layout

_HERE = Path(__file__).resolve().parent
TEMPLATE_DIRS = (_HERE.parent.parent / "templates", _HERE.parent / "templates")


def template_dir() -> Path:
    for candidate in TEMPLATE_DIRS:
        if (candidate / "models.py.jinja2").is_file():
            return candidate
    raise FileNotFoundError("codegen templates not found (looked in templates/ and codegen/templates/)")


def pyrepr(value: Any) -> str:
    """A Python literal for a value; strings quoted the way black leaves them (double
    quotes unless that needs more escapes)."""
    text = repr(value)
    if isinstance(value, str):
        if "'" in value or '"' in value:
            return normalize_string_quotes(text)
        return '"' + text[1:-1] + '"'  # what black makes of it, without its regexes
    return text


_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"} | {0x7F: None}
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # the same characters


def clean(text: str) -> str:
    """Page text without control characters (docutils leaves NUL for backslash-escapes)."""
    # (translate looks every character up in the table: search first, as most text has
    # none of them)
    return text.translate(_CONTROL) if _HAS_CONTROL.search(text) else text


def doc_escape(text: str) -> str:
    """Page text as it may stand inside a docstring: the one escaping for docstrings.

    No control characters, no backslash escapes (a backslash stands for itself), no
    three quotes in a row to end the docstring, and no `"` at either end that could join
    a quote around it (black's own rule at a docstring's ends: a space beside it)."""
    text = clean(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    if text.startswith('"'):
        text = " " + text
    return text


def docline(text: str) -> str:
    """Page text (a name) inside a line of a template's docstring: escaped, one line."""
    return doc_escape(" ".join(clean(text).split()))


def docstring(text: str, limit: int = 400) -> str:
    """First paragraph of a page's text as a safe docstring body."""
    first = clean(text).strip().split("\n\n", 1)[0].strip()
    if len(first) > limit:
        first = first[: limit - 3].rsplit(" ", 1)[0] + "..."
    return doc_escape(first).lstrip(" ")


def doc(text: str, depth: int, fallback: str = "") -> str:
    """The docstring statement for a page's `text` (or `fallback` when there is none) at
    `depth`, already as black lays docstrings out."""
    return layout.docstring(docstring(text) if text else doc_escape(fallback), depth)


def fstring(text: str, code: str) -> str:
    """An f-string literal: page `text` (braces doubled, quoted by pyrepr) followed by
    the replacement fields `code`, e.g. `fstring(service_id + " has no operation ",
    "{operation!r}")`."""
    literal = pyrepr(text.replace("{", "{{").replace("}", "}}"))
    return "f" + literal[:-1] + code + literal[-1]


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
    return " ".join(md_text(text).split()).replace("|", "\\|")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # (no stat of the template per render: they ship with codegen)
    )
    # The only ways page text enters generated text (docs/security.md):
    env.filters["pyrepr"] = pyrepr  # a Python string literal
    env.filters["docline"] = docline  # inside a docstring
    env.filters["fstring"] = fstring  # an f-string literal
    env.filters["md_text"] = md_text  # Markdown prose
    env.filters["md_code"] = md_code  # a Markdown code span
    env.filters["md_cell"] = md_cell  # a Markdown table cell
    # Python templates write their statements through these, so that the text they
    # render is already black's (codegen/emit/layout.py): no black pass needed. (As
    # filters, `{{ text | line(1) }}`: jinja2 calls a filter directly, a global function
    # through Context.call, several times slower.)
    env.filters["line"] = layout.fit
    env.filters["item"] = layout.fit_element
    env.filters["doc"] = doc
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
