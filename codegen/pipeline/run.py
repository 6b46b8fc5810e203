"""Incremental, merge-aware, streaming `generate` (and its dry run, `check`).

1. Hash every input page; with the manifest of the last run, find the units (service
   folders) with a page new, changed or gone, and so the units to redo (all of them
   when the generator, the templates or the options changed).
2. Each unit runs in a worker process (codegen/pipeline/unit.py), biggest first: parse only its
   changed pages (the others come from the parse cache), render its services, write
   its files, and send back only records. A page that fails to parse is listed at the
   end; its last good version (parse cache) stands in for it.
3. The package-level files are rendered from the services' summaries when the list of
   services or operations changed.
4. For each file: when the file on disk is what the generator wrote last time (or is
   missing), write the new text; otherwise merge the user's edits into it (merge.py).
   A conflict leaves the file alone (reported); `force` takes the generator's side for
   the conflicting members and keeps the user's file as `<file>.orig`.
5. Delete the files of removed operations/services (a hand-edited one is a conflict).
6. Save the manifest last. Every write is atomic; a run killed at any point leaves the
   old manifest, and the next run redoes the same work and reaches the same tree.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codegen import forks, gcpause
from codegen.emit import options
from codegen.emit.options import (
    ALL_TARGETS, TARGETS, check_enums, check_package_name, check_responses, parse_targets,
)
from codegen.errors import BuildError
from codegen.pipeline import caches, lock, outscan, plan, readahead, savedtrees, state, task as unit_task, update, write
from codegen.pipeline.config import Config, rename_refusal
from codegen.pipeline.pages import Pages, StatCache, unit_of
from codegen.pipeline.progress import Progress, Quiet
from codegen.pipeline.update import WriteLog
from codegen.registry import NameOptions

if TYPE_CHECKING:
    from codegen.pipeline.merge import Conflict

# Parsing, rendering (codegen.pipeline.unit, codegen.emit), the worker pools and the
# changelog (codegen.diff) are imported where they are used: a no-op `generate` uses
# none of them, and importing them (docutils, pygments, jinja2, the templates' modules)
# was a fifth of its time.


@dataclass(slots=True)
class RegenResult:
    out: Path
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # services re-rendered this run
    package_rendered: bool = False
    merged: list[str] = field(default_factory=list)  # files whose hand edits were carried over
    backups: list[str] = field(default_factory=list)  # `.orig` copies saved by force
    conflicts: list[Conflict] = field(default_factory=list)
    tracked: list[str] = field(default_factory=list)  # every generated file of the output
    errors: list[str] = field(default_factory=list)  # "file:line: message" of pages that failed
    dry_run: bool = False

    @property
    def stale(self) -> list[str]:
        """Files this run wrote or removed (or, in a dry run, would)."""
        return sorted(set(self.written) | set(self.removed))

    @property
    def up_to_date(self) -> bool:
        return not self.stale and not self.conflicts


def regenerate(
    inputs: Sequence[Path],
    out: Path,
    package: str,
    targets: Sequence[str] = TARGETS,
    jobs: int = 1,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    rename_package: bool = False,
    names: NameOptions = NameOptions(),
    enums: str = options.DEFAULT_ENUMS,
    responses: str = options.DEFAULT_RESPONSES,
) -> RegenResult:
    """Bring `out` up to date with `inputs`; see the module docstring. Raises BuildError
    when nothing can be done (or `package` is not the one `out` was generated with, and
    not `rename_package`); pages that fail to parse are listed in `result.errors`
    (their units keep their previous output) while every other unit goes through.

    `dry_run` computes everything (what would be written, removed, conflict) and writes
    nothing. Runs on one output folder take turns (codegen/pipeline/lock.py): a run waits for the
    one in progress, saying so once through `on_wait` (default: stderr), for at most
    `lock_timeout` seconds (None: as long as it takes), else BuildError. `enums`: the
    validators' default enum mode, which only the package-level `_runtime.py` holds;
    `responses` how the models and stubs type response keys (a change redoes every service).
    """
    args = (inputs, out, package, targets, jobs, force, dry_run, progress, rename_package, names, enums, responses)
    check_package_name(package)
    check_enums(enums)
    check_responses(responses)
    if not dry_run:
        try:
            write.check_writable(out)
        except NotADirectoryError:
            raise BuildError([f"error: {out}: not a directory"]) from None
        except OSError as exc:
            raise BuildError([f"error: {out}: cannot write: {exc.strerror or exc}"]) from None
    try:
        with lock.hold(out, lock_timeout, on_wait, shared=dry_run), gcpause.paused():
            try:
                return _regenerate(*args)
            except BaseException:
                if not dry_run:
                    _remove_temps(out)
                raise
    except lock.LockTimeout as exc:
        raise BuildError([f"error: {exc}"]) from None
    except OSError as exc:
        raise BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None


def _stat_cache_path(out: Path) -> Path:
    """The pages' stats of the runs into `out` (pages.StatCache), in the user's cache folder."""
    return caches.cache_dir() / "pagestat" / f"{write.sha256(os.path.abspath(out))[:16]}.json"


def _listings_path(out: Path) -> Path:
    """The folders' listings of the runs into `out` (outscan.Listings), in the user's cache folder."""
    return caches.cache_dir() / "outscan" / f"{write.sha256(os.path.abspath(out))[:16]}.json"


def _remove_temps(out: Path) -> None:
    """The temp files of workers stopped mid-write (a signal, an error): the run stops
    with nothing half-written, not even a temp file."""
    for wait in (write.wait_pristine, savedtrees.wait_staged):
        try:
            wait(out)  # (a pack or a tree a thread is writing: finished, or its temp file gone)
        except Exception:
            pass
    try:
        outscan.remove_stale_temps(out)
    except OSError:
        pass


def _read_whole(task: unit_task.UnitTask) -> bool:
    """Whether the unit reads all its files: not with the render memo (unit.MEMO_AT_LEAST
    client operations), which keeps most, unread (a one-page change to sagemaker writes
    14 of 1,821): reading them all ahead then only slowed the rest (4.8 s against 5.1)."""
    from codegen.pipeline.unit import MEMO_AT_LEAST

    return sum(source.split("/")[1:2] == ["client"] for source, _, _ in task.pages) < MEMO_AT_LEAST


def _run_units(
    tasks: list[unit_task.UnitTask],
    paths: Mapping[str, str],
    previous: unit_task.Previous,
    jobs: int,
    progress: Progress,
    ahead: Callable[[], None] | None = None,
) -> Generator[unit_task.UnitResult, None, None]:
    """Each task's result, in the order they finish: units side by side in `jobs`
    worker processes, or one big unit's pages parsed by all of them (`ahead`: what
    reads that unit's files ahead, readahead.py)."""
    if not tasks:
        return
    from codegen import workers
    from codegen.pipeline import unit

    report = progress.advance
    # (the units' own collections; what they froze given back at the end: codegen/gcpause.py)
    with gcpause.resumed():
        if jobs <= 1:
            for task in tasks:
                # (one unit: its bases are packed while the run goes on; several: each
                # packs before the next starts, so that no more than one's texts are held)
                yield unit.run_unit(task, previous, report=report, background=len(tasks) == 1)
            return
        if len(tasks) == 1:
            task = tasks[0]
            # The pages that changed since the last run are not in its parse cache: a few
            # are parsed by a forked copy while the cache is read here (sagemaker's: 0.3 s).
            fresh = [(s, paths[s]) for s, _, sha in task.pages if previous.pages.get(s, ("",))[0] != sha]
            if previous.pages and 0 < len(fresh) <= _PARSED_ASIDE:
                known, aside = forks.side_by_side(lambda: unit.cached_outcomes(task), lambda: unit.parse_chunk(fresh))
                known.update((source, (sha, outcome)) for source, sha, outcome in aside if source not in known)
            else:
                known = unit.cached_outcomes(task)
            report(len(known), task.name)
            todo = [(s, paths[s]) for s, _, _ in task.pages if s not in known]
            size = max(1, min(32, len(todo) // (jobs * 8)))
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            if len(chunks) > 1:
                with workers.pool(jobs) as pool:
                    for done in pool.map(unit.parse_chunk, chunks):
                        known.update((source, (sha, outcome)) for source, sha, outcome in done)
                        report(len(done), task.name)
            # (once the parse cache is read: its reads and the read-ahead's do not queue together)
            with forks.meanwhile(ahead):
                result = unit.run_unit(task, previous, preparsed=known, report=report, background=True, split=True)
            yield result
            return
        queue: Any = workers.context().Queue()
        with workers.pool(jobs, initializer=_init_worker, initargs=(queue,)) as pool:
            # Biggest first (in bytes: a few huge pages, mediaconvert's, cost more than many
            # small ones), so that one large service does not run alone at the end.
            ordered = sorted(tasks, key=lambda t: (-t.weight, -t.size, t.name))
            futures = [pool.submit(_run_in_worker, task) for task in ordered]
            listener = threading.Thread(target=_listen, args=(queue, report), daemon=True)
            listener.start()
            try:
                for future in as_completed(futures):
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()
                queue.put(None)
                listener.join()


# Changed pages of the one unit of a run parsed beside the reading of its parse cache, at
# most: more go to the workers (a chunk each), after it.
_PARSED_ASIDE = 8

_worker_queue: Any = None


def _init_worker(queue: Any) -> None:
    global _worker_queue
    _worker_queue = queue


_REPORT_EVERY = 0.1  # seconds: a queue message per page would cost a context switch each


def _run_in_worker(task: unit_task.UnitTask) -> unit_task.UnitResult:
    from codegen.pipeline import unit

    pending = 0
    last = time.monotonic()

    def report(count: int, name: str) -> None:
        nonlocal pending, last
        pending += count
        now = time.monotonic()
        if now - last >= _REPORT_EVERY:
            _worker_queue.put((pending, name))
            pending, last = 0, now

    try:
        return unit.run_unit(task, report=report)
    finally:
        if pending:
            _worker_queue.put((pending, task.name))


def _listen(queue: Any, report: unit_task.Report) -> None:
    while (item := queue.get()) is not None:
        report(*item)


class _UnitRuns:
    """What the units sent back, gathered as they finish (in any order)."""

    def __init__(self, new: state.Manifest) -> None:
        self.new = new
        self.log = WriteLog()
        self.summaries: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, str]] = {}  # service → file → sha (a service is one unit's)
        self.conflicted: set[str] = set()
        self.failed: set[str] = set()
        self.errors: list[str] = []
        self.skipped: list[str] = []
        self.changelog: dict[str, str] = {}
        self.staged: list[str] = []
        self.produced_by: dict[str, str] = {}

    def add(self, done: unit_task.UnitResult) -> None:
        self.errors.extend(done.errors)
        if done.failed:
            self.failed.add(done.name)
            return
        for service in done.summaries:
            if service in self.produced_by:
                raise BuildError(
                    [f"error: service {service} has pages in two folders: {self.produced_by[service]}, {done.name}"]
                )
            self.produced_by[service] = done.name
        for source, (sha, made, error) in done.pages.items():
            self.new.pages[source] = state.PageRecord(sha, made, error)
        self.summaries.update(done.summaries)
        self.files.update(done.files)
        self.conflicted |= done.conflicted
        self.log.extend(done.log)
        self.changelog.update(done.changelog)
        self.staged.extend(done.trees)
        self.skipped.extend(done.skipped)


