"""The generated package for the seed page: installable, typed, black-clean, deterministic."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from codegen import registry
from codegen.cli import main
from codegen.emit import package as emit_package
from codegen.pipeline import run, state as mf
from conftest import SEED
from gen_support import REPO, import_fresh, parse_ok, run_mypy, write_package
from test_generate_validators import botocore_issues, service_model

PKG = "aws_typed_seed"


@pytest.fixture(scope="session")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "generated"
    result = run.generate([SEED], out, PKG)
    assert result.services == ["sagemaker"]
    return out


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".mypy_cache" not in p.parts
    }


def test_layout(seed_out: Path) -> None:
    files = set(tree_digest(seed_out))
    for rel in (
        "pyproject.toml",
        f"{PKG}/__init__.py",
        f"{PKG}/py.typed",
        f"{PKG}/sagemaker/models.py",
        f"{PKG}/sagemaker/validators.py",
        f"{PKG}/sagemaker/client.pyi",
        "docs/index.md",
        "docs/sagemaker/index.md",
        "docs/sagemaker/create_model_package.md",
    ):
        assert rel in files


def test_black_clean(seed_out: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "black", "--check", "-q", str(seed_out)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_deterministic(tmp_path: Path, seed_out: Path) -> None:
    """A second run, in another process with another hash seed, is byte-identical."""
    import os

    again = tmp_path / "again"
    subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", str(SEED), "--out", str(again),
         "--package-name", PKG],
        env=dict(os.environ, PYTHONHASHSEED="12345"), check=True, capture_output=True,
    )
    assert tree_digest(again) == tree_digest(seed_out)


def test_second_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "g"
    run.generate([SEED], out, PKG)
    assert run.generate([SEED], out, PKG).written == []


def test_only_stdlib_at_runtime(seed_out: Path) -> None:
    code = (
        "import sys; import {p}, {p}.sagemaker, {p}.sagemaker.models;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('codegen', 'boto3', 'botocore')];"
        "assert not bad, bad"
    ).format(p=PKG)
    subprocess.run([sys.executable, "-c", code], cwd=seed_out, check=True)


def test_mypy_strict_passes(seed_out: Path) -> None:
    proc = run_mypy(seed_out, "-p", PKG)
    assert proc.returncode == 0, proc.stdout + proc.stderr


MISUSE = '''
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from {pkg}.sagemaker.client import SageMakerClient

def good(client: "SageMakerClient") -> str:
    out = client.create_model_package(
        ModelPackageGroupName="g",
        ModelApprovalStatus="Approved",
        InferenceSpecification={{"Containers": [{{"Image": "img"}}]}},
    )
    return out["ModelPackageArn"]

def bad(client: "SageMakerClient") -> None:
    client.create_model_package(ModelApprovalStatus="Aproved")  # line 15: wrong literal
    client.create_model_package(CertifyForMarketplace="yes")  # line 16: wrong type
    client.create_model_package(InferenceSpecification={{"Containers": [{{"Imag": "x"}}]}})  # 17
    client.create_model_package(InferenceSpecification={{}})  # line 18: missing required key
    client.create_model_package(ModelPackageNam="x")  # line 19: misspelt parameter
'''


def test_mypy_rejects_misuse_and_accepts_correct_call(seed_out: Path, tmp_path: Path) -> None:
    user = seed_out / "user_code.py"
    user.write_text(MISUSE.format(pkg=PKG))
    try:
        proc = run_mypy(seed_out, "user_code.py")
    finally:
        user.unlink()
    lines = {int(line.split(":")[1]) for line in proc.stdout.splitlines() if ": error:" in line}
    assert lines == {15, 16, 17, 18, 19}, proc.stdout


def test_mypy_rejects_missing_required_parameter(reference: Path, tmp_path: Path) -> None:
    ops = parse_ok(reference / "dynamodb" / "client" / "get_item.rst")
    out = tmp_path / "g"
    write_package(ops, out, "aws_typed_ddb")
    (out / "use.py").write_text(
        "from aws_typed_ddb.dynamodb.client import DynamoDBClient\n"
        "def f(c: DynamoDBClient) -> None:\n"
        "    c.get_item(TableName='t', Key={'k': {'S': 'v'}})\n"
        "    c.get_item(TableName='t')\n"
        "    c.get_item(TableName='t', Key={'k': {'N': 5}})\n"
    )
    proc = run_mypy(out, "use.py")
    lines = {int(line.split(":")[1]) for line in proc.stdout.splitlines() if ": error:" in line}
    assert lines == {4, 5}, proc.stdout


def test_models_round_trip(seed_out: Path) -> None:
    models: Any = import_fresh(seed_out, f"{PKG}.sagemaker.models")
    runtime: Any = import_fresh(seed_out, f"{PKG}._runtime")
    params = {
        "ModelPackageGroupName": "group",
        "InferenceSpecification": {
            "Containers": [{"Image": "img", "Environment": {"A": "b"}, "ModelDataETag": "e"}],
            "SupportedContentTypes": ["text/csv"],
        },
        "Tags": [{"Key": "k", "Value": "v"}],
        "CertifyForMarketplace": False,
    }
    req = models.CreateModelPackageRequest.from_dict(params)
    assert req.inference_specification.containers[0].model_data_e_tag == "e"
    assert req.certify_for_marketplace is False
    assert req.model_package_name is runtime.UNSET and runtime.UNSET is not None
    assert req.to_dict() == params
    resp = models.CreateModelPackageResponse.from_dict(
        {"ModelPackageArn": "arn", "ResponseMetadata": {"HTTPStatusCode": 200}, "NewField": 1}
    )
    # a newer API's key is kept and written back; ResponseMetadata is left out
    assert resp.extra == {"NewField": 1}
    assert resp.to_dict() == {"ModelPackageArn": "arn", "NewField": 1}
    assert models.ModelLifeCycle.__slots__
    with pytest.raises(TypeError):
        models.Tag("k", "v")  # keyword-only


def expected_issues(params: dict[str, Any]) -> set[tuple[str, str]]:
    """What botocore says of `params` for the seed operation: its ParamValidator's issues
    (missing required, unknown key, wrong type), plus the enum values its model does not
    list, which botocore does not check and the generated validators do."""
    (op,) = parse_ok(SEED)
    model = service_model(op.service_id).operation_model(op.api_name)
    return botocore_issues(op, params) | enum_issues(model.input_shape, params, "")


def enum_issues(shape: Any, value: Any, path: str) -> set[tuple[str, str]]:
    """(path, "invalid_enum") of every string in `value` that botocore's `shape` does not allow."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            issue
            for name, item in value.items() if name in shape.members
            for issue in enum_issues(shape.members[name], item, f"{path}.{name}" if path else name)
        }
    if shape.type_name == "list" and isinstance(value, list):
        return {issue for i, item in enumerate(value) for issue in enum_issues(shape.member, item, f"{path}[{i}]")}
    if shape.type_name == "map" and isinstance(value, dict):
        return {issue for key, item in value.items() for issue in enum_issues(shape.value, item, f"{path}.{key}")}
    if shape.type_name == "string" and shape.enum and isinstance(value, str) and value not in shape.enum:
        return {(path, "invalid_enum")}
    return set()


