"""The jinja2 environment every emitter renders with (its templates: templatedir.py)."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.ext

from codegen import fmt
from codegen.emit import docstrings
from codegen.emit.templatedir import template_dir
from codegen.escape import clean, md_cell, md_code, md_text

def pyrepr(value: Any) -> str:
    """A Python literal for a value; strings quoted the way black leaves them (double
    quotes unless that needs more escapes)."""
    if isinstance(value, str):
        return fmt.quote(value)
    return repr(value)


def doc_escape(text: str) -> str:
    """Page text as it may stand inside a docstring: the one escaping for docstrings.

    No control characters, no backslash escapes (a backslash stands for itself), no
    three quotes in a row to end the docstring, and no `"` at either end that could join
    a quote around it (black's own rule at a docstring's ends: a space beside it); no
    line break but `\\n` and no lone surrogate (docstrings.scrub)."""
    text = clean(docstrings.scrub(text)).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    if text.startswith('"'):
        text = " " + text
    return text


@lru_cache(maxsize=1 << 10)  # (a service's name heads every module of it)
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
    return fmt.docstring(docstring(text) if text else doc_escape(fallback), depth)


def classdoc(
    summary: str,
    depth: int,
    attributes: Iterable[tuple[str, str]],
    fallback: str,
    heading: str = "Attributes",
    link: str = "",
) -> str:
    """A class's docstring statement: the first paragraph of its page description (or
    `fallback`), then a `heading:` section, one entry per (name, description), then the
    `link` line (docstrings.see_also)."""
    body = docstrings.class_body(summary, attributes, depth, fallback, heading, link)
    return fmt.docstring(doc_escape(body), depth)


@lru_cache(maxsize=1 << 14)  # (a member's text recurs: request and response, model and stub)
def attrdoc(text: str, depth: int) -> str:
    """The docstring after a field (IDEs show it on hover): the first paragraph of the
    member's description."""
    return fmt.docstring(doc_escape(docstrings.summary_body(text, depth)), depth)


def methoddoc(
    text: str, depth: int, fallback: str, link: str = "", params: Iterable[tuple[str, str]] = ()
) -> str:
    """A client method's docstring: the operation's first paragraph, an `Args:` entry
    per parameter, then the link to the AWS API reference (docstrings.see_also)."""
    return fmt.docstring(doc_escape(docstrings.method_body(text, depth, fallback, link, params)), depth)


def fstring(text: str, code: str) -> str:
    """An f-string literal: page `text` (braces doubled, quoted by pyrepr) followed by
    the replacement fields `code`, e.g. `fstring(service_id + " has no operation ",
    "{operation!r}")`."""
    literal = pyrepr(text.replace("{", "{{").replace("}", "}}"))
    return "f" + literal[:-1] + code + literal[-1]


# The filters that lay a statement out at a depth (4 spaces each). A template writes the
# statement where it stands, `    {{ code | line }}`, and its indentation gives the depth:
# nobody counts depths by hand, and the template shows the module's shape.
_DEPTH_FILTERS = ("line", "item", "doc", "classdoc", "attrdoc", "methoddoc")
_STATEMENT = re.compile(
    r"^(?P<indent>[ ]*)\{\{(?P<code>.*)\|\s*(?P<filter>" + "|".join(_DEPTH_FILTERS)
    + r")(?:\((?P<args>.*)\))?\s*\}\}[ ]*$",
    re.MULTILINE,
)
_DEPTH_FILTER = re.compile(r"\|\s*(?:" + "|".join(_DEPTH_FILTERS) + r")\b")


