"""`codegen diff` of two releases in boto3's layout with workers: each service is parsed
and compared in one worker, the largest first (codegen/pipeline/releases.py). The result
must be the one comparing the services one after the other in this process gives: the
same changes and counts, the same failing pages in the same order, the same pages
parsed and reused, and the same first error in service order.

Real pages of boto3 1.42.50 and 1.44.8 (tests/releases/render_release.py): services
identical between the two releases, one that changed, one only in the newer release and
one only in the older.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen import diff
from codegen.pipeline import releases
from releases import data, render_release

SAME = ("kinesis-video-webrtc-storage", "marketplace-reporting")  # identical pages
CHANGED = "rds-data"
ADDED = "abuse-signal"  # only in 1.44.8


def _release(root: Path, version: str, services: list[str]) -> Path:
    for service in services:
        shutil.copytree(render_release.render(version, service), root / service)
    return root


def _break(service: Path) -> None:
    """Its first method page with a request, broken (no Request Syntax block)."""
    page = next(p for p in sorted((service / "client").glob("*.rst")) if "**Request Syntax**" in p.read_text("utf-8"))
    page.write_text(page.read_text(encoding="utf-8").replace("**Request Syntax**", "**Request**", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("releases")
    old = _release(base / "old", data.OLD, [*SAME, CHANGED, data.SERVICE])
    new = _release(base / "new", data.NEW, [*SAME, CHANGED, ADDED])
    # A page broken on the new side of a service identical otherwise: listed, and left
    # out of both sides.
    _break(new / SAME[1])
    return old, new


def _run(old: Path, new: Path, jobs: int) -> tuple[diff.DiffResult, list[str], int, int]:
    bad: list[diff.PageFailure] = []
    with releases.shared_parser(jobs) as parser:
        result = releases.compare_paths(old, new, parser, bad, include_docs=True)
    return result, [failure.message for failure in bad], parser.parsed, parser.reused


def test_workers_give_the_result_of_one_service_after_the_other(sides: tuple[Path, Path]) -> None:
    old, new = sides
    alone = _run(old, new, 1)
    shared = _run(old, new, 2)
    result, bad, parsed, reused = shared
    assert result.changes, f"{CHANGED} changed between the releases"
    rules = {change.rule for change in result.changes}
    assert {"operation-added", "operation-removed"} < rules  # (abuse-signal, sagemaker)
    assert len(bad) == 1 and SAME[1] in bad[0]
    assert reused and parsed
    for fmt in diff.FORMATS:
        assert diff.renderer(fmt).render(result) == diff.renderer(fmt).render(alone[0])
    assert (result.changes, result.old_operations, result.new_operations) == (
        alone[0].changes, alone[0].old_operations, alone[0].new_operations,
    )
    assert shared[1:] == alone[1:]


def test_the_first_error_in_service_order_whatever_the_workers_take_first(
    sides: tuple[Path, Path], tmp_path: Path
) -> None:
    """Without --keep-going a failing page is the error: the first service's in name
    order, though the workers start with the largest (sagemaker, removed here)."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(sides[0], old)
    shutil.copytree(sides[1], new)
    shutil.copytree(old / data.SERVICE, new / data.SERVICE)
    _break(new / data.SERVICE)
    messages = []
    for jobs in (1, 2):
        with releases.shared_parser(jobs) as parser, pytest.raises(diff.InputError) as caught:
            releases.compare_paths(old, new, parser, None, include_docs=False)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert f"/{SAME[1]}:" in messages[0]  # (before sagemaker, which is far larger)
