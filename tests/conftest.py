"""Shared fixtures: reference pages rendered by the pinned boto3, and the oracle."""

from __future__ import annotations

import compileall
import io
import lzma
import os
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent
SEED = REPO / "input" / "sagemaker" / "client" / "create_model_package.rst"
sys.path.insert(0, str(HERE))  # the oracle module
# The parse caches of the outputs tests make (codegen/pipeline/state.py cache_dir), and of
# the `codegen` they run in subprocesses: not in the user's cache folder.
os.environ.setdefault("CODEGEN_CACHE_DIR", tempfile.mkdtemp(prefix="codegen-test-cache-"))


def pytest_configure(config: pytest.Config) -> None:
    # The `codegen` that tests run in subprocesses (hundreds of them) imports codegen's
    # modules: compiled once here, as installing a wheel does, not again in each of them
    # (0.2 s each) where PYTHONDONTWRITEBYTECODE is set. In the controller only: xdist
    # starts its workers after it.
    if not hasattr(config, "workerinput"):
        compileall.compile_dir(REPO / "codegen", quiet=1)


# Services in the default suite. The slow ones to render are committed as archives
# made by tests/fixtures/make_fixtures.py; the quick ones are rendered at test time.
FIXTURE_SERVICES = ("sagemaker", "s3", "ec2", "dynamodb", "lambda", "wafv2", "quicksight")
RENDERED_SERVICES = ("kinesis", "bedrock-runtime")
DEFAULT_SERVICES = FIXTURE_SERVICES + RENDERED_SERVICES


def boto3_version() -> str:
    import boto3

    return str(boto3.__version__)


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A boto3 reference tree (`<service>/{client,paginator,waiter}/*.rst`) for the
    default services, as the pinned boto3 renders it."""
    from codegen.pipeline.boto3_render import render_service

    root = tmp_path_factory.mktemp("reference")
    archives = HERE / "fixtures" / f"boto3-{boto3_version()}"
    for service in FIXTURE_SERVICES:
        data = lzma.decompress((archives / f"{service}.tar.xz").read_bytes())
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(root, filter="data")
    for service in RENDERED_SERVICES:
        render_service(service, root)
    return root


def corpus_root() -> Path:
    """The whole reference of the pinned boto3, rendered once and cached outside the repo."""
    from codegen.pipeline.boto3_render import available_services, render_services

    root = Path.home() / ".cache" / "codegen" / f"boto3-{boto3_version()}"
    for _ in render_services(available_services(), root, jobs=2, reuse=True):
        pass
    return root


_parsed: dict[tuple[Path, str], object] = {}


def parse_service(root: Path, service: str):  # type: ignore[no-untyped-def]
    """Parse one service's pages once per test process."""
    from codegen.parse import parse_paths

    key = (root, service)
    if key not in _parsed:
        _parsed[key] = parse_paths([root / service])
    return _parsed[key]
