"""One unit of `generate` work (the worker): the pages of one input folder, start to finish.

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

import json
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from codegen import diff, forks, gcpause, tree
from codegen.emit.extras import ClientExtras, client_extras
from codegen.emit.package import SERVICE_PARTS, render_service, service_key, summary_of
from codegen.emit.rendermemo import RenderMemo
from codegen.naming import ServiceNames, resolve
from codegen.registry import Registry, RegistryError
from codegen.registry import dumps as registry_text
from codegen.registry import loads as registry_loads
from codegen.rst.errors import PageError
from codegen.tree import Operation
from codegen.pipeline import caches, savedtrees, state
from codegen.pipeline import write
from codegen.pipeline.update import write_one
from codegen.pipeline.task import Parsed, Previous, Report, UnitResult, UnitTask
from codegen.pipeline.write import read_disk, sha256

__all__ = ["Parsed", "Previous", "Report", "UnitResult", "UnitTask", "cached_outcomes", "parse_chunk", "run_unit"]


@lru_cache(maxsize=2)
def _previous_on_disk(out: str, stamp: tuple[int, int]) -> Previous:
    return Previous.of(Path(out), state.load(Path(out)))


def previous_on_disk(out: Path) -> Previous:
    """Previous.of the manifest on disk, read once per worker process (the main process
    saves the new manifest only after every worker is done)."""
    try:
        st = os.stat(state.manifest_path(out))
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (0, 0)
    return _previous_on_disk(str(out), stamp)


def parse_files(pages: Sequence[tuple[str, str]]) -> list[tuple[str, Parsed]]:
    """(sha of the bytes parsed, outcome) for each (source, path), as the manifest
    records it: an error as its line, None for a page without a method (parse.parse_files:
    parsed together)."""
    # (imported here, not with the module: docutils is for the pages that changed, which
    # a one-page run parses in a forked copy, run.py; the run itself never imports it)
    from codegen import parse

    return [
        (sha, str(outcome) if isinstance(outcome, PageError) else None if isinstance(outcome, str) else outcome)
        for sha, outcome in parse.parse_files([(Path(path), source) for source, path in pages])
    ]


def parse_chunk(chunk: list[tuple[str, str]]) -> list[tuple[str, str, Parsed]]:
    return [(source, *outcome) for (source, _), outcome in zip(chunk, parse_files(chunk))]


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
    todo = [(source, path) for source, path, _ in task.pages if source not in known]
    parsed: dict[str, tuple[str, Parsed]] = {}
    if todo:
        from codegen.parse import GROUP

        for start in range(0, len(todo), GROUP):
            group = todo[start : start + GROUP]
            parsed.update(zip([source for source, _ in group], parse_files(group)))
            gcpause.page_done()
            report(len(group), task.name)
    return {source: known[source] if source in known else parsed[source] for source, _, _ in task.pages}


def run_unit(
    task: UnitTask,
    previous: Previous | None = None,
    preparsed: Mapping[str, tuple[str, Parsed]] | None = None,
    report: Report = lambda n, name: None,
    background: bool = False,
    split: bool = False,
) -> UnitResult:
    """Parse, render and write one unit; see the module docstring. `background`: each
    service's merge bases are packed in a thread as soon as its files are written
    (write.flush_pristine), which the caller waits for (write.wait_pristine,
    sync_pristine) before saving the manifest: for the one unit of a small change.
    `split`: half of each service rendered by a forked copy of this process
    (forks.side_by_side), for a unit run here while the other cores have nothing to do.

    Raises OSError when a file cannot be written (the run stops there; everything
    written so far is a complete file, and the next run converges)."""
    _keep_freed_memory()
    # (no cyclic collection while it runs, one at the end: codegen/gcpause.py)
    with gcpause.unit():
        done = _run_unit(task, previous, preparsed, report, background, split)
    if not task.dry_run and not background:
        write.flush_pristine(Path(task.out))  # (its services' merge bases, a pack per folder)
    return done


@lru_cache(maxsize=None)
def _keep_freed_memory() -> None:
    """Once per process (glibc): allocations up to 128 MB come from the heap, which
    keeps up to 128 MB free at its top. Each xz of the state (write.xz: a pack and a
    tree per service) allocates a match finder of up to ~100 MB, and a service's render
    its large lists and texts, that glibc would otherwise map and unmap (page faults:
    on the 40-service farm, sys time 0.6-1.0 s with it, 0.7-2.0 s without)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # (not glibc: its own allocator, left alone)
        return
    mallopt(_M_MMAP_THRESHOLD, _KEPT)
    mallopt(_M_TRIM_THRESHOLD, _KEPT)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # (glibc's malloc.h)
_KEPT = 128 << 20


