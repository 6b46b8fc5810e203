"""fmt.docstring: the generator's bodies are written as they are (the canonical form);
any other body is laid out by black (its public API), and both are black-stable."""

from __future__ import annotations

from pathlib import Path

import black
import pytest
from conftest import parse_service

from codegen import fmt
from codegen.emit import package as emit_package


def _black_leaves(rendered: str, depth: int) -> bool:
    source = "".join("    " * i + "class C:\n" for i in range(depth)) + rendered + "\n"
    return black.format_str(source, mode=fmt.mode()) == source


# Bodies not in the canonical form: black lays them out.
ODD = [
    "\xa0leading no-break space",
    "First\n    no-break space at the end\xa0",
    "First\n        deeper only\n        deeper too",
    "- a lone item wrapped\n      under its bullet",
    "Page text\nwith its own line break",
    "First\n    x\n",
    "First\r\n    CRLF",
    'Ends with a quote"',
    "Ends with a backslash \\",
]


@pytest.mark.parametrize("depth", [0, 1, 2])
@pytest.mark.parametrize("body", ODD)
def test_odd_bodies_go_through_black(body: str, depth: int) -> None:
    if depth == 1:  # (at depth 0 or 2 some of them are canonical)
        assert not fmt._canonical_docstring(body, fmt.INDENT * depth)
    assert _black_leaves(fmt.docstring(body, depth), depth)


@pytest.mark.parametrize("depth", [1, 2])
def test_canonical_bodies_are_written_as_they_are(depth: int) -> None:
    indent = fmt.INDENT * depth
    for body in ["One line.", f"First line.\n\n{indent}Attributes:\n{indent}    Name: its text.\n{indent}",
                 f"First line.\n{indent}" + "x" * (88 - len(indent))]:
        assert fmt._canonical_docstring(body, indent)
        rendered = fmt.docstring(body, depth)
        assert rendered.startswith(f'{indent}"""{body}')
        assert _black_leaves(rendered, depth)


def test_the_generators_bodies_are_canonical(reference: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On real pages every docstring body the emitters make is in the canonical form:
    black is the exception, never run for them."""
    bodies: list[tuple[str, int]] = []
    docstring = fmt.docstring

    def record(body: str, depth: int) -> str:
        bodies.append((body, depth))
        return docstring(body, depth)

    monkeypatch.setattr(fmt, "docstring", record)
    ops = parse_service(reference, "dynamodb").sorted_operations()
    emit_package.render_package(ops, "aws_typed")
    assert len(bodies) > 500
    odd = [(body, depth) for body, depth in bodies if not fmt._canonical_docstring(body, fmt.INDENT * depth)]
    assert odd == []
