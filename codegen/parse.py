"""Pages on disk → operations: finding pages, reading each, collecting errors.

The one place that turns paths into the shape tree, shared by `parse`, `generate` and
`diff`. A bad page becomes a PageError in the result; the other pages still go through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Generic, TypeVar

from codegen import gcpause, workers
from codegen.escape import printable
from codegen.pagefiles import find_pages, read_page_bytes
from codegen.rst.reader import NotAMethodPage, PageError
from codegen.rst.reader import parse_pages as parse_pages_data
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


Outcome = Operation | PageError | str  # str: the source of a skipped page (not a method page)


def parse_file(page: Path, source: str) -> tuple[str, Outcome]:
    """Read and parse one page: the sha256 of its bytes (its first 128 bits; "" when they could not be
    read) and the outcome: a bad page or file is a PageError, never an exception.
    (parse_files, of one page.)"""
    return parse_files([(page, source)])[0]


# Pages parsed together by docutils, in one document (reader.parse_pages): what a
# document of its own costs docutils is paid once for them. (8: on 40 services, a tenth
# of docutils' time saved; more pages save little more.)
GROUP = 8


def parse_files(pages: Sequence[tuple[Path, str]]) -> list[tuple[str, Outcome]]:
    """parse_file of each page, those that can be read parsed together (GROUP pages at
    most: see reader.parse_pages). The one way pages are parsed, by `parse`, `generate`
    (unit.py) and `diff`."""
    out: list[tuple[str, Outcome]] = []
    read: list[tuple[int, bytes, str]] = []
    for page, source in pages:
        try:
            data = read_page_bytes(page, source)
        except PageError as exc:  # not a regular file, too big, a refused link, unreadable
            out.append(("", exc))
            continue
        sha = hashlib.sha256(data).hexdigest()[:32]  # (128 bits, as pipeline/write.sha256)
        read.append((len(out), data, source))
        out.append((sha, source))
    for start in range(0, len(read), GROUP):
        group = read[start : start + GROUP]
        for (n, _, source), outcome in zip(group, parse_pages_data([(data, source) for _, data, source in group])):
            if isinstance(outcome, NotAMethodPage):
                out[n] = (out[n][0], source)
            else:
                out[n] = (out[n][0], outcome)
    return out


def read_page(path: Path, source: str | None = None) -> Operation:
    """One page file → its operation (PageError for a bad page or file)."""
    name = source or str(path)
    outcome = parse_file(path, name)[1]
    if isinstance(outcome, PageError):
        raise outcome
    if isinstance(outcome, str):
        raise NotAMethodPage(name)
    return outcome


Key = tuple[str, str, str]  # Operation.sort_key: (service, kind, name)


def _parse_chunk(
    chunk: list[tuple[Path, str]], keep: Callable[[Operation], _T]
) -> list[tuple[_T | None, PageError | str | None, Key | None]]:
    """(what `keep` made of the operation, None, its key) or (None, error or skipped
    source, None)."""
    out: list[tuple[_T | None, PageError | str | None, Key | None]] = []
    for start in range(0, len(chunk), GROUP):
        group = chunk[start : start + GROUP]
        gcpause.pages_parsed(len(group))
        for _, outcome in parse_files(group):
            if isinstance(outcome, Operation):
                out.append((keep(outcome), None, outcome.sort_key))
            else:
                out.append((None, outcome, None))
    return out


def duplicate(key: Key, source: str, first: str) -> PageError:
    """A second page for one method (a copied or renamed page): the tree has one
    operation per (service, kind, name), and which page would win is no choice to make
    silently. The page met first (in source order) stands."""
    service, kind, name = key
    return PageError(source, 1, f"{service}.{kind}.{name} is also documented by {printable(first)}")


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
    first: dict[Key, str] = {}
    for (kept, other, key), (_, source) in zip(outcomes, todo):
        if isinstance(other, PageError):
            result.errors.append(other)
        elif other is not None:
            result.skipped.append(other)
        elif key is not None and key in first:
            result.errors.append(duplicate(key, source, first[key]))
        else:
            if key is not None:
                first[key] = source
            result.operations.append(kept)  # type: ignore[arg-type]  # None only with `other`
    return result


def parse_paths(
    paths: Iterable[Path],
    jobs: int = 1,
    keep: Callable[[Operation], _T] = _same,  # type: ignore[assignment]
    pool: Executor | None = None,
) -> ParseResult[_T]:
    return parse_pages((page for path in paths for page in find_pages(path)), jobs, keep, pool)
