"""The two real releases the diff tests compare, rendered and parsed once per process.

Everything comes from `render_release` (installed and rendered on first use, cached
outside the repo). Nothing is skipped: a failed install, render or parse fails the test.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from codegen import tree
from codegen.parse import parse_paths
from codegen.tree import Operation

from . import render_release

OLD = "1.42.50"  # the release of the seed page
NEW = "1.44.8"  # the release pinned in pyproject.toml
SERVICE = "sagemaker"
SERVICE_CLASS = "SageMaker"
SEED = (
    Path(__file__).resolve().parents[2]
    / "input"
    / "sagemaker"
    / "client"
    / "create_model_package.rst"
)


@lru_cache(maxsize=None)
def pages(version: str) -> Path:
    return render_release.render(version, SERVICE)


@lru_cache(maxsize=None)
def model(version: str) -> dict[str, Any]:
    return render_release.model(version, SERVICE)


def _parser_fingerprint() -> str:
    """A digest of the parser's source: parsed trees are cached per parser version."""
    root = Path(tree.__file__).parent
    digest = hashlib.sha256()
    for path in sorted([root / "tree.py", root / "parse.py", *(root / "rst").rglob("*.py")]):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=None)
def operations(version: str) -> tuple[Operation, ...]:
    """The parsed pages of a release; the shape-tree JSON is cached outside the repo,
    keyed by the parser's source, so a warm run skips parsing ~500 pages per release."""
    cached = (
        render_release.cache_root() / "parsed" / f"{SERVICE}-{version}-{_parser_fingerprint()}.json"
    )
    source = pages(version)
    with render_release.locked(f"parsed-{SERVICE}-{version}"):  # xdist workers parse once
        if cached.exists():
            return tuple(tree.loads(cached.read_text(encoding="utf-8")))
        result = parse_paths([source])
        assert not result.errors, [str(e) for e in result.errors[:5]]
        ops = tuple(result.sorted_operations())
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(tree.dumps(ops), encoding="utf-8")
        os.replace(tmp, cached)
    return ops
