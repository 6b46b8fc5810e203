"""black, in-process, with a content-addressed cache (formatting is the slow step)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import black
from black.mode import TargetVersion

# black's defaults plus the target version, which the generated pyproject.toml declares
# too (`[tool.black]`), so that a plain `black --check` agrees with the generated files.
MODE = black.Mode(target_versions={TargetVersion.PY311})
PYI_MODE = black.Mode(target_versions={TargetVersion.PY311}, is_pyi=True)
VERSION = getattr(black, "__version__", "unknown")


def cache_dir() -> Path:
    root = os.environ.get("CODEGEN_CACHE") or os.path.join(Path.home(), ".cache", "codegen")
    return Path(root) / f"black-{VERSION}"


def format_source(text: str, pyi: bool = False, cache: bool = True) -> str:
    """black.format_str of `text`; results are cached by the hash of input and mode."""
    mode = PYI_MODE if pyi else MODE
    key = hashlib.sha256(f"{mode!r}\0{text}".encode()).hexdigest()
    path = cache_dir() / key[:2] / key
    if cache:
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
    out = black.format_str(text, mode=mode)
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(out, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    return out
