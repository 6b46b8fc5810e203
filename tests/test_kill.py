"""A `generate -j 2` whose main process is killed (SIGKILL) or stopped (SIGTERM, what
`timeout` sends) while its workers are busy on an existing output: the workers go with
it, nothing keeps the output locked, and the next run converges to a clean run's tree."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codegen.pipeline import caches, lock, run, state as mf, write
from test_regenerate import digest

PKG = "typed_kill"
SERVICES = ("lambda", "dynamodb")  # two units of 117 and 79 real pages: a few seconds of work


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process; None when gone (a zombie is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[1]), fields[0]) if fields[0] not in ("Z", "X") else None


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            children.setdefault(st[0], []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _helper(pid: int) -> bool:
    """multiprocessing's fork server or resource tracker (started as `python -c "from
    multiprocessing.<module> import main; ..."`), as opposed to a worker."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return "-c" in [a.decode() for a in argv] and any(a.startswith(b"from multiprocessing.") for a in argv)


def workers_of(root: int) -> set[int]:
    """The pool's workers: processes below the main one but its helpers (a fork
    server's children are workers, though they carry its command line)."""
    found = set()
    for pid in descendants(root):
        st = _stat(pid)
        if st is not None and not (st[0] == root and _helper(pid)):
            found.add(pid)
    return found


@pytest.fixture(scope="module")
def outputs(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(input, an output made from it before every page changed, a clean output of the
    changed input). The change (a newline at the end of each page) makes every page
    parse again, while the tree, and so the output, stay the same."""
    root = tmp_path_factory.mktemp("kill")
    inp = root / "in"
    for service in SERVICES:
        shutil.copytree(reference / service, inp / service)
    before = root / "before"
    run.regenerate([inp], before, PKG, jobs=2)
    for page in inp.rglob("*.rst"):
        page.write_bytes(page.read_bytes() + b"\n")
    clean = root / "clean"
    run.regenerate([inp], clean, PKG, jobs=2)
    return inp, before, clean


def start_busy_run(inp: Path, out: Path) -> tuple[subprocess.Popen[str], set[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "codegen.cli", "generate", str(inp), "--out", str(out), "--package-name", PKG,
         "-j", "2", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    busy = wait_for_workers(proc)
    # No worker inherited the lock (nor any descriptor on the output's state).
    for pid in busy:
        held = open_files(pid)
        assert str(lock.lock_path(out)) not in held and str(out / ".codegen") not in held, held
    return proc, busy


def open_files(pid: int) -> set[str]:
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed meanwhile
            pass
    return found


def wait_for_workers(proc: subprocess.Popen[str]) -> set[int]:
    """The pids of the two workers of `proc`, once they have been at work a moment."""
    deadline = time.monotonic() + 30
    while len(busy := workers_of(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # the workers parse (every page changed): a unit takes seconds
    assert proc.poll() is None, "the run ended before it could be killed"
    assert len(busy) == 2, busy
    return busy


def parse_cache(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(caches.parsed_dir(out).iterdir())}


def assert_gone(pids: set[int], within: float) -> None:
    deadline = time.monotonic() + within
    while (alive := {pid for pid in pids if _stat(pid) is not None}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive, f"still running: {alive}"


def assert_unlocked(out: Path) -> None:
    fd = os.open(lock.lock_path(out), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises when anything still holds it
    finally:
        os.close(fd)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_run_frees_the_output_and_the_next_converges(
    outputs: tuple[Path, Path, Path], tmp_path: Path, sig: signal.Signals
) -> None:
    inp, before, clean = outputs
    out = tmp_path / "out"
    shutil.copytree(before, out)
    shutil.copytree(caches.parsed_dir(before), caches.parsed_dir(out))  # (its parse cache, kept outside it)
    proc, busy = start_busy_run(inp, out)
    helpers = descendants(proc.pid) - busy  # the fork server, the resource tracker
    os.kill(proc.pid, sig)  # the main process only, not its group
    try:
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert_gone(busy | helpers, within=5)
    assert_unlocked(out)
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        assert "Traceback" not in stderr
        assert stderr.splitlines() == [stderr.strip()] and stderr.startswith("error: stopped by SIGTERM"), stderr
        assert not list(out.rglob(".*.tmp"))  # the stopped workers' temp files are gone
    else:
        assert proc.returncode == -signal.SIGKILL
    # The workers were stopped, not left to finish their units: a unit's last step, saving
    # its parse cache, did not happen (and the manifest, saved last, is the old one).
    assert parse_cache(out) == parse_cache(before)
    assert digest(out) != digest(clean)

    rerun = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", str(inp), "--out", str(out), "--package-name", PKG,
         "-j", "2", "--quiet"],
        capture_output=True, text=True, timeout=60,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert digest(out) == digest(clean)


@pytest.mark.parametrize("command", ["parse", "diff"])
def test_sigterm_stops_parse_and_diff_and_their_workers(outputs: tuple[Path, Path, Path], command: str) -> None:
    """The other commands with workers stop the same way: workers gone, one line, 143."""
    inp = outputs[0]
    args = [str(inp / "lambda")] * (2 if command == "diff" else 1)
    proc = subprocess.Popen(
        [sys.executable, "-m", "codegen.cli", command, *args, "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    busy = wait_for_workers(proc)
    os.kill(proc.pid, signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert_gone(busy, within=5)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.splitlines() == ["error: stopped by SIGTERM; nothing is left half-written"]
    assert stdout == ""


def test_the_last_steps_hold_signals() -> None:
    """CHANGES.md, the trees it was computed from and the manifest are written together:
    a SIGTERM that comes meanwhile is delivered once they are all done."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with write.signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            assert seen == []
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
