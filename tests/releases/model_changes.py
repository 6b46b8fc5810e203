"""Expected diff of two releases, computed from their botocore models alone.

The pages of a release are rendered from its botocore model; so what changed between
two releases, as far as the pages can show it, follows from the two models. This walks
each operation's input/output shapes the way boto3's documenter does (the same member
order, recursion cut where a shape name repeats among its ancestors, paginator tokens
hidden, waiter pages without a response) and compares the flattened trees.

The result is a set of facts `(rule, operation, path, value)`, using the rule ids and
contract paths of `codegen diff`; `value` is the enum value / exception name / new API
name / changed flag, or "".

Every rule of `codegen diff` is either decided by the models (`MODEL_RULES`) or listed in
`NOT_FROM_MODELS` with the way the tests check it instead; `diff_facts` keeps every
change, so a change the models cannot explain is never dropped on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from botocore import xform_name

_TYPES = {
    "string": "string",
    "character": "string",
    "integer": "integer",
    "long": "integer",
    "float": "float",
    "double": "float",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "blob": "blob",
    "structure": "structure",
    "list": "list",
    "map": "map",
}

Fact = tuple[str, str, str, str]


@dataclass(frozen=True)
class Node:
    type: str
    enum: tuple[str, ...] = ()
    required: bool = False  # as a member of its parent structure, for callers
    # The flags of `shape-flag-changed` that the model decides, as boto3 renders them.
    flags: frozenset[str] = frozenset()
    # The model's HTML that boto3 renders at this node (member and shape documentation);
    # compared only to explain `documentation-changed`.
    text: str = ""


def _flags(shape: dict[str, Any]) -> frozenset[str]:
    # `python_type` is not in the models (boto3's hand-written methods): a
    # `shape-flag-changed` of it is a fact no model explains, so the tests fail on it.
    flags = set()
    # boto3 writes the tagged-union note only under a documented union.
    if shape.get("union") and shape.get("documentation"):
        flags.add("union")
    if shape.get("eventstream"):
        flags.add("event_stream")
    return frozenset(flags)


def _flatten(
    shapes: dict[str, Any],
    name: str,
    path: str,
    out: dict[str, Node],
    stack: list[str],
    required: bool = False,
    exclude: frozenset[str] = frozenset(),
    json_header: bool = False,
    ref_text: str = "",
) -> None:
    shape = shapes[name]
    text = ref_text + "\0" + shape.get("documentation", "")
    if name in stack:
        out[path] = Node(f"recursive@{stack.index(name)}", required=required, text=text)
        return
    kind = shape["type"]
    if kind == "structure" and shape.get("document"):
        out[path] = Node("document", required=required, text=text)
        return
    if kind == "string" and json_header:  # boto3 JSON-encodes it: `JSON serializable`
        out[path] = Node("document", required=required, flags=frozenset({"json_value"}), text=text)
        return
    enum = tuple(dict.fromkeys(shape.get("enum", ())))
    flags = _flags(shape)
    if "union" in flags:  # the union note names the members
        text += "\0" + ",".join(shape.get("members", {}))
    out[path] = Node(_TYPES[kind], enum, required, flags, text)
    stack.append(name)
    if kind == "structure":
        required_names = set(shape.get("required", ()))
        for member, ref in shape.get("members", {}).items():
            if member in exclude:
                continue
            # Idempotency tokens are filled in by botocore: not required for callers.
            needed = member in required_names and not ref.get("idempotencyToken", False)
            header = ref.get("location") == "header" and bool(
                ref.get("jsonvalue") or shapes[ref["shape"]].get("jsonvalue")
            )
            _flatten(
                shapes,
                ref["shape"],
                f"{path}.{member}",
                out,
                stack,
                needed,
                json_header=header,
                ref_text=ref.get("documentation", ""),
            )
    elif kind == "list":
        ref = shape["member"]
        _flatten(
            shapes, ref["shape"], f"{path}[]", out, stack, ref_text=ref.get("documentation", "")
        )
    elif kind == "map":
        ref = shape["value"]
        _flatten(
            shapes, ref["shape"], f"{path}{{}}", out, stack, ref_text=ref.get("documentation", "")
        )
    stack.pop()


@dataclass(frozen=True)
class PageModel:
    """What one page of a release shows, from the model."""

    input: dict[str, Node]
    output: dict[str, Node] | None
    exceptions: tuple[str, ...]
    deprecated: bool
    api_name: str  # the last segment of the page's "AWS API Documentation" link
    text: str = ""  # the model's HTML of the page's own description


def _tokens(value: Any) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def pages(model: dict[str, Any], service_class: str) -> dict[str, PageModel]:
    """Operation address (`SageMaker.Client.create_model`) → what its page shows."""
    service = model["service-2"]
    shapes = service["shapes"]
    out: dict[str, PageModel] = {}

    def side(
        ref: dict[str, Any] | None, root: str, exclude: frozenset[str] = frozenset()
    ) -> dict[str, Node]:
        nodes: dict[str, Node] = {}
        if ref is None:
            nodes[root] = Node("structure")
            return nodes
        _flatten(shapes, ref["shape"], root, nodes, [], exclude=exclude)
        # A blob payload is the streaming body (botocore's get_streaming_input/output).
        payload = shapes[ref["shape"]].get("payload")
        at = f"{root}.{payload}"
        if payload and nodes.get(at, Node("")).type == "blob":
            nodes[at] = replace(nodes[at], flags=nodes[at].flags | {"streaming"})
        return nodes

    for name, op in service["operations"].items():
        out[f"{service_class}.Client.{xform_name(name)}"] = PageModel(
            input=side(op.get("input"), "input"),
            output=side(op["output"], "output") if op.get("output") else None,
            exceptions=tuple(e["shape"] for e in op.get("errors", ())),
            deprecated=bool(op.get("deprecated", False)),
            api_name=op.get("name", name),
            text=op.get("documentation", ""),
        )
    for name, config in model.get("paginators-1", {}).get("pagination", {}).items():
        op = service["operations"][name]
        hidden_in = frozenset(_tokens(config.get("input_token")) + _tokens(config.get("limit_key")))
        hidden_out = frozenset(_tokens(config.get("output_token")))
        out[f"{service_class}.Paginator.{name}"] = PageModel(
            input=side(op.get("input"), "input", hidden_in),
            output=side(op["output"], "output", hidden_out) if op.get("output") else None,
            exceptions=(),
            deprecated=False,
            api_name=op.get("name", name),
            text=op.get("documentation", ""),
        )
    for name, config in model.get("waiters-2", {}).get("waiters", {}).items():
        op = service["operations"][config["operation"]]
        out[f"{service_class}.Waiter.{name}"] = PageModel(
            input=side(op.get("input"), "input"),
            output=None,
            exceptions=(),
            deprecated=False,
            api_name=op.get("name", config["operation"]),
            text=op.get("documentation", "") + "\0" + config.get("description", ""),
        )
    return out


def _parent(path: str) -> str:
    if path.endswith("[]") or path.endswith("{}"):
        return path[:-2]
    return path.rsplit(".", 1)[0]


def _compare_nodes(op: str, old: dict[str, Node], new: dict[str, Node], request: bool) -> set[Fact]:
    facts: set[Fact] = set()
    side = "request" if request else "response"
    changed_type = {p for p in old.keys() & new.keys() if old[p].type != new[p].type}
    facts |= {("type-changed", op, p, "") for p in changed_type}

    def below_changed(path: str) -> bool:
        while path and ("." in path or path.endswith("]") or path.endswith("}")):
            path = _parent(path)
            if path in changed_type:
                return True
        return False

    for p in old.keys() - new.keys():
        parent = _parent(p)
        if parent in new and parent not in changed_type and not below_changed(p):
            facts.add((f"{side}-member-removed", op, p, ""))
    for p in new.keys() - old.keys():
        parent = _parent(p)
        if parent in old and parent not in changed_type and not below_changed(p):
            if not request:
                rule = "response-member-added"
            elif new[p].required:
                rule = "request-member-added-required"
            else:
                rule = "request-member-added"
            facts.add((rule, op, p, ""))
    for p in old.keys() & new.keys():
        if p in changed_type or below_changed(p):
            continue
        a, b = old[p], new[p]
        facts |= {("shape-flag-changed", op, p, flag) for flag in a.flags ^ b.flags}
        if request and a.required != b.required:
            rule = "request-member-now-required" if b.required else "request-member-now-optional"
            facts.add((rule, op, p, ""))
        if a.enum != b.enum:
            if not a.enum:
                facts.add((f"{side}-enum-introduced", op, p, ""))
            elif not b.enum:
                facts.add((f"{side}-enum-dropped", op, p, ""))
            else:
                facts |= {(f"{side}-enum-value-added", op, p, v) for v in b.enum if v not in a.enum}
                facts |= {
                    (f"{side}-enum-value-removed", op, p, v) for v in a.enum if v not in b.enum
                }
    return facts


def expected_facts(
    old_model: dict[str, Any], new_model: dict[str, Any], service_class: str
) -> set[Fact]:
    old, new = pages(old_model, service_class), pages(new_model, service_class)
    facts: set[Fact] = set()
    for op in old.keys() - new.keys():
        facts.add(("operation-removed", op, "", ""))
    for op in new.keys() - old.keys():
        facts.add(("operation-added", op, "", ""))
    for op in old.keys() & new.keys():
        a, b = old[op], new[op]
        if a.deprecated != b.deprecated:
            facts.add(
                ("operation-deprecated" if b.deprecated else "operation-undeprecated", op, "", "")
            )
        if a.api_name != b.api_name:
            facts.add(("api-name-changed", op, "", b.api_name))
        facts |= {("exception-added", op, "", e) for e in b.exceptions if e not in a.exceptions}
        facts |= {("exception-removed", op, "", e) for e in a.exceptions if e not in b.exceptions}
        facts |= _compare_nodes(op, a.input, b.input, request=True)
        if a.output is None and b.output is not None:
            facts.add(("output-added", op, "", ""))
        elif a.output is not None and b.output is None:
            facts.add(("output-removed", op, "", ""))
        elif a.output is not None and b.output is not None:
            facts |= _compare_nodes(op, a.output, b.output, request=False)
    return facts


def text_changes(
    old_model: dict[str, Any], new_model: dict[str, Any], service_class: str
) -> set[tuple[str, str]]:
    """(operation, path) where the models' text that boto3 renders differs, path "" for
    the operation's own; a `documentation-changed` is explained only at one of these."""
    old, new = pages(old_model, service_class), pages(new_model, service_class)
    out: set[tuple[str, str]] = set()
    for op in old.keys() & new.keys():
        a, b = old[op], new[op]
        if a.text != b.text:
            out.add((op, ""))
        for before, after in ((a.input, b.input), (a.output or {}, b.output or {})):
            out |= {
                (op, p) for p in before.keys() & after.keys() if before[p].text != after[p].text
            }
    return out


