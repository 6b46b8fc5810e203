"""black, in-process, with a content-addressed cache (formatting is the slow step)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import black

MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)
PYI_MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100, is_pyi=True)


def cache_dir() -> Path:
    root = os.environ.get("CODEGEN_CACHE") or os.path.join(Path.home(), ".cache", "codegen")
    return Path(root) / f"black-{black.__version__}"


def format_source(text: str, pyi: bool = False, cache: bool = True) -> str:
    """black.format_str of `text`; results are cached by the hash of input and mode."""
    mode = PYI_MODE if pyi else MODE
    key = hashlib.sha256(f"{pyi}\0{MODE.line_length}\0{text}".encode()).hexdigest()
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
