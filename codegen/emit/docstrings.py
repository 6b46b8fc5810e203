"""Page descriptions as docstring text: clean, wrapped, the first paragraph only.

The shape tree's `documentation` (docs/shape-tree.md, "Text") is already free of RST,
but it is page text: Markdown links, characters that `str.splitlines` (and so black and
`help()`) takes for line breaks while Python's tokenizer does not, lone surrogates that
cannot be written as UTF-8. `clean_text` makes plain text of it; `class_body`,
`method_body` and `summary_body` lay it out as docstring bodies. Nothing here escapes
for Python: every body goes through `env.doc_escape` (the one docstring escaping) and
`fmt.docstring` afterwards.

Only the first paragraph of a description is kept (sagemaker's models.py is megabytes
already): the whole text is in the docs pages.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from functools import lru_cache

from codegen.emit.memo import per_service
from codegen.naming import ClassInfo, ServiceNames
from codegen.tree import Operation, Shape, api_url_ok

WIDTH = 88  # black's line length: docstring lines wrap there

# Characters Python reads as part of a string but `str.splitlines` as a line break
# (black re-indents docstrings by splitlines: such a line would move), the C0/C1
# controls, and the bidirectional overrides that make text read other than it is.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")  # alone (a str holds no pairs): not UTF-8
_NOTHING_TO_SCRUB = re.compile(
    r"[^\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u200e\u200f"
    r"\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff\t]*"
)

# `[title](url)` as the tree writes links; only web and mail targets are kept.
_LINK = re.compile(r"\[(?P<title>[^\[\]\n]*)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))*)\)")
_SAFE_URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"'`\\]+", re.IGNORECASE)
_BULLET = re.compile(r"(?P<indent> *)(?P<mark>- |\d+\. )")
# A sentence ends at . ! ? followed by a space and a capital (or a quote, a bracket, a
# backtick); not after the abbreviations the reference uses mid-sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(\[\"'])")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "vs.", "approx.", "Inc.", "Ltd.", "No.", "Mr.", "Dr.", "St."})


def scrub(text: str) -> str:
    """Text as it may stand between a docstring's quotes, but for escaping: `\\n` the
    only line break, no control characters, no lone surrogates (U+FFFD instead)."""
    if _NOTHING_TO_SCRUB.fullmatch(text):
        return text  # (most text: one scan in C instead of four)
    text = _BREAKS.sub("\n", text)
    text = _CONTROLS.sub("", text)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return text.replace("\t", " ")


def _link(match: re.Match[str]) -> str:
    title, url = " ".join(match.group("title").split()), match.group("url")
    if not _SAFE_URL.fullmatch(url):
        return title
    return url if not title or title == url else f"{title} ({url})"


def _block(block: str) -> str:
    """One block of the tree's text, whitespace collapsed: a paragraph on one line, a
    list one item a line (nesting kept), a literal block as it is."""
    lines = [line.rstrip() for line in block.split("\n") if line.strip()]
    if lines and all(line.startswith("    ") for line in lines):
        return "\n".join(lines)  # a literal block
    if lines and _BULLET.match(lines[0]):
        items: list[str] = []
        for line in lines:
            bullet = _BULLET.match(line)
            if bullet is not None or not items:
                indent = bullet.group("indent") + bullet.group("mark") if bullet else ""
                items.append(indent + " ".join(line[len(indent) :].split()))
            else:  # the continuation of an item
                items[-1] += " " + " ".join(line.split())
        return "\n".join(items)
    return " ".join(" ".join(lines).split())


@lru_cache(maxsize=1 << 14)  # (a member's text recurs: request, response, model, stub)
def clean_text(text: str) -> str:
    """The tree's documentation as plain text: blocks separated by a blank line, links
    as `title (url)`, whitespace collapsed, nothing Python or black would read as a
    line break but `\\n`. Backticks around literals stay (IDEs show them as code)."""
    text = _LINK.sub(_link, scrub(text))
    blocks = (_block(b) for b in re.split(r"\n[ ]*\n", text))
    return "\n\n".join(b for b in blocks if b)


@lru_cache(maxsize=1 << 14)
def first_paragraph(text: str) -> str:
    """The first block of clean text; with the list after it when it ends in a colon
    ("including the following:"), which it introduces."""
    blocks = clean_text(text).split("\n\n")
    first = blocks[0]
    if first.endswith(":") and len(blocks) > 1 and _BULLET.match(blocks[1]):
        first += "\n\n" + blocks[1]
    return first


@lru_cache(maxsize=1 << 14)
def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph (all of it when it has one)."""
    first = clean_text(text).split("\n\n", 1)[0]
    if "\n" in first:  # a list or a literal block: its first line
        first = first.split("\n", 1)[0]
    for match in _SENTENCE_END.finditer(first):
        head = first[: match.start()]
        words = head.rsplit(" ", 1)
        if words[-1] in _ABBREVIATIONS or head.count("`") % 2:
            continue  # not a sentence's end, or inside a code span
        return head
    return first


