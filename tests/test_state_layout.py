"""The state an output keeps in `.codegen/` (format 2, docs/regenerate.md): what a later
run cannot rebuild, compact. The merge bases are packed per service folder (xz), the
trees are xz, the manifest groups its records by service. An output of format 1 (loose
zlib blobs, gzip trees) is migrated by its first run without losing a hand edit, and a
fresh clone (no user cache) checks and merges from what was committed."""

from __future__ import annotations

import gzip
import json
import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.pipeline import run, state, write
from conftest import SEED
from gen_support import REPO

PKG = "typed_state"
FORMAT_1 = "8cef1c8"  # main before format 2: pristine/<ab>/<sha> (zlib), trees/<service>.json.gz
EDIT = "\n\ndef my_check() -> bool:\n    return True\n"


def _files(out: Path) -> dict[str, bytes]:
    """The generated files of `out` (not its state, nor the history CHANGES.md keeps)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith((".codegen", "CHANGES.md"))
    }


def _input(tmp: Path, page: Path) -> Path:
    inp = tmp / "in"
    (inp / "sagemaker" / "client").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page, inp / "sagemaker" / "client" / SEED.name)
    return inp


def _layout(out: Path) -> tuple[list[str], list[str]]:
    """(what `.codegen/pristine/` holds, what `.codegen/trees/` holds), as names."""
    return (sorted(p.name for p in (out / ".codegen" / "pristine").iterdir()),
            sorted(p.name for p in (out / ".codegen" / "trees").iterdir()))


@pytest.fixture(scope="module")
def format_1_codegen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    old = tmp_path_factory.mktemp("format1")
    archive = subprocess.run(["git", "-C", str(REPO), "archive", FORMAT_1, "codegen", "templates"],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    return old


def test_an_output_of_format_1_is_migrated_keeping_hand_edits(
    tmp_path: Path, reference: Path, format_1_codegen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    inp = _input(tmp_path, SEED)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", str(inp), "--out", str(out), "--package-name", PKG],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(format_1_codegen)},
        cwd=format_1_codegen, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((out / ".codegen" / "manifest.json").read_text())["format"] == 1
    blobs, trees = _layout(out)
    assert blobs and all(len(name) == 2 and (out / ".codegen" / "pristine" / name).is_dir() for name in blobs)
    assert trees == ["sagemaker.json.gz"]

    # A hand edit, and new pages: the generator's text changes too, so the edit is merged
    # against the base format 1 kept (a loose blob).
    validators = out / PKG / "sagemaker" / "validators.py"
    validators.write_text(validators.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    shutil.copyfile(reference / "sagemaker" / "client" / SEED.name, inp / "sagemaker" / "client" / SEED.name)
    result = run.generate([inp], out, PKG)
    assert not result.conflicts and not result.errors and not result.backups
    assert f"{PKG}/sagemaker/validators.py" in result.merged
    assert validators.read_text(encoding="utf-8").endswith(EDIT)

    # The old layout is gone: packs, xz trees, manifest format 2.
    packs, trees = _layout(out)
    assert packs and all(name.endswith(".xz") and (out / ".codegen" / "pristine" / name).is_file() for name in packs)
    assert trees == ["sagemaker.json.xz"]
    assert not (out / ".codegen" / "manifest.json").exists()
    assert json.loads(gzip.decompress((out / ".codegen" / "manifest.json.gz").read_bytes()))["format"] == state.FORMAT_VERSION
    assert run.regenerate([inp], out, PKG, dry_run=True).up_to_date

    # The rest of the output is what a clean run with the same published names makes.
    clean = tmp_path / "clean"
    shutil.copytree(out / ".codegen" / "names", clean / ".codegen" / "names")
    run.generate([inp], clean, PKG)
    ours, theirs = _files(out), _files(clean)
    assert ours.pop(f"{PKG}/sagemaker/validators.py").decode() == theirs.pop(f"{PKG}/sagemaker/validators.py").decode() + EDIT
    assert ours == theirs
    assert _layout(out)[0] == _layout(clean)[0]  # (the packs are named by what they hold)

    # The bases now come from the packs: the next change merges the edit again.
    shutil.copyfile(SEED, inp / "sagemaker" / "client" / SEED.name)
    again = run.generate([inp], out, PKG)
    assert not again.conflicts and f"{PKG}/sagemaker/validators.py" in again.merged
    assert validators.read_text(encoding="utf-8").endswith(EDIT)


def test_a_fresh_clone_checks_and_merges_from_the_committed_state(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only `.codegen/` travels with the output: the parse cache is the user's. A clone
    with an empty cache is up to date for `check`, and its hand edits merge."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    inp = _input(tmp_path, SEED)
    out = tmp_path / "out"
    run.generate([inp], out, PKG)
    clone = tmp_path / "clone"
    shutil.copytree(out, clone, symlinks=True)
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "fresh-cache"))
    assert run.regenerate([inp], clone, PKG, dry_run=True).up_to_date
    assert not (tmp_path / "fresh-cache").exists()  # (a check writes nothing, not even a cache)

    models = sorted((clone / PKG / "sagemaker").rglob("*.py"))
    edited = {p: p.read_text(encoding="utf-8") + EDIT for p in models}
    for path, text in edited.items():
        path.write_text(text, encoding="utf-8")
    shutil.copyfile(reference / "sagemaker" / "client" / SEED.name, inp / "sagemaker" / "client" / SEED.name)
    result = run.generate([inp], clone, PKG)
    assert not result.conflicts and not result.backups
    assert all(p.read_text(encoding="utf-8").endswith(EDIT) for p in models if p.exists())


def test_a_pack_holds_each_module_base_and_nothing_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack per service folder (and one for the package's own modules), named by the
    (module, base) pairs it holds: the manifest's Python files, their texts, no more."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    run.generate([_input(tmp_path, SEED)], out, PKG)
    manifest = state.load(out)
    assert manifest is not None
    bases = state.bases(manifest)
    groups: dict[str, dict[str, str]] = {}
    for rel, sha in bases.items():
        groups.setdefault(write.pack_group(rel), {})[rel] = sha
    assert sorted(groups) == [PKG, f"{PKG}/sagemaker"]
    packs = _layout(out)[0]
    assert packs == sorted(write.pack_name(g, entries.items()) for g, entries in groups.items())
    held: dict[str, str] = {}
    for name in packs:
        head, _, body = lzma.decompress((out / ".codegen" / "pristine" / name).read_bytes()).partition(b"\n")
        offset = 0
        for rel, size in json.loads(head):
            held[rel] = body[offset : offset + size].decode("utf-8")
            offset += size
        assert offset == len(body)
    assert held == {rel: (out / rel).read_text(encoding="utf-8") for rel in bases}


def test_the_manifest_the_options_read_is_parsed_once_and_only_while_its_bytes_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI reads the recorded options from the manifest, then the run loads it: the
    second read reuses the first's JSON, but only for the same bytes, and only once."""
    from codegen.pipeline import config

    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    run.generate([_input(tmp_path, SEED)], out, PKG)
    fresh = state.Manifest.from_json(json.loads(gzip.decompress((out / ".codegen" / "manifest.json.gz").read_bytes())))
    parsed: list[bytes] = []
    unpack = state._unpack_manifest
    monkeypatch.setattr(state, "_unpack_manifest", lambda o, data: parsed.append(data) or unpack(o, data))

    assert config.recorded_options(out) == config.Recorded(PKG, fresh.targets)
    assert state.load(out) == fresh
    assert len(parsed) == 1
    assert state.load(out) == fresh  # (kept for one read: this one parses again)
    assert len(parsed) == 2

    assert config.recorded_options(out) is not None  # (keeps this manifest's JSON ...)
    changed = state.Manifest.from_json(json.loads(gzip.decompress((out / ".codegen" / "manifest.json.gz").read_bytes())))
    changed.package_key = "another run's"
    assert state.save(out, changed)  # (... which another run replaces before the next read)
    assert state.load(out) == changed != fresh
    assert len(parsed) == 4


