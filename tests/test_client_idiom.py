"""Why `client: S3Client = boto3.client("s3")` needs the drop-in stubs under pyright.

docs/client-type.md: without stubs for boto3, pyright infers `boto3.client()` from
boto3's and botocore's source. botocore makes each client's class at run time with
`type(name, (BaseClient,), methods)`; pyright models that call as a class `_` whose only
base is BaseClient and which has none of the operations. So no declaration of the
client type can accept it: not our class (nominal), not a Protocol of the operations
(structural: "put_object" is not present), and a type that takes `Any` too is narrowed
to `Any` by the assignment, which loses every check after it. The drop-in stubs (the
`boto3-stubs` target) type `boto3.client` itself; with them the idiom checks and the
client is ours; so it does where the user's pyright reads no library source. The
checker's messages are asserted here, so that a pyright or botocore that changes this
shows up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import naming
from codegen.emit import package as emit_package
from codegen.pipeline import run
from codegen.emit import dropin
from gen_support import parse_ok

PKG = "aws_typed_idiom"
SERVICE = "s3"

IDIOM = '''\
from typing import Any, Protocol

import boto3

from {pkg}.{module} import {client}


class Operations(Protocol):
    def {operation}(self, **kwargs: Any) -> Any: ...


reveal_type(boto3.client("{service}"))
reveal_type(boto3.client("{service}").meta)
annotated: {client} = boto3.client("{service}")
annotated.no_such_operation()
structural: Operations = boto3.client("{service}")
widened: {client} | Any = boto3.client("{service}")
reveal_type(widened)
'''


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("client_idiom")


@pytest.fixture(scope="module")
def package(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("idiom")
    shutil.copytree(reference / SERVICE, base / "in" / SERVICE)
    out = base / "out"
    result = run.generate([base / "in"], out, PKG, emit_package.parse_targets("stubs,boto3-stubs"))
    assert result.errors == []
    names = naming.resolve_service(parse_ok(reference / SERVICE))
    fields = {
        "pkg": PKG, "module": names.module, "client": names.client_class, "service": names.service_id,
        "operation": names.operations[0].name,
    }
    (out / "idiom.py").write_text(IDIOM.format(**fields))
    return out, fields


def _pyright(out: Path, *path: Path, **settings: object) -> dict[int, list[str]]:
    """Line → pyright's messages there (errors and reveal_type's notes), with the
    package folders `path` on the search path."""
    config = {"typeCheckingMode": "standard", "pythonVersion": "3.11", **settings}
    (out / "pyrightconfig.json").write_text(json.dumps(config))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in path))
    proc = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "idiom.py"],
        cwd=out, env=env, capture_output=True, text=True, timeout=900,
    )
    found: dict[int, list[str]] = {}
    for d in json.loads(proc.stdout)["generalDiagnostics"]:
        found.setdefault(d["range"]["start"]["line"] + 1, []).append(f"{d['severity']}: {d['message']}")
    return found


def _line(text: str) -> int:
    lines = IDIOM.splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(text))


def test_without_the_dropin_pyright_infers_botocores_run_time_class(package: tuple[Path, dict[str, str]]) -> None:
    out, f = package
    found = _pyright(out, out)
    # botocore's class, made by `type()`: pyright calls it `_`, a BaseClient (its `meta`).
    assert found[_line('reveal_type(boto3.client("{service}"))')] == ['information: Type of "boto3.client("{service}")" is "_ | Unknown"'.format(**f)]
    assert "ClientMeta" in found[_line('reveal_type(boto3.client("{service}").meta)')][0]
    # nominal: not our class
    (error,) = found[_line("annotated:")]
    assert error.startswith("error: ") and f'"_" is not assignable to "{f["client"]}"' in error
    # structural: the class has none of the operations (BaseClient.__getattr__ does not count)
    (error,) = found[_line("structural:")]
    assert f'"_" is incompatible with protocol "Operations"' in error and f'"{f["operation"]}" is not present' in error
    # a type that takes Any as well: accepted, and narrowed to Any (no check after it)
    assert _line("widened:") not in found
    assert found[_line("reveal_type(widened)")] == ['information: Type of "widened" is "Any | Unknown"']


def test_with_the_dropin_the_idiom_is_our_client(package: tuple[Path, dict[str, str]]) -> None:
    out, f = package
    found = _pyright(out, out, out / dropin.DIST)
    assert found[_line('reveal_type(boto3.client("{service}"))')] == [f'information: Type of "boto3.client("{f["service"]}")" is "{f["client"]}"']
    assert _line("annotated:") not in found


def test_a_user_who_turns_off_inference_from_library_source_gets_our_client(
    package: tuple[Path, dict[str, str]],
) -> None:
    """(A setting of the user's pyright, for every untyped library: `boto3.client()` is
    then Unknown, and the declared type stays.)"""
    out, f = package
    found = _pyright(out, out, useLibraryCodeForTypes=False)
    assert found[_line('reveal_type(boto3.client("{service}"))')] == [f'information: Type of "boto3.client("{f["service"]}")" is "Unknown"']
    assert _line("annotated:") not in found
    (error,) = found[_line("annotated.no_such_operation()")]
    assert f'Cannot access attribute "no_such_operation" for class "{f["client"]}"' in error
