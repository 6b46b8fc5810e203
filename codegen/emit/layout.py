"""black's line splitting for the statements the templates write, without running black.

The generated modules must come out of the templates exactly as black would leave them
(`black.format_str(text) == text`), so that `codegen generate` need not run black (it
formats tens of KB/s; the whole AWS reference renders hundreds of MB). Most generated
statements fit in 88 columns and are written as they are; `fit` lays out the rest the way
black does: a port of black's right_hand_split / left_hand_split / delimiter_split (black
26, linegen.py and lines.py, stable style) restricted to the statement shapes the templates
use (defs, classes, assignments, returns, if/for headers, calls, from-imports, displays,
subscripts, annotations). black's algorithm has many special cases whose outcome depends
on how far it got (it mutates leaves as it tries splits), so the port keeps black's
structure and names, function for function, rather than re-deriving its results; the
tests compare it with black on whole generated modules (tests/test_black_stable.py).

A statement shape outside that subset raises Unsupported; `fit` / `fit_element` then
format that one statement with black itself (listed in FALLBACKS, which the tests require
to stay empty). Docstrings get black's docstring normalisation (`docstring`).

The port mirrors black 26 (its stable style does not change within the year); a black
whose layout differs shows up in tests/test_black_stable.py.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Final

from black.strings import str_width

LINE_LENGTH: Final = 88
FALLBACKS: list[str] = []  # statements handed to black (the tests require none)

# token types (the subset of blib2to3's the generated statements use)
NAME, NUMBER, STRING = 1, 2, 3
LPAR, RPAR, LSQB, RSQB, LBRACE, RBRACE = 10, 11, 12, 13, 14, 15
COMMA, COLON, EQUAL, DOT, VBAR, RARROW, STAR, DOUBLESTAR, COMPARE, MATH = 20, 21, 22, 23, 24, 25, 26, 27, 28, 29
OPENING: Final = frozenset({LPAR, LSQB, LBRACE})
CLOSING: Final = frozenset({RPAR, RSQB, RBRACE})
BRACKETS: Final = OPENING | CLOSING
MATCHING: Final = {LPAR: RPAR, LSQB: RSQB, LBRACE: RBRACE}

# delimiter priorities (black/brackets.py)
COMMA_PRIORITY: Final = 18
LOGIC_PRIORITY: Final = 14
STRING_PRIORITY: Final = 12
COMPARATOR_PRIORITY: Final = 10
DOT_PRIORITY: Final = 1
MATH_PRIORITIES: Final = {"|": 9, "^": 8, "&": 7, "<<": 6, ">>": 6, "+": 5, "-": 5, "*": 4, "/": 4, "//": 4, "%": 4, "@": 4, "~": 3, "**": 2}

# What the parent node of a bracket is, in black's tree: what decides whether a body
# is always exploded (atoms, from-imports) and whether commas are an arglist's.
ATOM, TRAILER, PARAMS, CLASS, IMPORT = "atom", "trailer", "params", "class", "import"

KEYWORDS: Final = frozenset(
    "and as assert async await break class continue def del elif else except finally for from "
    "global if import in is lambda nonlocal not or pass raise return try while with yield".split()
)


class Unsupported(Exception):
    """A statement shape the port does not model."""


class CannotSplit(Exception):
    """black's CannotTransform / CannotSplit."""


class Leaf:
    """A token of a statement, with what black's tree would tell about it."""

    __slots__ = (
        "type", "value", "prefix", "canonical", "role", "opening_bracket", "bracket_depth",
        "annotation", "arglist", "for_target", "vararg", "unary", "comparison", "keyword",
    )

    def __init__(self, type: int, value: str, prefix: str = "") -> None:
        self.type = type
        self.value = value
        self.prefix = prefix
        self.canonical = prefix  # the prefix black's whitespace() gives (prefix may be cleared)
        self.role = ""  # brackets: ATOM/TRAILER/PARAMS/CLASS/IMPORT
        self.opening_bracket: Leaf | None = None
        self.bracket_depth = 0
        self.annotation = ""  # "param" / "return": inside a def's annotation
        self.arglist = False  # a comma of a call's or def's argument list
        self.for_target = False  # a comma between `for` and `in`
        self.vararg = False  # * / ** of varargs or unpacking
        self.unary = False  # a unary operator
        self.comparison = False  # `in` / `not` of a comparison (not of a for statement)
        self.keyword = False  # a NAME that is a keyword of its statement

    def copy(self) -> Leaf:
        """A new leaf as black's append_leaves makes it (prefix recomputed: canonical)."""
        new = Leaf(self.type, self.value, self.canonical)
        for name in ("role", "annotation", "arglist", "for_target", "vararg", "unary", "comparison", "keyword"):
            setattr(new, name, getattr(self, name))
        return new

    def __str__(self) -> str:
        return self.prefix + self.value


def _comma() -> Leaf:
    """A comma black adds (a Leaf without a parent)."""
    return Leaf(COMMA, ",")


# --- the line: black's Line with its BracketTracker ----------------------------------


