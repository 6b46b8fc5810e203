"""Worker processes: every process pool of codegen is made here.

Two guarantees the pools of the standard library do not give by default:

* No worker inherits the output's lock (or any other descriptor of the main process).
  Workers start from a fork server (a fresh interpreter that imported codegen once,
  started with only the descriptors it needs), not from a fork of the main process,
  which would copy its descriptors, the flock on `.codegen/lock` among them, and keep
  the lock held for as long as an orphaned worker lives. Spawn where there is no fork
  server.
* Workers die with the main process. A worker that outlives it (`kill -9`, `timeout`'s
  SIGTERM) would go on writing into the output. On Linux the kernel kills a worker
  whose parent dies (PR_SET_PDEATHSIG; the fork server itself exits when the main
  process does); everywhere, a thread in each worker waits on the main process's
  sentinel (a pipe that the main process holds open) and ends the worker when it
  closes. `stop` ends them at once when the main process itself stops (a signal, an
  error): a pool's `shutdown` would wait for the running tasks.

Workers ignore SIGINT: Ctrl-C reaches the whole process group, and it is the main
process that stops them (no traceback from every worker).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import InvalidStateError, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

_A = TypeVar("_A")
_B = TypeVar("_B")

# What the fork server imports once, before it forks any worker: a worker then starts
# with codegen's modules (docutils, jinja2, the templates' environment) loaded.
PRELOAD = ["codegen.pipeline.unit"]

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def cores() -> int:
    """The cores this process may run on: the default number of workers."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def context() -> BaseContext:
    """The multiprocessing context of every worker (and of what is shared with them:
    a queue must come from the same context as the pool that receives it)."""
    ctx = multiprocessing.get_context(start_method())
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)  # (no effect once the server runs)
    return ctx


@contextmanager
def pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """A ProcessPoolExecutor of `jobs` workers (see the module docstring). When the
    block raises (a signal turned into an exception, an error, a consumer that stops
    early), the workers are stopped at once, not waited for."""
    ctx = context()
    before = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_start_worker, initargs=(initializer, initargs)
    )
    try:
        yield executor
    except BaseException:
        with _cancelled_futures_ignored():
            stop(set(multiprocessing.active_children()) - before)
            executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


@contextmanager
def _cancelled_futures_ignored() -> Iterator[None]:
    """The pool's manager thread, seeing workers stopped, fails their pending futures;
    in Python 3.11 it also tries futures that were cancelled (by Executor.map as the
    exception went through it), raises InvalidStateError and dies with a traceback on
    stderr (later versions ignore those futures). The same, without the traceback."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not InvalidStateError:
            previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


def stop(processes: set[multiprocessing.process.BaseProcess]) -> None:
    """End worker processes now (SIGTERM: they hold no lock and write through temp
    files, which the next run, or the main process, removes) and reap them."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():  # pragma: no cover - ignored SIGTERM
            process.kill()
            process.join()


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    _kill_me_with_parent()
    if parent is not None:
        # After the prctl: a parent that died before it would never send the signal.
        if not parent.is_alive():
            os._exit(1)
        threading.Thread(target=_exit_with, args=(parent,), name="codegen-watchdog", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns when the parent's sentinel closes: it is gone
    os._exit(1)


def _kill_me_with_parent() -> None:
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
    inherits the data and sends back only its result; it holds no descriptor of this
    process but its pipe (not the output's lock), ignores Ctrl-C and dies with this
    process. `there()` runs here, after `here()`, where the copy cannot be made or does
    not deliver in time: the result is the same either way (both are pure functions of
    what the copy inherits)."""
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
        _deliver(there, write_end, parent)
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


def _deliver(there: Callable[[], object], pipe: int, parent: int) -> None:  # pragma: no cover - the child
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _kill_me_with_parent()
        if os.getppid() != parent:  # (gone before the prctl: no signal will come)
            return
        os.closerange(3, pipe)
        os.closerange(pipe + 1, os.sysconf("SC_OPEN_MAX"))
        view = memoryview(pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL))
        while view:
            view = view[os.write(pipe, view):]
        code = 0
    finally:
        os._exit(code)
