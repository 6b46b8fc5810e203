"""Incremental, merge-aware `generate` (and its dry run, `check`).

1. Hash every input page; with the manifest of the last run, find the pages that are
   new, changed or gone, and so the services to re-render (all of them when the
   generator, the templates or the options changed).
2. Parse only the changed pages; the other pages of those services come from the
   parse cache. Render and format only those services (and the package-level files
   when the list of services or operations changed).
3. For each file: when the file on disk is what the generator wrote last time (or is
   missing), write the new text; otherwise merge the user's edits into it (merge.py).
   A conflict leaves the file alone (reported); `force` takes the generator's side for
   the conflicting members and keeps the user's file as `<file>.orig`.
4. Delete the files of removed operations/services (a hand-edited one is a conflict).
5. Save the manifest last. Every write is atomic; a run killed at any point leaves the
   old manifest, and the next run redoes the same work and reaches the same tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen import build, diff, tree
from codegen import manifest as mf
from codegen.merge import Conflict, merge
from codegen.naming import ServiceNames, resolve
from codegen.parse import find_pages
from codegen.rst.reader import NotAMethodPage, PageError, parse_page
from codegen.tree import Operation

LEGACY_LISTING = build.MANIFEST  # the plain list of generated files
BACKUP_SUFFIX = ".orig"


@dataclass(slots=True)
class RegenResult(build.BuildResult):
    rendered: list[str] = field(default_factory=list)  # services re-rendered this run
    package_rendered: bool = False
    merged: list[str] = field(default_factory=list)  # files whose hand edits were carried over
    backups: list[str] = field(default_factory=list)  # `.orig` copies saved by force
    conflicts: list[Conflict] = field(default_factory=list)
    tracked: list[str] = field(default_factory=list)  # every generated file of the output
    dry_run: bool = False

    @property
    def stale(self) -> list[str]:
        """Files this run wrote or removed (or, in a dry run, would)."""
        return sorted(set(self.written) | set(self.removed))

    @property
    def up_to_date(self) -> bool:
        return not self.stale and not self.conflicts


def service_key_of(op: Operation) -> str:
    """The service an operation belongs to, as naming.resolve groups them."""
    return op.service_id or op.service.lower()


def _summary(names: ServiceNames) -> dict[str, Any]:
    return {
        "service_id": names.service_id,
        "service": names.service,
        "module": names.module,
        "client_class": names.client_class,
        "operations": [op.name for op in names.operations],
    }


def _hash_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _render_package_level(services: Sequence[ServiceNames], package: str, targets: Sequence[str]) -> dict[str, str]:
    from codegen.emit.env import render

    files: dict[str, str] = {
        "pyproject.toml": render("pyproject.toml.jinja2", package=package, version=build.PACKAGE_VERSION),
        f"{package}/__init__.py": render("package_init.py.jinja2", package=package, services=services),
        f"{package}/_runtime.py": render("runtime.py.jinja2", package=package),
        f"{package}/py.typed": "",
    }
    if "docs" in targets:
        files["docs/index.md"] = render("docs_index.md.jinja2", package=package, services=services)
    return files


def _parse_chunk(chunk: list[tuple[str, str]]) -> list[tuple[str, str, Operation | str | None]]:
    """(source, sha of the bytes parsed, operation | error line | None when skipped)."""
    out: list[tuple[str, str, Operation | str | None]] = []
    for source, path in chunk:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            out.append((source, "", f"{source}:1: cannot read: {exc.strerror or exc}"))
            continue
        sha = mf.sha256(data)
        try:
            out.append((source, sha, parse_page(data, source)))
        except NotAMethodPage:
            out.append((source, sha, None))
        except PageError as exc:
            out.append((source, sha, str(exc)))
    return out


class _Pages:
    """Input pages: hashes, and operations parsed or taken from the parse cache."""

    def __init__(self, inputs: Sequence[Path], out: Path, generator: str, jobs: int = 1) -> None:
        self.out = out
        self.jobs = jobs
        self.generator = generator
        self.paths: dict[str, Path] = {}
        self.sha: dict[str, str] = {}
        errors: list[str] = []
        for path in inputs:
            for page, source in find_pages(path):
                try:
                    self.sha[source] = mf.sha256(page.read_bytes())
                except OSError as exc:
                    errors.append(f"{source}:1: cannot read: {exc.strerror or exc}")
                self.paths[source] = page
        if errors:
            raise build.BuildError(errors)
        self.ops: dict[str, Operation] = {}
        self.skipped: list[str] = []
        self._cache: dict[str, dict[str, tuple[str, Operation]]] = {}
        self.parsed_count = 0

    def parse(self, sources: Sequence[str]) -> None:
        todo = [(source, str(self.paths[source])) for source in sources]
        if self.jobs > 1 and len(todo) > 8:
            size = max(1, min(64, len(todo) // (self.jobs * 4)))
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            with ProcessPoolExecutor(max_workers=self.jobs) as pool:
                outcomes = [o for chunk in pool.map(_parse_chunk, chunks) for o in chunk]
        else:
            outcomes = _parse_chunk(todo)
        errors: list[str] = []
        for source, sha, outcome in outcomes:
            if sha:
                self.sha[source] = sha  # what was parsed, if the page changed meanwhile
            if isinstance(outcome, Operation):
                self.ops[source] = outcome
                self.parsed_count += 1
            elif outcome is None:
                self.skipped.append(source)
            else:
                errors.append(outcome)
        if errors:
            raise build.BuildError(errors)

    def from_cache(self, service: str, sources: Sequence[str]) -> None:
        """Operations of unchanged pages of `service`, parsing those the cache lacks."""
        cache = self._cache.get(service)
        if cache is None:
            cache = self._cache[service] = mf.load_parsed(self.out, service, self.generator)
        missing = []
        for source in sources:
            hit = cache.get(source)
            if hit is not None and hit[0] == self.sha[source]:
                self.ops[source] = hit[1]
            elif source not in self.ops:
                missing.append(source)
        self.parse(missing)


def regenerate(
    inputs: Sequence[Path],
    out: Path,
    package: str,
    targets: Sequence[str] = build.TARGETS,
    jobs: int = 1,
    force: bool = False,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RegenResult:
    """Bring `out` up to date with `inputs`; see the module docstring. Raises BuildError.

    `dry_run` computes everything (what would be written, removed, conflict) and writes
    nothing. Runs on one existing output folder take turns (flock on .codegen/).
    """
    args = (inputs, out, package, targets, jobs, force, dry_run, progress)
    if dry_run:
        return _regenerate(*args)
    build.check_package_name(package)
    build._check_writable(out)
    try:
        with _locked(out):
            return _regenerate(*args)
    except OSError as exc:
        raise build.BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    if not mf.state_dir(out).is_dir():
        yield  # a first run: nothing to protect yet, and a failed run leaves no folder
        return
    fd = os.open(mf.state_dir(out), os.O_RDONLY)  # the folder itself: no lock file left behind
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _regenerate(
    inputs: Sequence[Path],
    out: Path,
    package: str,
    targets: Sequence[str] = build.TARGETS,
    jobs: int = 1,
    force: bool = False,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RegenResult:
    """Bring `out` up to date with `inputs`; see the module docstring. Raises BuildError."""
    build.check_package_name(package)
    targets = tuple(t for t in build.TARGETS if t in targets)
    result = RegenResult(out=out, dry_run=dry_run)
    clock = time.perf_counter()
    t0 = clock
    generator = mf.generator_hash()
    new = mf.Manifest(generator=generator, templates=mf.templates_hash(), package=package, targets=targets)
    old = mf.load(out)
    pages = _Pages(inputs, out, generator, jobs)
    if not pages.sha:
        raise build.BuildError([f"{', '.join(str(p) for p in inputs)}:1: no client operation pages found"])
    same = old is not None and old.settings() == new.settings()
    result.timings["hash"] = time.perf_counter() - clock

    # Which pages to parse and which services to re-render.
    clock = time.perf_counter()
    old_pages = old.pages if old is not None else {}
    if old is None or old.generator != generator:
        changed = list(pages.sha)  # the parser may have changed: parse everything
    else:
        changed = [s for s, sha in pages.sha.items() if s not in old_pages or old_pages[s].sha != sha]
    gone = [s for s in old_pages if s not in pages.sha]
    pages.parse(changed)
    page_service: dict[str, str | None] = {}
    for source in pages.sha:
        if source in pages.ops:
            page_service[source] = service_key_of(pages.ops[source])
        elif source in changed:
            page_service[source] = None  # skipped
        else:
            page_service[source] = old_pages[source].service
    all_services = sorted({s for s in page_service.values() if s is not None})
    if same:
        assert old is not None
        affected = {page_service[s] for s in changed} | {old_pages[s].service for s in changed + gone if s in old_pages}
        affected |= {s for s, rec in old.services.items() if not rec.key}  # pending conflicts
        affected |= {s for s in all_services if s not in old.services}
        # A generated file that went missing is restored.
        for rel, rec in old.files.items():
            if not (out / rel).is_file():
                affected.add(rec.service)
        affected_services = sorted(s for s in affected if s)
        package_dirty = "" in affected
    else:
        affected_services = list(all_services)
        package_dirty = True
    for service in affected_services:
        sources = [s for s in pages.sha if page_service[s] == service and s not in pages.ops]
        if sources:
            pages.from_cache(service, sources)
    result.skipped = sorted(s for s, svc in page_service.items() if svc is None)
    result.timings["parse"] = time.perf_counter() - clock

    # Render the affected services.
    clock = time.perf_counter()
    by_service: dict[str, list[Operation]] = {}
    for source, svc in page_service.items():
        if svc is not None and source in pages.ops:
            by_service.setdefault(svc, []).append(pages.ops[source])
    rendered: dict[str, str] = {}
    file_service: dict[str, str] = {}
    summaries: dict[str, dict[str, Any]] = {}
    names_by_service: dict[str, ServiceNames] = {}
    rendered_ops: dict[str, list[Operation]] = {}
    try:
        for service in affected_services:
            ops = sorted(by_service.get(service, []), key=lambda op: op.sort_key)
            rendered_ops[service] = ops
            resolved = resolve(ops)
            if not resolved:
                continue  # no client operation left: the service's files go
            names = names_by_service[service] = resolved[0]
            summaries[service] = _summary(names)
            for rel, text in build.render_service(names, package, targets).items():
                rendered[rel] = text
                file_service[rel] = service
    except ValueError as exc:
        raise build.BuildError([f"error: {exc}"]) from None
    except Exception as exc:  # a template or emitter bug: still one line, no traceback
        raise build.BuildError([f"error: internal: cannot render the package: {exc!r}"]) from None
    for service in all_services:
        if service not in affected_services and old is not None and service in old.services:
            summaries[service] = dict(old.services[service].summary)
    if not summaries:
        raise build.BuildError([f"{', '.join(str(p) for p in inputs)}:1: no client operation pages found"])
    package_key = _hash_json([new.settings(), sorted(summaries.items())])
    if package_dirty or old is None or package_key != old.package_key:
        # The package-level files list every service: resolve them all (parse cache).
        for service in summaries:
            if service not in names_by_service:
                sources = [s for s in pages.sha if page_service[s] == service and s not in pages.ops]
                pages.from_cache(service, sources)
                ops = [pages.ops[s] for s in pages.sha if page_service[s] == service and s in pages.ops]
                names_by_service[service] = resolve(sorted(ops, key=lambda op: op.sort_key))[0]
        ordered = [names_by_service[s] for s in sorted(names_by_service)]
        try:
            package_level = _render_package_level(ordered, package, targets)
        except Exception as exc:  # a template bug: still one line, no traceback
            raise build.BuildError([f"error: internal: cannot render the package: {exc!r}"]) from None
        for rel, text in package_level.items():
            rendered[rel] = text
            file_service[rel] = ""
        result.package_rendered = True
    result.rendered = [s for s in affected_services if s in summaries]
    result.timings["render"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if progress and rendered:
        progress(f"formatting {sum(r.endswith(('.py', '.pyi')) for r in rendered)} modules")
    try:
        rendered = build.format_files(rendered, jobs=jobs, chunked=True)
    except Exception as exc:
        raise build.BuildError([f"error: internal: generated code does not format: {exc}"]) from None
    result.files = rendered
    result.timings["format"] = time.perf_counter() - clock

    # The new file set: unaffected services keep their records.
    clock = time.perf_counter()
    new_files: dict[str, mf.FileRecord] = {}
    if old is not None and same:
        for rel, rec in old.files.items():
            if rec.service in summaries and rec.service not in affected_services:
                new_files[rel] = rec
            elif rec.service == "" and not result.package_rendered:
                new_files[rel] = rec
    for rel, text in rendered.items():
        new_files[rel] = mf.FileRecord(mf.sha256(text), file_service[rel])
    legacy = _legacy_listing(out) if old is None else set()
    if not dry_run:
        build._check_writable(out)
        _remove_stale_temps(out)
    conflicted_services: set[str] = set()
    try:
        for rel, text in rendered.items():
            kept = _write_one(out, rel, text, old, legacy, force, dry_run, result)
            if kept is not None:  # conflict: keep the old base and look again next run
                new_files[rel] = mf.FileRecord(kept, file_service[rel])
                conflicted_services.add(file_service[rel])
        previous: dict[str, str] = {}
        if old is not None:
            previous.update({rel: rec.sha for rel, rec in old.files.items()})
            previous.update(old.orphans)
        for rel in sorted(set(previous) - set(new_files)):
            if not _remove_one(out, rel, previous[rel], force, dry_run, result):
                new.orphans[rel] = previous[rel]
        for rel in legacy - set(new_files):
            if not dry_run and (out / rel).is_file():
                (out / rel).unlink()
            result.removed.append(rel)
    except OSError as exc:
        raise build.BuildError([f"error: {exc.filename or out}: cannot write: {exc.strerror or exc}"]) from None

    new.pages = {s: mf.PageRecord(pages.sha[s], page_service[s]) for s in sorted(pages.sha)}
    for service, summary in summaries.items():
        key = _hash_json(sorted((s, pages.sha[s]) for s in pages.sha if page_service[s] == service))
        if service in conflicted_services:
            key = ""
        new.services[service] = mf.ServiceRecord(key, summary)
    new.package_key = "" if "" in conflicted_services else package_key
    new.files = dict(sorted(new_files.items()))
    result.tracked = sorted(new.files)
    result.services = sorted(summaries)
    if not dry_run:
        for service in result.rendered:
            cached = {s: (pages.sha[s], pages.ops[s]) for s in pages.sha if page_service[s] == service and s in pages.ops}
            mf.save_parsed(out, service, generator, cached)
        mf.drop_parsed(out, summaries)
        _write_listing(out, new.files)
        _update_changelog(out, rendered_ops)
        mf.save(out, new)
        mf.gc_pristine(out, {r.sha for r in new.files.values()} | set(new.orphans.values()))
        _remove_empty_dirs(out, result.removed)
    result.written.sort()
    result.removed.sort()
    result.timings["write"] = time.perf_counter() - clock
    result.timings["total"] = time.perf_counter() - t0
    return result


def _update_changelog(out: Path, rendered: dict[str, list[Operation]]) -> None:
    """Put what changed in each re-rendered service's shape tree at the top of CHANGES.md.

    The tree each service was last generated from is kept in `.codegen/trees/`; the
    first generation compares against nothing (every operation added).
    """
    sections: list[str] = []
    for service in sorted(rendered):
        saved = mf.state_dir(out) / "trees" / f"{service or '_'}.json"
        new_text = tree.dumps(rendered[service])
        old_text = saved.read_text(encoding="utf-8") if saved.is_file() else None
        if old_text == new_text:
            continue
        old_ops = tree.loads(old_text) if old_text else []
        if diff.compare(old_ops, rendered[service]).changes:
            title = f"{service}: shape tree {mf.sha256(new_text)[:12]}"
            sections.append(diff.changelog_markdown(old_ops, rendered[service], title))
        saved.parent.mkdir(parents=True, exist_ok=True)
        mf.atomic_write(saved, new_text.encode("utf-8"))
    if sections:
        path = out / "CHANGES.md"
        text = path.read_text(encoding="utf-8") if path.is_file() else None
        for section in reversed(sections):
            text = diff.prepend_changelog(text, section)
        assert text is not None
        mf.atomic_write(path, text.encode("utf-8"))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return None


def _write_one(
    out: Path,
    rel: str,
    theirs: str,
    old: mf.Manifest | None,
    legacy: set[str],
    force: bool,
    dry_run: bool,
    result: RegenResult,
) -> str | None:
    """Bring one file to `theirs` (merging hand edits). On conflict, the base sha to keep."""
    path = out / rel
    disk = _read(path)
    if not dry_run:
        mf.put_pristine(out, theirs)
    if disk == theirs:
        return None
    old_rec = old.files.get(rel) if old is not None else None
    if old_rec is None and old is not None:
        sha = old.orphans.get(rel)
        old_rec = mf.FileRecord(sha, "") if sha else None
    base = mf.get_pristine(out, old_rec.sha) if old_rec is not None else None
    if disk is None or disk == base:
        text = theirs
    elif base is None and rel in legacy:
        # Made before the manifest existed: hand edits cannot be told apart; keep a copy.
        if not dry_run:
            mf.atomic_write(out / (rel + BACKUP_SUFFIX), disk.encode("utf-8"))
        result.backups.append(rel + BACKUP_SUFFIX)
        text = theirs
    else:
        merged = merge(base, disk, theirs, rel, force=force)
        result.conflicts.extend(merged.conflicts)
        if merged.text is None:
            return old_rec.sha if old_rec is not None else ""
        if merged.conflicts:
            backup = out / (rel + BACKUP_SUFFIX)
            if not dry_run:
                mf.atomic_write(backup, disk.encode("utf-8"))
            result.backups.append(rel + BACKUP_SUFFIX)
        elif merged.text != theirs:
            result.merged.append(rel)
        text = merged.text
        if text == disk:
            return None
    if not dry_run:
        mf.atomic_write(path, text.encode("utf-8"))
    result.written.append(rel)
    return None


def _remove_one(out: Path, rel: str, sha: str, force: bool, dry_run: bool, result: RegenResult) -> bool:
    """Delete a file the generator no longer makes; False when it has hand edits (kept)."""
    path = out / rel
    disk = _read(path)
    if disk is None and not path.exists():
        return True
    if disk is not None and disk != mf.get_pristine(out, sha):
        result.conflicts.append(Conflict(rel, "", "<file removed by the generator, edited by hand>", disk, None))
        if not force:
            return False
        if not dry_run:
            mf.atomic_write(out / (rel + BACKUP_SUFFIX), disk.encode("utf-8"))
        result.backups.append(rel + BACKUP_SUFFIX)
    if not dry_run:
        path.unlink(missing_ok=True)
    result.removed.append(rel)
    return True


def _legacy_listing(out: Path) -> set[str]:
    """Files listed by an output made before the manifest existed (build.MANIFEST)."""
    try:
        return set((out / LEGACY_LISTING).read_text(encoding="utf-8").split())
    except OSError:
        return set()


def _write_listing(out: Path, files: dict[str, mf.FileRecord]) -> None:
    listing = "".join(f"{rel}\n" for rel in sorted(files)).encode()
    path = out / LEGACY_LISTING
    try:
        if path.read_bytes() == listing:
            return
    except OSError:
        pass
    mf.atomic_write(path, listing)


def _remove_stale_temps(out: Path) -> None:
    """Temp files of a write that was killed before its rename (`.<name>.<random>.tmp`)."""
    if out.is_dir():
        for path in out.rglob(".*.tmp"):
            if path.is_file():
                path.unlink(missing_ok=True)


def _remove_empty_dirs(out: Path, removed: Sequence[str]) -> None:
    for rel in removed:
        parent = (out / rel).parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
