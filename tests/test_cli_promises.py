"""What the README and docs/regenerate.md promise of the command line, run as a user runs
it (a `codegen` process, or click's runner where only the output matters) on real pages:
the seed page, moved to the same page of boto3 1.44.8 (the `reference` fixture).

Covered elsewhere, not repeated here: two runs taking turns on one output
(tests/test_lock.py::test_two_first_runs_take_turns), a missing INPUT as a usage error
for every command (tests/test_generate_package.py::test_cli_missing_input_is_a_usage_error).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pty
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegen.cli import main
from codegen.emit.models import MODELS_DIR, bucket_of
from codegen.pipeline import progress, run
from conftest import SEED

PKG = "typed_promises"
PAGE = "sagemaker/client/create_model_package.rst"
MODELS = f"{PKG}/sagemaker/{MODELS_DIR}/{bucket_of('Container')}.py"  # (the module defining Container)


def codegen(*args: str | Path, timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own (PYTHONPATH is passed along)."""
    return subprocess.run(
        [sys.executable, "-m", "codegen.cli", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, **kw,  # type: ignore[call-overload]
    )


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def seeded(tmp_path: Path) -> tuple[Path, Path]:
    """The seed page generated into `out` by the command line."""
    inp = tmp_path / "input"
    (inp / PAGE).parent.mkdir(parents=True)
    shutil.copyfile(SEED, inp / PAGE)
    out = tmp_path / "gen"
    first = CliRunner().invoke(main, ["generate", str(inp), "--out", str(out), "--package-name", PKG, "-j", "1", "-q"])
    assert first.exit_code == 0, first.output
    return inp, out


# --- generate on a conflicting hand edit ----------------------------------------------------


def test_generate_on_a_conflict_exits_1_with_a_short_diff(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    models = out / MODELS
    text = models.read_text()
    start = text.index("def to_dict(self", text.index("class Container(_Model):"))
    cut = text.index("\n", text.index('"""', start)) + 1  # after the method's docstring
    mine = text[:cut] + '        assert self.image != "", "never sent"\n' + text[cut:]
    models.write_text(mine)
    shutil.copyfile(reference / PAGE, inp / PAGE)  # 1.44.8 changes Container.to_dict too

    proc = codegen("generate", inp, "--out", out, "--package-name", PKG, "-j", "1", "-q")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    err = proc.stderr.splitlines()
    assert err[0] == f"conflict: {MODELS}: class Container: def to_dict: changed by hand and by the generator"
    report = err[1 : err.index(next(line for line in err if "conflicting hand edit(s)" in line))]
    assert all(line.startswith("    ") for line in report)  # indented under its `conflict:` line
    body = [line[4:] for line in report]
    yours, theirs = body.index("+++ yours"), body.index("+++ generator now")
    assert body[yours - 1] == body[theirs - 1] == "--- generated last time"
    assert '+    assert self.image != "", "never sent"' in body[yours:theirs]  # the user's hunk, dedented
    assert any(line.startswith("+") and "AdditionalModelDataSources" in line for line in body[theirs:])
    assert len(report) < 50  # hunks, not the method or the file
    assert err[-1].startswith("1 conflicting hand edit(s): those files were left as they are")
    assert proc.stdout.startswith(f"{out}: ")  # the rest went through
    assert models.read_text() == mine


# --- check cannot answer: exit 2 ----------------------------------------------------------


def _not_utf8(page: Path, tmp_path: Path) -> None:
    page.write_bytes(SEED.read_bytes().replace(b"The name of the model package.", b"Le nom du caf\xe9.", 1))


def _dangling_link(page: Path, tmp_path: Path) -> None:
    page.symlink_to(tmp_path / "elsewhere" / "gone.rst")  # outside the input, and gone


def _fifo(page: Path, tmp_path: Path) -> None:
    os.mkfifo(page)  # would block whoever opens it: never opened


@pytest.mark.parametrize("make", [_not_utf8, _dangling_link, _fifo], ids=["not-utf8", "dangling-link", "fifo"])
def test_check_exits_2_on_unreadable_input(seeded: tuple[Path, Path], tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    """README: `check` exits 2 when it cannot answer; each bad page gets one
    `error: FILE:LINE: message` line; nothing is written."""
    inp, out = seeded
    source = "sagemaker/client/create_other.rst"
    make(inp / source, tmp_path)
    before = digest(out)
    proc = codegen("check", inp, "--out", out, "-j", "1", timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "up to date" not in proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and re.match(rf"^error: {re.escape(source)}:\d+: \S", lines[0]), lines
    assert digest(out) == before


@pytest.mark.parametrize("make", [_dangling_link, _fifo], ids=["dangling-link", "fifo"])
def test_generate_reports_a_page_it_cannot_read(seeded: tuple[Path, Path], tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    """README: a page that cannot be read (never opened) is one error line, exit 1; its
    service keeps its previous output."""
    inp, out = seeded
    source = "sagemaker/client/create_other.rst"
    make(inp / source, tmp_path)
    before = digest(out)
    proc = codegen("generate", inp, "--out", out, "-j", "1", "-q", timeout=60)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert re.fullmatch(rf"error: {re.escape(source)}:1: [^\n]+", lines[0]), lines
    assert lines[1:] == ["1 error(s): the services of those pages were left as they were"], lines
    after = digest(out)
    # (the manifest records the error, so that the next run reports it again)
    assert after.pop(".codegen/manifest.json.gz") != before.pop(".codegen/manifest.json.gz")
    assert after == before


def test_check_exits_2_on_an_input_that_is_not_a_folder_or_a_page(seeded: tuple[Path, Path], tmp_path: Path) -> None:
    """INPUT itself a FIFO (tests run as root, to whom chmod 000 is no obstacle): refused,
    not opened; a dangling link as INPUT is a missing path (a usage error, also 2)."""
    _, out = seeded
    fifo = tmp_path / "pages.rst"
    os.mkfifo(fifo)
    proc = codegen("check", fifo, "--out", out, "-j", "1", timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.splitlines() == [f"error: {fifo}:1: not a regular file (a FIFO): not read"]
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone")
    proc = codegen("check", link, "--out", out, "-j", "1", timeout=60)
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1].endswith(f"Path '{link}' does not exist."), proc.stderr


# --- progress: a bar on a terminal, lines otherwise, nothing with --quiet --------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _generate_with(display: progress.Progress, out: Path) -> None:
    run.generate([SEED], out, PKG, jobs=1, progress=display)


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    stream = FakeTerminal()
    _generate_with(progress.for_stream(stream), tmp_path / "out")
    text = stream.getvalue()
    frames = text.split("\r\x1b[2K")
    assert frames[0] == "" and len(frames) >= 2, text  # every frame redraws the line in place
    assert re.match(r"^\[#+\] 1/1 pages \(100%\), \d+ pages/s, in \d+s\n$", frames[-1]), frames[-1]


def test_progress_lines_when_not_a_terminal(tmp_path: Path) -> None:
    stream = io.StringIO()
    display = progress.for_stream(stream)
    display.every = 0  # type: ignore[attr-defined]  # a line per step (else one every 5 s)
    _generate_with(display, tmp_path / "out")
    lines = stream.getvalue().splitlines(keepends=True)
    assert lines and all(re.match(r"^generate: \d+/1 pages \(\d+%\), ", line) for line in lines), lines
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
    assert lines[-1].startswith("generate: 1/1 pages (100%)")


def test_progress_nothing_when_quiet(tmp_path: Path) -> None:
    stream = FakeTerminal()
    _generate_with(progress.for_stream(stream, quiet=True), tmp_path / "out")
    assert stream.getvalue() == ""


def _on_a_terminal(*args: str | Path) -> tuple[int, str, str]:
    """Run codegen with stderr on a pseudo-terminal: (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "codegen.cli", *map(str, args)], stdout=subprocess.PIPE, stderr=slave, text=True
    )
    os.close(slave)
    got = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    stdout, _ = proc.communicate(timeout=60)
    return proc.returncode, stdout, got.decode()


def test_cli_progress_on_a_terminal_and_in_a_pipe(tmp_path: Path) -> None:
    base = ["generate", SEED, "--package-name", PKG, "-j", "1"]
    code, stdout, terminal = _on_a_terminal(*base, "--out", tmp_path / "tty")
    assert code == 0 and stdout.startswith(f"{tmp_path / 'tty'}: "), terminal
    assert "\r\x1b[2K[" in terminal and "1/1 pages (100%)" in terminal, terminal
    code, stdout, terminal = _on_a_terminal(*base, "--out", tmp_path / "quiet", "--quiet")
    assert code == 0 and stdout.startswith(f"{tmp_path / 'quiet'}: ")
    assert terminal == ""
    piped = codegen(*base, "--out", tmp_path / "pipe")
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stderr and "\x1b" not in piped.stderr  # a short run: no line at all
    assert piped.stderr == ""


# --- the "skipped (not a method page)" message ---------------------------------------------


def _service_index_page() -> str:
    """boto3's own index page of a service (the client's description, no method), as its
    documenter writes it; the toctree that follows, a Sphinx directive, is cut."""
    import tempfile

    import boto3
    from boto3.docs.service import ServiceDocumenter

    with tempfile.TemporaryDirectory() as tmp:
        page = ServiceDocumenter("kinesis", boto3.Session(region_name="us-east-1"), tmp).document_service()
    text = page.decode()
    return text[: text.index("These are the available methods:")]


def test_a_page_that_is_not_a_method_page_is_skipped(seeded: tuple[Path, Path]) -> None:
    inp, out = seeded
    index = _service_index_page()
    assert ".. py:class:: Kinesis.Client" in index
    (inp / "kinesis.rst").write_text(index)
    args = ["generate", str(inp), "--out", str(out), "-j", "1"]
    proc = codegen(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == ["skipped 1 page(s) that are not client, paginator or waiter method pages"]
    assert proc.stdout.strip().endswith("for sagemaker")  # the index made no service
    assert not (out / PKG / "kinesis").exists()
    assert codegen(*args, "--quiet").stderr == ""


# --- diff --include-docs --------------------------------------------------------------------


def test_diff_include_docs_from_the_command_line(tmp_path: Path, reference: Path) -> None:
    """Documentation changes appear with --include-docs only, and change nothing else."""
    new = tmp_path / "create_model_package.rst"
    text = (reference / PAGE).read_text()
    edited = text.replace("The name of the model package.", "The name of the model package, by hand.", 1)
    assert edited != text
    new.write_text(edited)

    def changes(*flags: str) -> list[tuple[str, tuple[str, ...]]]:
        res = CliRunner().invoke(main, ["diff", str(SEED), str(new), "--format", "json", "-j", "1", *flags])
        assert res.exit_code == 0, res.output
        return sorted((c["rule"], tuple(loc["path"] for loc in c["locations"])) for c in json.loads(res.stdout)["changes"])

    without, with_docs = changes(), changes("--include-docs")
    assert without and not [c for c in without if c[0] == "documentation-changed"]
    added = [c for c in with_docs if c not in without]
    assert added == [("documentation-changed", ("input.ModelPackageName",))]
    assert [c for c in with_docs if c[0] != "documentation-changed"] == without
    text_report = CliRunner().invoke(main, ["diff", str(SEED), str(new), "-j", "1", "--include-docs"])
    assert "documentation-changed  input.ModelPackageName" in text_report.stdout


# --- watch --debounce -----------------------------------------------------------------------


def _lines(stream: io.TextIOBase) -> queue.Queue[str]:
    found: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            found.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return found


def _until(found: queue.Queue[str], seen: list[str], pattern: str, within: float) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            line = found.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"no line matching {pattern!r} within {within} s: {seen}")


RESULT = r": \d+ written, \d+ removed"  # the line watch prints after each run


def test_watch_debounce_makes_one_run_of_a_burst(tmp_path: Path, reference: Path) -> None:
    inp = tmp_path / "input"
    (inp / PAGE).parent.mkdir(parents=True)
    shutil.copyfile(SEED, inp / PAGE)
    out = tmp_path / "gen"
    burst = ["sagemaker/client/delete_model.rst", "sagemaker/client/delete_endpoint.rst",
             "sagemaker/client/describe_model.rst"]
    debounce = 2.0
    proc = subprocess.Popen(
        [sys.executable, "-m", "codegen.cli", "watch", str(inp), "--out", str(out), "--package-name", PKG,
         "-j", "1", "--interval", "0.05", "--debounce", str(debounce)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        found = _lines(proc.stdout)
        _until(found, seen, RESULT, 120)  # the first run
        _until(found, seen, r"^watching ", 10)
        started = time.monotonic()
        for rel in burst:  # a burst: each change well within the debounce of the one before
            shutil.copyfile(reference / rel, inp / rel)
            time.sleep(0.2)
        _until(found, seen, RESULT, 120)
        assert time.monotonic() - started >= debounce  # it waited for the burst to settle
        time.sleep(debounce + 1)  # no second run after it
        while not found.empty():
            seen.append(found.get())
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    runs = [line for line in seen if re.search(RESULT, line)]
    assert len(runs) == 2, seen  # the first run, then one for the whole burst
    after_watching = seen[seen.index(next(line for line in seen if line.startswith("watching "))) + 1 :]
    assert after_watching[: len(burst)] == [f"added {inp / rel}" for rel in sorted(burst)]
    assert "sagemaker re-rendered" in runs[1]
    assert all((out / f"docs/{rel.replace('client/', '').replace('.rst', '.md')}").is_file() for rel in burst)


# --- the process's exit -----------------------------------------------------------------------


def test_the_command_ends_without_the_interpreters_teardown_unless_a_thread_runs(seeded: tuple[Path, Path]) -> None:
    """The `codegen` script (cli.entry) ends the process once the command is done, its
    output flushed and its status kept, skipping the interpreter's teardown (a large run
    frees its objects one by one there); not while another thread still runs."""
    inp, out = seeded
    script = "import atexit; atexit.register(print, 'teardown'); {thread}from codegen.cli import entry; entry()"
    # (a thread that runs until the main thread ends, however long the command takes)
    thread = (
        "import threading, time\n"
        "def wait():\n    while threading.main_thread().is_alive(): time.sleep(0.01)\n"
        "threading.Thread(target=wait).start()\n"
    )

    def run_as_script(setup: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script.format(thread=setup), *map(str, args)],
            capture_output=True, text=True, timeout=120,
        )

    checked = run_as_script("", "check", inp, "--out", out)
    assert checked.returncode == 0 and "up to date" in checked.stdout, checked.stdout + checked.stderr
    assert "teardown" not in checked.stdout
    refused = run_as_script("", "check", inp / "missing", "--out", out)
    assert refused.returncode == 2 and "does not exist" in refused.stderr and "teardown" not in refused.stdout
    waited = run_as_script(thread, "check", inp, "--out", out)
    assert waited.returncode == 0 and "up to date" in waited.stdout and "teardown" in waited.stdout
