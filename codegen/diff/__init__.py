"""Semantic diff of two revisions of the reference pages (`codegen diff`, CHANGES.md).

Imports point one way: `rules` (rule ids and levels) ← `compare` (shape trees → a
result of changes at locations; ignore rules) ← `render` (text, Markdown, JSON,
CHANGES.md), and `compare` ← `load` (pages, saved trees, ignore files → its inputs).
The names below are the package's API: `from codegen import diff; diff.compare(...)`.
"""

from codegen.diff.compare import (
    Change,
    Detail,
    DiffResult,
    IgnoreRule,
    Location,
    Side,
    compare,
    merge_results,
    renamed,
    resolver_renames,
)
from codegen.diff.load import (
    InputError,
    PageFailure,
    PageParser,
    ParsedPages,
    changed_operations,
    load_operations,
    load_tree,
    parse_ignore,
    read_ignore_file,
    without_pages,
)
from codegen.diff.render import (
    CHANGELOG_HEADING,
    DIFF_JSON_VERSION,
    FORMATS,
    JsonRenderer,
    MarkdownRenderer,
    Renderer,
    TextRenderer,
    changelog_markdown,
    prepend_changelog,
    renderer,
    to_json,
)
from codegen.diff.rules import LEVELS, RANK, RULES, Level, Rule, level_at_least

__all__ = [
    "CHANGELOG_HEADING",
    "DIFF_JSON_VERSION",
    "FORMATS",
    "LEVELS",
    "RANK",
    "RULES",
    "Change",
    "Detail",
    "DiffResult",
    "IgnoreRule",
    "InputError",
    "JsonRenderer",
    "Level",
    "Location",
    "MarkdownRenderer",
    "PageFailure",
    "PageParser",
    "ParsedPages",
    "Renderer",
    "Rule",
    "Side",
    "TextRenderer",
    "changed_operations",
    "changelog_markdown",
    "compare",
    "level_at_least",
    "load_operations",
    "load_tree",
    "merge_results",
    "parse_ignore",
    "prepend_changelog",
    "read_ignore_file",
    "renamed",
    "renderer",
    "resolver_renames",
    "to_json",
    "without_pages",
]
