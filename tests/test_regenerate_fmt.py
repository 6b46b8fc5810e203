"""A merge formats only the statements that are not the generator's (fmt.format_changed),
and gets black's own result for the whole module."""

from __future__ import annotations

import ast
from pathlib import Path

import black
import pytest

from codegen import fmt
from codegen.emit import package as emit_package
from conftest import SEED, parse_service
from gen_support import parse_ok


def _modules(files: dict[str, str]) -> list[tuple[str, str]]:
    return [(rel, text) for rel, text in sorted(files.items()) if rel.endswith((".py", ".pyi"))]


def hand_edited(text: str) -> str:
    """A generated module as a merge leaves it before formatting: the user's code, in the
    user's style (not black's), inside the first class and between and after the
    generator's statements."""
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    top = [node for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))]
    inserts: dict[int, str] = {len(lines): "\n\ndef  mine( x ):\n    return {'k':x,'v':[1,2,\n  3]}\n"}
    if top:
        inserts[top[-1].lineno - 1] = "def helper(a,b = 2):  return a+b\n\n\n"
    first = next((node for node in top if isinstance(node, ast.ClassDef)), None)
    if first is not None:
        inserts[first.body[0].end_lineno or first.lineno] = "    LIMIT : int=3\n    def  twice( self )->int :\n        return self.LIMIT*2\n"
    for at in sorted(inserts, reverse=True):
        lines.insert(at, inserts[at])
    return "".join(lines)


@pytest.mark.parametrize("source", ["seed", "kinesis"])
def test_merge_formats_only_the_user_s_statements(
    source: str, reference: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On real generated modules with hand edits that black reformats, the result is
    black's own (black.format_str on the whole module), while black ran on the edited
    statements and their neighbours only."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path))  # no piece formatted by an earlier run
    if source == "seed":
        ops = parse_ok(SEED)
    else:
        parsed = parse_service(reference, source)
        ops = parsed.sorted_operations()  # type: ignore[attr-defined]
    files = emit_package.render_package(ops, "typed_fmt")
    formatted: list[str] = []
    real = fmt.format_source

    def spy(text: str, pyi: bool = False, cache: bool = True) -> str:
        formatted.append(text)
        return real(text, pyi=pyi, cache=cache)

    monkeypatch.setattr(fmt, "format_source", spy)
    checked = 0
    for rel, text in _modules(files):
        pyi = rel.endswith(".pyi")
        edited = hand_edited(text)
        expected = black.format_str(edited, mode=fmt.mode(pyi))
        assert expected != edited, rel  # black has something to do
        formatted.clear()
        assert fmt.format_changed(edited, text, pyi=pyi) == expected, rel
        statements = len(ast.parse(text).body)  # (three edits: of a short module, all is their neighbours)
        if statements > 12:
            assert edited not in formatted, rel  # not the whole module in one call
        if statements > 40:
            assert sum(map(len, formatted)) < len(edited) / 2, rel
            checked += 1
    assert checked >= 1


def test_unchanged_module_is_not_formatted(monkeypatch: pytest.MonkeyPatch) -> None:
    text = emit_package.render_package(parse_ok(SEED), "typed_fmt")["typed_fmt/sagemaker/validators.py"]
    monkeypatch.setattr(fmt, "format_source", lambda *a, **k: pytest.fail("black ran"))
    assert fmt.format_changed(text, text) == text


GENERATED = '"""Doc."""\n\nimport os\n\nx = 1\n\n\nclass A:\n    y = 2\n\n\ndef g():\n    pass\n\n\nz = 3\n'
EDITS = [
    GENERATED.replace("x = 1\n", "x = 1\n\n\n\n\n"),  # blank lines the user added
    GENERATED.replace("class A:\n", "# a comment\nclass A:\n"),  # a comment before a statement
    GENERATED.replace("    y = 2\n", "    y=2\n    def f(self): return 1\n"),  # inside a class
    GENERATED + "w = [1,\n2]\n",  # at the end
    "import sys\n" + GENERATED,  # before the module docstring
    GENERATED.replace("def g():\n    pass\n", "@dec\ndef g(): pass\nclass B: ...\n"),
]


@pytest.mark.parametrize("edited", EDITS)
@pytest.mark.parametrize("pyi", [False, True])
def test_format_changed_is_black(edited: str, pyi: bool) -> None:
    generated = black.format_str(GENERATED, mode=fmt.mode(pyi))
    assert fmt.format_changed(edited, generated, pyi=pyi) == black.format_str(edited, mode=fmt.mode(pyi))


def test_unparsable_text_goes_to_black_whole() -> None:
    with pytest.raises(black.InvalidInput):
        fmt.format_changed("def f(:\n", GENERATED)
