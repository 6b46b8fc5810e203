"""`[tool.codegen] responses`: how the generated types read a response's keys.

The pages mark no response key required. With "present" (the default) a documented
response key is typed as always there, as types-boto3 types it: a user script that reads
`resp["Body"]`, `resp["Contents"]` and nested `resp["TableDescription"]["TableStatus"]`
type-checks under `mypy --strict` and pyright, and a response model's field is `str`,
not `str | UnsetType`. With "optional" the same lines are pyright errors (a key that may
be absent), and the model line is an error under both checkers.

from_dict follows the setting: with "present" a strict load reports a missing response
key as a LoadError with its path (strict=False leaves it UNSET); with "optional" it is
fine. Responses come from botocore (the oracle's examples, and a Stubber's).
Class names come from the resolver, never typed in.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.stub import Stubber
from gen_support import import_fresh, models_text, parse_ok, run_mypy

from codegen import naming
from codegen.pipeline import run
from oracle import expected_operation
from test_client_extras import _pyright
from test_enum_modes import run_cli
from test_models_loading import DELETE, example, replaced

PKGS = {"present": "aws_typed_resp", "optional": "aws_typed_resp_opt"}
PAGES = {
    "s3": ("get_object", "list_objects_v2"),
    "dynamodb": ("create_table", "describe_table", "get_item"),
    "sagemaker": ("create_model_package", "describe_model_package"),
    "bedrock-runtime": ("get_async_invoke",),  # (a tagged union in the response)
}
ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"

# Lines marked `# key` read a response key; `# field` takes a response model's field as
# `str`. With "optional", pyright reports both, mypy (which never checks a NotRequired
# key read) only the field.
SCRIPT = '''\
from {pkg}.bedrock_runtime.client import {BedrockRuntime}
from {pkg}.dynamodb.client import {DynamoDB}
from {pkg}.s3.client import {S3}
from {pkg}.sagemaker.client import {SageMaker}
from {pkg}.sagemaker.models import {CreateModelPackageResponse}


def s3(client: {S3}) -> int:
    obj = client.get_object(Bucket="b", Key="k")
    data = obj["Body"].read()  # key
    size: int = obj["ContentLength"]  # key
    listing = client.list_objects_v2(Bucket="b", Prefix="logs/")
    keys = [o["Key"] for o in listing["Contents"]]  # key
    return len(data) + size + len(keys) + obj["ResponseMetadata"]["HTTPStatusCode"]


def ddb(client: {DynamoDB}) -> str:
    created = client.create_table(
        TableName="t",
        KeySchema=[{{"AttributeName": "k", "KeyType": "HASH"}}],
        AttributeDefinitions=[{{"AttributeName": "k", "AttributeType": "S"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    status = created["TableDescription"]["TableStatus"]  # key
    name = client.describe_table(TableName="t")["Table"]["TableName"]  # key
    item = client.get_item(TableName="t", Key={{"k": {{"S": "v"}}}})["Item"]  # key
    return status + name + str(len(item))


def sagemaker(client: {SageMaker}) -> str:
    resp = client.create_model_package(ModelPackageName="m")
    model = {CreateModelPackageResponse}.from_dict(resp)
    arn: str = model.model_package_arn  # field
    return resp["ModelPackageArn"] + arn  # key


def bedrock(client: {BedrockRuntime}) -> str:
    job = client.get_async_invoke(invocationArn="a")
    s3 = job["outputDataConfig"].get("s3OutputDataConfig")  # key
    return job["status"] + str(s3)  # key
'''

# Only one key of a tagged union is set (the page says so): in either mode a read of one
# is an error for pyright.
UNION = '''\
from {pkg}.bedrock_runtime.client import {BedrockRuntime}


def bedrock(client: {BedrockRuntime}) -> None:
    print(client.get_async_invoke(invocationArn="a")["outputDataConfig"]["s3OutputDataConfig"])
'''


def _marked(*marks: str) -> set[int]:
    return {n for n, line in enumerate(SCRIPT.splitlines(), 1) if line.endswith(marks)}


@dataclass
class Packages:
    outs: dict[str, Path]  # mode → output folder (the script beside the package)
    names: dict[str, naming.ServiceNames]

    def models(self, mode: str, service: str) -> Any:
        return import_fresh(self.outs[mode], f"{PKGS[mode]}.{naming.module_name(service)}.models")

    def runtime(self, mode: str) -> Any:
        return import_fresh(self.outs[mode], f"{PKGS[mode]}._runtime")

    def response_class(self, mode: str, service: str, page: str) -> Any:
        names = self.names[service]
        op = next(o for o in names.operations if o.name == page)
        return getattr(self.models(mode, service), names.response_class(op) or "")


@pytest.fixture(scope="module")
def packages(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Packages:
    """The package of the pages in each mode: "present" by default, "optional" through
    `[tool.codegen] responses` in a project's pyproject.toml (`codegen generate`)."""
    base = tmp_path_factory.mktemp("responses")
    for service, pages in PAGES.items():
        (base / "pages" / service / "client").mkdir(parents=True)
        for page in pages:
            shutil.copy(reference / service / "client" / f"{page}.rst", base / "pages" / service / "client")
    names = {n.service_id: n for n in naming.resolve(parse_ok(base / "pages"))}
    create = next(op for op in names["sagemaker"].operations if op.name == "create_model_package")
    present = base / "present"
    assert run.generate([base / "pages"], present, PKGS["present"]).errors == []
    project = base / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[tool.codegen]\ninput = "{base / "pages"}"\nout = "out"\npackage-name = "{PKGS["optional"]}"\n'
        'responses = "optional"\n'
    )
    res = run_cli(project, "generate")
    assert res.exit_code == 0, res.output
    outs = {"present": present, "optional": project / "out"}
    for mode, out in outs.items():
        classes = dict(
            pkg=PKGS[mode], DynamoDB=names["dynamodb"].client_class, S3=names["s3"].client_class,
            SageMaker=names["sagemaker"].client_class, BedrockRuntime=names["bedrock-runtime"].client_class,
            CreateModelPackageResponse=names["sagemaker"].response_class(create),
        )
        (out / "script.py").write_text(SCRIPT.format(**classes))
        (out / "union.py").write_text(UNION.format(**classes))
    return Packages(outs, names)


