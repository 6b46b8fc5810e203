"""Incremental regeneration: the manifest, untouched files, removals, interrupted runs."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from codegen.emit import package as emit_package
from codegen.emit.models import MODELS_DIR
from codegen.emit.validators import VALIDATORS_DIR
from codegen.pipeline import run, state as mf, unit, watch, write

PKG = "typed_regen"

# Small real pages of two services (boto3's own reference, the `reference` fixture).
PAGES = {
    "kinesis/client/untag_resource.rst",
    "kinesis/client/delete_resource_policy.rst",
    "kinesis/client/list_streams.rst",
    "sagemaker/client/delete_model.rst",
    "sagemaker/client/delete_endpoint.rst",
}
EXTRA = "kinesis/client/add_tags_to_stream.rst"


def make_input(root: Path, reference: Path, pages: set[str]) -> Path:
    if root.exists():
        shutil.rmtree(root)
    for rel in pages:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reference / rel, root / rel)
    return root


def regen(inp: Path, out: Path, **kw: object) -> run.RegenResult:
    return run.regenerate([inp], out, PKG, **kw)  # type: ignore[arg-type]


HISTORY = ("CHANGES.md", ".codegen/trees/")  # a log of past revisions, not a function of the input


def digest(root: Path) -> dict[str, str]:
    """Every file of the output (the manifest and pristine copies included), but the
    changelog and the trees it is computed from, which record the run's history."""
    return {
        rel: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".mypy_cache" not in p.parts
        and not (rel := p.relative_to(root).as_posix()).startswith(HISTORY)
    }


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def clean_run(tmp: Path, reference: Path, pages: set[str]) -> dict[str, str]:
    inp = make_input(tmp / "clean-in", reference, pages)
    out = tmp / "clean-out"
    shutil.rmtree(out, ignore_errors=True)
    regen(inp, out)
    return digest(out)


@pytest.fixture()
def tree(tmp_path: Path, reference: Path) -> tuple[Path, Path]:
    inp = make_input(tmp_path / "in", reference, PAGES)
    out = tmp_path / "out"
    first = regen(inp, out)
    assert first.services == ["kinesis", "sagemaker"]
    assert first.rendered == ["kinesis", "sagemaker"]
    return inp, out


def test_manifest_records_inputs_and_outputs(tree: tuple[Path, Path]) -> None:
    inp, out = tree
    manifest = mf.load(out)
    assert manifest is not None
    assert set(manifest.pages) == PAGES
    assert {p.service for p in manifest.pages.values()} == {"kinesis", "sagemaker"}
    assert f"{PKG}/kinesis/models.py" in manifest.files["kinesis"]
    assert f"{PKG}/__init__.py" in manifest.files[""]
    assert sorted(manifest.files) == ["", "kinesis", "sagemaker"]
    for service in ("kinesis", "sagemaker"):
        assert all(rel.startswith((f"{PKG}/{service}/", f"docs/{service}/")) for rel in manifest.files[service])
    for rel, sha in manifest.file_shas().items():
        assert write.sha256((out / rel).read_text()) == sha
        # Only modules are merged member by member, so only they keep a pristine copy.
        pristine = write.get_pristine(out, sha)
        assert pristine == ((out / rel).read_text() if rel.endswith((".py", ".pyi")) else None), rel
    assert not (out / mf.LEGACY_LISTING).exists()  # one manifest: no listing beside it


def test_noop_touches_nothing(tree: tuple[Path, Path]) -> None:
    inp, out = tree
    before = mtimes(out)
    time.sleep(0.01)
    again = regen(inp, out)
    assert again.written == [] and again.removed == [] and again.rendered == []
    assert not again.package_rendered
    assert again.up_to_date
    assert again.services == ["kinesis", "sagemaker"]
    assert mtimes(out) == before


