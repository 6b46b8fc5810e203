"""Finding and reading the input pages of `generate`, and grouping them into units.

A unit is a service folder in boto3's layout (`<service>/{client,paginator,waiter}/*.rst`):
what one worker parses, renders and writes (codegen/pipeline/unit.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from codegen.emit.package import BuildError
from codegen.parse import find_pages, read_page_bytes
from codegen.pipeline import write
from codegen.rst.reader import PageError


def unit_of(source: str) -> str:
    """The unit a page belongs to: its service folder in boto3's layout
    (`<service>/<kind>/<page>.rst`), else every page of the input together."""
    parts = source.split("/")
    return parts[0] if len(parts) >= 3 else ""


class Pages:
    """Every input page: source name → (path, sha256 of its bytes).

    Without `hashed` the pages are only listed (sha ""): with no earlier run to compare
    with, every unit is redone, and the workers hash each page as they read it, so the
    first workers start at once instead of after a pass over all the input."""

    def __init__(self, inputs: Sequence[Path], hashed: bool = True) -> None:
        self.paths: dict[str, Path] = {}
        self.sha: dict[str, str] = {}
        self.size: dict[str, int] = {}  # bytes: what a unit's work is reckoned by
        errors: list[str] = []
        for path in inputs:
            for page, source in find_pages(path):
                try:
                    if hashed:
                        data = read_page_bytes(page, source)
                        self.sha[source], self.size[source] = write.sha256(data), len(data)
                    else:
                        self.sha[source], self.size[source] = "", page.lstat().st_size
                except PageError:
                    # (a FIFO, a refused link, ...: its unit is redone, and reports it)
                    self.sha[source], self.size[source] = "unreadable", 0
                except OSError as exc:
                    errors.append(f"{source}:1: cannot read: {exc.strerror or exc}")
                self.paths[source] = page
        if errors:
            raise BuildError(errors)

    def units(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for source in self.sha:
            grouped.setdefault(unit_of(source), []).append(source)
        return grouped
