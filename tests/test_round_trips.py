"""Round trips of whole services: every client operation of sagemaker, s3 and dynamodb.

tests/test_models_loading.py checks deep loading in detail on s3, dynamodb and a sample
of sagemaker; here every request and response of the three services goes through the
generated models, as botocore hands them over: `example` (of that module) fills the
oracle's shape (botocore's model) completely, with datetime objects, bytes, nested lists
and maps and a key no version of the API has in every structure at every depth; a
response also carries botocore's ResponseMetadata. Then

- `from_dict` → `to_dict` gives the example back exactly, unknown keys included, and
  what was loaded has the model's types (datetime, bytes, nested models);
- `to_dict(json=True)` → `from_dict` gives an equal model (ISO strings load as
  datetime, base64 text as bytes), whose `to_dict` is the example again.

(ResponseMetadata is botocore's, not the page's: the models leave it out, so the round
trip gives the page's keys back.)

The package is generated once per module (models only); the time is printed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from test_models_loading import UNKNOWN, assert_typed, example, jsonify, truncated

from codegen import naming
from codegen.emit import package as emit_package
from codegen.pipeline import write
from codegen.tree import Operation
from gen_support import import_fresh, parse_dir
from oracle import expected_operation

PKG = "aws_typed_trips"
SERVICES = ("sagemaker", "s3", "dynamodb")
METADATA = {"RequestId": "0123", "HTTPStatusCode": 200, "HTTPHeaders": {"x-amzn-requestid": "0123"}, "RetryAttempts": 0}


class Package:
    def __init__(self, ops: list[Operation], out: Path) -> None:
        self.ops = ops
        self.names = {n.service_id: n for n in naming.resolve(ops)}
        self.models = {s: import_fresh(out, f"{PKG}.{naming.module_name(s)}.models") for s in self.names}


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("round_trips")


@pytest.fixture(scope="module")
def package(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Package:
    ops = [op for service in SERVICES for op in parse_dir(reference / service / "client")]
    out = tmp_path_factory.mktemp("trips")
    start = time.perf_counter()
    write.write_tree(out, emit_package.render_package(ops, PKG, ("models",)))
    generated = time.perf_counter() - start
    loaded = Package(ops, out)
    print(f"\nmodels of {', '.join(SERVICES)} ({len(ops)} operations): generated in {generated:.1f} s, "
          f"imported in {time.perf_counter() - start - generated:.1f} s")
    return loaded


def _cases(package: Package, service: str, side: str) -> list[tuple[Operation, Any, dict[str, Any]]]:
    """(operation, model class, oracle shape) of each operation's request or response."""
    names = package.names[service]
    cases = []
    for op in names.operations:
        expected = expected_operation(service, "client", op.name)
        assert expected is not None, op.name
        cls_name = names.request_class(op) if side == "input" else names.response_class(op)
        if expected[side] is None:
            continue
        assert cls_name is not None, (op.name, side)
        cases.append((op, getattr(package.models[service], cls_name), expected[side]))
    return cases


def _unknown_depths(value: Any, depth: int = 0) -> set[int]:
    """The depths (0: the top) at which an example holds the unknown key."""
    found: set[int] = set()
    if isinstance(value, dict):
        if UNKNOWN in value:
            found.add(depth)
        for key, item in value.items():
            if key != UNKNOWN:
                found |= _unknown_depths(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            found |= _unknown_depths(item, depth + 1)
    return found


@pytest.mark.parametrize("side", ["output", "input"])
@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_round_trips(package: Package, service: str, side: str) -> None:
    names = package.names[service]
    cases = _cases(package, service, side)
    depths: Counter[int] = Counter()
    json_exact = 0
    for op, cls, shape in cases:
        data = example(shape, path=side)
        depths.update(_unknown_depths(data))
        given = dict(data, ResponseMetadata=METADATA) if side == "output" else data
        model = cls.from_dict(given)
        assert model.to_dict() == data, (op.name, side)
        assert_typed(names, model, shape, data, op.name)

        plain = example(shape, path=side, plain=True)  # (streams: what the models keep as is)
        loaded = cls.from_dict(plain)
        dumped = loaded.to_dict(json=True)
        assert dumped == jsonify(plain), (op.name, side)
        json.loads(json.dumps(dumped, allow_nan=False))
        again = cls.from_dict(dumped)
        if any(truncated(s) for s in (op.input, op.output) if s):
            # A section boto3 did not render: its keys are `extra`, of no known type.
            assert again.to_dict(json=True) == dumped, op.name
            continue
        assert again == loaded, (op.name, side)
        assert again.to_dict() == plain, (op.name, side)
        json_exact += 1
    expected = {op.name for op in names.operations if (expected_operation(service, "client", op.name) or {}).get(side)}
    assert {op.name for op, _, _ in cases} == expected
    print(f"{service} {side}: {len(cases)} exact round trips ({json_exact} through JSON); unknown key at depths {sorted(depths)}")
    assert len(cases) > 10 and json_exact > len(cases) * 0.9
    assert max(depths) >= 3, depths  # unknown keys below the top, not only in it

