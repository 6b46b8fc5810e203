"""Two revisions of the reference compared (`codegen diff`, `codegen sync`): pages →
operations on each side, then codegen.diff's comparison.

Most pages are byte-identical between two releases (70-90% from 1.42.50 to 1.44.8), so
the pages of both sides go through one SharedParser: a page whose bytes and source name
the previous call saw is not parsed again, its outcome is reused. The source name is
part of the key because the parser writes it into the operation (`Operation.source`) and
into its errors: two identical pages under different names are parsed apart, and so the
result is exactly what parsing each side on its own gives.

Two releases in boto3's layout are compared one service at a time, so that memory holds
two services' trees, not two references'.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path

from codegen import diff, gcpause, workers
from codegen.pagefiles import find_pages, read_page_bytes
from codegen.parse import Key, Outcome, ParseResult, duplicate, parse_files
from codegen.rst.reader import PageError
from codegen.tree import Operation

PageKey = tuple[str, str]  # (sha256 of the page's bytes, its source name)


def _parse_chunk(chunk: list[tuple[Path, str]]) -> list[tuple[str, Outcome]]:
    return parse_files(chunk)


class _Listing:
    """The pages below some paths, read and hashed (prefetch), until a call takes them."""

    def __init__(self, pages: list[tuple[Path, str]], keys: list[PageKey | None], unread: dict[int, PageError]):
        self.pages, self.keys, self.unread = pages, keys, unread


class SharedParser:
    """`codegen.parse.parse_paths` (the same result, in the same order) for the two sides
    of a diff, where a page whose (sha, source) was seen is parsed once.

    `prefetch(paths)` reads and hashes the pages below `paths` and hands the new ones
    to the workers at once; the call for those paths then takes their outcomes. So the
    workers parse the next service while this process compares the last one. What is
    kept: the outcomes of the pages of the last call and of the paths prefetched and
    not yet called for (old side, then new side, service by service: two services'
    trees)."""

    def __init__(self, jobs: int = 1, pool: Executor | None = None) -> None:
        self.jobs = jobs
        self.pool = pool
        # An outcome, or the chunk being parsed and the page's place in its answer.
        self._known: dict[PageKey, Outcome | tuple[Future[list[tuple[str, Outcome]]], int]] = {}
        self._pending: dict[tuple[Path, ...], _Listing] = {}
        self.parsed = 0  # pages parsed, and
        self.reused = 0  # pages whose outcome was reused (for the bench and the tests)

    def prefetch(self, paths: Sequence[Path]) -> None:
        if tuple(paths) in self._pending:
            return
        pages = [page for path in paths for page in find_pages(path)]
        keys: list[PageKey | None] = []
        unread: dict[int, PageError] = {}
        todo: list[tuple[PageKey, tuple[Path, str]]] = []
        queued: set[PageKey] = set()
        for index, (page, source) in enumerate(pages):
            try:
                data = read_page_bytes(page, source)
            except PageError as exc:  # what parse_file makes of it, without a second look
                unread[index] = exc
                keys.append(None)
                continue
            key = (hashlib.sha256(data).hexdigest(), source)
            keys.append(key)
            if key in self._known or key in queued:
                self.reused += 1
            else:
                queued.add(key)
                todo.append((key, (page, source)))
        self.parsed += len(todo)
        self._submit(todo)
        self._pending[tuple(paths)] = _Listing(pages, keys, unread)

    def _submit(self, todo: list[tuple[PageKey, tuple[Path, str]]]) -> None:
        """The pages to parse, in chunks as codegen.parse.parse_pages makes them: to the
        workers, or parsed here and now without any."""
        if self.pool is None or self.jobs <= 1 or len(todo) <= 1:
            for (key, _), (_, outcome) in zip(todo, _parse_chunk([page for _, page in todo])):
                self._known[key] = outcome
            return
        size = max(1, min(64, len(todo) // (self.jobs * 4)))
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            future = self.pool.submit(_parse_chunk, [page for _, page in chunk])
            for position, (key, _) in enumerate(chunk):
                self._known[key] = (future, position)

    def _outcome(self, key: PageKey) -> Outcome:
        known = self._known[key]
        if isinstance(known, tuple):
            future, position = known
            known = self._known[key] = future.result()[position][1]
        return known

    def __call__(self, paths: Sequence[Path]) -> ParseResult[Operation]:
        self.prefetch(paths)
        listing = self._pending.pop(tuple(paths))
        outcomes = [
            listing.unread[index] if key is None else self._outcome(key) for index, key in enumerate(listing.keys)
        ]
        keep = {key for key in listing.keys if key is not None}
        for other in self._pending.values():
            keep.update(key for key in other.keys if key is not None)
        self._known = {key: value for key, value in self._known.items() if key in keep}
        return _collect(listing.pages, outcomes)


@contextmanager
def shared_parser(jobs: int) -> Iterator[SharedParser]:
    """A SharedParser with `jobs` worker processes, for as long as the block lasts."""
    with workers.pool(jobs) if jobs > 1 else nullcontext() as pool:
        yield SharedParser(jobs, pool)


def _collect(pages: Sequence[tuple[Path, str]], outcomes: Sequence[Outcome | None]) -> ParseResult[Operation]:
    """The outcomes in page order as codegen.parse.parse_pages collects them: errors,
    skipped pages, and a second page of one operation as a duplicate."""
    result: ParseResult[Operation] = ParseResult()
    first: dict[Key, str] = {}
    for (_, source), outcome in zip(pages, outcomes):
        if isinstance(outcome, PageError):
            result.errors.append(outcome)
        elif isinstance(outcome, str):
            result.skipped.append(outcome)
        elif isinstance(outcome, Operation):
            if outcome.sort_key in first:
                result.errors.append(duplicate(outcome.sort_key, source, first[outcome.sort_key]))
            else:
                first[outcome.sort_key] = source
                result.operations.append(outcome)
    return result


def service_folders(path: Path) -> set[str]:
    """The service folders of a release in boto3's layout (`<service>/client/*.rst`)."""
    if not path.is_dir():
        return set()
    return {
        child.name
        for child in path.iterdir()
        if any((child / kind).is_dir() for kind in ("client", "paginator", "waiter"))
    }


