"""Incremental, merge-aware, streaming `generate` (and its dry run, `check`).

1. Hash every input page; with the manifest of the last run, find the units (service
   folders) with a page new, changed or gone, and so the units to redo (all of them
   when the generator, the templates or the options changed).
2. Each unit runs in a worker process (codegen/unit.py), biggest first: parse only its
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

import gc
import hashlib
import json
import os
import signal
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codegen import build, config, diff, lock, unit, workers, writer
from codegen import manifest as mf
from codegen.parse import find_pages, read_page_bytes
from codegen.rst.reader import PageError
from codegen.progress import Progress, Quiet
from codegen.registry import NameOptions
from codegen.writer import WriteLog

if TYPE_CHECKING:
    from codegen.merge import Conflict

LEGACY_LISTING = build.MANIFEST  # the plain list of generated files
BACKUP_SUFFIX = writer.BACKUP_SUFFIX


@dataclass(slots=True)
class RegenResult(build.BuildResult):
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


def _hash_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _ServiceEntry:
    """What the package-level templates read of a service (its manifest summary)."""

    service_id: str
    service: str
    module: str
    client_class: str
    operations: tuple[str, ...]


def _render_package_level(
    summaries: Mapping[str, Mapping[str, Any]], package: str, targets: Sequence[str], enums: str
) -> dict[str, str]:
    services = [
        _ServiceEntry(
            str(s["service_id"]), str(s["service"]), str(s["module"]), str(s["client_class"]),
            tuple(s["operations"]),
        )
        for _, s in sorted(summaries.items())
    ]
    from codegen.emit.env import render
    from codegen.emit.dropin import dropin_files
    from codegen.emit.extras import package_stub_files

    files: dict[str, str] = {
        "pyproject.toml": render("pyproject.toml.jinja2", package=package, version=build.PACKAGE_VERSION),
        f"{package}/__init__.py": render("package_init.py.jinja2", package=package, services=services),
        f"{package}/_runtime.py": render("runtime.py.jinja2", package=package, enums=enums),
        f"{package}/py.typed": "",
        **package_stub_files(package, targets),
        **dropin_files(package, services, targets, build.PACKAGE_VERSION),
    }
    if "docs" in targets:
        from codegen.emit.docs import NavService, emit_mkdocs

        files["docs/index.md"] = render("docs_index.md.jinja2", package=package, services=services)
        files["mkdocs.yml"] = emit_mkdocs(package, (NavService(s.service, s.module, s.operations) for s in services))
    return files


def regenerate(
    inputs: Sequence[Path],
    out: Path,
    package: str,
    targets: Sequence[str] = build.TARGETS,
    jobs: int = 1,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    rename_package: bool = False,
    names: NameOptions = NameOptions(),
    enums: str = config.DEFAULT_ENUMS,
    responses: str = config.DEFAULT_RESPONSES,
) -> RegenResult:
    """Bring `out` up to date with `inputs`; see the module docstring. Raises BuildError
    when nothing can be done (or `package` is not the one `out` was generated with, and
    not `rename_package`); pages that fail to parse are listed in `result.errors`
    (their units keep their previous output) while every other unit goes through.

    `dry_run` computes everything (what would be written, removed, conflict) and writes
    nothing. Runs on one output folder take turns (codegen/lock.py): a run waits for the
    one in progress, saying so once through `on_wait` (default: stderr), for at most
    `lock_timeout` seconds (None: as long as it takes), else BuildError. `enums`: the
    validators' default enum mode, which only the package-level `_runtime.py` holds;
    `responses` how the models and stubs type response keys (a change redoes every service).
    """
    args = (inputs, out, package, targets, jobs, force, dry_run, progress, rename_package, names, enums, responses)
    build.check_package_name(package)
    build.check_enums(enums)
    build.check_responses(responses)
    if not dry_run:
        build._check_writable(out)
    try:
        with lock.hold(out, lock_timeout, on_wait, shared=dry_run):
            try:
                return _regenerate(*args)
            except BaseException:
                if not dry_run:
                    _remove_temps(out)
                raise
    except lock.LockTimeout as exc:
        raise build.BuildError([f"error: {exc}"]) from None
    except OSError as exc:
        raise build.BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None


def _remove_temps(out: Path) -> None:
    """The temp files of workers stopped mid-write (a signal, an error): the run stops
    with nothing half-written, not even a temp file."""
    try:
        writer.remove_stale_temps(out)
    except OSError:
        pass


def unit_of(source: str) -> str:
    """The unit a page belongs to: its service folder in boto3's layout
    (`<service>/<kind>/<page>.rst`), else every page of the input together."""
    parts = source.split("/")
    return parts[0] if len(parts) >= 3 else ""


class _Pages:
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
                        self.sha[source], self.size[source] = mf.sha256(data), len(data)
                    else:
                        self.sha[source], self.size[source] = "", page.lstat().st_size
                except PageError:
                    # (a FIFO, a refused link, ...: its unit is redone, and reports it)
                    self.sha[source], self.size[source] = "unreadable", 0
                except OSError as exc:
                    errors.append(f"{source}:1: cannot read: {exc.strerror or exc}")
                self.paths[source] = page
        if errors:
            raise build.BuildError(errors)

    def units(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for source in self.sha:
            grouped.setdefault(unit_of(source), []).append(source)
        return grouped


def _affected_units(
    units: Mapping[str, Sequence[str]], pages: _Pages, old: mf.Manifest | None, same: bool, out: Path
) -> list[str]:
    """Units to redo: all when the settings changed, else those with a page new, changed
    or gone, a pending conflict, or a generated file gone missing."""
    if old is None or not same:
        return sorted(units)
    old_units: dict[str, set[str]] = {}  # unit → services its pages made last time
    for source, rec in old.pages.items():
        services = old_units.setdefault(unit_of(source), set())
        if rec.service is not None:
            services.add(rec.service)
    affected = set()
    for unit, sources in units.items():
        if any(s not in old.pages or old.pages[s].sha != pages.sha[s] for s in sources):
            affected.add(unit)
    affected |= {unit_of(s) for s in old.pages if s not in pages.sha}
    pending = {s for s, rec in old.services.items() if not rec.key}
    missing = {rec.service for rel, rec in old.files.items() if not (out / rel).is_file()}
    for unit, services in old_units.items():
        if services & (pending | missing) or any(s not in old.services for s in services):
            affected.add(unit)
    return sorted(u for u in affected if u in units)


def _run_units(
    tasks: list[unit.UnitTask],
    paths: Mapping[str, Path],
    previous: unit.Previous,
    jobs: int,
    progress: Progress,
) -> Generator[unit.UnitResult, None, None]:
    """Each task's result, in the order they finish: units side by side in `jobs`
    worker processes, or one big unit's pages parsed by all of them."""
    report = progress.advance
    if jobs <= 1 or not tasks:
        try:
            for task in tasks:
                yield unit.run_unit(task, previous, report=report)
        finally:
            gc.unfreeze()  # (run_unit froze what each unit left; this process goes on: watch)
        return
    if len(tasks) == 1:
        task = tasks[0]
        known = unit.cached_outcomes(task)
        report(len(known), task.name)
        todo = [(s, str(paths[s])) for s, _, _ in task.pages if s not in known]
        size = max(1, min(32, len(todo) // (jobs * 8)))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        if len(chunks) > 1:
            with workers.pool(jobs) as pool:
                for done in pool.map(unit.parse_chunk, chunks):
                    known.update((source, (sha, outcome)) for source, sha, outcome in done)
                    report(len(done), task.name)
        try:
            yield unit.run_unit(task, previous, preparsed=known, report=report)
        finally:
            gc.unfreeze()
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


_worker_queue: Any = None


def _init_worker(queue: Any) -> None:
    global _worker_queue
    _worker_queue = queue


_REPORT_EVERY = 0.1  # seconds: a queue message per page would cost a context switch each


def _run_in_worker(task: unit.UnitTask) -> unit.UnitResult:
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


def _listen(queue: Any, report: unit.Report) -> None:
    while (item := queue.get()) is not None:
        report(*item)


class _UnitRuns:
    """What the units sent back, gathered as they finish (in any order)."""

    def __init__(self, new: mf.Manifest) -> None:
        self.new = new
        self.log = WriteLog()
        self.summaries: dict[str, dict[str, Any]] = {}
        self.files: dict[str, mf.FileRecord] = {}
        self.conflicted: set[str] = set()
        self.failed: set[str] = set()
        self.errors: list[str] = []
        self.skipped: list[str] = []
        self.changelog: dict[str, str] = {}
        self.staged: list[str] = []
        self.produced_by: dict[str, str] = {}

    def add(self, done: unit.UnitResult) -> None:
        self.errors.extend(done.errors)
        if done.failed:
            self.failed.add(done.name)
            return
        for service in done.summaries:
            if service in self.produced_by:
                raise build.BuildError(
                    [f"error: service {service} has pages in two folders: {self.produced_by[service]}, {done.name}"]
                )
            self.produced_by[service] = done.name
        for source, (sha, made, error) in done.pages.items():
            self.new.pages[source] = mf.PageRecord(sha, made, error)
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
    targets: Sequence[str] = build.TARGETS,
    jobs: int = 1,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    rename_package: bool = False,
    names: NameOptions = NameOptions(),
    enums: str = config.DEFAULT_ENUMS,
    responses: str = config.DEFAULT_RESPONSES,
) -> RegenResult:
    """Bring `out` up to date with `inputs`; see the module docstring. Raises BuildError."""
    build.check_package_name(package)
    progress = progress or Quiet()
    targets = tuple(t for t in build.ALL_TARGETS if t in targets)
    result = RegenResult(out=out, dry_run=dry_run)
    clock = t0 = time.perf_counter()
    generator = mf.generator_hash()
    new = mf.Manifest(
        generator=generator, templates=mf.templates_hash(), package=package, targets=targets,
        names=names.settings_key(), responses=responses,
    )
    old = mf.load(out)
    if old is not None and old.package != package:
        # The options an output was made with stay its options: a new package name is
        # a rename, asked for explicitly (its files move; hand edits come along).
        if not rename_package:
            raise build.BuildError([config.rename_refusal(out, old.package, package)])
        old = writer.rename_package(out, old, package, dry_run)
    pages = _Pages(inputs, hashed=old is not None)
    if not pages.sha:
        raise build.BuildError([f"{', '.join(str(p) for p in inputs)}:1: no client operation pages found"])
    # (re-resolving names redoes every service, as new settings do)
    same = old is not None and old.settings() == new.settings() and not names.reresolve
    units = pages.units()
    affected = _affected_units(units, pages, old, same, out)
    result.timings["hash"] = time.perf_counter() - clock

    old_pages = old.pages if old is not None else {}
    tasks = [
        unit.UnitTask(
            name=name,
            pages=tuple((s, str(pages.paths[s]), pages.sha[s]) for s in units[name]),
            out=str(out),
            package=package,
            targets=targets,
            generator=generator,
            cached_services=tuple(sorted({old_pages[s].service or "" for s in units[name] if s in old_pages} - {""}))
            if same or (old is not None and old.generator == generator)
            else (),
            force=force,
            dry_run=dry_run,
            weight=sum(pages.size.get(s, 0) for s in units[name]),
            names=names,
            responses=responses,
        )
        for name in affected
    ]
    if not dry_run:
        writer.remove_stale_temps(out)
    previous = unit.Previous.of(out, old)
    progress.start(sum(t.size for t in tasks))
    runs = _UnitRuns(new)
    results = _run_units(tasks, pages.paths, previous, jobs, progress)
    try:
        for done in results:
            runs.add(done)
    except OSError as exc:
        raise build.BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None
    finally:
        results.close()  # when stopped early: the workers stop now (codegen/workers.py)
        progress.finish()
    log, summaries, new_files, conflicted, failed = runs.log, runs.summaries, runs.files, runs.conflicted, runs.failed
    produced_by = runs.produced_by
    result.errors, result.skipped, result.rendered = sorted(runs.errors), runs.skipped, sorted(summaries)
    result.timings["units"] = time.perf_counter() - clock

    # Carried over: what the units not redone (or failing now) made last time.
    clock = time.perf_counter()
    redone = set(affected) - failed
    if old is not None:
        for source, rec in old_pages.items():
            if source in pages.sha and unit_of(source) not in affected:
                new.pages[source] = rec
                if rec.error:  # still the version that failed: still an error
                    result.errors.append(rec.error)
        result.errors.sort()
        kept = {
            rec.service
            for source, rec in old_pages.items()
            if rec.service and source in pages.sha and unit_of(source) not in redone
        } - set(produced_by)
        for service in sorted(kept & set(old.services)):
            summaries[service] = dict(old.services[service].summary)
            new.services[service] = old.services[service]
        new_files.update({rel: rec for rel, rec in old.files.items() if rec.service in kept})
    if not summaries:
        if result.errors:
            raise build.BuildError(result.errors)
        raise build.BuildError([f"{', '.join(str(p) for p in inputs)}:1: no client operation pages found"])

    # The package-level files list every service.
    package_key = _hash_json([new.settings(), sorted(summaries.items()), enums])
    try:
        if old is None or not same or package_key != old.package_key or "" in _pending(old) or _missing(out, old, ""):
            try:
                package_level = _render_package_level(summaries, package, targets, enums)
            except Exception as exc:  # a template bug: still one line, no traceback
                raise build.BuildError([f"error: internal: cannot render the package: {exc!r}"]) from None
            result.package_rendered = True
            for rel, text in sorted(package_level.items()):
                base = writer.write_one(
                    out, rel, text, previous.base.get(rel), rel in previous.legacy, force, dry_run, log
                )
                new_files[rel] = mf.FileRecord(mf.sha256(text) if base is None else base, "")
                if base is not None:
                    conflicted.add("")
        elif old is not None:
            new_files.update({rel: rec for rel, rec in old.files.items() if rec.service == ""})

        # Files of removed operations and services.
        before: dict[str, str] = {}
        if old is not None:
            before.update({rel: rec.sha for rel, rec in old.files.items()})
            before.update(old.orphans)
        for rel in sorted(set(before) - set(new_files)):
            if not writer.remove_one(out, rel, before[rel], force, dry_run, log):
                new.orphans[rel] = before[rel]
        for rel in sorted(previous.legacy - set(new_files)):
            writer.remove_legacy(out, rel, dry_run, log)
    except OSError as exc:
        raise build.BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None

    pages_of: dict[str | None, list[tuple[str, str]]] = {}
    for source, rec in sorted(new.pages.items()):
        pages_of.setdefault(rec.service, []).append((source, rec.sha))
    for service, summary in summaries.items():
        if service not in new.services:  # else carried over
            key = "" if service in conflicted else _hash_json(pages_of.get(service, []))
            new.services[service] = mf.ServiceRecord(key, summary)
    new.package_key = "" if "" in conflicted else package_key
    new.files = dict(sorted(new_files.items()))
    new.pages = dict(sorted(new.pages.items()))
    result.tracked = sorted(new.files)
    result.services = sorted(summaries)
    if not dry_run:
        with _signals_held():
            mf.drop_parsed(out, summaries)
            _write_listing(out, new.files)
            refused = _update_changelog(out, runs.changelog, runs.staged)
            if refused:
                result.errors.append(refused)
            if new != old:  # an unchanged manifest is not even serialised (a no-op run's largest cost)
                mf.save(out, new)
        bases = {**{rel: r.sha for rel, r in new.files.items()}, **new.orphans}
        mf.gc_pristine(out, {sha for rel, sha in bases.items() if writer.is_python(rel)})
        writer.remove_empty_dirs(out, log.removed)
    result.written = sorted(log.written)
    result.removed = sorted(log.removed)
    result.merged = sorted(log.merged)
    result.backups = sorted(log.backups)
    result.conflicts = log.conflicts
    result.skipped.sort()
    if dry_run and result.errors:
        raise build.BuildError(result.errors)
    result.timings["finish"] = time.perf_counter() - clock
    result.timings["total"] = time.perf_counter() - t0
    return result


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait for the end of the block: CHANGES.md, the trees it was
    computed from and the manifest go together (a run stopped between them would write
    the changelog's sections again)."""
    # Not a signal mask: it holds the calling thread only, and the kernel hands a signal
    # to any thread that does not block it (a listener, a pool's), whose Python handler
    # then runs in the main thread at once. Handlers that note the signal hold it in
    # every case; it is raised again, to the handler it was meant for, at the end.
    caught: list[int] = []
    try:
        previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum))
                    for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread (an embedding caller): its signals, its handlers
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def _pending(old: mf.Manifest) -> set[str]:
    return {s for s, rec in old.services.items() if not rec.key} | ({""} if not old.package_key else set())


