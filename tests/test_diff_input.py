"""`codegen diff` on saved shape trees that are not what docs/shape-tree.md says: exit 2
and one line `error: FILE: not a codegen shape tree: <why>`, never a traceback. Valid
`codegen parse` output (the seed, dynamodb put_item/get_item) is accepted.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from codegen import diff, tree, treecheck
from codegen.cli import main
from codegen.parse import parse_paths
from conftest import SEED

PREFIX = "not a codegen shape tree: "


@pytest.fixture(scope="module")
def valid(reference: Path) -> dict[str, Any]:
    """`codegen parse` of real pages, as JSON."""
    pages = [reference / "dynamodb" / "client" / f"{n}.rst" for n in ("put_item", "get_item")]
    result = CliRunner().invoke(main, ["parse", str(SEED), *map(str, pages)])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    assert len(data["operations"]) == 3
    return data


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _op(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The operation called `name` (put_item, get_item, create_model_package)."""
    return lambda d: next(o for o in d["operations"] if o["name"] == name)


put, get, seed = _op("put_item"), _op("get_item"), _op("create_model_package")


def _chain(shape_type: str, depth: int) -> dict[str, Any]:
    shape: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        shape = {"type": "list", "member": shape}
    return shape


def _set(getter: Callable[[dict[str, Any]], Any], key: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(d: dict[str, Any]) -> None:
        getter(d)[key] = value

    return apply


def _delete(getter: Callable[[dict[str, Any]], Any], key: Any) -> Callable[[dict[str, Any]], None]:
    def apply(d: dict[str, Any]) -> None:
        del getter(d)[key]

    return apply


def _members(op: Callable[[dict[str, Any]], dict[str, Any]], *names: str) -> Callable[[dict[str, Any]], Any]:
    """The member object at `names` below an operation's input."""

    def get_member(d: dict[str, Any]) -> Any:
        shape = op(d)["input"]
        member: Any = None
        for name in names:
            while shape["type"] in ("list", "map"):
                shape = shape["member"] if shape["type"] == "list" else shape["value"]
            member = shape["members"][name]
            shape = member["shape"]
        return member

    return get_member


def _shape(op: Callable[[dict[str, Any]], dict[str, Any]], *names: str) -> Callable[[dict[str, Any]], Any]:
    member = _members(op, *names)
    return lambda d: member(d)["shape"]


def _find(kind: str) -> Callable[[dict[str, Any]], Any]:
    """The first shape of `kind` in put_item's input (a `recursive` marker, say)."""

    def get_shape(d: dict[str, Any]) -> Any:
        stack = [put(d)["input"]]
        while stack:
            shape = stack.pop()
            if shape["type"] == kind:
                return shape
            stack.extend(m["shape"] for m in shape.get("members", {}).values())
            stack.extend(shape[k] for k in ("member", "value") if k in shape)
        raise AssertionError(kind)

    return get_shape


def _duplicate(d: dict[str, Any]) -> None:
    d["operations"].append(copy.deepcopy(put(d)))


def _deep_text(data: dict[str, Any], depth: int) -> str:
    """The document with put_item's TableName `depth` lists deep, as JSON text (too deep
    for json.dumps itself)."""
    _members(put, "TableName")(data)["shape"] = "@DEEP@"
    deep = '{"type": "list", "member": ' * depth + '{"type": "string"}' + "}" * depth
    return json.dumps(data).replace('"@DEEP@"', deep)


# (id, change to the valid document, or the document/JSON text that replaces it, and a
# fragment of the reason)
BROKEN: list[tuple[str, Any, str]] = [
    ("name null", _set(put, "name", None), "operations[1].name: expected a string, got null"),
    ("kind 123", _set(put, "kind", 123), "operations[1].kind: expected one of client, paginator, waiter, got 123"),
    ("kind unknown", _set(put, "kind", "resource"), "got 'resource'"),
    ("service empty", _set(seed, "service", ""), "operations[2].service: expected a non-empty string"),
    ("input missing", _delete(get, "input"), "operations[0]: no 'input'"),
    ("input a list shape", _set(get, "input", {"type": "list", "member": {"type": "string"}}), "input: expected a structure"),
    ("output a number", _set(get, "output", 7), "operations[0] output: expected a shape object, got a number"),
    ("deprecated a string", _set(put, "deprecated", "no"), "deprecated: expected true or false"),
    ("api_name a number", _set(put, "api_name", 5), "api_name: expected a string"),
    ("api_url a number", _set(put, "api_url", 5), "api_url: expected a string"),
    ("api_url javascript", _set(put, "api_url", "javascript:alert(1)"), "api_url: not an https link to AWS documentation"),
    ("api_url elsewhere", _set(put, "api_url", "https://docs.aws.amazon.com.evil.example/x"), "api_url: not an https"),
    ("api_url plain http", _set(put, "api_url", "http://docs.aws.amazon.com/goto/WebAPI/a/B"), "api_url: not an https"),
    ("api_url with a quote", _set(put, "api_url", 'https://docs.aws.amazon.com/a"""b'), "api_url: not an https"),
    ("api_url with a newline", _set(put, "api_url", "https://docs.aws.amazon.com/a\n# b"), "api_url: not an https"),
    ("api_url with a bracket", _set(put, "api_url", "https://docs.aws.amazon.com/a)](javascript:x"), "api_url: not an https"),
    ("exceptions with null", _set(put, "exceptions", [None]), "exceptions[0]: expected a string"),
    ("exceptions an object", _set(put, "exceptions", {}), "exceptions: expected a list"),
    ("unknown shape type", _set(_shape(put, "TableName"), "type", "strnig"), "input.TableName: unknown shape type 'strnig'"),
    ("shape type missing", _delete(_shape(put, "TableName"), "type"), "unknown shape type None"),
    ("shape null", _set(_members(put, "TableName"), "shape", None), "input.TableName: expected a shape object, got null"),
    ("required missing", _delete(_members(put, "Item"), "required"), "input.Item: a member needs 'shape' and 'required'"),
    ("required a string", _set(_members(put, "Item"), "required", "yes"), "required: expected true or false"),
    ("members a list", _set(_shape(seed, "InferenceSpecification"), "members", []), "members: expected an object"),
    ("structure without members", _delete(_shape(seed, "InferenceSpecification"), "members"), "a structure needs 'members'"),
    ("list without member", _delete(_shape(seed, "InferenceSpecification", "Containers"), "member"), "a list needs 'member'"),
    ("map without value", _delete(_shape(put, "Item"), "value"), "input.Item: a map needs 'key' and 'value'"),
    ("enum on an integer", _set(_shape(put, "ReturnValues"), "type", "integer"), "input.ReturnValues: enum on a shape of type integer"),
    ("enum with a number", _set(_shape(put, "ReturnValues"), "enum", ["NONE", 3]), "enum value: expected a string"),
    ("enum duplicated", _set(_shape(put, "ReturnValues"), "enum", ["NONE", "NONE"]), "duplicate enum values"),
    ("truncated a string", _set(_shape(put, "Item"), "truncated", "yes"), "truncated: expected true or false"),
    ("documentation a number", _set(_members(put, "Item"), "documentation", 1), "documentation: expected a string"),
    ("recursive target elsewhere", _set(_find("recursive"), "target", "output.Item{}"), "is not an enclosing shape"),
    ("recursive target missing", _delete(_find("recursive"), "target"), "target: expected a string, got null"),
    ("duplicated operation", _duplicate, "duplicate operation DynamoDB.client.put_item (also operations[1])"),
    ("ir_version 2", _set(lambda d: d, "ir_version", 2), "ir_version 1 expected, got 2"),
    ("ir_version true", _set(lambda d: d, "ir_version", True), "ir_version 1 expected, got True"),
    ("ir_version a string", _set(lambda d: d, "ir_version", "1"), "ir_version 1 expected, got '1'"),
    ("operations an object", _set(lambda d: d, "operations", {}), "operations: expected a list, got an object"),
    ("operation a string", _set(lambda d: d, "operations", ["put_item"]), "operations[0]: expected an object, got a string"),
    ("document a list", "[1, 2]", "document: expected an object, got a list"),
    ("invalid JSON", '{"ir_version": 1, "operations": [', "Expecting value"),
    ("member name with a newline", _set(_shape(put, "Item"), "value", {"type": "structure", "members": {"a\nb": 3}}), "input.Item{}.a\\nb: expected a member object"),
    ("lone surrogate", '{"ir_version": 1, "operations": [{"service": "S\\ud800", "kind": "client", "name": "n", "input": {"type": "structure", "members": {}}}]}', "service: not valid Unicode text"),
    # (below the operation too: where ASCII text is taken at a glance, the rest is encoded)
    ("member doc a lone surrogate", _set(_members(put, "Item"), "documentation", "caf\u00e9 \ud800"), "input.Item: documentation: not valid Unicode text"),
    ("shape doc a lone surrogate", _set(_shape(put, "Item"), "documentation", "\udc80"), "input.Item: documentation: not valid Unicode text"),
    ("enum value a lone surrogate", _set(_shape(put, "ReturnValues"), "enum", ["NONE", "\u00e9\ud800"]), "input.ReturnValues: enum value: not valid Unicode text"),
    ("member name a lone surrogate", _set(_shape(put, "Item"), "value", {"type": "structure", "members": {"a\ud800": {}}}), "input.Item{}: member name: not valid Unicode text"),
    ("5,000 levels", lambda d: _deep_text(d, 5000), "JSON nested too deep"),
    ("150 levels", _set(_members(put, "TableName"), "shape", _chain("list", 150)), f"shapes nested more than {treecheck.MAX_DEPTH} deep"),
]


@pytest.mark.parametrize(("change", "reason"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_tree_is_exit_2_with_one_line(
    tmp_path: Path, valid: dict[str, Any], change: Any, reason: str
) -> None:
    if isinstance(change, str):
        text = change
    else:
        data = copy.deepcopy(valid)
        text = change(data)  # None: changed in place; text: the whole file
        if text is None:
            text = json.dumps(data)
    bad = tmp_path / "tree.json"
    bad.write_text(text)
    for args in ((bad, SEED), (SEED, bad)):
        code, out, err = run(*args)
        assert code == 2 and out == ""
        assert err.startswith(f"error: {bad}: {PREFIX}") and err.count("\n") == 1, err
        assert reason in err, err


def test_text_that_is_not_ascii_is_accepted(tmp_path: Path, valid: dict[str, Any]) -> None:
    # Member names, docs and enum values outside ASCII are text like any other.
    data = copy.deepcopy(valid)
    _set(_members(put, "Item"), "documentation", "Caf\u00e9 \u2713 \U0001f600")(data)
    _set(_shape(put, "ReturnValues"), "enum", ["NONE", "\u00c9T\u00c9"])(data)
    _set(_shape(put, "Item"), "value", {"type": "structure", "members": {
        "Na\u00efve": {"shape": {"type": "string", "documentation": "\u65e5\u672c"}, "required": False}}})(data)
    saved = tmp_path / "tree.json"
    saved.write_text(json.dumps(data))
    treecheck.check_document(json.loads(saved.read_text()))
    code, out, err = run(saved, saved)
    assert (code, err) == (0, "") and out.endswith("No changes.\n")


def test_valid_parse_output_is_accepted(tmp_path: Path, valid: dict[str, Any]) -> None:
    saved = tmp_path / "tree.json"
    saved.write_text(json.dumps(valid))
    assert treecheck.IR_VERSION == tree.IR_VERSION
    code, out, err = run(saved, saved)
    assert (code, err) == (0, "") and out.endswith("(3 operations)\n\nNo changes.\n")
    # against the page it came from: the same operations
    seed_only = tmp_path / "seed.json"
    seed_only.write_text(json.dumps({**valid, "operations": [seed(valid)]}))
    code, out, err = run(seed_only, SEED)
    assert (code, err) == (0, "") and out.endswith("(1 operations)\n\nNo changes.\n")
    # extra keys are allowed (the contract says readers ignore them)
    extra = copy.deepcopy(valid)
    extra["generator"] = "x"
    put(extra)["input"]["x-note"] = {"anything": [1]}
    saved.write_text(json.dumps(extra))
    assert run(saved, SEED)[0] == 0


def test_deepest_accepted_tree_compares(tmp_path: Path, valid: dict[str, Any]) -> None:
    """A tree just inside the depth cap goes through the reader and the comparison."""
    old, new = copy.deepcopy(valid), copy.deepcopy(valid)
    # input, then 98 lists and a string: 100 shapes nested, the most that is accepted
    _members(put, "TableName")(old)["shape"] = _chain("list", treecheck.MAX_DEPTH - 2)
    deep = _chain("list", treecheck.MAX_DEPTH - 5)
    _members(put, "TableName")(new)["shape"] = {"type": "list", "member": {"type": "list", "member": {"type": "map", "key": {"type": "string"}, "value": deep}}}
    paths = []
    for name, data in (("old", old), ("new", new)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(data))
    code, out, err = run(*paths, "--format", "json")
    assert code == 0 and err == "", err
    [change] = json.loads(out)["changes"]
    assert change["rule"] == "type-changed"
    assert change["locations"][0]["path"] == "input.TableName[][]"
    deeper = copy.deepcopy(old)
    _members(put, "TableName")(deeper)["shape"] = _chain("list", treecheck.MAX_DEPTH - 1)
    code, out, err = run(_saved(tmp_path / "deeper.json", deeper), paths[1])
    assert code == 2 and "shapes nested more than 100 deep" in err


# --- a bounded mutation fuzz --------------------------------------------------------

FUZZ_SEED = 12
FUZZ_CASES = 400
_JUNK: list[Any] = [None, 0, -1, 2.5, True, False, "", "x", "structure", "recursive", [], {}, [None], {"type": "map"}, {"type": "list"}, {"type": "recursive", "target": "input"}]


def _spots(value: Any) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            for key in list(node) if isinstance(node, dict) else range(len(node)):
                out.append((node, key))
                stack.append(node[key])
    return out


def test_mutated_trees_are_read_or_refused(tmp_path: Path, valid: dict[str, Any]) -> None:
    """Random damage to a valid tree: `load_operations` gives operations that compare,
    or an InputError (one line, the contract's prefix), never another exception."""
    rng = random.Random(FUZZ_SEED)
    base = diff.load_operations(_saved(tmp_path / "base.json", valid), parse_paths)
    outcomes = {"read": 0, "refused": 0}
    for case in range(FUZZ_CASES):
        data = copy.deepcopy(valid)
        for _ in range(rng.randint(1, 3)):
            parent, key = rng.choice(_spots(data))
            action = rng.randrange(8)
            value = parent[key]
            if action >= 6 and isinstance(value, (str, bool)):  # same JSON type, other value
                parent[key] = (not value) if isinstance(value, bool) else rng.choice(["", "x", value + "x"])
            elif action >= 6 and isinstance(value, dict) and "members" in value and value["members"]:
                del value["members"][rng.choice(list(value["members"]))]
            elif action == 0 and isinstance(parent, dict):
                del parent[key]
            elif action == 1:
                parent[key] = copy.deepcopy(rng.choice(_spots(data))[0])  # a copy from elsewhere
            elif action == 2 and isinstance(parent, list):
                parent.append(copy.deepcopy(parent[key]))
            else:
                parent[key] = copy.deepcopy(rng.choice(_JUNK))
        path = _saved(tmp_path / f"case{case % 10}.json", data)
        try:
            ops = diff.load_operations(path, parse_paths)
        except diff.InputError as exc:
            assert str(exc).startswith(f"{path}: {PREFIX}") and "\n" not in str(exc), exc
            outcomes["refused"] += 1
            continue
        outcomes["read"] += 1
        for result in (diff.compare(base, ops, include_docs=True), diff.compare(ops, base)):
            for fmt in diff.FORMATS:
                diff.renderer(fmt).render(result)
    print(f"diff fuzz: {FUZZ_CASES} cases, {outcomes}")
    assert sum(outcomes.values()) == FUZZ_CASES
    assert min(outcomes.values()) > FUZZ_CASES // 20, outcomes


def _saved(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_the_reader_keeps_what_the_check_accepts(tmp_path: Path, valid: dict[str, Any]) -> None:
    treecheck.check_document(valid)
    ops = diff.load_operations(_saved(tmp_path / "t.json", valid), parse_paths)
    assert tree.document_to_json(ops) == valid


# A name that would end its line: a forged heading, a forged change, a terminal control
# sequence (clear the screen), a carriage return, and a bidi override (shown reversed).
HOSTILE = "Evil\n# 9.9.9\n- `SageMaker.Client.create_model_package`: operation removed\x1b[2J\r\u2028\u202e"


def _hostile(valid: dict[str, Any]) -> dict[str, Any]:
    """The seed's operation as a saved tree (the old side: one taken from a pull request)
    could hold it: in a member name, an enum value, an exception and the API name."""
    data = copy.deepcopy(valid)
    op = seed(data)
    data["operations"] = [op]
    op["input"]["members"][HOSTILE] = {"shape": {"type": "string"}, "required": False}
    op["exceptions"] = [*op.get("exceptions", []), HOSTILE]
    op["api_name"] = HOSTILE
    enum = next(s for s in _spots(op) if s[1] == "enum")[0]["enum"]
    enum.append(HOSTILE)
    treecheck.check_document(data)  # the contract allows any text there
    return data


def test_hostile_names_stay_on_their_line(tmp_path: Path, valid: dict[str, Any]) -> None:
    """Names and values from a tree are text in every format: the Markdown of `codegen
    diff` and CHANGES.md keeps one line per change (no heading or change of the page's
    making) and the terminal gets no control character."""
    old = _saved(tmp_path / "old.json", _hostile(valid))
    code, out, _ = run(old, SEED, "--format", "json")
    assert code == 0
    changes = json.loads(out)["changes"]
    kinds = {c["rule"] for c in changes}
    assert {"request-member-removed", "exception-removed", "api-name-changed"} <= kinds, kinds
    assert any(HOSTILE in c["detail"].get("values", ()) for c in changes)  # JSON keeps the text

    old_ops, new_ops = diff.load_tree(old.read_text()), diff.load_operations(SEED, parse_paths)
    code, markdown, _ = run(old, SEED, "--format", "markdown")
    section = diff.changelog_markdown(old_ops, new_ops, "sagemaker")
    for text in (markdown, section):
        lines = text.split("\n")  # (a `\r` ends a Markdown line too: not printable)
        assert all(line.isprintable() for line in lines), text
        headings = [line for line in lines if line.startswith("#")]  # the title, one per level
        assert len(headings) == (text is section) + len({c["level"] for c in changes}), text
        assert not any("9.9.9" in line for line in headings)
        bullets = [line for line in lines if line.startswith("-")]
        assert len(bullets) == len(changes), text
        assert any("`Evil\\n# 9.9.9" in line for line in bullets), text  # shown, escaped

    code, text, _ = run(old, SEED)
    assert code == 0
    # (off a terminal click strips escape sequences: on one, the renderer's text is shown)
    rendered = diff.TextRenderer().render(diff.compare(old_ops, new_ops))
    for out in (text, rendered):
        lines = out.split("\n")
        assert all(line.isprintable() for line in lines), out
        assert not any(line.startswith(("#", "-")) for line in lines), out  # (ours are indented)
    assert "request member `Evil\\n# 9.9.9\\n- `SageMaker" in text
