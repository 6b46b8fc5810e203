"""codegen's modules import downwards only: no import cycle, and the layers of the README
(rst → tree/naming → emit → pipeline → cli) are kept.

Read statically (ast) from codegen/**/*.py: every import counts, those inside functions
too (a lazy import is still an arrow), except those under `if TYPE_CHECKING:` (types
only, never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "codegen"

# layer → layers it must not import (by module-name prefix)
FORBIDDEN = {
    "codegen.rst": ("codegen.pipeline", "codegen.emit", "codegen.cli"),
    "codegen.emit": ("codegen.pipeline", "codegen.cli"),
    "codegen.pipeline": ("codegen.cli",),
}
# The names layer (codegen/naming.py and its parts) sits between the tree and emit: the
# page reader, the emitters, the pipeline and diff use it, never the other way round.
NAMES = ("naming", "pynames", "namecheck", "shapekey", "servicenames", "evidence", "namesites", "namegroups",
         "namecontest", "stablenames")
FORBIDDEN |= {
    f"codegen.{name}": ("codegen.rst", "codegen.emit", "codegen.pipeline", "codegen.diff", "codegen.cli")
    for name in NAMES
}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST, package: str) -> Iterator[str]:
    """Modules imported anywhere under `node` (absolute names), TYPE_CHECKING blocks left out."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child.test):
            for other in child.orelse:
                yield from _imports(other, package)
            continue
        if isinstance(child, ast.Import):
            yield from (alias.name for alias in child.names)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                parent = package.split(".")[: len(package.split(".")) - child.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield base
            # `from codegen.pipeline import state` imports the module codegen.pipeline.state
            yield from (f"{base}.{alias.name}" for alias in child.names)
        yield from _imports(child, package)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """codegen module → the codegen modules it imports."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = _imports(ast.parse(path.read_text(encoding="utf-8"), str(path)), package)
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert "codegen.pipeline.run" in graph and "codegen.pipeline.unit" in graph["codegen.pipeline.run"]
    assert cycles(graph) == []


def test_layers_import_downwards() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in sorted(import_graph().items())
        for layer, banned in FORBIDDEN.items()
        if name == layer or name.startswith(layer + ".")
        for target in sorted(targets)
        if target.startswith(banned)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "source, expected",
    [
        # a lazy import inside a function closes a cycle
        ("def f() -> None:\n    from codegen.a import x\n", [["codegen.a", "codegen.b"]]),
        # a TYPE_CHECKING import does not
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from codegen.a import x\n", []),
        # nor does an import of something else
        ("import os\n", []),
    ],
)
def test_the_checker_sees_lazy_imports(tmp_path: Path, source: str, expected: list[list[str]]) -> None:
    package = tmp_path / "codegen"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from codegen import b\n")
    (package / "b.py").write_text(source)
    assert cycles(import_graph(package)) == expected