# Rules whose facts the models decide: `expected_facts` computes them.
MODEL_RULES = frozenset(
    {
        "operation-added",
        "operation-removed",
        "operation-deprecated",
        "operation-undeprecated",
        "api-name-changed",
        "output-added",
        "output-removed",
        "exception-added",
        "exception-removed",
        "request-member-added",
        "request-member-added-required",
        "request-member-removed",
        "request-member-now-required",
        "request-member-now-optional",
        "response-member-added",
        "response-member-removed",
        "request-enum-value-added",
        "request-enum-value-removed",
        "response-enum-value-added",
        "response-enum-value-removed",
        "request-enum-introduced",
        "request-enum-dropped",
        "response-enum-introduced",
        "response-enum-dropped",
        "type-changed",
        "shape-flag-changed",
    }
)

# Rules the models cannot decide, and how the tests check them instead. Every other
# rule of `codegen.diff.RULES` must be in MODEL_RULES (tests/test_diff_releases.py).
NOT_FROM_MODELS = {
    # The pages say where boto3 cut a section; the model does not.
    "section-not-compared": "only at a section a page marks truncated (tests/test_diff_releases.py)",
    # Text is rendered from the models' HTML by boto3; compared only with --include-docs.
    "documentation-changed": "only with include_docs, only where the models' text differs",
    # Generated class names are the resolver's, not the model's: the renames are checked
    # against naming.resolve of each side and the names registry.
    "class-renamed": "tests/test_names_registry.py (diff, --reresolve-names, CHANGES.md)",
}


