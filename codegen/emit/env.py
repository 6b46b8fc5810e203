"""The jinja2 environment every emitter renders with.

Templates live in the repository's top-level `templates/` (the source of truth); an
installed codegen carries the same files as `codegen/templates` (see pyproject.toml).
"""

from __future__ import annotations

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


def docstring(text: str, limit: int = 400) -> str:
    """First paragraph of a page's text as a safe docstring body."""
    first = clean(text).strip().split("\n\n", 1)[0].strip()
    if len(first) > limit:
        first = first[: limit - 3].rsplit(" ", 1)[0] + "..."
    first = first.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if first.endswith('"'):
        first += " "
    return first


def doc(text: str, depth: int, fallback: str = "") -> str:
    """The docstring statement for a page's `text` (or `fallback` when there is none) at
    `depth`, already as black lays docstrings out."""
    return layout.docstring(docstring(text) if text else fallback, depth)


def md_cell(text: str) -> str:
    """Text for one Markdown table cell: one line, pipes escaped."""
    return " ".join(clean(text).split()).replace("|", "\\|")


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
    env.filters["pyrepr"] = pyrepr
    env.filters["docstring"] = docstring
    env.filters["md_cell"] = md_cell
    env.filters["clean"] = clean
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
