"""Reading a file codegen did not write itself, without being led elsewhere or kept waiting.

Pages, an output folder and the files named on a command line may come from a pull
request: a symbolic link there may lead to a secret, a FIFO blocks a read for ever, a
device never ends. The one reader of them all is here; each caller words the refusal
its own way (a page error, a conflict, an unusable state file). Stdlib only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Literal

# O_NONBLOCK: opening a FIFO swapped in after the stat does not wait for a writer.
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CHUNK = 1 << 20

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

Reason = Literal["os", "link", "type", "size"]


class NotRead(Exception):
    """A file not read. `reason`: "os" (the system refused: `error`), "link" (a symbolic
    link, not followed), "type" (not a regular file), "size" (over the limit). `why`: a
    few words for a message: the system's reason, "a symbolic link", "not a regular file
    (a FIFO)", "over N bytes". `before_open`: the refusal came from the stat, before
    anything was opened (for "os": not even the file's type is known)."""

    def __init__(self, reason: Reason, why: str, error: OSError | None = None, before_open: bool = False) -> None:
        super().__init__(why)
        self.reason: Reason = reason
        self.why = why
        self.error = error
        self.before_open = before_open


def read_regular(path: Path | str, *, follow_links: bool, limit: int | None = None) -> bytes:
    """The bytes of `path` if it is a regular file (through links when `follow_links`)
    of at most `limit` bytes, else NotRead. Nothing is opened before its type is known,
    and what was opened is checked again (it may have been swapped since)."""
    try:
        st = os.stat(path) if follow_links else os.lstat(path)
    except OSError as exc:
        raise NotRead("os", exc.strerror or str(exc), exc, before_open=True) from None
    _check(st, limit, before_open=True)
    try:
        fd = os.open(path, _FLAGS if follow_links else _FLAGS | _NO_FOLLOW)
    except OSError as exc:
        raise NotRead("os", exc.strerror or str(exc), exc) from None
    try:
        _check(os.fstat(fd), limit, before_open=False)
        return _read(fd, limit)
    except OSError as exc:
        raise NotRead("os", exc.strerror or str(exc), exc) from None
    finally:
        os.close(fd)


def _read(fd: int, limit: int | None) -> bytes:
    # (the file's type is checked first: io.FileIO refuses a folder its own way)
    with open(fd, "rb", buffering=0, closefd=False) as file:
        if limit is None:
            return file.readall()
        # In chunks, up to one byte over the limit: a file that grew since the fstat is
        # refused, not cut.
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0 and (chunk := file.read(min(left, _CHUNK))):
            chunks.append(chunk)
            left -= len(chunk)
    if left <= 0:
        raise NotRead("size", f"over {limit} bytes")
    return b"".join(chunks)


def _check(st: os.stat_result, limit: int | None, before_open: bool) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise NotRead("link", "a symbolic link", before_open=before_open)
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a file")
        raise NotRead("type", f"not a regular file ({kind})", before_open=before_open)
    if limit is not None and st.st_size > limit:
        raise NotRead("size", f"over {limit} bytes", before_open=before_open)
