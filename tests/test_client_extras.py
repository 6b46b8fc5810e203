"""Paginators, waiters, `client.exceptions` and boto3's own client methods in the stubs.

A package is generated (the whole pipeline) from the s3 and dynamodb reference pages,
client, paginator and waiter pages alike. A user script that pages, waits and catches
the service's exceptions type-checks with no error under `mypy --strict` and pyright
(standard); a misuse script gets an error on exactly the lines marked `# E`. The names
`get_paginator` / `get_waiter` accept and the exception classes are botocore's own (the
oracle); a class name that clashes, or a bad exception name on a page, is one error line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.exceptions
import pytest
from botocore import xform_name
from gen_support import package_with_scripts, parse_ok, run_mypy

from codegen import naming
from codegen.emit.extras import ClientExtras, client_extras
from codegen.pipeline import run
from oracle import session

PKG = "aws_typed_extras"
SERVICES = ("s3", "dynamodb")
# (bedrock-runtime: one paginator, so no overloads; no waiter page, so botocore's get_waiter)
PACKAGE_SERVICES = (*SERVICES, "bedrock-runtime")

GOOD = '''\
from {pkg}.bedrock_runtime.client import BedrockRuntimeClient
from {pkg}.dynamodb.client import DynamoDBClient
from {pkg}.s3.client import S3Client


def s3_keys(client: S3Client, bucket: str) -> list[str]:
    keys: list[str] = []
    paginator = client.get_paginator("list_objects_v2")
    pages = paginator.paginate(Bucket=bucket, Prefix="logs/", PaginationConfig={{"PageSize": 100, "MaxItems": 1000}})
    for page in pages:
        for obj in page.get("Contents", []):
            keys.append(obj.get("Key", ""))
    token = pages.resume_token
    if token is not None and client.can_paginate("list_objects_v2"):
        keys.append(token)
    for listing in client.get_paginator(operation_name="list_buckets").paginate():
        keys += [b.get("Name", "") for b in listing.get("Buckets", [])]
    return keys


def s3_wait(client: S3Client, bucket: str) -> None:
    client.get_waiter("bucket_exists").wait(Bucket=bucket, WaiterConfig={{"Delay": 5, "MaxAttempts": 3}})
    client.get_waiter("object_exists").wait(Bucket=bucket, Key="k")
    client.get_waiter(waiter_name="object_not_exists").wait(Bucket=bucket, Key="k", VersionId="v")


def s3_head(client: S3Client, bucket: str) -> str:
    try:
        client.head_object(Bucket=bucket, Key="k")
    except client.exceptions.NoSuchKey as e:
        return e.response["Error"]["Code"] + str(e.response["ResponseMetadata"]["HTTPStatusCode"])
    except client.exceptions.ClientError as e:
        return e.operation_name + e.response["Error"]["Message"]
    finally:
        client.close()
    return ""


def ddb(client: DynamoDBClient) -> int:
    n = 0
    scan = client.get_paginator("scan")
    for page in scan.paginate(TableName="t", PaginationConfig={{"StartingToken": "x"}}):
        n += page.get("Count", 0)
    for tables in client.get_paginator("list_tables").paginate():
        n += len(tables.get("TableNames", []))
    full = client.get_paginator("query").paginate(TableName="t", KeyConditionExpression="k = :v").build_full_result()
    n += len(full)
    client.get_waiter("table_exists").wait(TableName="t")
    # (no page documents it: every response has it, codegen/emit/extras.py)
    n += client.describe_table(TableName="t")["ResponseMetadata"]["HTTPStatusCode"]
    client.get_waiter("table_not_exists").wait(TableName="t", WaiterConfig={{"MaxAttempts": 2}})
    try:
        client.get_item(TableName="t", Key={{"k": {{"S": "v"}}}})
    except client.exceptions.ResourceNotFoundException as e:
        print(e.response["Error"]["Message"])
    except (client.exceptions.ProvisionedThroughputExceededException, client.exceptions.RequestLimitExceeded):
        pass
    return n


def bedrock(client: BedrockRuntimeClient) -> list[str]:
    arns = []
    for page in client.get_paginator("list_async_invokes").paginate(statusEquals="Completed"):
        arns += [s.get("invocationArn", "") for s in page.get("asyncInvokeSummaries", [])]
    client.get_waiter("any_name_botocore_may_add").wait(Anything=1)
    return arns
'''

# Each misuse on a line of its own, marked `# E`: the checker must report exactly these lines.
BAD = '''\
from {pkg}.bedrock_runtime.client import BedrockRuntimeClient
from {pkg}.dynamodb.client import DynamoDBClient
from {pkg}.s3.client import S3Client


def s3(client: S3Client) -> None:
    client.get_paginator("list_object_v2")  # E
    client.get_paginator("scan")  # E
    client.get_paginator()  # E
    client.get_paginator("list_objects_v2").paginate(Buckett="b")  # E
    client.get_paginator("list_objects_v2").paginate()  # E
    client.get_paginator("list_objects_v2").paginate(Bucket="b", ContinuationToken="t")  # E
    client.get_paginator("list_objects_v2").paginate(Bucket="b", PaginationConfig={{"MaxItem": 1}})  # E
    client.get_paginator("list_objects_v2").paginate(Bucket="b", PaginationConfig={{"PageSize": "1"}})  # E
    client.get_paginator("list_objects_v2").paginate(Bucket="b", EncodingType="utf8")  # E
    for page in client.get_paginator("list_objects_v2").paginate(Bucket="b"):
        print(page["Contentz"])  # E
        for obj in page.get("Contents", []):
            print(obj["Keyy"])  # E
    client.get_waiter("bucket_exist")  # E
    client.get_waiter("table_exists")  # E
    client.get_waiter("bucket_exists").wait(Buckett="b")  # E
    client.get_waiter("bucket_exists").wait(Bucket="b", WaiterConfig={{"Delay": "5"}})  # E
    client.get_waiter("bucket_exists").wait(Bucket="b", WaiterConfig={{"Dely": 5}})  # E
    client.get_waiter("bucket_exists").wait(Bucket="b", WaiterConfig=5)  # E
    client.get_waiter("object_exists").wait(Bucket="b")  # E
    x: str = client.get_waiter("bucket_exists").wait(Bucket="b")  # E
    try:
        pass
    except client.exceptions.NoSuchKeyy:  # E
        pass
    except client.exceptions.NoSuchKey as e:
        print(e.response["Errror"])  # E
        print(e.response["Error"]["Codee"])  # E
    client.can_paginate()  # E
    client.close(1)  # E


def ddb(client: DynamoDBClient) -> None:
    client.get_paginator("scan").paginate(TableName=1)  # E
    client.get_paginator("scan").paginate(TableName="t", Limit=5)  # E
    client.get_waiter("table_exists").wait()  # E
    print(client.exceptions.NoSuchKey)  # E


def bedrock(client: BedrockRuntimeClient) -> None:
    client.get_paginator("list_async_invoke")  # E
    client.get_paginator("list_async_invokes").paginate(statusEquals="Done")  # E
    client.get_waiter()  # E
'''


def _marked(text: str) -> set[int]:
    return {n for n, line in enumerate(text.splitlines(), 1) if line.endswith("# E")}


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("client_extras")


@pytest.fixture(scope="module")
def package(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package of the s3 and dynamodb pages, with the user scripts beside it."""
    base = tmp_path_factory.mktemp("extras")
    return package_with_scripts(reference, base, PACKAGE_SERVICES, PKG, {"good.py": GOOD, "bad.py": BAD})


