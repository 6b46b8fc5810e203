"""Entries and syntax blocks → shapes of the tree: members, lists, maps, scalars, and
the ancestor each recursive node repeats."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from codegen.rst import syntax
from codegen.rst.entries import Context, Entry
from codegen.rst.errors import PageError
from codegen.tree import Member, Shape


_AUTOPOPULATED = "This field is autopopulated if not provided."


def _mismatch(ctx: Context, line: int, path: str, what: str) -> PageError:
    return PageError(ctx.source, line, f"{path}: bullets and syntax block disagree: {what}")


def build_shape(
    entry: Entry, path: str, node: syntax.SyntaxNode | None, ctx: Context, doc: str
) -> Shape:
    """The shape of one entry (a member's value, a list item, a map value)."""
    marker = entry.marker
    if not entry.children and marker.type in ("dict", "list") and _has_content(node):
        assert isinstance(node, (syntax.SyntaxDict, syntax.SyntaxList))
        if entry.cut_off:
            # The entry's own bullets were cut off by a description that breaks the
            # page's indentation upstream (apigatewayv2); the syntax block still shows
            # what it holds, but not which members are required: marked truncated.
            return replace(_shape_from_syntax(node, path, ctx), documentation=doc, truncated=True)
        # The entry's bullets are missing (deleted) while the syntax block shows what
        # it holds: reading it from the block alone would lose the bullets' `[REQUIRED]`
        # flags and documentation without a word.
        held = "members" if isinstance(node, syntax.SyntaxDict) else "an item"
        raise _mismatch(
            ctx, entry.line, path,
            f"the syntax block (line {node.line}) shows {held} the bullets (line {entry.line}) lack",
        )
    if isinstance(node, syntax.SyntaxRecursive):
        if marker.type not in ("dict", "list", "structure"):
            raise _mismatch(ctx, entry.line, path, f"{marker.type} marked recursive")
        ctx.recursive.append((path, marker.type, doc))
        return Shape(type="recursive", documentation=doc, target="")
    if marker.type == "dict" and (entry.children or node is not None):
        return _build_dict(entry, path, node, ctx, doc)
    if marker.type == "dict":
        # A free-form dict of a hand-written method (no syntax block, no entries).
        return Shape(type="document", documentation=doc, python_type="dict")
    if marker.type == "structure":  # EventStream
        return build_structure(entry, path, node, ctx, doc, event_stream=True)
    if marker.type == "list":
        return _build_list(entry, path, node, ctx, doc)
    return _build_scalar(entry, path, node, ctx, doc)


def _has_content(node: syntax.SyntaxNode | None) -> bool:
    return (isinstance(node, syntax.SyntaxDict) and bool(node.entries)) or isinstance(
        node, syntax.SyntaxList
    )


def _build_dict(
    entry: Entry, path: str, node: syntax.SyntaxNode | None, ctx: Context, doc: str
) -> Shape:
    kids = entry.children
    if len(kids) == 1 and kids[0].name is None:
        key_entry = kids[0]
        if len(key_entry.children) != 1 or key_entry.children[0].name is not None:
            raise PageError(ctx.source, key_entry.line, f"{path}: map key entry without a value entry")
        if node is not None and not (
            isinstance(node, syntax.SyntaxDict) and len(node.entries) == 1 and not node.event_stream
        ):
            raise _mismatch(ctx, entry.line, path, "map expected")
        value_node = node.entries[0][1] if isinstance(node, syntax.SyntaxDict) else None
        key_doc = key_entry.doc
        key_only = Entry(None, key_entry.marker, False, key_entry.doc, key_entry.union, (), key_entry.line)
        key = _build_scalar(key_only, path + "<key>", None, ctx, key_doc)
        value_entry = key_entry.children[0]
        value_doc = value_entry.doc
        value = build_shape(value_entry, path + "{}", value_node, ctx, value_doc)
        return Shape(type="map", documentation=doc, key=key, value=value)
    return build_structure(entry, path, node, ctx, doc, event_stream=False)


def build_structure(
    entry: Entry,
    path: str,
    node: syntax.SyntaxNode | None,
    ctx: Context,
    doc: str,
    event_stream: bool,
) -> Shape:
    if node is not None and not isinstance(node, syntax.SyntaxDict):
        if not (isinstance(node, syntax.SyntaxScalar) and node.kind == "any"):
            raise _mismatch(ctx, entry.line, path, "structure expected")
        node = None
    members = _members(entry.children, path, node, ctx)
    return Shape(
        type="structure",
        documentation=doc,
        members=members,
        union=entry.union,
        event_stream=event_stream or bool(isinstance(node, syntax.SyntaxDict) and node.event_stream),
    )


def _members(
    entries: Sequence[Entry], path: str, node: syntax.SyntaxDict | None, ctx: Context
) -> tuple[tuple[str, Member], ...]:
    members: list[tuple[str, Member]] = []
    lines: dict[str, int] = {}
    for child in entries:
        if child.name is None:
            raise PageError(ctx.source, child.line, f"{path}: unnamed entry in a structure")
        if child.name in lines:
            # (a duplicated line, a bad merge: the class would get one field twice)
            raise PageError(
                ctx.source, child.line, f"{path}: member {child.name!r} listed twice (also on line {lines[child.name]})"
            )
        lines[child.name] = child.line
        child_path = f"{path}.{child.name}"
        # boto3 hides some members from the syntax block only (S3's SSECustomerKeyMD5,
        # Glacier's accountId): such a member is read from its bullets alone.
        child_node = node.get(child.name) if node is not None else None
        doc = child.doc
        shape = build_shape(child, child_path, child_node, ctx, "")
        members.append(
            (
                child.name,
                Member(
                    shape=shape,
                    required=child.required,
                    documentation=doc,
                    autopopulated=doc.endswith(_AUTOPOPULATED),
                ),
            )
        )
    if node is not None:
        names = [name for name, _ in members]
        extra = [k for k, _ in node.entries if k not in names]
        if extra:
            raise _mismatch(ctx, entries[0].line if entries else 0, path, f"syntax has {extra[0]!r}")
    return tuple(members)


def _build_list(
    entry: Entry, path: str, node: syntax.SyntaxNode | None, ctx: Context, doc: str
) -> Shape:
    if not entry.children and node is None:
        # A free-form list of a hand-written method (no syntax block, no item entry).
        return Shape(type="list", documentation=doc, member=Shape(type="document"))
    if len(entry.children) != 1 or entry.children[0].name is not None:
        raise PageError(ctx.source, entry.line, f"{path}: list without one item entry")
    if node is not None and not isinstance(node, syntax.SyntaxList):
        raise _mismatch(ctx, entry.line, path, "list expected")
    item = entry.children[0]
    item_node = node.item if isinstance(node, syntax.SyntaxList) else None
    member = build_shape(item, path + "[]", item_node, ctx, item.doc)
    return Shape(type="list", documentation=doc, member=member)


_SCALAR_SYNTAX = {
    "string": ("string",),
    "integer": ("integer",),
    "float": ("float", "any"),
    "boolean": ("boolean",),
    "timestamp": ("timestamp",),
    "blob": ("blob", "stream", "string"),
    "document": ("document", "any"),
}


def _build_scalar(
    entry: Entry, path: str, node: syntax.SyntaxNode | None, ctx: Context, doc: str
) -> Shape:
    marker = entry.marker
    if entry.children:
        raise PageError(ctx.source, entry.children[0].line, f"{path}: {marker.type} with child entries")
    enum: tuple[str, ...] = ()
    if isinstance(node, syntax.SyntaxEnum):
        if marker.type != "string":
            raise _mismatch(ctx, entry.line, path, f"enum values on a {marker.type}")
        enum = node.values
    elif isinstance(node, syntax.SyntaxDict) and marker.type == "document" and not node.entries:
        pass  # `(*dict*)` over `{}`: CloudFormation's parsed TemplateBody
    elif isinstance(node, syntax.SyntaxScalar):
        if node.kind not in _SCALAR_SYNTAX.get(marker.type, ()):
            raise _mismatch(ctx, entry.line, path, f"{marker.type} vs {node.kind}")
    elif node is not None:
        raise _mismatch(ctx, entry.line, path, f"{marker.type} expected")
    return Shape(
        type=marker.type,  # type: ignore[arg-type]
        documentation=doc,
        enum=enum,
        streaming=marker.streaming,
        json_value=marker.json_value,
        python_type=marker.python_type,
    )


_SCALAR_FROM_SYNTAX: dict[str, str] = {
    "string": "string",
    "integer": "integer",
    "float": "float",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "blob": "blob",
    "stream": "blob",
    "document": "document",
    "any": "float",  # botocore writes `...` for its `float` type only
}


def from_syntax(node: syntax.SyntaxNode | None, path: str, ctx: Context) -> Shape:
    """The shape a syntax block alone shows, for a section whose bullets boto3 left out."""
    if node is None:
        return Shape(type="structure", truncated=True)
    shape = _shape_from_syntax(node, path, ctx)
    return replace(shape, truncated=True)


def _shape_from_syntax(node: syntax.SyntaxNode, path: str, ctx: Context) -> Shape:
    if isinstance(node, syntax.SyntaxEnum):
        return Shape(type="string", enum=node.values)
    if isinstance(node, syntax.SyntaxScalar):
        return Shape(type=_SCALAR_FROM_SYNTAX[node.kind], streaming=node.streaming)  # type: ignore[arg-type]
    if isinstance(node, syntax.SyntaxRecursive):
        ctx.recursive.append((path, "dict", ""))
        return Shape(type="recursive", target="")
    if isinstance(node, syntax.SyntaxList):
        item = node.item if node.item is not None else syntax.SyntaxScalar("any")
        return Shape(type="list", member=_shape_from_syntax(item, path + "[]", ctx))
    if len(node.entries) == 1 and node.entries[0][0] == "string" and not node.event_stream:
        value = _shape_from_syntax(node.entries[0][1], path + "{}", ctx)
        return Shape(type="map", key=Shape(type="string"), value=value)
    members = tuple(
        (name, Member(shape=_shape_from_syntax(child, f"{path}.{name}", ctx)))
        for name, child in node.entries
    )
    return Shape(type="structure", members=members, event_stream=node.event_stream)


def resolve_recursion(input_shape: Shape, output_shape: Shape | None, ctx: Context) -> None:
    """Pick, for each recursive node, the ancestor it repeats (see `_target`)."""
    trees = [("input", input_shape)] + ([("output", output_shape)] if output_shape else [])
    if not ctx.recursive:
        return
    index = {path: node for root_path, shape in trees for path, node in shape.walk(root_path)}
    docs = _docs_by_path(trees)
    for path, marker_type, doc in ctx.recursive:
        ctx.targets[path] = _target(path, marker_type, doc, index, docs)


def _ancestors(path: str) -> Iterator[str]:
    """Contract paths of the ancestors of `path`, nearest first."""
    current = path
    while True:
        cut = max(current.rfind("."), current.rfind("[]"), current.rfind("{}"))
        if cut <= 0:
            return
        if current.endswith("[]") or current.endswith("{}"):
            current = current[:-2]
        else:
            current = current[: current.rfind(".")]
        yield current


def _target(
    path: str,
    marker_type: str,
    doc: str,
    index: dict[str, Shape],
    docs: dict[str, str],
) -> str:
    """The ancestor a `{'... recursive ...'}` node repeats.

    The page does not name shapes, so this is inferred, in order: an ancestor whose
    text is the node's own (a shape's documentation repeats wherever it is used); an
    ancestor whose member name ends the node's (`ScopeDownStatement` → `Statement`,
    `Statements[]` → `Statement`); else the nearest structure.
    """
    wanted = ("list",) if marker_type == "list" else ("structure",)
    candidates = [a for a in _ancestors(path) if a in index and index[a].type in wanted]
    if not candidates and marker_type != "list":
        candidates = [a for a in _ancestors(path) if a in index and index[a].type == "map"]
    if not candidates:
        return ""
    for ancestor in candidates:
        if doc and docs.get(ancestor) == doc:
            return ancestor
    own = _member_name(path)
    for ancestor in candidates:
        name = _member_name(ancestor)
        if name and (own.endswith(name) or own.rstrip("s").endswith(name)):
            return ancestor
    return candidates[0]


def _member_name(path: str) -> str:
    """The last member name on a path, with list/map steps dropped."""
    while path.endswith("[]") or path.endswith("{}"):
        path = path[:-2]
    return path.rsplit(".", 1)[-1] if "." in path else ""


def _docs_by_path(trees: list[tuple[str, Shape]]) -> dict[str, str]:
    """The text attached to each node: a member's documentation, else the shape's."""
    out: dict[str, str] = {}
    for root_path, shape in trees:
        out[root_path] = shape.documentation
        for path, node in shape.walk(root_path):
            for name, member in node.members:
                out[f"{path}.{name}"] = member.documentation or member.shape.documentation
            if node.member is not None:
                out[f"{path}[]"] = node.member.documentation
            if node.value is not None:
                out[f"{path}{{}}"] = node.value.documentation
    return out


def with_targets(shape: Shape, path: str, ctx: Context) -> Shape:
    if not ctx.targets:
        return shape
    return _retarget(shape, path, ctx.targets)


def _retarget(shape: Shape, path: str, targets: dict[str, str]) -> Shape:
    if shape.type == "recursive":
        return replace(shape, target=targets.get(path, ""))
    if shape.type == "structure":
        members = tuple(
            (name, replace(m, shape=_retarget(m.shape, f"{path}.{name}", targets)))
            for name, m in shape.members
        )
        return replace(shape, members=members)
    if shape.type == "list" and shape.member is not None:
        return replace(shape, member=_retarget(shape.member, path + "[]", targets))
    if shape.type == "map" and shape.value is not None:
        return replace(shape, value=_retarget(shape.value, path + "{}", targets))
    return shape
