"""Install a given boto3 release outside the repo and render one service's pages with it.

    python tests/releases/render_release.py 1.42.50 sagemaker [--model]

Everything is cached under ``$CODEGEN_CACHE`` (default ``~/.cache/codegen``):

- ``site-boto3-X/``: ``pip install --target`` of ``boto3==X botocore==X``;
- ``boto3-X/<service>/{client,paginator,waiter}/*.rst``: the pages, rendered by that
  release's own ``boto3.docs.service.ServiceDocumenter`` (same layout as
  ``codegen render-rst``, so the installed release's render is reused as is);
- ``models-X/<service>.json``: the release's botocore service model (``service-2``,
  ``paginators-1``, ``waiters-2`` as botocore loads them), for tests that compute
  expected changes from the models.

Each step runs the release's code in a subprocess with ``PYTHONPATH`` set to its
install, so several releases never meet in one interpreter. Steps are guarded by a
file lock (pytest-xdist workers may ask for the same render at once) and write to a
temporary name first, so an interrupted run leaves nothing half-done behind.
Failures raise ``ReleaseError`` (the tests fail; nothing is skipped).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KINDS = ("client", "paginator", "waiter")


class ReleaseError(RuntimeError):
    pass


def cache_root() -> Path:
    return Path(os.environ.get("CODEGEN_CACHE", Path.home() / ".cache" / "codegen"))


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install(version: str) -> Path:
    """``site-boto3-X``: boto3 and botocore X installed into a folder of their own."""
    target = cache_root() / f"site-boto3-{version}"
    marker = target / ".complete"
    if marker.exists():
        return target
    with locked(f"site-boto3-{version}"):
        if marker.exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".site-boto3-{version}-", dir=cache_root()))
        try:
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "--target",
                str(staging),
                f"boto3=={version}",
                f"botocore=={version}",
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise ReleaseError(f"pip install boto3=={version} failed:\n{proc.stderr[-2000:]}")
            (staging / ".complete").write_text(version + "\n")
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return target


def _run(version: str, code: str, *args: str) -> str:
    site = install(version)
    env = dict(os.environ, PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    check = (
        "import boto3, botocore\n"
        f"assert boto3.__version__ == {version!r}, boto3.__version__\n"
        f"assert botocore.__version__ == {version!r}, botocore.__version__\n"
    )
    proc = subprocess.run(
        [sys.executable, "-s", "-c", check + textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise ReleaseError(f"boto3 {version}: subprocess failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


_RENDER = """
import sys
import boto3
from boto3.docs.service import ServiceDocumenter
service, root = sys.argv[1], sys.argv[2]
ServiceDocumenter(service, boto3.Session(region_name="us-east-1"), root).document_service()
"""


def render(version: str, service: str) -> Path:
    """``boto3-X/<service>``: the service's client/paginator/waiter pages of release X."""
    root = cache_root() / f"boto3-{version}"
    target = root / service
    if (target / "client").is_dir():
        return target
    with locked(f"boto3-{version}-{service}"):
        if (target / "client").is_dir():
            return target
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root, prefix=f".{service}-") as tmp:
            _run(version, _RENDER, service, tmp)
            produced = Path(tmp) / service
            staged = Path(tmp) / "staged"
            staged.mkdir()
            for kind in KINDS:
                if (produced / kind).is_dir():
                    shutil.copytree(produced / kind, staged / kind)
            if not (staged / "client").is_dir():
                raise ReleaseError(f"boto3 {version} rendered no client pages for {service}")
            if target.exists():
                shutil.rmtree(target)
            os.replace(staged, target)
    return target


_MODEL = """
import json, sys
import botocore.session
from botocore.exceptions import DataNotFoundError
service = sys.argv[1]
loader = botocore.session.get_session().get_component("data_loader")
out = {"service-2": loader.load_service_model(service, "service-2")}
for kind in ("paginators-1", "waiters-2"):
    try:
        out[kind] = loader.load_service_model(service, kind)
    except DataNotFoundError:
        # botocore's own "the service has no such model": boto3 renders no page of the
        # kind. Any other failure (a model that does not load) stops the run.
        out[kind] = {}
json.dump(out, sys.stdout)
"""


def model(version: str, service: str) -> dict[str, Any]:
    """Release X's botocore model of the service: ``{"service-2", "paginators-1", "waiters-2"}``."""
    path = cache_root() / f"models-{version}" / f"{service}.json"
    if not path.exists():
        with locked(f"models-{version}-{service}"):
            if not path.exists():
                text = _run(version, _MODEL, service)
                json.loads(text)  # fail here, not in the reader, on bad output
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(text)
                os.replace(tmp, path)
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version")
    parser.add_argument("services", nargs="+")
    parser.add_argument("--model", action="store_true", help="also cache the botocore model")
    args = parser.parse_args()
    for service in args.services:
        out = render(args.version, service)
        pages = sum(1 for _ in out.rglob("*.rst"))
        print(f"{service}: {pages} pages in {out}")
        if args.model:
            model(args.version, service)


if __name__ == "__main__":
    main()
