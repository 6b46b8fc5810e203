"""The `generate` pipeline: pages → shape tree → rendered text → files on disk.

The templates render black-stable text (codegen/fmt.py), so black is not a step
of the pipeline: format_files (black over every module) is for the tests that check it.
render_package / render_service / write_tree are the building blocks; generate() runs
the pipeline incrementally and service by service (codegen/incremental.py,
codegen/unit.py, docs/regenerate.md).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codegen import config, fmt
from codegen import manifest as mf
from codegen import workers
from codegen import naming
from codegen.emit import dropin
from codegen.emit.docs import NavService, emit_mkdocs, emit_service_docs
from codegen.emit.env import docline, render
from codegen.emit.extras import ClientExtras, client_extras, package_stub_files
from codegen.emit.models import emit_models
from codegen.emit.stubs import emit_stubs
from codegen.emit.validators import emit_validators
from codegen.naming import ServiceNames, resolve
from codegen.registry import NameOptions, Registry
from codegen.tree import Operation
from codegen.writer import remove_empty_dirs

if TYPE_CHECKING:
    from codegen.incremental import RegenResult
    from codegen.progress import Progress

TARGETS = ("models", "validators", "stubs", "docs")
# Targets made only when asked for (--targets / [tool.codegen] targets): the stub-only
# boto3 package (codegen/emit/dropin.py), which needs the client stubs.
OPTIONAL_TARGETS = (dropin.TARGET,)
ALL_TARGETS = TARGETS + OPTIONAL_TARGETS
MANIFEST = ".codegen-files"
PACKAGE_VERSION = "0.1.0"


class BuildError(Exception):
    """Generation failed; `lines` are the user-facing messages ("file:line: message")."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


@dataclass(slots=True)
class BuildResult:
    out: Path
    files: dict[str, str] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def check_package_name(name: str) -> None:
    try:
        naming.check_package_name(name)
    except naming.InvalidName as exc:
        raise BuildError([f"error: {exc}"]) from None


def parse_targets(text: str | Iterable[str] | None) -> tuple[str, ...]:
    if text is None:
        return TARGETS
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = [t.strip() for t in items if t.strip()]
    unknown = [t for t in chosen if t not in ALL_TARGETS]
    if unknown or not chosen:
        choices = ", ".join(ALL_TARGETS)
        raise BuildError([f"error: unknown target(s) {', '.join(unknown) or '(none)'}; choose from {choices}"])
    if dropin.TARGET in chosen and "stubs" not in chosen:
        why = f"target {dropin.TARGET} types boto3.client with the client stubs"
        raise BuildError([f"error: {why}: add the target stubs"])
    return tuple(t for t in ALL_TARGETS if t in chosen)


def check_enums(enums: str) -> None:
    problem = config.enums_problem(enums)
    if problem is not None:
        raise BuildError([f"error: {problem}"])


def check_responses(responses: str) -> None:
    problem = config.responses_problem(responses)
    if problem is not None:
        raise BuildError([f"error: {problem}"])


def render_package(
    operations: Sequence[Operation], package: str, targets: Sequence[str] = TARGETS,
    enums: str = config.DEFAULT_ENUMS, registries: Mapping[str, Registry] | None = None,
    responses: str = config.DEFAULT_RESPONSES,
) -> dict[str, str]:
    """Relative path → unformatted text of every file of the package; `enums`: the
    validators' default enum mode (config.ENUM_MODES); `registries`: the names registry
    of each service (their deprecated aliases kept, as for unchanged pages); `responses`:
    how response keys are typed (config.RESPONSE_MODES)."""
    check_package_name(package)
    check_enums(enums)
    check_responses(responses)
    services = resolve(operations, registries, keep_deprecated=True)
    files: dict[str, str] = {
        "pyproject.toml": render("pyproject.toml.jinja2", package=package, version=PACKAGE_VERSION),
        f"{package}/__init__.py": render("package_init.py.jinja2", package=package, services=services),
        f"{package}/_runtime.py": render("runtime.py.jinja2", package=package, enums=enums),
        f"{package}/py.typed": "",
        **(package_stub_files(package, targets) if services else {}),
        **dropin.dropin_files(package, services, targets, PACKAGE_VERSION),
    }
    if "docs" in targets:
        files["docs/index.md"] = render("docs_index.md.jinja2", package=package, services=services)
        files["mkdocs.yml"] = emit_mkdocs(
            package, (NavService(s.service, s.module, tuple(op.name for op in s.operations)) for s in services)
        )
    by_service: dict[str, list[Operation]] = {}  # (grouped as naming.resolve groups them)
    for op in operations:
        by_service.setdefault(_service_key(op), []).append(op)
    for names in services:
        ops = by_service[_service_key(names.all_client_operations[0])]
        others = [op for op in ops if op.kind != "client"]
        files.update(render_service(names, package, targets, others, client_extras(names, ops), responses))
    return files


