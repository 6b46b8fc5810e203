"""The generated package against boto3-stubs (types-boto3) on the same user code.

tests/fixtures/consumer/ holds a realistic script over s3, dynamodb, lambda, sqs and
sagemaker, unannotated (app.py, typed through the drop-in boto3 stubs) and annotated
(app_annotated.py), and a misuse file whose every mistake is marked `# E`. Both packages
are checked with `mypy --strict` and pyright (standard), one run per checker and
package over the three files: the generated package (from the 1.44.8 pages of the five
services, with the `boto3-stubs` target) must report nothing on the script and every
marked line, and catch at least as much as boto3-stubs from the registry (pinned in
pyproject.toml's `side-by-side` extra, installed into its own folder so that it does not
take the place of the drop-in). docs/comparison.md holds the table measured here;
`CODEGEN_UPDATE_COMPARISON=1` rewrites it.
"""

from __future__ import annotations

import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

import boto3
import boto3.session
import pytest

from gen_support import run_mypy

from codegen.emit import dropin
from codegen.emit import package as emit_package
from codegen.pipeline import run, state as mf
from codegen.pipeline.boto3_render import render_service

# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("side_by_side")

HERE = Path(__file__).parent
REPO = HERE.parent
CONSUMER = HERE / "fixtures" / "consumer"
SCRIPTS = ("app.py", "app_annotated.py")
MISUSE = "misuse.py"
FILES = (*SCRIPTS, MISUSE)
PKG = "aws_typed"  # what the annotated script imports
SERVICES = ("dynamodb", "lambda", "s3", "sagemaker", "sqs")
ARCHIVED = ("dynamodb", "lambda", "s3", "sagemaker")  # in the `reference` fixture; sqs is rendered
CHECKERS = ("mypy", "pyright")
COMPARISON = REPO / "docs" / "comparison.md"
TABLE_START, TABLE_END = "<!-- table: tests/test_side_by_side.py -->", "<!-- end of table -->"


def _marked(text: str) -> set[int]:
    return {n for n, line in enumerate(text.splitlines(), 1) if line.endswith("# E")}


MARKED = _marked((CONSUMER / MISUSE).read_text())


def side_by_side_requirement() -> str:
    """The pinned boto3-stubs requirement (pyproject.toml, extra `side-by-side`)."""
    with (REPO / "pyproject.toml").open("rb") as fh:
        (requirement,) = tomllib.load(fh)["project"]["optional-dependencies"]["side-by-side"]
    assert isinstance(requirement, str)
    return requirement


def _stubs_version() -> str:
    return side_by_side_requirement().rsplit("==", 1)[1]


# --- the two packages ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ours(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package of the five services' pages, with the drop-in boto3 stubs."""
    base = tmp_path_factory.mktemp("side_by_side")
    for service in ARCHIVED:
        shutil.copytree(reference / service, base / "in" / service)
    render_service("sqs", base / "in")
    out = base / "out"
    result = run.generate([base / "in"], out, PKG, emit_package.parse_targets("stubs,boto3-stubs"), jobs=2)
    assert result.errors == [] and result.services == list(SERVICES)
    return out


@pytest.fixture(scope="module")
def theirs() -> Path:
    """boto3-stubs with the five services' packages, installed once into the cache."""
    requirement = side_by_side_requirement()
    target = Path.home() / ".cache" / "codegen" / f"side-by-side-{_stubs_version()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    done = target / ".installed"
    if not done.is_file() or done.read_text() != requirement:
        # Installed aside and moved into place: another test process may do the same.
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(staging), requirement],
            capture_output=True, text=True, timeout=900,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr  # the registry serves it: never a skip
        (staging / done.name).write_text(requirement)
        shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:  # another process moved its copy first
            shutil.rmtree(staging, ignore_errors=True)
    assert done.read_text() == requirement
    return target


def _theirs_module(module: str) -> str:
    return "mypy_boto3_" + module.rstrip("_")  # (lambda_: a keyword for us, not a module for them)


