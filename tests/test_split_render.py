"""A small change renders its service in two halves, one in a forked copy of the process
(codegen.forks.side_by_side, called by the unit when it runs in the main process and
the workers have nothing to do): the output is what one process makes, byte for byte;
the copy holds none of the process's descriptors but its pipe; a copy that fails, or
that cannot be made, changes nothing but the time."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gen_support import AFTER, BEFORE, EDITED, copy_pages

from codegen import forks
from codegen.pipeline import run, unit

PKG = "typed_split"
PAGES = (
    "kinesis/client/untag_resource.rst",
    "kinesis/client/list_streams.rst",
    "kinesis/client/describe_stream.rst",
    "kinesis/client/put_records.rst",
)


def test_the_second_half_runs_in_another_process() -> None:
    me = os.getpid()
    assert forks.side_by_side(os.getpid, os.getpid)[0] == me
    assert forks.side_by_side(os.getpid, os.getpid)[1] != me
    # (the copy's result comes back whole, however large)
    big = "x" * (3 << 20)
    assert forks.side_by_side(lambda: 1, lambda: {"a": big, "b": [big]}) == (1, {"a": big, "b": [big]})


def _in_copy_only(effect: Callable[[], object]) -> Callable[[], str]:
    me = os.getpid()

    def there() -> str:
        if os.getpid() != me:
            effect()
        return f"made by {os.getpid()}"

    return there


@pytest.mark.parametrize(
    "effect",
    [
        pytest.param(lambda: (_ for _ in ()).throw(RuntimeError("the copy fails")), id="raises"),
        pytest.param(lambda: os.kill(os.getpid(), signal.SIGKILL), id="killed"),
        pytest.param(lambda: os._exit(0), id="exits-without-a-result"),
    ],
)
def test_what_the_copy_does_not_deliver_is_made_here(effect: Callable[[], object]) -> None:
    assert forks.side_by_side(lambda: 1, _in_copy_only(effect)) == (1, f"made by {os.getpid()}")


def _wait_for(started: Path) -> None:
    """Until the copy has written its pid to `started`."""
    deadline = time.monotonic() + 30
    while not started.exists() or not started.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_copy_that_hangs_is_killed_and_its_half_made_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forks, "PATIENCE", 0.5)
    started = tmp_path / "started"

    def hang() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(120)

    def here() -> int:
        _wait_for(started)
        return 1

    began = time.monotonic()
    assert forks.side_by_side(here, _in_copy_only(hang)) == (1, f"made by {os.getpid()}")
    assert time.monotonic() - began < 60
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(int(started.read_text()), 0)


def test_the_copy_holds_no_descriptor_but_its_pipe(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)

        def descriptors() -> list[str]:
            links = []
            for fd in sorted(int(fd) for fd in os.listdir("/proc/self/fd")):
                try:
                    links.append(os.readlink(f"/proc/self/fd/{fd}") if fd > 2 else "")
                except FileNotFoundError:  # (the one listdir had open)
                    pass
            return [link for link in links if link]

        _, theirs = forks.side_by_side(lambda: None, descriptors)
    assert len(theirs) == 1 and theirs[0].startswith("pipe:"), theirs


def test_an_error_here_ends_the_copy_at_once(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def there() -> int:
        started.write_text(str(os.getpid()))
        time.sleep(120)
        return 0

    def here() -> None:
        _wait_for(started)
        raise KeyboardInterrupt

    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        forks.side_by_side(here, there)
    assert time.monotonic() - began < 60
    with pytest.raises(ProcessLookupError):  # killed and reaped: not even a zombie is left
        os.kill(int(started.read_text()), 0)


def test_no_copy_while_another_thread_runs() -> None:
    # (a fork copies the calling thread alone: a lock another thread holds would stay held)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert forks.side_by_side(os.getpid, os.getpid) == (os.getpid(), os.getpid())
    finally:
        stop.set()
        other.join()


def _generate_twice(root: Path, reference: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cold run, a hand edit, one page edited, and the run `jobs` makes of that."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(root / "cache"))
    pages = copy_pages(reference, root / "in", PAGES)
    out = root / "out"
    run.regenerate([pages], out, PKG)
    client = out / PKG / "kinesis" / "client.pyi"
    client.write_text(client.read_text() + "\n# a hand edit\n")
    page = pages / EDITED
    assert BEFORE in page.read_bytes()
    page.write_bytes(page.read_bytes().replace(BEFORE, AFTER))
    done = run.regenerate([pages], out, PKG, jobs=jobs)
    assert done.rendered == ["kinesis"] and not done.errors
    return out


def _files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def test_a_split_rendering_writes_what_one_process_writes(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unit, "MEMO_AT_LEAST", 1)  # (kinesis's files kept, as a large service's)
    copies: list[tuple[int, Any]] = []
    real = forks.side_by_side

    def recording(here: Callable[[], Any], there: Callable[[], Any]) -> Any:
        marker = tmp_path / f"copy-{len(copies)}"

        def marked() -> Any:
            marker.write_text(str(os.getpid()))
            return there()

        result = real(here, marked)
        copies.append((int(marker.read_text()), result[1]))
        return result

    monkeypatch.setattr(forks, "side_by_side", recording)
    split = _generate_twice(tmp_path / "split", reference, 2, monkeypatch)
    # the page the edit changed, parsed by a copy while the parse cache is read here
    # (run.py); then one service, one split: its second half (models and docs) made in a copy
    assert len(copies) == 2 and all(pid != os.getpid() for pid, _ in copies)
    assert [(source, AFTER.decode() in str(op)) for source, _, op in copies[0][1]] == [(EDITED, True)]
    # (files rendered there; fingerprints of those it rendered or kept; those kept)
    made_there, prints, kept = copies[1][1]
    looked_at = set(made_there) | set(prints) | set(kept)
    assert any(rel.startswith("docs/kinesis/") for rel in looked_at)
    assert any("/_models/" in rel for rel in looked_at)
    assert not any(rel.endswith("client.pyi") or "/_validators/" in rel for rel in looked_at)
    assert kept and set(kept) <= set(prints)  # (pages the edit did not change: not rendered again)

    monkeypatch.setattr(forks, "side_by_side", real)
    whole = _generate_twice(tmp_path / "whole", reference, 1, monkeypatch)
    assert len(copies) == 2  # (one job: no copy)
    assert _files(split) == _files(whole)
    assert "# a hand edit" in (split / PKG / "kinesis" / "client.pyi").read_text()
    assert AFTER.decode() in made_there["docs/kinesis/describe_stream.md"]


def test_the_unit_splits_only_when_asked(tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(forks, "side_by_side", lambda here, there: calls.append(1) or (here(), there()))
    _generate_twice(tmp_path / "one", reference, 1, monkeypatch)
    assert calls == []
    # (the two halves make every part, once)
    assert sorted(unit._HERE + unit._THERE) == sorted(unit.SERVICE_PARTS)
