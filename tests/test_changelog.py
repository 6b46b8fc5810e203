"""`codegen generate` keeps CHANGES.md: the diff of the shape trees, newest first."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import SEED

from codegen import diff
from codegen.cli import main
from codegen.rst.reader import read_page


def _generate(pages: Path, out: Path) -> None:
    result = CliRunner().invoke(main, ["generate", str(pages), "--out", str(out)])
    assert result.exit_code == 0, result.output


def test_changes_md_records_each_revision_newest_first(reference: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages" / "sagemaker" / "client"
    pages.mkdir(parents=True)
    page = pages / "create_model_package.rst"
    shutil.copyfile(SEED, page)
    out = tmp_path / "out"
    _generate(tmp_path / "pages", out)
    first = (out / "CHANGES.md").read_text()
    assert "operation added" in first

    # the same page, one release later
    newer = reference / "sagemaker" / "client" / "create_model_package.rst"
    shutil.copyfile(newer, page)
    _generate(tmp_path / "pages", out)
    text = (out / "CHANGES.md").read_text()
    old_op, new_op = read_page(SEED, "x"), read_page(newer, "x")
    section = diff.changelog_markdown([old_op], [new_op], "t")
    body = section.split("\n", 2)[2]  # the changes, without the title line
    assert body.strip() and body.strip() in text
    assert text.index(body.strip()) < text.index("operation added")  # newest first

    # a no-op run adds nothing
    _generate(tmp_path / "pages", out)
    assert (out / "CHANGES.md").read_text() == text
