"""`codegen generate` keeps CHANGES.md: the diff of the shape trees, newest first.

What the newest section must say is computed from the botocore models of the seed's
release (1.42.50) and the next (1.44.8) (tests/releases/model_changes.py), not from
`codegen.diff`, which `generate` itself uses.
"""

from __future__ import annotations

import lzma
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from click.testing import CliRunner
from conftest import REPO, SEED
from releases import data, model_changes

from codegen import diff
from codegen.cli import main
from codegen.pipeline import savedtrees

OPERATION = "SageMaker.Client.create_model_package"


def _generate(pages: Path, out: Path) -> None:
    result = CliRunner().invoke(main, ["generate", str(pages), "--out", str(out)])
    assert result.exit_code == 0, result.output


_SINGLE = re.compile(r"^- `([^`]+)`(?: `([^`]+)`)?: (.*) \(`([a-z-]+)`\)$")
_GROUP = re.compile(r"^- (.*) \(`([a-z-]+)`\), \d+ paths? in \d+ operations?:$")
_WHERE = re.compile(r"^  - `([^`]+)`(?:: (.*))?$")


def _values(rule: str, message: str) -> list[str]:
    if "-enum-value-" in rule:
        return re.findall(r"`([^`]*)`", message.split(": ", 1)[1])
    if rule.startswith("exception-"):
        return re.findall(r"`([^`]*)`", message)
    return [""]


def _read_section(text: str) -> tuple[str, str, set[model_changes.Fact]]:
    """The newest section of CHANGES.md: (title, summary line, facts), each fact checked
    to stand under its rule's documented level."""
    levels = model_changes.documented_levels((REPO / "docs" / "diff-json.md").read_text())
    sections = re.split(r"^## ", text, flags=re.M)
    assert sections[0].strip() == "# Changes", sections[0]
    title, _, body = sections[1].partition("\n")
    summary = ""
    facts: set[model_changes.Fact] = set()
    level = rule = message = ""
    for line in body.splitlines():
        if heading := re.match(r"^### .*\((ERR|WARN|INFO)\)$", line):
            level = heading.group(1)
        elif re.match(r"^\d+ changes? \(", line):
            summary = line
        elif single := _SINGLE.match(line):
            op, path, message, rule = single.groups()
            assert levels[rule] == level, line
            facts |= {(rule, op, path or "", v) for v in _values(rule, message)}
        elif group := _GROUP.match(line):
            message, rule = group.groups()
            assert levels[rule] == level, line
        elif where := _WHERE.match(line):
            op, paths = where.group(1), where.group(2)
            for path in re.findall(r"`([^`]+)`", paths or "") or [""]:
                facts |= {(rule, op, path, v) for v in _values(rule, message)}
        else:
            assert not line.strip(), f"unread line {line!r}"
    return title, summary, facts


def test_changes_md_records_each_revision_newest_first(tmp_path: Path) -> None:
    pages = tmp_path / "pages" / "sagemaker" / "client"
    pages.mkdir(parents=True)
    page = pages / "create_model_package.rst"
    shutil.copyfile(SEED, page)
    out = tmp_path / "out"
    _generate(tmp_path / "pages", out)
    first = (out / "CHANGES.md").read_text()
    _, _, facts = _read_section(first)
    assert facts == {("operation-added", OPERATION, "", "")}

    # the same page, one release later
    shutil.copyfile(data.pages(data.NEW) / "client" / "create_model_package.rst", page)
    _generate(tmp_path / "pages", out)
    text = (out / "CHANGES.md").read_text()
    expected = model_changes.expected_facts(
        data.model(data.OLD), data.model(data.NEW), data.SERVICE_CLASS
    )
    want = {f for f in expected if f[1] == OPERATION}
    assert want
    _, summary, facts = _read_section(text)
    assert sorted(facts ^ want) == []
    levels = model_changes.documented_levels((REPO / "docs" / "diff-json.md").read_text())
    changes = model_changes.expected_changes(want)
    counts = Counter(levels[next(iter(c))[0]] for c in changes)
    assert summary == (
        f"{len(changes)} changes ({counts['ERR']} ERR, {counts['WARN']} WARN, {counts['INFO']} INFO)."
    )
    assert text.endswith(first.split("\n", 2)[2])  # the first section kept, below the new one

    # a no-op run adds nothing
    _generate(tmp_path / "pages", out)
    assert (out / "CHANGES.md").read_text() == text


