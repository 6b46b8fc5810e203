"""Files kept, not rendered, when their template is given what it was given last time
(codegen/emit/rendermemo.py): a page change renders the files it changes, the output is
the one a cold run makes, hand edits stay, and what cannot be kept safely is rendered."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.emit import rendermemo
from codegen.pipeline import caches, run, state, unit, write
from codegen.tree import Operation, Shape
from gen_support import AFTER, BEFORE, EDITED, copy_pages
from conftest import SEED

PKG = "typed_memo"
# (a service of unit.MEMO_AT_LEAST operations or more, for the runs in a process of their own)
S3_EDITED = "s3/client/list_buckets.rst"
S3_BEFORE = b"Returns a list of all buckets owned by the authenticated sender of the request."
S3_AFTER = b"Returns the buckets the sender of the request owns, edited."


def _pages(reference: Path, root: Path, service: str = "kinesis") -> Path:
    """Every page of `service` (client, paginators, waiters) and two of bedrock-runtime's."""
    rels = [p.relative_to(reference).as_posix() for p in sorted((reference / service).rglob("*.rst"))]
    rels += ["bedrock-runtime/client/converse.rst", "bedrock-runtime/client/count_tokens.rst"]
    return copy_pages(reference, root, rels)


@pytest.fixture
def every_service_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs in this process keep the files of services of any size."""
    monkeypatch.setattr(unit, "MEMO_AT_LEAST", 1)


def _generate(pages: Path, out: Path, seed: str, cache: Path) -> None:
    """`codegen generate` in a process of its own (its own string hashes: a fingerprint
    that hung on set order would differ from one process to the next)."""
    env = dict(os.environ, PYTHONHASHSEED=seed, CODEGEN_CACHE_DIR=str(cache))
    proc = subprocess.run([sys.executable, "-m", "codegen.cli", "generate", str(pages), "--out", str(out),
                           "--package-name", PKG, "-q"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _generated(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith((".codegen", "CHANGES.md"))
    }


def _record(out: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, service: str) -> dict[str, tuple[str, str]]:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(cache))
    return caches.load_renders(out, service, state.generator_hash(), state.templates_hash())


def test_a_page_change_renders_the_files_it_changes_and_the_output_is_a_cold_run_s(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = _pages(reference, tmp_path / "in", "s3")
    out, cache = tmp_path / "out", tmp_path / "cache"
    _generate(pages, out, "1", cache)
    before = _record(out, cache, monkeypatch, "s3")
    # (model and validator modules, operation and structure pages)
    assert {rel.split("/")[-2] for rel in before} >= {"_models", "_validators", "s3", "structures"}
    assert _record(out, cache, monkeypatch, "bedrock-runtime") == {}  # (two operations: rendered)
    page = pages / S3_EDITED
    page.write_bytes(page.read_bytes().replace(S3_BEFORE, S3_AFTER))
    _generate(pages, out, "2", cache)
    after = _record(out, cache, monkeypatch, "s3")
    assert set(after) == set(before)

    # Rendered again (a new fingerprint) where the text changed (a new sha), and next to
    # nothing else, in a process with other string hashes. (A class's view holds its
    # operation's whole description, of which its docstring shows the first paragraph:
    # the module of list_buckets' response is rendered again, to the same text.)
    rendered = {rel for rel in after if after[rel][0] != before[rel][0]}
    changed = {rel for rel in after if after[rel][1] != before[rel][1]}
    assert "docs/s3/list_buckets.md" in changed <= rendered
    assert len(rendered - changed) <= 2 and all("/_models/" in rel for rel in rendered - changed)
    assert len(rendered) < len(after) // 20

    # The output is what a cold run of the edited pages makes.
    cold = tmp_path / "cold"
    _generate(pages, cold, "3", tmp_path / "cold-cache")
    assert _generated(out) == _generated(cold)
    assert (state.manifest_path(out)).read_bytes() == state.manifest_path(cold).read_bytes()


def test_hand_edits_stay_and_what_cannot_be_kept_is_rendered(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch, every_service_kept: None
) -> None:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    pages = _pages(reference, tmp_path / "in")
    out = tmp_path / "out"
    run.generate([pages], out, PKG)
    record = caches.load_renders(out, "kinesis", state.generator_hash(), state.templates_hash())
    modules = sorted(rel for rel in record if "/_models/" in rel)
    docs = sorted(rel for rel in record if rel.startswith("docs/kinesis/structures/"))
    edited, deleted = out / modules[0], out / docs[0]
    edited.write_text(edited.read_text() + "\n\ndef my_helper() -> int:\n    return 1\n")
    deleted.unlink()
    cold = tmp_path / "cold"
    page = pages / EDITED

    def edit(before: bytes, after: bytes) -> run.RegenResult:
        page.write_bytes(page.read_bytes().replace(before, after))
        done = run.generate([pages], out, PKG)
        assert not done.errors and not done.conflicts and done.rendered == ["kinesis"]
        return done

    done = edit(BEFORE, AFTER)
    assert "def my_helper() -> int:" in edited.read_text()  # (kept: the user's file)
    assert modules[0] not in done.written
    assert docs[0] in done.written and deleted.is_file()  # (gone: written again)
    manifest = state.load(out)
    assert manifest is not None
    kept_bases = {rel: sha for rel, sha in manifest.files["kinesis"].items() if write.is_python(rel)}
    assert write.pristine_texts(out, kept_bases).keys() == kept_bases.keys()  # (every base packed again)

    # The merge bases lost (the packs removed by hand): the modules are rendered after
    # all, and their bases are packed again; the output is a cold run's, the edit kept.
    shutil.rmtree(out / ".codegen" / "pristine")
    edit(AFTER, BEFORE)
    manifest = state.load(out)
    assert manifest is not None
    kept_bases = {rel: sha for rel, sha in manifest.files["kinesis"].items() if write.is_python(rel)}
    assert write.pristine_texts(out, kept_bases).keys() == kept_bases.keys()
    run.generate([pages], cold, PKG)
    mine, theirs = _generated(out), _generated(cold)
    assert mine.pop(modules[0]) != theirs.pop(modules[0])
    assert mine == theirs

    # A record of another generator or other templates is not read.
    assert caches.load_renders(out, "kinesis", "another generator", state.templates_hash()) == {}
    assert caches.load_renders(out, "kinesis", state.generator_hash(), "other templates") == {}
    # `check` (a dry run) renders everything, whatever the user's cache folder says.
    monkeypatch.setattr(unit, "RenderMemo", None)  # (not called)
    page.write_bytes(page.read_bytes().replace(BEFORE, AFTER))
    checked = run.regenerate([pages], out, PKG, dry_run=True)
    assert "docs/kinesis/describe_stream.md" in checked.stale and not checked.errors


def _walk(value: Any, seen: list[type]) -> None:
    seen.append(type(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _walk(item, seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, seen)
            _walk(item, seen)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            _walk(getattr(value, f.name), seen)


def test_what_the_kept_templates_are_given_is_plain_and_small(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch, every_service_kept: None
) -> None:
    """The fingerprint reads a context by value: plain values and frozen views only (no
    dict, whose int and str keys JSON would write alike), never a whole operation or
    shape tree (a fingerprint as large as the service), and never None."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    contexts: list[tuple[str, dict[str, Any]]] = []
    real = rendermemo.fingerprint

    def recording(template: str, context: Any) -> str | None:
        contexts.append((template, dict(context)))
        found = real(template, context)
        assert found is not None, template
        return found

    monkeypatch.setattr(rendermemo, "fingerprint", recording)
    pages = _pages(reference, tmp_path / "in")
    seed = pages / "sagemaker" / "client"
    seed.mkdir(parents=True)
    shutil.copyfile(SEED, seed / SEED.name)
    run.generate([pages], tmp_path / "out", PKG)
    assert {t for t, _ in contexts} == {
        "models.py.jinja2", "validators_bucket.py.jinja2", "operation.md.jinja2", "structure.md.jinja2"
    }
    seen: list[type] = []
    for _, context in contexts:
        for value in context.values():
            _walk(value, seen)
    kinds = set(seen)
    assert dict not in kinds and not kinds & {Operation, Shape}
    for kind in kinds - {str, int, bool, type(None), list, tuple, frozenset}:
        assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen, kind  # type: ignore[attr-defined]
    # A value the fingerprint cannot read by value: no fingerprint (the file is rendered).
    assert real("models.py.jinja2", {"names": object()}) is None
    assert real("models.py.jinja2", {"a": {"x": 1}}) != real("models.py.jinja2", {"a": {"x": 2}})
    assert real("t", {"v": frozenset({"a", "b"})}) == real("t", {"v": frozenset({"b", "a"})})
