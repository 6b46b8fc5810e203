"""boto3's own client methods, `client.meta` and streaming members in the stubs.

A package is generated (the whole pipeline) from the s3, lambda and bedrock-runtime
reference pages. A user script that uploads, downloads, copies, presigns, reads
streaming bodies, sends `str` payloads and iterates event streams type-checks with no
error under `mypy --strict` and pyright (standard); a misuse script gets an error on
exactly the lines marked `# E`. The table that types boto3's methods
(codegen/emit/extras.py) is checked against boto3 itself (the oracle): parameter names,
order and defaults from `inspect.signature`, the `ExtraArgs` keys from
`S3Transfer.ALLOWED_*_ARGS` and their types from botocore's S3 model.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import boto3
import botocore.client
import botocore.response
import pytest
from boto3.s3.transfer import S3Transfer, TransferConfig
from gen_support import package_with_scripts, parse_ok, run_mypy
from test_client_extras import _marked, _mypy_error_lines, _pyright

from codegen import naming
from codegen.emit.env import render
from codegen.emit.boto3_methods import BASE_METHODS, EXTRA_ARGS, base_method
from codegen.emit.env import render
from codegen.emit.extras import client_extras
from codegen.emit.types import py_type
from codegen.pipeline import run
from codegen.tree import Member, Shape
from oracle import session

PKG = "aws_typed_boto3"
SERVICES = ("s3", "lambda", "bedrock-runtime")

GOOD = '''\
import io
import json
from pathlib import Path

from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]

from {pkg}.bedrock_runtime.client import BedrockRuntimeClient
from {pkg}.lambda_.client import LambdaClient
from {pkg}.s3.client import S3Client


def progress(sent: int) -> None:
    print(sent)


def transfers(client: S3Client, other: S3Client) -> None:
    config = TransferConfig(multipart_threshold=1024 * 25, max_concurrency=4)
    client.upload_file("/tmp/a.txt", "bucket", "a.txt")
    client.upload_file(Path("/tmp/a.txt"), "bucket", "a.txt", ExtraArgs={{"ContentType": "text/plain"}})
    client.upload_file(
        Filename="/tmp/a.txt", Bucket="bucket", Key="a.txt", Callback=progress, Config=config,
        ExtraArgs={{"Metadata": {{"k": "v"}}, "ACL": "private", "ChecksumAlgorithm": "SHA256"}},
    )
    client.download_file("bucket", "a.txt", "/tmp/b.txt", {{"VersionId": "v1"}}, lambda n: None)
    with open("/tmp/c.txt", "rb") as data:
        client.upload_fileobj(data, "bucket", "c.txt", Config=config)
    client.upload_fileobj(io.BytesIO(b"x"), "bucket", "d.txt")
    buffer = io.BytesIO()
    client.download_fileobj("bucket", "d.txt", buffer)
    with open("/tmp/e.txt", "wb") as out:
        client.download_fileobj(Bucket="bucket", Key="d.txt", Fileobj=out, ExtraArgs={{"RequestPayer": "requester"}})
    client.copy({{"Bucket": "src", "Key": "a.txt"}}, "bucket", "copy.txt")
    client.copy(
        {{"Bucket": "src", "Key": "a.txt", "VersionId": "v"}}, "bucket", "copy.txt",
        ExtraArgs={{"MetadataDirective": "REPLACE"}}, SourceClient=other,
    )


def presign(client: S3Client) -> list[str]:
    urls = [client.generate_presigned_url("get_object", {{"Bucket": "b", "Key": "k"}}, 60, "GET")]
    urls.append(client.generate_presigned_url(ClientMethod="put_object", Params={{"Bucket": "b", "Key": "k"}}))
    post = client.generate_presigned_post("bucket", "k", Fields={{"acl": "public-read"}}, Conditions=[["starts-with", "$key", ""]])
    urls.append(post["url"] + str(post["fields"].get("key")))
    urls.append(client.meta.region_name + client.meta.endpoint_url + client.meta.partition)
    client.meta.events.register("before-send.s3.*", print)
    if client.can_paginate("list_objects_v2"):
        client.close()
    return urls


def streams(client: S3Client) -> int:
    client.put_object(Bucket="b", Key="k", Body="text")
    client.put_object(Bucket="b", Key="k", Body=b"bytes")
    with open("/tmp/a.bin", "rb") as data:
        client.put_object(Bucket="b", Key="k", Body=data)
    resp = client.get_object(Bucket="b", Key="k")
    text: bytes = resp["Body"].read()
    with client.get_object(Bucket="b", Key="k")["Body"] as body:
        lines = [line.decode() for line in body.iter_lines()]
        chunks = sum(len(c) for c in body.iter_chunks(4096))
    client.put_object(Bucket="b", Key="copy", Body=client.get_object(Bucket="b", Key="k")["Body"])
    selected = client.select_object_content(
        Bucket="b", Key="k", Expression="select * from s3object", ExpressionType="SQL",
        InputSerialization={{"CSV": {{}}}}, OutputSerialization={{"JSON": {{}}}},
    )
    n = len(text) + len(lines) + chunks
    for event in selected["Payload"]:
        if "Records" in event:
            n += len(event["Records"]["Payload"])
    return n


def invoke(client: LambdaClient) -> object:
    resp = client.invoke(FunctionName="f", Payload=json.dumps({{"a": 1}}))
    client.invoke(FunctionName="f", Payload=b"{{}}", InvocationType="Event")
    # (no lambda page documents generate_presigned_url: botocore adds it to every client)
    url: str = client.generate_presigned_url("invoke", {{"FunctionName": "f"}}, 60)
    result: object = json.loads(resp["Payload"].read())
    for event in client.invoke_with_response_stream(FunctionName="f", Payload="{{}}")["EventStream"]:
        print(event.get("PayloadChunk"))
    return result


def bedrock(client: BedrockRuntimeClient) -> str:
    body = client.invoke_model(modelId="m", body=json.dumps({{"prompt": "hi"}}))["body"].read().decode()
    stream = client.invoke_model_with_response_stream(modelId="m", body=b"{{}}")["body"]
    for event in stream:
        if "chunk" in event:
            body += event["chunk"]["bytes"].decode()
    reply = client.converse_stream(modelId="m", messages=[{{"role": "user", "content": [{{"text": "hi"}}]}}])
    for part in reply["stream"]:
        if "contentBlockDelta" in part:
            body += part["contentBlockDelta"]["delta"].get("text", "")
    return body
'''

# Each misuse on a line of its own, marked `# E`: the checker must report exactly these lines.
BAD = '''\
import io

from {pkg}.bedrock_runtime.client import BedrockRuntimeClient
from {pkg}.lambda_.client import LambdaClient
from {pkg}.s3.client import S3Client


def s3(client: S3Client) -> None:
    client.upload_file(1, 2, 3)  # E
    client.upload_file("f", "b")  # E
    client.upload_file("f", "b", "k", ExtraArgs={{"ContentTyp": "text/plain"}})  # E
    client.upload_file("f", "b", "k", {{"Metadata": "x"}})  # E
    client.upload_file("f", "b", "k", Callback=lambda: None)  # E
    client.upload_file("f", "b", "k", Config=1)  # E
    client.upload_file("f", "b", "k", Extra={{}})  # E
    client.download_file("b", "k")  # E
    client.download_file("b", "k", "f", ExtraArgs={{"ACL": "private"}})  # E
    client.upload_fileobj("not a file", "b", "k")  # E
    client.download_fileobj("b", "k", io.StringIO())  # E
    client.copy({{"Bucket": "b"}}, "b", "k")  # E
    client.copy("b/k", "b", "k")  # E
    client.copy({{"Bucket": "b", "Key": "k"}}, "b", "k", SourceClient=1)  # E
    client.generate_presigned_url(ClientMethod=1)  # E
    client.generate_presigned_url()  # E
    url: int = client.generate_presigned_url("get_object")  # E
    print(client.generate_presigned_post("b", "k")["urll"])  # E
    client.generate_presigned_post("b", "k", ExpiresIn="1")  # E
    client.meta.region_name = "x"  # E
    print(client.meta.regionname)  # E
    client.put_object(Bucket="b", Key="k", Body=1)  # E
    client.put_object(Bucket="b", Key="k", Body=open("f"))  # E
    resp = client.get_object(Bucket="b", Key="k")
    print(resp["Body"] + 1)  # E
    resp["Body"].read("all")  # E
    text: str = resp["Body"].read()  # E
    for event in client.select_object_content(Bucket="b", Key="k", Expression="e", ExpressionType="SQL", InputSerialization={{}}, OutputSerialization={{}})["Payload"]:
        print(event + 1)  # E


def lam(client: LambdaClient) -> None:
    client.invoke(FunctionName="f", Payload=1)  # E
    client.generate_presigned_url(ClientMethod=1)  # E
    client.invoke(FunctionName="f")["Payload"].decode()  # E


def bedrock(client: BedrockRuntimeClient) -> None:
    client.invoke_model(modelId="m", body=1)  # E
    client.invoke_model(modelId="m")["body"].iter_line()  # E
'''


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("boto3_methods")


@pytest.fixture(scope="module")
def package(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("boto3_methods")
    return package_with_scripts(reference, base, SERVICES, PKG, {"good.py": GOOD, "bad.py": BAD})


def test_user_script_passes_mypy_strict(package: Path) -> None:
    proc = run_mypy(package, PKG, "good.py")  # (the package too: its stubs checked)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_misuse_is_caught_line_by_line_by_mypy(package: Path) -> None:
    found, output = _mypy_error_lines(package, "bad.py")
    assert found == _marked(BAD), output


def test_pyright_passes_package_and_user_script_and_catches_misuse(package: Path) -> None:
    # (`resp["Body"]`: which response keys are required is the `responses` option's, not
    # this test's; its default is checked where that option is)
    found = _pyright(package, PKG, "good.py", "bad.py", reportTypedDictNotRequiredAccess="none")
    assert found == {"bad.py": _marked(BAD)}


# --- the table, against boto3 (the oracle) -----------------------------------------------


def _client(service: str) -> botocore.client.BaseClient:
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


@pytest.mark.parametrize("name", sorted(BASE_METHODS))
def test_base_methods_have_boto3s_signature(name: str) -> None:
    """Names, order, positional-or-keyword and which have a default: as boto3's own."""
    params, _ = BASE_METHODS[name]
    service = "rds" if name == "generate_db_auth_token" else "dsql" if name.startswith("generate_db") else "s3"
    real = inspect.signature(getattr(_client(service), name)).parameters.values()
    assert [(p.name, p.optional) for p in params] == [
        (p.name, p.default is not inspect.Parameter.empty) for p in real
    ]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in real)


