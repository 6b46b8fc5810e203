"""Helpers shared by the tests of `codegen generate` (tests/test_generate_*.py)."""

from __future__ import annotations

import importlib
import os
import subprocess
from functools import lru_cache
import sys
from pathlib import Path

from codegen import build
from codegen.parse import parse_paths
from codegen.tree import Operation

REPO = Path(__file__).resolve().parent.parent


def parse_ok(*paths: Path) -> list[Operation]:
    result = parse_paths(paths)
    assert not result.errors, [str(e) for e in result.errors]
    return result.sorted_operations()


@lru_cache(maxsize=None)
def parse_dir(path: Path) -> tuple[Operation, ...]:
    """Parsed pages of one folder, once per test process."""
    return tuple(parse_ok(path))


def write_package(ops: list[Operation] | tuple[Operation, ...], out: Path, package: str, formatted: bool = True) -> dict[str, str]:
    files = build.render_package(ops, package)
    if formatted:
        files = build.format_files(files)
    build.write_tree(out, files)
    return files


def import_fresh(out: Path, module: str) -> object:
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    return importlib.import_module(module)


def run_mypy(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPYPATH=str(cwd))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull,
         "--no-error-summary", "--show-error-codes", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )
