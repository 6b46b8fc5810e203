"""Enum strictness of the generated validators: "error" | "warn" | "off".

The package is generated from the seed page (boto3 1.42.50), whose instance-type enums are
older than the pinned botocore's model: a value botocore's model lists and the page does
not (computed, never typed here) is exactly a request AWS accepts and the docs predate.
The default ("warn") must let it through with an EnumValueWarning; "error" fails it;
"off" says nothing. The generate-time default comes from `[tool.codegen] enums`, and a
call's `enums=` overrides it, on `validate`, `check` and `install(client)`.
"""

from __future__ import annotations

import contextlib
import difflib
import warnings
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import botocore.session
import pytest
from botocore.stub import Stubber
from botocore.validate import ParamValidator
from click.testing import CliRunner

from codegen.cli import main
from codegen.emit import package as emit_package
from codegen.pipeline import write
from codegen.tree import Shape
from conftest import SEED
from gen_support import import_fresh, parse_ok, write_package

PKG = "enummodes"  # generated with the default mode
STRICT = "enumstrict"  # generated with enums="error"
OPERATION = "create_model_package"
LIST = "SupportedRealtimeInferenceInstanceTypes"  # InferenceSpecification.<LIST>[i]


def member(shape: Shape, wire: str) -> Shape:
    return dict(shape.members)[wire].shape


def page_enum() -> tuple[str, ...]:
    """The enum the seed page gives the instance types of InferenceSpecification.<LIST>."""
    (op,) = parse_ok(SEED)
    items = member(member(op.input, "InferenceSpecification"), LIST).member
    assert items is not None and items.enum
    return items.enum


def newer_value() -> str:
    """A value the pinned botocore's model allows there and the (older) page does not."""
    model = botocore.session.get_session().get_service_model("sagemaker").operation_model("CreateModelPackage")
    spec = model.input_shape.members["InferenceSpecification"]
    newer = sorted(set(spec.members[LIST].member.enum) - set(page_enum()))
    assert newer, "the seed page lists every value of the pinned botocore"
    return newer[0]


def request(instance_type: str) -> dict[str, Any]:
    params = {"InferenceSpecification": {"Containers": [{"Image": "img"}], LIST: [instance_type]}}
    # A request botocore (hence AWS's current model) accepts as it stands.
    model = botocore.session.get_session().get_service_model("sagemaker").operation_model("CreateModelPackage")
    assert not ParamValidator().validate(params, model.input_shape).has_errors()
    return params


PATH = f"InferenceSpecification.{LIST}[0]"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    ops = parse_ok(SEED)
    out = tmp_path_factory.mktemp("enum-modes")
    write_package(ops, out / "default", PKG, formatted=False)
    write_package_with(ops, out / "strict", STRICT, "error")
    import_fresh(out / "default", f"{PKG}.sagemaker.validators")
    import_fresh(out / "strict", f"{STRICT}.sagemaker.validators")
    return import_fresh(out / "default", PKG), import_fresh(out / "strict", STRICT)


def write_package_with(ops: Any, out: Path, package: str, enums: str) -> None:
    write.write_tree(out, emit_package.render_package(ops, package, enums=enums))


def validators(pkg: Any) -> Any:
    return __import__(f"{pkg.__name__}.sagemaker.validators", fromlist=["validate"])


def test_default_is_warn(packages: tuple[Any, Any]) -> None:
    """The package's default lets a value newer than its docs through, with a warning of
    the package's own category that names the value, the path, the count of allowed
    values and the three closest (difflib over the page's enum), never all of them."""
    pkg, _ = packages
    value = newer_value()
    allowed = page_enum()
    with pytest.warns(pkg.EnumValueWarning) as record:
        assert pkg.validate("sagemaker", OPERATION, request(value)) == []
    assert issubclass(pkg.EnumValueWarning, UserWarning)
    assert not issubclass(pkg.EnumValueWarning, pkg.Error)
    (warning,) = record
    text = str(warning.message)
    assert f"{PATH}: invalid_enum: {value!r}" in text
    closest = difflib.get_close_matches(value, allowed, n=3, cutoff=0.0)
    assert f"the {len(allowed)} allowed values; closest: {', '.join(map(repr, closest))}" in text
    assert sum(repr(v) in text for v in allowed) == 3
    assert warning.filename == __file__  # points at the caller, not the package


def test_error_mode(packages: tuple[Any, Any]) -> None:
    pkg, strict = packages
    value = newer_value()
    allowed = page_enum()
    closest = difflib.get_close_matches(value, allowed, n=3, cutoff=0.0)
    for issues in (
        pkg.validate("sagemaker", OPERATION, request(value), enums="error"),
        validators(pkg).validate(OPERATION, request(value), "error"),
        strict.validate("sagemaker", OPERATION, request(value)),  # generated as "error"
    ):
        (issue,) = issues
        assert (issue.path, issue.code) == (PATH, "invalid_enum")
        assert issue.message == (
            f"{value!r} is not one of the {len(allowed)} allowed values; "
            f"closest: {', '.join(map(repr, closest))}"
        )
    with pytest.raises(pkg.ParamValidationError) as info:
        validators(pkg).check_create_model_package(request(value), enums="error")
    assert [i.code for i in info.value.issues] == ["invalid_enum"]
    assert len(str(info.value)) < 300  # not the ~270 instance types of the old message