def test_every_page_of_the_table_is_typed_by_it(reference: Path) -> None:
    """Each s3 page of a boto3 method in the table lists the table's parameters (so the
    stub writes the table's method), and nothing else is left of it in the stub."""
    ops = parse_ok(reference / "s3")
    names = naming.resolve(ops)[0]
    extras = client_extras(names, ops)
    assert {m.name for m in extras.base_methods} == {n for n in BASE_METHODS if not n.startswith("generate_db")}
    for m in extras.base_methods:
        assert m.doc and all(text for _, text in m.param_docs), m.name


def test_a_page_that_disagrees_with_the_table_keeps_its_own_typing(reference: Path) -> None:
    """A boto3 that added a parameter: the page's own (keyword-only) method stands."""
    op = next(o for o in parse_ok(reference / "s3") if o.name == "upload_file")
    assert base_method(op) is not None
    members = (*op.input.members, ("Checksum", Member(Shape(type="string"))))
    assert base_method(dataclasses.replace(op, input=Shape(type="structure", members=members))) is None
    assert base_method(dataclasses.replace(op, input=Shape(type="structure", members=members[1:]))) is None


_BOTOCORE_TYPES = {"string": "str", "timestamp": "datetime | str", "map": "Mapping[str, str]", "long": "int"}


