"""The fast RST parser (codegen/rst/fastparse.py) changes nothing but the speed: the
same doctrees, node for node and line for line, the same operations, the same errors,
whether a list item is parsed or rebuilt from the cache of repeated items."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docutils
import pytest
from conftest import REPO
from docutils import nodes, utils
from packaging.requirements import Requirement

from codegen import tree
from codegen.rst import fastparse, reader
from codegen.rst.fastparse import FastParser
from codegen.rst.reader import NotAMethodPage, PageError, parse_page



def _pinned(package: str) -> Requirement:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    [pin] = [r for r in map(Requirement, project["dependencies"]) if r.name == package]
    return pin


# The fast path is written against the internals of the docutils the project pins: under
# that docutils it must be on (a test finding it off fails, see `fast_path_required`);
# only under another docutils, where codegen falls back to plain docutils, is there
# nothing to compare.
PINNED_DOCUTILS = _pinned("docutils").specifier.contains(docutils.__version__)
pytestmark = pytest.mark.skipif(
    not PINNED_DOCUTILS, reason=f"docutils {docutils.__version__} is not the pinned {_pinned('docutils')}"
)


@pytest.fixture(autouse=True)
def fast_path_required() -> None:
    assert fastparse.AVAILABLE, f"fastparse is off under the pinned docutils {docutils.__version__}"


@pytest.fixture
def fast_reader() -> Iterator[None]:
    """The reader with a new fast parser (empty cache); the default again afterwards."""
    reader.use_fast_parser(True)
    yield
    reader.use_fast_parser(True)


def _pages(root: Path, service: str) -> list[tuple[bytes, str]]:
    return [
        (page.read_bytes(), page.relative_to(root).as_posix())
        for page in sorted((root / service).rglob("*.rst"))
    ]


def _outcome(data: bytes, source: str) -> str:
    try:
        return tree.dumps([parse_page(data, source)])
    except NotAMethodPage:
        return "not a method page"
    except PageError as exc:
        return f"error: {exc}"


def _outcomes(pages: list[tuple[bytes, str]], fast: bool) -> list[str]:
    reader.use_fast_parser(fast)
    return [_outcome(data, source) for data, source in pages]


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_same_operations_with_and_without_the_fast_parser(
    reference: Path, service: str, fast_reader: None
) -> None:
    pages = _pages(reference, service)
    fast = _outcomes(pages, fast=True)
    cache = reader._docutils()[0].cache
    assert cache is not None and cache.hits > 0  # repeated items were rebuilt
    plain = _outcomes(pages, fast=False)
    for (_, source), a, b in zip(pages, fast, plain):
        assert a == b, source


def _dump(node: nodes.Node) -> Any:
    """Everything docutils put in a node: class, attributes, raw source, line, source,
    and so on down."""
    if isinstance(node, nodes.Text):
        extra = {k: v for k, v in vars(node).items() if k != "parent"}
        return ("#text", str(node), sorted(extra.items()))
    assert isinstance(node, nodes.Element)
    return (
        type(node).__name__,
        node.rawsource,
        node.line,
        node.source,
        sorted(node.attributes.items()),
        [_dump(child) for child in node.children],
    )


def _doctree(parser: FastParser, text: str, source: str) -> nodes.document:
    _, settings = reader._docutils()
    document = utils.new_document(source, settings)
    parser.parse(text, document)
    return document


def test_same_doctrees_node_for_node(reference: Path) -> None:
    fast, plain = FastParser(), FastParser(fast=False)
    pages = _pages(reference, "dynamodb")
    for data, source in pages + pages[:10]:  # the second time round, mostly from the cache
        text = data.decode("utf-8")
        assert _dump(_doctree(fast, text, source)) == _dump(_doctree(plain, text, source)), source
    assert fast.cache is not None and fast.cache.hits > 100


def test_inline_text_from_the_cache_only_where_nothing_could_change_it(reference: Path) -> None:
    """Text met before is rebuilt from the cache, but not text a role, a default role
    or a page's own definitions could have read otherwise."""
    fast, plain = FastParser(), FastParser(fast=False)
    pages = _pages(reference, "kinesis")[:20]
    sentence = "A :code:`x`, `y`, **bold**, *em* and ``lit``."
    odd = [
        (f".. role:: code(literal)\n\n{sentence}\n", "role.rst"),
        (f"{sentence}\n", "no-role.rst"),
        (f".. default-role:: literal\n\n{sentence}\n", "default-role.rst"),
        (f"{sentence}\n", "no-default-role.rst"),
        ("**bold** and |sub|\n\n.. |sub| replace:: *em*\n", "substitution.rst"),
        ("**bold** and |sub|\n", "no-substitution.rst"),
    ]
    for data, source in pages + [(text.encode(), source) for text, source in odd] + pages:
        text = data.decode("utf-8")
        assert _dump(_doctree(fast, text, source)) == _dump(_doctree(plain, text, source)), source
    assert fast.cache is not None and fast.cache.inline_hits > 100
    assert "**bold** and |sub|" not in fast.cache.inline