class Line:
    __slots__ = (
        "depth", "leaves", "inside_brackets", "should_split_rhs", "magic_trailing_comma",
        "tdepth", "bracket_match", "delimiters", "previous", "for_depths", "invisible",
    )

    def __init__(self, depth: int = 0, inside_brackets: bool = False) -> None:
        self.depth = depth
        self.leaves: list[Leaf] = []
        self.inside_brackets = inside_brackets
        self.should_split_rhs = False
        self.magic_trailing_comma: Leaf | None = None
        self.tdepth = 0
        self.bracket_match: dict[tuple[int, int], Leaf] = {}
        self.delimiters: dict[Leaf, int] = {}
        self.previous: Leaf | None = None
        self.for_depths: list[int] = []
        self.invisible: list[Leaf] = []

    def append(self, leaf: Leaf, preformatted: bool = True, track_bracket: bool = False) -> None:
        if leaf.type not in BRACKETS and not leaf.value.strip():
            return
        if self.inside_brackets or not preformatted or track_bracket:
            self._mark(leaf)
            if self._has_magic_trailing_comma(leaf):
                self.magic_trailing_comma = leaf
        self.leaves.append(leaf)

    def _mark(self, leaf: Leaf) -> None:
        """BracketTracker.mark."""
        if self.tdepth == 0 and leaf.type in CLOSING and (self.tdepth, leaf.type) not in self.bracket_match:
            return
        if self.for_depths and self.for_depths[-1] == self.tdepth and leaf.type == NAME and leaf.value == "in":
            self.tdepth -= 1
            self.for_depths.pop()
        if leaf.type in CLOSING:
            self.tdepth -= 1
            opening = self.bracket_match.pop((self.tdepth, leaf.type), None)
            if opening is None:
                raise Unsupported("unmatched bracket")
            leaf.opening_bracket = opening
            if not leaf.value:
                self.invisible.append(leaf)
        leaf.bracket_depth = self.tdepth
        if self.tdepth == 0:
            delim = _split_before_priority(leaf, self.previous)
            if delim and self.previous is not None:
                self.delimiters[self.previous] = delim
            else:
                delim = _split_after_priority(leaf)
                if delim:
                    self.delimiters[leaf] = delim
        if leaf.type in OPENING:
            self.bracket_match[self.tdepth, MATCHING[leaf.type]] = leaf
            self.tdepth += 1
            if not leaf.value:
                self.invisible.append(leaf)
        self.previous = leaf
        if leaf.type == NAME and leaf.value == "for":
            self.tdepth += 1
            self.for_depths.append(self.tdepth)

    def max_priority(self, exclude: Sequence[Leaf] = ()) -> int:
        """BracketTracker.max_delimiter_priority; ValueError when there is none."""
        return max(v for k, v in self.delimiters.items() if k not in exclude)

    def count_with_priority(self, priority: int) -> int:
        if not self.delimiters:
            return 0
        priority = priority or self.max_priority()
        return sum(1 for p in self.delimiters.values() if p == priority)

    def _has_magic_trailing_comma(self, closing: Leaf) -> bool:
        if not (closing.type in CLOSING and self.leaves and self.leaves[-1].type == COMMA):
            return False
        if closing.type == RBRACE:
            return True
        if closing.type == RSQB:
            if (
                closing.role == TRAILER
                and closing.opening_bracket is not None
                and _one_sequence_between(closing.opening_bracket, closing, self.leaves, (LSQB, RSQB))
            ):
                return False
            return True
        if self.is_import:
            return True
        return closing.opening_bracket is not None and not _one_sequence_between(
            closing.opening_bracket, closing, self.leaves
        )

    @property
    def is_import(self) -> bool:
        return bool(self.leaves) and self.leaves[0].keyword and self.leaves[0].value == "from"

    @property
    def is_def(self) -> bool:
        return bool(self.leaves) and self.leaves[0].keyword and self.leaves[0].value == "def"

    @property
    def is_chained_assignment(self) -> bool:
        return sum(1 for leaf in self.leaves if leaf.type == EQUAL) > 1

    def clone(self) -> Line:
        line = Line(self.depth, self.inside_brackets)
        line.should_split_rhs = self.should_split_rhs
        line.magic_trailing_comma = self.magic_trailing_comma
        return line

    def __str__(self) -> str:
        if not self.leaves:
            return ""
        first = self.leaves[0]
        return first.prefix + "    " * self.depth + first.value + "".join([leaf.prefix + leaf.value for leaf in self.leaves[1:]])


def _split_before_priority(leaf: Leaf, previous: Leaf | None) -> int:
    """is_split_before_delimiter."""
    if leaf.vararg:
        return 0
    if leaf.type == DOT and leaf.role != "dotted" and (previous is None or previous.type in CLOSING):
        return DOT_PRIORITY
    if leaf.type in (MATH, VBAR, STAR, DOUBLESTAR) and not leaf.unary:
        return MATH_PRIORITIES[leaf.value]
    if leaf.type == COMPARE:
        return COMPARATOR_PRIORITY
    if leaf.type == STRING and previous is not None and previous.type == STRING:
        return STRING_PRIORITY
    if leaf.type != NAME:
        return 0
    if leaf.value == "is":
        return COMPARATOR_PRIORITY
    if leaf.value == "in" and leaf.comparison and not (previous is not None and previous.value == "not" and previous.type == NAME):
        return COMPARATOR_PRIORITY
    if leaf.value == "not" and leaf.comparison and not (previous is not None and previous.value == "is" and previous.type == NAME):
        return COMPARATOR_PRIORITY
    if leaf.value in ("and", "or"):
        return LOGIC_PRIORITY
    return 0


def _split_after_priority(leaf: Leaf) -> int:
    """is_split_after_delimiter."""
    return COMMA_PRIORITY if leaf.type == COMMA and not leaf.for_target else 0


def _one_sequence_between(opening: Leaf, closing: Leaf, leaves: Sequence[Leaf], brackets: tuple[int, int] = (LPAR, RPAR)) -> bool:
    if (opening.type, closing.type) != brackets:
        return False
    depth = closing.bracket_depth + 1
    try:
        start = next(i for i, leaf in enumerate(leaves) if leaf is opening)
    except StopIteration:
        return False
    commas = 0
    for leaf in leaves[start + 1 :]:
        if leaf is closing:
            break
        if leaf.bracket_depth == depth and leaf.type == COMMA:
            commas += 1
            if leaf.arglist:
                commas += 1
                break
    return commas < 2


