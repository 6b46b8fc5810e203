"""The generated package's minimum Python version: what its pyproject.toml states
(`requires-python`) is what it runs on.

The seed package is generated in the test, then imported and used under the stated
minimum and under the newest Python the project supports (pyenv's, or on PATH): models
load and write back a request (from_dict / to_dict), the validators report a bad one
as botocore does (the oracle), and `validated` checks a model's fields.
Why 3.11: the runtime uses `typing.Self`, and reads ISO 8601 timestamps (`...Z`) with
`datetime.fromisoformat`, which takes them from 3.11 on; dataclasses with
`kw_only`/`slots` need 3.10 (docs/client-type.md, "Python versions").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from conftest import SEED
from gen_support import parse_ok

from codegen import naming
from codegen.pipeline import run
from test_generate_validators import botocore_issues

PKG = "aws_typed_versions"
MINIMUM = (3, 11)
NEWEST = (3, 13)

PARAMS = {
    "ModelPackageGroupName": "group",
    "InferenceSpecification": {
        "Containers": [{"Image": "img", "Environment": {"A": "b"}}],
        "SupportedContentTypes": ["text/csv"],
    },
    "Tags": [{"Key": "k", "Value": "v"}],
    "CertifyForMarketplace": False,
}
BAD = {"ModelPackageGroupName": 5, "Tags": [{"Key": "k"}], "Nope": 1}

USE = """
import dataclasses, json, sys
import {pkg}
from {pkg}.{module} import models, validate, check
request = getattr(models, {request!r})
params, bad = json.loads(sys.argv[1]), json.loads(sys.argv[2])
loaded = request.from_dict(params)
assert loaded.to_dict() == params, loaded.to_dict()
assert validate({operation!r}, params) == []
try:
    check({operation!r}, bad)
except {pkg}.ParamValidationError as e:
    issues = sorted((i.path, i.code) for i in e.issues)
else:
    raise AssertionError("no error")
given = {{f.name: getattr(loaded, f.name) for f in dataclasses.fields(loaded) if f.name != "extra"}}
assert request.validated(**given) == loaded
given[next(k for k, v in given.items() if isinstance(v, str))] = 5
try:
    request.validated(**given)
except {pkg}.ParamValidationError:
    pass
else:
    raise AssertionError("validated() let a number through for a string")
print(json.dumps([list(sys.version_info[:2]), issues]))
"""


def _interpreter(version: tuple[int, int]) -> str:
    """That Python: this one, pyenv's, or `pythonX.Y` on PATH."""
    if sys.version_info[:2] == version:
        return sys.executable
    text = ".".join(map(str, version))
    pyenv = sorted((Path.home() / ".pyenv" / "versions").glob(f"{text}.*/bin/python"))
    found = str(pyenv[-1]) if pyenv else shutil.which(f"python{text}")
    if found is None:
        pytest.fail(f"Python {text} is needed to test the generated package on it (pyenv install {text})")
    return found


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("versions")
    result = run.generate([SEED], out, PKG)
    assert result.errors == []
    return out


def test_pyproject_states_the_minimum(seed: Path) -> None:
    project = tomllib.loads((seed / "pyproject.toml").read_text())
    stated = re.fullmatch(r">=(\d+)\.(\d+)", project["project"]["requires-python"])
    assert stated is not None and tuple(map(int, stated.groups())) == MINIMUM
    assert project["tool"]["black"]["target-version"] == [f"py{MINIMUM[0]}{MINIMUM[1]}"]
    assert f"Python {MINIMUM[0]}.{MINIMUM[1]}" in (seed / PKG / "__init__.py").read_text()


@pytest.mark.parametrize("version", [MINIMUM, NEWEST], ids=lambda v: f"{v[0]}.{v[1]}")
def test_seed_package_runs_on(seed: Path, version: tuple[int, int]) -> None:
    ops = parse_ok(SEED)
    names = naming.resolve(ops)[0]
    op = names.operations[0]
    assert botocore_issues(op, PARAMS) == set()
    code = USE.format(pkg=PKG, module=names.module, request=names.request_class(op), operation=op.name)
    proc = subprocess.run(
        [_interpreter(version), "-c", textwrap.dedent(code), json.dumps(PARAMS), json.dumps(BAD)],
        cwd=seed, env=dict(os.environ, PYTHONPATH=str(seed)), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    ran, issues = json.loads(proc.stdout)
    assert tuple(ran) == version
    assert {tuple(i) for i in issues} == botocore_issues(op, BAD) != set()
