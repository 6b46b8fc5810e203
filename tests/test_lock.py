"""Runs on one output folder take turns (codegen/pipeline/lock.py): first runs too, a waiting run
says so once with the holder's pid, `--lock-timeout` gives up with one error line, and a
lock goes with the process that held it."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegen.cli import main
from codegen.emit import package as emit_package
from codegen.pipeline import lock
from gen_support import models_text, parse_ok
from test_kill import SERVICES, assert_gone, assert_unlocked, wait_for_workers

PKG = "typed_lock"
SEED = Path(__file__).parent.parent / "input" / "sagemaker" / "client" / "create_model_package.rst"
WAITING = re.compile(r"^waiting for another run \(pid (\d+)\) on (.+)$")


def generate(inp: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "codegen.cli", "generate", str(inp), "--out", str(out), "--package-name", PKG,
         "--quiet", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from codegen.pipeline import lock
    with lock.hold(Path(sys.argv[1])):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes stdin (or kills this process)
    """
)


def hold_lock(out: Path) -> subprocess.Popen[str]:
    """Another process that holds the lock of `out` until its stdin is closed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def waiting_lines(stderr: str) -> list[re.Match[str]]:
    return [m for line in stderr.splitlines() if (m := WAITING.match(line))]


def test_two_first_runs_take_turns(reference: Path, tmp_path: Path) -> None:
    """Two runs into a folder that does not exist yet, started together: one makes the
    output, the other waits for it and then has nothing to do; CHANGES.md has the
    service's section once."""
    inp = tmp_path / "in"
    shutil.copytree(reference / "dynamodb", inp / "dynamodb")
    out = tmp_path / "new" / "out"
    runs = [generate(inp, out), generate(inp, out)]
    results = [proc.communicate(timeout=120) for proc in runs]
    for proc, (stdout, stderr) in zip(runs, results):
        assert proc.returncode == 0, stderr
    changes = (out / "CHANGES.md").read_text()
    assert len(re.findall(r"^## dynamodb: ", changes, flags=re.M)) == 1, changes
    written = sorted(int(re.search(r"\((\d+) written", stdout).group(1)) for stdout, _ in results)  # type: ignore[union-attr]
    assert written[0] == 0 and written[1] > 0
    # The one that waited said so once, with the other's pid.
    waits = [(proc, waiting_lines(stderr)) for proc, (_, stderr) in zip(runs, results)]
    assert sorted(len(found) for _, found in waits) == [0, 1], results
    waiter, (found,) = next((proc, found) for proc, found in waits if found)
    other = next(proc for proc in runs if proc is not waiter)
    assert int(found.group(1)) == other.pid and found.group(2) == str(out)
    assert (out / ".codegen" / "lock").read_bytes() == b""  # no run going: no pid


def test_lock_timeout_gives_up_with_one_error_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = hold_lock(out)
    try:
        started = time.monotonic()
        res = CliRunner().invoke(main, ["generate", str(SEED), "--out", str(out), "--lock-timeout", "1"])
        waited = time.monotonic() - started
        check = CliRunner().invoke(main, ["check", str(SEED), "--out", str(out), "--lock-timeout", "0.2"])
    finally:
        holder.communicate(input="", timeout=10)
    assert res.exit_code == 1 and "Traceback" not in res.output
    lines = res.stderr.splitlines()
    assert [m.group(1) for m in waiting_lines(res.stderr)] == [str(holder.pid)]
    errors = [line for line in lines if line.startswith("error: ")]
    assert errors == [f"error: {out}: another run (pid {holder.pid}) holds the lock; gave up after 1 s (--lock-timeout)"]
    assert len(lines) == 2 and 1 <= waited < 10
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [".codegen", ".codegen/lock"]
    # `check` reads under a shared lock: it waits for a `generate` too (exit 2: not an answer).
    assert check.exit_code == 2 and check.stderr.splitlines()[-1].startswith(f"error: {out}: another run")


def test_a_waiting_run_goes_on_when_the_holder_dies(tmp_path: Path) -> None:
    """By default a run waits, as long as it takes; a holder killed with SIGKILL lets it go."""
    out = tmp_path / "out"
    holder = hold_lock(out)
    waiter = generate(SEED, out)
    try:
        assert waiter.stderr is not None
        ready, _, _ = select.select([waiter.stderr], [], [], 30)
        first = waiter.stderr.readline() if ready else ""
        time.sleep(0.5)
        assert waiter.poll() is None  # still waiting
        holder.kill()  # the main process only: nothing else held the lock
        holder.wait(10)
        stdout, stderr = waiter.communicate(timeout=60)
    finally:
        waiter.kill()
        holder.kill()
    assert waiter.returncode == 0, stderr
    assert [m.group(1) for m in waiting_lines(first + stderr)] == [str(holder.pid)]
    files = emit_package.render_package(parse_ok(SEED), PKG)
    assert f"{len(files)} written" in stdout  # the whole package


