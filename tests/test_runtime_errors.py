"""The generated runtime on hostile data: one error hierarchy, nesting to DynamoDB's limit
and beyond, self-containing data, malformed responses.

The package is generated from real pages (the seed, dynamodb put_item and get_item).
Where botocore can judge the same data (its ParamValidator, on the operation's input or
output shape), the path of our error must be one that botocore reports too.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from conftest import SEED
from gen_support import import_fresh, parse_ok, write_package

PKG = "rterr"
DYNAMODB_LIMIT = 32  # levels of M/L nesting that DynamoDB itself accepts


@pytest.fixture(scope="module")
def pkg(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    pages = [reference / "dynamodb" / "client" / f"{n}.rst" for n in ("put_item", "get_item")]
    out = tmp_path_factory.mktemp("runtime")
    # (responses = "optional": these get_item responses leave keys out, as DynamoDB's own
    # do; what the default makes of a missing key is tests/test_responses.py)
    write_package(parse_ok(SEED, *pages), out, PKG, responses="optional")
    import_fresh(out, f"{PKG}.dynamodb.models")
    import_fresh(out, f"{PKG}.sagemaker.models")
    return import_fresh(out, PKG)


def models(pkg: Any, service: str) -> Any:
    return sys.modules[f"{PKG}.{service}.models"]


def nested(levels: int) -> dict[str, Any]:
    """A DynamoDB AttributeValue `levels` deep, alternating `L` and `M`."""
    value: dict[str, Any] = {"S": "leaf"}
    for level in range(levels):
        value = {"M": {"k": value}} if level % 2 else {"L": [value, {"N": "1"}]}
    return value


def botocore_paths(api_name: str, side: str, params: Any, service: str = "dynamodb") -> set[str]:
    """Where botocore's validator finds fault with `params` (input or output shape)."""
    model = botocore.session.get_session().get_service_model(service).operation_model(api_name)
    shape = model.input_shape if side == "input" else model.output_shape
    report = ParamValidator().validate(params, shape)
    paths = set()
    for reason, name, extra in report._errors:
        if reason == "missing required field":
            paths.add(f"{name}.{extra['required_name']}".lstrip("."))
        else:
            paths.add(name.lstrip("."))
    return paths


# --- the hierarchy ------------------------------------------------------------------


def test_one_error_hierarchy(pkg: Any) -> None:
    runtime = sys.modules[f"{PKG}._runtime"]
    assert pkg.Error is runtime.Error and pkg.LoadError is runtime.LoadError
    assert pkg.ParamValidationError is runtime.ParamValidationError
    assert issubclass(pkg.ParamValidationError, pkg.Error)
    assert issubclass(pkg.ParamValidationError, ValueError)
    assert issubclass(pkg.LoadError, pkg.Error) and issubclass(pkg.LoadError, ValueError)
    assert not issubclass(pkg.LoadError, pkg.ParamValidationError)
    assert {"Error", "LoadError", "ParamValidationError"} <= set(pkg.__all__)
    error = pkg.LoadError("InferenceSpecification.Containers[1]", "expected a dict, got str")
    assert str(error) == "InferenceSpecification.Containers[1]: expected a dict, got str"
    import pickle

    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.message) == (error.path, error.message)
    with pytest.raises(pkg.Error) as raised:
        pkg.check("dynamodb", "put_item", {"TableName": 5})
    assert isinstance(raised.value, ValueError)
    assert [i.path for i in raised.value.issues] == ["Item", "TableName"]
    assert pickle.loads(pickle.dumps(raised.value)).issues == raised.value.issues


# --- depth --------------------------------------------------------------------------


def test_dynamodb_limit_validates_and_round_trips(pkg: Any) -> None:
    dynamo = models(pkg, "dynamodb")
    item = {"deep": nested(DYNAMODB_LIMIT), "flat": {"S": "x"}}
    params = {"TableName": "t", "Item": item}
    assert botocore_paths("PutItem", "input", params) == set()
    assert pkg.validate("dynamodb", "put_item", params) == []
    assert dynamo.PutItemRequest.from_dict(params).to_dict() == params
    response = {"Item": item, "ResponseMetadata": {"HTTPStatusCode": 200}}
    loaded = dynamo.GetItemResponse.from_dict(response)
    assert loaded.to_dict() == {"Item": item}
    # the loaded tree is models all the way down
    node = loaded.item["deep"]
    for level in reversed(range(DYNAMODB_LIMIT)):
        node = node.m["k"] if level % 2 else node.l[0]
    assert node.s == "leaf"


