"""The jinja2 environment every emitter renders with.

Templates live in the repository's top-level `templates/` (the source of truth); an
installed codegen carries the same files as `codegen/templates` (see pyproject.toml).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

_HERE = Path(__file__).resolve().parent
TEMPLATE_DIRS = (_HERE.parent.parent / "templates", _HERE.parent / "templates")


def template_dir() -> Path:
    for candidate in TEMPLATE_DIRS:
        if (candidate / "models.py.jinja2").is_file():
            return candidate
    raise FileNotFoundError("codegen templates not found (looked in templates/ and codegen/templates/)")


def pyrepr(value: Any) -> str:
    """A Python literal for a string: repr() gives stable, escaped, black-compatible text."""
    text = repr(value)
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"} | {0x7F: None}


def clean(text: str) -> str:
    """Page text without control characters (docutils leaves NUL for backslash-escapes)."""
    return text.translate(_CONTROL)


def docstring(text: str, limit: int = 400) -> str:
    """First paragraph of a page's text as a safe docstring body."""
    first = clean(text).strip().split("\n\n", 1)[0].strip()
    if len(first) > limit:
        first = first[: limit - 3].rsplit(" ", 1)[0] + "..."
    first = first.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if first.endswith('"'):
        first += " "
    return first


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
    )
    env.filters["pyrepr"] = pyrepr
    env.filters["docstring"] = docstring
    env.filters["md_cell"] = md_cell
    env.filters["clean"] = clean
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