def test_a_failed_first_run_removes_its_folder_and_a_waiter_still_locks(tmp_path: Path) -> None:
    """A first run that fails before writing anything removes the folder it made for the
    lock; a run that was waiting on that lock file starts over on a new one, so that it
    is really exclusive (a third run cannot get in)."""
    out = tmp_path / "new" / "out"
    got = threading.Event()
    release = threading.Event()
    waits: list[str] = []

    def second() -> None:
        with lock.hold(out, on_wait=waits.append):
            got.set()
            release.wait(10)

    waiter = threading.Thread(target=second)
    with pytest.raises(RuntimeError):
        with lock.hold(out):
            waiter.start()
            deadline = time.monotonic() + 10
            while not waits and time.monotonic() < deadline:
                time.sleep(0.01)
            raise RuntimeError("the run failed before writing anything")
    try:
        assert got.wait(10)
        assert waits == [f"waiting for another run (pid {os.getpid()}) on {out}"]
        assert lock.lock_path(out).is_file()  # made again by the waiter
        with pytest.raises(lock.LockTimeout):
            with lock.hold(out, timeout=0.2, on_wait=lambda message: None):
                pass
    finally:
        release.set()
        waiter.join(10)
    with lock.hold(out, timeout=1):  # released
        pass


def test_a_failed_first_run_leaves_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    with pytest.raises(RuntimeError):
        with lock.hold(out):
            raise RuntimeError
    assert not (tmp_path / "new").exists()


def test_ctrl_c_stops_generate_with_130(reference: Path, tmp_path: Path) -> None:
    """Ctrl-C: SIGINT to the whole process group (main, fork server, workers). The main
    process stops the workers; one line, exit 130, no temp file, the lock free."""
    inp = tmp_path / "in"
    for service in SERVICES:
        shutil.copytree(reference / service, inp / service)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "codegen.cli", "generate", str(inp), "--out", str(out), "--package-name", PKG,
         "--quiet", "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    busy = wait_for_workers(proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert_gone(busy, within=5)
    assert proc.returncode == 130, stderr
    assert stderr.splitlines() == ["error: stopped by SIGINT; nothing is left half-written"]
    if out.exists():
        assert_unlocked(out)
        assert not list(out.rglob(".*.tmp"))
    # else: stopped while its workers were still parsing, this first run had written
    # nothing, and took away the folder it had made for the lock


def test_a_lock_file_that_is_a_link_is_refused(tmp_path: Path) -> None:
    """An output from a pull request may carry `.codegen/lock` as a link: the run must not
    empty (or lock) the file it points at; one error line, exit 1."""
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    (out / ".codegen").mkdir(parents=True)
    (out / ".codegen" / "lock").symlink_to(victim)
    res = CliRunner().invoke(main, ["generate", str(SEED), "--out", str(out)])
    assert res.exit_code == 1
    (line,) = res.stderr.splitlines()
    assert line.startswith(f"error: {out / '.codegen' / 'lock'}: cannot write: "), line
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in out.iterdir()) == [".codegen"]


@pytest.mark.parametrize("command,code", [("generate", 1), ("check", 2)])
def test_a_state_folder_that_is_a_link_is_refused(tmp_path: Path, command: str, code: int) -> None:
    """The same for `.codegen/` itself, linked to a folder elsewhere (the lock, manifest,
    parse cache and pristine copies would all be written there): one error line, and
    nothing in that folder is touched."""
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["generate", str(SEED), "--out", str(out), "-q"]).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    shutil.move(out / ".codegen", elsewhere)
    (out / ".codegen").symlink_to(elsewhere)
    before = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    times = {p: p.stat().st_mtime_ns for p in before}
    res = CliRunner().invoke(main, [command, str(SEED), "--out", str(out)])
    assert res.exit_code == code
    (line,) = res.stderr.splitlines()
    assert line == f"error: {out / '.codegen'}: cannot write: a symbolic link: refused, not followed"
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == before
    assert {p: p.stat().st_mtime_ns for p in before} == times
    assert (out / ".codegen").is_symlink()


@pytest.mark.parametrize("state", [".codegen/manifest.json.gz", ".codegen/trees/sagemaker.json.xz"])
def test_a_fifo_in_place_of_a_state_file_is_no_hang(tmp_path: Path, state: str) -> None:
    """The files an output keeps for itself come with it from a pull request: a FIFO in
    place of one would block its read for ever. It is taken as a missing file."""
    inp = tmp_path / "in" / "sagemaker" / "client"
    inp.mkdir(parents=True)
    shutil.copyfile(SEED, inp / "create_model_package.rst")
    out = tmp_path / "out"
    assert generate(tmp_path / "in", out).wait(timeout=120) == 0
    (out / state).unlink()
    os.mkfifo(out / state)
    page = inp / "create_model_package.rst"
    page.write_text(page.read_text().replace("'Logged'|'Registered'", "'Logged'|'Registered'|'Other'"))
    proc = generate(tmp_path / "in", out)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "Traceback" not in stderr
    assert '"Other"' in models_text(out / PKG / "sagemaker")
    assert (out / state).is_file()