def test_each_generated_file_is_in_one_service_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest's files are kept in the groups it is written in (service → file →
    sha, not a record per file): a manifest that gives a file to two services is no
    manifest, and a run's own groups give each file to the first that claims it."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    run.generate([_input(tmp_path, SEED)], out, PKG)
    path = out / ".codegen" / "manifest.json.gz"
    data = json.loads(gzip.decompress(path.read_bytes()))
    manifest = state.load(out)
    assert manifest is not None and manifest.files == data["files"]
    assert manifest.tracked() == sorted(manifest.file_shas()) == sorted(_files(out))
    assert state.Manifest.from_json(json.loads(manifest.dumps())) == manifest

    rel, sha = next(iter(data["files"]["sagemaker"].items()))
    data["files"][""][rel] = sha
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    assert state.load(out) is None
    assert not run.generate([_input(tmp_path, SEED)], out, PKG).errors  # (every file is legacy: kept)

    first, second = {"": {rel: "1"}}, {"sagemaker": {rel: "2", "b": "3"}}
    assert state.layered([first, second]) == {"": {rel: "1"}, "sagemaker": {"b": "3"}}
    assert state.layered([second, first]) == {"sagemaker": {rel: "2", "b": "3"}}


def test_the_state_unpacks_in_memory_its_size_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Packs and trees are xz with a dictionary no bigger than their data: a later run
    (or `check` on a fresh clone) unpacks a small service's state in a few MB, not the
    ~17 MB a fixed 16 MB dictionary asks of every decoder."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    run.generate([_input(tmp_path, SEED)], out, PKG)
    state_files = [*(out / ".codegen" / "pristine").iterdir(), *(out / ".codegen" / "trees").iterdir()]
    assert len(state_files) >= 3
    for path in state_files:
        data = path.read_bytes()
        size = len(lzma.decompress(data))
        # (the decoder needs about its dictionary, a power of two >= the data, >= 64 kB)
        budget = max(2 * size, 1 << 16) + (1 << 20)
        assert budget < 16 << 20
        assert len(lzma.LZMADecompressor(memlimit=budget).decompress(data)) == size
