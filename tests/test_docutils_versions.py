"""Smoke job: codegen under the oldest docutils it supports (pyproject.toml's lower pin)
and the newest release, each in its own venv (~/.cache/codegen/docutils-venv-<version>/,
made once with `python -m venv` and pip from the registry; the other dependencies are
the locked ones, seen through --system-site-packages).

In each venv, on one mid-size service: the conformance test (tests/test_conformance.py,
against botocore's models) and the tree it checked, in the JSON of `codegen parse`;
`codegen generate` and `black --check` of what it wrote. The tree and the package must be the locked docutils'
byte for byte: codegen uses docutils' public API only, so another docutils that reads
the pages differently shows here. (black's versions: tests/test_black_versions.py.)
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from codegen import tree
from codegen.emit import package as emit_package
from codegen.parse import parse_paths
from codegen.pipeline import run
from gen_support import newest_release
from conftest import REPO

SERVICE = "dynamodb"  # 79 pages: client, paginator and waiter pages
PACKAGE = "aws_typed"


def _oldest() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if re.match(r"docutils\b", d)]
    assert len(pins) == 1 and pins[0].startswith("docutils>="), pins  # a lower pin, no upper one
    return pins[0].removeprefix("docutils>=")


def _venv(version: str) -> Path:
    """The venv's python, with docutils `version` ahead of the locked one."""
    target = Path.home() / ".cache" / "codegen" / f"docutils-venv-{version}"
    done = target / ".installed"
    if not done.is_file():
        # Made aside and moved into place: another test process may do the same.
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(staging)],
                       check=True, timeout=300)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(staging / "bin" / "python"), "install", "--quiet",
             "--no-deps", "--ignore-installed", f"docutils=={version}"],
            capture_output=True, text=True, timeout=900,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        (staging / done.name).write_text(version)
        shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)  # (a venv's paths are relative to its folder: it may move)
        except OSError:  # another process moved its copy first
            shutil.rmtree(staging, ignore_errors=True)
    return target / "bin" / "python"


# Run in the venv: which docutils, the conformance test's verdict, and the tree it
# checked as `codegen parse --format json` writes it.
PROBE = """
import sys
from pathlib import Path
import docutils
from codegen.pipeline import report
from conftest import parse_service
from test_conformance import conformance
root, service, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
exact, failures, explained, hand_written = conformance(root, service)
assert exact > 0 and not failures, failures
pieces = report.json_text(map(report.json_piece, parse_service(root, service).operations))
out.write_text("".join(pieces), encoding="utf-8")
print(docutils.__version__, exact)
"""


@pytest.fixture(scope="module")
def locked(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The parse JSON and the package of SERVICE under the locked docutils."""
    out = tmp_path_factory.mktemp("locked") / "out"
    result = run.generate([reference / SERVICE], out, PACKAGE, emit_package.parse_targets(None), jobs=2)
    assert result.errors == []
    return tree.dumps(parse_paths([reference / SERVICE]).sorted_operations()), out


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and ".codegen" not in p.relative_to(folder).parts)


@pytest.mark.parametrize("which", ["oldest", "newest"])
def test_smoke(which: str, reference: Path, locked: tuple[str, Path], tmp_path: Path) -> None:
    version = _oldest() if which == "oldest" else newest_release("docutils")
    python = _venv(version)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
           "CODEGEN_CACHE_DIR": str(tmp_path / "cache")}

    def venv(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(python), *map(str, args)], capture_output=True, text=True, env=env, timeout=600)

    probe = venv("-c", PROBE, reference, SERVICE, tmp_path / "tree.json")
    assert probe.returncode == 0, probe.stderr[-3000:]
    assert probe.stdout.split()[0] == version, probe.stdout  # this docutils, not the locked one
    parsed = (tmp_path / "tree.json").read_text(encoding="utf-8")
    assert parsed == locked[0], f"docutils {version} reads {SERVICE}'s pages otherwise"

    out = tmp_path / "out"
    generated = venv("-m", "codegen.cli", "generate", reference / SERVICE, "--out", out, "--package-name", PACKAGE,
                     "--quiet", "--jobs", "2")
    assert generated.returncode == 0, generated.stderr
    names = _files(out)
    assert names == _files(locked[1]) and len(names) > 10
    _, mismatch, errors = filecmp.cmpfiles(out, locked[1], names, shallow=False)
    assert mismatch == errors == [], f"docutils {version} generates otherwise: {mismatch[:10]}"

    black = venv("-m", "black", "--check", "--target-version", "py311", out)
    assert black.returncode == 0, black.stderr[-3000:]
