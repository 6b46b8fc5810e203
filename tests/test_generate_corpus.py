"""Whole-service generation (slow: `pytest -m corpus`)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from codegen import naming
from codegen.pipeline import run
from conftest import boto3_version
from gen_support import parse_ok, run_mypy

pytestmark = pytest.mark.corpus


def rendered(service: str) -> Path:
    from codegen.pipeline.boto3_render import render_services

    root = Path.home() / ".cache" / "codegen" / f"boto3-{boto3_version()}"
    for _ in render_services([service], root, reuse=True):
        pass
    return root / service


def test_sagemaker_generates_and_type_checks(tmp_path: Path) -> None:
    out = tmp_path / "sm"
    started = time.perf_counter()
    result = run.generate([rendered("sagemaker") / "client"], out, "aws_typed", jobs=2)
    elapsed = time.perf_counter() - started
    print(f"sagemaker: generated {len(result.tracked)} files in {elapsed:.1f}s {result.timings}")
    proc = run_mypy(out, "-p", "aws_typed")
    assert proc.returncode == 0, proc.stdout[-5000:]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(out)], check=True)
    code = "import time; t = time.perf_counter(); import aws_typed.sagemaker; print(time.perf_counter() - t)"
    seconds = float(subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True,
                                   text=True, check=True).stdout)
    assert seconds < 1.0


def test_every_member_name_round_trips_in_every_service() -> None:
    from codegen.pipeline.boto3_render import available_services

    checked = 0
    for service in available_services():
        ops = parse_ok(rendered(service) / "client", broken_upstream_ok=True)
        for names in naming.resolve(ops):
            for info in names.classes:
                mapping = names.attrs[info.name]
                assert len(set(mapping.values())) == len(mapping), (service, info.name)
                checked += len(mapping)
    assert checked > 100_000