@pytest.mark.parametrize(
    ("typed_dict", "allowed", "operations"),
    [
        ("UploadExtraArgsTypeDef", S3Transfer.ALLOWED_UPLOAD_ARGS,
         ("PutObject", "CreateMultipartUpload", "CompleteMultipartUpload")),
        ("DownloadExtraArgsTypeDef", S3Transfer.ALLOWED_DOWNLOAD_ARGS, ("GetObject",)),
        ("CopyExtraArgsTypeDef", S3Transfer.ALLOWED_COPY_ARGS, ("CopyObject",)),
    ],
)
def test_extra_args_are_boto3s_allowed_args(typed_dict: str, allowed: list[str], operations: tuple[str, ...]) -> None:
    """The keys boto3's transfers accept, each typed as the S3 operation it goes to takes it."""
    keys = dict(EXTRA_ARGS[typed_dict])
    assert list(keys) == list(allowed)
    model = session().get_service_model("s3")
    for key, annotation in keys.items():
        shape = next(
            ms[key] for op in operations if key in (ms := model.operation_model(op).input_shape.members)
        )
        assert annotation == _BOTOCORE_TYPES[shape.type_name], key


def _botocore_stub_class(name: str) -> str:
    stub = render("botocore.pyi.jinja2", extra_args=EXTRA_ARGS)
    return stub.split(f"\nclass {name}")[1].split("\nclass ")[0]