def diff_facts(result: Any) -> set[Fact]:
    """The facts a `codegen.diff.DiffResult` reports, one per location and value; every
    change is kept, whatever its rule (the caller explains those not in MODEL_RULES)."""
    facts: set[Fact] = set()
    for change in result.changes:
        detail = change.detail_dict()
        if "-enum-value-" in change.rule:
            values = list(detail["values"])
        elif change.rule == "api-name-changed":
            values = [str(detail["new"])]
        elif change.rule == "shape-flag-changed":
            values = [str(detail["flag"])]
        else:
            values = [str(detail.get("exception", ""))]
        for loc in change.locations:
            facts |= {(change.rule, loc.operation, loc.path, v) for v in values}
    return facts


def expected_changes(facts: set[Fact]) -> list[set[Fact]]:
    """The facts grouped into the changes `codegen diff` lists: a change of the operation
    itself is one change per fact; below it, the locations with the same rule and the same
    values (or, for a member rule, the same member name) are one change, as the diff
    groups a change below a structure reached at several paths. Exact as long as no two
    different structures make the very same change (true of the seed page)."""
    values: dict[tuple[str, str, str], set[str]] = {}
    for rule, op, path, value in facts:
        values.setdefault((rule, op, path), set()).add(value)
    groups: dict[tuple[object, ...], set[Fact]] = {}
    for (rule, op, path), found in values.items():
        at = {(rule, op, path, v) for v in found}
        if not path:
            for fact in at:
                groups[fact] = {fact}
            continue
        member = path.rsplit(".", 1)[-1] if "-member-" in rule else ""
        groups.setdefault((rule, frozenset(found), member), set()).update(at)
    return list(groups.values())


def documented_levels(diff_json_md: str) -> dict[str, str]:
    """rule id → level, from the rule table of docs/diff-json.md (its text)."""
    return dict(re.findall(r"^\| `([a-z-]+)`[^|]*\| (ERR|WARN|INFO)\b", diff_json_md, re.M))
