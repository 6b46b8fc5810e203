"""Render boto3's own reference pages for the installed boto3 (the `render-rst` command).

This is the only module of codegen that imports boto3; it is an optional extra.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

KINDS = ("client", "paginator", "waiter")


class Boto3Missing(RuntimeError):
    """boto3 is not installed: `pip install 'codegen[boto3]'`."""


def _session() -> object:
    try:
        import boto3
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise Boto3Missing("render-rst needs boto3: pip install 'codegen[boto3]'") from exc
    return boto3.Session(region_name="us-east-1")


def boto3_version() -> str:
    import boto3

    return str(boto3.__version__)


def available_services() -> list[str]:
    session = _session()  # first: without boto3, Boto3Missing
    from boto3.docs import DEPRECATED_SERVICE_NAMES

    names: list[str] = session.get_available_services()  # type: ignore[attr-defined]
    return sorted(n for n in names if n not in DEPRECATED_SERVICE_NAMES)


def render_service(service: str, out: Path) -> int:
    """Render one service's client/paginator/waiter pages into out/<service>/.

    Pages are written to a temporary folder and moved in whole, so an interrupted
    render never leaves a half-rendered service behind. Returns the page count.
    """
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=f".{service}-") as tmp:
        _document_methods(service, tmp)
        produced = Path(tmp) / service
        staged = Path(tmp) / "staged"
        staged.mkdir()
        count = 0
        for kind in KINDS:
            src = produced / kind
            if src.is_dir():
                shutil.copytree(src, staged / kind)
                count += sum(1 for _ in (staged / kind).glob("*.rst"))
        target = out / service
        if target.exists():
            shutil.rmtree(target)
        os.replace(staged, target)
    return count


def _document_methods(service: str, root: str) -> None:
    """The steps of `ServiceDocumenter.document_service` that write the client, paginator
    and waiter pages (its public methods, into a structure made as it makes it), not the
    resource pages, which are thrown away: ec2 renders in about half the time."""
    from boto3.docs.service import ServiceDocumenter
    from botocore.docs.bcdoc.restdoc import DocumentStructure

    documenter = ServiceDocumenter(service, _session(), root)
    structure = DocumentStructure(service, section_names=documenter.sections, target="html")
    documenter.client_api(structure.get_section("client"))
    documenter.paginator_api(structure.get_section("paginators"))
    documenter.waiter_api(structure.get_section("waiters"))


def _render_one(args: tuple[str, str]) -> tuple[str, int]:
    service, out = args
    return service, render_service(service, Path(out))


def render_services(
    services: Iterable[str], out: Path, jobs: int = 1, reuse: bool = True
) -> Iterator[tuple[str, int]]:
    """Render each service, skipping those already rendered when `reuse` is set."""
    todo = [s for s in services if not (reuse and (out / s).is_dir())]
    jobs = min(jobs, len(todo))  # no idle workers (one service renders in this process)
    if jobs <= 1:
        for service in todo:
            yield service, render_service(service, out)
        return
    from codegen import workers

    with workers.pool(jobs) as pool:
        yield from pool.map(_render_one, [(s, str(out)) for s in todo])
