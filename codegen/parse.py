"""Pages on disk → operations: finding pages, reading each, collecting errors.

The one place that turns paths into the shape tree, shared by `parse`, `generate` and
`diff`. A bad page becomes a PageError in the result; the other pages still go through.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


Outcome = Operation | PageError | str  # str: the source of a skipped page


def parse_one(page: Path, source: str) -> Outcome:
    try:
        return read_page(page, source)
    except NotAMethodPage:
        return source
    except PageError as exc:
        return exc
    except OSError as exc:
        return PageError(source, 1, f"cannot read: {exc.strerror or exc}")


def _parse_chunk(chunk: list[tuple[Path, str]]) -> list[Outcome]:
    return [parse_one(page, source) for page, source in chunk]


def parse_pages(pages: Iterable[tuple[Path, str]], jobs: int = 1) -> ParseResult:
    """Parse pages, in `jobs` worker processes when more than one; the result is
    the same, in the same order, whatever `jobs` is."""
    todo = list(pages)
    if jobs > 1 and len(todo) > 1:
        size = max(1, min(64, len(todo) // (jobs * 4)))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = [o for chunk in pool.map(_parse_chunk, chunks) for o in chunk]
    else:
        outcomes = _parse_chunk(todo)
    result = ParseResult()
    for outcome in outcomes:
        if isinstance(outcome, Operation):
            result.operations.append(outcome)
        elif isinstance(outcome, PageError):
            result.errors.append(outcome)
        else:
            result.skipped.append(outcome)
    return result


def parse_paths(paths: Iterable[Path], jobs: int = 1) -> ParseResult:
    return parse_pages((page for path in paths for page in find_pages(path)), jobs)