ALL_CODES = {"invalid_enum", "wrong_type", "unknown_key", "missing_required"}


def test_validate_dispatch_and_paths(seed_out: Path) -> None:
    pkg: Any = import_fresh(seed_out, PKG)
    params = {
        "ModelApprovalStatus": "Maybe",
        "InferenceSpecification": {"Containers": [{"Image": 3, "Bogus": 1}]},
        "Tags": [{"Key": "k"}],
    }
    expected = expected_issues(params)
    assert {code for _, code in expected} == ALL_CODES  # one of each kind, says botocore
    got = {(i.path, i.code) for i in pkg.validate("sagemaker", "create_model_package", params, enums="error")}
    assert got == expected
    with pytest.raises(pkg.ParamValidationError) as info:
        pkg.check("sagemaker", "create_model_package", {"Nope": 1}, enums="error")
    assert {(i.path, i.code) for i in info.value.issues} == expected_issues({"Nope": 1}) != set()
    assert pkg.validate("sagemaker", "create_model_package", {"ClientToken": "t"}) == []
    assert expected_issues({"ClientToken": "t"}) == set()


def test_install_fails_before_sending(seed_out: Path) -> None:
    import boto3

    svc: Any = import_fresh(seed_out, f"{PKG}.sagemaker")
    pkg: Any = import_fresh(seed_out, PKG)
    client = boto3.client(
        "sagemaker", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="x", aws_secret_access_key="y",
    )
    sent: list[object] = []
    client.meta.events.register("before-sign", lambda **kw: sent.append(kw))
    assert svc.install(client, enums="error") is client
    params: dict[str, Any] = {"ModelApprovalStatus": "Maybe", "Tags": [{"Key": 1, "Value": "v"}]}
    with pytest.raises(pkg.ParamValidationError) as info:
        client.create_model_package(**params)
    expected = expected_issues(params)
    assert {code for _, code in expected} == {"invalid_enum", "wrong_type"}
    assert {(i.path, i.code) for i in info.value.issues} == expected
    assert sent == []