def _short_enough(line: Line | str, line_length: int = LINE_LENGTH) -> bool:
    text = line if isinstance(line, str) else str(line)
    return str_width(text) <= line_length


# --- transform_line and the transformers ---------------------------------------------


def transform_line(line: Line, force: bool = False) -> list[Line]:
    line_str = str(line)
    if not line.should_split_rhs and not line.magic_trailing_comma and _short_enough(line_str):
        return [line]
    transformers: list[Transformer]
    if line.is_def and not _should_split_funcdef_with_rhs(line):
        transformers = [_left_hand_split]
    elif line.inside_brackets:
        transformers = [_delimiter_split, _rhs]
    else:
        transformers = [_rhs]
    for transform in transformers:
        try:
            return _run_transformer(line, transform, force, line_str)
        except CannotSplit:
            continue
    return [line]


Transformer = Callable[[Line, bool], Iterator[Line]]


def _run_transformer(line: Line, transform: Transformer, force: bool, line_str: str) -> list[Line]:
    optional_parens = [bracket for bracket in line.invisible if bracket.bracket_depth == 0]
    result: list[Line] = []
    for transformed in transform(line, force):
        if str(transformed) == line_str:
            raise CannotSplit("unchanged")
        result.extend(transform_line(transformed, force))
    if (
        force
        or transform is not _rhs
        or not line.invisible
        or any(bracket.value for bracket in optional_parens)
        or _short_enough(result[0])
    ):
        return result
    # black's "second opinion": the same split with the optional parentheses forced.
    copy = line.clone()
    for index, leaf in enumerate(line.leaves):
        new = leaf.copy()
        if index == 0:
            new.prefix = ""  # black's append gives the first leaf no whitespace
        copy.append(new, preformatted=False)
    second = _run_transformer(copy, transform, True, line_str)
    if all(_short_enough(ln) for ln in second):
        result = second
    return result


def _should_split_funcdef_with_rhs(line: Line) -> bool:
    returns: list[Leaf] = []
    inside = False
    for leaf in line.leaves:
        if leaf.type == COLON:
            inside = False
        if inside:
            returns.append(leaf)
        if leaf.type == RARROW:
            inside = True
    probe = Line(line.depth)
    tracked = _inside_matching_brackets(returns)
    for leaf in returns:
        probe.append(leaf, preformatted=True, track_bracket=leaf in tracked)
    first = next((leaf for leaf in returns if leaf.value), None)
    return probe.magic_trailing_comma is not None or (
        first is not None and first.type == STRING and not _short_enough(probe)
    )


def _left_hand_split(line: Line, force: bool) -> Iterator[Line]:
    head: list[Leaf] = []
    body: list[Leaf] = []
    tail: list[Leaf] = []
    matching: Leaf | None = None
    for leaf_type in (LPAR, LSQB):
        head, body, tail = [], [], []
        current = head
        matching = None
        depth = 0
        for index, leaf in enumerate(line.leaves):
            if index == 2 and leaf.type == LSQB:
                depth += 1
            elif depth > 0:
                if leaf.type == LSQB:
                    depth += 1
                elif leaf.type == RSQB:
                    depth -= 1
            if (
                current is body
                and leaf.type in CLOSING
                and leaf.opening_bracket is matching
                and matching is not None
                and not (leaf_type == LPAR and depth > 0)
            ):
                _ensure_visible(leaf)
                _ensure_visible(matching)
                current = tail if body else head
            current.append(leaf)
            if current is head and leaf.type == leaf_type and not (leaf_type == LPAR and depth > 0):
                matching = leaf
                current = body
        if matching is not None and tail:
            break
    if matching is None or not tail:
        raise CannotSplit("no brackets")
    head_line = _build_line(head, line, matching, "head")
    body_line = _build_line(body, line, matching, "body")
    tail_line = _build_line(tail, line, matching, "tail")
    _split_succeeded_or_raise(head_line, body_line, tail_line)
    for result in (head_line, body_line, tail_line):
        if result.leaves:
            yield result


def _rhs(line: Line, force: bool) -> Iterator[Line]:
    """right_hand_split_with_omits."""
    first_lines: list[Line] | None = None
    prefix_lengths: dict[Leaf, int] = {}
    length = 4 * line.depth
    for leaf in line.leaves:
        prefix_lengths[leaf] = length
        length += len(leaf.prefix) + len(leaf.value)
    for omit in _trailers_to_omit(line):
        if omit:
            target: Leaf | None = None
            for leaf in reversed(line.leaves):
                if leaf.type in CLOSING and leaf not in omit:
                    target = leaf.opening_bracket
                    break
            if target is not None and target.value and prefix_lengths.get(target, 0) > LINE_LENGTH:
                continue
        lines = list(_right_hand_split(line, force, omit))
        if first_lines is None and not omit:
            first_lines = lines
        if _short_enough(lines[0]):
            yield from lines
            return
    if first_lines is not None:
        yield from first_lines
    else:
        yield from _right_hand_split(line, force)


def _right_hand_split(line: Line, force: bool, omit: frozenset[Leaf] = frozenset()) -> Iterator[Line]:
    rhs = _first_right_hand_split(line, omit)
    yield from _maybe_split_omitting_optional_parens(rhs, line, force, omit)


class _RHS:
    __slots__ = ("head", "body", "tail", "opening", "closing")

    def __init__(self, head: Line, body: Line, tail: Line, opening: Leaf, closing: Leaf) -> None:
        self.head, self.body, self.tail, self.opening, self.closing = head, body, tail, opening, closing


