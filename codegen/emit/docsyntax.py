"""Request and response syntax examples for the Markdown docs, built from the shape tree.

The values are boto3's placeholders (`'string'`, `123`, `'A'|'B'` for an enum,
`datetime(2015, 1, 1)`, ...), so an example reads like boto3's "Request Syntax"; unlike
boto3's, it is cut to a readable size: long enums end in `...`, and structures below a
depth become `{...}` until the example fits in `MAX_LINES` (the tables under it, and the
structure pages, have the rest). Every example is Python that `ast.parse` accepts; names
and values from the page are written with `repr`, so a page cannot end the code block
(the caller fences it with `codegen.escape.md_fence`).
"""

from __future__ import annotations

from codegen.tree import Shape

MAX_LINES = 120
MAX_ENUM = 6
MAX_DEPTH = 64  # deeper than any page (the tree stops at 100, real pages at 23)

_DOCUMENT = "{...}|[...]|123|123.4|'string'|True|None"
_SCALARS = {
    "string": "'string'",
    "integer": "123",
    "float": "123.0",
    "boolean": "True|False",
    "timestamp": "datetime(2015, 1, 1)",
    "document": _DOCUMENT,
}


def _scalar(shape: Shape, output: bool, enum_limit: int | None) -> str:
    if shape.type == "string" and shape.enum:
        values = shape.enum if enum_limit is None else shape.enum[:enum_limit]
        text = "|".join(repr(v) for v in values)
        return text + ("|..." if len(values) < len(shape.enum) else "")
    if shape.json_value:
        return _DOCUMENT
    if shape.type == "blob":
        if shape.streaming:
            return "StreamingBody()" if output else "b'bytes'|file"
        return "b'bytes'"
    return _SCALARS.get(shape.type, "...")


def _depth(shape: Shape) -> int:
    """Structure levels below and including `shape`."""
    deepest, stack = 0, [(shape, 0)]
    while stack:
        node, level = stack.pop()
        if node.type == "structure":
            level += 1
            deepest = max(deepest, level)
        stack.extend((child, level) for _, child in node.children(""))
    return deepest


class _TooLong(Exception):
    """An example past its line budget: no need to write the rest."""


class _Writer:
    def __init__(self, output: bool, depth: int, enum_limit: int | None, budget: int | None = None) -> None:
        self.output = output
        self.depth = depth  # structures at this level and below are `{...}`
        self.enum_limit = enum_limit
        self.budget = budget  # lines left before _TooLong (None: no limit)
        self.cut = False  # whether a structure was written as `{...}` for the depth

    def _spend(self, lines: int) -> None:
        if self.budget is not None:
            self.budget -= lines
            if self.budget < 0:
                raise _TooLong

    def value(self, shape: Shape, level: int, pad: str) -> list[str]:
        """The lines of one value; the first continues the line it starts on."""
        inner_pad = pad + "    "
        if shape.type == "recursive":
            return ["{'... recursive ...'}"]
        if shape.type == "list" and shape.member is not None:
            self._spend(2)
            inner = self.value(shape.member, level, inner_pad)
            lines = ["[", inner_pad + inner[0], *inner[1:]]
            lines[-1] += ","
            return [*lines, pad + "]"]
        if shape.type == "map" and shape.value is not None:
            self._spend(2)
            inner = self.value(shape.value, level, inner_pad)
            return ["{", inner_pad + "'string': " + inner[0], *inner[1:], pad + "}"]
        if shape.type == "structure":
            if not shape.members:
                return ["{...}" if shape.truncated else "{}"]
            if level >= self.depth:
                self.cut = True
                return ["{...}"]
            lines = ["EventStream({" if shape.event_stream and self.output else "{"]
            # (each member is a line at least, and the closing brace one more)
            self._spend(len(shape.members) + 1)
            for name, member in shape.members:
                inner = self.value(member.shape, level + 1, inner_pad)
                lines += [inner_pad + repr(name) + ": " + inner[0], *inner[1:]]
                lines[-1] += ","
            lines.append(pad + ("})" if shape.event_stream and self.output else "}"))
            return lines
        return [_scalar(shape, self.output, self.enum_limit)]


def _call(head: str, shape: Shape, writer: _Writer) -> list[str]:
    if not shape.members:
        return [head + "()"]
    lines = [head + "("]
    for name, member in shape.members:
        inner = writer.value(member.shape, 1, "    ")
        # A name that is not an identifier cannot be a keyword argument as written.
        lines.append((f"    {name}=" if name.isidentifier() else f"    **{{{name!r}: ") + inner[0])
        lines += inner[1:]
        lines[-1] += ("," if name.isidentifier() else "},")
    lines.append(")")
    return lines


def _example(shape: Shape, head: str | None, output: bool, enum_limit: int | None, max_lines: int | None) -> str:
    def build(depth: int, budget: int | None = None) -> tuple[list[str], bool]:
        writer = _Writer(output, depth, enum_limit, budget)
        lines = _call(head, shape, writer) if head is not None else writer.value(shape, 0, "")
        if budget is not None and len(lines) > budget:
            raise _TooLong
        return lines, writer.cut

    if max_lines is None:
        return "\n".join(build(min(_depth(shape), MAX_DEPTH) + 1)[0])
    # The deepest cut that fits, or the parameters and one level below them when none
    # does. A level more never makes an example shorter, so the levels are tried from
    # the top down, each given only the lines it may have (the writer stops past them):
    # the whole tree, thousands of lines for some of sagemaker's, is never written out.
    depth = 2
    try:
        lines, cut = build(depth, max_lines)
    except _TooLong:
        return "\n".join(build(depth)[0])
    while cut and depth <= MAX_DEPTH:
        try:
            lines, cut = build(depth + 1, max_lines)
        except _TooLong:
            break
        depth += 1
    return "\n".join(lines)


def request_example(
    shape: Shape, head: str, enum_limit: int | None = MAX_ENUM, max_lines: int | None = MAX_LINES
) -> str:
    """`head(Param=..., ...)` for a request (`head` such as `response = client.op`); with
    no limits, everything the tree has."""
    return _example(shape, head, False, enum_limit, max_lines)


def response_example(shape: Shape, enum_limit: int | None = MAX_ENUM, max_lines: int | None = MAX_LINES) -> str:
    """The response as the dict boto3 returns."""
    return _example(shape, None, True, enum_limit, max_lines)