def attribute_value_class(dynamo: Any) -> Any:
    """The class of put_item's `Item` values, as the resolver names it."""
    return type(dynamo.PutItemRequest.from_dict({"TableName": "t", "Item": {"a": {"S": "x"}}}).item["a"])


def test_deep_data_is_an_error_with_its_path(pkg: Any) -> None:
    dynamo = models(pkg, "dynamodb")
    params = {"TableName": "t", "Item": {"a": nested(1000)}}
    [issue] = pkg.validate("dynamodb", "put_item", params)
    assert issue.code == "too_deep" and issue.path.startswith("Item.a.M.k.L[0].M.k.L[0]")
    with pytest.raises(pkg.ParamValidationError):
        pkg.check("dynamodb", "put_item", params)
    with pytest.raises(pkg.LoadError) as loading:
        dynamo.PutItemRequest.from_dict(params)
    assert loading.value.path.startswith("Item.a.M.k.L[0].M.k.L[0]")
    assert "nested more than" in loading.value.message
    with pytest.raises(pkg.LoadError):
        dynamo.GetItemResponse.from_dict({"Item": {"a": nested(1000)}})
    # a model built by hand, as deep
    value = attribute_value_class(dynamo)
    model = value(s="leaf")
    for _ in range(1000):
        model = value(l=[model])
    with pytest.raises(pkg.ParamValidationError) as dumping:
        dynamo.PutItemRequest(table_name="t", item={"a": model}).to_dict()
    [issue] = dumping.value.issues
    assert issue.code == "too_deep" and issue.path.startswith("Item.a.L[0].L[0].L[0]")


def test_data_that_contains_itself(pkg: Any) -> None:
    dynamo = models(pkg, "dynamodb")
    loop: dict[str, Any] = {"M": {}}
    loop["M"]["x"] = loop
    params = {"TableName": "t", "Item": {"a": loop}}
    [issue] = pkg.validate("dynamodb", "put_item", params)
    assert issue.code == "too_deep" and issue.path.startswith("Item.a.M.x.M.x")
    with pytest.raises(pkg.LoadError) as loading:
        dynamo.PutItemRequest.from_dict(params)
    assert (loading.value.path, loading.value.message) == ("Item.a.M.x", "contains itself (a dict or list it is inside)")
    items: list[Any] = []
    items.append({"L": items})
    with pytest.raises(pkg.LoadError) as loading:
        dynamo.GetItemResponse.from_dict({"Item": {"a": {"L": items}}})
    assert loading.value.path == "Item.a.L[0].L"
    model = attribute_value_class(dynamo)(m={})
    model.m["x"] = model
    with pytest.raises(pkg.ParamValidationError) as dumping:
        dynamo.PutItemRequest(table_name="t", item={"a": model}).to_dict()
    assert [i.path for i in dumping.value.issues] == ["Item.a.M.x"]
    # The same dict twice, side by side, is not a loop.
    shared = {"S": "v"}
    twice = {"TableName": "t", "Item": {"a": shared, "b": {"L": [shared, shared]}}}
    assert dynamo.PutItemRequest.from_dict(twice).to_dict() == twice


