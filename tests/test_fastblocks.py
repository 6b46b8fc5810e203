"""List items parsed without a state machine (codegen/rst/fastblocks.py): the doctrees
plain docutils builds, node for node, on real pages and on real pages made awkward at
every rule fastblocks follows (where it must build the same nodes, and where it must
leave the item to docutils)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED
from test_parse_speedup import _doctree, _dump, fast_path_required, pytestmark  # noqa: F401  (skip only off the pinned docutils; fail if the fast path is off under it)

from codegen.rst import fastblocks
from codegen.rst.fastparse import FastParser

# A description line inside a nested list item of the seed page; each case below puts
# its lines right after its first occurrence, at its indentation.
ANCHOR = "          The DNS host name for the Docker container.\n"

CASES = {
    "as published": [],
    "a literal block after `text::`": ["", "For example::", "", "  docker run image", ""],
    "a literal block after `text ::`": ["", "For example ::", "", "  docker run image", ""],
    "`::` on the line after a paragraph": ["", "**Syntax**", "::", "", "  {'a': 1}", ""],
    "`::` alone": ["", "::", "", "  {'a': 1}", ""],
    "`::` and nothing indented after it": ["", "For example::", "", "Plain again.", ""],
    "`::` at the end of the item": ["", "For example::"],
    "a literal block ending without a blank line": ["", "Code::", "", "  x = 1", "Text."],
    "a paragraph of three lines": ["", "one", "two", "three", ""],
    "an unexpected indentation": ["", "one", "  two", ""],
    "a definition list": ["", "term", "  definition", ""],
    "a title underline": ["", "Title", "=====", ""],
    "a short underline": ["", "Title text", "--", ""],
    "a transition line": ["", "----", ""],
    "a block quote": ["", "  quoted", ""],
    "a directive": ["", ".. note::", "", "  A note.", ""],
    "an enumerated list": ["", "1. one", "2. two", ""],
    "a field list": ["", ":field: value", "", ":type other: `odd", ""],
    "a field list without a blank line after it": ["", ":field: value", "Text.", ""],
    "fields without blank lines between": ["", ":a: 1", ":b: 2", "", "Text.", ""],
    "a field with its value on the next lines": ["", ":field:", "  value", "", "  more", ""],
    "a list of two bullets": ["", "- a", "", "* b", ""],
    "a list without a blank line after it": ["", "- a", "Text.", ""],
    "items without blank lines between": ["", "- a", "- b", "", "Text.", ""],
    "an item with nothing after its bullet": ["", "-", "  a", ""],
    "a no-break space line (docutils strips it)": ["", "one", "\u00a0", "two", ""],
    "inline markup gone wrong": ["", "**unclosed and `odd", ""],
    "a nested list three deep": ["", "- a", "", "  - b", "", "    - c", "", "      text", ""],
}


def _page(lines: list[str]) -> str:
    text = SEED.read_text(encoding="utf-8")
    assert ANCHOR in text
    indent = " " * (len(ANCHOR) - len(ANCHOR.lstrip()))
    extra = "".join(f"{indent}{line}\n" if line else "\n" for line in lines)
    return text.replace(ANCHOR, ANCHOR + extra, 1)


@pytest.fixture
def taken() -> Iterator[list[bool]]:
    """Whether fastblocks built each item it was offered (True) or declined it."""
    seen: list[bool] = []
    parse_item = fastblocks.parse_block

    def counting(*args):  # type: ignore[no-untyped-def]
        offset = parse_item(*args)
        seen.append(offset is not None)
        return offset

    fastblocks.parse_block = counting  # type: ignore[assignment]
    yield seen
    fastblocks.parse_block = parse_item  # type: ignore[assignment]


@pytest.mark.parametrize("case", list(CASES))
def test_same_doctree_as_docutils(case: str, taken: list[bool]) -> None:
    text = _page(CASES[case])
    fast = _dump(_doctree(FastParser(cache=False), text, "page.rst"))
    assert taken and any(taken)  # (the rest of the page still went through fastblocks)
    assert fast == _dump(_doctree(FastParser(fast=False), text, "page.rst"))


def test_declines_what_it_does_not_build(taken: list[bool]) -> None:
    """An item holding a directive is left to docutils; the published page has such
    items (notes), and every other item there is built without a state machine."""
    _doctree(FastParser(cache=False), SEED.read_text(encoding="utf-8"), "page.rst")
    assert taken.count(False) >= 1
    assert taken.count(True) > 20 * taken.count(False)


def test_same_doctrees_on_a_whole_service(reference: Path, taken: list[bool]) -> None:
    """ec2: the largest service, with the node cache on as in a real run."""
    fast, plain = FastParser(), FastParser(fast=False)
    pages = sorted((reference / "ec2").rglob("*.rst"))[::7]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert _dump(_doctree(fast, text, page.name)) == _dump(_doctree(plain, text, page.name)), page
    assert taken.count(True) > 1000


def test_transition_by_first_character(reference: Path) -> None:
    """The patterns tried by a line's first character find what trying them all finds,
    for every line of a service's pages and a line starting with each ASCII
    character or bullet, followed by what makes each pattern match."""
    def every_pattern(line: str) -> str:
        for name, pattern in fastblocks._BODY:
            if pattern.match(line) and not (name == "line" and line.strip() == "::"):
                return name
        return "text"

    lines = {line.lstrip() for page in (reference / "s3").rglob("*.rst")
             for line in page.read_text(encoding="utf-8").splitlines() if line.strip()}
    tails = ["", " x", ". x", ") x", "-- x", ":x: y", "*x", "x", "++-+", "=== ===", ">> x"]
    firsts = [chr(c) for c in range(33, 127)] + list("\u2022\u2023\u2043\u00e9\u2014")
    lines |= {first + tail for first in firsts for tail in tails}
    lines |= {"(" + first + tail for first in firsts for tail in tails}
    for line in lines:
        assert fastblocks._transition(line)[0] == every_pattern(line), line


def test_nodes_made_as_docutils_makes_them() -> None:
    """`element` gives the node docutils' constructor gives, for every class fastblocks
    and the inline cache make; a class with an __init__ of its own is refused."""
    from docutils import nodes

    from codegen.rst.fastblocks import element, text_node

    for cls in (nodes.paragraph, nodes.field_name, nodes.strong, nodes.emphasis, nodes.literal):
        made = element(cls, f"**{cls.__name__}**", [text_node(cls.__name__)])
        assert _dump(made) == _dump(cls(f"**{cls.__name__}**", cls.__name__))
        assert made.tagname == cls.__name__ and made.children[0].parent is made
    for cls in (nodes.bullet_list, nodes.list_item, nodes.field_list, nodes.field, nodes.field_body):
        assert _dump(element(cls, "raw")) == _dump(cls("raw"))
    with pytest.raises(TypeError):
        element(nodes.literal_block, "code", [text_node("code")])
