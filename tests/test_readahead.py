"""Reading ahead in a forked copy (codegen.forks.meanwhile, codegen/pipeline/readahead.py):
the copy runs beside the block and is gone after it; a small change has the output's
folders and its service's files read ahead, and only those; the output is unchanged."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from gen_support import AFTER, BEFORE, EDITED, TWO_SERVICES, copy_pages

from codegen import forks
from codegen.pipeline import outscan, plan, readahead, run, state, unit

PKG = "typed_ahead"
PAGES = TWO_SERVICES

needs_a_fork = pytest.mark.skipif(not forks._can_fork(), reason="no fork here (one core, or no os.fork)")


def _mark(path: Path) -> None:
    """This process's pid in `path`, whole or not at all."""
    part = path.with_name(path.name + ".part")
    part.write_text(str(os.getpid()))
    os.replace(part, path)


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never came"
        time.sleep(0.01)


@needs_a_fork
def test_the_work_runs_in_a_copy_that_is_gone_after_the_block(tmp_path: Path) -> None:
    mark = tmp_path / "mark"

    def work() -> None:
        _mark(mark)
        time.sleep(120)  # (still at it when the block ends)

    began = time.monotonic()
    with forks.meanwhile(work):
        _wait_for(mark)
    assert time.monotonic() - began < 60
    copy = int(mark.read_text())
    assert copy != os.getpid()
    with pytest.raises(ProcessLookupError):  # killed and reaped: not even a zombie
        os.kill(copy, 0)


@needs_a_fork
def test_the_copy_is_gone_when_the_block_raises(tmp_path: Path) -> None:
    mark = tmp_path / "mark"
    with pytest.raises(KeyboardInterrupt):
        with forks.meanwhile(lambda: (_mark(mark), time.sleep(120))):
            _wait_for(mark)
            raise KeyboardInterrupt
    with pytest.raises(ProcessLookupError):
        os.kill(int(mark.read_text()), 0)


@needs_a_fork
def test_the_copy_holds_no_descriptor(tmp_path: Path) -> None:
    held = open(tmp_path / "lock", "w")  # (as the output's lock is held)
    mark = tmp_path / "fds"

    def work() -> None:
        fds = [fd for fd in os.listdir("/proc/self/fd") if int(fd) > 2]
        (tmp_path / "part").write_text(" ".join(fds))  # (one of them: the listing's own)
        os.replace(tmp_path / "part", mark)

    try:
        with forks.meanwhile(work):
            _wait_for(mark)
    finally:
        held.close()
    assert len(mark.read_text().split()) <= 1


def test_no_copy_beside_another_thread_nor_without_work(tmp_path: Path) -> None:
    ran: list[int] = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with forks.meanwhile(lambda: (tmp_path / "ran").write_text("")):
            time.sleep(0.2)
    finally:
        stop.set()
        other.join()
    with forks.meanwhile(None):
        ran.append(1)
    assert ran == [1] and not (tmp_path / "ran").exists()


def test_reading_ahead_reads_what_it_is_given_and_minds_no_error(tmp_path: Path) -> None:
    for n in range(40):
        (tmp_path / f"f{n}").write_bytes(b"x" * n)
    os.mkfifo(tmp_path / "fifo")  # (opened without blocking)
    (tmp_path / "link").symlink_to(tmp_path / "f1")  # (not followed)
    rels = [f"f{n}" for n in range(40)] + ["missing", "fifo", "link"]
    work = readahead.files(tmp_path, rels)
    assert work is not None
    work()  # (here: nothing raised, nothing hung)
    folders = readahead.folders(tmp_path, [""] * readahead.AT_LEAST)
    assert folders is not None
    folders()
    assert readahead.files(tmp_path, rels[: readahead.AT_LEAST - 1]) is None
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)


