"""Event streams in the client stubs: an iterable of the TypedDict of their events.

A response's event stream (`SelectObjectContent`'s `Payload`, `ConverseStream`'s `stream`)
is botocore's EventStream; each item it yields is a dict with one key, the event's name.
The resolver names the union of the events (one NotRequired key per event) and each
event's structure; the stub types the member `EventStream[<union TypedDict>]`. Checked
against botocore's models (the oracle: the eventstream shape's members and each event's
members), with mypy --strict and pyright (standard) on user code, and for the names of
everything else: a page's events rename nothing.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from gen_support import parse_ok, run_mypy, write_package
from test_client_extras import _marked, _mypy_error_lines, _pyright

from codegen import naming
from codegen.emit.types import typed_dict_name
from codegen.tree import Member, Operation, Shape
from oracle import session

PKG = "aws_typed_events"
# (service, client method, API operation, response member): real pages of the default reference.
STREAMS = (
    ("s3", "select_object_content", "SelectObjectContent", "Payload"),
    ("bedrock-runtime", "invoke_model_with_response_stream", "InvokeModelWithResponseStream", "body"),
    ("bedrock-runtime", "converse_stream", "ConverseStream", "stream"),
    ("lambda", "invoke_with_response_stream", "InvokeWithResponseStream", "EventStream"),
    ("kinesis", "subscribe_to_shard", "SubscribeToShard", "EventStream"),
)
SERVICES = sorted({s for s, *_ in STREAMS})


@pytest.fixture(scope="module")
def services(reference: Path) -> dict[str, tuple[naming.ServiceNames, list[Operation]]]:
    out = {}
    for service in SERVICES:
        ops = parse_ok(reference / service)
        out[service] = (naming.resolve_service(ops), ops)
    return out


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, reference: Path) -> Path:
    out = tmp_path_factory.mktemp("events")
    ops = [op for service in SERVICES for op in parse_ok(reference / service)]
    write_package(ops, out, PKG, targets=("stubs",))
    return out


def _typed_dicts(stub: Path) -> dict[str, dict[str, str]]:
    """TypedDict name → key → annotation, as the stub writes them (class syntax)."""
    out = {}
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == "TypedDict" for b in node.bases):
            out[node.name] = {
                item.target.id: ast.unparse(item.annotation)
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
    return out


def _botocore_events(service: str, api: str, member: str) -> dict[str, list[str]]:
    """Event name → the event's members, from botocore's model of the operation."""
    shape = session().get_service_model(service).operation_model(api).output_shape.members[member]
    assert shape.serialization.get("eventstream"), (service, api, member)
    return {name: list(event.members) for name, event in shape.members.items()}


@pytest.mark.parametrize(("service", "operation", "api", "member"), STREAMS)
def test_event_stream_is_typed_as_the_union_of_botocores_events(
    package: Path, services: dict[str, tuple[naming.ServiceNames, list[Operation]]],
    service: str, operation: str, api: str, member: str,
) -> None:
    names, ops = services[service]
    stub = _typed_dicts(package / PKG / names.module / "client.pyi")
    op = next(o for o in ops if o.name == operation)
    response = typed_dict_name(names, names.response_class(op) or "", "response")
    path = f"output.{member}"
    union = typed_dict_name(names, names.class_at(operation, path), "response")
    assert stub[response][member] == f"_EventStream[{union}]"
    expected = _botocore_events(service, api, member)
    assert list(stub[union]) == list(expected)  # every event, in botocore's order
    for event, event_members in expected.items():
        event_class = typed_dict_name(names, names.class_at(operation, f"{path}.{event}"), "response")
        assert stub[union][event] == f"NotRequired[{event_class}]"  # one key per event
        assert sorted(stub[event_class]) == sorted(event_members)


@pytest.mark.parametrize("service", ["bedrock-runtime", "s3"])
def test_events_rename_nothing_else(services: dict[str, tuple[naming.ServiceNames, list[Operation]]],
                                    service: str) -> None:
    """The events are named after every other place, around the names given there: the
    same pages without their event streams' events name every other place alike."""
    names, ops = services[service]
    streams = _stream_paths(ops)
    assert streams  # (the service has one)
    without = naming.resolve_service([_without_events(op) for op in ops])

    def rest(by_path: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
        return {
            (op, path): name for (op, path), name in by_path.items()
            if not any(op == o and (path == p or path.startswith(p + ".")) for o, p in streams)
        }

    assert rest(names.by_path) == rest(without.by_path)
    assert rest(names.enum_by_path) == rest(without.enum_by_path)
    # ... and the models (what the models and docs reach) have no class of the events
    assert not {names.by_path[k] for k in streams} & names.api_classes()


def _stream_paths(ops: list[Operation]) -> set[tuple[str, str]]:
    return {
        (op.name, f"output.{wire}")
        for op in ops if op.output is not None
        for wire, m in op.output.members if m.shape.event_stream
    }


def _without_events(op: Operation) -> Operation:
    if op.output is None or not any(m.shape.event_stream for _, m in op.output.members):
        return op
    members = tuple(
        (wire, Member(dataclasses.replace(m.shape, members=()), m.required))
        if m.shape.event_stream else (wire, m)
        for wire, m in op.output.members
    )
    return dataclasses.replace(op, output=dataclasses.replace(op.output, members=members))


GOOD = '''\
from {pkg}.bedrock_runtime.client import BedrockRuntimeClient
from {pkg}.kinesis.client import KinesisClient
from {pkg}.lambda_.client import LambdaClient
from {pkg}.s3.client import S3Client


def select(client: S3Client) -> bytes:
    resp = client.select_object_content(
        Bucket="b", Key="k", Expression="select * from s3object", ExpressionType="SQL",
        InputSerialization={{"CSV": {{}}}}, OutputSerialization={{"JSON": {{}}}},
    )
    out = b""
    for event in resp["Payload"]:
        if "Records" in event:
            out += event["Records"]["Payload"]
        elif "Stats" in event:
            print(event["Stats"]["Details"]["BytesScanned"])
        elif "End" in event:
            break
    return out


def stream(lam: LambdaClient, kinesis: KinesisClient, bedrock: BedrockRuntimeClient) -> str:
    text = ""
    for chunk in lam.invoke_with_response_stream(FunctionName="f")["EventStream"]:
        if "PayloadChunk" in chunk:
            text += chunk["PayloadChunk"]["Payload"].decode()
    shard = kinesis.subscribe_to_shard(ConsumerARN="a", ShardId="s", StartingPosition={{"Type": "LATEST"}})
    for record_event in shard["EventStream"]:
        if "SubscribeToShardEvent" in record_event:
            for record in record_event["SubscribeToShardEvent"]["Records"]:
                text += record["Data"].decode()
    reply = bedrock.converse_stream(modelId="m", messages=[{{"role": "user", "content": [{{"text": "hi"}}]}}])
    for part in reply["stream"]:
        if "contentBlockDelta" in part:
            text += part["contentBlockDelta"]["delta"].get("text", "")
        elif "metadata" in part:
            text += str(part["metadata"]["usage"]["totalTokens"])
    return text
'''

# mypy lets a NotRequired key be read unguarded (pyright does not: as with types-boto3, the
# event is tested with `in` first); the misuse lines marked `# E` are errors for both.
UNGUARDED = '''\
from {pkg}.s3.client import S3Client


def select(client: S3Client) -> bytes:
    resp = client.select_object_content(
        Bucket="b", Key="k", Expression="e", ExpressionType="SQL",
        InputSerialization={{}}, OutputSerialization={{}},
    )
    out = b""
    for event in resp["Payload"]:
        out += event["Records"]["Payload"]
    return out
'''

BAD = '''\
from {pkg}.bedrock_runtime.client import BedrockRuntimeClient
from {pkg}.s3.client import S3Client


def select(client: S3Client, bedrock: BedrockRuntimeClient) -> None:
    resp = client.select_object_content(
        Bucket="b", Key="k", Expression="e", ExpressionType="SQL",
        InputSerialization={{}}, OutputSerialization={{}},
    )
    for event in resp["Payload"]:
        if "Records" in event:
            print(event["Record"])  # E
            print(event["Records"]["Payloads"])  # E
            text: str = event["Records"]["Payload"]  # E
        if "Stats" in event:
            print(event["Stats"]["Details"]["BytesRead"])  # E
    for part in bedrock.converse_stream(modelId="m", messages=[])["stream"]:
        if "contentBlockDelta" in part:
            print(part["contentBlockDelta"]["deltas"])  # E
        print(part["Records"])  # E
'''


def _write(package: Path, name: str, text: str) -> str:
    (package / name).write_text(text.format(pkg=PKG), encoding="utf-8")
    return name


def test_mypy_strict_reads_events_and_catches_wrong_keys(package: Path) -> None:
    files = [_write(package, "good.py", GOOD), _write(package, "unguarded.py", UNGUARDED)]
    proc = run_mypy(package, *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found, output = _mypy_error_lines(package, _write(package, "bad.py", BAD))
    assert found == _marked(BAD), output


def test_pyright_reads_guarded_events_and_catches_wrong_keys(package: Path) -> None:
    for name, text in (("good.py", GOOD), ("bad.py", BAD), ("unguarded.py", UNGUARDED)):
        _write(package, name, text)
    found = _pyright(package, "good.py", "bad.py", "unguarded.py")
    # (unguarded: "Records" is not a required key, as pyright says of types-boto3's too)
    assert found == {"bad.py": _marked(BAD), "unguarded.py": {11}}