def _first_right_hand_split(line: Line, omit: frozenset[Leaf]) -> _RHS:
    tail: list[Leaf] = []
    body: list[Leaf] = []
    head: list[Leaf] = []
    current = tail
    opening: Leaf | None = None
    closing: Leaf | None = None
    for leaf in reversed(line.leaves):
        if current is body and leaf is opening:
            current = head if body else tail
        current.append(leaf)
        if current is tail and leaf.type in CLOSING and leaf not in omit:
            opening = leaf.opening_bracket
            closing = leaf
            current = body
    if opening is None or closing is None or not head:
        raise CannotSplit("no brackets found")
    tail.reverse()
    body.reverse()
    head.reverse()
    head_line = _build_line(head, line, opening, "head")
    body_line = _build_line(body, line, opening, "body")
    tail_line = _build_line(tail, line, opening, "tail")
    _split_succeeded_or_raise(head_line, body_line, tail_line)
    return _RHS(head_line, body_line, tail_line, opening, closing)


def _maybe_split_omitting_optional_parens(rhs: _RHS, line: Line, force: bool, omit: frozenset[Leaf]) -> Iterator[Line]:
    if (
        not force
        and rhs.opening.type == LPAR
        and not rhs.opening.value
        and rhs.closing.type == RPAR
        and not rhs.closing.value
        and not line.is_import
        and _can_omit_invisible_parens(rhs)
    ):
        omit = omit | {rhs.closing}
        try:
            rhs_oop = _first_right_hand_split(line, omit)
            if _prefer_split_rhs_oop_over_rhs(rhs_oop, rhs):
                # black's generator: lines are produced only when nothing raised
                yield from list(_maybe_split_omitting_optional_parens(rhs_oop, line, force, omit))
                return
        except CannotSplit:
            if line.is_chained_assignment:
                pass
            elif not _can_be_split(rhs.body) and not _short_enough(rhs.body):
                raise CannotSplit("body still too long") from None
    _ensure_visible(rhs.opening)
    _ensure_visible(rhs.closing)
    for result in (rhs.head, rhs.body, rhs.tail):
        if result.leaves:
            yield result


def _prefer_split_rhs_oop_over_rhs(rhs_oop: _RHS, rhs: _RHS) -> bool:
    if not (len(rhs.head.leaves) >= 2 and rhs.head.leaves[-2].type == EQUAL):
        return True
    if not any(leaf.type in BRACKETS for leaf in rhs.head.leaves[:-1]):
        return True
    if not _short_enough(rhs.head, LINE_LENGTH - 1):
        return True
    if rhs.head.magic_trailing_comma is not None:
        return True
    rhs_head_equals = sum(1 for leaf in rhs.head.leaves if leaf.type == EQUAL)
    oop_head_equals = sum(1 for leaf in rhs_oop.head.leaves if leaf.type == EQUAL)
    if rhs_head_equals > 1 and rhs_head_equals > oop_head_equals:
        return False
    closing_after_assign = False
    for leaf in reversed(rhs_oop.head.leaves):
        if leaf.type == EQUAL:
            break
        if leaf.type in CLOSING:
            closing_after_assign = True
            break
    return closing_after_assign or (
        any(leaf.type == EQUAL for leaf in rhs_oop.head.leaves) and _short_enough(rhs_oop.head)
    )


def _can_omit_invisible_parens(rhs: _RHS) -> bool:
    line = rhs.body
    if not line.delimiters:
        return True
    max_priority = line.max_priority()
    if line.count_with_priority(max_priority) > 1:
        return False
    if max_priority == DOT_PRIORITY:
        return True
    if len(line.leaves) < 2:
        raise Unsupported("stranded delimiter")
    first, second = line.leaves[0], line.leaves[1]
    if first.type in OPENING and second.type not in CLOSING and _can_omit_opening_paren(line, first):
        return True
    penultimate, last = line.leaves[-2], line.leaves[-1]
    if last.type == RPAR or last.type == RBRACE or (last.type == RSQB and last.role != TRAILER):
        if penultimate.type in OPENING:
            return False
        if _can_omit_closing_paren(line, last):
            return True
    return False


def _can_omit_opening_paren(line: Line, first: Leaf) -> bool:
    remainder = False
    length = 4 * line.depth
    index = -1
    for index, leaf in enumerate(line.leaves):
        if leaf.type in CLOSING and leaf.opening_bracket is first:
            remainder = True
        if remainder:
            length += len(leaf.prefix) + len(leaf.value)
            if length > LINE_LENGTH:
                break
            if leaf.type in OPENING:
                remainder = False
    else:
        if len(line.leaves) == index + 1:
            return True
    return False


def _can_omit_closing_paren(line: Line, last: Leaf) -> bool:
    length = 4 * line.depth
    seen_other_brackets = False
    for leaf in line.leaves:
        length += len(leaf.prefix) + len(leaf.value)
        if leaf is last.opening_bracket:
            if seen_other_brackets or length <= LINE_LENGTH:
                return True
        elif leaf.type in OPENING:
            seen_other_brackets = True
    return False


def _magic_trailing_comma(leaves: Sequence[Leaf], index: int) -> bool:
    """The closing bracket at `index` follows a comma that makes black keep it exploded."""
    leaf = leaves[index]
    prev = leaves[index - 1] if index > 0 else None
    return (
        prev is not None
        and prev.type == COMMA
        and leaf.opening_bracket is not None
        and not _one_sequence_between(leaf.opening_bracket, leaf, leaves)
    )


def _can_be_split(line: Line) -> bool:
    leaves = line.leaves
    if len(leaves) < 2:
        return False
    if leaves[0].type == STRING and leaves[1].type == DOT:
        call_count = 0
        dot_count = 0
        following = leaves[-1]  # black never moves it along
        for leaf in leaves[-2::-1]:
            if leaf.type in OPENING:
                if following.type not in CLOSING:
                    return False
                call_count += 1
            elif leaf.type == DOT:
                dot_count += 1
            elif leaf.type == NAME:
                if not (following.type == DOT or following.type in OPENING):
                    return False
            elif leaf.type not in CLOSING:
                return False
            if dot_count > 1 and call_count > 1:
                return False
    return True