def _run_unit(
    task: UnitTask,
    previous: Previous | None,
    preparsed: Mapping[str, tuple[str, Parsed]] | None,
    report: Report,
    background: bool = False,
    split: bool = False,
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
        key = service_key(outcome)
        method = (key, outcome.kind, outcome.name)
        if method in first_page:
            # (two pages for one method would define it twice in the package)
            from codegen.parse import duplicate

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
        registry_file = state.names_path(out, service)
        # Each operation's JSON text once, for the parse cache, the tree and this question:
        # are the pages what the last run read, or at least the tree it described? Then
        # its deprecated aliases stay (a run redone for a new codegen is no regeneration
        # from changed pages, even when the new codegen reads more from them).
        as_json = {id(op): _compact_json(tree.operation_to_json(op)) for op in ops}
        same_pages = previous.pages_of(service) == {
            source: sha for source, (sha, key, _) in result.pages.items() if key == service
        }
        # (read and stripped once, for this question and for CHANGES.md: _stage_tree)
        trees = None if same_pages else _trees(out, service, [as_json[id(op)] for op in ops])
        same_tree = trees is None or trees[0] == trees[1]
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
            _write_service(task, previous, service, names, result, others, extras, split)
            if background and not task.dry_run:
                write.flush_pristine(out, background=True)
            renames[service] = _rename_changes(names, ops)
            if not task.dry_run:
                text = registry_text(names.registry)
                if read_disk(registry_file).text != text:
                    write.atomic_write(registry_file, text.encode("utf-8"))
        if not task.dry_run:
            entries = {source: (sha, as_json[id(op)]) for source, (sha, op) in cache[service].items()}
            caches.save_parsed(out, service, task.generator, entries)
            _stage_tree(
                out, service, ops, [as_json[id(op)] for op in ops], result, renames.get(service, []), trees,
                background,
            )
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
        cache.update(caches.load_parsed(out, service, task.generator))
    return cache


# The halves of a split service's rendering: about even when a page changed and the
# memo keeps most files (sagemaker, each part in a new process: the stubs 0.7 s, its one
# file always rendered; the models 0.5, the docs 0.3-0.4, the validators 0.2).
_HERE = ("init", "stubs", "validators")
_THERE = ("models", "docs")


def _write_service(
    task: UnitTask,
    previous: Previous,
    service: str,
    names: ServiceNames,
    result: UnitResult,
    others: Sequence[Operation] = (),
    extras: ClientExtras | None = None,
    split: bool = False,
) -> None:
    out = Path(task.out)
    result.summaries[service] = summary_of(names)
    # What the files were last rendered from (codegen/emit/rendermemo.py); not for a dry
    # run (`check` renders everything: exact, whatever the user's cache folder says).
    templates = state.templates_hash()
    memoised = not task.dry_run and len(names.operations) >= MEMO_AT_LEAST
    last = _memo_candidates(out, service, task.generator, templates, previous) if memoised else {}
    bases: list[dict[str, str]] = []

    # The templates write a layout black leaves alone (codegen/fmt.py): no black here;
    # it only runs over hand edits merged into a module (merge.py).
    def part(parts: tuple[str, ...], memo: bool = True) -> Callable[[], _Rendered]:
        def render() -> _Rendered:
            kept = RenderMemo(last) if memo and memoised else None
            files = render_service(names, task.package, task.targets, others, extras, task.responses, parts, kept)
            return files, (kept.made if kept else {}), (kept.kept if kept else [])

        return render

    def here() -> _Rendered:
        # (meanwhile, in a thread: the merge bases of the modules that may be kept, which
        # are packed again with the rest; lzma and hashlib let go of the GIL)
        modules = {rel: previous.base[rel] for rel in last if write.is_python(rel)}
        if not modules:
            return part(_HERE)()
        loading = threading.Thread(target=lambda: bases.append(write.pristine_texts(out, modules)))
        loading.start()
        try:
            return part(_HERE)()
        finally:
            loading.join()

    if split:
        (files, made, kept), (there_files, there_made, there_kept) = forks.side_by_side(here, part(_THERE))
        files, made, kept = {**files, **there_files}, {**made, **there_made}, kept + there_kept
    else:
        files, made, kept = here()
        more_files, more_made, more_kept = part(tuple(p for p in SERVICE_PARTS if p not in _HERE))()
        files, made, kept = {**files, **more_files}, {**made, **more_made}, kept + more_kept
    texts = bases[0] if bases else {}
    # A module whose merge base is not in its pack (a damaged state) is rendered after all.
    lost = {rel for rel in kept if write.is_python(rel) and rel not in texts}
    if lost:
        files.update((rel, text) for rel, text in part(SERVICE_PARTS, memo=False)()[0].items() if rel in lost)
    shas = result.files.setdefault(service, {})
    record: dict[str, tuple[str, str]] = {}
    for rel in sorted(files):
        text = files[rel]
        conflict = write_one(
            out, rel, text, previous.base.get(rel), previous.is_legacy(rel), task.force, task.dry_run, result.log
        )
        sha = sha256(text)
        if conflict is None:
            shas[rel] = sha
        else:  # conflict: keep the old base and look again next run
            shas[rel] = conflict
            result.conflicted.add(service)
        if rel in made:
            record[rel] = (made[rel], sha)
    for rel in kept:
        if rel not in lost:
            # (as write_one does with a text that is its base: nothing to write, the base kept)
            shas[rel] = previous.base[rel]
            record[rel] = (made[rel], previous.base[rel])
            if rel in texts and not task.dry_run:
                write.put_pristine(out, rel, texts[rel])
    if memoised:
        caches.save_renders(out, service, task.generator, templates, record)


# The client operations a service has at least for its files to be kept by a RenderMemo.
# Fingerprints cost about a tenth of a render (sagemaker: 0.2 of 2.4 s), which a cold run
# pays for every service to keep the records; a smaller service renders in a fraction of
# a second anyway. (Of the whole reference's generated bytes, 35% are in the 41 services
# of 100 operations or more.)
MEMO_AT_LEAST = 100

_Rendered = tuple[dict[str, str], dict[str, str], list[str]]  # files, fingerprints, files kept (RenderMemo)


def _memo_candidates(out: Path, service: str, generator: str, templates: str, previous: Previous) -> dict[str, str]:
    """file → fingerprint, of the files of `service` whose text the last run recorded
    is still their merge base on record, and that are there (a file deleted by hand is
    written again): those a RenderMemo may keep."""
    found = {}
    for rel, (key, sha) in caches.load_renders(out, service, generator, templates).items():
        if previous.base.get(rel) == sha and not previous.is_legacy(rel) and os.path.lexists(out / rel):
            found[rel] = key
    return found


def _tree_text(ops_json: Sequence[str]) -> str:
    """tree.document_to_json of the operations, written out (`ops_json`: each operation's)."""
    return f'{{"ir_version":{_compact_json(tree.IR_VERSION)},"operations":[{",".join(ops_json)}]}}'


def _compact_json(value: Any) -> str:
    # Compact: indented JSON goes through json's pure-Python encoder, several times slower.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _trees(out: Path, service: str, ops_json: Sequence[str]) -> tuple[str | None, str]:
    """The saved tree of `service` (None: none) and savedtrees.saved_tree of the new one; ""
    for the new one when there is no saved tree: they differ whatever it is, and
    stripping the docs of a service's whole tree is a regex over megabytes (a cold run)."""
    old = savedtrees.read_tree(out, service)
    return old, "" if old is None else savedtrees.saved_tree(_tree_text(ops_json))


def _stage_tree(
    out: Path, service: str, ops: list[Operation], ops_json: list[str], result: UnitResult,
    renames: Sequence[diff.Change] = (),
    trees: tuple[str | None, str] | None = None,
    background: bool = False,
) -> None:
    """The CHANGES.md section for `service`, and its new tree saved beside the old one;
    the main process puts it in place once CHANGES.md has the section. `ops` in
    sort_key order; `ops_json` their tree.operation_to_json as compact JSON text; `trees`:
    the saved tree and savedtrees.saved_tree of the new one, when the caller has read them;
    `background`: the tree is saved in a thread (savedtrees.stage_tree)."""
    new_text = _tree_text(ops_json)
    # (None: missing, or not a plain gzip file of UTF-8: a link or a FIFO is never read through)
    old_text, saved_new = trees if trees is not None else _trees(out, service, ops_json)
    same = old_text == saved_new  # (the saved tree keeps no docs: CHANGES.md ignores them)
    if same and not renames and os.path.lexists(savedtrees.tree_path(out, service)):
        return  # (else saved again: a tree of an older layout is moved to this one)
    try:
        # (the operations that differ: the others would compare equal)
        old_ops, new_ops = diff.changed_operations(old_text, saved_new, ops) if old_text else ([], ops)
    except ValueError:
        # Damaged (a merge conflict in it, an edit; the output may come from a pull
        # request): described as a first run would be, and replaced.
        old_ops, new_ops = [], ops
    changes = diff.compare(old_ops, new_ops)
    if renames or changes.changes:
        title = f"{service}: shape tree {sha256(new_text)[:12]}"
        if same:
            title = f"{service}: class names re-resolved"
        result.changelog[service] = diff.changelog_markdown(old_ops, new_ops, title, renames, changes)
    savedtrees.stage_tree(out, service, saved_new or savedtrees.saved_tree(new_text), background)  # ("": not made yet)
    result.trees.append(service)
