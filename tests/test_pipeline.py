"""The back half of `generate` (codegen/pipeline/): one package-files renderer, one
manifest that an older output upgrades to without losing a hand edit, and a generator
hash that covers everything the output depends on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from codegen.emit import package as emit_package
from codegen.pipeline import run, state
from conftest import SEED
from gen_support import REPO, parse_ok

PKG = "typed_pipe"
BASE = "046b66c"  # the commit before one manifest: `.codegen-files` and `.codegen/parsed/` in the output


def _files(out: Path) -> dict[str, bytes]:
    """The generated files of `out` (not its state, nor the history CHANGES.md keeps)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith((".codegen", "CHANGES.md"))
    }


def test_generate_writes_what_the_package_renderer_renders(tmp_path: Path) -> None:
    """render_package (what the tests of the templates check) and `generate` render the
    package-level files with the same function: byte for byte the same files."""
    out = tmp_path / "out"
    result = run.generate([SEED.parent.parent], out, PKG)
    assert result.package_rendered and not result.errors
    rendered = emit_package.render_package(parse_ok(SEED), PKG)
    assert _files(out) == {rel: text.encode("utf-8") for rel, text in sorted(rendered.items())}
    manifest = state.load(out)
    assert manifest is not None
    summaries = {service: rec.summary for service, rec in manifest.services.items()}
    package_level = emit_package.package_files(summaries, PKG, emit_package.TARGETS)
    assert sorted(package_level) == sorted(manifest.files[""])
    assert all((out / rel).read_text(encoding="utf-8") == text for rel, text in package_level.items())


def test_generator_hash_covers_every_dependency_and_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new docutils, jinja2, libcst (or any dependency) or a change to any codegen
    module, diff's included (it writes CHANGES.md), re-renders everything."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    required = {r.split(";")[0].strip() for r in pyproject["project"]["dependencies"]}
    names = {r.replace(">", " ").replace("<", " ").replace("=", " ").replace("!", " ").replace("~", " ").split()[0].lower()
             for r in required}
    versions = dict(state.dependency_versions())
    assert names | {"python"} == set(versions)
    assert {"docutils", "jinja2", "libcst", "black", "click"} <= names

    sources = {p.relative_to(REPO).as_posix() for p in state.generator_sources()}
    assert sources == {p.relative_to(REPO).as_posix() for p in (REPO / "codegen").rglob("*.py")}
    assert any(s.startswith("codegen/diff") for s in sources) and "codegen/cli.py" in sources

    state.generator_hash.cache_clear()
    monkeypatch.setattr(state, "dependency_versions", lambda: sorted(versions.items()))
    same = state.generator_hash()
    for name in sorted(versions):
        state.generator_hash.cache_clear()
        changed = dict(versions, **{name: versions[name] + ".post1"})
        monkeypatch.setattr(state, "dependency_versions", lambda changed=changed: sorted(changed.items()))
        assert state.generator_hash() != same, name
    state.generator_hash.cache_clear()


@pytest.fixture
def base_codegen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """codegen as it was at BASE (from git)."""
    old = tmp_path_factory.mktemp("base")
    archive = subprocess.run(["git", "-C", str(REPO), "archive", BASE, "codegen", "templates"],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    return old


def test_output_of_the_two_manifests_upgrades_keeping_hand_edits(tmp_path: Path, base_codegen: Path) -> None:
    """An output made with `.codegen-files` beside `.codegen/manifest.json` (and the parse
    cache inside it): the first run merges the hand edits as any run, keeps only the
    manifest, and leaves the files a clean run makes."""
    inp = tmp_path / "input"
    shutil.copytree(SEED.parent.parent, inp / "sagemaker")
    out = tmp_path / "out"
    code = ("import sys; from pathlib import Path; from codegen import build; "
            f"build.generate([Path(sys.argv[1])], Path(sys.argv[2]), {PKG!r})")
    done = subprocess.run([sys.executable, "-c", code, str(inp), str(out)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(base_codegen)}, cwd=base_codegen, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / state.LEGACY_LISTING).is_file() and (out / ".codegen" / "parsed").is_dir()
    assert (out / ".codegen" / "trees" / "sagemaker.json").is_file()
    changes = (out / "CHANGES.md").read_text(encoding="utf-8")  # (the same tree: no new section)
    validators = out / PKG / "sagemaker" / "validators.py"
    published = {p.name: p.read_bytes() for p in (out / ".codegen" / "names").iterdir()}
    mine = validators.read_text(encoding="utf-8") + "\n\ndef my_check() -> bool:\n    return True\n"
    validators.write_text(mine, encoding="utf-8")

    result = run.generate([inp], out, PKG)
    assert not result.conflicts and not result.errors and not result.backups
    assert validators.read_text(encoding="utf-8").endswith("def my_check() -> bool:\n    return True\n")
    assert not (out / state.LEGACY_LISTING).exists() and not (out / ".codegen" / "parsed").exists()
    assert sorted(p.name for p in (out / ".codegen").iterdir()) == ["lock", "manifest.json.gz", "names", "pristine", "trees"]
    assert [p.name for p in (out / ".codegen" / "trees").iterdir()] == ["sagemaker.json.xz"]  # (was .json)
    assert (out / "CHANGES.md").read_text(encoding="utf-8").count("\n## ") == changes.count("\n## ")

    # (the names the base published: a clean run of this resolver may name some classes
    # otherwise, and the upgraded output keeps its published names)
    clean = tmp_path / "clean"
    (clean / ".codegen" / "names").mkdir(parents=True)
    for name, data in published.items():
        (clean / ".codegen" / "names" / name).write_bytes(data)
    run.generate([inp], clean, PKG)
    ours, theirs = _files(out), _files(clean)
    assert ours.pop(f"{PKG}/sagemaker/validators.py") != theirs.pop(f"{PKG}/sagemaker/validators.py")
    assert ours == theirs
    assert run.regenerate([inp], out, PKG, dry_run=True).up_to_date