def _wrap(text: str, indent: str, closing: bool) -> list[str]:
    """Clean text wrapped at WIDTH: paragraphs filled, list items with a hanging
    indent, literal blocks as they are; blank lines between blocks. The first line
    leaves room for the opening quotes, and the last for the closing ones if `closing`."""
    out: list[str] = []
    lines = [line for block in text.split("\n\n") for line in ("", *block.split("\n"))][1:]
    for n, line in enumerate(lines):
        bullet = _BULLET.match(line)
        if not line or (line.startswith("    ") and bullet is None):  # between blocks; a literal's line
            out.append(indent + line if line else "")
            continue
        opening = '"""' if not out else ""
        hanging = indent + (" " * len(bullet.group()) if bullet else "")
        wrapped = _fill(line, WIDTH, indent + opening, hanging)
        if closing and n == len(lines) - 1 and len(wrapped[-1]) + 3 > WIDTH:
            wrapped = _fill(line, WIDTH - 3, indent + opening, hanging)
        wrapped[0] = indent + wrapped[0].removeprefix(indent + opening)
        out += wrapped
    return out


def _fill(line: str, width: int, first: str, rest: str) -> list[str]:
    """One line of clean text (words separated by single spaces, a nested item's bullet
    the only indentation) wrapped at `width` as
    `textwrap.wrap(..., break_long_words=False, break_on_hyphens=False)` wraps it: URLs,
    ARNs and code never broken. Greedy, without textwrap's chunking (a fifth of the
    docstrings' time on sagemaker); tests/test_docstrings.py checks it gives the same.
    Each line breaks at the last space that lets it fit (found in C), or else after its
    first word: what adding word after word while they fit gives."""
    out: list[str] = []
    prefix, start = first, 0
    while len(prefix) + len(line) - start > width:
        cut = line.rfind(" ", start, max(start, start + width - len(prefix) + 1))
        if cut < 0:
            cut = line.find(" ", start)  # (a first word too long for the line: alone on it)
            if cut < 0:
                break
        out.append(prefix + line[start:cut])
        prefix, start = rest, cut + 1
    out.append(prefix + line[start:])
    return out


@lru_cache(maxsize=1 << 14)
def summary_body(text: str, depth: int) -> str:
    """The first paragraph of `text` as a docstring body at `depth` (4 spaces each)."""
    indent = "    " * depth
    lines = _wrap(first_paragraph(text), indent, closing=True)
    return "\n".join(lines).removeprefix(indent)


@lru_cache(maxsize=1 << 14)  # (a description recurs: a class's model and TypedDicts, an operation's)
def _summary(summary: str, fallback: str, indent: str, closing: bool) -> tuple[str, ...]:
    """class_body's first paragraph, wrapped."""
    return tuple(_wrap(first_paragraph(summary) or clean_text(fallback), indent, closing))


@lru_cache(maxsize=1 << 15)  # (a member recurs: in request and response, in every class holding it)
def _entry(name: str, text: str, width: int, indent: str) -> tuple[str, ...]:
    """class_body's entry for one attribute, wrapped."""
    return tuple(_fill(f"{name}: {first_sentence(text)}".rstrip(), width, f"{indent}    ", f"{indent}        "))


