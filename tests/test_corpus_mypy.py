"""The corpus job (`pytest -m corpus tests/test_corpus_mypy.py -s`): the package generated
from the whole reference passes `mypy --strict`; prints its time and peak memory.

It runs bench/corpus_mypy.py (cold generate, then mypy in chunks of services: see there
why); bench/README.md records the figures of a run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import naming
from conftest import corpus_root
from gen_support import parse_ok, write_package

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "corpus_mypy.py"


def test_job_reports_each_error_by_code_and_service(tmp_path: Path) -> None:
    """The job's own check on a small real service: clean as generated, then one error put in.
    (inspector-scan: the corpus run found its stub using _ResponseMetadataTypeDef without
    importing it, the last TypedDict's last key run into the first parameter's type.)"""
    from codegen.pipeline.boto3_render import render_service

    render_service("inspector-scan", tmp_path / "ref")
    ops = parse_ok(tmp_path / "ref" / "inspector-scan")
    out = tmp_path / "out"
    write_package(ops, out, "aws_typed", formatted=False)
    module = naming.resolve(ops)[0].module
    figures = tmp_path / "figures.json"
    command = [sys.executable, str(SCRIPT), "--out", str(out), "--chunk-mb", "0", "--json", str(figures)]
    clean = subprocess.run(command, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(figures.read_text())["checks"][0]["errors"] == []
    with open(out / "aws_typed" / module / "models.py", "a") as fh:
        fh.write('\n\nWRONG: int = "text"\n')
    broken = subprocess.run(command, capture_output=True, text=True)
    (mypy,) = json.loads(figures.read_text())["checks"]
    assert broken.returncode == 1
    assert (mypy["by_code"], mypy["by_service"], mypy["failed_chunks"]) == ({"assignment": 1}, {module: 1}, [])
    assert "mypy: 1 errors" in broken.stdout


@pytest.mark.corpus
def test_whole_reference_package_passes_mypy_strict(tmp_path: Path) -> None:
    pages = corpus_root()
    figures = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--pages", str(pages), "--json", str(figures)],
        capture_output=True, text=True,
    )
    print(proc.stdout)  # the time, peak RSS and error counts (-s shows them)
    data = json.loads(figures.read_text())
    (mypy,) = data["checks"]
    assert data["services"] > 400, data["services"]
    assert not mypy["failed_chunks"], mypy["failed_chunks"]
    assert mypy["errors"] == [], proc.stdout + "\n".join(mypy["errors"][:50])
    assert proc.returncode == 0, proc.stderr[-3000:]