def _regenerate(
    inputs: Sequence[Path],
    out: Path,
    package: str,
    targets: Sequence[str] = TARGETS,
    jobs: int = 1,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    rename_package: bool = False,
    names: NameOptions = NameOptions(),
    enums: str = options.DEFAULT_ENUMS,
    responses: str = options.DEFAULT_RESPONSES,
) -> RegenResult:
    """Bring `out` up to date with `inputs`; see the module docstring. Raises BuildError."""
    check_package_name(package)
    progress = progress or Quiet()
    targets = tuple(t for t in ALL_TARGETS if t in targets)
    result = RegenResult(out=out, dry_run=dry_run)
    clock = t0 = time.perf_counter()
    generator = state.generator_hash()
    new = state.Manifest(
        generator=generator, templates=state.templates_hash(), package=package, targets=targets,
        names=names.settings_key(), responses=responses,
    )
    # (`check` reads every folder: exact, whatever a folder's stat says)
    listings = outscan.Listings(None if dry_run else _listings_path(out))
    old = state.load(out)
    # (the folders' inodes read ahead while the pages are looked at: readahead.py)
    with forks.meanwhile(readahead.folders(out, listings.entries) if jobs > 1 else None):
        if old is not None and old.package != package:
            # The options an output was made with stay its options: a new package name is
            # a rename, asked for explicitly (its files move; hand edits come along).
            if not rename_package:
                raise BuildError([rename_refusal(out, old.package, package)])
            old = state.rename_package(out, old, package, dry_run)
        # (`check` hashes every page: exact, whatever a page's stat says)
        stats = StatCache(None if dry_run else _stat_cache_path(out))
        pages = Pages(inputs, hashed=old is not None, stats=stats)
        if not pages.sha:
            raise BuildError([f"{', '.join(str(p) for p in inputs)}:1: no client operation pages found"])
        # (re-resolving names redoes every service, as new settings do)
        same = old is not None and old.settings() == new.settings() and not names.reresolve
        units = pages.units()
        present, temps = outscan.scan_output(out, listings) if old is not None else (set(), [])
        affected = plan.affected_units(units, pages, old, same, out, present)
    result.timings["hash"] = time.perf_counter() - clock

    old_pages = old.pages if old is not None else {}
    tasks = plan.unit_tasks(
        affected, units, pages, old, same, out, package, targets, generator, force, dry_run, names, responses
    )
    if not dry_run:
        outscan.remove_stale_temps(out, temps if old is not None else None)
    previous = unit_task.Previous.of(out, old)
    progress.start(sum(t.size for t in tasks))
    runs = _UnitRuns(new)
    ahead = None
    if len(tasks) == 1 and jobs > 1 and old is not None and _read_whole(tasks[0]):
        # (one unit on several cores: its files read ahead while it names and renders)
        services = {rec.service for source, _, _ in tasks[0].pages if (rec := old.pages.get(source)) and rec.service}
        ahead = readahead.files(out, [rel for service in sorted(services) for rel in old.files.get(service, {})])
    results = _run_units(tasks, pages.paths, previous, jobs, progress, ahead)
    try:
        for done in results:
            runs.add(done)
    except OSError as exc:
        raise BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None
    finally:
        results.close()  # when stopped early: the workers stop now (codegen/workers.py)
        progress.finish()
    log, summaries, new_files, conflicted, failed = runs.log, runs.summaries, runs.files, runs.conflicted, runs.failed
    produced_by = runs.produced_by
    result.errors, result.skipped, result.rendered = sorted(runs.errors), runs.skipped, sorted(summaries)
    result.timings["units"] = time.perf_counter() - clock

    # Carried over: what the units not redone (or failing now) made last time.
    clock = time.perf_counter()
    carried: dict[str, dict[str, str]] = {}
    package_level_files: dict[str, str] = {}
    redone = set(affected) - failed
    if old is not None:
        kept: set[str] = set()
        for source, rec in old_pages.items():
            if source not in pages.sha:
                continue
            unit = unit_of(source)
            if unit in redone:
                continue
            if rec.service:
                kept.add(rec.service)
            if unit not in affected:
                new.pages[source] = rec
                if rec.error:  # still the version that failed: still an error
                    result.errors.append(rec.error)
        result.errors.sort()
        kept -= set(produced_by)
        for service in sorted(kept & set(old.services)):
            summaries[service] = dict(old.services[service].summary)
            new.services[service] = old.services[service]
        carried = {service: old.files[service] for service in kept if service in old.files}
    if not summaries:
        if result.errors:
            raise BuildError(result.errors)
        raise BuildError([f"{', '.join(str(p) for p in inputs)}:1: no client operation pages found"])

    # The package-level files list every service.
    package_key = plan.hash_json([new.settings(), sorted(summaries.items()), enums])
    try:
        if plan.package_due(out, old, same, package_key):
            from codegen.emit.package import package_files

            try:
                package_level = package_files(summaries, package, targets, enums)
            except Exception as exc:  # a template bug: still one line, no traceback
                raise BuildError([f"error: internal: cannot render the package: {exc!r}"]) from None
            result.package_rendered = True
            for rel, text in sorted(package_level.items()):
                base = update.write_one(
                    out, rel, text, previous.base.get(rel), previous.is_legacy(rel), force, dry_run, log
                )
                package_level_files[rel] = write.sha256(text) if base is None else base
                if base is not None:
                    conflicted.add("")
        elif old is not None:
            package_level_files = dict(old.files.get("", {}))

        # (where two claim a file: the package's, then what was carried over, as before)
        new.files = state.layered([{"": package_level_files}, carried, new_files])
        # Files of removed operations and services.
        before: dict[str, str] = {}
        if old is not None:
            # (a group carried over as it was holds no orphan: a one-page run looks at
            # its own service's files, not the whole reference's)
            for service, group in old.files.items():
                if new.files.get(service) is not group:
                    before.update(group)
            before.update(old.orphans)
        for rel in sorted(set(before).difference(*new.files.values())):
            if not update.remove_one(out, rel, before[rel], force, dry_run, log):
                new.orphans[rel] = before[rel]
        for rel in sorted(previous.legacy.difference(*new.files.values())):
            update.remove_legacy(out, rel, dry_run, log)
    except OSError as exc:
        raise BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None

    new.pages = dict(sorted(new.pages.items()))
    fresh = {service for service in summaries if service not in new.services}  # (else carried over)
    pages_of: dict[str | None, list[tuple[str, str]]] = {}
    for source, rec in new.pages.items() if fresh else ():
        if rec.service in fresh:
            pages_of.setdefault(rec.service, []).append((source, rec.sha))
    for service in sorted(fresh):
        key = "" if service in conflicted else plan.hash_json(pages_of.get(service, []))
        new.services[service] = state.ServiceRecord(key, summaries[service])
    new.package_key = "" if "" in conflicted else package_key
    result.tracked = new.tracked()
    result.services = sorted(summaries)
    if not dry_run:
        with write.signals_held():
            state.drop_parsed(out, summaries)
            savedtrees.wait_staged(out)  # (the trees a unit staged in a thread)
            refused = _update_changelog(out, runs.changelog, runs.staged)
            if refused:
                result.errors.append(refused)
            packs = None
            if new != old:  # an unchanged manifest is not even serialised (a no-op run's largest cost)
                # (serialised while the merge bases' last packs are still being made: xz
                # lets go of the GIL)
                bases, data = state.bases(new), state.packed(new, old)
                packs = write.sync_pristine(out, bases)  # (before the manifest that refers to them)
                state.save_packed(out, data)
            else:
                write.flush_pristine(out)  # (packs that are there already, unless removed by hand)
            state.drop_legacy_state(out)
        if packs is not None:
            write.gc_pristine(out, packs)
        if old is None:
            # A first run's pages were hashed by the workers that read them: their stats
            # are recorded now, for the next run.
            for source, rec in new.pages.items():
                if len(rec.sha) == 32 and source in pages.paths:
                    stats.record_read(pages.paths[source], rec.sha)
        stats.save()
        if old is None:
            # A first run reads no folder before it writes: the listings are recorded now,
            # for the next run (folders written in the last 2 s are not: it reads those).
            outscan.scan_output(out, listings)
        listings.save()
        write.remove_empty_dirs(out, log.removed)
    result.written = sorted(log.written)
    result.removed = sorted(log.removed)
    result.merged = sorted(log.merged)
    result.backups = sorted(log.backups)
    result.conflicts = log.conflicts
    result.skipped.sort()
    if dry_run and result.errors:
        raise BuildError(result.errors)
    result.timings["finish"] = time.perf_counter() - clock
    result.timings["total"] = time.perf_counter() - t0
    return result


