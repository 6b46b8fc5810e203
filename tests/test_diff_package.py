"""codegen/diff/'s imports point one way (docs/diff-json.md, "Code"): rules ← compare ←
render, and compare ← load; `codegen.diff` re-exports the API the rest of codegen uses."""

from __future__ import annotations

import ast
from pathlib import Path

import codegen.diff
from codegen import diff

PACKAGE = Path(codegen.diff.__file__).parent
ALLOWED = {
    "rules": set(),
    "compare": {"rules"},
    "load": {"rules", "compare"},
    "render": {"rules", "compare"},
}


def _imports(module: str) -> set[str]:
    """The modules of codegen.diff that `module` imports, wherever in it (a function's
    import or one under TYPE_CHECKING is an arrow too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n.split(".")[2] for n in names if n.startswith("codegen.diff.")}
    return found


def test_imports_point_one_way() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == ALLOWED.keys()
    for module in sorted(modules):
        assert _imports(module) <= ALLOWED[module], module


def _defined(module: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


def test_every_public_name_is_in_the_package() -> None:
    """`from codegen import diff; diff.X` for whatever a module defines for others."""
    for module in ALLOWED:
        assert not {n for n in _defined(module) if not hasattr(diff, n)}, module
    assert set(diff.__all__) == set().union(*map(_defined, ALLOWED))
