"""A page cut into its entry lists, lexically: the parse-by-content fast path.

boto3 documents a shared structure again wherever it is used, so most of a page's
lines are `- **Name** *(type) --*` entries met before, on this page or another. Each
run of entries (what docutils makes one bullet list) is cut out of the page and a
one-line placeholder paragraph left in its place; each entry's text, dedented, is the
key under which the reader memoises what it made of it. The page that remains (the
skeleton) and the entries not seen before (the batch, their own entries cut out the
same way) are parsed by docutils' public parser, in one document.

The cuts follow docutils' own rules for where a bullet item ends (the first line that
is not blank and is indented less than the item's text), on the text docutils reads
(tabs expanded, trailing whitespace dropped). Where the page could be read otherwise
(a placeholder that does not come back as a paragraph of its own, a bullet list that
mixes entries with other items, indentation made of other white space...), the caller
parses the page whole, as docutils does; so it does on any error, whose line it then
reports from the whole parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docutils import nodes

# (no page of the reference contains either; a page that does is parsed whole)
TOKEN = "CODEGENRUN"
BATCH = "CODEGENBATCH"

# A bullet item whose first line is an entry header (reader._HEADER decides for sure).
_ITEM = re.compile(
    r"^( *)(- +)(?=(?:\*\*[^*\n]+\*\* +)?(?:\*\([^)\n]*\) --\*|\([^\n]*?\) --))", re.MULTILINE
)
# A line indented with white space other than spaces: docutils' rules for where a block
# ends (str.strip) and the lexer's (spaces) could disagree on it.
_ODD_INDENT = re.compile(r"^ *[^\S \n]", re.MULTILINE)
_ENDS: dict[int, re.Pattern[str]] = {}


class EntryRun(nodes.bullet_list):
    """A run of entries cut out of the page: attribute `run`, its index in Cut.runs."""


class Unsure(Exception):
    """The page may not read the same cut as whole: parse it whole."""


def normalise(text: str) -> str:
    """The text with its tabs expanded to 8 columns, as docutils reads it
    (docutils.statemachine.string2lines). (Spaces at the ends of lines, which docutils
    drops too, are left: the lexer takes a line of spaces for a blank line.)"""
    if "\r" in text or TOKEN in text or BATCH in text:
        raise Unsure
    if "\t" in text:
        text = text.expandtabs(8)
    if _ODD_INDENT.search(text):
        raise Unsure
    return text


def _end_of_item(indent: int) -> re.Pattern[str]:
    # docutils' StringList.get_indented(block_indent=indent): the block ends before the
    # first non-blank line with a non-space character in its first `indent` columns.
    pattern = _ENDS.get(indent)
    if pattern is None:
        pattern = _ENDS[indent] = re.compile(r"\n(?= {0,%d}[^ \n])" % (indent - 1))
    return pattern


def split(text: str, first_run: int) -> tuple[str, list[list[str]]]:
    """The text with each run of entries replaced by a placeholder line (`TOKEN<n>`,
    n counting from `first_run`), and each run's entries: their text, dedented."""
    pieces: list[str] = []
    runs: list[list[str]] = []
    pos = 0
    size = len(text)
    match = _ITEM.search(text)
    while match is not None:
        column = len(match[1])
        start = match.start()
        if _after_bullet(text, start, column):
            raise Unsure  # other items, then entries, in one bullet list
        keys: list[str] = []
        item: re.Match[str] | None = match
        end = size
        while item is not None:
            indent = column + len(item[2])
            eol = text.find("\n", item.end())
            found = None if eol < 0 else _end_of_item(indent).search(text, eol)
            end = size if found is None else found.start()
            keys.append(text[item.start() + indent : end].replace("\n" + " " * indent, "\n").rstrip())
            if end == size:
                break
            item = _ITEM.match(text, end + 1)
            if item is not None and len(item[1]) != column:
                item = None
            if item is None and _is_bullet(text, end + 1, column):
                raise Unsure  # entries and other items in one bullet list
        pieces.append(text[pos:start])
        pieces.append(f"{' ' * column}{TOKEN}{first_run + len(runs)}")
        if end < size and not text[text.rfind("\n", 0, end) + 1 : end].strip(" "):
            pieces.append("\n")  # the list ended with a blank line: so does the placeholder
        runs.append(keys)
        pos = end
        match = _ITEM.search(text, end)
    pieces.append(text[pos:])
    return "".join(pieces), runs


