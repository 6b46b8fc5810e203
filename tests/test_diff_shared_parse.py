"""`codegen diff` parses a page that both sides have byte for byte once
(codegen/pipeline/releases.py), and the result is exactly the one parsing each side on
its own gives: the same operations (their source names included), errors, skipped pages.

Real pages: sagemaker's of boto3 1.42.50 and 1.44.8 (tests/releases), most of them
identical between the two releases.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from codegen.pagefiles import find_pages
from codegen.parse import ParseResult, parse_paths
from codegen.pipeline.releases import SharedParser, shared_parser
from codegen.tree import Operation
from releases import data

COUNT = 24  # client pages of each release (sorted by name)


def _sides(root: Path) -> tuple[Path, Path]:
    old, new = root / "old", root / "new"
    for version, side in ((data.OLD, old), (data.NEW, new)):
        (side / "client").mkdir(parents=True)
        for page in sorted((data.pages(version) / "client").glob("*.rst"))[:COUNT]:
            shutil.copy(page, side / "client" / page.name)
    # A page under another name with the same bytes: its operation records the name it
    # was read under, so it is parsed again (and is a duplicate of its original there).
    first = sorted((old / "client").glob("*.rst"))[0]
    shutil.copy(first, new / "client" / ("zz_" + first.name))
    # A page broken on the new side only, and an index page (skipped) on both.
    broken = sorted((new / "client").glob("*.rst"))[1]
    broken.write_text(broken.read_text(encoding="utf-8").replace("**Request Syntax**", "**Request**", 1))
    for side in (old, new):
        (side / "index.rst").write_text("Index\n=====\n\nNothing here.\n", encoding="utf-8")
    return old, new


def _same(shared: ParseResult[Operation], alone: ParseResult[Operation]) -> None:
    assert shared.operations == alone.operations
    assert [op.source for op in shared.operations] == [op.source for op in alone.operations]
    assert list(map(str, shared.errors)) == list(map(str, alone.errors))
    assert shared.skipped == alone.skipped


def _keys(folder: Path) -> set[tuple[str, str]]:
    return {(hashlib.sha256(page.read_bytes()).hexdigest(), source) for page, source in find_pages(folder)}


@pytest.mark.parametrize("jobs, ahead", [(1, False), (2, False), (2, True)])
def test_identical_pages_are_parsed_once(tmp_path: Path, jobs: int, ahead: bool) -> None:
    """`ahead`: both sides handed to the workers first (prefetch), as `diff` does."""
    old, new = _sides(tmp_path)
    identical = _keys(old) & _keys(new)
    assert len(identical) >= COUNT // 2, "the two releases should share most pages"
    with shared_parser(jobs) as parser:
        if ahead:
            parser.prefetch([old])
            parser.prefetch([new])
        old_result, new_result = parser([old]), parser([new])
    _same(old_result, parse_paths([old]))
    _same(new_result, parse_paths([new]))
    assert new_result.errors and old_result.skipped == new_result.skipped == ["index.rst"]

    assert parser.reused == len(identical)
    assert parser.parsed == len(_keys(old)) + len(_keys(new)) - len(identical)
    # The operation of an identical page is the one parsed for the old side.
    old_ops = {op.source: op for op in old_result.operations}
    shared = [op for op in new_result.operations if old_ops.get(op.source) is op]
    assert shared and len(shared) == len([op for op in new_result.operations if op in old_result.operations])


def test_only_the_previous_call_is_remembered(tmp_path: Path) -> None:
    """Old side, then new side, service by service: memory holds one service's trees."""
    old, new = _sides(tmp_path)
    parser = SharedParser()
    parser([old])
    parser([tmp_path / "old" / "index.rst"])  # another call in between
    parser([new])
    assert parser.reused == 0
