"""The Sphinx constructs used by boto3's reference pages, taught to plain docutils.

Sphinx is not a dependency: pages only use a handful of `py:` directives and a few
cross-reference roles, and the parser needs their content parsed as RST and their
targets kept, nothing more.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles


class desc(nodes.Element):
    """A `py:method` / `py:class` / `py:attribute` block; attributes `objtype`, `signature`."""


class xref(nodes.Inline, nodes.TextElement):
    """A cross-reference role (`:py:class:`, `:doc:`, ...); attributes `role`, `target`."""


class PyObject(Directive):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"noindex": directives.flag, "module": directives.unchanged}
    objtype = ""

    def run(self) -> list[nodes.Node]:
        node = desc(self.block_text, objtype=self.objtype, signature=self.arguments[0])
        node.source, node.line = self.state_machine.get_source_and_line(self.lineno)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def _directive(objtype: str) -> type[PyObject]:
    return type(f"Py{objtype.title()}", (PyObject,), {"objtype": objtype})


def _xref_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,  # (docutils' Inliner: nothing of it is used)
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    # `Title <target>` or a bare target; a leading `~` or `.` only shortens the title.
    title, target = text, text
    if text.endswith(">") and "<" in text:
        title, _, target = text[:-1].partition("<")
        title, target = title.strip(), target.strip()
    else:
        title = text.lstrip("~.")
    return [xref(rawtext, title, role=name, target=target)], []


class LenientAdmonition(Directive):
    """`note` / `warning` / `danger` that tolerate an empty body (some pages have one)."""

    has_content = True
    node_class: type[nodes.Element] = nodes.note

    def run(self) -> list[nodes.Node]:
        if not self.content:
            return []
        node = self.node_class("\n".join(self.content))
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class TocTree(Directive):
    """Sphinx's `toctree` (boto3's service, resource and index pages): a table of
    contents holds no API shape, so it is read and dropped."""

    has_content = True
    option_spec = {
        "maxdepth": directives.unchanged,
        "titlesonly": directives.flag,
        "hidden": directives.flag,
        "glob": directives.flag,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "numbered": directives.unchanged,
        "includehidden": directives.flag,
        "reversed": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        return []


class Refused(Directive):
    """`role` and `default-role`: they would change docutils' role registry, which is
    process-wide, for every page parsed after this one. Reference pages never use them."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        raise self.error(f'"{self.name}" directive is not allowed on a reference page')


ADMONITIONS: dict[str, type[nodes.Element]] = {
    "note": nodes.note,
    "warning": nodes.warning,
    "danger": nodes.danger,
    "tip": nodes.tip,
    "important": nodes.important,
    "caution": nodes.caution,
    "attention": nodes.attention,
    "hint": nodes.hint,
}

ROLES = ("doc", "class", "meth", "func", "attr", "ref", "obj", "mod", "exc")
OBJECT_TYPES = ("method", "class", "attribute", "function", "exception", "data")
_registered = False


def register() -> None:
    """Register the directives and roles with docutils (idempotent, process-wide)."""
    global _registered
    if _registered:
        return
    for objtype in OBJECT_TYPES:
        directives.register_directive(f"py:{objtype}", _directive(objtype))
    for name, node_class in ADMONITIONS.items():
        directives.register_directive(
            name, type(f"Lenient{name.title()}", (LenientAdmonition,), {"node_class": node_class})
        )
    directives.register_directive("toctree", TocTree)
    for name in ("role", "default-role"):
        directives.register_directive(name, Refused)
    for role in ROLES:
        # (types-docutils declares role functions narrower than docutils accepts)
        roles.register_local_role(role, _xref_role)  # type: ignore[arg-type]
        roles.register_local_role(f"py:{role}", _xref_role)  # type: ignore[arg-type]
    _registered = True