def _update_changelog(out: Path, sections: Mapping[str, str], staged: Sequence[str]) -> str | None:
    """Put what changed in each re-rendered service's shape tree at the top of CHANGES.md,
    then the new trees in place (a run killed in between writes the sections again).
    A CHANGES.md that is a link or not a regular file is left as it is (nothing is read
    through it), and so are the saved trees, so that the service's next change reports
    everything since: the error line."""
    if sections:
        from codegen import diff

        path = out / "CHANGES.md"
        disk = write.read_disk(path)
        if disk.problem and disk.data is None:
            return f"error: CHANGES.md:1: {disk.problem}: not updated (nor is anything read through it)"
        # surrogateescape: bytes a user put in that are not UTF-8 are written back as they were.
        text = disk.data.decode("utf-8", "surrogateescape") if disk.data is not None else None
        for service in sorted(sections, reverse=True):
            text = diff.prepend_changelog(text, sections[service])
        assert text is not None
        write.atomic_write(path, text.encode("utf-8", "surrogateescape"))
    for service in sorted(staged):
        savedtrees.commit_tree(out, service)
    return None


def generate(
    inputs: Sequence[Path],
    out: Path,
    package: str,
    targets: Sequence[str] = TARGETS,
    jobs: int = 1,
    progress: Progress | None = None,
    force: bool = False,
    lock_timeout: float | None = None,
    rename_package: bool = False,
    names: NameOptions | None = None,
    enums: str = options.DEFAULT_ENUMS,
    responses: str = options.DEFAULT_RESPONSES,
) -> RegenResult:
    """The whole pipeline, incremental and streamed unit by unit: only what changed since
    the last run is parsed, rendered and written; hand edits are merged
    (docs/regenerate.md). Raises BuildError on bad options or output; pages that fail
    to parse are listed in `result.errors` (their last good version stands in for them);
    conflicting hand edits are reported, those files untouched. `enums` is the validators'
    default enum mode (options.ENUM_MODES); `responses` how response keys are typed
    (options.RESPONSE_MODES).
    """
    return regenerate(
        inputs, out, package, targets, jobs=jobs, force=force, progress=progress, lock_timeout=lock_timeout,
        rename_package=rename_package, names=names or NameOptions(), enums=enums, responses=responses,
    )


def generate_as(
    cfg: Config, jobs: int, progress: Progress | None = None, force: bool = False,
    lock_timeout: float | None = None, rename_package: bool = False, reresolve_names: bool = False,
) -> RegenResult:
    """`generate` with the options of a project's configuration (codegen/pipeline/config.py)."""
    return generate(
        [cfg.input], cfg.out, cfg.package_name, parse_targets(cfg.targets), jobs=jobs, force=force,
        progress=progress, lock_timeout=lock_timeout, rename_package=rename_package,
        names=NameOptions.of(reresolve_names, cfg.names), enums=cfg.enums, responses=cfg.responses,
    )


def check_as(cfg: Config, jobs: int, lock_timeout: float | None = None) -> RegenResult:
    """`codegen check`: the dry run of `generate_as`, which writes nothing."""
    return regenerate(
        [cfg.input], cfg.out, cfg.package_name, parse_targets(cfg.targets), jobs=jobs, dry_run=True,
        lock_timeout=lock_timeout, names=NameOptions.of(False, cfg.names), enums=cfg.enums, responses=cfg.responses,
    )