def test_default_user_script_passes_mypy_strict_and_pyright(packages: Packages) -> None:
    out = packages.outs["present"]
    proc = run_mypy(out, PKGS["present"], "script.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _pyright(out, PKGS["present"], "script.py", "union.py") == {"union.py": {5}}


def test_optional_makes_the_same_reads_errors(packages: Packages) -> None:
    out = packages.outs["optional"]
    found = _pyright(out, PKGS["optional"], "script.py", "union.py")
    assert found == {"script.py": _marked("# key", "# field"), "union.py": {5}}
    proc = run_mypy(out, PKGS["optional"], "script.py")
    found = {int(line.split(":")[1]) for line in proc.stdout.splitlines() if line.startswith("script.py:")}
    assert found == _marked("# field"), proc.stdout


def test_setting_is_validated_and_a_change_regenerates(packages: Packages, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(packages.outs["optional"].parent, project)
    pyproject = project / "pyproject.toml"
    models = project / "out" / PKGS["optional"] / "sagemaker"
    assert "model_package_arn: str | UnsetType = UNSET" in models_text(models)
    assert run_cli(project, "check").exit_code == 0
    text = pyproject.read_text()
    pyproject.write_text(text.replace('"optional"', '"present"'))
    assert run_cli(project, "check").exit_code == 1  # stale: every service follows the setting
    res = run_cli(project, "generate")
    assert res.exit_code == 0, res.output
    assert "model_package_arn: str = ABSENT" in models_text(models)
    pyproject.write_text(text.replace('"optional"', '"sometimes"').replace('out = "out"', 'out = "out2"'))
    res = run_cli(project, "generate")
    assert res.exit_code == 1 and "Traceback" not in res.output
    (line,) = res.stderr.splitlines()
    assert line == (
        f"error: {pyproject}:5: [tool.codegen] responses must be one of 'present', 'optional', not 'sometimes'"
    )
    assert not (project / "out2").exists()


# --- from_dict on botocore-shaped responses -----------------------------------------------


Key = tuple[str, tuple[Any, ...], str, dict[str, Any], dict[str, Any]]


def member_keys(shape: dict[str, Any], value: Any, tree: str = "output", path: str = "",
                keys: tuple[Any, ...] = ()) -> Iterator[Key]:
    """(tree path of the structure, keys from the top, validator path, the structure's
    oracle shape, the member's) for every structure member present in an example."""
    kind = shape["type"]
    if kind == "structure" and not shape.get("event_stream"):
        for name, member in shape["members"].items():
            if name in value:
                step = f"{path}.{name}" if path else name
                yield tree, keys + (name,), step, shape, member
                yield from member_keys(member["shape"], value[name], f"{tree}.{name}", step, keys + (name,))
    elif kind == "list":
        for i, item in enumerate(value):
            yield from member_keys(shape["member"], item, tree + "[]", f"{path}[{i}]", keys + (i,))
    elif kind == "map":
        for key, item in value.items():
            yield from member_keys(shape["value"], item, tree + "{}", f"{path}.{key}", keys + (key,))


def test_present_reports_a_missing_response_key_optional_loads_it(packages: Packages) -> None:
    load_error = packages.runtime("present").LoadError
    counts = {"reported": 0, "shared": 0, "may be absent": 0}
    for service, pages in PAGES.items():
        names = packages.names[service]
        by_name = {c.name: c for c in names.classes}
        for page in pages:
            expected = expected_operation(service, "client", page)
            assert expected is not None and expected["output"] is not None
            shape = expected["output"]
            data = example(shape, unknown=False, path="output")
            present = packages.response_class("present", service, page)
            optional = packages.response_class("optional", service, page)
            for cls in (present, optional):  # every key there: both load it
                assert cls.from_dict(data).to_dict() == data, (service, page)
            for tree, keys, path, parent, member in member_keys(shape, data):
                bad = replaced(data, keys, DELETE)
                where = (service, page, path)
                assert optional.from_dict(bad).to_dict() == bad, where
                assert present.from_dict(bad, strict=False).to_dict() == bad, where
                cls = names.class_at(page, tree)
                if parent.get("union") or member["shape"]["type"] == "recursive":
                    counts["may be absent"] += 1  # (only one key of a union is set)
                    present.from_dict(bad)
                elif cls in names.request_side:
                    counts["shared"] += 1  # a request's class: the page's required flags
                    if not dict(by_name[cls].shape.members)[keys[-1]].required:
                        present.from_dict(bad)
                else:
                    counts["reported"] += 1
                    with pytest.raises(load_error) as raised:
                        present.from_dict(bad)
                    assert (raised.value.path, raised.value.message) == (path, "required key is missing"), where
    print(counts)
    assert counts["reported"] > 200 and counts["shared"] > 10 and counts["may be absent"] > 0, counts
    cls = packages.response_class("optional", "sagemaker", "create_model_package")
    assert cls.from_dict({}).model_package_arn is packages.runtime("optional").UNSET


@pytest.mark.parametrize("mode", ["present", "optional"])
def test_seed_loads_a_real_create_model_package_response(packages: Packages, mode: str) -> None:
    client = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        # (what botocore adds to every real response; the Stubber passes it through)
        metadata = {"RequestId": "r", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}
        stubber.add_response("create_model_package", {"ModelPackageArn": ARN, "ResponseMetadata": metadata})
        response = client.create_model_package(ModelPackageName="m")
    assert response["ResponseMetadata"] == metadata
    model = packages.response_class(mode, "sagemaker", "create_model_package").from_dict(response)
    assert model.model_package_arn == ARN and model.to_dict() == {"ModelPackageArn": ARN}
