"""Helpers shared by the tests of `codegen generate` (tests/test_generate_*.py)."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from functools import lru_cache
import sys
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import Any

from codegen.emit import package as emit_package
from codegen.parse import parse_paths
from codegen.pipeline import run, write
from codegen.tree import Operation

REPO = Path(__file__).resolve().parent.parent


# The pages whose descriptions break the RST indentation upstream (boto3 1.44.8), so that
# docutils (and Sphinx) lose the entries that follow; the parser reports each as an error
# (docs/regenerate.md). Exactly these (service, kind, page), nothing matched by a pattern.
BROKEN_UPSTREAM = frozenset({
    ("apigatewayv2", "client", "get_integrations.rst"),
    ("apigatewayv2", "paginator", "GetIntegrations.rst"),
    ("serverlessrepo", "client", "create_application.rst"),
    ("serverlessrepo", "client", "create_application_version.rst"),
    ("serverlessrepo", "client", "get_application.rst"),
    ("serverlessrepo", "client", "update_application.rst"),
})
BROKEN_UPSTREAM_MESSAGE = "bullets and syntax block disagree"


def broken_upstream(page: Path, message: str) -> bool:
    """The error is the one boto3's broken rendering of `page` (…/service/kind/file) causes."""
    return tuple(page.parts[-3:]) in BROKEN_UPSTREAM and BROKEN_UPSTREAM_MESSAGE in message


def parse_ok(*paths: Path, broken_upstream_ok: bool = False) -> list[Operation]:
    """The operations of the pages, none of which may fail to parse (but, if asked, the
    pages boto3 itself renders broken, each with the error that says so)."""
    # An error names its page relative to the path given: with one path it is unambiguous.
    assert not broken_upstream_ok or len(paths) == 1
    result = parse_paths(paths)
    errors = [
        e for e in result.errors
        if not (broken_upstream_ok
                and broken_upstream(paths[0] / e.source if paths[0].is_dir() else paths[0], e.message))
    ]
    assert not errors, [str(e) for e in errors]
    return result.sorted_operations()


@lru_cache(maxsize=None)
def parse_dir(path: Path) -> tuple[Operation, ...]:
    """Parsed pages of one folder, once per test process."""
    return tuple(parse_ok(path))


def write_package(ops: list[Operation] | tuple[Operation, ...], out: Path, package: str, formatted: bool = True,
                  **options: Any) -> dict[str, str]:
    """`options`: render_package's keyword arguments (enums, responses)."""
    files = emit_package.render_package(ops, package, **options)
    if formatted:
        files = emit_package.format_files(files)
    write.write_tree(out, files)
    return files


def package_with_scripts(reference: Path, base: Path, services: Sequence[str], package: str,
                         scripts: Mapping[str, str]) -> Path:
    """The package generated (the whole pipeline) from the reference pages of `services`
    in `base`, with the user scripts (file name → text, `{pkg}` standing for the
    package) beside it; the folder of both."""
    for service in services:
        shutil.copytree(reference / service, base / "in" / service)
    out = base / "out"
    result = run.generate([base / "in"], out, package)
    assert result.errors == [] and result.services == sorted(services)
    for name, text in scripts.items():
        (out / name).write_text(text.format(pkg=package))
    return out


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


def model_file(service_dir: Path, name: str) -> Path:
    """The module of a service's package that defines model `name` (codegen/emit/models.py)."""
    from codegen.emit.models import MODELS_DIR, bucket_of

    return service_dir / MODELS_DIR / f"{bucket_of(name)}.py"


def models_text(service_dir: Path) -> str:
    """`models.py` and every module defining its classes, one after the other."""
    from codegen.emit.models import MODELS_DIR

    paths = [service_dir / "models.py", *sorted((service_dir / MODELS_DIR).glob("*.py"))]
    return "".join(p.read_text(encoding="utf-8") for p in paths)


def newest_release(package: str) -> str:
    """The newest release of `package` the package registry offers (`pip index versions`):
    the smoke jobs' "newest". The registry must answer: never a skip."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", package], capture_output=True, text=True, timeout=300
    )
    found = re.search(rf"^{re.escape(package)} \(([^)]+)\)", proc.stdout, re.MULTILINE)
    assert found, proc.stdout + proc.stderr
    return found.group(1)


def stat_farm(tmp_path: Path, reference: Path, monkeypatch: Any, pages: Sequence[str], racy: object) -> Path:
    """`pages` copied to `tmp_path/in`, a user cache folder of the test's own, and the
    stats `racy` (a module whose RACY_NS or _RACY_NS says how old a stat must be to be
    kept) kept however recent: the files were all just written."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(racy, "RACY_NS" if hasattr(racy, "RACY_NS") else "_RACY_NS", 0)
    return copy_pages(reference, tmp_path / "in", pages)


def copy_pages(reference: Path, root: Path, pages: Sequence[str]) -> Path:
    """A small input folder: `pages` (paths relative to the reference) copied to `root`."""
    for rel in pages:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes((reference / rel).read_bytes())
    return root


def call_arguments(monkeypatch: Any, module: object, name: str, index: int = 0) -> list[Any]:
    """Argument `index` of each call of `module.name` from now on (it still runs)."""
    calls: list[Any] = []
    real = getattr(module, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[index])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recording)
    return calls


# A page whose description a test edits, and the edit: one kinesis page, a sentence of it.
EDITED = "kinesis/client/describe_stream.rst"
BEFORE, AFTER = b"Describes the specified Kinesis data stream.", b"Describes one Kinesis data stream, edited."
# Three kinesis pages (EDITED among them) and two of bedrock-runtime's: two small services.
TWO_SERVICES = (
    "kinesis/client/untag_resource.rst",
    "kinesis/client/list_streams.rst",
    EDITED,
    "bedrock-runtime/client/converse.rst",
    "bedrock-runtime/client/count_tokens.rst",
)


def cache_rewritten_at_two(monkeypatch: Any) -> None:
    """The user cache's one-entry-a-page caches (usercache.worth_rewriting) written again
    for two new entries, not for one, whatever their size."""
    from codegen import usercache

    monkeypatch.setattr(usercache, "REWRITE_AT", 2)
    monkeypatch.setattr(usercache, "REWRITE_SHARE", 1.0)
