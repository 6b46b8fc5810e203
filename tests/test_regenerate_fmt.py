"""chunkfmt (black one top-level statement at a time) gives black's own result."""

from __future__ import annotations

import ast
from pathlib import Path

import black
import pytest

from codegen import chunkfmt, fmt
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
def test_chunked_equals_whole(
    source: str, reference: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On real generated modules with hand edits that black reformats, the result is
    black's own (black.format_str, not codegen's wrapper), statement by statement."""
    monkeypatch.setenv("CODEGEN_CACHE", str(tmp_path))  # no piece formatted by an earlier run
    if source == "seed":
        ops = parse_ok(SEED)
    else:
        parsed = parse_service(reference, source)
        ops = parsed.sorted_operations()  # type: ignore[attr-defined]
    files = emit_package.render_package(ops, "typed_fmt")
    whole: list[str] = []
    real = fmt.format_source

    def spy(text: str, pyi: bool = False, cache: bool = True) -> str:
        whole.append(text)
        return real(text, pyi=pyi, cache=cache)

    monkeypatch.setattr(fmt, "format_source", spy)
    chunked = []
    for rel, text in _modules(files):
        pyi = rel.endswith(".pyi")
        edited = hand_edited(text)
        expected = black.format_str(edited, mode=fmt.PYI_MODE if pyi else fmt.MODE)
        assert expected != edited, rel  # black has something to do
        assert chunkfmt.format_source(edited, pyi=pyi) == expected, rel
        if edited not in whole:  # formatted piece by piece, not in one call
            chunked.append(rel.rsplit("/", 1)[-1])
    # (others may fall back to one call: the models and validators are split into short
    # modules now)
    assert "client.pyi" in chunked, chunked


SAMPLES = [
    '"""Doc."""\nimport os\nx = 1\n\n\n\n\nclass A:\n  y=2\n  def f(self): return 1\n@dec\ndef g(): pass\n'
    "z = [1,\n2]\nclass B: ...\nclass C:\n    '''d'''\n" + "".join(f"v{i} = {i}\n" for i in range(8)),
    "import a\nif a:\n    b = 1\n",  # a compound statement at the top: whole-file
    "x = 1  # c\n# comment\ny = 2\n" + "".join(f"v{i} = {i}\n" for i in range(8)),
    "class A:\n    def f(self) -> int: ...\n    def g(self) -> int: ...\nclass B(TypedDict):\n    a: int\n"
    "@overload\ndef h() -> None: ...\n@overload\ndef h(x: int) -> None: ...\nx: int\ny: int\n"
    "class C(TypedDict):\n    b: int\n\n\n\nclass D: ...\n",  # stubs: .pyi rules
    "def f():\n    try:\n        pass\n    except E:\n        raise\n"
    + "".join(f"def g{i}():\n  return {i}\n" for i in range(8)),
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("pyi", [False, True])
def test_chunked_equals_whole_samples(text: str, pyi: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunkfmt, "MIN_CHUNKS", 0)  # chunk even these short texts
    assert chunkfmt.format_source(text, pyi=pyi) == fmt.format_source(text, pyi=pyi, cache=False)
    assert chunkfmt.format_source(text, pyi=pyi) == fmt.format_source(text, pyi=pyi, cache=False)  # cached


def test_cut_inside_a_string_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunkfmt, "MIN_CHUNKS", 0)
    text = 'x = """\nclass A:\n"""\ndef f():\n  return x\n'
    assert chunkfmt.format_source(text) == fmt.format_source(text, cache=False)