def compare(
    old_ops: list[Operation], new_ops: list[Operation], bad: Sequence[diff.PageFailure] | None,
    include_docs: bool,
) -> diff.DiffResult:
    """The changes from `old_ops` to `new_ops`, the operations of pages that failed on
    either side (`bad`) left out, with the renames the name resolver would make."""
    if bad:
        old_ops, new_ops = diff.without_pages(old_ops, bad), diff.without_pages(new_ops, bad)
    result = diff.compare(old_ops, new_ops, include_docs=include_docs)
    # The resolver names a service from its operations alone: the same operations (most
    # services between two releases; shared pages share their operation objects, which
    # makes this quick) get the same names. It costs more than the comparison itself.
    renames = [] if old_ops == new_ops else diff.resolver_renames(old_ops, new_ops)
    if renames:
        result.changes = sorted([*result.changes, *renames], key=lambda c: (c.locations[0], c.rule, c.detail))
    return result


def compare_services(
    pairs: Sequence[tuple[Path | None, Path | None]], parser: SharedParser,
    bad_old: list[diff.PageFailure] | None, bad_new: list[diff.PageFailure] | None, include_docs: bool,
) -> diff.DiffResult:
    """Two releases in boto3's layout, compared one service (old folder, new folder; None
    when a side has none) at a time. Pages that fail go to `bad_old`/`bad_new` and are
    left out of both sides; without those lists a failure is an InputError (the first
    in service order, as when the services are compared one after the other).

    With workers, each service is parsed *and compared* in one of them: a service's
    result does not depend on any other (merge_results only sorts and counts), so only
    that small result crosses back, never the shape trees, and the comparison and the
    name resolver run in parallel too. The largest services go first so that no worker
    is left with a big one at the end."""
    keep_old, keep_new = bad_old is not None, bad_new is not None
    if parser.pool is None or parser.jobs <= 1 or len(pairs) <= 1:
        outcomes: Iterator[ServiceOutcome] = (
            _service(old_dir, new_dir, keep_old, keep_new, include_docs, parser) for old_dir, new_dir in pairs
        )
        return _merge(outcomes, parser, bad_old, bad_new)
    order = sorted(range(len(pairs)), key=lambda index: -_size(pairs[index]))
    futures: dict[int, Future[ServiceOutcome]] = {}
    for index in order:
        old_dir, new_dir = pairs[index]
        futures[index] = parser.pool.submit(_service, old_dir, new_dir, keep_old, keep_new, include_docs)
    try:
        return _merge((futures[index].result() for index in range(len(pairs))), parser, bad_old, bad_new)
    finally:  # (an InputError: the services not started yet are not parsed for nothing)
        for future in futures.values():
            future.cancel()