def _trailers_to_omit(line: Line) -> Iterator[frozenset[Leaf]]:
    """generate_trailers_to_omit."""
    omit: set[Leaf] = set()
    if not line.magic_trailing_comma:
        yield frozenset(omit)
    length = 4 * line.depth
    opening: Leaf | None = None
    closing: Leaf | None = None
    inner: set[Leaf] = set()
    leaves = line.leaves
    for index in range(len(leaves) - 1, -1, -1):
        leaf = leaves[index]
        length += len(leaf.prefix) + len(leaf.value)
        if length > LINE_LENGTH:
            break
        if opening is not None:
            if leaf is opening:
                opening = None
            elif leaf.type in CLOSING:
                if _magic_trailing_comma(leaves, index):
                    break
                inner.add(leaf)
        elif leaf.type in CLOSING:
            prev = leaves[index - 1] if index > 0 else None
            if prev is not None and prev.type in OPENING:
                inner.add(leaf)
                continue
            if closing is not None:
                omit.add(closing)
                omit.update(inner)
                inner.clear()
                yield frozenset(omit)
            if _magic_trailing_comma(leaves, index):
                break
            if leaf.value:
                opening = leaf.opening_bracket
                closing = leaf


def _delimiter_split(line: Line, force: bool) -> Iterator[Line]:
    if not line.leaves:
        raise CannotSplit("empty")
    last = line.leaves[-1]
    try:
        priority = line.max_priority([last])
    except ValueError:
        raise CannotSplit("no delimiters") from None
    if priority == DOT_PRIORITY and line.count_with_priority(priority) == 1:
        raise CannotSplit("single attribute")
    current = Line(line.depth, line.inside_brackets)
    for leaf in line.leaves:
        current.append(leaf)
        if line.delimiters.get(leaf) == priority:
            current.leaves[0].prefix = ""
            yield current
            current = Line(line.depth, line.inside_brackets)
    if current.leaves:
        if priority == COMMA_PRIORITY and current.leaves[-1].type != COMMA:
            current.append(_comma())
        current.leaves[0].prefix = ""
        yield current


def _ensure_visible(leaf: Leaf) -> None:
    if leaf.type == LPAR:
        leaf.value = "("
    elif leaf.type == RPAR:
        leaf.value = ")"


def _split_succeeded_or_raise(head: Line, body: Line, tail: Line) -> None:
    tail_len = len(str(tail).strip())
    if not body.leaves:
        if tail_len == 0:
            raise CannotSplit("same line")
        if tail_len < 3:
            raise CannotSplit("not worth it")


def _ensure_trailing_comma(leaves: list[Leaf], original: Line, opening: Leaf) -> bool:
    if not leaves:
        return False
    if original.is_import:
        return True
    if not original.is_def or opening.value != "(":
        return False
    if any(leaf.type == COMMA and not leaf.annotation for leaf in leaves):
        return False
    return leaves[0].annotation != "return"


def _build_line(leaves: list[Leaf], original: Line, opening: Leaf, component: str) -> Line:
    """bracket_split_build_line."""
    result = Line(original.depth)
    if component == "body":
        result.inside_brackets = True
        result.depth += 1
        if _ensure_trailing_comma(leaves, original, opening):
            if leaves[-1].type != COMMA:
                leaves.append(_comma())
    tracked = _inside_matching_brackets(leaves) if component == "head" else set()
    for leaf in leaves:
        result.append(leaf, preformatted=True, track_bracket=leaf in tracked)
    if component == "body" and _should_split_line(result, opening):
        result.should_split_rhs = True
    return result


def _should_split_line(line: Line, opening: Leaf) -> bool:
    if not line.leaves:
        return False
    exclude: list[Leaf] = []
    trailing_comma = False
    last = line.leaves[-1]
    if last.type == COMMA:
        trailing_comma = True
        exclude.append(last)
    try:
        priority = line.max_priority(exclude)
    except ValueError:
        return False
    return priority == COMMA_PRIORITY and (trailing_comma or opening.role in (ATOM, IMPORT))


def _inside_matching_brackets(leaves: Sequence[Leaf]) -> set[Leaf]:
    """get_leaves_inside_matching_brackets."""
    start = next((i for i, leaf in enumerate(leaves) if leaf.type in OPENING), None)
    if start is None:
        return set()
    found: set[Leaf] = set()
    stack: list[tuple[int, list[Leaf]]] = []
    for leaf in leaves[start:]:
        if leaf.type in OPENING:
            stack.append((MATCHING[leaf.type], [leaf]))
        elif leaf.type in CLOSING:
            if stack and leaf.type == stack[-1][0]:
                _, level = stack.pop()
                level.append(leaf)
                found.update(level)
            else:
                break
        elif stack:
            stack[-1][1].append(leaf)
    return found


# --- statements → leaves, with what black's tree adds (invisible parentheses) --------

_TOKEN = re.compile(
    r"""(?P<ws>[ ]*)(?:
      (?P<string>(?:[rRbBuUfF]{1,2})?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))
    | (?P<name>[^\W\d]\w*)
    | (?P<number>\d[\w.]*)
    | (?P<op>->|\*\*|//|<<|>>|==|!=|<=|>=|:=|\.\.\.|[()\[\]{},:.=|*+\-/%@^&~<>])
    )""",
    re.VERBOSE,
)
_OP_TYPES: Final = {
    "(": LPAR, ")": RPAR, "[": LSQB, "]": RSQB, "{": LBRACE, "}": RBRACE, ",": COMMA, ":": COLON,
    "=": EQUAL, ".": DOT, "|": VBAR, "->": RARROW, "*": STAR, "**": DOUBLESTAR,
    "<": COMPARE, ">": COMPARE, "==": COMPARE, "!=": COMPARE, "<=": COMPARE, ">=": COMPARE,
}
_VALUE_ENDS: Final = frozenset({NAME, NUMBER, STRING}) | CLOSING  # what a trailer / binary operator follows