def test_off_mode(packages: tuple[Any, Any]) -> None:
    pkg, strict = packages
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pkg.validate("sagemaker", OPERATION, request(newer_value()), enums="off") == []
        assert strict.validate("sagemaker", OPERATION, request(newer_value()), enums="off") == []
        # Only enum checks are off: a wrong type is still an issue.
        bad = {"InferenceSpecification": {"Containers": [{"Image": 5}], LIST: ["nope"]}}
        assert [(i.path, i.code) for i in pkg.validate("sagemaker", OPERATION, bad, enums="off")] == [
            ("InferenceSpecification.Containers[0].Image", "wrong_type")
        ]


def test_call_overrides_generated_default(packages: tuple[Any, Any]) -> None:
    _, strict = packages
    with pytest.warns(strict.EnumValueWarning):
        assert strict.validate("sagemaker", OPERATION, request(newer_value()), enums="warn") == []
    with pytest.raises(ValueError, match="enums must be 'error', 'warn' or 'off', not 'strict'"):
        strict.validate("sagemaker", OPERATION, request(page_enum()[0]), enums="strict")


def stubbed_client() -> tuple[Any, Stubber]:
    client = boto3.client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    return client, Stubber(client)


ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1"


def test_installed_client_in_each_mode(packages: tuple[Any, Any]) -> None:
    """A real boto3 client through botocore's Stubber: "warn" (the default) sends the
    request and warns at the caller's line, "off" sends it silently, "error" fails it
    before it is built, as botocore's own ParamValidationError."""
    pkg, _ = packages
    params = request(newer_value())
    client, stubber = stubbed_client()
    svc = validators(pkg)
    with stubber:
        assert svc.install(client) is client
        stubber.add_response(OPERATION, {"ModelPackageArn": ARN}, params)
        with pytest.warns(pkg.EnumValueWarning, match=OPERATION) as record:
            assert client.create_model_package(**params)["ModelPackageArn"] == ARN
        assert [w.filename for w in record] == [__file__]

        svc.install(client, enums="off")  # installing again replaces the mode
        stubber.add_response(OPERATION, {"ModelPackageArn": ARN}, params)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert client.create_model_package(**params)["ModelPackageArn"] == ARN

        svc.install(client, enums="error")
        stubber.add_response(OPERATION, {"ModelPackageArn": ARN}, params)
        with pytest.raises(botocore.exceptions.ParamValidationError) as info:
            client.create_model_package(**params)
        assert isinstance(info.value, pkg.ParamValidationError)
        assert [(i.path, i.code) for i in info.value.issues] == [(PATH, "invalid_enum")]
        with pytest.raises(AssertionError):  # the response is still queued: nothing was sent
            stubber.assert_no_pending_responses()
    with pytest.raises(ValueError, match="enums must be"):
        svc.install(client, enums="loud")


def run_cli(project: Path, *args: str) -> Any:
    with contextlib.chdir(project):  # where `[tool.codegen]` is read from
        return CliRunner().invoke(main, list(args))


def test_pyproject_option(tmp_path: Path) -> None:
    """`[tool.codegen] enums` sets the generated default; changing it regenerates the
    runtime; a bad value is one `error: FILE:LINE:` line and writes nothing."""
    project = tmp_path / "proj"
    (project / "pages").mkdir(parents=True)
    (project / "pages" / "p.rst").write_bytes(SEED.read_bytes())
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.codegen]\ninput = "pages"\nout = "out"\npackage-name = "fromtoml"\nenums = "error"\n')
    res = run_cli(project, "generate")
    assert res.exit_code == 0, res.output
    pkg: Any = import_fresh(project / "out", "fromtoml")
    assert [i.code for i in pkg.validate("sagemaker", OPERATION, request(newer_value()))] == ["invalid_enum"]
    assert run_cli(project, "check").exit_code == 0

    pyproject.write_text(pyproject.read_text().replace('"error"', '"off"'))
    assert run_cli(project, "check").exit_code == 1  # stale: the runtime holds the mode
    res = run_cli(project, "generate")
    assert res.exit_code == 0, res.output
    assert 'ENUMS: Final[EnumMode] = "off"' in (project / "out/fromtoml/_runtime.py").read_text()

    pyproject.write_text('[tool.codegen]\nout = "out2"\n\nenums = "strict"\n')
    res = run_cli(project, "generate", "pages")
    assert res.exit_code == 1 and "Traceback" not in res.output
    (line,) = res.stderr.splitlines()
    assert line == (
        f"error: {pyproject}:4: [tool.codegen] enums must be one of 'error', 'warn', 'off', not 'strict'"
    )
    assert not (project / "out2").exists()
