"""One unit of `generate` work: the pages of one input folder, start to finish.

A unit (normally `<service>/{client,paginator,waiter}/*.rst`) is parsed (pages the parse
cache has are not), resolved, rendered and written by one worker, which
sends back only records: no page text, tree or rendered text crosses to the main
process. That is what keeps memory bounded by the largest service, whatever the size
of the input, and lets the units run side by side.

A page that fails to parse is reported, and its last good version (from the parse
cache) stands in for it, or nothing when there is none; the manifest records the error
with the page's hash, so that every run reports it until the page changes.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from codegen import build, config, diff, tree
from codegen import manifest as mf
from codegen.emit.extras import ClientExtras, client_extras
from codegen.naming import ServiceNames, resolve
from codegen.parse import duplicate, read_page_bytes
from codegen.registry import NameOptions, Registry, RegistryError
from codegen.registry import dumps as registry_text
from codegen.registry import loads as registry_loads
from codegen.rst.reader import NotAMethodPage, PageError, parse_page
from codegen.tree import Operation
from codegen.writer import WriteLog, read_disk, write_one

Report = Callable[[int, str], None]  # (pages done, unit name)
Parsed = Operation | str | None  # an operation, an error line, or None: not a method page


@dataclass(frozen=True, slots=True)
class UnitTask:
    name: str
    pages: tuple[tuple[str, str, str], ...]  # (source, path, sha of its bytes; "": not hashed)
    out: str
    package: str
    targets: tuple[str, ...]
    generator: str
    cached_services: tuple[str, ...]  # services whose parse cache may hold these pages
    force: bool = False
    dry_run: bool = False
    weight: int = 0  # bytes of its pages: units are started biggest first
    names: NameOptions = NameOptions()
    responses: str = config.DEFAULT_RESPONSES  # how response keys are typed (config.RESPONSE_MODES)

    @property
    def size(self) -> int:
        return len(self.pages)


@dataclass(slots=True)
class UnitResult:
    name: str
    errors: list[str] = field(default_factory=list)
    failed: bool = False  # nothing was written: the unit keeps its previous output
    pages: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)  # source → (sha, service, error)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, mf.FileRecord] = field(default_factory=dict)
    conflicted: set[str] = field(default_factory=set)  # services with a pending conflict
    log: WriteLog = field(default_factory=WriteLog)
    changelog: dict[str, str] = field(default_factory=dict)  # service → CHANGES.md section
    trees: list[str] = field(default_factory=list)  # services whose new tree is staged
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Previous:
    """What the last run left: generated file → sha of the text the generator wrote
    there (files and orphans of the manifest), and the files a pre-manifest output listed."""

    base: Mapping[str, str]
    legacy: frozenset[str]
    # input page → (sha of its bytes, its service) as the last run read them
    pages: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def pages_of(self, service: str) -> dict[str, str]:
        """The last run's pages of `service`: source → sha."""
        return {source: sha for source, (sha, key) in self.pages.items() if key == service}

    @classmethod
    def of(cls, out: Path, old: mf.Manifest | None) -> Previous:
        if old is None:
            try:
                listing = mf.read_state(out / build.MANIFEST).decode("utf-8").split()
            except (OSError, UnicodeDecodeError):
                listing = []
            return cls({}, frozenset(listing))
        base = dict(old.orphans)
        base.update((rel, rec.sha) for rel, rec in old.files.items())
        pages = {source: (rec.sha, rec.service or "") for source, rec in old.pages.items()}
        return cls(base, frozenset(), pages)


@lru_cache(maxsize=2)
def _previous_on_disk(out: str, stamp: tuple[int, int]) -> Previous:
    return Previous.of(Path(out), mf.load(Path(out)))


def previous_on_disk(out: Path) -> Previous:
    """Previous.of the manifest on disk, read once per worker process (the main process
    saves the new manifest only after every worker is done)."""
    try:
        st = os.stat(mf.manifest_path(out))
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (0, 0)
    return _previous_on_disk(str(out), stamp)


def service_key_of(op: Operation) -> str:
    """The service an operation belongs to, as naming.resolve groups them."""
    return op.service_id or op.service.lower()


def summary_of(names: ServiceNames) -> dict[str, Any]:
    return {
        "service_id": names.service_id,
        "service": names.service,
        "module": names.module,
        "client_class": names.client_class,
        "operations": [op.name for op in names.operations],
    }


def parse_file(source: str, path: str) -> tuple[str, Parsed]:
    """(sha of the bytes parsed, outcome) for one page."""
    try:
        data = read_page_bytes(Path(path), source)
    except PageError as exc:  # not a regular file, too big, a refused link, unreadable
        return "", str(exc)
    sha = mf.sha256(data)
    try:
        return sha, parse_page(data, source)
    except NotAMethodPage:
        return sha, None
    except PageError as exc:
        return sha, str(exc)


def parse_chunk(chunk: list[tuple[str, str]]) -> list[tuple[str, str, Parsed]]:
    return [(source, *parse_file(source, path)) for source, path in chunk]