def test_wheel_ships_types(seed_out: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(seed_out)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"{PKG}/py.typed", f"{PKG}/sagemaker/client.pyi", f"{PKG}/sagemaker/models.py"} <= names


def test_docs_link_operation_and_classes(seed_out: Path) -> None:
    from codegen.naming import resolve

    (names,) = resolve(parse_ok(SEED))
    (op,) = names.operations
    container = names.class_at(op.name, "input.InferenceSpecification.Containers[]")
    page = (seed_out / "docs/sagemaker/create_model_package.md").read_text()
    assert "| `InferenceSpecification.Containers` |" in page
    assert f"[`{container}`](structures/{container}.md)" in page
    assert "[`ConflictException`](exceptions.md#conflictexception)" in page
    index = (seed_out / "docs/sagemaker/index.md").read_text()
    assert "(create_model_package.md)" in index
    assert f"[`{names.request_class(op)}`](create_model_package.md#request)" in index
    structure = (seed_out / f"docs/sagemaker/structures/{container}.md").read_text()
    assert structure.startswith(f"# {container}\n") and "| `Image` |" in structure


def test_generated_folder_is_not_stale() -> None:
    """generated/ in the repository is what `codegen generate` makes of input/."""
    ops = parse_ok(REPO / "input")
    out = REPO / "generated"
    # (the names it publishes: its names registry, .codegen/names/)
    registries = {p.stem: registry.loads(p.read_text()) for p in (out / ".codegen" / "names").glob("*.json")}
    assert registries
    expected = emit_package.format_files(emit_package.render_package(ops, "aws_typed", registries=registries))
    stale = [rel for rel, text in expected.items() if not (out / rel).is_file() or (out / rel).read_text() != text]
    manifest = mf.load(out)
    listed = manifest.tracked() if manifest is not None else []
    assert not stale and sorted(listed) == sorted(expected), "run `codegen generate`"


# --- errors ---------------------------------------------------------------------------


def test_cli_generate_defaults_from_pyproject(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "pages").mkdir(parents=True)
    (project / "pages" / "p.rst").write_bytes(SEED.read_bytes())
    (project / "pyproject.toml").write_text(
        '[tool.codegen]\ninput = "pages"\nout = "build/typed"\npackage-name = "mypkg"\n'
    )
    with contextlib.chdir(project):
        res = CliRunner().invoke(main, ["generate", "--targets", "models,stubs"])
    assert res.exit_code == 0, res.output
    assert (project / "build/typed/mypkg/sagemaker/models.py").is_file()
    assert not (project / "build/typed/mypkg/sagemaker/validators.py").exists()


