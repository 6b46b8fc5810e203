"""`codegen generate` keeps CHANGES.md: the diff of the shape trees, newest first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("damage", ["garbage", "merge-conflict", "not-a-tree", "fifo", "link-to-fifo"])
def test_a_damaged_saved_tree_is_replaced_not_a_traceback(reference: Path, tmp_path: Path, damage: str) -> None:
    """`.codegen/trees/<service>.json` (what CHANGES.md last described) is committed with
    the output: a merge conflict or an edit in it, or a FIFO in its place, is described
    as a first run would be, and replaced; never a traceback or a hang."""
    pages = tmp_path / "pages" / "sagemaker" / "client"
    pages.mkdir(parents=True)
    page = pages / "create_model_package.rst"
    shutil.copyfile(SEED, page)
    out = tmp_path / "out"
    _generate(tmp_path / "pages", out)
    saved = out / ".codegen" / "trees" / "sagemaker.json"
    if damage == "garbage":
        saved.write_bytes(b"\xff garbage")
    elif damage == "merge-conflict":
        saved.write_text("<<<<<<< HEAD\n" + saved.read_text() + "=======\n{}\n>>>>>>> theirs\n")
    elif damage == "not-a-tree":
        saved.write_text(json.dumps({"ir_version": 1, "operations": [{}]}))
    else:
        saved.unlink()
        fifo = tmp_path / "fifo" if damage == "link-to-fifo" else saved
        os.mkfifo(fifo)
        if fifo != saved:
            saved.symlink_to(fifo)
    shutil.copyfile(reference / "sagemaker" / "client" / "create_model_package.rst", page)
    proc = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", str(tmp_path / "pages"), "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert (out / "CHANGES.md").read_text().count("\n## sagemaker: ") == 2  # the first run's, this one's
    assert saved.is_file() and not saved.is_symlink()
    assert [op.name for op in diff.load_tree(saved.read_text())] == ["create_model_package"]
