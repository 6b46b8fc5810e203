"""A `DiffResult` as text (the terminal), Markdown (CHANGES.md of a generated package)
or JSON (docs/diff-json.md).

Names and values in messages come from pages: Markdown escapes them (`_md_escape`,
`md_code`), JSON is written by `json.dumps`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, Protocol

import click

from codegen.diff.compare import Change, DiffResult, compare
from codegen.diff.rules import LEVELS, RANK
from codegen.escape import md_code, printable
from codegen.tree import Operation

DIFF_JSON_VERSION = 1


class Renderer(Protocol):
    def render(self, result: DiffResult) -> str: ...


def _summary(result: DiffResult) -> str:
    counts = result.counts()
    total = len(result.changes)
    parts = ", ".join(f"{counts[level]} {level}" for level in LEVELS)
    text = f"{total} change{'s' if total != 1 else ''} ({parts})"
    if result.ignored:
        text += f", {result.ignored} location{'s' if result.ignored != 1 else ''} ignored"
    return text


def _by_operation(result: DiffResult) -> tuple[dict[str, list[Change]], list[Change]]:
    """Changes of a single operation under it; changes seen in several operations apart."""
    per_op: dict[str, list[Change]] = {}
    shared: list[Change] = []
    for change in result.changes:
        if change.shared:
            shared.append(change)
        else:
            per_op.setdefault(change.locations[0].operation, []).append(change)
    return per_op, shared


def _level_order(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (-RANK[c.level], c.locations[0], c.rule))


class TextRenderer:
    """Grouped by operation; changes seen in several operations are listed once, as
    shared changes `[S1]`, ... with all their paths, and referenced from each operation."""

    _COLORS: dict[str, dict[str, Any]] = {
        "ERR": {"fg": "red", "bold": True},
        "WARN": {"fg": "yellow", "bold": True},
        "INFO": {"fg": "cyan"},
    }

    def __init__(self, color: bool = False) -> None:
        self.color = color

    def _level(self, level: str) -> str:
        text = level.ljust(4)
        return click.style(text, **self._COLORS[level]) if self.color else text

    def render(self, result: DiffResult) -> str:
        lines: list[str] = []
        if result.old_label or result.new_label:
            lines.append(
                f"old: {printable(result.old_label)} ({result.old_operations} operations)\n"
                f"new: {printable(result.new_label)} ({result.new_operations} operations)\n"
            )
        per_op, shared = _by_operation(result)
        shared = _level_order(shared)
        shared_ids = {id(c): f"S{i}" for i, c in enumerate(shared, 1)}
        refs: dict[str, list[Change]] = {}
        for change in shared:
            for op in change.operations:
                refs.setdefault(op, []).append(change)
        for op in sorted(per_op.keys() | refs.keys()):
            lines.append(printable(op))
            for change in _level_order(per_op.get(op, [])):
                paths = [printable(loc.path) for loc in change.locations if loc.path]
                head = f"  {self._level(change.level)}  {change.rule}"
                lines.append(f"{head}  {paths[0]}" if paths else head)
                lines.append(f"        {printable(change.message)}")
                lines.extend(f"        also at {p}" for p in paths[1:])
            for change in _level_order(refs.get(op, [])):
                n = sum(1 for loc in change.locations if loc.operation == op)
                lines.append(
                    f"  {self._level(change.level)}  {change.rule}  [{shared_ids[id(change)]}]"
                    f" {n} path{'s' if n != 1 else ''}, see shared changes"
                )
            lines.append("")
        if shared:
            lines.append("Shared changes (the same sub-tree reached from several operations)")
            for change in shared:
                ops = change.operations
                lines.append(
                    f"  [{shared_ids[id(change)]}] {self._level(change.level)}  {change.rule}"
                    f"  ({len(change.locations)} paths in {len(ops)} operations)"
                )
                lines.append(f"        {printable(change.message)}")
                for loc in change.locations:
                    lines.append(f"        {printable(loc.address)}")
            lines.append("")
        lines.append(_summary(result) if result.changes or result.ignored else "No changes.")
        return "\n".join(lines) + "\n"


class MarkdownRenderer:
    """Sections per level (breaking first), one bullet per change with its locations."""

    _TITLES = {
        "ERR": "Breaking changes (ERR)",
        "WARN": "Possibly breaking changes (WARN)",
        "INFO": "Other changes (INFO)",
    }

    def __init__(self, title: str | None = None, heading: int = 2) -> None:
        self.title = title
        self.heading = heading

    def render(self, result: DiffResult) -> str:
        h = "#" * self.heading
        out: list[str] = []
        if self.title:
            out += [f"{h} {self.title}", ""]
        if not result.changes:
            out += ["No API changes." if not result.ignored else _summary(result) + ".", ""]
            return "\n".join(out)
        out += [_summary(result) + ".", ""]
        for level in LEVELS:
            changes = [c for c in result.changes if c.level == level]
            if not changes:
                continue
            out += [f"{h}# {self._TITLES[level]}", ""]
            for change in _level_order(changes):
                out.extend(self._bullet(change))
            out.append("")
        return "\n".join(out)

    @staticmethod
    def _bullet(change: Change) -> list[str]:
        message = _md_escape(change.message)
        by_op: dict[str, list[str]] = {}
        for loc in change.locations:
            by_op.setdefault(loc.operation, []).append(loc.path)
        if len(change.locations) == 1:
            loc = change.locations[0]
            where = _md_name(loc.operation) + (f" {_md_name(loc.path)}" if loc.path else "")
            return [f"- {where}: {message} (`{change.rule}`)"]
        lines = [
            f"- {message} (`{change.rule}`), {len(change.locations)} paths"
            f" in {len(by_op)} operation{'s' if len(by_op) != 1 else ''}:"
        ]
        for op, paths in by_op.items():
            listed = ", ".join(_md_name(p) for p in paths if p)
            lines.append(f"  - {_md_name(op)}" + (f": {listed}" if listed else ""))
        return lines


def _md_name(text: str) -> str:
    """An operation or path as a code span, with what is not printable (a bidi override
    that would reorder the line as shown) written as the message writes it."""
    return md_code(printable(text))


def _md_escape(text: str) -> str:
    """Escape markdown outside the message's `code spans` (names and values). Names
    and values come from pages and may hold backticks themselves, so that Markdown may
    pair them otherwise: what stands between them has no raw `<`, `&` or link either.
    Nor a line break: a name that ended the bullet's line could start a heading or a
    change of its own below it (`printable` writes it as `\\n`)."""
    parts = printable(text).split("`")
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([\\*_<>|\[\]])", r"\\\1", parts[i])
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].translate(_CODE_ENTITIES).replace("](", "\\](")
    return "`".join(parts)


_CODE_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class JsonRenderer:
    """The schema of docs/diff-json.md."""

    def render(self, result: DiffResult) -> str:
        return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"


def to_json(result: DiffResult) -> dict[str, Any]:
    counts = result.counts()
    return {
        "diff_version": DIFF_JSON_VERSION,
        "old": {"source": result.old_label, "operations": result.old_operations},
        "new": {"source": result.new_label, "operations": result.new_operations},
        "summary": {
            "changes": len(result.changes),
            "locations": sum(len(c.locations) for c in result.changes),
            "ignored": result.ignored,
            **{level: counts[level] for level in LEVELS},
        },
        "changes": [
            {
                "rule": c.rule,
                "level": c.level,
                "message": c.message,
                "detail": c.detail_dict(),
                "operations": c.operations,
                "locations": [
                    {
                        "service": loc.service,
                        "kind": loc.kind,
                        "name": loc.name,
                        "operation": loc.operation,
                        "path": loc.path or None,
                    }
                    for loc in c.locations
                ],
            }
            for c in result.changes
        ],
    }


FORMATS = ("text", "markdown", "json")


def renderer(fmt: str, color: bool = False) -> Renderer:
    if fmt == "text":
        return TextRenderer(color=color)
    if fmt == "markdown":
        return MarkdownRenderer()
    if fmt == "json":
        return JsonRenderer()
    raise ValueError(f"unknown format {fmt!r}")


# --- changelog of a generated package -----------------------------------------------

CHANGELOG_HEADING = "# Changes"


def changelog_markdown(
    old_ops: Iterable[Operation],
    new_ops: Iterable[Operation],
    title: str,
    extra: Sequence[Change] = (),
    compared: DiffResult | None = None,
) -> str:
    """One CHANGES.md section: `## title` and the markdown diff from old to new, with
    `extra` changes (the renames of the names registry) among them. `compared`: what
    `compare(old_ops, new_ops)` returned, when the caller has it.

    Put it above the earlier sections (newest first), e.g. with `prepend_changelog`.
    """
    result = compared if compared is not None else compare(old_ops, new_ops)
    if extra:
        result = replace(
            result, changes=sorted([*result.changes, *extra], key=lambda c: (c.locations[0], c.rule, c.detail))
        )
    return MarkdownRenderer(title=title, heading=2).render(result)


def prepend_changelog(existing: str | None, section: str) -> str:
    """CHANGES.md text with `section` as its newest entry, under one `# Changes` heading."""
    body = (existing or "").strip("\n")
    if body.startswith(CHANGELOG_HEADING + "\n") or body == CHANGELOG_HEADING:
        body = body[len(CHANGELOG_HEADING) :].strip("\n")
    parts = [CHANGELOG_HEADING, section.strip("\n")] + ([body] if body else [])
    return "\n\n".join(parts) + "\n"

