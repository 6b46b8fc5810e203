"""Formatting: the canonical layout the templates write, and black for everything else.

Generated code is written in a canonical form that every supported black leaves as it is,
so `generate` runs no black and its output does not depend on the black installed:

- a statement that fits in 88 columns is one line;
- one that does not is split at a bracket (the first of a def's or class's, else the
  last), and a bracket split that way with more than one element (or a def's parameters,
  or an import's names) holds one element per line, each with its comma: the magic
  trailing comma, which black keeps exploded (its documented, stable behaviour). A lone
  element stays on the bracket's own line when it fits there and is split likewise
  when it does not;
- an assignment whose value has no bracket to split wraps the value in parentheses
  (`x: T = (`), or else its annotation (`x: (`), as black >= 24 does;
- a docstring body is written in a form black leaves alone (see `docstring`); only a
  body from elsewhere goes through black.

tests/test_black_stable.py checks black leaves real generated modules alone, and
.ci/run checks it with the oldest supported black and the newest release.

Code the templates did not write (the user's, in a merge) goes through `black.format_str`
(its public API only), cached by content; a merge formats only the top-level statements
that are not the generator's (`format_changed`).
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from codegen import usercache

if TYPE_CHECKING:
    import black

LINE_LENGTH = 88
INDENT = "    "

# --- the canonical layout -----------------------------------------------------------------

# Strings (whose brackets and commas are not code), brackets and commas.
_TOKEN = re.compile(
    r"""(?P<s>[rRbBuUfF]{0,2}(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))|(?P<o>[(\[{])|(?P<c>[)\]}])|(?P<k>,)"""
)
_OPERATOR = re.compile(r" (?:\||and|or|if|else|not in|in|is|[-+*/%<>=!]=?|==) ")


def width(text: str) -> int:
    """Columns `text` takes, as black counts them (wide East Asian characters count 2,
    combining marks 0)."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# A bracket or comma, with the strings and other text before it: one match per token
