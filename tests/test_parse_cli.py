"""`codegen parse` and `codegen render-rst` on real pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, get_args

import oracle
import pytest
from click.testing import CliRunner
from conftest import REPO, SEED
from releases import data, model_changes

from codegen import tree, treecheck
from codegen.cli import main
from codegen.parse import read_page
from codegen.pipeline.boto3_render import render_service

SHAPE_TREE = REPO / "docs" / "shape-tree.md"


def _parse_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["parse", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --- the contract: docs/shape-tree.md, codegen/treecheck.py, codegen/tree.py -----------


@dataclass(frozen=True)
class Contract:
    """What docs/shape-tree.md says, read from its blocks and tables."""

    document_keys: frozenset[str]
    operation_keys: dict[str, bool]  # key → required
    kinds: tuple[str, ...]
    type_keys: dict[str, dict[str, bool]]  # shape type → its own keys → required
    flags: frozenset[str]  # boolean keys any shape may carry
    texts: frozenset[str]  # string keys any shape may carry
    member_keys: dict[str, bool]  # key → required
    example: dict[str, Any]

    @property
    def shape_keys(self) -> frozenset[str]:
        return frozenset({"type"}) | self.flags | self.texts


def _contract() -> Contract:
    text = SHAPE_TREE.read_text(encoding="utf-8")  # missing: the test fails
    sections = dict(re.findall(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", text, re.M | re.S))

    def block(section: str) -> str:
        found = re.search(r"```json\n(.*?)```", sections[section], re.S)
        assert found, f"no JSON block under ## {section}"
        return found.group(1)

    document = block("Document")
    assert "Both keys are required" in sections["Document"]
    operation = dict(re.findall(r'^\s*"(\w+)":.*?//(.*)$', block("Operation"), re.M))
    (kinds,) = [c for k, c in operation.items() if k == "kind"]
    type_keys: dict[str, dict[str, bool]] = {}
    cell = r"((?:[^|\\]|\\.)*)"  # a table cell: `\|` is a pipe inside it
    for kind, extra in re.findall(rf'^\| `"(\w+)"` \|{cell}\|', sections["Shape"], re.M):
        keys: dict[str, bool] = {}
        for clause in extra.split(";"):
            for key in re.findall(r'"(\w+)": ', clause):
                keys[key] = "required)" in clause
        type_keys[kind] = keys
    flags = re.search(
        r"Flags \(([^)]*)\) are\s+JSON\s+booleans[^;]*;\s*([^.]*?)\s+are\s+strings", text
    )
    assert flags, "the sentence on flags and texts"
    member = sections["Member"]
    required_members = re.search(r"```\n\n([^\n]*?) are required", member)
    assert required_members, "which member keys are required"
    members = re.findall(r'"(\w+)": ', block("Member"))
    return Contract(
        document_keys=frozenset(re.findall(r'"(\w+)": ', document)),
        operation_keys={k: c.strip().startswith("required") for k, c in operation.items()},
        kinds=tuple(re.findall(r'"(\w+)"', kinds)),
        type_keys=type_keys,
        flags=frozenset(re.findall(r"`(\w+)`", flags.group(1))),
        texts=frozenset(re.findall(r"`(\w+)`", flags.group(2))),
        member_keys={k: k in re.findall(r"`(\w+)`", required_members.group(1)) for k in members},
        example=json.loads(block("Example")),
    )


def _rejected(document: dict[str, Any]) -> bool:
    try:
        treecheck.check_document(document)
    except treecheck.NotATree:
        return True
    return False


def _document(op_json: dict[str, Any]) -> dict[str, Any]:
    return {"ir_version": tree.IR_VERSION, "operations": [op_json]}


# One shape of each type, with every key the type has, as tree.py writes it.
_SAMPLES: dict[str, tree.Shape] = {
    "string": tree.Shape(type="string", enum=("A", "B")),
    "integer": tree.Shape(type="integer"),
    "float": tree.Shape(type="float"),
    "boolean": tree.Shape(type="boolean"),
    "timestamp": tree.Shape(type="timestamp"),
    "blob": tree.Shape(type="blob", streaming=True),
    "document": tree.Shape(type="document", json_value=True),
    "structure": tree.Shape(
        type="structure",
        members=(("A", tree.Member(tree.Shape(type="string"))),),
        union=True,
        event_stream=True,
    ),
    "list": tree.Shape(type="list", member=tree.Shape(type="string")),
    "map": tree.Shape(type="map", key=tree.Shape(type="string"), value=tree.Shape(type="string")),
    "recursive": tree.Shape(type="recursive", target="input"),
}


def test_docs_shape_tree_is_what_treecheck_accepts_and_tree_writes() -> None:
    contract = _contract()
    # Names: shape types and kinds.
    assert set(contract.type_keys) == treecheck.SHAPE_TYPES == set(get_args(tree.ShapeType))
    assert contract.kinds == treecheck.KINDS == get_args(tree.OperationKind)
    assert set(_SAMPLES) == set(contract.type_keys)

    seed = read_page(SEED, "sagemaker/client/create_model_package.rst")
    op_json = tree.operation_to_json(seed)
    # Operations: tree.py writes every key the page lists; treecheck needs the required ones.
    assert set(op_json) == set(contract.operation_keys)
    assert not _rejected(_document(op_json))
    for key, required in contract.operation_keys.items():
        assert _rejected(_document({k: v for k, v in op_json.items() if k != key})) == required, key
    for kind in contract.kinds:
        assert not _rejected(_document({**op_json, "kind": kind}))
    assert _rejected(_document({**op_json, "kind": "resource"}))
    document = tree.document_to_json([seed])
    assert set(document) == contract.document_keys
    for key in contract.document_keys:
        assert _rejected({k: v for k, v in document.items() if k != key}), key

    # Members: the same.
    member = tree.member_to_json(
        tree.Member(tree.Shape(type="string"), True, "The doc.", autopopulated=True)
    )
    assert set(member) == set(contract.member_keys)
    for key, required in contract.member_keys.items():
        partial = {k: v for k, v in member.items() if k != key}
        shape = {"type": "structure", "members": {"A": partial}}
        assert _rejected(_document({**op_json, "input": shape})) == required, key

    # Shapes: each type's own keys, then the flags and texts any shape may carry.
    def accepted(shape: dict[str, Any]) -> bool:
        return not _rejected(
            _document(
                {
                    **op_json,
                    "input": {
                        "type": "structure",
                        "members": {
                            "Node": {
                                "shape": {
                                    "type": "structure",
                                    "members": {"Leaf": {"shape": shape, "required": False}},
                                },
                                "required": False,
                            }
                        },
                    },
                }
            )
        )

    for kind, keys in contract.type_keys.items():
        written = tree.shape_to_json(_SAMPLES[kind])
        assert set(keys) <= set(written) <= contract.shape_keys | set(keys), kind
        assert accepted(written), kind
        for key, required in keys.items():
            assert accepted({k: v for k, v in written.items() if k != key}) != required, (kind, key)
        assert not accepted({**written, "type": kind + "s"})
    shape_fields = {f.name for f in fields(tree.Shape)}
    for key in contract.flags | contract.texts:
        assert key in shape_fields, key  # the doc's key is a field of the tree
        value: bool | str = key in contract.flags or "text"
        sample = replace(_SAMPLES["structure"], **{key: value})
        assert tree.shape_to_json(sample)[key] == value, key
        assert tree.shape_from_json(tree.shape_to_json(sample)) == sample, key
        assert accepted(tree.shape_to_json(sample)), key
        assert not accepted({**tree.shape_to_json(sample), key: 1}), key  # neither bool nor text


def _subset(fragment: Any, actual: Any, where: str = "") -> None:
    """`fragment` (the doc's example) is part of `actual`; a text ending in "..." stands
    for any text that starts the same."""
    if isinstance(fragment, dict):
        assert isinstance(actual, dict), where
        for key, value in fragment.items():
            assert key in actual, f"{where}.{key}"
            _subset(value, actual[key], f"{where}.{key}")
    elif isinstance(fragment, str) and fragment.endswith("..."):
        assert isinstance(actual, str) and actual.startswith(fragment[:-3].rstrip(" .")), where
    else:
        assert fragment == actual, where


def test_seed_is_the_docs_example() -> None:
    doc = _parse_json("input/")
    (op,) = doc["operations"]
    assert op["source"] == "sagemaker/client/create_model_package.rst"
    _subset(_contract().example, op)


@pytest.fixture(scope="module")
def several_services(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Services that between them have every type, flag and kind of the contract
    (lex-runtime: JSON-value headers; s3: streaming, hand-written methods; wafv2 and
    bedrock-runtime: truncated sections, unions, event streams; dynamodb: recursion)."""
    extra = tmp_path_factory.mktemp("lex")
    render_service("lex-runtime", extra)
    return [
        SEED,
        *(reference / s for s in ("s3", "dynamodb", "wafv2", "bedrock-runtime")),
        extra / "lex-runtime",
    ]


def test_parse_output_is_a_tree_of_docs_shape_tree(several_services: list[Path]) -> None:
    contract = _contract()
    doc = _parse_json(*map(str, several_services), "--format", "json")
    treecheck.check_document(doc)
    assert set(doc) == contract.document_keys
    seen: set[str] = set()
    shapes: list[dict[str, Any]] = []
    for op in doc["operations"]:
        assert set(op) == set(contract.operation_keys), op["name"]  # parse writes every key
        seen.add(op["kind"])
        shapes += [op["input"]] + ([op["output"]] if op["output"] else [])
    while shapes:
        shape = shapes.pop()
        own = contract.type_keys[shape["type"]]
        assert set(shape) <= contract.shape_keys | set(own), shape["type"]
        assert {k for k, required in own.items() if required} <= set(shape), shape["type"]
        seen |= {shape["type"]} | (set(shape) & (contract.flags | contract.texts))
        seen |= {k for k in own if k in shape}
        for member in shape.get("members", {}).values():
            assert set(member) <= set(contract.member_keys)
            assert {k for k, required in contract.member_keys.items() if required} <= set(member)
            seen |= {f"member.{k}" for k in member}
            shapes.append(member["shape"])
        shapes += [shape[k] for k in ("member", "key", "value") if k in shape]
    # Everything the page documents occurs in real output (none listed for nothing).
    documented = (
        set(contract.kinds)
        | set(contract.type_keys)
        | {k for keys in contract.type_keys.values() for k in keys}
        | contract.flags
        | contract.texts
        | {f"member.{k}" for k in contract.member_keys}
    )
    assert sorted(documented - seen) == []


def test_seed_is_what_the_1_42_50_model_says() -> None:
    """The seed's types, enums and required flags, node by node, and its item's text,
    against the botocore model of its release (tests/releases)."""
    model = data.model(data.OLD)
    want = model_changes.pages(model, "SageMaker")["SageMaker.Client.create_model_package"]
    op = read_page(SEED)
    assert op.output is not None and want.output is not None
    for side, shape, nodes in (("input", op.input, want.input), ("output", op.output, want.output)):
        got: dict[str, tuple[str, tuple[str, ...], bool]] = {}
        required = {
            f"{path}.{name}": m.required and not m.autopopulated
            for path, parent in shape.walk(side)
            for name, m in parent.members
        }
        for path, node in shape.walk(side):
            got[path] = (node.type, node.enum, required.get(path, False))
        expected = {
            path: (node.type, node.enum, node.required and side == "input")
            for path, node in nodes.items()
        }
        assert got == expected, side
        assert list(got) == list(expected), side  # page order is the model's
    # The list item's own text: the container structure's documentation in the model.
    shapes = model["service-2"]["shapes"]
    spec = shapes[shapes["CreateModelPackageInput"]["members"]["InferenceSpecification"]["shape"]]
    item = shapes[shapes[spec["members"]["Containers"]["shape"]]["member"]["shape"]]
    containers = op.input.member_map["InferenceSpecification"].shape.member_map["Containers"]
    assert containers.shape.member is not None
    assert containers.shape.member.documentation == re.sub(r"<[^>]+>", "", item["documentation"])


def test_seed_text_has_no_rst_markup() -> None:
    op = read_page(SEED)
    texts = [op.documentation] + [
        m.documentation for _, shape in op.walk() for _, m in shape.members
    ]
    for text in texts:
        assert "**" not in text and ":class:" not in text and ".. note::" not in text
        assert "[REQUIRED]" not in text and "``" not in text
    assert "[Using Your Own Algorithms with Amazon SageMaker](https://" in json.dumps(
        tree.operation_to_json(op)
    )


def test_json_is_deterministic_and_round_trips(reference: Path) -> None:
    first = CliRunner().invoke(main, ["parse", str(reference / "wafv2")]).stdout
    second = CliRunner().invoke(main, ["parse", str(reference / "wafv2")]).stdout
    assert first == second
    ops = tree.loads(first)
    assert tree.dumps(ops) == first


def test_operations_are_sorted_and_recursion_targets_exist(reference: Path) -> None:
    doc = _parse_json(str(reference / "dynamodb"), str(reference / "wafv2"))
    keys = [(o["service"], o["kind"], o["name"]) for o in doc["operations"]]
    assert keys == sorted(keys)
    targets = 0
    for op in tree.loads(json.dumps(doc)):
        paths = dict(op.walk())
        for path, shape in op.walk():
            if shape.type == "recursive":
                targets += 1
                assert shape.target in paths and path.startswith(shape.target)
    assert targets > 0


def test_summary_counts_come_from_the_tree() -> None:
    result = CliRunner().invoke(main, ["parse", str(SEED), "--format", "summary"])
    assert result.exit_code == 0
    op = read_page(SEED)
    row = next(line for line in result.stdout.splitlines() if "create_model_package" in line)
    cells = re.split(r"\s{2,}", row.strip())
    assert cells[2] == str(len(op.input.members))
    assert cells[3] == str(sum(1 for _, m in op.input.members if m.required))
    assert cells[4] == str(sum(1 for _, s in op.walk() if s.enum))


def test_render_rst_renders_pages_that_parse_and_conform(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render-rst", "kinesis", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pages = sorted((tmp_path / "kinesis").rglob("*.rst"))
    assert {p.parent.name for p in pages} == {"client", "paginator", "waiter"}
    doc = _parse_json(str(tmp_path))
    for op in doc["operations"]:
        expected = oracle.expected_operation("kinesis", op["kind"], op["name"])
        if expected is not None:
            assert oracle.compare_operation(expected, op) == [], op["name"]


def test_render_rst_rejects_unknown_service(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render-rst", "no-such-service", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown service" in result.output


def test_parallel_parse_is_byte_identical(reference: Path) -> None:
    one = CliRunner().invoke(main, ["parse", str(reference / "kinesis"), "-j", "1"])
    two = CliRunner().invoke(main, ["parse", str(reference / "kinesis"), "-j", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