def _service_key(op: Operation) -> str:
    return op.service_id or op.service.lower()  # how naming.resolve groups operations


def render_service(
    names: ServiceNames,
    package: str,
    targets: Sequence[str],
    others: Sequence[Operation] = (),
    extras: ClientExtras | None = None,
    responses: str = config.DEFAULT_RESPONSES,
) -> dict[str, str]:
    """The files of one service; `others` are its paginator and waiter pages (docs),
    `extras` what the stubs make of all its pages (codegen.emit.extras; by default from
    its client pages alone); `responses`: how response keys are typed."""
    base = f"{package}/{names.module}"
    files = service_init_files(names, package, targets)
    if "models" in targets:
        files.update((f"{base}/{rel}", text) for rel, text in emit_models(names, package, responses).items())
    if "validators" in targets:
        files[f"{base}/validators.py"] = emit_validators(names, package)
    if "stubs" in targets:
        if extras is None:
            extras = client_extras(names, names.all_client_operations)
        files[f"{base}/client.pyi"] = emit_stubs(names, package, extras, responses)
        files[f"{base}/client.py"] = render("client_runtime.py.jinja2", names=names, package=package)
    if "docs" in targets:
        for rel, text in emit_service_docs(names, package, others).items():
            files[f"docs/{names.module}/{rel}"] = text
    return files


def service_init_files(names: ServiceNames, package: str, targets: Sequence[str]) -> dict[str, str]:
    """The service package's `__init__.py`, and the `__init__.pyi` that types what it
    gives (the validators, `create_client` and the client stub's names)."""
    base = f"{package}/{names.module}"
    flags = {"validators": "validators" in targets, "stubs": "stubs" in targets}
    if not any(flags.values()):
        return {f"{base}/__init__.py": f'"""The {docline(names.service)} API ({docline(names.service_id)}). Generated by codegen."""\n'}
    return {
        f"{base}/__init__.py": render("service_init.py.jinja2", names=names, package=package, **flags),
        f"{base}/__init__.pyi": render("service_init.pyi.jinja2", names=names, package=package, **flags),
    }


def _format_one(item: tuple[str, str]) -> tuple[str, str]:
    rel, text = item
    if not rel.endswith((".py", ".pyi")):
        return rel, text
    return rel, fmt.format_source(text, pyi=rel.endswith(".pyi"))


def format_files(files: dict[str, str], jobs: int = 1) -> dict[str, str]:
    """black over every Python module (for the tests that check the templates' layout)."""
    # Largest first, so one big module does not run alone at the end.
    items = sorted(files.items(), key=lambda i: -len(i[1]))
    if jobs > 1 and len(items) > 1:
        with workers.pool(jobs) as pool:
            done = dict(pool.map(_format_one, items, chunksize=1))
    else:
        done = dict(map(_format_one, items))
    return {rel: done[rel] for rel in sorted(done)}


def _check_writable(out: Path) -> None:
    target = out
    while not target.exists():
        if target.parent == target:
            break
        target = target.parent
    if not target.is_dir():
        raise BuildError([f"error: {out}: not a directory"])
    try:
        fd, probe = tempfile.mkstemp(dir=target, prefix=".codegen-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BuildError([f"error: {out}: cannot write: {exc.strerror or exc}"]) from None


def write_tree(out: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """Write changed files atomically, drop files of the previous run; (written, removed)."""
    _check_writable(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    previous = set(manifest.read_text(encoding="utf-8").split()) if manifest.is_file() else set()
    written: list[str] = []
    for rel, text in files.items():
        path = out / rel
        data = text.encode("utf-8")
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        mf.atomic_write(path, data)
        written.append(rel)
    removed = []
    for rel in sorted(previous - set(files)):
        try:
            (out / rel).unlink()
            removed.append(rel)
        except FileNotFoundError:
            pass
    remove_empty_dirs(out, removed)
    listing = "".join(f"{rel}\n" for rel in sorted(files)).encode()
    if not manifest.is_file() or manifest.read_bytes() != listing:
        mf.atomic_write(manifest, listing)
    return written, removed


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
    enums: str = config.DEFAULT_ENUMS,
    responses: str = config.DEFAULT_RESPONSES,
) -> RegenResult:
    """The whole pipeline, incremental and streamed unit by unit: only what changed since
    the last run is parsed, rendered and written; hand edits are merged
    (codegen/incremental.py, docs/regenerate.md). Raises BuildError on bad options or
    output; pages that fail to parse are listed in `result.errors` (their last good
    version stands in for them); conflicting hand edits are reported, those files untouched.
    `enums` is the validators' default enum mode (config.ENUM_MODES); `responses` how
    response keys are typed (config.RESPONSE_MODES).
    """
    from codegen.incremental import regenerate  # it builds on this module's functions

    return regenerate(
        inputs, out, package, targets, jobs=jobs, force=force, progress=progress, lock_timeout=lock_timeout,
        rename_package=rename_package, names=names or NameOptions(), enums=enums, responses=responses,
    )