def _tokenize(code: str) -> list[Leaf]:
    leaves: list[Leaf] = []
    pos = 0
    while pos < len(code):
        match = _TOKEN.match(code, pos)
        if match is None or match.end() == pos:
            raise Unsupported(f"cannot tokenize {code[pos:pos + 20]!r}")
        pos = match.end()
        prefix = " " if match.group("ws") else ""
        if match.group("string") is not None:
            if match.group("string").lstrip("rRbBuUfF")[:3] in ('"""', "'''"):
                raise Unsupported("triple-quoted string")
            leaves.append(Leaf(STRING, match.group("string"), prefix))
        elif match.group("name") is not None:
            leaves.append(Leaf(NAME, match.group("name"), prefix))
        elif match.group("number") is not None:
            leaves.append(Leaf(NUMBER, match.group("number"), prefix))
        else:
            op = match.group("op")
            if op == ":=":
                raise Unsupported("assignment expression")
            if op == "...":  # blib2to3 reads three DOT tokens
                leaves += [Leaf(DOT, ".", prefix), Leaf(DOT, "."), Leaf(DOT, ".")]
            else:
                leaves.append(Leaf(_OP_TYPES.get(op, MATH), op, prefix))
    return leaves


def _is_value_end(leaf: Leaf | None) -> bool:
    """Does an expression end at `leaf` (so that `(`/`[` after it is a trailer)?"""
    return leaf is not None and leaf.type in _VALUE_ENDS and not (leaf.type == NAME and leaf.value in KEYWORDS)


def _annotate(leaves: list[Leaf]) -> None:
    """Bracket roles, argument-list commas, varargs and unary operators."""
    stack: list[Leaf] = []
    statement = leaves[0].value if leaves[0].type == NAME else ""
    for index, leaf in enumerate(leaves):
        prev = leaves[index - 1] if index else None
        if leaf.type in OPENING:
            if index == 2 and leaf.type == LPAR and statement in ("def", "class"):
                leaf.role = PARAMS if statement == "def" else CLASS
            elif leaf.type != LBRACE and _is_value_end(prev):
                leaf.role = TRAILER
            else:
                leaf.role = ATOM
            stack.append(leaf)
        elif leaf.type in CLOSING:
            if not stack or MATCHING[stack[-1].type] != leaf.type:
                raise Unsupported("unbalanced brackets")
            leaf.role = stack.pop().role
        elif leaf.type == COMMA:
            top = stack[-1] if stack else None
            leaf.arglist = top is not None and (top.role in (PARAMS, CLASS) or (top.role == TRAILER and top.type == LPAR))
        elif leaf.type in (STAR, DOUBLESTAR):
            leaf.vararg = prev is None or prev.type in (COMMA, LPAR, LSQB, LBRACE)
        elif leaf.type == MATH and leaf.value in "+-~":
            leaf.unary = not _is_value_end(prev)
        elif leaf.type == NAME and leaf.value in ("lambda", "yield", "await", "if", "else", "for", "async"):
            if index or leaf.value not in ("if", "for"):
                raise Unsupported(f"`{leaf.value}` inside an expression")
        elif leaf.type == NAME and leaf.value == "in":
            leaf.comparison = True  # (the `in` of a for statement: see _statement_spans)
        elif leaf.type == NAME and leaf.value == "not":
            # `not in` is a comparison; a unary `not` is no delimiter
            following = leaves[index + 1] if index + 1 < len(leaves) else None
            leaf.comparison = following is not None and following.type == NAME and following.value == "in"
    if stack:
        raise Unsupported("unbalanced brackets")


def _depth0(leaves: Sequence[Leaf], start: int = 0, stop: int | None = None) -> Iterator[int]:
    """Indices of the leaves of leaves[start:stop] outside any bracket of that slice."""
    depth = 0
    for index in range(start, len(leaves) if stop is None else stop):
        leaf = leaves[index]
        if leaf.type in CLOSING:
            depth -= 1
        if depth == 0:
            yield index
        if leaf.type in OPENING:
            depth += 1


def _closing_of(leaves: Sequence[Leaf], opening: int) -> int:
    depth = 0
    for index in range(opening, len(leaves)):
        if leaves[index].type in OPENING:
            depth += 1
        elif leaves[index].type in CLOSING:
            depth -= 1
            if depth == 0:
                return index
    raise Unsupported("unbalanced brackets")


def _def_spans(leaves: list[Leaf]) -> list[tuple[int, int, str]]:
    """Annotations of a def; the union-typed parameters' and the return annotation's
    spans, which black wraps in invisible parentheses (visit_tname, visit_funcdef)."""
    if len(leaves) < 3 or leaves[2].type != LPAR or leaves[1].type != NAME:
        raise Unsupported("def without parameters")
    close = _closing_of(leaves, 2)
    spans: list[tuple[int, int, str]] = []
    tops = [i for i in _depth0(leaves, 3, close)]
    for i in tops:
        if leaves[i].type == COLON:
            end = next((j for j in tops if j > i and leaves[j].type in (COMMA, EQUAL)), close)
            for leaf in leaves[i + 1 : end]:
                leaf.annotation = "param"
            if leaves[i + 1].type == LPAR and _closing_of(leaves, i + 1) == end - 1:
                raise Unsupported("parenthesized annotation")
            if any(leaves[j].type == VBAR for j in _depth0(leaves, i + 1, end)):
                spans.append((i + 1, end, ATOM))
    if close + 1 < len(leaves) - 1 and leaves[close + 1].type == RARROW:
        if leaves[-1].type != COLON:
            raise Unsupported("def header without colon")
        for leaf in leaves[close + 2 : -1]:
            leaf.annotation = "return"
        if leaves[close + 2].type == LPAR and _closing_of(leaves, close + 2) == len(leaves) - 2:
            raise Unsupported("parenthesized return annotation")
        spans.append((close + 2, len(leaves) - 1, ATOM))
    elif leaves[close + 1 :] and [leaf.type for leaf in leaves[close + 1 :]] != [COLON]:
        raise Unsupported("def header")
    return spans


