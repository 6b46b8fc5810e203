"""`codegen parse --format json` writes the document piece by piece (tree.dump_pieces,
pipeline/report.json_text): the bytes are those of `tree.dumps` over the same
operations, the document of docs/shape-tree.md."""

from __future__ import annotations

import random
from pathlib import Path

from click.testing import CliRunner

from codegen import tree
from codegen.cli import main
from codegen.parse import parse_paths
from codegen.pipeline import report


def _streamed(ops: list[tree.Operation]) -> str:
    return "".join(tree.dump_pieces(tree.dump_operation(op) for op in sorted(ops, key=lambda o: o.sort_key)))


def test_pieces_are_the_document(reference: Path) -> None:
    ops = parse_paths([reference / "dynamodb", reference / "kinesis"]).operations
    assert len(ops) > 20
    for some in ([], ops[:1], ops):
        assert _streamed(some) == tree.dumps(some)
    # From the workers' compressed pieces, in whatever order they come.
    pieces = [report.json_piece(op) for op in ops]
    random.Random(17).shuffle(pieces)
    assert "".join(report.json_text(pieces)) == tree.dumps(ops)


def test_non_ascii_text_is_kept_as_dumps_keeps_it(reference: Path) -> None:
    ops = parse_paths([reference / "sagemaker"]).operations
    assert any(not tree.dumps([op]).isascii() for op in ops), "sagemaker's pages have non-ASCII text"
    assert _streamed(ops) == tree.dumps(ops)


def test_cli_output_is_dumps_of_the_sorted_operations(reference: Path, tmp_path: Path) -> None:
    folders = [reference / "kinesis", reference / "wafv2"]
    expected = tree.dumps(parse_paths(folders).sorted_operations())
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["parse", *map(str, folders), "--format", "json", "-j", jobs])
        assert result.exit_code == 0, result.stderr
        assert result.stdout == expected
    # Nothing to parse but an index page: the empty document, as dumps writes it.
    (tmp_path / "index.rst").write_text("Index\n=====\n\nNothing here.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", str(tmp_path), "--format", "json"])
    assert result.stdout == tree.dumps([]) and result.exit_code == 0