def _missing(out: Path, old: mf.Manifest, service: str) -> bool:
    return any(not (out / rel).is_file() for rel, rec in old.files.items() if rec.service == service)


def _update_changelog(out: Path, sections: Mapping[str, str], staged: Sequence[str]) -> str | None:
    """Put what changed in each re-rendered service's shape tree at the top of CHANGES.md,
    then the new trees in place (a run killed in between writes the sections again).
    A CHANGES.md that is a link or not a regular file is left as it is (nothing is read
    through it), and so are the saved trees, so that the service's next change reports
    everything since: the error line."""
    if sections:
        path = out / "CHANGES.md"
        disk = writer.read_disk(path)
        if disk.problem and disk.data is None:
            return f"error: CHANGES.md:1: {disk.problem}: not updated (nor is anything read through it)"
        # surrogateescape: bytes a user put in that are not UTF-8 are written back as they were.
        text = disk.data.decode("utf-8", "surrogateescape") if disk.data is not None else None
        for service in sorted(sections, reverse=True):
            text = diff.prepend_changelog(text, sections[service])
        assert text is not None
        mf.atomic_write(path, text.encode("utf-8", "surrogateescape"))
    for service in sorted(staged):
        os.replace(unit.tree_path(out, service, staged=True), unit.tree_path(out, service))
    return None


def _write_listing(out: Path, files: Mapping[str, mf.FileRecord]) -> None:
    listing = "".join(f"{rel}\n" for rel in sorted(files)).encode()
    path = out / LEGACY_LISTING
    try:
        if mf.read_state(path) == listing:
            return
    except OSError:
        pass
    mf.atomic_write(path, listing)