def _workdir(base: Path, annotated_imports: Mapping[str, str] | None = None) -> Path:
    """The three files in a folder of their own; the annotated script's imports of our
    service modules rewritten to boto3-stubs' where `annotated_imports` is given."""
    base.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        text = (CONSUMER / name).read_text()
        for ours_module, their_module in (annotated_imports or {}).items():
            text = text.replace(f"from {ours_module}.client import", f"from {their_module}.client import")
        (base / name).write_text(text)
    return base


def _checker_env(paths: list[Path]) -> dict[str, str]:
    # mypy and pyright both take the search path of the interpreter: a `boto3-stubs`
    # folder on PYTHONPATH is found as an installed stub-only package (PEP 561).
    return dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in paths))


def _run_mypy(cwd: Path, env: dict[str, str]) -> dict[str, set[int]]:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull,
         "--no-error-summary", "--show-error-codes", "--python-version", "3.11", *FILES],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 2: mypy itself failed
    (cwd / "mypy.txt").write_text(proc.stdout)
    found: dict[str, set[int]] = {name: set() for name in FILES}
    for m in re.finditer(r"^([\w.]+\.py):(\d+): error:", proc.stdout, re.MULTILINE):
        found[m.group(1)].add(int(m.group(2)))
    return found


def _run_pyright(cwd: Path, env: dict[str, str]) -> dict[str, set[int]]:
    (cwd / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "standard", "pythonVersion": "3.11"}))
    proc = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", *FILES],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )
    (cwd / "pyright.json").write_text(proc.stdout)
    report = json.loads(proc.stdout)
    found: dict[str, set[int]] = {name: set() for name in FILES}
    for d in report["generalDiagnostics"]:
        if d["severity"] == "error":
            found[Path(d["file"]).name].add(d["range"]["start"]["line"] + 1)
    return found


def _check(cwd: Path, env: dict[str, str]) -> dict[str, dict[str, set[int]]]:
    return {"mypy": _run_mypy(cwd, env), "pyright": _run_pyright(cwd, env)}


@pytest.fixture(scope="module")
def measured(ours: Path, theirs: Path) -> dict[str, dict[str, dict[str, set[int]]]]:
    """package → checker → file → the lines with errors."""
    summaries = mf.load(ours)
    assert summaries is not None
    modules = {str(r.summary["module"]) for r in summaries.services.values()}
    return {
        "ours": _check(_workdir(ours.parent / "ours"), _checker_env([ours, ours / dropin.DIST])),
        "theirs": _check(
            _workdir(ours.parent / "theirs", {f"{PKG}.{m}": _theirs_module(m) for m in modules}),
            _checker_env([theirs]),
        ),
    }


# --- the table ---------------------------------------------------------------------------


def comparison_table(found: Mapping[str, Mapping[str, Mapping[str, set[int]]]]) -> str:
    """The Markdown table of docs/comparison.md: lines with errors on the correct script,
    misuse cases caught and lines reported outside them, per package and checker."""
    columns = [(package, checker) for package in ("ours", "theirs") for checker in CHECKERS]
    names = {"ours": f"{PKG} + drop-in", "theirs": f"boto3-stubs {_stubs_version()}"}
    titles = {"mypy": "mypy --strict", "pyright": "pyright (standard)"}

    def row(label: str, cell: object) -> str:
        return "| " + " | ".join([label, *(str(cell(p, c)) for p, c in columns)]) + " |"  # type: ignore[operator]

    lines = [
        "| | " + " | ".join(f"{names[p]}, {titles[c]}" for p, c in columns) + " |",
        "|---" * (len(columns) + 1) + "|",
        row("correct script, unannotated: lines with errors", lambda p, c: len(found[p][c]["app.py"])),
        row("correct script, annotated: lines with errors", lambda p, c: len(found[p][c]["app_annotated.py"])),
        row(
            f"misuse caught (of {len(MARKED)} cases)",
            lambda p, c: len(found[p][c][MISUSE] & MARKED),
        ),
        row("misuse file: errors on correct lines", lambda p, c: len(found[p][c][MISUSE] - MARKED)),
    ]
    return "\n".join(lines)


def _documented_table() -> str:
    text = COMPARISON.read_text()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    return text[start:end].strip()