def cached_outcomes(task: UnitTask) -> dict[str, tuple[str, Parsed]]:
    """The pages of `task` the parse cache has, as they were when last parsed."""
    cache = _cached_operations(task)
    hits: dict[str, tuple[str, Parsed]] = {}
    for source, _, sha in task.pages:
        hit = cache.get(source)
        if hit is not None and hit[0] == sha:
            hits[source] = hit
    return hits


def _parse(
    task: UnitTask, preparsed: Mapping[str, tuple[str, Parsed]] | None, report: Report
) -> dict[str, tuple[str, Parsed]]:
    """Every page's outcome: given, cached, or parsed now."""
    known = dict(preparsed) if preparsed is not None else cached_outcomes(task)
    if preparsed is None and known:
        report(len(known), task.name)
    outcomes: dict[str, tuple[str, Parsed]] = {}
    for source, path, _ in task.pages:
        if source in known:
            outcomes[source] = known[source]
        else:
            outcomes[source] = parse_file(source, path)
            report(1, task.name)
    return outcomes


def run_unit(
    task: UnitTask,
    previous: Previous | None = None,
    preparsed: Mapping[str, tuple[str, Parsed]] | None = None,
    report: Report = lambda n, name: None,
) -> UnitResult:
    """Parse, render and write one unit; see the module docstring.

    Raises OSError when a file cannot be written (the run stops there; everything
    written so far is a complete file, and the next run converges)."""
    # A unit allocates millions of small objects (doctrees, shape trees, rendered lines)
    # and frees them by reference count; the cyclic collector's repeated passes over
    # them cost a fifth of the time. Cycles are collected once, at the end, and what
    # survives that is frozen: a worker's caches grow to hundreds of thousands of
    # objects, which each later full collection would walk again (a fifth of the time
    # of a whole-reference run went there). A long-lived caller unfreezes when its units
    # are done (incremental._run_units).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _run_unit(task, previous, preparsed, report)
    finally:
        if paused:
            gc.enable()
            gc.collect()
            gc.freeze()


def _run_unit(
    task: UnitTask,
    previous: Previous | None,
    preparsed: Mapping[str, tuple[str, Parsed]] | None,
    report: Report,
) -> UnitResult:
    result = UnitResult(task.name)
    outcomes = _parse(task, preparsed, report)
    failed = any(isinstance(outcome, str) for _, outcome in outcomes.values())
    last_good = _cached_operations(task) if failed else {}
    by_service: dict[str, list[Operation]] = {}
    cache: dict[str, dict[str, tuple[str, Operation]]] = {}  # service → parse cache to save
    first_page: dict[tuple[str, str, str], str] = {}  # (service, kind, name) → its page
    for source, (sha, outcome) in outcomes.items():
        error = ""
        cached_sha = sha
        if isinstance(outcome, str):
            # A page that fails: its last good version stands in for it, if there is one.
            error = outcome
            result.errors.append(error)
            if source not in last_good:
                result.pages[source] = (sha, None, error)
                continue
            cached_sha, outcome = last_good[source]
        if outcome is None:
            result.pages[source] = (sha, None, error)
            result.skipped.append(source)
            continue
        key = service_key_of(outcome)
        method = (key, outcome.kind, outcome.name)
        if method in first_page:
            # (two pages for one method would define it twice in the package)
            error = str(duplicate(outcome.sort_key, source, first_page[method]))
            result.errors.append(error)
            result.pages[source] = (sha, None, error)
            continue
        first_page[method] = source
        result.pages[source] = (sha, key, error)
        by_service.setdefault(key, []).append(outcome)
        cache.setdefault(key, {})[source] = (cached_sha, outcome)

    out = Path(task.out)
    if previous is None:
        previous = previous_on_disk(out)
    renames: dict[str, list[diff.Change]] = {}
    for service in sorted(by_service):
        ops = sorted(by_service[service], key=lambda op: op.sort_key)
        registry_file = mf.names_path(out, service)
        # Each operation's JSON text once, for the parse cache, the tree and this question:
        # are the pages what the last run read, or at least the tree it described? Then
        # its deprecated aliases stay (a run redone for a new codegen is no regeneration
        # from changed pages, even when the new codegen reads more from them).
        as_json = {id(op): _compact_json(tree.operation_to_json(op)) for op in ops}
        same_pages = previous.pages_of(service) == {
            source: sha for source, (sha, key, _) in result.pages.items() if key == service
        }
        same_tree = same_pages or (
            read_disk(tree_path(out, service)).text == _tree_text([as_json[id(op)] for op in ops])
        )
        try:
            registry = _load_registry(registry_file)
            resolved = resolve(
                ops, {service: registry} if registry else None, task.names.reresolve,
                {service: task.names.overrides_for(service)}, keep_deprecated=same_tree,
            )
            # (paginator and waiter pages, and the exceptions of all pages: checked here too)
            extras = client_extras(resolved[0], ops) if resolved else None
        except RegistryError as exc:
            return UnitResult(task.name, errors=[f"error: {registry_file}:1: names registry: {exc}"], failed=True)
        except ValueError as exc:
            return UnitResult(task.name, errors=[f"error: {exc}"], failed=True)
        if resolved:
            names = resolved[0]
            others = [o for o in ops if o.kind != "client"]
            _write_service(task, previous, service, names, result, others, extras)
            renames[service] = _rename_changes(names, ops)
            if not task.dry_run:
                text = registry_text(names.registry)
                if read_disk(registry_file).text != text:
                    mf.atomic_write(registry_file, text.encode("utf-8"))
        if not task.dry_run:
            entries = {source: (sha, as_json[id(op)]) for source, (sha, op) in cache[service].items()}
            mf.save_parsed(out, service, task.generator, entries)
            _stage_tree(out, service, ops, [as_json[id(op)] for op in ops], result, renames.get(service, []))
    return result