def _mypy_error_lines(out: Path, script: str) -> tuple[set[int], str]:
    proc = run_mypy(out, script)
    found = {int(m.group(1)) for m in re.finditer(rf"^{script}:(\d+): error:", proc.stdout, re.MULTILINE)}
    return found, proc.stdout + proc.stderr


def test_user_script_passes_mypy_strict(package: Path) -> None:
    proc = run_mypy(package, PKG, "good.py")  # (the package too: its stubs checked)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_misuse_is_caught_line_by_line_by_mypy(package: Path) -> None:
    found, output = _mypy_error_lines(package, "bad.py")
    assert found == _marked(BAD), output


def _pyright(out: Path, *paths: str, **settings: str) -> dict[str, set[int]]:
    """The lines pyright (standard, with these settings) reports errors on, by file name."""
    config = {"typeCheckingMode": "standard", "pythonVersion": "3.11", **settings}
    (out / "pyrightconfig.json").write_text(json.dumps(config))
    proc = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", *paths],
        cwd=out, capture_output=True, text=True, timeout=900, env=dict(os.environ),
    )
    report = json.loads(proc.stdout)
    found: dict[str, set[int]] = {}
    for d in report["generalDiagnostics"]:
        if d["severity"] == "error":
            found.setdefault(Path(d["file"]).name, set()).add(d["range"]["start"]["line"] + 1)
    return found


def test_pyright_passes_package_and_user_script_and_catches_misuse(package: Path) -> None:
    found = _pyright(package, PKG, "good.py", "bad.py")
    assert found == {"bad.py": _marked(BAD)}


# --- the names, from botocore (the oracle) ----------------------------------------------


def _extras(reference: Path, service: str) -> ClientExtras:
    ops = parse_ok(reference / service)
    names = naming.resolve(ops)[0]
    return client_extras(names, ops)


@pytest.mark.parametrize("service", SERVICES)
def test_paginator_and_waiter_names_are_botocores(reference: Path, service: str) -> None:
    extras = _extras(reference, service)
    paginators = session().get_paginator_model(service)._paginator_config  # (no public listing)
    assert [v.literal for v in extras.paginators] == sorted(xform_name(n) for n in paginators)
    waiters = session().get_waiter_model(service).waiter_names
    assert [v.literal for v in extras.waiters] == sorted(xform_name(n) for n in waiters)
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    assert all(client.can_paginate(v.literal) for v in extras.paginators)