@pytest.mark.parametrize("args,message", [
    (["--package-name", "not-valid"], "package name 'not-valid' is not a Python identifier"),
    (["--package-name", "class"], "package name 'class' is a Python keyword"),
    (["--targets", "models,bogus"], "unknown target(s) bogus"),
])
@pytest.mark.parametrize("command,code", [("generate", 1), ("check", 2), ("watch", 1)])
def test_cli_bad_options_leave_output_untouched(
    tmp_path: Path, args: list[str], message: str, command: str, code: int
) -> None:
    """One `error: ` line; exit 1, but 2 from `check`, whose 1 means "stale" to CI."""
    out = tmp_path / "out"
    run.generate([SEED], out, "aws_typed")
    before = tree_digest(out)
    res = CliRunner().invoke(main, [command, str(SEED), "--out", str(out), *args])
    assert res.exit_code == code, res.output
    assert res.stdout == "" and "Traceback" not in res.output
    (line,) = res.stderr.splitlines()
    assert line.startswith(f"error: {message}"), line
    assert tree_digest(out) == before


@pytest.mark.parametrize("command,code", [("generate", 1), ("check", 2)])
def test_cli_unreadable_pyproject(tmp_path: Path, command: str, code: int) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.codegen\n")
    with contextlib.chdir(tmp_path):
        res = CliRunner().invoke(main, [command, str(SEED), "--out", str(tmp_path / "out")])
    assert res.exit_code == code, res.output
    (line,) = res.stderr.splitlines()
    assert line.startswith(f"error: {tmp_path / 'pyproject.toml'}:1: cannot read [tool.codegen]: "), line
    assert not (tmp_path / "out").exists()


def test_cli_unwritable_output(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(main, ["generate", str(SEED), "--out", str(blocker / "out")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.output.startswith("error: ") and blocker.read_text() == "x"


def test_cli_bad_page_reports_file_line(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    text = SEED.read_text()
    # A request syntax block that does not parse.
    (pages / "broken.rst").write_text(text.replace("response = client.create_model_package(", "response = client.create_model_package((", 1))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["generate", str(pages), "--out", str(out)])
    assert res.exit_code == 1, res.output
    line = res.output.strip().splitlines()[0]
    # `error: FILE:LINE: message`, as `parse` prints it
    assert line.startswith("error: broken.rst:") and line.split(":")[2].isdigit(), res.output
    assert not out.exists()  # the lock made the folder; a run that wrote nothing removes it


def test_no_unused_imports(seed_out: Path) -> None:
    import ast

    for path in sorted(seed_out.rglob("*.py*")):
        if path.suffix not in (".py", ".pyi"):
            continue
        tree = ast.parse(path.read_text())
        imported = {
            (alias.asname or alias.name).split(".")[0]
            for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "module", "") != "__future__"
            for alias in node.names
            # (a stub's `import X as X` and `from m import *` are re-exports)
            if not (path.suffix == ".pyi" and alias.name in ("*", alias.asname))
        }
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
        exported = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
                exported = {e.value for e in node.value.elts}  # type: ignore[attr-defined]
        unused = imported - used - exported
        assert not unused, (path.name, unused)


@pytest.mark.parametrize("command", ["generate", "check", "watch", "parse", "diff"])
def test_cli_missing_input_is_a_usage_error(tmp_path: Path, command: str) -> None:
    """The README: a missing path is a usage error (exit 2), for every command."""
    nope = tmp_path / "nope"
    args = {"parse": [str(nope)], "diff": [str(nope), str(SEED)]}.get(command, [str(nope), "--out", str(tmp_path / "o")])
    res = CliRunner().invoke(main, [command, *args])
    assert res.exit_code == 2, res.output
    last = res.output.strip().splitlines()[-1]
    if command == "diff":  # (its inputs may also be saved trees: its own one-line message)
        assert last == f"error: {nope}: no such file or directory"
    else:
        assert last.endswith(f"Path '{nope}' does not exist."), res.output
    assert "Traceback" not in res.output and not (tmp_path / "o").exists()


def test_clean_drops_ascii_control_characters_only() -> None:
    """`clean` (every page text on its way into the output) takes out what docutils
    leaves for backslash escapes and any other ASCII control character but newline and
    tab, and nothing else."""
    import unicodedata

    from codegen.emit.env import clean

    for code in range(0x3000):
        char = chr(code)
        dropped = code < 0x80 and unicodedata.category(char) == "Cc" and char not in "\n\t"
        assert clean(f"a{char}b") == ("ab" if dropped else f"a{char}b"), hex(code)
