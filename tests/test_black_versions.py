"""The generated code is black-clean under the oldest black codegen supports and the
newest release: `black --check` over a generated package, each black installed once
into its own folder of the cache (~/.cache/codegen/black-check-<version>/). A black that
lays the canonical layout (codegen/fmt.py) out differently fails here, visibly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from codegen.emit import package as emit_package
from codegen.pipeline import run
from gen_support import newest_release
from conftest import REPO

OLDEST = "24.1.0"  # pyproject.toml's `black>=24.1`


def _installed(version: str) -> Path:
    target = Path.home() / ".cache" / "codegen" / f"black-check-{version}"
    done = target / ".installed"
    if not done.is_file():
        # Installed aside and moved into place: another test process may do the same.
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(staging), f"black=={version}"],
            capture_output=True, text=True, timeout=900,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        (staging / done.name).write_text(version)
        shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:  # another process moved its copy first
            shutil.rmtree(staging, ignore_errors=True)
    return target


def test_oldest_is_the_pin() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if d.startswith("black")]
    assert pins == [f"black>={OLDEST.rsplit('.', 1)[0]}"]


@pytest.fixture(scope="module")
def generated(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two services, every Python target, as `generate` writes them."""
    base = tmp_path_factory.mktemp("versions")
    (base / "in").mkdir()
    for service in ("kinesis", "lambda"):
        shutil.copytree(reference / service, base / "in" / service)
    out = base / "out"
    result = run.generate([base / "in"], out, "aws_typed", emit_package.parse_targets("models,validators,stubs,boto3-stubs"), jobs=1)
    assert result.errors == []
    return out


@pytest.mark.parametrize("which", ["oldest", "newest"])
def test_black_check_passes(which: str, generated: Path) -> None:
    version = OLDEST if which == "oldest" else newest_release("black")
    site = _installed(version)
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", "import black; print(black.__version__)"], capture_output=True, text=True, env=env
    )
    assert probe.stdout.strip() == version, probe.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--diff", "--target-version", "py311", str(generated)],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert proc.returncode == 0, f"black {version} reformats generated code:\n{proc.stdout[:6000]}{proc.stderr[-2000:]}"
    assert " would be left unchanged" in proc.stderr
