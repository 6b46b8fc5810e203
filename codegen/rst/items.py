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
ITEM = "CODEGENITEM"
EXCEPTIONS = "CODEGENEXCEPTIONS"
LITERAL = "CODEGENLITERAL"  # (literals.py)
PAGE = "CODEGENPAGE"  # (reader.parse_pages: a paragraph before each page of a document)

# A bullet item whose first line is an entry header (markers.HEADER decides for sure).
_ITEM = re.compile(
    r"^( *)(- +)(?=(?:\*\*[^*\n]+\*\* +)?(?:\*\([^)\n]*\) --\*|\([^\n]*?\) --))", re.MULTILINE
)
# (the same from its dash: a pattern that starts with a literal is searched for fast,
# where `^` is tried at every character of the page, three times as slow)
_ITEM_DASH = re.compile(r"- +(?=(?:\*\*[^*\n]+\*\* +)?(?:\*\([^)\n]*\) --\*|\([^\n]*?\) --))")
# A line indented with white space other than spaces: docutils' rules for where a block
# ends (str.strip) and the lexer's (spaces) could disagree on it.
_ODD_INDENT = re.compile(r"^ *[^\S \n]", re.MULTILINE)
# The white space other than spaces and line ends (str.isspace, as `\s`), anywhere: a
# page without any (nearly all) is spared the search of _ODD_INDENT, twice as slow.
ODD_SPACE = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ANY_ODD_SPACE = re.compile(f"[{ODD_SPACE}]")
_ASCII_ODD_SPACE = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def _has_odd_space(text: str) -> bool:
    # (an ASCII text, nearly every page: eight substring searches, the regex engine's
    # search for the class forty times as long)
    if text.isascii():
        return any(c in text for c in _ASCII_ODD_SPACE)
    return _ANY_ODD_SPACE.search(text) is not None


_ENDS: dict[int, re.Pattern[str]] = {}


class EntryRun(nodes.bullet_list):
    """A run of entries cut out of the page: attribute `run`, its index in Cut.runs."""


class ExceptionList(nodes.Element):
    """The Exceptions section cut out of the page (cut_sections): attribute `targets`."""


class Unsure(Exception):
    """The page may not read the same cut as whole: parse it whole."""


def normalise(text: str) -> str:
    """The text with its tabs expanded to 8 columns, as docutils reads it
    (docutils.statemachine.string2lines). (Spaces at the ends of lines, which docutils
    drops too, are left: the lexer takes a line of spaces for a blank line.)"""
    if "\r" in text or "CODEGEN" in text:
        raise Unsure
    if "\t" in text:
        text = text.expandtabs(8)
    if _has_odd_space(text) and _ODD_INDENT.search(text):
        raise Unsure
    return text


# (the leading spaces of each line not blank)
_INDENTS = re.compile(r"^( *)\S", re.MULTILINE)
_DEDENTS: dict[int, re.Pattern[str]] = {}


def dedent(block: str) -> str:
    """docutils' reading of an indented block (its lines' text, without their line
    ends' white space): the blank lines at both ends dropped, the rest dedented by their
    least indentation (docutils' StringList.get_indented)."""
    # (str.rstrip line by line: the pattern `[^\S\n]+$` tried at every character of a
    # page's text took twenty-five times as long)
    block = "\n".join([line.rstrip() for line in block.split("\n")]).strip("\n")
    return _dedent_by(block, min(map(len, _INDENTS.findall(block)), default=0))


def _dedent_by(block: str, indent: int) -> str:
    if not indent:
        return block
    pattern = _DEDENTS.get(indent)
    if pattern is None:
        pattern = _DEDENTS[indent] = re.compile(r"^ {%d}" % indent, re.MULTILINE)
    return pattern.sub("", block)


def indented_block(text: str, start: int) -> tuple[str, int]:
    """The lines from `start` (a line's start) up to the next one that is neither
    blank nor indented, dedented by their least indentation (blank lines at both ends
    kept); and where that next line starts (len(text): none)."""
    found = _NOT_INDENTED.search(text, start)
    end = len(text) if found is None else found.start()
    block = text[start:end]
    return _dedent_by(block, min(map(len, _INDENTS.findall(block)), default=0)), end


_NOT_INDENTED = re.compile(r"^[^ \n]", re.MULTILINE)


def end_of_item(indent: int) -> re.Pattern[str]:
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
    match = _search_item(text, 0)
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
            found = None if eol < 0 else end_of_item(indent).search(text, eol)
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
        match = _search_item(text, end)
    pieces.append(text[pos:])
    return "".join(pieces), runs


def _search_item(text: str, pos: int) -> re.Match[str] | None:
    """_ITEM.search(text, pos)."""
    while (dash := _ITEM_DASH.search(text, pos)) is not None:
        at = dash.start()
        start = text.rfind("\n", 0, at) + 1
        if start >= pos and not text[start:at].strip(" "):
            return _ITEM.match(text, start)
        pos = at + 1
    return None


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