def test_a_few_changed_pages_among_many_give_the_models_changes_of_those_alone(tmp_path: Path) -> None:
    """A regeneration after a few of a service's pages changed compares only the
    operations whose saved tree differs (diff.changed_operations): CHANGES.md's section
    still says exactly what the models say of those operations, and nothing of the
    forty others."""
    old_dir, new_dir = data.pages(data.OLD) / "client", data.pages(data.NEW) / "client"
    names = sorted(p.name for p in old_dir.glob("*.rst") if (new_dir / p.name).is_file())
    changed = [n for n in names if (old_dir / n).read_bytes() != (new_dir / n).read_bytes()]
    expected = model_changes.expected_facts(data.model(data.OLD), data.model(data.NEW), data.SERVICE_CLASS)

    def op(name: str) -> str:
        return f"{data.SERVICE_CLASS}.Client.{name.removesuffix('.rst')}"

    with_facts = [n for n in changed if any(f[1] == op(n) for f in expected)][:3]
    unchanged = [n for n in names if n not in changed][:40]
    assert len(with_facts) == 3 and len(unchanged) == 40
    pages = tmp_path / "pages" / "sagemaker" / "client"
    pages.mkdir(parents=True)
    for name in with_facts + unchanged:
        shutil.copyfile(old_dir / name, pages / name)
    out = tmp_path / "out"
    _generate(tmp_path / "pages", out)
    for name in with_facts:
        shutil.copyfile(new_dir / name, pages / name)
    _generate(tmp_path / "pages", out)
    _, _, facts = _read_section((out / "CHANGES.md").read_text())
    want = {f for f in expected if f[1] in {op(n) for n in with_facts}}
    assert want and sorted(facts ^ want) == []


def test_changed_operations_are_those_whose_saved_trees_differ_and_compare_the_same() -> None:
    """diff.changed_operations on the saved trees of the two releases (sagemaker, every
    page): the operations whose JSON differs, docs aside, on either side, and the same
    changes from them as from the whole trees."""
    from codegen import tree

    def saved(ops: tuple[tree.Operation, ...]) -> str:
        return savedtrees.saved_tree(json.dumps(tree.document_to_json(list(ops)), separators=(",", ":"), ensure_ascii=False))

    old_ops, new_ops = data.operations(data.OLD), data.operations(data.NEW)
    old_text, new_text = saved(old_ops), saved(new_ops)
    kept_old, kept_new = diff.changed_operations(old_text, new_text, new_ops)
    old_json = {(op["kind"], op["name"]): op for op in json.loads(old_text)["operations"]}
    new_json = {(op["kind"], op["name"]): op for op in json.loads(new_text)["operations"]}
    differ = {name for name in old_json.keys() | new_json.keys() if old_json.get(name) != new_json.get(name)}
    assert {(op.kind, op.name) for op in kept_old} == differ & old_json.keys()
    assert {(op.kind, op.name) for op in kept_new} == differ & new_json.keys()
    assert 0 < len(kept_new) < len(new_ops) / 2  # (most of a release's operations are the same)
    whole = diff.compare(diff.load_tree(old_text), new_ops)
    assert whole.changes and diff.compare(kept_old, kept_new).changes == whole.changes


@pytest.mark.parametrize("damage", ["garbage", "merge-conflict", "not-a-tree", "duplicate", "fifo", "link-to-fifo"])
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
    saved = savedtrees.tree_path(out, "sagemaker")
    if damage == "garbage":
        saved.write_bytes(b"\xff garbage")
    elif damage == "merge-conflict":
        text = lzma.decompress(saved.read_bytes()).decode()
        saved.write_bytes(lzma.compress(("<<<<<<< HEAD\n" + text + "=======\n{}\n>>>>>>> theirs\n").encode()))
    elif damage == "not-a-tree":
        saved.write_bytes(lzma.compress(json.dumps({"ir_version": 1, "operations": [{}]}).encode()))
    elif damage == "duplicate":  # (the operation twice: each copy the same as the new one's but for the change)
        tree = json.loads(lzma.decompress(saved.read_bytes()))
        tree["operations"] *= 2
        saved.write_bytes(lzma.compress(json.dumps(tree).encode()))
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
    assert [op.name for op in diff.load_tree(lzma.decompress(saved.read_bytes()).decode())] == ["create_model_package"]