def test_deep_data_in_a_fresh_interpreter(pkg: Any) -> None:
    """The whole story in a clean process: no RecursionError escapes, whatever the depth."""
    out = Path(sys.modules[PKG].__file__ or "").parent.parent
    code = (
        "import sys\n"
        f"from {PKG}.dynamodb import models\n"
        f"from {PKG} import Error, validate\n"
        "v = {'S': 'x'}\n"
        "for i in range(100_000):\n"
        "    v = {'M': {'k': v}}\n"
        "p = {'TableName': 't', 'Item': {'a': v}}\n"
        "assert validate('dynamodb', 'put_item', p)[0].code == 'too_deep'\n"
        "try:\n"
        "    models.PutItemRequest.from_dict(p)\n"
        "except Error as e:\n"
        "    print(type(e).__name__, e.path[:20])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "LoadError Item.a.M.k.M.k.M.k.M\n"


# --- malformed data -----------------------------------------------------------------

# (class, data, the path of the error, what it says). `botocore` marks the cases that
# botocore's validator can judge too (dynamodb input or output shapes).
_DEEP_ITEM = {"a": {"M": {"b": {"L": [{"M": {"c": {"L": {}}}}]}}}}
MALFORMED: list[tuple[str, str, Any, str, str]] = [
    ("PutItemRequest", "top is a list", [], "", "expected a dict, got list"),
    ("PutItemRequest", "top is a string", "TableName", "", "expected a dict, got str"),
    ("PutItemRequest", "top is None", None, "", "expected a dict, got NoneType"),
    ("PutItemRequest", "top is a number", 42, "", "expected a dict, got int"),
    ("PutItemRequest", "top is bytes", b"{}", "", "expected a dict, got bytes"),
    ("PutItemRequest", "top is a set", {"TableName"}, "", "expected a dict, got set"),
    ("PutItemRequest", "required scalar missing", {"Item": {}}, "TableName", "required key is missing"),
    ("PutItemRequest", "required map missing", {"TableName": "t"}, "Item", "required key is missing"),
    ("PutItemRequest", "map is a list", {"TableName": "t", "Item": []}, "Item", "expected a dict, got list"),
    ("PutItemRequest", "map is a string", {"TableName": "t", "Item": "x"}, "Item", "expected a dict, got str"),
    ("PutItemRequest", "map is None", {"TableName": "t", "Item": None}, "Item", "expected a dict, got NoneType"),
    ("PutItemRequest", "map value is a number", {"TableName": "t", "Item": {"a": 3}}, "Item.a", "expected a dict, got int"),
    ("PutItemRequest", "map value is None", {"TableName": "t", "Item": {"a": None}}, "Item.a", "expected a dict, got NoneType"),
    ("PutItemRequest", "recursive map is a list", {"TableName": "t", "Item": {"a": {"M": []}}}, "Item.a.M", "expected a dict, got list"),
    ("PutItemRequest", "list is a dict", {"TableName": "t", "Item": {"a": {"L": {}}}}, "Item.a.L", "expected a list, got dict"),
    ("PutItemRequest", "list is a string", {"TableName": "t", "Item": {"a": {"L": "ab"}}}, "Item.a.L", "expected a list, got str"),
    ("PutItemRequest", "list item is a number", {"TableName": "t", "Item": {"a": {"L": [1]}}}, "Item.a.L[0]", "expected a dict, got int"),
    ("PutItemRequest", "list item is a list", {"TableName": "t", "Item": {"a": {"L": [{"S": "x"}, []]}}}, "Item.a.L[1]", "expected a dict, got list"),
    ("PutItemRequest", "deep wrong type", {"TableName": "t", "Item": _DEEP_ITEM}, "Item.a.M.b.L[0].M.c.L", "expected a list, got dict"),
    ("PutItemRequest", "map value is a set", {"TableName": "t", "Item": {"a": {"M": {"b": {"x"}}}}}, "Item.a.M.b", "expected a dict, got set"),
    ("PutItemRequest", "struct map value is a string", {"TableName": "t", "Item": {}, "Expected": {"x": "y"}}, "Expected.x", "expected a dict, got str"),
    ("PutItemRequest", "list in a map value is a number", {"TableName": "t", "Item": {}, "Expected": {"x": {"AttributeValueList": 7}}}, "Expected.x.AttributeValueList", "expected a list, got int"),
    ("GetItemResponse", "structure is a list", {"ConsumedCapacity": []}, "ConsumedCapacity", "expected a dict, got list"),
    ("GetItemResponse", "nested structure is a number", {"ConsumedCapacity": {"Table": 5}}, "ConsumedCapacity.Table", "expected a dict, got int"),
    ("GetItemResponse", "map of structures is a list", {"ConsumedCapacity": {"LocalSecondaryIndexes": ["i"]}}, "ConsumedCapacity.LocalSecondaryIndexes", "expected a dict, got list"),
    ("GetItemResponse", "map value structure is a string", {"ConsumedCapacity": {"GlobalSecondaryIndexes": {"i": "x"}}}, "ConsumedCapacity.GlobalSecondaryIndexes.i", "expected a dict, got str"),
    ("GetItemResponse", "response map is a tuple", {"Item": ("a",)}, "Item", "expected a dict, got tuple"),
]
SAGEMAKER_MALFORMED: list[tuple[str, str, Any, str, str]] = [
    ("CreateModelPackageRequest", "required list missing", {"InferenceSpecification": {}}, "InferenceSpecification.Containers", "required key is missing"),
    ("CreateModelPackageRequest", "list item of a required list", {"InferenceSpecification": {"Containers": [{"Image": "i"}, "x"]}}, "InferenceSpecification.Containers[1]", "expected a dict, got str"),
    (
        "CreateModelPackageRequest",
        "required scalar deep down",
        {"InferenceSpecification": {"Containers": [{"Image": "i"}, {"ModelDataSource": {"S3DataSource": {"S3Uri": "s3://b", "CompressionType": "None"}}}]}},
        "InferenceSpecification.Containers[1].ModelDataSource.S3DataSource.S3DataType",
        "required key is missing",
    ),
]


@pytest.mark.parametrize(("cls", "kind", "data", "path", "message"), MALFORMED, ids=[c[1] for c in MALFORMED])
def test_malformed_dynamodb_data(pkg: Any, cls: str, kind: str, data: Any, path: str, message: str) -> None:
    with pytest.raises(pkg.LoadError) as raised:
        getattr(models(pkg, "dynamodb"), cls).from_dict(data)
    assert (raised.value.path, raised.value.message) == (path, message)
    api_name, side = ("PutItem", "input") if cls == "PutItemRequest" else ("GetItem", "output")
    assert path in botocore_paths(api_name, side, data)  # botocore finds fault there too


@pytest.mark.parametrize(("cls", "kind", "data", "path", "message"), SAGEMAKER_MALFORMED, ids=[c[1] for c in SAGEMAKER_MALFORMED])
def test_malformed_seed_data(pkg: Any, cls: str, kind: str, data: Any, path: str, message: str) -> None:
    with pytest.raises(pkg.LoadError) as raised:
        getattr(models(pkg, "sagemaker"), cls).from_dict(data)
    assert (raised.value.path, raised.value.message) == (path, message)
    assert path in botocore_paths("CreateModelPackage", "input", data, "sagemaker")


def test_kinds_of_malformed_data() -> None:
    assert len({kind for _, kind, *_ in MALFORMED + SAGEMAKER_MALFORMED}) >= 20


# --- a bounded mutation fuzz --------------------------------------------------------

FUZZ_SEED = 20261130
FUZZ_CASES = 600
_JUNK: list[Any] = [None, 0, 1.5, True, "x", b"y", [], {}, (), {"x"}, [None], {"M": None}, {"L": "z"}, {"": []}]


def _nodes(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a JSON-like value (each container once: the
    mutations make loops)."""
    out: list[tuple[Any, Any]] = []
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if id(node) in seen or not isinstance(node, (dict, list)):
            continue
        seen.add(id(node))
        for key in list(node) if isinstance(node, dict) else range(len(node)):
            out.append((node, key))
            stack.append(node[key])
    return out


def _mutate(rng: random.Random, data: Any) -> Any:
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        spots = _nodes(data)
        if not spots:
            return rng.choice(_JUNK)
        parent, key = rng.choice(spots)
        action = rng.randrange(5)
        if action == 0 and isinstance(parent, dict):
            del parent[key]
        elif action == 1:
            parent[key] = parent  # a loop
        elif action == 2:
            parent[key] = nested(rng.choice((40, 60, 500)))
        else:
            parent[key] = copy.deepcopy(rng.choice(_JUNK))
    return data


def test_mutated_responses_raise_only_package_errors(pkg: Any) -> None:
    """Random damage to a valid get_item response and put_item request: the validator
    returns issues, and from_dict gives a model (whose to_dict works) or a LoadError;
    nothing raises anything else."""
    dynamo = models(pkg, "dynamodb")
    response = {
        "Item": {"a": nested(6), "b": {"SS": ["x", "y"]}, "c": {"M": {"d": {"BOOL": True}}}},
        "ConsumedCapacity": {
            "TableName": "t",
            "Table": {"CapacityUnits": 1.0},
            "GlobalSecondaryIndexes": {"g": {"ReadCapacityUnits": 2.0}},
        },
    }
    request = {"TableName": "t", "Item": response["Item"], "Expected": {"x": {"AttributeValueList": [{"S": "v"}]}}}
    rng = random.Random(FUZZ_SEED)
    outcomes = {"loaded": 0, "LoadError": 0}
    for case in range(FUZZ_CASES):
        cls, base = (dynamo.GetItemResponse, response) if case % 2 else (dynamo.PutItemRequest, request)
        data = _mutate(rng, base)
        assert isinstance(pkg.validate("dynamodb", "put_item", data), list)  # never raises
        try:
            model = cls.from_dict(data)
        except pkg.LoadError:
            outcomes["LoadError"] += 1
            continue
        outcomes["loaded"] += 1
        model.to_dict()  # what was loaded can be dumped
    assert sum(outcomes.values()) == FUZZ_CASES
    print(f"runtime fuzz: {FUZZ_CASES} cases, {outcomes}")
    assert min(outcomes.values()) > FUZZ_CASES // 10, outcomes