def class_body(
    summary: str,
    attributes: Iterable[tuple[str, str]],
    depth: int,
    fallback: str,
    heading: str = "Attributes",
    link: str = "",
    one_line: bool = False,
) -> str:
    """A docstring body: `summary`'s first paragraph (`fallback` when it has none), then
    a Google-style section `heading:` with one `name: first sentence` entry per attribute
    (what `help()` shows), each on `one_line` if asked, then `link`."""
    indent = "    " * depth
    entries = list(attributes)
    lines = list(_summary(summary, fallback, indent, not (entries or link)))
    if entries:
        lines += ["", f"{indent}{heading}:"]
        width = sys.maxsize if one_line else WIDTH
        for name, text in entries:
            lines += _entry(name, text, width, indent)
    if link:
        lines += ["", indent + link]
    if entries or link:
        lines.append(indent)  # the closing quotes on a line of their own
    return "\n".join(lines).removeprefix(indent)


# --- what describes a class -------------------------------------------------------------


@per_service
def _operations(names: ServiceNames) -> dict[str, Operation]:
    """Each client operation by name (the first, should two pages share one)."""
    return {op.name: op for op in reversed(names.all_client_operations)}


def _operation(names: ServiceNames, name: str) -> Operation | None:
    return _operations(names).get(name)


def _node_docs(op: Operation, path: str) -> list[str]:
    """The texts that describe the node at `path`, nearest first: its own shape's, then
    those of the list or map around it and of the member holding them."""
    here = path.partition(".")[0]
    if here not in ("input", "output"):
        return []
    node = op.input if here == "input" else op.output
    if node is None:
        return []
    chain: list[str] = [node.documentation]  # outermost first
    while here != path:
        step = _step(node, here, path)
        if step is None:
            return []
        here, node, member_doc = step
        if member_doc is not None:
            chain = [member_doc]  # a new member: what was around it describes its parent
        chain.append(node.documentation)
    return [text for text in reversed(chain) if text]


def _step(node: Shape, here: str, path: str) -> tuple[str, Shape, str | None] | None:
    """One node down from `here` towards `path`: (its path, its shape, the member's
    text when the step goes into a member)."""
    for name, member in node.members:
        child = f"{here}.{name}"
        if path == child or (path.startswith(child) and path[len(child)] in ".[{"):
            return child, member.shape, member.documentation
    if node.member is not None and path.startswith(here + "[]"):
        return here + "[]", node.member, None
    if node.value is not None and path.startswith(here + "{}"):
        return here + "{}", node.value, None
    return None


def class_text(names: ServiceNames, info: ClassInfo) -> str:
    """The description of a generated class: the text the page gives where the class
    first occurs (a structure's own, else that of the member or list holding it); for an
    operation's request, the operation's; for its response, the page's `:returns:` text
    or a line naming the operation."""
    op = _operation(names, info.op)
    if op is None:
        text = info.shape.documentation
    elif info.path == "input":
        text = info.shape.documentation or op.documentation
    elif info.path == "output":
        text = info.shape.documentation or f"The response of `{op.name}`."
    else:
        text = next(iter(_node_docs(op, info.path)), info.shape.documentation)
    return clean_text(text)


def class_link(names: ServiceNames, info: ClassInfo) -> str:
    """The `See also` line of an operation's request or response class ("" for any
    other class: a structure is shared by operations, its page is the operation's)."""
    op = _operation(names, info.op) if info.path in ("input", "output") else None
    return "" if op is None else see_also(op.api_url)


def member_text(documentation: str, shape: Shape) -> str:
    """A member's description as clean text, or its shape's when the member has none
    (a list's item, a map's value)."""
    for text in (documentation, shape.documentation):
        if text:
            return clean_text(text)
    for node in (shape.member, shape.value):
        if node is not None and node.documentation:
            return clean_text(node.documentation)
    return ""


def see_also(url: str) -> str:
    """The `See also` line for an operation's `api_url` ("" when it has none). The tree's
    rule (tree.api_url_ok) is checked again: a link of URL characters only, no quote,
    backslash or space, so the line needs nothing but the docstring escaping."""
    if not api_url_ok(url):
        return ""
    return f"See also: AWS API Documentation ({url})"


def method_body(
    documentation: str, depth: int, fallback: str, link: str = "", params: Iterable[tuple[str, str]] = ()
) -> str:
    """A client method's docstring body: the operation's first paragraph (`fallback`
    when it has none), its parameters (`Args:`), then the link. Each parameter's entry is
    one line: pyright's hover on a keyword argument shows that line of the docstring."""
    return class_body(documentation, params, depth, fallback, "Args", link, one_line=True)