def _load_registry(path: Path) -> Registry | None:
    """The names registry on disk; None when there is none (a first run). A registry
    that cannot be read or parsed fails the unit: renaming everything is no fallback."""
    disk = read_disk(path)
    if disk.problem:
        raise RegistryError(disk.problem)
    return None if disk.text is None else registry_loads(disk.text)


def _rename_changes(names: ServiceNames, ops: Sequence[Operation]) -> list[diff.Change]:
    """The renames against the registry read, as `class-renamed` changes at the first
    place each new name occupies."""
    if not names.renames:
        return []
    service = ops[0].service
    first = {e.name: e.paths[0] for e in names.registry.classes + names.registry.enums if e.paths}
    kinds = {e.name: "Literal alias" for e in names.registry.enums}
    found = []
    for old, new in names.renames:
        op, _, path = first.get(new, ":").partition(":")
        found.append((old, new, kinds.get(new, "class"), diff.Location(service, "client", op, path)))
    return diff.renamed(found)


def _cached_operations(task: UnitTask) -> dict[str, tuple[str, Operation]]:
    out = Path(task.out)
    cache: dict[str, tuple[str, Operation]] = {}
    for service in task.cached_services:
        cache.update(mf.load_parsed(out, service, task.generator))
    return cache


def _write_service(
    task: UnitTask,
    previous: Previous,
    service: str,
    names: ServiceNames,
    result: UnitResult,
    others: Sequence[Operation] = (),
    extras: ClientExtras | None = None,
) -> None:
    out = Path(task.out)
    result.summaries[service] = summary_of(names)
    # The templates write a layout black leaves alone (codegen/fmt.py): no black here;
    # it only runs over hand edits merged into a module (merge.py).
    files = build.render_service(names, task.package, task.targets, others, extras, task.responses)
    for rel in sorted(files):
        text = files[rel]
        kept = write_one(
            out, rel, text, previous.base.get(rel), rel in previous.legacy, task.force, task.dry_run, result.log
        )
        if kept is None:
            result.files[rel] = mf.FileRecord(mf.sha256(text), service)
        else:  # conflict: keep the old base and look again next run
            result.files[rel] = mf.FileRecord(kept, service)
            result.conflicted.add(service)


def tree_path(out: Path, service: str, staged: bool = False) -> Path:
    """`.codegen/trees/<service>.json`: the shape tree CHANGES.md last described."""
    return mf.state_dir(out) / "trees" / f"{service or '_'}.json{'.new' if staged else ''}"


def _tree_text(ops_json: Sequence[str]) -> str:
    """tree.document_to_json of the operations, written out (`ops_json`: each operation's)."""
    return f'{{"ir_version":{_compact_json(tree.IR_VERSION)},"operations":[{",".join(ops_json)}]}}'


def _compact_json(value: Any) -> str:
    # Compact: indented JSON goes through json's pure-Python encoder, several times slower.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _stage_tree(
    out: Path, service: str, ops: list[Operation], ops_json: list[str], result: UnitResult,
    renames: Sequence[diff.Change] = (),
) -> None:
    """The CHANGES.md section for `service`, and its new tree saved beside the old one;
    the main process puts it in place once CHANGES.md has the section. `ops` in
    sort_key order; `ops_json` their tree.operation_to_json as compact JSON text."""
    saved = tree_path(out, service)
    new_text = _tree_text(ops_json)
    # (None: missing, or not a plain UTF-8 file: a link or a FIFO is never read through)
    old_text = read_disk(saved).text
    if old_text == new_text and not renames:
        return
    try:
        old_ops = diff.load_tree(old_text) if old_text else []
    except ValueError:
        # Damaged (a merge conflict in it, an edit; the output may come from a pull
        # request): described as a first run would be, and replaced.
        old_ops = []
    if renames or diff.compare(old_ops, ops).changes:
        title = f"{service}: shape tree {mf.sha256(new_text)[:12]}"
        if old_text == new_text:
            title = f"{service}: class names re-resolved"
        result.changelog[service] = diff.changelog_markdown(old_ops, ops, title, renames)
    mf.atomic_write(tree_path(out, service, staged=True), new_text.encode("utf-8"))
    result.trees.append(service)