# A service's result, its failing pages (old side, new side) and the parser's counts.
ServiceOutcome = tuple[diff.DiffResult, list[diff.PageFailure], list[diff.PageFailure], int, int]


def _service(
    old_dir: Path | None, new_dir: Path | None, keep_old: bool, keep_new: bool, include_docs: bool,
    parser: SharedParser | None = None,
) -> ServiceOutcome:
    """One service compared (in a worker when `parser` is None: with a parser of its own,
    which reuses the old side's outcome of a page the new side has byte for byte)."""
    own = parser or SharedParser()
    parsed, reused = own.parsed, own.reused
    old_bad: list[diff.PageFailure] | None = [] if keep_old else None
    new_bad: list[diff.PageFailure] | None = [] if keep_new else None
    old_ops = diff.load_operations(old_dir, own, old_bad) if old_dir is not None else []
    new_ops = diff.load_operations(new_dir, own, new_bad) if new_dir is not None else []
    result = compare(old_ops, new_ops, [*(old_bad or []), *(new_bad or [])], include_docs)
    if parser is None:
        gcpause.pages_parsed(own.parsed)
    return result, old_bad or [], new_bad or [], own.parsed - parsed, own.reused - reused


def _merge(
    outcomes: Iterable[ServiceOutcome], parser: SharedParser,
    bad_old: list[diff.PageFailure] | None, bad_new: list[diff.PageFailure] | None,
) -> diff.DiffResult:
    results = []
    for result, old_bad, new_bad, parsed, reused in outcomes:
        results.append(result)
        if bad_old is not None:  # (one list for both sides: old's failures, then new's)
            bad_old.extend(old_bad)
        if bad_new is not None:
            bad_new.extend(new_bad)
        if parser.pool is not None and parser.jobs > 1:  # (counted here when parsed in a worker)
            parser.parsed += parsed
            parser.reused += reused
    return diff.merge_results(results)


def _size(pair: tuple[Path | None, Path | None]) -> int:
    """About how many pages a service's two folders hold: only the order the workers
    take the services in, so the entries of its client/paginator/waiter folders are
    counted, none read or checked (find_pages's walk would cost a second here)."""
    count = 0
    for folder in (folder for folder in pair if folder is not None):
        for kind in ("client", "paginator", "waiter"):
            with contextlib.suppress(OSError):
                count += len(os.listdir(folder / kind))
    return count


def compare_paths(
    old: Path, new: Path, parser: SharedParser, bad: list[diff.PageFailure] | None, include_docs: bool
) -> diff.DiffResult:
    """`codegen diff OLD NEW`: two releases in boto3's layout service by service, else
    each side (a page, a folder of pages, a saved tree) whole. InputError for unreadable
    input; failing pages go to `bad` (None: a failure is an InputError)."""
    if service_folders(old) & service_folders(new):
        pairs = [
            ((old / name) if (old / name).is_dir() else None, (new / name) if (new / name).is_dir() else None)
            for name in sorted(service_folders(old) | service_folders(new))
        ]
        result = compare_services(pairs, parser, bad, bad, include_docs)
    else:
        for side in (old, new):
            if side.is_dir():  # (both sides' pages go to the workers at once)
                parser.prefetch([side])
        old_ops = diff.load_operations(old, parser, bad)
        new_ops = diff.load_operations(new, parser, bad)
        result = compare(old_ops, new_ops, bad, include_docs)
    return replace(result, old_label=str(old), new_label=str(new))