def _statement_spans(leaves: list[Leaf]) -> list[tuple[int, int, str]]:
    """The spans black wraps in invisible parentheses (normalize_invisible_parens)."""
    first = leaves[0]
    word = first.value if first.type == NAME else ""
    if word in ("def", "class", "return", "if", "elif", "while", "for", "from", "raise", "pass"):
        first.keyword = True
    if word == "def":
        return _def_spans(leaves)
    if word in ("class", "raise", "pass"):
        return []
    if word == "return":
        return [(1, len(leaves), ATOM)] if len(leaves) > 1 else []
    if word in ("if", "elif", "while"):
        if leaves[-1].type != COLON:
            raise Unsupported("block header without colon")
        return [(1, len(leaves) - 1, ATOM)]
    if word == "for":
        tops = list(_depth0(leaves))
        found = next((i for i in tops if leaves[i].type == NAME and leaves[i].value == "in"), None)
        if found is None or leaves[-1].type != COLON:
            raise Unsupported("for header")
        leaves[found].keyword, leaves[found].comparison = True, False
        for i in tops:
            if 0 < i < found and leaves[i].type == COMMA:
                leaves[i].for_target = True
        return [(1, found, ATOM), (found + 1, len(leaves) - 1, ATOM)]
    if word == "from":
        names = next((i for i, leaf in enumerate(leaves) if leaf.type == NAME and leaf.value == "import"), None)
        if names is None or names + 1 >= len(leaves) or leaves[names + 1].type in (LPAR, STAR):
            raise Unsupported("from-import shape")
        leaves[names].keyword = True
        for leaf in leaves[1:names]:
            if leaf.type == DOT:
                leaf.role = "dotted"
        return [(names + 1, len(leaves), IMPORT)]
    if word in KEYWORDS:
        raise Unsupported(f"`{word}` statement")
    return _assignment_spans(leaves)


def _assignment_spans(leaves: list[Leaf]) -> list[tuple[int, int, str]]:
    tops = list(_depth0(leaves))
    colons = [i for i in tops if leaves[i].type == COLON]
    equals = [i for i in tops if leaves[i].type == EQUAL]
    spans: list[tuple[int, int, str]] = []
    if colons and (not equals or colons[0] < equals[0]):
        end = equals[0] if equals else len(leaves)
        spans.append((colons[0] + 1, end, ATOM))
        if equals:
            spans.append((equals[0] + 1, len(leaves), ATOM))
    else:
        if any(leaves[i].type in (MATH, VBAR, STAR, DOUBLESTAR) and not leaves[i].unary for i in tops[: len(tops) if not equals else 0]):
            raise Unsupported("arithmetic expression statement")
        for n, i in enumerate(equals):
            spans.append((i + 1, equals[n + 1] if n + 1 < len(equals) else len(leaves), ATOM))
    if any(start >= end for start, end, _ in spans):
        raise Unsupported("empty assignment part")
    return spans


def _wrap(leaves: list[Leaf], spans: list[tuple[int, int, str]]) -> list[Leaf]:
    """Insert invisible parentheses around the spans (black's wrap_in_parentheses: the
    opening one takes the prefix of the first leaf it wraps)."""
    out = list(leaves)
    for start, end, role in sorted(spans, reverse=True):
        if leaves[start].type == LPAR and _closing_of(leaves, start) == end - 1:
            raise Unsupported("parenthesized expression")  # black makes such parentheses invisible
        lpar, rpar = Leaf(LPAR, "", leaves[start].prefix), Leaf(RPAR, "")
        lpar.role = rpar.role = role
        annotation = leaves[start].annotation
        lpar.annotation = rpar.annotation = annotation
        leaves[start].prefix = leaves[start].canonical = ""
        out[end:end] = [rpar]
        out[start:start] = [lpar]
    return out


def _line(code: str, depth: int, element: bool) -> Line:
    leaves = _tokenize(code)
    if not leaves:
        raise Unsupported("empty statement")
    leaves[0].prefix = leaves[0].canonical = ""
    _annotate(leaves)
    if not element:
        leaves = _wrap(leaves, _statement_spans(leaves))
    line = Line(depth, inside_brackets=element)
    for leaf in leaves:
        line.append(leaf, preformatted=False)
    return line


_MAGIC = re.compile(r",[)\]}]")


def _fits(code: str, depth: int) -> bool:
    return "\n" not in code and str_width(code) + 4 * depth <= LINE_LENGTH and _MAGIC.search(code) is None


def fit(code: str, depth: int = 0) -> str:
    """One statement, written on one line in black's spacing, laid out as black does at
    `depth` (4 spaces each): the lines, indented, without a final newline."""
    if _fits(code, depth):
        return "    " * depth + code
    return _split(code, depth, element=False)


def fit_element(code: str, depth: int) -> str:
    """One element (with its comma) of a bracket black explodes one element a line,
    laid out at `depth` as black does with the lines delimiter_split gives it."""
    if _fits(code, depth):
        return "    " * depth + code
    return _split(code, depth, element=True)


