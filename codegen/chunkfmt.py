"""black, one top-level statement at a time, so that a small change re-formats little.

black's result for a module is, for the generated modules, the concatenation of its
result for each top-level statement, separated by the blank lines black puts between
two statements of those kinds. The text is cut before each top-level def/class; each
piece is split into statements (ast), each statement formatted by fmt.format_source,
and the result cached by the piece's text (`<black cache>/chunks/`), so after a
one-page change only the classes that page touched cost anything. The separator is
black's own: the blank lines it puts between two skeleton statements of the same shape
(first line of the next, last line and nesting of the previous, the blank lines the
source had), cached per shape.

Anything this does not model (comments between statements, several statements on one
line, compound statements other than def/class, dummy bodies in a .py, a cut inside a
string, a syntax error) falls back to formatting the whole text. tests/test_regenerate_fmt.py
checks the two agree on generated modules.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from codegen import fmt

MIN_CHUNKS = 8  # below this, one black call is as cheap


class _Fallback(Exception):
    pass


def format_source(text: str, pyi: bool = False) -> str:
    """Same result as fmt.format_source(text, pyi), formatted statement by statement."""
    segments = _segments(text)
    if len(segments) < MIN_CHUNKS:
        return fmt.format_source(text, pyi=pyi)
    cache = fmt.cache_dir()
    try:
        entries: list[tuple[str, str, str, int]] = []
        for number, (segment, _) in enumerate(segments):
            found = _segment_entries(cache, segment, number == 0, pyi)
            if number:
                first = found[0]
                found[0] = (first[0], first[1], first[2], segments[number - 1][1])
            entries.extend(found)
    except _Fallback:
        return fmt.format_source(text, pyi=pyi)
    parts: list[str] = []
    previous = ""
    for index, (formatted, head, tail, blank) in enumerate(entries):
        if index:
            parts.append("\n" * _separator(previous, head, blank, index == 1, pyi))
        parts.append(formatted)
        previous = tail
    return "".join(parts)


_STARTS = ("@", "class ", "def ", "async def ")


def _segments(text: str) -> list[tuple[str, int]]:
    """The text cut before each top-level def/class (and its decorators), as (segment
    without its trailing blank lines, number of those). A cut inside a string or a
    bracket would leave a segment that does not parse: _split then falls back."""
    lines = text.splitlines(keepends=True)
    cuts = [0]
    previous = ""
    for i, line in enumerate(lines):
        if i and line.startswith(_STARTS) and not previous.startswith("@"):
            cuts.append(i)
        if line.strip():
            previous = line
    cuts.append(len(lines))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        n = b
        while n > a and not lines[n - 1].strip():
            n -= 1
        out.append(("".join(lines[a:n]), b - n))
    return out


def _segment_entries(cache: Path, segment: str, first: bool, pyi: bool) -> list[tuple[str, str, str, int]]:
    """(black's text, head skeleton, tail skeleton, blank lines before) per statement of
    one segment, cached by the segment's text: an unchanged class costs one file read."""
    mode = fmt.PYI_MODE if pyi else fmt.MODE
    key = hashlib.sha256(f"chunks1\0{mode!r}\0{first}\0{segment}".encode()).hexdigest()
    path = cache / "chunks" / key[:2] / key
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [(str(f), str(h), str(t), int(b)) for f, h, t, b in data]
    except (OSError, ValueError, TypeError):
        pass
    entries = []
    for code, head, tail, blank in _split(segment, pyi, first):
        formatted = fmt.format_source(code, pyi=pyi)
        if not formatted.strip():
            raise _Fallback
        if formatted != code:
            _remember_fixpoint(cache, formatted, pyi)
        entries.append((formatted, head, tail, blank))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return entries


def _remember_fixpoint(cache: Path, formatted: str, pyi: bool) -> None:
    """Cache black(formatted) == formatted, under fmt's key: a merged module, made of
    statements black already formatted, then costs no black call for those."""
    mode = fmt.PYI_MODE if pyi else fmt.MODE
    key = hashlib.sha256(f"{mode!r}\0{formatted}".encode()).hexdigest()
    path = cache / key[:2] / key
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(formatted, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def _split(text: str, pyi: bool, first: bool = True) -> list[tuple[str, str, str, int]]:
    """(code, next-skeleton, previous-skeleton, blank lines before) per top-level statement."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        raise _Fallback from None
    lines = text.splitlines(keepends=True)
    out: list[tuple[str, str, str, int]] = []
    end = 0  # 0-based index of the line after the previous statement
    for index, node in enumerate(tree.body):
        start = node.lineno
        decorators = getattr(node, "decorator_list", [])
        if decorators:
            start = min(d.lineno for d in decorators)
        start -= 1
        gap = lines[end:start]
        if any(line.strip() for line in gap) or start < end or node.end_lineno is None:
            raise _Fallback  # comments or `;` between statements
        if index and node.lineno == out[-1][0].count("\n") + 1:
            raise _Fallback  # pragma: no cover
        stop = node.end_lineno
        if stop < len(lines) and lines[stop - 1][node.end_col_offset :].strip():
            raise _Fallback  # something after the statement on its last line
        code = "".join(lines[start:stop])
        if not code.endswith("\n"):
            code += "\n"
        position = index if first else index + 1  # a docstring only opens the module
        out.append((code, _head(node, position, pyi), _tail(node, position, pyi), len(gap)))
        end = stop
    if any(line.strip() for line in lines[end:]):
        raise _Fallback
    return out


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_dummy(body: list[ast.stmt]) -> bool:
    return (
        len(body) == 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and body[0].value.value is Ellipsis
    )


def _head(node: ast.stmt, index: int, pyi: bool) -> str:
    """A skeleton statement black sees the same way at the start of the next statement."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import x\n"
    if _is_docstring(node):
        if index == 0:
            return '"""d"""\n'
        raise _Fallback
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        decorators = "@d\n" if node.decorator_list else ""
        return decorators + _skeleton(node, 0, pyi)
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)):
        return "x = 1\n"
    raise _Fallback