# that counts, strings skipped inside the expression (in C). A quote that opens no
# string is text (as for _TOKEN); the text after the last token ends in an empty match.
_CODE_TOKEN = re.compile(
    r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^()\[\]{},])*+(?:([(\[{])|([)\]}])|(,)|\Z)"""
)


def _top(code: str) -> tuple[list[tuple[int, int]], list[int]]:
    """The top-level bracket pairs (index of the opening, of the closing) and commas of
    one line of code."""
    pairs: list[tuple[int, int]] = []
    commas: list[int] = []
    depth = opening = 0
    # (the hot loop of the slow path: group numbers, not names, and a depth, not a stack)
    for match in _CODE_TOKEN.finditer(code):
        kind = match.lastindex
        if kind == 1:
            if not depth:
                opening = match.end() - 1
            depth += 1
        elif kind == 2:
            if depth:  # (a tail starts with the bracket it closes)
                depth -= 1
                if not depth:
                    pairs.append((opening, match.end() - 1))
        elif kind == 3 and not depth:
            commas.append(match.end() - 1)
    return pairs, commas


def _elements(body: str) -> list[str]:
    _, commas = _top(body)
    cuts = [-1, *commas, len(body)]
    parts = [body[a + 1 : b].strip() for a, b in zip(cuts, cuts[1:])]
    return [part for part in parts if part]


def _has_operator(code: str) -> bool:
    """A top-level binary operator (outside brackets and strings): black keeps the
    parentheses it may wrap such an expression in."""
    masked = list(code)
    spans = [(m.start(), m.end() - 1) for m in _TOKEN.finditer(code) if m.lastgroup == "s"]
    for start, end in [*_top(code)[0], *spans]:
        masked[start : end + 1] = "x" * (end + 1 - start)
    return _OPERATOR.search("".join(masked)) is not None


# A comma, then only spaces before a closing bracket: what a magic trailing comma needs.
_COMMA_CLOSING = re.compile(r",\s*[)\]}]")


def _magic(code: str) -> bool:
    """A trailing comma black keeps exploded: in any bracket but a one-element tuple."""
    # (most statements have no comma just before a closing bracket, not even inside a
    # string: one search in C settles them without walking the tokens)
    if _COMMA_CLOSING.search(code) is None:
        return False
    stack: list[list[int]] = []  # [opening, commas, end of the last comma]
    for match in _TOKEN.finditer(code):
        kind = match.lastgroup
        if kind == "o":
            stack.append([match.start(), 0, -1])
        elif kind == "k" and stack:
            stack[-1][1] += 1
            stack[-1][2] = match.end()
        elif kind == "c" and stack:
            opening, commas, last = stack.pop()
            if last < 0 or code[last : match.start()].strip():
                continue  # no comma just before the closing bracket
            before = code[opening - 1] if opening else " "
            one_tuple = code[match.start()] == ")" and commas == 1 and not (before.isalnum() or before in "_)]")
            if not one_tuple:
                return True
    return False


def _fits(code: str, depth: int) -> bool:
    return width(code) + 4 * depth <= LINE_LENGTH


def _short(code: str, depth: int) -> bool:
    """`code` stays one line as it is, by the checks that settle most statements (the
    templates write ~100,000 a service): ASCII, it fits, no line break, no comma before
    a closing bracket (so no magic trailing comma)."""
    return (
        code.isascii()
        and len(code) + 4 * depth <= LINE_LENGTH
        and "\n" not in code
        and _COMMA_CLOSING.search(code) is None
    )


def fit(code: str, depth: int = 0) -> str:
    """One statement, written on one line (in black's spacing), in the canonical layout at
    `depth` (4 spaces each): the lines, indented, without a final newline."""
    if _short(code, depth) or ("\n" not in code and _fits(code, depth) and not _magic(code)):
        return INDENT * depth + code
    return _layout(code, depth, False)


def fit_element(code: str, depth: int) -> str:
    """One element (with its comma) of a bracket exploded one element a line, at `depth`."""
    if _short(code, depth) or ("\n" not in code and _fits(code, depth) and not _magic(code)):
        return INDENT * depth + code
    return _layout(code, depth, True)


@lru_cache(maxsize=1 << 15)  # the same long statement recurs (request and response...)
def _layout(code: str, depth: int, element: bool) -> str:
    return "\n".join(_lines(code, depth, element))


def _lines(code: str, depth: int, element: bool = False) -> list[str]:
    if "\n" in code or (_fits(code, depth) and not _magic(code)):
        return [INDENT * depth + code]  # (a multi-line string: written as it is)
    if element:
        return _right(code, depth) or [INDENT * depth + code]
    if code.startswith(("def ", "async def ", "class ")):
        pairs, _ = _top(code)
        if pairs:
            return _split(code, pairs[0], depth, explode=code[0] != "c")
    if code.startswith("from ") and " import " in code:
        return _import(code, depth)
    if code.startswith(("if ", "elif ", "while ")) and code.endswith(":") and _has_operator(code[:-1]):
        keyword, condition = code[:-1].split(" ", 1)  # (black's optional parentheses)
        return [INDENT * depth + keyword + " (", *_operands(condition, depth + 1), INDENT * depth + "):"]
    return _assignment(code, depth) or _right(code, depth) or [INDENT * depth + code]


def _operands(code: str, depth: int) -> list[str]:
    """An expression on its line, or else one operand a line, each after its operator."""
    if _fits(code, depth):
        return [INDENT * depth + code]
    masked = list(code)
    spans = [(m.start(), m.end() - 1) for m in _TOKEN.finditer(code) if m.lastgroup == "s"]
    for start, end in [*_top(code)[0], *spans]:
        masked[start : end + 1] = "x" * (end + 1 - start)
    cuts = [m.start() + 1 for m in _OPERATOR.finditer("".join(masked))]
    parts = [code[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(code)])]
    return [INDENT * depth + part for part in parts]


def _split(code: str, pair: tuple[int, int], depth: int, explode: bool = False) -> list[str]:
    """`code` split at the bracket `pair`: its head line, its body one level deeper, its
    tail line (split again at its last bracket when too long). `explode`: one element a
    line even for a lone element (a def's parameters, an import's names)."""
    opening, closing = pair
    head, body, tail = code[: opening + 1], code[opening + 1 : closing], code[closing:]
    items = _elements(body)
    lines = [INDENT * depth + head]
    if len(items) > 1 or explode or _magic(code[opening : closing + 1]):
        for item in items:
            lines.extend(_lines(item + ",", depth + 1, element=True))
    else:
        lines.extend(_lines(body.strip(), depth + 1, element=True))
    lines.extend(_lines(tail, depth, element=True) if not _fits(tail, depth) else [INDENT * depth + tail])
    return lines


def _right(code: str, depth: int) -> list[str] | None:
    """Split at the last top-level bracket with something inside (black's right_hand_split)."""
    pairs, _ = _top(code)
    for pair in reversed(pairs):
        if pair[1] > pair[0] + 1:
            return _split(code, pair, depth)
    return None


def _import(code: str, depth: int) -> list[str]:
    head, names = code.split(" import ", 1)
    names = names.strip().removeprefix("(").removesuffix(")")
    lines = [INDENT * depth + head + " import ("]
    lines.extend(INDENT * (depth + 1) + name + "," for name in _elements(names))
    return [*lines, INDENT * depth + ")"]


_TARGET = re.compile(r"(?:return |[\w.]+(?P<colon>: )?)")


def _assignment(code: str, depth: int) -> list[str] | None:
    """`target = value`, `target: annotation = value`, `target: annotation`, `return value`:
    the value split at its last bracket when that leaves a head that fits (and the value
    is one call or display), else in parentheses; then the annotation likewise."""
    target = _TARGET.match(code)
    if target is None:
        return None
    rest = code[target.end() :]
    annotation: str | None = rest
    value: str | None = None
    if target.group() == "return ":
        annotation, value = None, rest
    elif target.group("colon") is None:
        if not rest.startswith(" = "):
            return None
        annotation, value = None, rest[3:]
    elif " = " in rest:
        pairs, _ = _top(rest)
        at = next((i for i in _find_all(rest, " = ") if not any(a < i < b for a, b in pairs)), None)
        if at is not None:
            annotation, value = rest[:at], rest[at + 3 :]
    if value is not None:
        head = code[: len(code) - len(value)]
        pairs, _ = _top(value)
        split = None  # at the value's last bracket (black's split omitting optional parens)
        if pairs and pairs[-1][1] == len(value) - 1 and not _has_operator(value):
            opening, closing = pairs[-1]
            split = _split(code, (len(head) + opening, len(head) + closing), depth)
            if width(split[0]) <= LINE_LENGTH:
                return split
        wrapped = None  # the value in parentheses (not when they do not help)
        if _fits(head + "(", depth) and (pairs or _fits(value, depth + 1)):
            wrapped = [INDENT * depth + head + "(", *_lines(value, depth + 1, True), INDENT * depth + ")"]
        if annotation is not None:  # (left of `=`, black >= 24 sees the annotation's parentheses)
            return wrapped or _annotation(code, target.end(), annotation, depth)
        if split is None:
            return wrapped
        # black's second opinion: the parentheses when then every line fits
        if wrapped is not None and all(width(line) <= LINE_LENGTH for line in wrapped):
            return wrapped
        return split
    return _annotation(code, target.end(), annotation, depth)


def _annotation(code: str, start: int, annotation: str | None, depth: int) -> list[str] | None:
    """`code` split in its annotation (at `start`): at its last bracket when it is one
    subscript, else in parentheses (black >= 24)."""
    if annotation is None:
        return None
    tail = code[start + len(annotation) :]
    pairs, _ = _top(annotation)
    if pairs and pairs[-1][1] == len(annotation) - 1 and not _has_operator(annotation):
        return _split(code, (start + pairs[-1][0], start + pairs[-1][1]), depth)
    return [INDENT * depth + code[:start] + "(", *_lines(annotation, depth + 1, True), INDENT * depth + ")" + tail]


def _find_all(text: str, needle: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(needle), text)]


# --- docstrings -------------------------------------------------------------------------
#
# The docstring bodies codegen writes (codegen/emit/docstrings.py, env.doc_escape) are
# already in the form black leaves alone: the first line stripped, every other line empty
# or indented where the docstring stands (some line exactly there, none with trailing
# whitespace), no tab, no backslash before a line break, no quote or backslash at either
# end. Such a body is written as it is; all that is laid out here is where the closing
# quotes go, by the same 88 columns as any statement. A body not in that form (page text
# with line breaks of its own, a lone list item wrapped under its bullet) is not put
# right here: black lays it out, through its public API (format_source), as it lays any
# docstring out. tests/test_black_stable.py checks both kinds are black-stable.

# (two expressions: a character class alone is scanned far faster than an alternation)
_ODD_IN_DOCSTRING = re.compile(r"[\t\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_BACKSLASH_BREAK = re.compile(r"\\\s*\n")


def docstring(body: str, depth: int) -> str:
    """The docstring `\"\"\"body\"\"\"` (body: the source text between the quotes) at
    `depth`, as black leaves it: as it is when in the canonical form (above), the closing
    quotes on their own line when they would not fit after the last line; else as black
    makes it."""
    indent = INDENT * depth
    if not _canonical_docstring(body, indent):
        return _black_docstring(body, depth)
    if "\n" in body and len(body) - body.rfind("\n") - 1 + 3 > LINE_LENGTH:
        return f'{indent}"""{body}\n{indent}"""'
    return f'{indent}"""{body}"""'


def _canonical_docstring(body: str, indent: str) -> bool:
    if not body or body[0] == '"' or body[-1] in '"\\' or _ODD_IN_DOCSTRING.search(body):
        return False
    if "\\" in body and _BACKSLASH_BREAK.search(body):
        return False
    first, newline, rest = body.partition("\n")
    if not newline:
        return body == body.strip()
    if first != first.strip():
        return False
    lines, exact = _docstring_lines(indent)
    return lines.fullmatch(rest) is not None and exact.search(rest) is not None


@lru_cache(maxsize=None)
def _docstring_lines(indent: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """For the lines after a docstring's first (at `indent`): every line empty or
    `indent` then text without trailing whitespace, the last not empty but possibly
    `indent` alone (the closing quotes' line); and, for some line, its text starting
    exactly at `indent`. (Regular expressions: one scan in C, not a loop per line;
    `\\s` is what str.isspace and str.strip take for whitespace.)"""
    line = re.escape(indent) + r"[^\n]*\S"
    return re.compile(rf"(?:(?:{line})?\n)*(?:{line}|{re.escape(indent)})"), re.compile(rf"(?:^|\n){re.escape(indent)}\S")


@lru_cache(maxsize=1 << 10)
def _black_docstring(body: str, depth: int) -> str:
    """black's docstring for `body` at `depth`: the docstring of a class nested `depth`
    deep (at depth 0, of the module), formatted by black and cut out again."""
    nesting = "".join(f"{INDENT * level}class _:\n" for level in range(depth))
    body = body.replace("\r\n", "\n").replace("\r", "\n")  # (line breaks as the tokenizer reads them)
    if body.endswith('"') or (len(body) - len(body.rstrip("\\"))) % 2:
        body += " "  # (else the closing quotes would not close: black strips the space again)
    formatted = format_source(f'{nesting}{INDENT * depth}"""{body}"""\n')
    return formatted.split("\n", depth)[depth].removesuffix("\n")


@lru_cache(maxsize=1 << 15)  # (wire names and enum values recur in every module of a service)
def quote(value: str) -> str:
    """A string literal for `value` quoted as black leaves it: double quotes, unless
    that takes more backslashes than single quotes."""
    single = repr(value)
    if single[0] == '"':
        return single  # (it holds a ' and no ")
    body = re.sub(r"\\'|\"", lambda m: "'" if m.group() == "\\'" else '\\"', single[1:-1])
    if body.count("\\") > single.count("\\"):
        return single
    return f'"{body}"'


# --- black, for code the templates did not write ------------------------------------------


@lru_cache(maxsize=2)
def mode(pyi: bool = False) -> black.Mode:
    """black's defaults plus the target version, which the generated pyproject.toml
    declares too (`[tool.black]`), so that a plain `black --check` agrees."""
    import black

    return black.Mode(target_versions={black.TargetVersion.PY311}, is_pyi=pyi)


def black_version() -> str:
    import black

    return str(getattr(black, "__version__", "unknown"))


def cache_dir() -> Path:
    return usercache.root() / f"black-{black_version()}"


def format_source(text: str, pyi: bool = False, cache: bool = True) -> str:
    """black.format_str of `text`; results are cached by the hash of input and mode."""
    import black

    key = hashlib.sha256(f"{mode(pyi)!r}\0{text}".encode()).hexdigest()
    path = cache_dir() / key[:2] / key
    if cache:
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
    out = black.format_str(text, mode=mode(pyi))
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(out, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    return out


def format_changed(text: str, generated: str, pyi: bool = False) -> str:
    """`text` (a merge's result) with the top-level statements that are not in
    `generated` (the generator's black-stable module) formatted by black, each with its
    neighbours so that black also sets the blank lines around it; the generator's
    statements are kept as they are. The whole text when it has no such structure."""
    ours, theirs = _statements(text), _statements(generated)
    if ours is None or theirs is None:
        return format_source(text, pyi=pyi)
    known = {key for _, key in theirs}
    lines = text.splitlines(keepends=True)
    changed = [i for i, (_, key) in enumerate(ours) if key not in known]
    if not changed:
        return text
    # windows of changed statements, with one unchanged neighbour on each side
    windows: list[list[int]] = []
    for i in changed:
        low, high = max(i - 1, 0), min(i + 1, len(ours) - 1)
        if windows and low <= windows[-1][1]:
            windows[-1][1] = high
        else:
            windows.append([low, high])
    out: list[str] = []
    done = 0  # lines of `text` copied or formatted so far
    for low, high in windows:
        start = ours[low][0]
        stop = ours[high + 1][0] if high + 1 < len(ours) else len(lines)
        if high + 1 < len(ours):  # (the blank lines before the next window stay outside)
            while stop > start and not lines[stop - 1].strip():
                stop -= 1
        out.extend(lines[done:start])
        out.append(format_source("".join(lines[start:stop]), pyi=pyi))
        done = stop
    out.extend(lines[done:])
    return "".join(out)


def _statements(text: str) -> list[tuple[int, str]] | None:
    """(first line, 0-based; the blank lines before it and its text) of each top-level
    statement, with the comments and decorators before it; None when `text` does not
    parse."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    lines = text.splitlines(keepends=True)
    starts = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        starts.append(first)
    out = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else len(lines)
        code = "".join(lines[start:stop])
        blank = 0
        while start - blank > 0 and not lines[start - blank - 1].strip():
            blank += 1
        out.append((start, f"{blank}\n{code.rstrip()}"))
    return out


def is_black_stable(text: str, pyi: bool = False) -> bool:
    """black leaves `text` as it is (what the templates promise for generated modules)."""
    import black

    return black.format_str(text, mode=mode(pyi)) == text


def first_unstable(text: str, pyi: bool = False) -> str | None:
    """None when black leaves `text` as it is; else the first top-level statement black
    changes and the first hunk of black's diff (for test failure messages)."""
    import black

    formatted = black.format_str(text, mode=mode(pyi))
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
        if first <= lineno <= last or first > lineno:
            return first, last
    return lineno, lineno
