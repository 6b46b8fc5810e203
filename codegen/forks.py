"""Forked copies of the main process, for the second core when no pool is running.

Light on purpose (no multiprocessing): the CLI and a no-op run import it.

* `side_by_side(here, there)`: `there()` in a copy, `here()` here, at the same time;
  the copy's result comes back through a pipe.
* `meanwhile(work)`: `work()` in a copy while a block runs here, for its effect on the
  kernel alone (reading ahead what the block is about to read); nothing comes back.

A copy holds no descriptor of this process but its pipe (not the output's lock), ignores
Ctrl-C and dies with this process (PR_SET_PDEATHSIG on Linux). No copy is made while
another thread runs: a fork copies one thread, and a lock another one held would stay
held in the copy.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

_A = TypeVar("_A")
_B = TypeVar("_B")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def cores() -> int:
    """The cores this process may run on: the default number of workers."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def kill_me_with_parent() -> None:
    """This process gets SIGKILL when its parent dies (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog thread stays
        pass


def side_by_side(here: Callable[[], _A], there: Callable[[], _B]) -> tuple[_A, _B]:
    """`here()` in this process and `there()` in a forked copy of it, at the same time:
    the second core's share of one unit's rendering, when no pool is running. The copy
    inherits the data and sends back only its result. `there()` runs here, after
    `here()`, where the copy cannot be made or does not deliver in time: the result is
    the same either way (both are pure functions of what the copy inherits)."""
    if not _can_fork():
        return here(), there()
    parent = os.getpid()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return here(), there()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        _child(there, write_end, parent)
    os.close(write_end)
    data: bytes | None = None
    try:
        began = time.monotonic()
        first = here()
        # (the halves are even: a copy that is still at it after as long again, and a
        # few seconds, has hung or starved; the work is redone here rather than waited for)
        data = _receive(read_end, time.monotonic() + max(PATIENCE, time.monotonic() - began))
    finally:
        os.close(read_end)
        if data is None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if data is not None and os.waitstatus_to_exitcode(status) == 0:
        try:
            second: _B = pickle.loads(data)
            return first, second
        except Exception:  # pragma: no cover - a copy that wrote half its result
            pass
    return first, there()


PATIENCE = 10.0  # seconds side_by_side waits at least for the copy once its own half is done


@contextmanager
def meanwhile(work: Callable[[], object] | None) -> Iterator[None]:
    """`work()` in a forked copy of this process while the block runs (None, or no copy
    to be made: nothing). The copy only reads: it warms the kernel's caches with what
    the block is about to read from a cold disk, on a core the block leaves idle, while
    the block's own work goes on. It is killed and reaped at the block's end, done or not."""
    if work is None or not _can_fork():
        yield
        return
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        yield
        return
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        _child(work, None, parent)
    try:
        yield
    finally:
        try:
            os.kill(pid, signal.SIGKILL)  # (a copy that is done waits, unreaped, for this)
            os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):  # pragma: no cover - reaped by an os.wait() elsewhere
            pass


def _receive(pipe: int, deadline: float) -> bytes | None:
    """All the pipe's bytes, to its end; None when the deadline (time.monotonic) comes first."""
    chunks: list[bytes] = []
    poller = select.poll()  # (not select.select: no limit on the descriptor's number)
    poller.register(pipe, select.POLLIN)
    while (left := deadline - time.monotonic()) > 0:
        if not poller.poll(left * 1000):
            break
        chunk = os.read(pipe, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
    return None


def _can_fork() -> bool:
    # (a fork copies one thread: with others running, a lock one of them held stays held
    # in the copy; and cores() < 2 leaves no core for it)
    return hasattr(os, "fork") and threading.active_count() == 1 and cores() > 1


def _child(work: Callable[[], object], pipe: int | None, parent: int) -> None:  # pragma: no cover - the child
    """The copy: `work()`, its result pickled into `pipe` (None: dropped), then _exit."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        kill_me_with_parent()
        if os.getppid() != parent:  # (gone before the prctl: no signal will come)
            return
        if pipe is None:
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        else:
            os.closerange(3, pipe)
            os.closerange(pipe + 1, os.sysconf("SC_OPEN_MAX"))
        result = work()
        if pipe is not None:
            view = memoryview(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            while view:
                view = view[os.write(pipe, view):]
        code = 0
    finally:
        os._exit(code)
