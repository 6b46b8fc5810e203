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
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import InvalidStateError, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any

from codegen.forks import kill_me_with_parent

# What the fork server imports once, before it forks any worker: a worker then starts
# with codegen's modules (docutils, jinja2, the templates' environment) loaded.
PRELOAD = ["codegen.pipeline.unit"]


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
    kill_me_with_parent()
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