def _report(found: Mapping[str, Mapping[str, Mapping[str, set[int]]]]) -> str:
    lines = [comparison_table(found)]
    for package, by_checker in found.items():
        for checker, files in by_checker.items():
            for name in FILES:
                wrong = files[name] - MARKED if name == MISUSE else files[name]
                missed = MARKED - files[name] if name == MISUSE else set()
                if wrong or missed:
                    lines.append(f"{package} {checker} {name}: errors on {sorted(wrong)}, missed {sorted(missed)}")
    return "\n".join(lines)


# --- the tests -------------------------------------------------------------------------


def test_ours_gives_no_error_on_the_script_and_catches_every_misuse(measured: dict) -> None:  # type: ignore[type-arg]
    report = _report(measured)
    print(report)
    for checker in CHECKERS:
        found = measured["ours"][checker]
        assert found["app.py"] == set(), report
        assert found["app_annotated.py"] == set(), report
        assert found[MISUSE] == MARKED, report


def test_ours_catches_at_least_as_much_as_boto3_stubs(measured: dict) -> None:  # type: ignore[type-arg]
    report = _report(measured)
    print(report)
    for checker in CHECKERS:
        theirs = measured["theirs"][checker][MISUSE]
        # (boto3-stubs was really checked: it catches most of the cases)
        assert len(theirs & MARKED) > len(MARKED) // 2, report
        assert len(measured["ours"][checker][MISUSE] & MARKED) >= len(theirs & MARKED), report
        assert measured["ours"][checker][MISUSE] - MARKED == set(), report


def test_comparison_doc_has_the_measured_table(measured: dict) -> None:  # type: ignore[type-arg]
    table = comparison_table(measured)
    print(table)
    if os.environ.get("CODEGEN_UPDATE_COMPARISON") == "1":
        text = COMPARISON.read_text()
        start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
        COMPARISON.write_text(text[:start] + "\n" + table + "\n" + text[end:])
    assert _documented_table() == table, "docs/comparison.md is stale: run with CODEGEN_UPDATE_COMPARISON=1"


# --- the fixture files -------------------------------------------------------------------


def _code(text: str) -> list[str]:
    """The lines after the module docstring, blank lines left out."""
    return [line for line in text.split('"""', 2)[2].splitlines() if line]


def test_annotated_script_is_the_script_with_annotated_clients() -> None:
    plain = (CONSUMER / "app.py").read_text()
    annotated = _code((CONSUMER / "app_annotated.py").read_text())
    unannotated = [
        re.sub(r"^(\s+\w+): \w+ = (boto3|session)\.", r"\1 = \2.", line)
        for line in annotated if not line.startswith(f"from {PKG}.")
    ]
    assert unannotated == _code(plain)
    assert len(re.findall(r"\b(?:s3|ddb|lam|sqs|sm|session|boto3)\.\w+\(", plain)) >= 40
    assert len(MARKED) >= 25


def test_annotated_script_imports_the_resolvers_client_names(ours: Path) -> None:
    manifest = mf.load(ours)
    assert manifest is not None
    expected = {
        f"from {PKG}.{r.summary['module']}.client import {r.summary['client_class']}"
        for r in manifest.services.values()
    }
    imports = {line for line in (CONSUMER / "app_annotated.py").read_text().splitlines() if line.startswith(f"from {PKG}.")}
    assert imports == expected


# --- the drop-in itself --------------------------------------------------------------------


def test_dropin_files_are_black_clean_and_typed(ours: Path) -> None:
    files = {
        str(p.relative_to(ours)): p.read_text() for p in (ours / dropin.DIST).rglob("*") if p.is_file()
    }
    assert files[f"{dropin.STUBS}/py.typed"] == "partial\n"
    assert emit_package.format_files(files) == dict(sorted(files.items()))
    init = files[f"{dropin.STUBS}/__init__.pyi"]
    for record in mf.load(ours).services.values():  # type: ignore[union-attr]
        s = record.summary
        assert f"from {PKG}.{s['module']}.client import {s['client_class']}\n" in init
        assert f"service_name: Literal[{json.dumps(s['service_id'])}]," in init
        assert f") -> {s['client_class']}:" in files[f"{dropin.STUBS}/session.pyi"]


