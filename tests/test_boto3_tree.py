"""boto3's reference tree exactly as its documenter writes it (`services/<svc>.rst` index
pages, `<svc>/<resource>/*.rst` and `<svc>/service-resource/*.rst` beside `client/`),
for services with resources: `parse` and `generate` take it with exit 0, one summary
line for the pages that are not method pages, and every service generated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.parse import parse_paths
from codegen.pipeline.boto3_render import KINDS, render_service

SERVICES = ("dynamodb", "s3", "sqs")


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("boto3_tree")


@pytest.fixture(scope="module")
def boto3_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What boto3.docs.generate_docs writes under reference/services/ for SERVICES."""
    import boto3
    from boto3.docs.service import ServiceDocumenter

    root = tmp_path_factory.mktemp("services")
    session = boto3.Session(region_name="us-east-1")
    for name in SERVICES:
        index = ServiceDocumenter(name, session, str(root)).document_service()
        (root / f"{name}.rst").write_bytes(index)
    return root


def _method_pages(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.rst") if p.parent.name in KINDS and p.parent.parent.parent == root]


def test_tree_has_what_boto3_writes(boto3_tree: Path) -> None:
    # (what this test is about: index and resource pages beside the method pages)
    for name in SERVICES:
        assert (boto3_tree / f"{name}.rst").is_file()
        assert (boto3_tree / name / "service-resource" / "index.rst").is_file()
    assert (boto3_tree / "sqs" / "queue" / "index.rst").is_file()
    assert "toctree" in (boto3_tree / "sqs.rst").read_text()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen.cli", *args], capture_output=True, text=True, timeout=600, check=False
    )


def test_parse_takes_the_tree_with_one_summary_line(boto3_tree: Path) -> None:
    proc = _run("parse", "-j", "2", str(boto3_tree))
    assert proc.returncode == 0, proc.stderr[:2000]
    pages = list(boto3_tree.rglob("*.rst"))
    methods = _method_pages(boto3_tree)
    skipped = len(pages) - len(methods)
    assert skipped > 300  # (index, toctree and resource pages)
    assert proc.stderr.splitlines() == [
        f"skipped {skipped} page(s) that are not client, paginator or waiter method pages"
    ]
    ops = json.loads(proc.stdout)["operations"]
    assert len(ops) == len(methods)
    assert {op["service_id"] for op in ops} == set(SERVICES)


def test_same_operations_as_the_method_pages_alone(boto3_tree: Path, tmp_path: Path) -> None:
    # the tree gives the very operations that the client/paginator/waiter pages give alone
    for name in SERVICES:
        render_service(name, tmp_path)
    whole = parse_paths([boto3_tree])
    alone = parse_paths([tmp_path])
    assert not whole.errors and not alone.errors
    assert [op.sort_key for op in whole.sorted_operations()] == [op.sort_key for op in alone.sorted_operations()]
    assert whole.sorted_operations() == alone.sorted_operations()


def test_generate_includes_every_service(boto3_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _run("generate", "-q", "-j", "2", str(boto3_tree), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[:2000]
    assert not [line for line in proc.stderr.splitlines() if "error" in line], proc.stderr[:2000]
    assert "for dynamodb, s3, sqs" in proc.stdout
    package = out / "aws_typed"
    for name in SERVICES:
        assert (package / name / "models.py").is_file(), name
