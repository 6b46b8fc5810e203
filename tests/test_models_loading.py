"""Deep loading and dumping of the generated models, on examples botocore's model builds.

For every client operation of whole services of the reference (s3, dynamodb) and the
sagemaker operations of the validator tests, the oracle (botocore's model, as
tests/oracle.py reads it) gives the request and response shapes; `example` fills them
the way botocore hands them over (datetime objects, bytes, nested lists and maps) and
adds a key no version of the API has at every structure, at every depth. Then:

- from_dict → to_dict gives the example back exactly (unknown keys included,
  ResponseMetadata left out), and what was loaded has the model's types;
- to_dict(json=True) is what json.dumps takes, with ISO 8601 timestamps and base64 blobs,
  and from_dict of it gives the same model;
- timestamps given as ISO text (with a trailing Z) or epoch seconds, and blobs given as
  base64 text, load as datetime and bytes;
- a wrong type, or a missing required member, is a LoadError at the path where
  botocore's own validator finds fault too; strict=False keeps such values as given.

Class names come from the resolver (codegen.naming), never typed in.
"""

from __future__ import annotations

import base64
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from botocore.validate import ParamValidator
from dateutil.tz import tzutc

from codegen import naming
from codegen.tree import Operation, Shape
from gen_support import import_fresh, parse_dir, parse_ok, write_package
from oracle import expected_operation, session
from test_generate_validators import SAGEMAKER_OPS

PKG = "aws_typed_load"
SERVICES = ("dynamodb", "s3")
UNKNOWN = "ZzAddedInANewerVersion"  # a member no version of any API has
# botocore's parsers give timestamps in dateutil's UTC; .5 s is exact as epoch seconds.
STAMP = datetime(2024, 2, 29, 13, 14, 15, 500000, tzinfo=tzutc())
BLOB = b"\x00\xffbinary\n"


@dataclass
class Loaded:
    ops: list[Operation]
    names: dict[str, naming.ServiceNames]
    runtime: Any
    cut: set[tuple[str, str]]  # (service, operation) of pages with a section boto3 left out

    def models(self, service: str) -> Any:
        return sys.modules[f"{PKG}.{naming.module_name(service)}.models"]


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("models_loading")