def test_transfer_config_protocol_is_boto3s() -> None:
    """Every attribute the TransferConfig Protocol reads is on boto3's, of that type."""
    attributes = re.findall(r"def (\w+)\(self\) -> (\w+): \.\.\.", _botocore_stub_class("TransferConfig"))
    assert len(attributes) >= 5
    config = TransferConfig()
    for name, kind in attributes:
        assert type(getattr(config, name)).__name__ == kind, name


def test_streaming_body_stub_has_botocores_methods() -> None:
    """The StreamingBody stand-in has botocore's public reading methods, with its parameters."""
    body = _botocore_stub_class("StreamingBody")
    for name in ("read", "readlines", "iter_lines", "iter_chunks", "close", "__iter__", "__next__", "tell"):
        match = re.search(rf"def {name}\(\s*([^)]*)\)", body)
        assert match is not None, name
        params = [p.split(":")[0].strip() for p in match.group(1).split(",") if p.strip()]
        assert params == list(inspect.signature(getattr(botocore.response.StreamingBody, name)).parameters), name


@pytest.mark.parametrize(
    ("service", "operation", "member"),
    [("s3", "GetObject", "Body"), ("lambda", "Invoke", "Payload"), ("bedrock-runtime", "InvokeModel", "body")],
)
def test_streaming_response_members_are_streaming_bodies(reference: Path, service: str, operation: str, member: str) -> None:
    """What botocore's model says streams is typed StreamingBody in the response and takes
    str/bytes/file objects in the request; a plain blob stays bytes."""
    model = session().get_service_model(service).operation_model(operation)
    assert model.output_shape.members[member].serialization.get("streaming") or model.has_streaming_output
    ops = parse_ok(reference / service)
    names = naming.resolve(ops)[0]
    op = next(o for o in ops if o.api_name == operation)
    assert op.output is not None
    shape = dict(op.output.members)[member].shape
    assert py_type(names, op.name, f"output.{member}", shape, "response") == "_StreamingBody"
    streaming_in = [(w, m) for w, m in op.input.members if m.shape.streaming]
    for wire, m in streaming_in:
        assert py_type(names, op.name, f"input.{wire}", m.shape, "request").startswith("str | bytes")