@needs_a_fork
def test_a_small_change_reads_ahead_the_folders_and_its_services_files(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(readahead, "AT_LEAST", 1)
    monkeypatch.setattr(outscan, "RACY_NS", 0)  # (the folders' listings kept at once)
    pages = copy_pages(reference, tmp_path / "in", PAGES)
    out = tmp_path / "out"
    run.regenerate([pages], out, PKG, jobs=2)
    old = state.load(out)
    assert old is not None
    kinesis = sorted(old.files["kinesis"])
    others = set(old.tracked()) - set(kinesis)
    assert kinesis and others
    folders = sorted(outscan.Listings(run._listings_path(out)).entries)
    assert "" in folders and f"{PKG}/kinesis/" in folders

    # What the copies look at, each path written down by the copy itself.
    log = tmp_path / "log"
    real_fetch, real_look_up = readahead._fetch, readahead._look_up

    def noting(real: object, kind: str) -> object:
        def look(path: str) -> None:
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                os.write(fd, f"{os.getpid()} {kind} {path}\n".encode())
            finally:
                os.close(fd)
            real(path)  # type: ignore[operator]

        return look

    monkeypatch.setattr(readahead, "_fetch", noting(real_fetch, "file"))
    monkeypatch.setattr(readahead, "_look_up", noting(real_look_up, "folder"))
    # (the block the folders are read ahead in is short: it waits here for the copy)
    real_affected = plan.affected_units

    def affected_once_read_ahead(*args: object) -> object:
        deadline = time.monotonic() + 60
        while not log.exists() or log.read_text().count(" folder ") < len(folders):
            assert time.monotonic() < deadline, "the folders were not read ahead"
            time.sleep(0.01)
        return real_affected(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(plan, "affected_units", affected_once_read_ahead)
    before = _package(out)
    page = pages / EDITED
    page.write_bytes(page.read_bytes().replace(BEFORE, AFTER))
    done = run.regenerate([pages], out, PKG, jobs=2)
    assert done.rendered == ["kinesis"] and not done.errors

    seen: dict[str, set[str]] = {"file": set(), "folder": set()}
    for line in log.read_text().splitlines():
        pid, kind, path = line.split(" ", 2)
        assert int(pid) != os.getpid()
        seen[kind].add(os.path.relpath(path, out) if path != os.path.join(out, "") else "")
    assert sorted(seen["file"]) == kinesis
    assert sorted(seen["folder"]) == sorted(rel.rstrip("/") for rel in folders)

    # One job: no copy. The output is what the run without them writes.
    monkeypatch.setattr(plan, "affected_units", real_affected)
    log.unlink()
    page.write_bytes(page.read_bytes().replace(AFTER, BEFORE))
    assert run.regenerate([pages], out, PKG, jobs=1).rendered == ["kinesis"]
    assert not log.exists()
    assert _package(out) == before


def _package(out: Path) -> dict[str, bytes]:
    """The package and its docs (not the state, nor CHANGES.md: the edit is in them)."""
    return {str(p.relative_to(out)): p.read_bytes() for top in (PKG, "docs") for p in (out / top).rglob("*") if p.is_file()}


def test_a_service_the_render_memo_keeps_is_not_read_ahead(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the render memo (unit.MEMO_AT_LEAST client operations), a small change keeps
    most of the service's files unread: reading them all ahead only slowed the run. A
    smaller service, every file of which is rendered and read, is read ahead."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    asked: list[int] = []
    real = readahead.files
    monkeypatch.setattr(readahead, "files", lambda out, rels: asked.append(len(rels)) or real(out, rels))
    pages = copy_pages(reference, tmp_path / "in", PAGES)
    out = tmp_path / "out"
    run.regenerate([pages], out, PKG, jobs=2)
    page = pages / EDITED
    for memo_at_least, text in ((1, AFTER), (len(PAGES) + 1, BEFORE)):
        monkeypatch.setattr(unit, "MEMO_AT_LEAST", memo_at_least)
        asked.clear()
        page.write_bytes(page.read_bytes().replace(AFTER if text == BEFORE else BEFORE, text))
        done = run.regenerate([pages], out, PKG, jobs=2)
        assert done.rendered == ["kinesis"] and not done.errors
        assert text.decode() in (out / "docs/kinesis/describe_stream.md").read_text()
        assert asked == ([] if memo_at_least == 1 else [len(state.load(out).files["kinesis"])])  # type: ignore[union-attr]
