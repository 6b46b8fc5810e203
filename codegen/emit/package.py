"""The files of a generated package: every service's, and the package-level ones.

render_service renders one service (the workers of `generate` call it,
codegen/pipeline/unit.py); package_files renders the package-level files from the
services' summaries (what the manifest keeps of each); render_package is both, from
operations, for a whole package at once. The templates render black-stable text
(codegen/fmt.py), so black is not a step of the pipeline: format_files (black
over every module) is for the tests that check it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codegen import fmt, workers
from codegen.emit import dropin
from codegen.emit import options
from codegen.emit.docs import NavService, emit_mkdocs, emit_service_docs
from codegen.emit.env import docline, render
from codegen.emit.extras import ClientExtras, client_extras, package_stub_files
from codegen.emit.models import emit_models
from codegen.emit.rendermemo import RenderMemo
from codegen.emit.stubs import emit_stubs
from codegen.emit.options import (  # (re-exported: the options' checks live with the options)
    ALL_TARGETS as ALL_TARGETS, OPTIONAL_TARGETS as OPTIONAL_TARGETS, TARGETS as TARGETS,
    check_enums as check_enums, check_package_name as check_package_name,
    check_responses as check_responses, parse_targets as parse_targets,
)
from codegen.emit.validators import emit_validators
from codegen.errors import BuildError as BuildError
from codegen.naming import ServiceNames, resolve
from codegen.registry import Registry
from codegen.tree import Operation

PACKAGE_VERSION = "0.1.0"
# What render_service renders, in parts: the service package's __init__ files, then a
# part per target.
SERVICE_PARTS = ("init", "models", "validators", "stubs", "docs")


def render_package(
    operations: Sequence[Operation], package: str, targets: Sequence[str] = TARGETS,
    enums: str = options.DEFAULT_ENUMS, registries: Mapping[str, Registry] | None = None,
    responses: str = options.DEFAULT_RESPONSES,
) -> dict[str, str]:
    """Relative path → unformatted text of every file of the package; `enums`: the
    validators' default enum mode (options.ENUM_MODES); `registries`: the names registry
    of each service (their deprecated aliases kept, as for unchanged pages); `responses`:
    how response keys are typed (options.RESPONSE_MODES)."""
    check_package_name(package)
    check_enums(enums)
    check_responses(responses)
    services = resolve(operations, registries, keep_deprecated=True)
    files = package_files({service_key(s.all_client_operations[0]): summary_of(s) for s in services}, package, targets, enums)
    by_service: dict[str, list[Operation]] = {}  # (grouped as naming.resolve groups them)
    for op in operations:
        by_service.setdefault(service_key(op), []).append(op)
    for names in services:
        ops = by_service[service_key(names.all_client_operations[0])]
        others = [op for op in ops if op.kind != "client"]
        files.update(render_service(names, package, targets, others, client_extras(names, ops), responses))
    return files


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """What the package-level templates read of a service (its manifest summary)."""

    service_id: str
    service: str
    module: str
    client_class: str
    operations: tuple[str, ...]


def summary_of(names: ServiceNames) -> dict[str, Any]:
    """What the manifest keeps of a service: all that package_files reads of it."""
    return {
        "service_id": names.service_id,
        "service": names.service,
        "module": names.module,
        "client_class": names.client_class,
        "operations": [op.name for op in names.operations],
    }


def package_files(
    summaries: Mapping[str, Mapping[str, Any]], package: str, targets: Sequence[str] = TARGETS,
    enums: str = options.DEFAULT_ENUMS,
) -> dict[str, str]:
    """Relative path → text of the package-level files (they list every service),
    from the services' summaries (summary_of), keyed by service_key."""
    services = [
        ServiceEntry(
            str(s["service_id"]), str(s["service"]), str(s["module"]), str(s["client_class"]),
            tuple(s["operations"]),
        )
        for _, s in sorted(summaries.items())
    ]
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
        files["mkdocs.yml"] = emit_mkdocs(package, (NavService(s.service, s.module, s.operations) for s in services))
    return files


def service_key(op: Operation) -> str:
    """The service an operation belongs to, as naming.resolve groups them."""
    return op.service_id or op.service.lower()


def render_service(
    names: ServiceNames,
    package: str,
    targets: Sequence[str],
    others: Sequence[Operation] = (),
    extras: ClientExtras | None = None,
    responses: str = options.DEFAULT_RESPONSES,
    parts: Collection[str] = SERVICE_PARTS,
    memo: RenderMemo | None = None,
) -> dict[str, str]:
    """The files of one service; `others` are its paginator and waiter pages (docs),
    `extras` what the stubs make of all its pages (codegen.emit.extras; by default from
    its client pages alone); `responses`: how response keys are typed. `parts`: which
    of SERVICE_PARTS to render (of those `targets` asks for; the targets alone decide
    what each part's files say). `memo` (codegen/emit/rendermemo.py): the files it keeps
    are left out, and listed in it."""
    base = f"{package}/{names.module}"
    files = service_init_files(names, package, targets) if "init" in parts else {}
    package_memo = memo.within(f"{base}/") if memo is not None else None
    if "models" in targets and "models" in parts:
        rendered = emit_models(names, package, responses, package_memo)
        files.update((f"{base}/{rel}", text) for rel, text in rendered.items())
    if "validators" in targets and "validators" in parts:
        files.update((f"{base}/{rel}", text) for rel, text in emit_validators(names, package, package_memo).items())
    if "stubs" in targets and "stubs" in parts:
        if extras is None:
            extras = client_extras(names, names.all_client_operations)
        files[f"{base}/client.pyi"] = emit_stubs(names, package, extras, responses)
        files[f"{base}/client.py"] = render("client_runtime.py.jinja2", names=names, package=package)
    if "docs" in targets and "docs" in parts:
        docs_memo = memo.within(f"docs/{names.module}/") if memo is not None else None
        for rel, text in emit_service_docs(names, package, others, docs_memo).items():
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