@lru_cache(maxsize=1 << 15)  # the same long statement recurs (enums, checks)
def _split(code: str, depth: int, element: bool) -> str:
    if code.isascii() and "\\" not in code and "\n" not in code and '"""' not in code and "'''" not in code:
        # Laid out as its shape: names and strings as placeholders of the same length.
        originals = [m.group() for m in _WORD.finditer(code)]
        laid = _split_shape(_WORD.sub(_placeholder, code), depth, element)
        if laid is not None:
            words = iter(originals)
            text, count = _WORD.subn(lambda m: next(words, m.group()), laid)
            if count == len(originals):
                return text
    try:
        lines = transform_line(_line(code, depth, element=element))
    except Unsupported:
        return _black_element(code, depth) if element else _black(code, depth)
    return "\n".join(str(line) for line in lines)


# The tokens a layout keeps in order and never looks into but for their length (ASCII
# code without backslashes): strings, numbers and names. Statements that differ only in
# them (`def _check_<shape>(value: Any, ...)`, `<field>=load(data, "<Wire>", ...)`) are
# laid out alike, so each such shape is laid out once; the words are put back in order.
_WORD = re.compile(r"""[rRbBuUfF]{0,2}(?:"[^"]*"|'[^']*')|\d[\w.]*|(?P<name>[A-Za-z_]\w*)""")
_KEPT_NAMES = frozenset([*keyword.kwlist, *keyword.softkwlist])  # black reads these


def _placeholder(match: re.Match[str]) -> str:
    word = match.group()
    if match.group("name") is not None:
        return word if word in _KEPT_NAMES else "x" * len(word)
    if word[-1] in "\"'":
        opening = word.index(word[-1])
        return word[: opening + 1] + "x" * (len(word) - opening - 2) + word[-1]
    return word  # a number


@lru_cache(maxsize=1 << 15)
def _split_shape(shape: str, depth: int, element: bool) -> str | None:
    """The layout of a statement with placeholders; None when the port does not model
    it (the statement itself then goes to black, listed in FALLBACKS)."""
    try:
        lines = transform_line(_line(shape, depth, element=element))
    except Unsupported:
        return None
    return "\n".join(str(line) for line in lines)


def _black(code: str, depth: int) -> str:
    """black itself on one statement the port does not model (kept for robustness)."""
    import black

    from codegen import fmt

    FALLBACKS.append(code)
    header = "".join("    " * i + "if x:\n" for i in range(depth))
    body = "    " * (depth + 1) + "pass\n" if code.rstrip().endswith(":") else ""
    text = black.format_str(header + "    " * depth + code + "\n" + body, mode=fmt.MODE)
    lines = text.splitlines()[depth:]
    if body:
        lines = lines[:-1]
    return "\n".join(lines)


def _black_element(code: str, depth: int) -> str:
    """black itself on one element: in an exploded call, or else an exploded dict."""
    import black
    from black.parsing import InvalidInput

    from codegen import fmt

    FALLBACKS.append(code)
    header = "".join("    " * i + "if x:\n" for i in range(depth - 1))
    outer = "    " * (depth - 1)
    for opening, closing in (("f(", ")"), ("x = {", "}")):
        source = f"{header}{outer}{opening}\n{outer}    {code}\n{outer}{closing}\n"
        try:
            text = black.format_str(source, mode=fmt.MODE)
        except InvalidInput:
            continue
        return "\n".join(text.splitlines()[depth:-1])
    raise Unsupported(f"not an element: {code!r}")


# --- docstrings -----------------------------------------------------------------------

_BACKSLASH_NEWLINE = re.compile(r"\\\s*\n")
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")


def docstring(body: str, depth: int) -> str:
    """The docstring `\"\"\"body\"\"\"` (body: the source text between the quotes) as black
    leaves it at `depth`: black strips and re-indents docstrings (linegen visit_STRING)."""
    indent = "    " * depth
    if _BACKSLASH_NEWLINE.search(body):
        return f'{indent}"""{body}"""'  # black leaves those alone
    if "\n" in body:
        text = _fix_multiline_docstring(body, indent)
    else:
        text = body.strip()
    trailing_backslash = False
    if text:
        if text[0] == '"':
            text = " " + text
        if text[-1] == '"':
            text += " "
        if text[-1] == "\\":
            if (len(text) - len(text.rstrip("\\"))) % 2:
                text += " "
                trailing_backslash = True
    elif body:
        text = " "
    lines = text.splitlines()
    last_length = len(lines[-1]) if text and not text.endswith("\n") else 0
    if len(lines) > 1 and last_length + 3 > LINE_LENGTH and len(indent) + 3 <= LINE_LENGTH and not trailing_backslash:
        if body.endswith("\n"):
            return f'{indent}"""{text}"""'
        return f'{indent}"""{text}\n{indent}"""'
    return f'{indent}"""{text}"""'


def _fix_multiline_docstring(text: str, prefix: str) -> str:
    lines = []
    for line in _LINE_BREAK.split(text):
        stripped = line.lstrip()
        if not stripped or stripped == line:
            lines.append(line)
        else:
            lines.append(line[: len(line) - len(stripped)].expandtabs(4) + stripped)
    indent = sys.maxsize
    for line in lines[1:]:
        stripped = line.lstrip()
        if stripped:
            indent = min(indent, len(line) - len(stripped))
    trimmed = [lines[0].strip()]
    if indent < sys.maxsize:
        last = len(lines) - 2
        for i, line in enumerate(lines[1:]):
            stripped = line[indent:].rstrip()
            if stripped or i == last:
                trimmed.append(prefix + stripped)
            else:
                trimmed.append("")
    return "\n".join(trimmed)
