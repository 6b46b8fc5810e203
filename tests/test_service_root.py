"""The service package root: `create_client()`, `install()` that keeps the client's
type, and the client stub's names re-exported (`from <pkg>.s3 import S3Client, ...`).

A package is generated (the whole pipeline) from the s3 and dynamodb reference pages.
A user script that imports everything from the package roots type-checks with no error
under `mypy --strict` and pyright (standard); a misuse script gets an error on exactly
the lines marked `# E`. At run time, importing a service package imports nothing else
(validators, models, client stand-in, boto3), and the re-exported names resolve on first
use. The names in the scripts are the resolver's (naming.resolve), never typed by hand.

The annotation idiom `client: S3Client = boto3.client("s3")` is checked as
docs/client-type.md says: mypy accepts it where boto3 is untyped (ignore_missing_imports),
pyright infers botocore's run-time class for it and rejects it, `cast` and
`create_client()` pass both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from gen_support import parse_ok, run_mypy

from codegen import naming
from codegen.emit import package as emit_package
from codegen.emit.extras import SERVICE_ROOT_NAMES, client_extras
from codegen.emit.types import typed_dict_name
from codegen.pipeline import run
from codegen.tree import Operation

PKG = "aws_typed_root"
SERVICES = ("s3", "dynamodb")


@dataclass(frozen=True)
class Names:
    """The resolver's names the scripts use, per service module."""

    module: str
    service_id: str
    client: str
    request: str  # the TypedDict of a request
    response: str  # the TypedDict of that operation's response
    operation: str  # its method name
    required: str  # a required key of its request
    enum: str  # a Literal alias, and one of its values
    enum_value: str


def _names(reference: Path, service: str) -> Names:
    ops = parse_ok(reference / service)
    names = naming.resolve(ops)[0]
    op = next(o for o in names.operations if names.response_class(o) and _required(o))  # (in name order)
    response = names.response_class(op)
    assert response is not None
    enum = names.enums[0]
    return Names(
        names.module, names.service_id, names.client_class,
        typed_dict_name(names, names.request_class(op), "request"),
        typed_dict_name(names, response, "response"),
        op.name, _required(op), enum.name, enum.values[0],
    )


def _required(op: Operation) -> str:
    """The one required member of the operation's request, where it has one, a string."""
    required = [(name, m) for name, m in op.input.members if m.required]
    return required[0][0] if len(required) == 1 and required[0][1].shape.type == "string" else ""


GOOD = '''\
from typing import cast

import boto3

from {pkg} import {a.module}
from {pkg}.{a.module} import {a.client}, {a.enum}, {a.request}, {a.response}, create_client, install
from {pkg}.{b.module} import {b.client}, create_client as create_{b.module}


def call(client: {a.client}, value: {a.enum}) -> {a.response}:
    params: {a.request} = {{"{a.required}": "x"}}
    print(value, params)
    return client.{a.operation}({a.required}="x")


def annotated() -> {a.client}:
    return cast({a.client}, boto3.client("{a.service_id}"))


made = create_client(region_name="us-east-1")
call(made, "{a.enum_value}")
kept = install(create_client(boto3.Session()))
call(kept, "{a.enum_value}")
again: {a.client} = {a.module}.install(kept, enums="error")
call(annotated(), "{a.enum_value}")
issues = {a.module}.validate("{a.operation}", {{}})
{a.module}.check("{a.operation}", {{"{a.required}": "x"}})
other: {b.client} = create_{b.module}()
print(issues, again, other)
'''

BAD = '''\
from {pkg} import {a.module}
from {pkg}.{a.module} import {a.client}, {a.enum}, create_client, install
from {pkg}.{a.module} import NoSuchName  # E
from {pkg}.{b.module} import {b.client}

create_client("{a.service_id}")  # E
create_client().no_such_method()  # E
wrong: int = install(create_client())  # E
other: {b.client} = create_client()  # E
value: {a.enum} = "no such value"  # E
{a.module}.check("{a.operation}")  # E
{a.module}.validate("{a.operation}", {{}}, enums="strict")  # E
'''

# The idiom: accepted by mypy where boto3 is untyped, rejected by pyright (its line: # P).
IDIOM = '''\
from typing import cast

import boto3

from {pkg}.{a.module} import {a.client}, create_client

annotated: {a.client} = boto3.client("{a.service_id}")  # P
casted = cast({a.client}, boto3.client("{a.service_id}"))
made: {a.client} = create_client()
'''

