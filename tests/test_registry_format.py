"""The names registry's format 2 (codegen/registry.py): a nested structure's places are
written `Parent.Member`, once, instead of once per path that reaches it. A registry of
format 1, written by the codegen before it, is read and rewritten by the first run with
every published name at every place it had; a file whose references lead nowhere is
refused with one line, as any damaged registry."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen import registry as reg
from codegen.pipeline import run, state
from conftest import SEED
from gen_support import REPO

PKG = "typed_regfmt"
FORMAT_2 = "4aae6d4"  # main before the state's format 3: whole SHA-256s, every place spelled out
# Pages of sagemaker that share nested structures with the seed.
PAGES = ("create_model_package", "describe_model_package", "update_model_package", "create_algorithm",
         "describe_algorithm", "batch_describe_model_package")
EDIT = "\n\ndef my_check() -> bool:\n    return True\n"


def _input(tmp: Path, reference: Path) -> Path:
    inp = tmp / "in" / "sagemaker" / "client"
    inp.mkdir(parents=True)
    for name in PAGES:
        shutil.copyfile(reference / "sagemaker" / "client" / f"{name}.rst", inp / f"{name}.rst")
    return inp.parent.parent


def _registry(out: Path) -> Path:
    return out / ".codegen" / "names" / "sagemaker.json"


def _places(registry: reg.Registry) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {e.name: (e.stem, e.paths) for e in registry.classes + registry.enums}


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith((".codegen", "CHANGES.md"))
    }


def test_an_output_of_format_2_is_migrated_keeping_names_and_hand_edits(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 2 (commit 4aae6d4): whole SHA-256s in the manifest, every place spelled out
    in the registry. The first run reads both, merges a hand edit against the base its
    pack kept, and saves format 3: the names at the same places, shorter hashes."""
    old = tmp_path / "old-codegen"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", FORMAT_2, "codegen", "templates"],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    inp = _input(tmp_path, reference)
    added = inp / "sagemaker" / "client" / f"{PAGES[-1]}.rst"
    added.rename(tmp_path / added.name)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", str(inp), "--out", str(out), "--package-name", PKG],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(old)}, cwd=old, timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert _manifest(out)["format"] == 2 and len(next(iter(_manifest(out)["files"][""].values()))) == 64
    written = _registry(out).read_text(encoding="utf-8")
    assert json.loads(written)["version"] == 1
    published = _places(reg.loads(written))
    validators = out / PKG / "sagemaker" / "validators.py"
    validators.write_text(validators.read_text(encoding="utf-8") + EDIT, encoding="utf-8")

    # A new page: the generator's text of the edited module changes too, so the edit is
    # merged against the base of the format-2 pack (found by the first 128 bits of its hash).
    (tmp_path / added.name).rename(added)
    result = run.generate([inp], out, PKG)
    assert not result.conflicts and f"{PKG}/sagemaker/validators.py" in result.merged
    assert validators.read_text(encoding="utf-8").endswith(EDIT)
    manifest = _manifest(out)
    assert manifest["format"] == state.FORMAT_VERSION == 3
    assert {len(sha) for group in manifest["files"].values() for sha in group.values()} == {32}
    rewritten = _registry(out).read_text(encoding="utf-8")
    data = json.loads(rewritten)
    assert data["version"] == reg.VERSION == 2
    now = _places(reg.loads(rewritten))
    for name, (stem, places) in published.items():  # (the new page adds places, moves none)
        assert now[name][0] == stem and set(places) <= set(now[name][1]), name
    references = [p for body in data["classes"].values() for p in body["paths"] if ":" not in p]
    assert references and len(rewritten) < len(written) / 2
    for parent in {re.match(r"[^.\[{]+", p)[0] for p in references}:  # type: ignore[index]
        assert parent in data["classes"]  # (a class of the same file)

    # The rest is what a clean run with the same published names makes.
    clean = tmp_path / "clean"
    shutil.copytree(out / ".codegen" / "names", clean / ".codegen" / "names")
    run.generate([inp], clean, PKG)
    ours, theirs = _files(out), _files(clean)
    mine = f"{PKG}/sagemaker/validators.py"
    assert ours.pop(mine).decode() == theirs.pop(mine).decode() + EDIT
    assert ours == theirs
    assert _registry(clean).read_text(encoding="utf-8") == rewritten
    assert run.regenerate([inp], out, PKG, dry_run=True).up_to_date


def _manifest(out: Path) -> Any:
    return json.loads(gzip.decompress((out / ".codegen" / "manifest.json.gz").read_bytes()))


@pytest.mark.parametrize("damage", ["NoSuchClass.Member", "Loop.Member"])
def test_a_reference_that_leads_nowhere_fails_the_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    inp = tmp_path / "in" / "sagemaker" / "client"
    inp.mkdir(parents=True)
    shutil.copyfile(SEED, inp / SEED.name)
    out = tmp_path / "out"
    run.generate([inp.parent.parent], out, PKG)
    data = json.loads(_registry(out).read_text(encoding="utf-8"))
    data["classes"]["Loop"] = {"paths": ["Loop.Member"]}
    first = next(iter(data["classes"]))
    data["classes"][first]["paths"].append(damage)
    _registry(out).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(reg.RegistryError):
        reg.loads(_registry(out).read_text(encoding="utf-8"))
    before = _files(out)
    (inp / SEED.name).write_text((inp / SEED.name).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run.generate([inp.parent.parent], out, PKG)
    assert result.errors and all(len(e.splitlines()) == 1 and "names registry" in e for e in result.errors)
    assert _files(out) == before
