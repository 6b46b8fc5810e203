"""The names registry's format 2 (codegen/registry.py): a nested structure's places are
written `Parent.Member`, once, instead of once per path that reaches it. A registry of
format 1, written by the codegen before it, is read and rewritten by the first run with
every published name at every place it had; a file whose references lead nowhere is
refused with one line, as any damaged registry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import registry as reg
from codegen.pipeline import run
from conftest import SEED
from gen_support import REPO

PKG = "typed_regfmt"
FORMAT_1 = "4aae6d4"  # main before the registry's format 2 (every place spelled out)
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


def test_a_format_1_registry_is_rewritten_keeping_every_name_and_place(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old-codegen"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", FORMAT_1, "codegen", "templates"],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    inp = _input(tmp_path, reference)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", str(inp), "--out", str(out), "--package-name", PKG],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(old)}, cwd=old, timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = _registry(out).read_text(encoding="utf-8")
    assert json.loads(written)["version"] == 1
    published = _places(reg.loads(written))
    models = out / PKG / "sagemaker" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + EDIT, encoding="utf-8")

    result = run.generate([inp], out, PKG)  # (a new codegen: every service is rendered again)
    assert not result.conflicts
    assert models.read_text(encoding="utf-8").endswith(EDIT)
    rewritten = _registry(out).read_text(encoding="utf-8")
    data = json.loads(rewritten)
    assert data["version"] == reg.VERSION == 2
    assert _places(reg.loads(rewritten)) == published
    references = [p for body in data["classes"].values() for p in body["paths"] if ":" not in p]
    assert references and len(rewritten) < len(written) / 2
    # One name a line still, each reference naming a class of the same file.
    for parent in {p.split(".")[0].split("[")[0].split("{")[0] for p in references}:
        assert parent in data["classes"]

    clean = tmp_path / "clean"
    run.generate([inp], clean, PKG)
    ours, theirs = _files(out), _files(clean)
    assert ours.pop(f"{PKG}/sagemaker/models.py").decode() == theirs.pop(f"{PKG}/sagemaker/models.py").decode() + EDIT
    assert ours == theirs
    assert _registry(clean).read_text(encoding="utf-8") == rewritten


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