def test_one_page_change_rerenders_only_its_service(
    tree: tuple[Path, Path], reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inp, out = tree
    before = mtimes(out)
    (inp / EXTRA).write_bytes((reference / EXTRA).read_bytes())
    parsed: list[str] = []
    real = unit.parse_files

    def counting(pages: Sequence[tuple[str, str]]) -> list[tuple[str, unit.Parsed]]:
        parsed.extend(source for source, _ in pages)
        return real(pages)

    monkeypatch.setattr(unit, "parse_files", counting)  # in-process: jobs=1
    result = regen(inp, out, jobs=1)
    monkeypatch.undo()
    assert parsed == [EXTRA]  # the new page only: kinesis's other pages come from the parse cache
    assert result.rendered == ["kinesis"]
    assert f"{PKG}/kinesis/models.py" in result.written
    assert "docs/kinesis/add_tags_to_stream.md" in result.written
    now = mtimes(out)
    untouched = [rel for rel in before if "sagemaker" in rel and ".codegen" not in rel]
    assert untouched and all(now[rel] == before[rel] for rel in untouched)
    assert digest(out) == clean_run(tmp_path, reference, PAGES | {EXTRA})


def test_changed_page_content(tree: tuple[Path, Path], reference: Path, tmp_path: Path) -> None:
    """A page edited in place (its text changes, not its name) is picked up."""
    inp, out = tree
    page = inp / "kinesis/client/list_streams.rst"
    page.write_bytes((reference / EXTRA).read_bytes())  # same name, other content
    result = regen(inp, out)
    assert result.rendered == ["kinesis"]
    assert "docs/kinesis/add_tags_to_stream.md" in result.written
    assert "docs/kinesis/list_streams.md" in result.removed


def test_removed_page_and_service(tree: tuple[Path, Path], reference: Path, tmp_path: Path) -> None:
    inp, out = tree
    (inp / "kinesis/client/list_streams.rst").unlink()
    result = regen(inp, out)
    # Its page, and the pages of the structures only it used, and the model and validator
    # modules left without a class (the whole output is checked against a clean run below).
    assert "docs/kinesis/list_streams.md" in result.removed
    assert all(
        r.startswith(("docs/kinesis/structures/", f"{PKG}/kinesis/{MODELS_DIR}/", f"{PKG}/kinesis/{VALIDATORS_DIR}/"))
        for r in result.removed if r != "docs/kinesis/list_streams.md"
    )
    assert not (out / "docs/kinesis/list_streams.md").exists()
    assert digest(out) == clean_run(tmp_path, reference, PAGES - {"kinesis/client/list_streams.rst"})
    shutil.rmtree(inp / "kinesis")
    result = regen(inp, out)
    assert result.services == ["sagemaker"]
    assert not (out / PKG / "kinesis").exists() and not (out / "docs/kinesis").exists()
    assert f"{PKG}/__init__.py" in result.written  # SERVICES no longer lists kinesis
    sagemaker_only = {p for p in PAGES if p.startswith("sagemaker/")}
    assert digest(out) == clean_run(tmp_path, reference, sagemaker_only)


def test_missing_generated_file_is_restored(tree: tuple[Path, Path]) -> None:
    inp, out = tree
    (out / PKG / "kinesis" / "models.py").unlink()
    result = regen(inp, out)
    assert result.written == [f"{PKG}/kinesis/models.py"]


def test_options_change_rebuilds(tree: tuple[Path, Path]) -> None:
    inp, out = tree
    result = regen(inp, out, targets=("models", "stubs"))
    assert result.rendered == ["kinesis", "sagemaker"]
    assert not (out / PKG / "kinesis" / "validators.py").exists()
    assert not (out / "docs").exists()


@pytest.mark.parametrize("fail_after", [0, 3, 9])
def test_failure_between_writes_converges(
    tree: tuple[Path, Path], reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_after: int
) -> None:
    inp, out = tree
    (inp / EXTRA).write_bytes((reference / EXTRA).read_bytes())
    (inp / "sagemaker/client/delete_endpoint.rst").unlink()
    real = write.atomic_write
    count = 0

    def failing(path: Path, data: bytes, durable: bool = False, mode: int | None = None) -> None:
        nonlocal count
        count += 1
        if count > fail_after:
            raise OSError(28, "No space left on device", str(path))
        real(path, data, durable, mode)

    monkeypatch.setattr(write, "atomic_write", failing)
    with pytest.raises(emit_package.BuildError):
        regen(inp, out)
    monkeypatch.setattr(write, "atomic_write", real)
    regen(inp, out)
    assert digest(out) == clean_run(tmp_path, reference, (PAGES | {EXTRA}) - {"sagemaker/client/delete_endpoint.rst"})
    assert regen(inp, out).up_to_date


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from codegen.pipeline import run, write

    limit, count, real = int(sys.argv[3]), 0, write.atomic_write

    def dying(path, data, durable=False, mode=None):
        global count
        count += 1
        if count > limit:  # die mid-write: a half-written temp file, no rename
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.parent / f".{path.name}.x1y2.tmp").write_bytes(data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        real(path, data, durable, mode)

    write.atomic_write = dying
    run.regenerate([Path(sys.argv[1])], Path(sys.argv[2]), "%s")
    """
    % PKG
)


@pytest.mark.parametrize("kill_after", [2, 7])
def test_kill_9_mid_run_converges(
    tree: tuple[Path, Path], reference: Path, tmp_path: Path, kill_after: int
) -> None:
    inp, out = tree
    (inp / EXTRA).write_bytes((reference / EXTRA).read_bytes())
    (inp / "kinesis/client/untag_resource.rst").unlink()
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(inp), str(out), str(kill_after)], capture_output=True, text=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert list(out.rglob(".*.tmp"))  # the run really died mid-write
    regen(inp, out)
    assert digest(out) == clean_run(tmp_path, reference, (PAGES | {EXTRA}) - {"kinesis/client/untag_resource.rst"})


def test_watch_calls_back_once_per_settled_change(tmp_path: Path, reference: Path) -> None:
    inp = make_input(tmp_path / "in", reference, {"kinesis/client/list_streams.rst"})
    seen: list[list[str]] = []
    stop = threading.Event()

    def on_change(what: list[str]) -> None:
        seen.append(what)
        stop.set()

    thread = threading.Thread(target=watch.watch, args=([inp], on_change, 0.02, 0.1, stop))
    thread.start()
    time.sleep(0.1)
    target = inp / EXTRA
    for _ in range(3):  # a burst of writes: one callback
        target.write_bytes((reference / EXTRA).read_bytes())
        time.sleep(0.02)
    thread.join(timeout=10)
    stop.set()
    assert not thread.is_alive()
    assert seen == [[f"added {target}"]]


def test_watch_changes_lists() -> None:
    before = {"a": (1, 1), "b": (1, 1)}
    after = {"b": (2, 1), "c": (1, 1)}
    assert watch.changes(before, after) == ["removed a", "modified b", "added c"]


def test_regenerate_outputs_are_independent_of_order(tmp_path: Path, reference: Path) -> None:
    """Building up page by page gives the same tree as one clean run."""
    inp = tmp_path / "in"
    out = tmp_path / "out"
    pages = sorted(PAGES)
    for i in range(1, len(pages) + 1, 2):
        make_input(inp, reference, set(pages[:i]))
        regen(inp, out)
    make_input(inp, reference, PAGES)
    regen(inp, out)
    assert digest(out) == clean_run(tmp_path, reference, PAGES)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="POSIX signals")
@pytest.mark.parametrize("sigint", ["default", "ignored"])
def test_cli_watch_exits_cleanly_on_ctrl_c(tmp_path: Path, reference: Path, sigint: str) -> None:
    """Also when the watch inherits SIGINT ignored, as a job a script starts in the
    background (`codegen watch &`) does: `kill -INT` still ends it."""
    inp = make_input(tmp_path / "in", reference, {"kinesis/client/list_streams.rst"})
    out = tmp_path / "out"

    def inherit() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN if sigint == "ignored" else signal.SIG_DFL)

    proc = subprocess.Popen(
        [sys.executable, "-m", "codegen.cli", "watch", str(inp), "--out", str(out), "--package-name", PKG,
         "--interval", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, preexec_fn=inherit,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / ".codegen" / "manifest.json.gz").is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        (inp / EXTRA).parent.mkdir(parents=True, exist_ok=True)
        (inp / EXTRA).write_bytes((reference / EXTRA).read_bytes())
        while not (out / "docs/kinesis/add_tags_to_stream.md").is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (out / "docs/kinesis/add_tags_to_stream.md").is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert f"added {inp / EXTRA}" in stdout


def test_stale_temp_files_do_not_leak(tree: tuple[Path, Path]) -> None:
    inp, out = tree
    junk = out / PKG / "kinesis" / ".models.py.abc.tmp"
    junk.write_text("half")
    regen(inp, out)
    assert not junk.exists()
    os.sync()


def test_hand_edited_file_of_removed_operation_is_kept(tree: tuple[Path, Path]) -> None:
    inp, out = tree
    doc = out / "docs/kinesis/list_streams.md"
    doc.write_text(doc.read_text() + "\nMy notes.\n")
    (inp / "kinesis/client/list_streams.rst").unlink()
    result = regen(inp, out)
    assert [c.file for c in result.conflicts] == ["docs/kinesis/list_streams.md"]
    assert doc.read_text().endswith("My notes.\n")
    assert regen(inp, out).conflicts  # reported again until resolved
    forced = regen(inp, out, force=True)
    assert forced.removed == ["docs/kinesis/list_streams.md"]
    assert not doc.exists()
    assert (out / "docs/kinesis/list_streams.md.orig").read_text().endswith("My notes.\n")
    assert regen(inp, out).up_to_date


def test_output_made_before_the_manifest(tree: tuple[Path, Path]) -> None:
    """An output with only the plain file list (no .codegen/): nothing is lost."""
    inp, out = tree
    listed = mf.load(out)
    assert listed is not None
    (out / mf.LEGACY_LISTING).write_text("".join(f"{rel}\n" for rel in listed.tracked()))
    shutil.rmtree(out / ".codegen")
    models = out / PKG / "kinesis" / "models.py"
    mine = models.read_text() + "\nX = 1\n"
    models.write_text(mine)
    result = regen(inp, out)
    assert result.written == [f"{PKG}/kinesis/models.py"]  # the others were already right
    assert (out / f"{PKG}/kinesis/models.py.orig").read_text() == mine
    assert not (out / mf.LEGACY_LISTING).exists()  # the manifest replaces it
    assert regen(inp, out).up_to_date


def test_dry_run_writes_nothing(tree: tuple[Path, Path], reference: Path) -> None:
    inp, out = tree
    (inp / EXTRA).write_bytes((reference / EXTRA).read_bytes())
    before = digest(out)
    stamps = mtimes(out)
    result = regen(inp, out, dry_run=True)
    assert not result.up_to_date and "docs/kinesis/add_tags_to_stream.md" in result.stale
    assert digest(out) == before and mtimes(out) == stamps


def test_the_last_steps_hold_signals_with_other_threads_running() -> None:
    """CHANGES.md, its trees and the manifest are written together (tests/test_kill.py):
    a SIGTERM that the kernel hands to another thread of the process (a listener, a
    pool's) waits for the end of that block too, then reaches its handler once."""
    seen: list[int] = []
    idle = threading.Event()
    other = threading.Thread(target=idle.wait, daemon=True)
    other.start()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        for _ in range(5):
            seen.clear()
            with write.signals_held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.02)
                assert seen == []
            assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
        idle.set()
        other.join()