def _after_bullet(text: str, start: int, column: int) -> bool:
    """The line at `start` continues a `-` bullet list at `column`: the nearest line
    above it indented no deeper is such a bullet."""
    end = start - 1
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        stripped = line.lstrip(" ")
        if stripped:
            indent = len(line) - len(stripped)
            if indent <= column:
                return indent == column and stripped[0] == "-" and stripped[1:2] in (" ", "")
        end = begin - 1
    return False


def _is_bullet(text: str, at: int, column: int) -> bool:
    """A `-` bullet at `column` on the line starting at `at`."""
    end = text.find("\n", at)
    line = text[at : end if end >= 0 else len(text)]
    return line.startswith(" " * column + "-") and line[column + 1 : column + 2] in (" ", "")


@dataclass(slots=True)
class Cut:
    """The runs of a page and of the entries parsed with it. `runs[n]`: the indices,
    in `keys`, of the entries of run n; `within[i]`: the runs cut out of entry i."""

    keys: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    runs: list[list[int]] = field(default_factory=list)
    within: dict[int, range] = field(default_factory=dict)

    def add_runs(self, runs: list[list[str]]) -> list[int]:
        """Register runs (in order, numbered from len(self.runs)); the entries met for
        the first time on this page, by index."""
        new: list[int] = []
        for keys in runs:
            indices: list[int] = []
            for key in keys:
                i = self.index.get(key)
                if i is None:
                    i = self.index[key] = len(self.keys)
                    self.keys.append(key)
                    new.append(i)
                indices.append(i)
            self.runs.append(indices)
        return new


def batch(entries: list[str]) -> str:
    """The entries' texts as one bullet list after a marker paragraph, to be parsed
    after the skeleton (each entry an item of its own, parsed as in the page)."""
    items = ["- " + text.replace("\n", "\n  ") for text in entries]
    return f"\n\n\n{BATCH}\n\n" + "\n\n".join(items) + "\n"


def _marked(document: nodes.document) -> list[nodes.paragraph]:
    """The paragraphs of the document whose source starts with a placeholder, in
    document order (document.findall's, without its generators)."""
    out: list[nodes.paragraph] = []
    stack: list[nodes.Node] = [document]
    paragraph = nodes.paragraph
    while stack:
        node = stack.pop()
        if isinstance(node, paragraph):
            if node.rawsource.startswith((TOKEN, BATCH)):
                out.append(node)
            continue  # (a paragraph holds inline nodes only)
        children = node.children
        if children:
            stack.extend(reversed(children))
    return out


def placeholders(document: nodes.document, runs: int) -> tuple[list[EntryRun], nodes.bullet_list | None]:
    """Replace each placeholder paragraph by an EntryRun; return them (by run) and the
    batch's list, taken out of the document. Unsure unless every run is found once, as
    a paragraph of its own, and the batch list right after its marker."""
    found: list[EntryRun | None] = [None] * runs
    marker: nodes.paragraph | None = None
    papers = _marked(document)
    for paragraph in papers:
        raw = paragraph.rawsource
        if raw == BATCH:
            if marker is not None:
                raise Unsure
            marker = paragraph
            continue
        number = raw[len(TOKEN) :]
        if not number.isdigit() or int(number) >= runs or found[int(number)] is not None:
            raise Unsure
        parent = paragraph.parent
        if parent is None or len(paragraph.children) != 1:
            raise Unsure
        run = EntryRun(bullet="-", run=int(number))
        parent.replace(paragraph, run)
        found[int(number)] = run
    if any(run is None for run in found):
        raise Unsure  # a placeholder in a literal block, or joined to a paragraph
    batch_list: nodes.bullet_list | None = None
    if marker is not None:
        parent = marker.parent
        assert parent is not None
        at = parent.index(marker)
        following = parent[at + 1] if at + 1 < len(parent) else None
        if not isinstance(following, nodes.bullet_list) or at + 2 != len(parent):
            raise Unsure
        parent.remove(marker)
        parent.remove(following)
        batch_list = following
    return [run for run in found if run is not None], batch_list
