"""chunkfmt (black one top-level statement at a time) gives black's own result."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen import build, chunkfmt, fmt
from conftest import SEED, parse_service
from gen_support import parse_ok


def _modules(files: dict[str, str]) -> list[tuple[str, str]]:
    return [(rel, text) for rel, text in sorted(files.items()) if rel.endswith((".py", ".pyi"))]


@pytest.mark.parametrize("source", ["seed", "kinesis"])
def test_chunked_equals_whole(source: str, reference: Path) -> None:
    if source == "seed":
        ops = parse_ok(SEED)
    else:
        parsed = parse_service(reference, source)
        ops = parsed.sorted_operations()  # type: ignore[attr-defined]
    files = build.render_package(ops, "typed_fmt")
    for rel, text in _modules(files):
        pyi = rel.endswith(".pyi")
        assert chunkfmt.format_source(text, pyi=pyi) == fmt.format_source(text, pyi=pyi), rel


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