def _tail(node: ast.stmt, index: int, pyi: bool) -> str:
    """A skeleton ending the way `node` ends (what black looks at after it)."""
    return _head(node, index, pyi)


def _skeleton(node: ast.stmt, depth: int, pyi: bool) -> str:
    pad = "    " * depth
    if isinstance(node, ast.ClassDef):
        header = f"{pad}class C:"
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        header = f"{pad}def f():"
    elif isinstance(node, _SIMPLE):
        return f"{pad}x = 1\n"
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        return f"{pad}import x\n"
    else:
        # an if/for/try... as the last statement: black only sees its last line's depth
        body = getattr(node, "orelse", None) or getattr(node, "finalbody", None) or getattr(node, "body", None)
        if not body or not isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
            raise _Fallback
        if isinstance(node, ast.Try) and (node.handlers and not node.orelse and not node.finalbody):
            body = node.handlers[-1].body
        return f"{pad}if x:\n" + _skeleton(body[-1], depth + 1, pyi)
    assert isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
    body = node.body
    if _is_dummy(body):
        if not pyi:
            raise _Fallback  # black's dummy-implementation rules depend on the source layout
        return f"{header} ...\n"
    if len(body) == 1 and _is_docstring(body[0]):
        return f'{header}\n{pad}    """d"""\n'
    return f"{header}\n" + _skeleton(body[-1], depth + 1, pyi)


_SIMPLE = (
    ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return, ast.Pass, ast.Raise,
    ast.Delete, ast.Assert, ast.Global, ast.Nonlocal, ast.Break, ast.Continue,
)


@lru_cache(maxsize=4096)
def _separator(previous: str, current: str, blank: int, after_first: bool, pyi: bool) -> int:
    """Blank lines black puts between a statement ending like `previous` and `current`."""
    prefix = "" if after_first else "y = 0\n\n"
    head = fmt.format_source(prefix + previous, pyi=pyi, cache=False)
    both = fmt.format_source(prefix + previous + "\n" * blank + current, pyi=pyi, cache=False)
    if not both.startswith(head):
        raise AssertionError("black changed the previous statement")  # pragma: no cover
    rest = both[len(head) :]
    return len(rest) - len(rest.lstrip("\n"))
