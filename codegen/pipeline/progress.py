"""Progress of a long run: a bar on a terminal, plain periodic lines otherwise, or nothing.

The pipeline only calls `start(total)`, `advance(n, service)` and `finish()`; how that
shows (and how often) is decided here. Safe to call from a listener thread.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """Counts pages done; subclasses decide how to show it."""

    def __init__(self, label: str = "pages", stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.total = 0
        self.done = 0
        self.service = ""
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        with self._lock:
            self.total, self.done, self._started = total, 0, time.monotonic()

    def advance(self, count: int = 1, service: str = "") -> None:
        with self._lock:
            self.done += count
            if service:
                self.service = service
            self._show(final=False)

    def finish(self) -> None:
        with self._lock:
            if self.total:
                self._show(final=True)

    def status(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self.done / elapsed
        parts = [f"{self.done}/{self.total} {self.label}"]
        if self.total:
            parts[0] += f" ({100 * self.done // self.total}%)"
        parts.append(f"{rate:.0f} {self.label}/s")
        if self.done < self.total and rate > 0:
            parts.append(f"ETA {_duration((self.total - self.done) / rate)}")
        else:
            parts.append(f"in {_duration(elapsed)}")
        if self.service and self.done < self.total:
            parts.append(self.service)
        return ", ".join(parts)

    def _show(self, final: bool) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class Quiet(Progress):
    def _show(self, final: bool) -> None:
        pass


class Lines(Progress):
    """One plain line every `every` seconds (and at the end): for logs and CI."""

    def __init__(self, label: str = "pages", stream: TextIO | None = None, every: float = 5.0) -> None:
        super().__init__(label, stream)
        self.every = every
        self._last = 0.0
        self._shown = False

    def start(self, total: int) -> None:
        super().start(total)
        self._last = time.monotonic()

    def _show(self, final: bool) -> None:
        # A run shorter than `every` prints nothing; a longer one ends with a last line.
        now = time.monotonic()
        if (final and self._shown) or (not final and now - self._last >= self.every):
            self._last, self._shown = now, True
            self.stream.write(f"generate: {self.status()}\n")
            self.stream.flush()


class Bar(Progress):
    """A bar redrawn in place, at most ten times a second."""

    def __init__(self, label: str = "pages", stream: TextIO | None = None) -> None:
        super().__init__(label, stream)
        self._last = 0.0

    def _show(self, final: bool) -> None:
        now = time.monotonic()
        if not final and now - self._last < 0.1:
            return
        self._last = now
        width = shutil.get_terminal_size((80, 20)).columns
        status = self.status()
        room = max(10, min(40, width - len(status) - 4))
        filled = room * self.done // self.total if self.total else room
        line = f"[{'#' * filled}{'.' * (room - filled)}] {status}"[: width - 1]
        self.stream.write("\r\x1b[2K" + line + ("\n" if final else ""))
        self.stream.flush()


def for_stream(stream: TextIO, quiet: bool = False) -> Progress:
    """The right display for `stream`: nothing, a bar on a terminal, lines otherwise."""
    if quiet:
        return Quiet(stream=stream)
    if stream.isatty():
        return Bar(stream=stream)
    return Lines(stream=stream)
