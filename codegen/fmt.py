"""black, in-process, with a content-addressed cache (formatting is the slow step)."""

from __future__ import annotations

import ast
import difflib
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


def is_black_stable(text: str, pyi: bool = False) -> bool:
    """black leaves `text` as it is (what the templates promise for generated modules)."""
    return black.format_str(text, mode=PYI_MODE if pyi else MODE) == text


def first_unstable(text: str, pyi: bool = False) -> str | None:
    """None when black leaves `text` as it is; else the first top-level statement black
    changes and the first hunk of black's diff (for test failure messages)."""
    formatted = black.format_str(text, mode=PYI_MODE if pyi else MODE)
    if formatted == text:
        return None
    ours, theirs = text.splitlines(), formatted.splitlines()
    line = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
    start, end = _statement_around(text, line + 1)
    diff = difflib.unified_diff(ours, theirs, "rendered", "black", lineterm="", n=3)
    head = "\n".join(ours[start - 1 : end])
    return f"statement at line {start}:\n{head[:3000]}\n\nfirst difference:\n" + "\n".join(list(diff)[:40])


def _statement_around(text: str, lineno: int) -> tuple[int, int]:
    """(first line, last line) of the top-level statement holding line `lineno` (1-based)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return lineno, lineno
    for node in tree.body:
        decorators = getattr(node, "decorator_list", [])
        first = min([node.lineno] + [d.lineno for d in decorators])
        last = node.end_lineno or node.lineno
        if first <= lineno <= last:
            return first, last
        if first > lineno:  # in the blank lines before this statement
            return first, last
    return lineno, lineno
