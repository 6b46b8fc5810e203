"""Pages on disk → operations: finding pages, reading each, collecting errors.

The one place that turns paths into the shape tree, shared by `parse`, `generate` and
`diff`. A bad page becomes a PageError in the result; the other pages still go through.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codegen.rst.reader import NotAMethodPage, PageError, read_page
from codegen.tree import Operation


@dataclass(slots=True)
class ParseResult:
    operations: list[Operation] = field(default_factory=list)
    errors: list[PageError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def sorted_operations(self) -> list[Operation]:
        return sorted(self.operations, key=lambda op: op.sort_key)


def find_pages(path: Path) -> Iterator[tuple[Path, str]]:
    """(file, source name) for a page or every `*.rst` below a directory, sorted."""
    if path.is_dir():
        for page in sorted(path.rglob("*.rst")):
            yield page, page.relative_to(path).as_posix()
    else:
        yield path, path.as_posix()


def parse_pages(pages: Iterable[tuple[Path, str]]) -> ParseResult:
    result = ParseResult()
    for page, source in pages:
        try:
            result.operations.append(read_page(page, source))
        except NotAMethodPage:
            result.skipped.append(source)
        except PageError as exc:
            result.errors.append(exc)
        except OSError as exc:
            result.errors.append(PageError(source, 1, f"cannot read: {exc.strerror or exc}"))
    return result


def parse_paths(paths: Iterable[Path]) -> ParseResult:
    return parse_pages(page for path in paths for page in find_pages(path))