class StatementDepths(jinja2.ext.Extension):
    """Rewrites `<indent>{{ code | line(args) }}` as `{{ code | line(depth, args) }}`
    before jinja2 compiles a template (jinja2's public preprocess hook), the depth being
    the indentation over 4; the filter then writes the indentation itself (every line of
    a statement split over several). Once, when the template is compiled: nothing at
    render time. A depth filter anywhere else (inside a line, after other text) is an
    error: it would have no depth to go by."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        def with_depth(match: re.Match[str]) -> str:
            indent, args = match["indent"], (match["args"] or "").strip()
            problem = ""
            if len(indent) % 4:
                problem = f"indented by {len(indent)} spaces, not a multiple of 4"
            elif args[:1].isdigit():
                problem = "a depth given by hand: the indentation gives it"
            if problem:
                lineno = source.count("\n", 0, match.start()) + 1
                raise jinja2.TemplateSyntaxError(f"{match['filter']}: {problem}", lineno, name, filename)
            depth = str(len(indent) // 4)
            return f"{{{{{match['code']}| {match['filter']}({depth}{', ' + args if args else ''}) }}}}"

        source = _STATEMENT.sub(with_depth, source)
        for match in _DEPTH_FILTER.finditer(source):
            if not source.startswith("(", match.end()) or not source[match.end() + 1 : match.end() + 2].isdigit():
                lineno = source.count("\n", 0, match.start()) + 1
                raise jinja2.TemplateSyntaxError(
                    f"{match.group().lstrip('| ')}: a statement filter goes alone on its line, "
                    "indented where the statement stands", lineno, name, filename,
                )
        return source


# codegen/escape.py's Markdown escaping, cached: a member's text (a type, an enum value)
# recurs on the pages of every operation and structure using it.
md_text_cached = lru_cache(maxsize=1 << 14)(md_text)
md_code_cached = lru_cache(maxsize=1 << 14)(md_code)
md_cell_cached = lru_cache(maxsize=1 << 14)(md_cell)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """jinja2's cache of compiled templates, in a folder that may stop being writable:
    a template it cannot keep is compiled again next time, and the render goes on."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def compiled_templates(folder: Path) -> jinja2.BytecodeCache | None:
    """The compiled templates kept in `folder`/__pycache__, as Python keeps compiled
    modules beside their sources: a run that renders one service compiles no template
    (all 25: 0.2-0.45 s of CPU, against 0.02 s to load them).

    Beside the templates, not in the user's cache folder: compiled code is trusted as the
    templates are (whoever can write beside them can change them), while a cache folder
    may be restored from elsewhere (a CI cache). None where that folder cannot be written
    (a read-only installation): the templates are compiled in each run, as before.

    jinja2 compiles a template again when its source changed (its key holds the source's
    checksum), or jinja2 or Python did; the file names hold the hash of this module, for
    what is compiled in besides the source (StatementDepths, the environment's options).
    The files of another hash are removed."""
    cache = folder / "__pycache__"
    this = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    try:
        cache.mkdir(exist_ok=True)
        for old in cache.glob("__jinja2_*.cache"):
            if not old.name.startswith(f"__jinja2_{this}_"):
                old.unlink(missing_ok=True)
    except OSError:
        return None
    if not os.access(cache, os.W_OK | os.X_OK):
        return None
    return _CompiledTemplates(str(cache), f"__jinja2_{this}_%s.cache")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return make_environment(template_dir())


def make_environment(folder: Path) -> jinja2.Environment:
    """The environment of the templates in `folder` (codegen's own: `environment()`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # (no stat of the template per render: they ship with codegen)
        extensions=[StatementDepths],
        bytecode_cache=compiled_templates(folder),
    )
    # The only ways page text enters generated text (docs/security.md):
    env.filters["pyrepr"] = pyrepr  # a Python string literal
    env.filters["docline"] = docline  # inside a docstring
    env.filters["fstring"] = fstring  # an f-string literal
    env.filters["md_text"] = md_text_cached  # Markdown prose
    env.filters["md_code"] = md_code_cached  # a Markdown code span
    env.filters["md_cell"] = md_cell_cached  # a Markdown table cell
    # Python templates write their statements through these, so that the text they
    # render is in the canonical layout black leaves alone (codegen/fmt.py); the depth
    # comes from where the statement stands in the template (StatementDepths). (As
    # filters, `{{ text | line(1) }}`: jinja2 calls a filter directly, a global function
    # through Context.call, several times slower.)
    env.filters["line"] = fmt.fit
    env.filters["item"] = fmt.fit_element
    env.filters["doc"] = doc
    env.filters["classdoc"] = classdoc
    env.filters["attrdoc"] = attrdoc
    env.filters["methoddoc"] = methoddoc
    return env


@lru_cache(maxsize=None)
def _template(name: str) -> jinja2.Template:
    # (jinja2's own cache, keyed by a weak reference to the loader, is looked up per render)
    return environment().get_template(name)


def render(template: str, **context: Any) -> str:
    return _template(template).render(**context)