@pytest.fixture(scope="module")
def pkg(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    pages = [reference / "sagemaker" / "client" / f"{n}.rst" for n in SAGEMAKER_OPS]
    ops = list(parse_ok(*pages))
    for service in SERVICES:
        ops += parse_dir(reference / service / "client")
    out = tmp_path_factory.mktemp("loading")
    write_package(ops, out, PKG, formatted=False)
    names = {n.service_id: n for n in naming.resolve(ops)}
    for service in names:
        import_fresh(out, f"{PKG}.{naming.module_name(service)}.models")
    cut = {(op.service_id, op.name) for op in ops if any(truncated(s) for s in (op.input, op.output) if s)}
    return Loaded(ops, names, import_fresh(out, f"{PKG}._runtime"), cut)


def truncated(shape: Shape) -> bool:
    stack = [("", shape)]
    while stack:
        path, node = stack.pop()
        if node.truncated:
            return True
        stack.extend(node.children(path))
    return False


# --- examples from botocore's model ----------------------------------------------------


def example(shape: dict[str, Any], unknown: bool = True, path: str = "", within: dict[str, Any] | None = None,
            budget: int = 2, plain: bool = False) -> Any:
    """A value of an oracle shape as botocore returns it; a recursive shape repeats its
    target `budget` more times (then a structure leaves it out, a list or map is empty).
    `plain`: what the models keep as it is (a streaming body, an event stream) is JSON
    text rather than bytes."""
    within = dict(within or {}, **{path: shape})
    kind = shape["type"]
    if plain and (shape.get("streaming") or shape.get("event_stream")):
        return "passed through"
    if kind == "recursive":
        return example(within[shape["target"]], unknown, path, within, budget - 1, plain) if budget else SKIP
    if kind == "structure":
        value = {}
        for name, member in shape["members"].items():
            item = example(member["shape"], unknown, f"{path}.{name}", within, budget, plain)
            if item is not SKIP:
                value[name] = item
        if unknown and not shape.get("event_stream"):
            value[UNKNOWN] = {"Text": "kept", "Items": [1, {"Deeper": True}]}
        return value
    if kind == "list":
        items = [example(shape["member"], unknown, path + "[]", within, budget, plain) for _ in range(2)]
        return [item for item in items if item is not SKIP]
    if kind == "map":
        items = {key: example(shape["value"], unknown, path + "{}", within, budget, plain) for key in ("key1", "key2")}
        return {key: item for key, item in items.items() if item is not SKIP}
    if kind == "string":
        return shape["enum"][-1] if shape.get("enum") else "text"
    scalars = {"integer": 42, "float": 2.5, "boolean": True, "timestamp": STAMP, "blob": BLOB,
               "document": {"doc": [1, "two", None]}}
    return scalars[kind]


SKIP = object()


def jsonify(value: Any) -> Any:
    """What a JSON-safe dump of `value` should be, computed independently of the models."""
    if isinstance(value, dict):
        return {key: jsonify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonify(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


Leaf = tuple[str, tuple[Any, ...], dict[str, Any]]  # (path, keys from the top, shape)


def leaves(shape: dict[str, Any], value: Any, path: str = "", keys: tuple[Any, ...] = ()) -> Iterator[Leaf]:
    """Every node of an example below its top, with its path as the validators write it."""
    kind = shape["type"]
    children: list[tuple[str, Any, dict[str, Any]]] = []
    if kind == "structure" and not shape.get("event_stream"):
        children = [(name, name, m["shape"]) for name, m in shape["members"].items() if name in value]
    elif kind == "list":
        children = [(f"[{i}]", i, shape["member"]) for i in range(len(value))]
    elif kind == "map":
        children = [(f".{k}", k, shape["value"]) for k in value]
    for step, key, child in children:
        child_path = path + step if step.startswith(("[", ".")) else (f"{path}.{step}" if path else step)
        yield child_path, keys + (key,), child
        yield from leaves(child, value[key], child_path, keys + (key,))


def replaced(value: Any, keys: tuple[Any, ...], new: Any) -> Any:
    """A copy of `value` with the node at `keys` replaced (or, new=DELETE, removed)."""
    if not keys:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    if len(keys) == 1 and new is DELETE:
        del copy[keys[0]]
    else:
        copy[keys[0]] = replaced(value[keys[0]], keys[1:], new)
    return copy


DELETE = object()


def each_case(pkg: Loaded, plain: bool = False) -> Iterator[tuple[str, str, Any, dict[str, Any], Any]]:
    """(service, operation, model class, oracle shape, example) for every request and
    response."""
    for service, names in sorted(pkg.names.items()):
        models = pkg.models(service)
        for op in names.operations:
            expected = expected_operation(service, "client", op.name)
            assert expected is not None, op.name
            for side, cls_name in (("input", names.request_class(op)), ("output", names.response_class(op))):
                if cls_name is None or expected[side] is None:
                    continue
                shape = expected[side]
                yield service, op.name, getattr(models, cls_name), shape, example(shape, path=side, plain=plain)


def strip_unknown(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_unknown(v) for k, v in value.items() if k != UNKNOWN}
    if isinstance(value, list):
        return [strip_unknown(v) for v in value]
    return value


# --- round trips ---------------------------------------------------------------------


def test_round_trips_are_exact(pkg: Loaded) -> None:
    count = {"input": 0, "output": 0}
    for service, op, cls, shape, data in each_case(pkg):
        side = "output" if cls.__name__ in pkg.names[service].top_responses else "input"
        given = dict(data, ResponseMetadata={"HTTPStatusCode": 200}) if side == "output" else data
        model = cls.from_dict(given)
        assert model.to_dict() == data, (service, op, side)
        assert_typed(pkg.names[service], model, shape, data, f"{service}.{op}")
        count[side] += 1
    print(f"exact round trips: {count}, values checked by type: {TYPED}")
    assert count["input"] > 150 and count["output"] > 150, count
    assert TYPED["timestamp"] > 100 and TYPED["blob"] > 10 and TYPED["structure"] > 1000, TYPED


def assert_typed(names: naming.ServiceNames, model: Any, shape: dict[str, Any], data: Any, where: str) -> None:
    """The loaded model holds models, datetimes and bytes where the shape says so, and
    the unknown key in `extra`."""
    kind = shape["type"]
    if kind == "structure" and hasattr(model, "extra"):
        if UNKNOWN in data:
            assert UNKNOWN in model.extra, where
        attrs = names.attrs[type(model).__name__]
        for name, member in shape["members"].items():
            if name in data and name in attrs:  # (a member the page left out is in extra)
                assert_typed(names, getattr(model, attrs[name]), member["shape"], data[name], f"{where}.{name}")
    elif kind == "list" and isinstance(model, list):
        for item, raw in zip(model, data):
            assert_typed(names, item, shape["member"], raw, where + "[]")
    elif kind == "map" and isinstance(model, dict):
        for key, raw in data.items():
            assert_typed(names, model[key], shape["value"], raw, where + "{}")
    elif kind == "timestamp":
        assert isinstance(model, datetime), where
    elif kind == "blob":
        assert isinstance(model, bytes), where
    TYPED[kind] = TYPED.get(kind, 0) + 1


TYPED: dict[str, int] = {}


def test_json_dump_round_trips(pkg: Loaded) -> None:
    cases = 0
    for service, op, cls, shape, data in each_case(pkg, plain=True):
        model = cls.from_dict(data)
        dumped = model.to_dict(json=True)
        assert dumped == jsonify(data), (service, op)
        json.loads(json.dumps(dumped, allow_nan=False))  # JSON-safe
        if (service, op) in pkg.cut:
            # Keys the page leaves out (boto3 did not render the section) are `extra`, of
            # no known type: their datetimes stay text, and the dump is stable.
            assert cls.from_dict(dumped).to_dict(json=True) == dumped
            continue
        assert cls.from_dict(dumped) == model, (service, op)
        assert cls.from_dict(dumped).to_dict() == data, (service, op)
        cases += 1
    assert cases > 300 and len(pkg.cut) < 10, pkg.cut


def transformed(value: Any, change: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {key: transformed(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [transformed(item, change) for item in value]
    return change(value)


TIME_FORMS: dict[str, Any] = {
    "ISO 8601 with Z": STAMP.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    "ISO 8601 with an offset": STAMP.astimezone().isoformat(),
    "epoch seconds": STAMP.timestamp(),
    "epoch seconds as text": str(STAMP.timestamp()),
    "epoch seconds, whole": int(STAMP.timestamp()),
    "HTTP date": STAMP.strftime("%a, %d %b %Y %H:%M:%S GMT"),
}
WHOLE_SECONDS = ("epoch seconds, whole", "HTTP date")


@pytest.mark.parametrize("form", list(TIME_FORMS))
def test_timestamps_and_base64_load_to_their_types(pkg: Loaded, form: str) -> None:
    """Every timestamp of every example given as text or epoch seconds, and every blob as
    base64 text: what loads is the example itself (datetime objects, bytes)."""
    stamp = STAMP.replace(microsecond=0) if form in WHOLE_SECONDS else STAMP
    text = TIME_FORMS[form]
    converted = 0

    def change(value: Any) -> Any:
        nonlocal converted
        if isinstance(value, datetime):
            converted += 1
            return text
        if isinstance(value, bytes):
            converted += 1
            return base64.b64encode(value).decode("ascii")
        return value

    for service, op, cls, shape, data in each_case(pkg, plain=True):
        if (service, op) in pkg.cut:
            continue  # (what the page leaves out has no type to load to)
        if form in WHOLE_SECONDS:
            data = transformed(data, lambda v: stamp if v is STAMP else v)
        loaded = cls.from_dict(transformed(data, change)).to_dict()
        assert loaded == data, (service, op)
    assert converted > 1000


# --- wrong data ------------------------------------------------------------------------

# A value of the wrong type per kind of shape (botocore's validator rejects each too).
WRONG: dict[str, Any] = {
    "string": 5, "integer": "5", "float": "2.5", "boolean": "true", "timestamp": "not a time",
    "blob": 5, "structure": "x", "list": "x", "map": ["x"],
}


def required_paths(shape: dict[str, Any], value: Any, path: str = "", keys: tuple[Any, ...] = ()) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The required members present in an example (request side), with their paths."""
    for leaf_path, leaf_keys, leaf in [("", (), shape), *leaves(shape, value)]:
        if leaf["type"] != "structure" or leaf.get("event_stream"):
            continue
        node = value
        for key in leaf_keys:
            node = node[key]
        for name, member in leaf["members"].items():
            if member["required"] and name in node:
                yield (f"{leaf_path}.{name}" if leaf_path else name), leaf_keys + (name,)


def bad_cases(pkg: Loaded) -> Iterator[tuple[str, str, str, Any, Any, str, str]]:
    """(service, api name, side, class, bad data, path, kind) per case: in every example,
    the deepest node of each kind given a wrong type, and the deepest required member
    left out."""
    for service, op, cls, shape, data in each_case(pkg, plain=True):
        if (service, op) in pkg.cut:
            continue
        api = next(o.api_name for o in pkg.names[service].operations if o.name == op)
        side = "output" if cls.__name__ in pkg.names[service].top_responses else "input"
        deepest: dict[str, tuple[str, tuple[Any, ...]]] = {}
        for path, keys, leaf in leaves(shape, data):
            if leaf["type"] in WRONG and not (leaf.get("streaming") or leaf.get("event_stream")):
                if len(keys) >= len(deepest.get(leaf["type"], ("", ()))[1]):
                    deepest[leaf["type"]] = (path, keys)
        for kind, (path, keys) in sorted(deepest.items()):
            yield service, api or "", side, cls, replaced(data, keys, WRONG[kind]), path, kind
        required = sorted(required_paths(shape, data), key=lambda r: len(r[1]))
        if required:
            path, keys = required[-1]
            yield service, api or "", side, cls, replaced(data, keys, DELETE), path, "missing"


@lru_cache(maxsize=None)
def service_model(service: str) -> Any:
    return session().get_service_model(service)


def botocore_paths(api_name: str, side: str, params: Any, service: str) -> set[str]:
    """Where botocore's validator finds fault with `params` (input or output shape)."""
    model = service_model(service).operation_model(api_name)
    report = ParamValidator().validate(params, model.input_shape if side == "input" else model.output_shape)
    return {
        (f"{name}.{extra['required_name']}" if reason == "missing required field" else name).lstrip(".")
        for reason, name, extra in report._errors
    }


def test_wrong_types_and_missing_members_are_load_errors_with_their_path(pkg: Loaded) -> None:
    seen: dict[str, int] = {}
    for service, api, side, cls, bad, path, kind in bad_cases(pkg):
        with pytest.raises(pkg.runtime.LoadError) as raised:
            cls.from_dict(bad)
        where = (service, api, side, kind)
        assert raised.value.path == path, where
        if kind == "missing":
            assert raised.value.message == "required key is missing", where
        assert path in botocore_paths(api, side, bad, service), where  # botocore agrees
        # strict=False keeps what does not convert, as given
        assert cls.from_dict(bad, strict=False).to_dict() == bad, where
        seen[kind] = seen.get(kind, 0) + 1
    print(f"load errors: {seen}")
    assert set(seen) == {*WRONG, "missing"} and sum(seen.values()) > 1000, seen


# --- construction and repr ---------------------------------------------------------------


def operation(pkg: Loaded, service: str, name: str) -> Operation:
    return next(o for o in pkg.names[service].operations if o.name == name)


def fields_of(pkg: Loaded, service: str, cls: Any, **wire: Any) -> dict[str, Any]:
    """Keyword arguments of a model for wire names (attribute names from the resolver)."""
    attrs = pkg.names[service].attrs[cls.__name__]
    return {attrs[key]: value for key, value in wire.items()}


def test_validated_checks_with_the_service_validator(pkg: Loaded) -> None:
    s3 = pkg.models("s3")
    upload_part = operation(pkg, "s3", "upload_part")
    cls = getattr(s3, pkg.names["s3"].request_class(upload_part))
    good = dict(Bucket="b", Key="k", UploadId="u", PartNumber=1)
    assert cls.validated(**fields_of(pkg, "s3", cls, **good)) == cls.from_dict(good)
    # the issue's examples: a number given as text, an enum value AWS does not have
    bad = dict(good, PartNumber="x", RequestPayer="nonsense")
    with pytest.raises(pkg.runtime.ParamValidationError) as raised, pytest.warns(Warning, match="RequestPayer"):
        cls.validated(**fields_of(pkg, "s3", cls, **bad))
    found = {(i.path, i.code) for i in raised.value.issues}
    validators = sys.modules[f"{PKG}.s3.validators"]
    # the service's own check, in the package's enum mode ("warn": the bad enum value is
    # a warning, not an issue)
    with pytest.warns(Warning, match="RequestPayer"):
        assert raised.value.issues == validators.validate_upload_part(bad)
    assert ("PartNumber", "wrong_type") in found
    assert "PartNumber" in botocore_paths("UploadPart", "input", bad, "s3")
    # a request accepted by botocore is accepted here; a required member left UNSET is not
    with pytest.raises(pkg.runtime.ParamValidationError) as raised:
        cls.validated(**fields_of(pkg, "s3", cls, **dict(good, UploadId=pkg.runtime.UNSET)))
    assert [(i.path, i.code) for i in raised.value.issues] == [("UploadId", "missing_required")]


def test_validated_type_checks_a_response_model(pkg: Loaded) -> None:
    """Response models have no request validator: validated() loads its own dump strictly,
    so (responses = "present", the default) it wants every documented key."""
    dynamodb, names = pkg.models("dynamodb"), pkg.names["dynamodb"]
    cls = getattr(dynamodb, names.response_class(operation(pkg, "dynamodb", "get_item")))
    value = getattr(dynamodb, names.class_at("get_item", "output.Item{}"))
    item = {"a": value.from_dict({"S": "x"})}
    with pytest.raises(pkg.runtime.ParamValidationError) as raised:
        cls.validated(**fields_of(pkg, "dynamodb", cls, Item=item))
    assert [(i.path, i.code) for i in raised.value.issues] == [("ConsumedCapacity", "missing_required")]
    output = expected_operation("dynamodb", "client", "get_item")
    assert output is not None
    consumed = example(output["output"]["members"]["ConsumedCapacity"]["shape"], unknown=False)
    capacity = getattr(dynamodb, names.class_at("get_item", "output.ConsumedCapacity")).from_dict(consumed)
    given = fields_of(pkg, "dynamodb", cls, Item=item, ConsumedCapacity=capacity)
    assert cls.validated(**given).to_dict() == {"Item": {"a": {"S": "x"}}, "ConsumedCapacity": consumed}
    with pytest.raises(pkg.runtime.ParamValidationError) as raised:
        cls.validated(**dict(given, **fields_of(pkg, "dynamodb", cls, Item={"a": 5})))
    assert [(i.path, i.code) for i in raised.value.issues] == [("Item.a", "wrong_type")]
    assert "Item.a" in botocore_paths("GetItem", "output", {"Item": {"a": 5}}, "dynamodb")


def test_repr_leaves_out_unset_fields(pkg: Loaded) -> None:
    s3 = pkg.models("s3")
    cls = getattr(s3, pkg.names["s3"].request_class(operation(pkg, "s3", "upload_part")))
    model = cls.from_dict({"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 1, UNKNOWN: [1]})
    attrs = pkg.names["s3"].attrs[cls.__name__]
    assert repr(model) == (
        f"{cls.__name__}({attrs['Bucket']}='b', {attrs['Key']}='k', {attrs['PartNumber']}=1,"
        f" {attrs['UploadId']}='u', extra={{{UNKNOWN!r}: [1]}})"
    )
    assert "UNSET" not in repr(model) and len(model.to_dict()) == 5
    # a model inside itself is shown once, not forever
    dynamodb = pkg.models("dynamodb")
    value = getattr(dynamodb, pkg.names["dynamodb"].class_at("get_item", "output.Item{}"))
    looped = value.from_dict({"M": {}})
    looped.m["self"] = looped
    assert repr(looped).endswith("(m={'self': ...})")
