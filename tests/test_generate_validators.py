"""Generated validators against botocore's ParamValidator, property-based.

For valid and mutated requests built from the shape tree, the generated validator and
botocore agree on every check botocore makes from the same information (missing
required, unknown key, wrong type), path for path; invalid enum values, which botocore
lets through, are caught.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.tree import Operation, Shape
from gen_support import import_fresh, parse_dir, parse_ok, write_package

PKG = "aws_typed_prop"
SAGEMAKER_OPS = (
    "create_model_package", "create_training_job", "create_endpoint_config", "create_pipeline",
    "create_processing_job", "create_transform_job", "create_model", "update_endpoint",
    "create_hyper_parameter_tuning_job", "search", "create_auto_ml_job_v2", "create_domain",
    "create_inference_recommendations_job", "list_training_jobs", "add_tags", "create_cluster",
    "update_model_package", "create_flow_definition", "create_data_quality_job_definition",
    "create_compilation_job",
)
MAX_DEPTH = 5
BAD_ENUM = "NotAValidEnumValue"


@pytest.fixture(scope="module")
def generated(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, list[Operation]]]:
    pages = [reference / "sagemaker" / "client" / f"{n}.rst" for n in SAGEMAKER_OPS]
    ops = [op for op in (*parse_ok(*pages), *parse_dir(reference / "dynamodb" / "client")) if op.api_name]
    out = tmp_path_factory.mktemp("prop")
    write_package(ops, out, PKG, formatted=False)
    result = {}
    for service in ("sagemaker", "dynamodb"):
        module = import_fresh(out, f"{PKG}.{service}.validators")
        result[service] = (module, [o for o in ops if o.service_id == service])
    return result


def cases() -> list[tuple[str, str]]:
    dynamodb = (
        "batch_get_item", "batch_write_item", "create_table", "delete_item", "execute_statement",
        "get_item", "put_item", "query", "scan", "transact_write_items", "update_item",
        "update_table", "import_table", "restore_table_to_point_in_time", "create_global_table",
    )
    return [("sagemaker", n) for n in SAGEMAKER_OPS] + [("dynamodb", n) for n in dynamodb]


class Gen:
    """Draws a request from the shape tree, with optional mutations; records bad enums."""

    def __init__(self, draw: Any, op: Operation, mutate: bool) -> None:
        self.draw = draw
        self.nodes = dict(op.input.walk("input"))
        self.mutate = mutate
        self.bad_enums: set[str] = set()

    def chance(self, n: int) -> bool:
        return self.mutate and self.draw(st.integers(0, n - 1)) == 0

    def value(self, shape: Shape, path: str, depth: int) -> Any:
        if shape.type == "recursive":
            shape = self.nodes[shape.target or ""]
        if shape.type not in ("document",) and not shape.json_value and self.chance(25):
            return self.wrong(shape)
        t = shape.type
        if shape.json_value or shape.python_type or t == "document":
            return "x"
        if t == "string":
            if shape.enum:
                if self.chance(10):
                    self.bad_enums.add(path)
                    return BAD_ENUM
                return self.draw(st.sampled_from(shape.enum))
            return self.draw(st.text(max_size=3))
        if t == "integer":
            return self.draw(st.integers(-3, 1000))
        if t == "float":
            return self.draw(st.floats(allow_nan=False, allow_infinity=False, width=32) | st.integers(0, 9))
        if t == "boolean":
            return self.draw(st.booleans())
        if t == "timestamp":
            return self.draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
        if t == "blob":
            return self.draw(st.binary(max_size=4))
        if t == "list":
            assert shape.member is not None
            n = self.draw(st.integers(0, 2 if depth < MAX_DEPTH else 0))
            return [self.value(shape.member, f"{path}[{i}]", depth + 1) for i in range(n)]
        if t == "map":
            assert shape.value is not None
            keys = self.draw(st.lists(st.text(min_size=1, max_size=3), max_size=2 if depth < MAX_DEPTH else 0, unique=True))
            return {k: self.value(shape.value, f"{path}.{k}", depth + 1) for k in keys}
        assert t == "structure"
        out: dict[str, Any] = {}
        for name, member in shape.members:
            sub = f"{path}.{name}" if path else name
            if member.required and not member.autopopulated:
                if self.chance(15):
                    continue  # drop a required member
            elif depth >= MAX_DEPTH or member.shape.event_stream or not self.draw(st.integers(0, 2)) == 0:
                continue
            out[name] = self.value(member.shape, sub, depth + 1)
        if self.chance(10):
            out["ZzUnknownKey"] = 1
        return out

    def wrong(self, shape: Shape) -> Any:
        return {
            "string": 5, "integer": "1", "float": "1.5", "boolean": "yes", "timestamp": [1],
            "blob": 5, "list": "not-a-list", "map": ["not-a-map"], "structure": ["not-a-dict"],
        }.get(shape.type, None) if shape.type != "structure" or not shape.truncated else 5


@lru_cache(maxsize=None)
def service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def botocore_issues(op: Operation, params: Any) -> set[tuple[str, str]]:
    model = service_model(op.service_id).operation_model(op.api_name)
    if isinstance(params, dict):
        # boto3 fills idempotency tokens in before validating (botocore.handlers).
        params = dict(params)
        for name, member in op.input.members:
            if member.autopopulated and name not in params:
                params[name] = "token"
    errors = ParamValidator().validate(params, model.input_shape)
    out = set()
    for reason, name, extra in errors._errors:
        if reason == "missing required field":
            out.add((f"{name}.{extra['required_name']}".lstrip("."), "missing_required"))
        elif reason == "unknown field":
            out.add((f"{name}.{extra['unknown_param']}".lstrip("."), "unknown_key"))
        elif reason == "invalid type":
            out.add((name.lstrip("."), "wrong_type"))
    return out


@pytest.mark.parametrize("service,operation", cases())
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data(), mutate=st.booleans())
def test_verdict_and_paths_agree_with_botocore(
    generated: dict[str, tuple[Any, list[Operation]]], service: str, operation: str, data: Any, mutate: bool
) -> None:
    module, ops = generated[service]
    op = next(o for o in ops if o.name == operation)
    gen = Gen(data.draw, op, mutate)
    params = gen.value(op.input, "", 0)
    ours = module.validate(operation, params, enums="error")
    mine = {(i.path, i.code) for i in ours if i.code != "invalid_enum"}
    assert mine == botocore_issues(op, params), params
    enums = {i.path for i in ours if i.code == "invalid_enum"}
    assert enums == gen.bad_enums
    if not mutate:
        assert ours == []


def test_every_case_exists(generated: dict[str, tuple[Any, list[Operation]]]) -> None:
    for service, name in cases():
        assert name in generated[service][0].OPERATIONS
