"""The lock that makes runs on one output folder take turns: `<out>/.codegen/lock`.

An flock on that file, which the kernel releases when its holder dies, however it dies
(`kill -9` included): no stale lock to clean up. The descriptor is close-on-exec and no
worker is forked from the holder (codegen/workers.py), so no other process keeps it.
The file holds the holder's pid while a run is going (for the message of the run that
waits) and is emptied when it ends, its times put back, so that a finished output does
not depend on which process made it and a no-op run changes nothing.

A first run makes the output folder and `.codegen/` to hold the lock; when it fails
before writing anything, it removes them again (`abandon`). A run waiting on a lock
whose file was removed that way sees that the file it locked is no longer the one in
the folder, and starts over.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from codegen.pipeline.write import state_dir

LOCK_NAME = "lock"
_POLL = 0.1  # seconds between tries when a timeout is set
# The output (`.codegen/` included) may come from a pull request: a lock "file" that is a
# link (to a file the run would then empty) or a FIFO (that open would block on) is refused.
_FLAGS = os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class LockTimeout(Exception):
    """Another run held the lock for longer than the timeout."""

    def __init__(self, out: Path, pid: int | None, seconds: float) -> None:
        self.out, self.pid, self.seconds = out, pid, seconds
        who = f"another run (pid {pid})" if pid else "another run"
        super().__init__(f"{out}: {who} holds the lock; gave up after {seconds:g} s (--lock-timeout)")


def lock_path(out: Path) -> Path:
    return state_dir(out) / LOCK_NAME


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def hold(
    out: Path,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    shared: bool = False,
) -> Iterator[None]:
    """Hold the lock of `out` for the block: exclusive (a run that writes), or `shared`
    (a dry run: several may read at once; nothing is created, and an output without a
    lock file is not locked). Waits for the holder, saying so once through `on_wait`
    (default: a line on stderr), at most `timeout` seconds (None: for ever), else raises
    LockTimeout."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    path = lock_path(out)
    if os.path.islink(state_dir(out)):
        # (an output from a pull request whose `.codegen/` links elsewhere: the lock, the
        # manifest and the pristine copies would be written wherever it leads)
        raise OSError(errno.EINVAL, "a symbolic link: refused, not followed", str(state_dir(out)))
    made = _missing_folders(state_dir(out)) if not shared else []
    deadline = None if timeout is None else time.monotonic() + timeout
    told = False
    while True:
        if shared:
            try:
                fd = os.open(path, os.O_RDONLY | _FLAGS)
            except FileNotFoundError:
                yield
                return
        else:
            state_dir(out).mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _FLAGS, 0o644)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(path))
            mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
            if not _try(fd, mode | fcntl.LOCK_NB):
                if not told:
                    pid = _holder(fd)
                    (on_wait or _to_stderr)(f"waiting for another run ({f'pid {pid}' if pid else 'pid unknown'}) on {out}")
                    told = True
                if deadline is None:
                    fcntl.flock(fd, mode)
                else:
                    while not _try(fd, mode | fcntl.LOCK_NB):
                        if time.monotonic() >= deadline:
                            raise LockTimeout(out, _holder(fd), timeout or 0)
                        time.sleep(_POLL)
            if not _same_file(fd, path):  # removed by a first run that failed: start over
                os.close(fd)
                continue
        except BaseException:
            os.close(fd)
            raise
        break
    before = os.fstat(fd)
    try:
        if not shared:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        except BaseException:
            if made:
                _abandon(path, made)
            raise
    finally:
        try:
            if not shared:
                os.ftruncate(fd, 0)
                # Empty again, as it was: its times too, so that a no-op run touches nothing.
                os.utime(fd, ns=(before.st_atime_ns, before.st_mtime_ns))
        finally:
            os.close(fd)  # releases the lock


def _try(fd: int, mode: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, mode)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _holder(fd: int) -> int | None:
    """The pid the holder wrote, or None (it has just taken the lock and not yet written it)."""
    for _ in range(10):
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        time.sleep(0.02)
    return None


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    return missing


def _abandon(path: Path, made: list[Path]) -> None:
    """A first run failed: remove the lock file and the folders it made, when they hold
    nothing else (a run that wrote some files leaves them, and the next run finishes)."""
    try:
        if any(p != path for p in path.parent.iterdir()):
            return
        path.unlink()
        for folder in made:
            folder.rmdir()
    except OSError:
        pass
