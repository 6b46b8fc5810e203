"""The validation error as botocore users meet it: a subclass of botocore's
ParamValidationError (made on first use, so importing the package never imports
botocore), still a ValueError and the package's Error; unknown keys with "did you mean"
and the valid keys, which botocore's own report is the oracle for.

The package is generated from the pinned boto3's pages (the `reference` fixture), whose
members are exactly those of the pinned botocore's model.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.session
import pytest
from botocore.validate import ParamValidator

from codegen.naming import snake_case
from gen_support import import_fresh, parse_ok, write_package

PKG = "paramerrors"
OPERATIONS = {"create_model_package": "CreateModelPackage", "create_training_job": "CreateTrainingJob"}


@pytest.fixture(scope="module")
def out(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = [reference / "sagemaker" / "client" / f"{name}.rst" for name in OPERATIONS]
    folder = tmp_path_factory.mktemp("param-errors")
    write_package(parse_ok(*pages), folder, PKG, formatted=False)
    return folder


@pytest.fixture(scope="module")
def pkg(out: Path) -> Any:
    import_fresh(out, f"{PKG}.sagemaker.validators")
    return import_fresh(out, PKG)


def input_shape(operation: str) -> Any:
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model(OPERATIONS[operation]).input_shape


def test_subclasses_botocore_error(pkg: Any) -> None:
    error = pkg.ParamValidationError
    assert issubclass(error, botocore.exceptions.ParamValidationError)
    assert issubclass(error, ValueError) and issubclass(error, pkg.Error)
    assert not issubclass(pkg.LoadError, botocore.exceptions.ParamValidationError)
    try:
        pkg.check("sagemaker", "create_model_package", {"Nope": 1})
    except botocore.exceptions.ParamValidationError as caught:  # an existing handler
        assert type(caught) is error
        assert [i.code for i in caught.issues] == ["unknown_key"]
        assert caught.kwargs == {"report": str(caught)}  # where botocore's keeps its text
        again = pickle.loads(pickle.dumps(caught))
        assert type(again) is error and again.issues == caught.issues
    else:
        pytest.fail("not raised")


FRESH = """
import sys
from {p}.sagemaker import validators
assert "botocore" not in sys.modules, "importing the validators imported botocore"
issues = validators.validate("create_model_package", {{"ModelApprovalStatus": "Maybe"}}, "error")
assert [i.code for i in issues] == ["invalid_enum"] and "botocore" not in sys.modules
try:
    validators.check("create_model_package", {{"Nope": 1}})
except ValueError as exc:
    import {p}
    assert isinstance(exc, {p}.ParamValidationError) and isinstance(exc, {p}.Error)
    print(type(exc).__mro__[-4].__module__, "botocore" in sys.modules)
"""

BLOCK_BOTOCORE = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "botocore":
            raise ImportError("no botocore here")
        return None
sys.meta_path.insert(0, Block())
"""


def test_botocore_imported_only_when_the_error_is_made(out: Path) -> None:
    """A fresh interpreter: importing the validators and validating do not import
    botocore; the first error raised does, and subclasses it."""
    proc = subprocess.run(
        [sys.executable, "-c", FRESH.format(p=PKG)], cwd=out, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["botocore.exceptions", "True"]


def test_without_botocore(out: Path) -> None:
    """botocore is optional: without it the error is the package's Error and ValueError."""
    proc = subprocess.run(
        [sys.executable, "-c", BLOCK_BOTOCORE + FRESH.format(p=PKG)], cwd=out, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["builtins", "False"]  # its bases end Exception, ...


def botocore_unknown(operation: str, params: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(path of the structure, unknown key) → the valid keys, from botocore's report."""
    report = ParamValidator().validate(params, input_shape(operation)).generate_report()
    found = re.findall(r'Unknown parameter in (\S+): "([^"]+)", must be one of: (.*)', report)
    return {(where, key): names.split(", ") for where, key, names in found}


def listed_keys(message: str) -> tuple[list[str], int]:
    """The keys an unknown_key message lists, and how many it says it left out."""
    listing = message.split("Valid keys: ", 1)[1]
    more = re.search(r", \.\.\. \((\d+) more\)$", listing)
    if more:
        listing = listing[: more.start()]
    return listing.split(", "), int(more.group(1)) if more else 0


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unknown_keys_did_you_mean_and_valid_keys(pkg: Any, operation: str) -> None:
    """Every top-level key misspelt (its last letter dropped) and written the way the
    models spell attributes (snake_case) is an unknown key that suggests the key, and
    lists the valid keys botocore lists: sorted, cut at a reasonable length."""
    keys = list(input_shape(operation).members)
    for key in keys:
        for wrong in {key[:-1], snake_case(key)} - set(keys):
            (issue,) = [i for i in pkg.validate("sagemaker", operation, {wrong: 1}) if i.code == "unknown_key"]
            assert issue.path == wrong
            assert issue.message.startswith(f"unknown parameter {wrong!r}, did you mean {key!r}? Valid keys: ")
            valid = botocore_unknown(operation, {wrong: 1})[("input", wrong)]
            listed, left_out = listed_keys(issue.message)
            assert listed == sorted(valid)[: len(listed)] and len(listed) + left_out == len(valid)
            assert len(issue.message.split("Valid keys: ")[1]) < 330  # not every key of a long structure


def test_unknown_nested_key(pkg: Any) -> None:
    params = {"InferenceSpecification": {"Containers": [{"Imag": "x", "Image": "i"}]}}
    (issue,) = pkg.validate("sagemaker", "create_model_package", params)
    assert (issue.path, issue.code) == ("InferenceSpecification.Containers[0].Imag", "unknown_key")
    valid = botocore_unknown("create_model_package", params)[("InferenceSpecification.Containers[0]", "Imag")]
    assert issue.message == f"unknown parameter 'Imag', did you mean 'Image'? Valid keys: {', '.join(sorted(valid))}"


def test_no_suggestion_when_nothing_is_close(pkg: Any) -> None:
    (issue,) = pkg.validate("sagemaker", "create_model_package", {"Zzzzzzzzzzzz": 1})
    assert issue.message.startswith("unknown parameter 'Zzzzzzzzzzzz'. Valid keys: ")