MYPY_INI = """\
[mypy]
strict = True

[mypy-boto3.*]
ignore_missing_imports = True

[mypy-boto3]
ignore_missing_imports = True
"""


def _marked(text: str, mark: str = "# E") -> set[int]:
    return {n for n, line in enumerate(text.splitlines(), 1) if line.endswith(mark)}


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("service_root")


@pytest.fixture(scope="module")
def package(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The package of the s3 and dynamodb pages, with the user scripts beside it."""
    base = tmp_path_factory.mktemp("root")
    for service in SERVICES:
        shutil.copytree(reference / service, base / "in" / service)
    out = base / "out"
    result = run.generate([base / "in"], out, PKG)
    assert result.errors == [] and result.services == sorted(SERVICES)
    a, b = (_names(reference, s) for s in SERVICES)
    scripts = {"good.py": GOOD, "bad.py": BAD, "idiom.py": IDIOM}
    texts = {name: text.format(pkg=PKG, a=a, b=b) for name, text in scripts.items()}
    for name, text in texts.items():
        (out / name).write_text(text)
    (out / "mypy.ini").write_text(MYPY_INI)
    return out, texts


def _mypy(out: Path, *paths: str) -> tuple[dict[str, set[int]], str]:
    proc = run_mypy(out, "--config-file", "mypy.ini", *paths)
    found: dict[str, set[int]] = {}
    for m in re.finditer(r"^(\w+\.py):(\d+): error:", proc.stdout, re.MULTILINE):
        found.setdefault(m.group(1), set()).add(int(m.group(2)))
    return found, proc.stdout + proc.stderr


def _pyright(out: Path, *paths: str) -> tuple[dict[str, set[int]], str]:
    (out / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "standard", "pythonVersion": "3.11"}))
    proc = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", *paths],
        cwd=out, capture_output=True, text=True, timeout=900, env=dict(os.environ),
    )
    found: dict[str, set[int]] = {}
    for d in json.loads(proc.stdout)["generalDiagnostics"]:
        if d["severity"] == "error":
            found.setdefault(Path(d["file"]).name, set()).add(d["range"]["start"]["line"] + 1)
    return found, proc.stdout


def test_mypy_strict_passes_the_package_and_the_user_script_and_catches_misuse(
    package: tuple[Path, dict[str, str]],
) -> None:
    out, texts = package
    found, output = _mypy(out, "good.py", "bad.py", "idiom.py")  # (and the stubs they import)
    assert found == {"bad.py": _marked(texts["bad.py"])}, output


def test_pyright_passes_the_user_script_and_catches_misuse(package: tuple[Path, dict[str, str]]) -> None:
    """pyright also reports the annotation idiom's line: boto3.client() is inferred from
    botocore's source as the class botocore makes at run time (docs/client-type.md)."""
    out, texts = package
    found, output = _pyright(out, "good.py", "bad.py", "idiom.py")
    assert found == {"bad.py": _marked(texts["bad.py"]), "idiom.py": _marked(texts["idiom.py"], "# P")}, output


# --- at run time --------------------------------------------------------------------


def _run(out: Path, code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(out), AWS_DEFAULT_REGION="us-east-1",
               AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=out, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_importing_a_service_package_imports_nothing_else(
    reference: Path, package: tuple[Path, dict[str, str]],
) -> None:
    out, _ = package
    a = _names(reference, "s3")
    loaded = _run(out, f"""
        import sys
        import {PKG}.{a.module}
        print(sorted(m for m in sys.modules if m.startswith(("{PKG}", "boto3", "botocore"))))
    """)
    assert loaded.strip() == repr(sorted([PKG, f"{PKG}._runtime", f"{PKG}.{a.module}"]))


def test_the_stub_names_resolve_at_run_time(reference: Path, package: tuple[Path, dict[str, str]]) -> None:
    """Stub names are typing.Any (as from `.client`); check/validate/install are the
    validators'; a submodule is imported by `from ... import`; any other name is an error."""
    out, _ = package
    a = _names(reference, "s3")
    _run(out, f"""
        import typing
        import {PKG}.{a.module} as root
        from {PKG}.{a.module} import {a.client}, {a.enum}, {a.request}, {a.response}
        assert {a.client} is {a.enum} is {a.request} is {a.response} is typing.Any
        from {PKG}.{a.module} import models, check, install, validate
        from {PKG}.{a.module} import validators
        assert (check, install, validate) == (validators.check, validators.install, validators.validate)
        assert models.__name__ == "{PKG}.{a.module}.models"
        for private in ("_Session", "__wrapped__", "no_such_name"):
            try:
                getattr(root, private)
            except AttributeError:
                pass
            else:
                raise AssertionError(private)
        assert sorted(root.__all__) == ["check", "create_client", "install", "validate"]
    """)


@pytest.mark.parametrize("service", SERVICES)
def test_create_client_is_boto3s_client_of_the_service(
    reference: Path, package: tuple[Path, dict[str, str]], service: str,
) -> None:
    """Without a session: boto3's default session (imported on the call); with one: its
    `client`, given the service's boto3 name and the keyword arguments. The client made
    is botocore's for the service (the oracle: its service model)."""
    out, _ = package
    n = _names(reference, service)
    shown = _run(out, f"""
        import sys
        import boto3
        from {PKG}.{n.module} import create_client, install
        client = create_client(region_name="eu-west-1")
        session = boto3.Session(region_name="us-west-2")
        other = create_client(session, endpoint_url="http://localhost:1")
        assert install(other) is other
        model = client.meta.service_model
        print(model.service_name, client.meta.region_name, other.meta.region_name, other.meta.endpoint_url)
        calls = []
        class Session:
            def client(self, *args, **kwargs):
                calls.append((args, kwargs))
                return "made"
        assert create_client(Session(), region_name="r") == "made"
        print(calls)
    """)
    assert shown.splitlines() == [
        f"{n.service_id} eu-west-1 us-west-2 http://localhost:1",
        repr([((n.service_id,), {"region_name": "r"})]),
    ]


def test_installed_client_checks_calls_before_sending(
    reference: Path, package: tuple[Path, dict[str, str]],
) -> None:
    out, _ = package
    n = _names(reference, "s3")
    shown = _run(out, f"""
        from {PKG}.{n.module} import create_client, install
        from {PKG} import ParamValidationError
        client = install(create_client(endpoint_url="http://localhost:1"))
        try:
            client.{n.operation}()
        except ParamValidationError as e:
            print([i.code for i in e.issues if i.path == "{n.required}"])
    """)
    assert shown.strip() == "['missing_required']"


# --- what the root emits, for each choice of targets ------------------------------------


@pytest.mark.parametrize("targets", ["stubs", "validators", "models,validators,stubs", "models"])
def test_each_choice_of_targets_gives_a_root_that_types(
    reference: Path, tmp_path: Path, targets: str,
) -> None:
    """The root's stub declares what the root gives (mypy --strict over the package:
    `__init__.pyi` against what it imports), and the root imports and answers at run time."""
    shutil.copytree(reference / "dynamodb", tmp_path / "in" / "dynamodb")
    out = tmp_path / "out"
    result = run.generate([tmp_path / "in"], out, PKG, targets=emit_package.parse_targets(targets))
    assert result.errors == []
    root = out / PKG / "dynamodb"
    has_stub = "stubs" in targets or "validators" in targets
    assert (root / "__init__.pyi").is_file() == has_stub
    proc = run_mypy(out, PKG)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = (["check"] if "validators" in targets else []) + (["create_client"] if "stubs" in targets else [])
    expected += ["install", "validate"] if "validators" in targets else []
    shown = _run(out, f"""
        import {PKG}.dynamodb as root
        print(sorted(getattr(root, "__all__", [])), callable(getattr(root, "check", None)))
    """)
    assert shown.strip() == f"{expected!r} {'validators' in targets}"


def test_a_stub_name_that_is_not_capitalised_is_an_error(reference: Path) -> None:
    """The root re-exports the stub's names beside its own (functions, submodules, all
    lowercase), and resolves a capitalised name to the stub's at run time."""
    ops = parse_ok(reference / "dynamodb")
    for taken in (*sorted(SERVICE_ROOT_NAMES), "lowerCamel"):
        names = naming.resolve(ops)[0]
        names.enums.append(naming.EnumInfo(taken, ("x",)))
        with pytest.raises(naming.InvalidName, match=rf"^.*\.rst:1: class {taken} does not start with a capital"):
            client_extras(names, ops)
