"""Pages on disk → operations: finding pages, reading each, collecting errors.

The one place that turns paths into the shape tree, shared by `parse`, `generate` and
`diff`. A bad page becomes a PageError in the result; the other pages still go through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Generic, TypeVar

from codegen import workers
from codegen.rst.reader import NotAMethodPage, PageError, read_page
from codegen.tree import Operation


_T = TypeVar("_T")


@dataclass(slots=True)
class ParseResult(Generic[_T]):
    """`operations`: the operations, or what `keep` made of each (see parse_pages)."""

    operations: list[_T] = field(default_factory=list)
    errors: list[PageError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def sorted_operations(self: ParseResult[Operation]) -> list[Operation]:
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


def _parse_chunk(
    chunk: list[tuple[Path, str]], keep: Callable[[Operation], _T]
) -> list[tuple[_T | None, PageError | str | None]]:
    """(what `keep` made of the operation, None) or (None, error or skipped source)."""
    out: list[tuple[_T | None, PageError | str | None]] = []
    for page, source in chunk:
        outcome = parse_one(page, source)
        out.append((keep(outcome), None) if isinstance(outcome, Operation) else (None, outcome))
    return out


def _same(op: Operation) -> Operation:
    return op


def parse_pages(
    pages: Iterable[tuple[Path, str]],
    jobs: int = 1,
    keep: Callable[[Operation], _T] = _same,  # type: ignore[assignment]
    pool: Executor | None = None,
) -> ParseResult[_T]:
    """Parse pages, in `jobs` worker processes when more than one; the result is
    the same, in the same order, whatever `jobs` is. `keep` (a module-level function,
    run in the workers) turns each operation into what the caller needs of it, so that
    a whole reference need not be held in memory when only a summary is wanted. `pool`:
    worker processes to use (else `jobs` new ones, for this call)."""
    todo = list(pages)
    work = partial(_parse_chunk, keep=keep)
    if jobs > 1 and len(todo) > 1:
        size = max(1, min(64, len(todo) // (jobs * 4)))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        if pool is not None:
            outcomes = [o for chunk in pool.map(work, chunks) for o in chunk]
        else:
            with workers.pool(jobs) as own:
                outcomes = [o for chunk in own.map(work, chunks) for o in chunk]
    else:
        outcomes = work(todo)
    result: ParseResult[_T] = ParseResult()
    for kept, other in outcomes:
        if isinstance(other, PageError):
            result.errors.append(other)
        elif other is not None:
            result.skipped.append(other)
        else:
            result.operations.append(kept)  # type: ignore[arg-type]  # None only with `other`
    return result


def parse_paths(
    paths: Iterable[Path],
    jobs: int = 1,
    keep: Callable[[Operation], _T] = _same,  # type: ignore[assignment]
    pool: Executor | None = None,
) -> ParseResult[_T]:
    return parse_pages((page for path in paths for page in find_pages(path)), jobs, keep, pool)