def _parameters(function: object, skip: int) -> list[str]:
    return list(inspect.signature(function).parameters)[skip:]  # type: ignore[arg-type]


def test_signature_tables_are_boto3s() -> None:
    """The tables of codegen/emit/dropin.py against the installed boto3 (the oracle)."""
    session = boto3.session.Session
    assert [n for n, _ in dropin.CLIENT_PARAMETERS] == _parameters(session.client, 2)
    assert [n for n, _ in dropin.RESOURCE_PARAMETERS] == _parameters(session.resource, 2)
    assert [n for n, _ in dropin.SESSION_PARAMETERS] == _parameters(session.__init__, 1)
    assert all(
        p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in inspect.signature(session.client).parameters.values()
    )
    public = {
        m.name.removeprefix("boto3.")
        for m in pkgutil.walk_packages(boto3.__path__, "boto3.")
        if not m.name.startswith("boto3.docs") and m.name != "boto3.session"
    }
    assert set(dropin.LOOSE_MODULES) == public
    packages = {m.name.removeprefix("boto3.") for m in pkgutil.walk_packages(boto3.__path__, "boto3.") if m.ispkg}
    assert dropin.PACKAGES == packages - {"docs"}


def test_dropin_installs_with_pip(ours: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(tmp_path / "site"),
         str(ours / dropin.DIST)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = {str(p.relative_to(tmp_path / "site" / "boto3-stubs")) for p in (tmp_path / "site" / "boto3-stubs").rglob("*.pyi")}
    expected = {str(p.relative_to(ours / dropin.STUBS)) for p in (ours / dropin.STUBS).rglob("*.pyi")}
    assert installed == expected
    assert (tmp_path / "site" / "boto3-stubs" / "py.typed").is_file()


def test_dropin_target_needs_the_stubs_and_goes_when_dropped(reference: Path, tmp_path: Path) -> None:
    with pytest.raises(emit_package.BuildError, match="add the target stubs"):
        emit_package.parse_targets("models,boto3-stubs")
    render_service("sqs", tmp_path / "in")
    out = tmp_path / "out"
    run.generate([tmp_path / "in"], out, PKG, emit_package.parse_targets("stubs,boto3-stubs"))
    assert mf.load(out).targets == ("stubs", "boto3-stubs")  # type: ignore[union-attr]
    # The stubs pass mypy --strict themselves (checked as `boto3`: a `-stubs` folder
    # found on the path is an installed package, whose errors mypy does not show).
    shutil.copytree(out / dropin.STUBS, tmp_path / "typed" / "boto3")
    shutil.copytree(out / PKG, tmp_path / "typed" / PKG)
    proc = run_mypy(tmp_path / "typed", "-p", "boto3", "--python-version", "3.11")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run.generate([tmp_path / "in"], out, PKG, emit_package.parse_targets("stubs"))
    assert not (out / dropin.DIST).exists()
    assert (out / PKG / "sqs" / "client.pyi").is_file()


def test_a_client_class_name_two_services_share_is_imported_qualified() -> None:
    """(Client class names come from the pages' service names: two may coincide.)"""
    entries = [
        dropin._Overload(service_id, module, "SameClient", "")
        for service_id, module in (("svc-a", "svc_a"), ("svc-b", "svc_b"))
    ]
    files = dropin.dropin_files(PKG, entries, ("stubs", dropin.TARGET), emit_package.PACKAGE_VERSION)
    init, session = files[f"{dropin.STUBS}/__init__.pyi"], files[f"{dropin.STUBS}/session.pyi"]
    for text in (init, session):
        assert f"from {PKG}.svc_a.client import SameClient as SameClient_svc_a\n" in text
        assert f"from {PKG}.svc_b.client import SameClient as SameClient_svc_b\n" in text
        assert text.count(") -> SameClient_svc_b:") == 1
    assert emit_package.format_files(files) == dict(sorted(files.items()))
    assert dropin.dropin_files(PKG, entries, ("stubs",), emit_package.PACKAGE_VERSION) == {}
