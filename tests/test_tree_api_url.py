"""`api_url` in the shape tree's JSON: written by the reader, read back from saved trees
and the parse cache, which must not keep parses of an older reader.

(The link's value on every page of the default services is checked against botocore by
tests/test_conformance.py; its use in docstrings and docs pages by tests/test_docstrings.py
and tests/test_docs_pages.py.)
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SEED
from gen_support import parse_ok
from oracle import api_url

from codegen import diff, tree
from codegen.pipeline import caches, state as mf
from codegen.tree import Operation


@pytest.fixture(scope="module")
def seed() -> Operation:
    [op] = parse_ok(SEED)
    return op


def test_the_seed_page_gives_botocores_link(seed: Operation) -> None:
    assert seed.api_name is not None
    assert seed.api_url == api_url("sagemaker", seed.api_name)
    data = json.loads(tree.dumps([seed]))
    assert data["operations"][0]["api_url"] == seed.api_url
    assert tree.loads(tree.dumps([seed])) == [seed]


def test_a_tree_saved_without_api_url_reads_and_diffs_unchanged(seed: Operation) -> None:
    """A tree an older codegen saved (.codegen/trees/, a `codegen parse` output) has no
    `api_url`: it reads as no link, and the link is no semantic change."""
    data = json.loads(tree.dumps([seed]))
    del data["operations"][0]["api_url"]
    [old] = diff.load_tree(json.dumps(data))
    assert old == replace(seed, api_url="")
    assert diff.compare([old], [seed]).changes == []


def test_the_parse_cache_is_dropped_for_another_codegen(tmp_path: Path, seed: Operation) -> None:
    """The cache is keyed by the hash of codegen's code (manifest.generator_hash): a
    reader or tree change parses every page again rather than reading old trees."""
    op_json = json.dumps(tree.operation_to_json(seed), separators=(",", ":"))
    caches.save_parsed(tmp_path, "sagemaker", mf.generator_hash(), {seed.source: ("sha", op_json)})
    assert caches.load_parsed(tmp_path, "sagemaker", mf.generator_hash()) == {seed.source: ("sha", seed)}
    assert caches.load_parsed(tmp_path, "sagemaker", "another codegen") == {}


def test_a_cache_holding_a_foreign_link_is_dropped(tmp_path: Path, seed: Operation) -> None:
    """The cache is read back through treecheck: a link the reader would not keep
    (brought in by a hostile or damaged cache) drops the cache, it reaches no docstring."""
    op = tree.operation_to_json(seed)
    op["api_url"] = "javascript:alert(1)"
    caches.save_parsed(tmp_path, "sagemaker", "g", {seed.source: ("sha", json.dumps(op))})
    assert caches.load_parsed(tmp_path, "sagemaker", "g") == {}