def test_error_line_in_a_rebuilt_item(reference: Path, fast_reader: None) -> None:
    page = reference / "s3" / "client" / "get_bucket_acl.rst"
    text = page.read_text(encoding="utf-8")
    parse_page(text.encode(), "first.rst")  # met once
    parse_page(text.encode(), "second.rst")  # met twice: cached
    # The same page, seven lines further down, its response syntax now contradicting
    # a member documented inside the (cached) Response Structure item.
    syntax_at = text.index("**Response Syntax**")
    head, tail = text[:syntax_at], text[syntax_at:]
    bad = "\n" * 7 + head + tail.replace("'DisplayName': 'string'", "'DisplayName': 123", 1)
    cache = reader._docutils()[0].cache
    assert cache is not None
    hits = cache.hits
    with pytest.raises(PageError) as fast_error:
        parse_page(bad.encode(), "bad.rst")
    assert cache.hits > hits

    reader.use_fast_parser(False)
    with pytest.raises(PageError) as plain_error:
        parse_page(bad.encode(), "bad.rst")

    assert str(fast_error.value) == str(plain_error.value)
    assert "output.Owner.DisplayName" in str(fast_error.value)
    assert "**DisplayName**" in bad.splitlines()[fast_error.value.line - 1]


def test_plain_parser_switch(fast_reader: None) -> None:
    reader.use_fast_parser(False)
    parser, _ = reader._docutils()
    assert not parser.fast and parser.cache is None
    reader.use_fast_parser(True)
    parser, _ = reader._docutils()
    assert parser.fast and parser.cache is not None


# `python -m codegen.cli`, then a line on stderr saying which parser the reader used.
_CLI_AND_PARSER_USED = """
import atexit, json, runpy, sys
from codegen.rst import reader

def report() -> None:
    parser = reader._parser
    used = None if parser is None else {"fast": parser.fast,
                                        "hits": None if parser.cache is None else parser.cache.hits}
    print("parser used: " + json.dumps(used), file=sys.stderr)

atexit.register(report)
sys.argv = ["codegen", *sys.argv[1:]]
runpy.run_module("codegen.cli", run_name="__main__")
"""


def test_cli_output_same_with_env_switch(reference: Path) -> None:
    """`CODEGEN_FAST_RST=0` switches the command to plain docutils, with the same output."""

    def run(fast: str | None) -> tuple[str, str, dict[str, Any]]:
        env = dict(os.environ)
        env.pop("CODEGEN_FAST_RST", None)
        if fast is not None:
            env["CODEGEN_FAST_RST"] = fast
        # -j 1: the pages are read in this process, where the parser used can be seen.
        out = subprocess.run(
            [sys.executable, "-c", _CLI_AND_PARSER_USED, "parse", "-j", "1", str(reference / "dynamodb")],
            capture_output=True, text=True, env=env, cwd=REPO,
        )
        assert out.returncode == 0, f"exit {out.returncode}: {out.stderr[-2000:]}"
        stderr, _, used = out.stderr.rpartition("parser used: ")
        return out.stdout, stderr, json.loads(used)

    fast_out, fast_err, fast_used = run(None)
    plain_out, plain_err, plain_used = run("0")
    assert fast_used["fast"] is True and fast_used["hits"] > 0  # the default: items rebuilt from the cache
    assert plain_used == {"fast": False, "hits": None}  # the switch took effect: no fast path, no cache
    assert len(json.loads(fast_out)["operations"]) == sum(1 for _ in (reference / "dynamodb").rglob("*.rst"))
    assert (fast_out, fast_err) == (plain_out, plain_err)
