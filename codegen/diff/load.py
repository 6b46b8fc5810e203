"""Inputs of a diff: a page, a folder of pages or a saved shape tree → operations, and
ignore files → ignore rules. Every unreadable input is one `InputError` line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from codegen import files, tree, treecheck
from codegen.diff.compare import IgnoreRule
from codegen.diff.rules import RULES
from codegen.tree import Operation


class InputError(Exception):
    """Unreadable input (exit status 2): the message is one line."""


# --- ignore files -------------------------------------------------------------------


def parse_ignore(text: str, source: str = "<ignore>") -> list[IgnoreRule]:
    """`RULE-ID PATH` per line (globs `*`/`?` in both); `#` comments and blank lines skipped.

    PATH is matched against the location's full address
    (`SageMaker.Client.create_model.input.Tags`), its bare contract path
    (`input.Tags`) and its operation (`SageMaker.Client.create_model`).
    """
    rules: list[IgnoreRule] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise InputError(f"{source}:{number}: expected `RULE-ID PATH`, got {raw.strip()!r}")
        rule, path = parts
        if not any(ch in rule for ch in "*?") and rule not in RULES:
            raise InputError(f"{source}:{number}: unknown rule id {rule!r}")
        rules.append(IgnoreRule(rule, path, number))
    return rules


def read_ignore_file(path: Path) -> list[IgnoreRule]:
    try:
        text = _read_regular(path).decode("utf-8")  # (a FIFO would hang the run)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read ignore file: {_reason(exc)}") from None
    return parse_ignore(text, str(path))


# --- inputs -------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower() if exc.strerror[0].isupper() else exc.strerror
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return " ".join(str(exc).split()) or type(exc).__name__


class ParsedPages(Protocol):
    """What `codegen.parse.parse_paths` returns (only the parts read here)."""

    @property
    def operations(self) -> list[Operation]: ...

    @property
    def errors(self) -> Sequence[object]: ...


# `codegen.parse.parse_paths`, passed in by the caller: this module depends on the
# shape tree only, never on the page parser.
PageParser = Callable[[Sequence[Path]], ParsedPages]


def load_operations(
    path: Path, parse_pages: PageParser, bad_pages: list[PageFailure] | None = None
) -> list[Operation]:
    """A page, a directory of pages or a saved `codegen parse` JSON → operations.

    Raises InputError (one line) for a missing path, a binary or non-UTF-8 file, JSON
    that is not a shape tree, a file that is not a method page, any page that fails to
    parse (unless `bad_pages` is given: the failures of a directory's pages are then
    added to it and the other pages returned), or a directory without method pages.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        return _parse(path, parse_pages, single=False, bad_pages=bad_pages)
    raw = _read_regular(path)
    if b"\x00" in raw:
        raise InputError(f"{path}: binary file, not a reference page or shape-tree JSON")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not UTF-8 text, not a reference page or shape-tree JSON"
        ) from None
    if path.suffix == ".json" or text.lstrip().startswith("{"):
        try:
            return load_tree(text)
        except ValueError as exc:
            raise InputError(f"{path}: not a codegen shape tree: {_reason(exc)}") from None
    return _parse(path, parse_pages, single=True)


def _read_regular(path: Path) -> bytes:
    """The bytes of a file named on the command line, if it is a regular file: a FIFO
    or a device (`/dev/zero`, a link to one) would block the read or never end."""
    try:
        return files.read_regular(path, follow_links=True)
    except files.NotRead as exc:
        if exc.error is None:
            raise InputError(f"{path}: not a regular file: not read") from None
        raise InputError(f"{path}: cannot read: {_reason(exc.error)}") from None


def load_tree(text: str) -> list[Operation]:
    """Operations of a saved shape tree, checked against docs/shape-tree.md first
    (treecheck): whatever the reader or the comparison would trip on is a ValueError."""
    return _operations_of(_json(text))


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise treecheck.NotATree("JSON nested too deep") from None


def _operations_of(data: Any) -> list[Operation]:
    treecheck.check_document(data)
    return [tree.operation_from_json(op) for op in data["operations"]]


def changed_operations(
    old_text: str, new_text: str, new_ops: Sequence[Operation]
) -> tuple[list[Operation], list[Operation]]:
    """The operations of two saved shape trees that differ, as load_tree reads them from
    the old one, and of `new_ops` (what `new_text` was saved from: a tree codegen made).
    An operation whose JSON is the same on both sides compares equal, so `compare` finds
    the same changes from these alone: after a one-page change, a few operations of the
    service's hundreds, not all of them read, checked and compared. ValueError as
    load_tree for an old tree it would refuse (a duplicate operation is left to it)."""
    old = _json(old_text)
    same: set[tuple[str, str, str]] = set()
    if isinstance(old, dict) and isinstance(old.get("operations"), list):
        new_by_key = {_key(op): op for op in json.loads(new_text)["operations"]}
        seen: set[tuple[str, str, str] | None] = set()
        kept = []
        for op in old["operations"]:
            key = _key(op)
            if key is not None and key in seen:
                return load_tree(old_text), list(new_ops)  # (refused there: a duplicate)
            seen.add(key)
            if key is not None and new_by_key.get(key) == op:
                same.add(key)  # (equal to one codegen made: nothing in it to refuse)
            else:
                kept.append(op)
        old = {**old, "operations": kept}
    return _operations_of(old), [op for op in new_ops if op.sort_key not in same]


def _key(op: Any) -> tuple[str, str, str] | None:
    """An operation's sort_key from its JSON; None when it has none (treecheck says why)."""
    if not isinstance(op, dict):
        return None
    service, kind, name = op.get("service"), op.get("kind"), op.get("name")
    if isinstance(service, str) and isinstance(kind, str) and isinstance(name, str):
        return service, kind, name
    return None


@dataclass(frozen=True, slots=True)
class PageFailure:
    source: str  # the page, relative to the directory given
    message: str  # "source:line: message"


def without_pages(ops: Iterable[Operation], failures: Iterable[PageFailure]) -> list[Operation]:
    """`ops` but those read from a page that failed on either side: a page broken in one
    release would otherwise show as its operation removed or added."""
    bad = {f.source for f in failures}
    return [op for op in ops if op.source not in bad]


def _parse(
    path: Path, parse_pages: PageParser, single: bool, bad_pages: list[PageFailure] | None = None
) -> list[Operation]:
    try:
        result = parse_pages([path])
    except Exception as exc:  # the parser's own failures are unreadable input here
        raise InputError(f"{path}: cannot parse: {type(exc).__name__}: {_reason(exc)}") from None
    if result.errors and bad_pages is not None:
        for error in result.errors:
            source = str(getattr(error, "source", ""))
            bad_pages.append(PageFailure(source, f"{path}: " + " ".join(str(error).split())))
    elif result.errors:
        more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        first = " ".join(str(result.errors[0]).split())
        raise InputError(f"{path}: {first}{more}")
    if not result.operations and not (bad_pages and result.errors):
        what = (
            "not a client, paginator or waiter method page" if single else "no method pages found"
        )
        raise InputError(f"{path}: {what}")
    return list(result.operations)