# A line that the top level of a document may read as a section title's underline or
# overline, or a transition, where a list item's body reads it otherwise (docutils' Body
# pattern `line`): an entry with one is parsed as a list item, as on its page.
_TITLE_LINE = re.compile(r"^([!-/:-@\[-`{-~])\1* *$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Chunk:
    """Where the batch puts an entry: the document line of its first node, and whether
    it is parsed as a list item of its own (after an ITEM marker) or as top-level text."""

    line: int
    listed: bool


def batch(entries: list[str], lines_before: int) -> tuple[str, list[Chunk]]:
    """The entries' texts, to be parsed after the skeleton (of `lines_before` line
    ends), after a marker paragraph; and where each one starts.

    The body of a list item is parsed as a nested Body, so an entry's text (dedented)
    reads the same at the top level of the document, with a blank line before and after
    it, as in its item: without a list state machine, nor a nested parse per item. Bar
    where the top level reads otherwise: a title or transition line (`_TITLE_LINE`),
    and a text ending with `::`, whose literal block an item's end cuts short where the
    next text would not. Such an entry is a one-item bullet list, after an ITEM marker
    paragraph that keeps it apart from the next one."""
    pieces = [f"\n\n\n{BATCH}\n"]
    line = lines_before + 1 + pieces[0].count("\n") + 1  # (after the marker, a blank line)
    chunks: list[Chunk] = []
    for text in entries:
        listed = text.endswith("::") or _TITLE_LINE.search(text) is not None
        chunks.append(Chunk(line, listed))
        if listed:
            text = f"{ITEM}\n\n- " + text.replace("\n", "\n  ")
        pieces.append(f"\n{text}\n")
        line += text.count("\n") + 2
    return "".join(pieces), chunks


def _marked(document: nodes.document) -> tuple[list[nodes.paragraph], list[nodes.literal_block]]:
    """The paragraphs of the document whose source starts with a placeholder, and its
    literal blocks that hold one (literals.py), in document order (document.findall's,
    without its generators)."""
    out: list[nodes.paragraph] = []
    literal_blocks: list[nodes.literal_block] = []
    stack: list[nodes.Node] = [document]
    paragraph, literal_block = nodes.paragraph, nodes.literal_block
    while stack:
        node = stack.pop()
        if isinstance(node, paragraph):
            if node.rawsource.startswith((TOKEN, BATCH, EXCEPTIONS, PAGE)):
                out.append(node)
            continue  # (a paragraph holds inline nodes only)
        if isinstance(node, literal_block):
            if node.rawsource.startswith(LITERAL):
                literal_blocks.append(node)
            continue
        children = node.children
        if children:
            stack.extend(reversed(children))
    return out, literal_blocks


def placeholders(
    document: nodes.document, runs: int, sections: Sections, chunks: list[Chunk]
) -> tuple[list[EntryRun], nodes.bullet_list | None, list[nodes.literal_block]]:
    """Replace each placeholder paragraph by an EntryRun (the Exceptions one by an
    ExceptionList); return them (by run), the batch's entries (`chunks`), as the
    items of a list, taken out of the document, and the literal blocks holding a
    placeholder (for literals.restore). Unsure unless every placeholder is found once,
    as a paragraph of its own, and each entry of the batch where it starts."""
    found: list[EntryRun | None] = [None] * runs
    marker: nodes.paragraph | None = None
    exceptions = 0
    papers, literal_blocks = _marked(document)
    for paragraph in papers:
        raw = paragraph.rawsource
        if raw == EXCEPTIONS and sections.exceptions is not None and not exceptions:
            if paragraph.parent is None or len(paragraph.children) != 1:
                raise Unsure
            exceptions += 1
            paragraph.parent.replace(paragraph, ExceptionList(targets=sections.exceptions))
            continue
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
    if any(run is None for run in found) or exceptions != (sections.exceptions is not None):
        raise Unsure  # a placeholder in a literal block, or joined to a paragraph
    batch_list: nodes.bullet_list | None = None
    if marker is not None:
        parent = marker.parent
        if not isinstance(parent, (nodes.document, nodes.section)):
            raise Unsure  # (the top level: the page's title makes a section of it)
        at = parent.index(marker)
        rest = parent.children[at + 1 :]
        del parent.children[at:]
        batch_list = _entry_items(rest, chunks)
    elif chunks:
        raise Unsure
    return [run for run in found if run is not None], batch_list, literal_blocks


def _entry_items(rest: list[nodes.Node], chunks: list[Chunk]) -> nodes.bullet_list:
    """The top-level nodes after the batch's marker, cut where each entry starts (the
    line of its first node) into list items. Unsure where the cut is not clean: an
    entry's first node not where it starts, or a node the top level alone makes."""
    out = nodes.bullet_list()
    at = 0
    for k, chunk in enumerate(chunks):
        first = rest[at] if at < len(rest) else None
        if not isinstance(first, nodes.paragraph) or first.line != chunk.line:
            raise Unsure
        end = at + 1
        following = chunks[k + 1].line if k + 1 < len(chunks) else None
        while end < len(rest) and not (isinstance(rest[end], nodes.paragraph) and rest[end].line == following):
            end += 1
        group = rest[at:end]
        at = end
        if chunk.listed:
            if (
                len(group) != 2
                or first.rawsource != ITEM
                or not isinstance(group[1], nodes.bullet_list)
                or len(group[1].children) != 1
            ):
                raise Unsure
            item = group[1].children[0]
        else:
            if any(isinstance(node, _TOP_LEVEL_ONLY) for node in group):
                raise Unsure
            item = nodes.list_item()
            item.extend(group)
        out.append(item)
    if at != len(rest):
        raise Unsure
    return out


# (what the top level alone makes of a title or a transition line; messages, that a
# paragraph's inline markup adds after it, are the item's as well)
_TOP_LEVEL_ONLY = (nodes.section, nodes.transition)


# --- sections of the skeleton read without docutils -----------------------------------
#
# Two parts of every method page cost docutils a state machine of their own, or a field
# each, for text that says one thing in one way: the Exceptions list at the end of the
# page, and each `:type X: string` field before its `:param X:`. They are cut out of
# the skeleton (after its entries) only where the text is exactly boto3's layout, and
# what they say handed to the reader; any other layout is left to docutils.

# `**Exceptions**`, a blank line, then `*   :py:class:`Target`` items to the page's end
# (blank lines between them): one bullet list of one cross-reference each.
_EXCEPTIONS = re.compile(
    r"(?P<ind> *)\*\*Exceptions\*\* *\n(?: *\n)+"
    r"(?P<items>(?:(?P=ind)\*   :py:class:`[A-Za-z0-9_.]+` *\n(?: *\n)*)+)"
)
_EXCEPTION = re.compile(r":py:class:`([A-Za-z0-9_.]+)`")
# A one-word type field right before the parameter it types, at the same indentation.
_TYPE = re.compile(r"^( +):type ([A-Za-z0-9_]+): ([a-z]+) *\n(?=\1:param \2:)", re.MULTILINE)
_ANY_TYPE = re.compile(r"^ *:type ([^:\n]*):", re.MULTILINE)
# (the types whose field body docutils reads as that one word, without a message)
PLAIN_TYPES = frozenset(
    {"string", "integer", "float", "boolean", "datetime", "bytes", "dict", "list", "str", "int", "bool", "function"}
)


@dataclass(slots=True)
class Sections:
    """What was cut out of a skeleton: the Exceptions list's targets (None: not cut; a
    paragraph `EXCEPTIONS` is left where its heading was), and each cut type field's
    type, by parameter name."""

    exceptions: list[str] | None = None
    types: dict[str, str] = field(default_factory=dict)


def cut_sections(skeleton: str) -> tuple[str, Sections]:
    """The skeleton without its Exceptions list and plain type fields (see above)."""
    cut = Sections()
    skeleton = _cut_exceptions(skeleton, cut)
    if ":type " not in skeleton:
        return skeleton, cut
    pieces: list[str] = []
    pos = 0
    for match in _TYPE.finditer(skeleton):
        start = match.start()
        if match[3] not in PLAIN_TYPES or not _opens_block(skeleton, start, len(match[1])):
            continue
        name = match[2]
        if name in cut.types:
            raise Unsure  # two type fields for one name: the last one is read
        cut.types[name] = match[3]
        pieces.append(skeleton[pos:start])
        pos = match.end()
    if not cut.types:
        return skeleton, cut
    pieces.append(skeleton[pos:])
    text = "".join(pieces)
    if any(name.strip() in cut.types for name in _ANY_TYPE.findall(text)):
        raise Unsure  # another type field for a name cut
    return text, cut


def _opens_block(text: str, start: int, indent: int) -> bool:
    """The line above `start` leaves a line at `indent` to start a block of its own
    there: blank, indented deeper (the end of a block), or a field at that indent."""
    if start == 0:
        return True
    begin = text.rfind("\n", 0, start - 1) + 1
    line = text[begin : start - 1]
    stripped = line.lstrip(" ")
    if not stripped:
        return True
    column = len(line) - len(stripped)
    return column > indent or (column == indent and stripped.startswith(":"))


def _cut_exceptions(skeleton: str, cut: Sections) -> str:
    at = skeleton.rfind("**Exceptions**")
    if at < 0:
        return skeleton
    begin = skeleton.rfind("\n", 0, at) + 1
    if skeleton[begin:at].strip(" ") or not _blank_before(skeleton, begin):
        return skeleton
    rest = skeleton[begin:] if skeleton.endswith("\n") else skeleton[begin:] + "\n"
    match = _EXCEPTIONS.fullmatch(rest)
    if match is None:
        return skeleton
    cut.exceptions = _EXCEPTION.findall(match["items"])
    return f"{skeleton[:begin]}{match['ind']}{EXCEPTIONS}\n"


def _blank_before(text: str, begin: int) -> bool:
    """The line before the one starting at `begin` is blank (or there is none)."""
    if begin == 0:
        return True
    before = text.rfind("\n", 0, begin - 1) + 1
    return not text[before : begin - 1].strip(" ")