def test_waiter_names_snake_as_botocore_does() -> None:
    """`get_waiter` takes botocore's xform_name of the waiter's name; the stub writes
    naming.snake_case of the page's name: the same for every waiter of the reference."""
    loader = session().get_component("data_loader")
    checked = 0
    for service in session().get_available_services():
        try:
            waiters = loader.load_service_model(service, "waiters-2")["waiters"]
        except botocore.exceptions.DataNotFoundError:
            continue
        for name in waiters:
            assert naming.snake_case(name) == xform_name(name), (service, name)
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("service", SERVICES)
def test_exceptions_are_the_clients(reference: Path, service: str) -> None:
    extras = _extras(reference, service)
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    assert len(extras.exceptions) >= 5
    for name in extras.exceptions:
        assert issubclass(getattr(client.exceptions, name), botocore.exceptions.ClientError), name
    errors = {s.name for s in session().get_service_model(service).error_shapes}
    assert set(extras.exceptions) <= errors


def test_paginate_types_its_parameters_from_the_operations_classes(reference: Path) -> None:
    """Each paginator's parameters (but its config) are the client operation's,
    typed the same: its request TypedDicts, not Any."""
    for service in SERVICES:
        ops = parse_ok(reference / service)
        names = naming.resolve(ops)[0]
        extras = client_extras(names, ops)
        assert len(extras.paginators) >= 5 and len(extras.waiters) >= 4
        for view in (*extras.paginators, *extras.waiters):
            assert "Any" not in " ".join(p.annotation for p in view.method.params), view.class_name
            assert not view.method.extra_kwargs


# --- clashes and bad names: one error line, nothing written ----------------------------


def _generate(inputs: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", str(inputs), "--out", str(out), "--package-name", PKG,
         "-q", "--jobs", "1"],
        capture_output=True, text=True, timeout=900, env=dict(os.environ),
    )


def test_paginator_classes_that_clash_are_an_error(reference: Path, tmp_path: Path) -> None:
    """Two paginator pages whose names make one class (`ListParts`, `listParts`)."""
    shutil.copytree(reference / "s3", tmp_path / "in" / "s3")
    page = tmp_path / "in" / "s3" / "paginator" / "ListParts.rst"
    twin = page.with_name("listParts.rst")
    twin.write_text(page.read_text().replace("S3.Paginator.ListParts", "S3.Paginator.listParts"))
    proc = _generate(tmp_path / "in", tmp_path / "out")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert re.fullmatch(r"error: .*s3/paginator/listParts\.rst:1: paginator class \w+ clashes with .*", errors[0])
    assert not list((tmp_path / "out").rglob("client.pyi"))


def test_class_names_that_clash_with_the_resolvers_are_an_error(reference: Path) -> None:
    """A stub class the resolver named as a new class would be (its names may change)."""
    ops = parse_ok(reference / "s3")
    extras = _extras(reference, "s3")
    for taken in (extras.paginators[0].class_name, extras.waiters[-1].class_name, extras.exceptions_class):
        names = naming.resolve(ops)[0]
        names.enums.append(naming.EnumInfo(taken, ("x",)))
        with pytest.raises(naming.InvalidName, match=rf"^.*\.rst:1: .* {taken} clashes with a class of the stub"):
            client_extras(names, ops)


@pytest.mark.parametrize("bad", ["class", "type", "No-Such", "__init__", "_Private"])
def test_a_bad_exception_name_is_an_error(reference: Path, tmp_path: Path, bad: str) -> None:
    source = reference / "dynamodb" / "client" / "get_item.rst"
    page = tmp_path / "in" / "dynamodb" / "client" / "get_item.rst"
    page.parent.mkdir(parents=True)
    text = source.read_text()
    assert "exceptions.ResourceNotFoundException" in text
    page.write_text(text.replace("exceptions.ResourceNotFoundException", f"exceptions.{bad}", 1))
    proc = _generate(tmp_path / "in", tmp_path / "out")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "get_item.rst:1: exception name" in errors[0], proc.stderr
    assert not list((tmp_path / "out").rglob("client.pyi"))


def test_package_is_black_clean(package: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "black", "--check", "-q", str(package / PKG)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_regenerate_follows_paginator_and_waiter_pages(reference: Path, tmp_path: Path) -> None:
    """The incremental pipeline passes paginator and waiter pages to the stub: a page
    removed takes its class and overload out on the next run."""
    pages = tmp_path / "in" / "dynamodb"
    shutil.copytree(reference / "dynamodb", pages)
    out = tmp_path / "out"
    run.generate([tmp_path / "in"], out, PKG)
    stub = out / PKG / "dynamodb" / "client.pyi"
    before = stub.read_text()
    assert all(f'Literal["{n}"]' in before for n in ("scan", "query", "table_exists", "table_not_exists"))
    (pages / "paginator" / "Scan.rst").unlink()
    (pages / "waiter" / "TableExists.rst").unlink()
    result = run.generate([tmp_path / "in"], out, PKG)
    assert f"{PKG}/dynamodb/client.pyi" in result.written
    after = stub.read_text()
    assert 'Literal["scan"]' not in after and 'Literal["table_exists"]' not in after
    assert 'Literal["query"]' in after and 'Literal["table_not_exists"]' in after
