"""`codegen parse` and `codegen render-rst` on real pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import oracle
from click.testing import CliRunner
from conftest import REPO, SEED

from codegen import tree
from codegen.cli import main
from codegen.rst.reader import read_page

CONTRACT = (REPO.parent / "shared" / "ir-contract.md")


def _parse_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["parse", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_seed_matches_the_contract_example() -> None:
    doc = _parse_json("input/")
    assert doc["ir_version"] == 1
    (op,) = doc["operations"]
    assert op["source"] == "sagemaker/client/create_model_package.rst"
    # The fragment that shared/ir-contract.md gives for this very page.
    example = CONTRACT.read_text() if CONTRACT.exists() else ""
    fragment = example[example.index("## Example") :] if example else ""
    for key in ("service", "kind", "name", "api_name", "exceptions"):
        if fragment:
            assert json.dumps(op[key]) in fragment or f'"{key}": {json.dumps(op[key])}' in fragment
    members = op["input"]["members"]
    assert members["ModelPackageRegistrationType"]["shape"]["enum"] == ["Logged", "Registered"]
    containers = members["InferenceSpecification"]["shape"]["members"]["Containers"]
    assert containers["required"] is True
    item = containers["shape"]["member"]
    assert item["documentation"] == "Describes the Docker container for the model package."
    env = item["members"]["Environment"]["shape"]
    assert env == {"type": "map", "key": {"type": "string"}, "value": {"type": "string"}}
    assert list(op["output"]["members"]) == ["ModelPackageArn"]


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
