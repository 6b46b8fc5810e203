"""docutils, driven through its public API: the text of a page (decoded, its layout
checked), its parse into a doctree (an RST error a PageError), and the doctree's end."""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator
from contextlib import contextmanager

from docutils import frontend, nodes, utils
from docutils.parsers.rst import Parser

from codegen import gcpause
from codegen.rst.directives import register
from codegen.rst.errors import PageError


_settings: frontend.Values | None = None


def _docutils() -> tuple[Parser, frontend.Values]:
    """A parser of its own for each page (a shared one would keep the last page's
    document and state machine alive until the next page's parse: past the young
    generation's collection after each page, gcpause.page_done), and the settings."""
    return Parser(), _parse_settings()


def _parse_settings() -> frontend.Values:
    """The settings of every parse (made once; the directives registered first)."""
    global _settings
    if _settings is None:
        register()
        _settings = frontend.get_default_settings(Parser)
        _settings.report_level = 5
        _settings.halt_level = 5
        _settings.warning_stream = False
        _settings.file_insertion_enabled = False
        _settings.raw_enabled = False
        # Enum lists of EC2 instance types make single lines of well over 10,000 characters.
        _settings.line_length_limit = 10_000_000
    return _settings


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of a page, or a PageError naming the line of the first bad byte.
    A byte order mark is dropped and CRLF line ends read as LF: an editor on Windows
    adds them, and the page means the same."""
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if not data.strip():
        raise PageError(source, 1, "empty page")
    nul = data.find(b"\0")
    if nul >= 0:
        raise PageError(source, data.count(b"\n", 0, nul) + 1, "binary file (NUL byte)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PageError(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x})") from None


# Characters that str.splitlines (and so docutils) takes as line breaks, though the
# page author did not: a U+2028 inside a description would end a bullet entry early.
_STRAY = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
STRAY_BREAKS = str.maketrans({c: " " for c in _STRAY})


def has_stray_break(text: str) -> bool:
    """A character of STRAY_BREAKS in the text (rare: translate is slow on a long text).
    (Eight substring searches: the regex engine's search for the class, forty times as long.)"""
    return any(c in text for c in _STRAY)


@contextmanager
def gc_paused() -> Generator[None, None, None]:
    """No cyclic garbage collection while a page is parsed and read (codegen/gcpause.py).
    `parse_page` frees its tree itself (`dismantle`)."""
    with gcpause.paused():
        yield


def doctree(text: str, source: str) -> nodes.document:
    """The page's doctree, as docutils parses it whole (PageError on an RST error)."""
    with gc_paused():
        if has_stray_break(text):
            text = text.translate(STRAY_BREAKS)
        return parse_rst(text, source)


class _Serious:
    """Counts the system messages of level >= 3 a parse reports (docutils' observer
    API), so that a clean parse need not look for them in the tree."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, message: nodes.system_message) -> None:
        if message["level"] >= 3:
            self.count += 1


def new_document(source: str) -> nodes.document:
    """An empty document with the parse's settings."""
    return utils.new_document(source, _parse_settings())


def parse_rst(text: str, source: str) -> nodes.document:
    parser, settings = _docutils()
    document = utils.new_document(source, settings)
    serious = _Serious()
    document.reporter.attach_observer(serious)
    parser.parse(text, document)
    # (the machine and its states point at each other, and the document's reporter at the
    # machine, which docutils' cache of nested state machines keeps until the next page's
    # parse: unlinked, what stays behind is the machine alone, not its fifteen states)
    parser.statemachine.unlink()
    document.reporter.detach_observer(serious)
    if serious.count:
        for message in document.findall(nodes.system_message):
            if message["level"] >= 3:
                # (its paragraphs, on one line: the rest is the offending block, copied whole)
                what = " ".join(p.astext() for p in message.findall(nodes.paragraph))
                what = " ".join((what or message.astext()).split())
                raise PageError(source, message.get("line"), "RST: " + what)
    return document


# Nesting limits, set well above the deepest page of the boto3 1.44.8 reference: its
# bullets nest 20 entries deep and its text is indented at most 94 columns (a syntax
# block; bedrock-agent-runtime's invoke_flow); each entry is 2 columns deeper than its
# parent. Deeper pages are refused: docutils and the reader recurse once per level.
MAX_DEPTH = 64  # entries in entries (syntax.MAX_DEPTH: dicts and lists in a syntax block)
MAX_INDENT = 256  # columns of indentation, bullet markers included (`- - - x` nests too)
_TOO_INDENTED = re.compile(r"^(?:[ ]|[-*+](?= )){%d}" % MAX_INDENT, re.MULTILINE)
# (what _TOO_INDENTED finds, and more, at the text's start or after a line end: a pattern
# that starts with a literal, searched for four times as fast, so it is looked for first)
_MAYBE_TOO_INDENTED = re.compile(r"\n[ *+-]{%d}" % MAX_INDENT)
_MAYBE_TOO_INDENTED_FIRST = re.compile(r"[ *+-]{%d}" % MAX_INDENT)
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


def check_layout(text: str, source: str) -> None:
    """Refuse, before docutils sees it, a page docutils would misread or recurse on."""
    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab is not None:
        # boto3 indents with spaces; docutils takes a tab as 8 columns, so a page
        # re-indented with tabs silently nests entries under the wrong parents.
        line = text.count("\n", 0, tab.start()) + 1
        raise PageError(source, line, "tab in the indentation (reference pages are indented with spaces)")
    maybe = _MAYBE_TOO_INDENTED_FIRST.match(text) or _MAYBE_TOO_INDENTED.search(text)
    deep = _TOO_INDENTED.search(text) if maybe else None
    if deep is not None:
        line = text.count("\n", 0, deep.start()) + 1
        raise PageError(source, line, f"nested too deeply: indented over {MAX_INDENT} columns")


def too_deep(source: str) -> PageError:
    # Nesting that stays under MAX_INDENT but still runs docutils out of stack (blocks
    # indented one column deeper each): the page is refused.
    return PageError(source, 1, "nested too deeply to read")


def dismantle(document: nodes.Element) -> None:
    """Empty every children list of a doctree nobody needs any more: parent and child
    point at each other, so the tree would otherwise wait for the cycle collector,
    which walks it all; this way reference counting frees it at once."""
    stack: list[nodes.Node] = [document]
    while stack:
        children = stack.pop().children
        if children:
            stack.extend(children)
            children.clear()  # type: ignore[attr-defined]
