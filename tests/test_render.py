"""`codegen render-rst` / codegen/pipeline/boto3_render.py: boto3's own pages, with every core.

The oracle is boto3 itself: `ServiceDocumenter.document_service()`, the whole of it,
against which render.py's method pages only (it skips the resource pages) must be
byte-identical, and boto3 1.44.8 rendered from an install of its own
(tests/releases/render_release.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.docs.service import ServiceDocumenter
from click.testing import CliRunner

from codegen.cli import main
from codegen.pipeline import boto3_render as render
from releases import data, render_release

# A few in the default suite; all of them (ec2 alone takes a minute) in the corpus run.
QUICK = {"dynamodb", "sns", "sqs"}


def page_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.rst"))}


def resource_services() -> list[str]:
    return sorted(boto3.Session(region_name="us-east-1").get_available_resources())


def _same_as_document_service(service: str, tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    ServiceDocumenter(service, boto3.Session(region_name="us-east-1"), str(whole)).document_service()
    assert any(p.name not in render.KINDS for p in (whole / service).iterdir()), "resource pages"
    expected = {
        rel: page for rel, page in page_files(whole / service).items() if rel.split("/")[0] in render.KINDS
    }
    render.render_service(service, tmp_path / "ours")
    assert page_files(tmp_path / "ours" / service) == expected
    assert sorted(p.name for p in (tmp_path / "ours" / service).iterdir()) == sorted(
        {rel.split("/")[0] for rel in expected}
    )


@pytest.mark.parametrize("service", sorted(QUICK))
def test_method_pages_are_document_service_s(service: str, tmp_path: Path) -> None:
    """Services with resources, whose resource pages render.py does not make."""
    _same_as_document_service(service, tmp_path)


@pytest.mark.corpus
@pytest.mark.parametrize("service", sorted(set(resource_services()) - QUICK))
def test_method_pages_are_document_service_s_slow(service: str, tmp_path: Path) -> None:
    _same_as_document_service(service, tmp_path)


def test_render_rst_uses_every_core_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []
    real = render.render_services

    def spy(services: Any, out: Path, jobs: int = 1, reuse: bool = True) -> Any:
        used.append(jobs)
        return real(services, out, jobs=jobs, reuse=reuse)

    monkeypatch.setattr(render, "render_services", spy)
    result = CliRunner().invoke(main, ["render-rst", "signin", "sts", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert used == [len(os.sched_getaffinity(0))]
    for service in ("signin", "sts"):
        assert page_files(tmp_path / service) == page_files(render_release.render(data.NEW, service))
