"""Import time of the generated models and validators (docs/runtime.md, "Import time"):
`models.py` and `validators.py` load the module defining a class (a check) on first
use; type checkers still see every name.

The default suite checks the layout structurally (which modules an import and a first
use load, counted in sys.modules); the `corpus` tests time every service of the
reference in fresh interpreters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen import naming
from codegen.emit import package as emit_package
from codegen.emit.models import BUCKETS, MODELS_DIR, bucket_of
from codegen.emit.validators import VALIDATORS_DIR
from codegen.pipeline import run, write
from conftest import SEED, corpus_root
from gen_support import REPO, model_file, parse_dir, parse_ok, run_mypy
from test_client_extras import _pyright

PKG = "aws_typed"

# The generator of the commit before the models were split (one models.py per service):
# what a user upgrading from it has on disk.
BEFORE_SPLIT = "2a1ddd1"


def _run(code: str, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(path)}
    return subprocess.run([sys.executable, "-B", "-c", code, *args], env=env, capture_output=True, text=True, timeout=300)


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("lazy_models")


@pytest.fixture(scope="module")
def sagemaker(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, naming.ServiceNames]:
    """The whole sagemaker package (1,800 classes), models and validators."""
    ops = list(parse_dir(reference / "sagemaker"))
    out = tmp_path_factory.mktemp("lazy")
    write.write_tree(out, emit_package.render_package(ops, PKG, ("models", "validators")))
    (names,) = naming.resolve(ops)
    return out, names


_PROBE = """
import json, sys
from aws_typed.sagemaker import models
before = sorted(m for m in sys.modules if "._models." in m)
cls = getattr(models, sys.argv[1])
model = cls.from_dict(json.loads(sys.argv[2]))
assert type(model) is cls and model.to_dict() == json.loads(sys.argv[2])
print(json.dumps([before, sorted(m for m in sys.modules if "._models." in m)]))
"""


def test_import_and_first_use_load_only_the_class_module(sagemaker: tuple[Path, naming.ServiceNames]) -> None:
    out, names = sagemaker
    assert len(names.api_classes()) > 1000
    request = names.request_class(next(op for op in names.operations if op.name == "create_model_package"))
    done = _run(_PROBE, out, request, "{}")
    assert done.returncode == 0, done.stderr
    before, after = json.loads(done.stdout)
    assert before == []  # importing models loads no class
    assert after == [f"{PKG}.sagemaker.{MODELS_DIR}.{bucket_of(request)}"]


def test_nested_load_imports_only_the_classes_it_meets(sagemaker: tuple[Path, naming.ServiceNames]) -> None:
    out, names = sagemaker
    request = names.request_class(next(op for op in names.operations if op.name == "create_model_package"))
    spec = names.class_at("create_model_package", "input.InferenceSpecification")
    container = names.class_at("create_model_package", "input.InferenceSpecification.Containers[]")
    data = {"InferenceSpecification": {"Containers": [{"Image": "i"}]}}
    done = _run(_PROBE, out, request, json.dumps(data))
    assert done.returncode == 0, done.stderr
    _, after = json.loads(done.stdout)
    assert after == sorted({f"{PKG}.sagemaker.{MODELS_DIR}.{bucket_of(n)}" for n in (request, spec, container)})
    # (the nested class of another module is read from `models` when from_dict runs)
    text = model_file(out / PKG / "sagemaker", request).read_text()
    if bucket_of(spec) != bucket_of(request):
        assert f'later(_models, "{spec}")' in text


def test_every_class_is_in_the_module_its_name_gives(sagemaker: tuple[Path, naming.ServiceNames]) -> None:
    out, names = sagemaker
    service = out / PKG / "sagemaker"
    modules = sorted(p.name for p in (service / MODELS_DIR).glob("m*.py"))
    assert len(modules) == BUCKETS  # (1,800 classes fill every module)
    for name in sorted(names.api_classes())[::50]:
        assert f"\nclass {name}(_Model):" in model_file(service, name).read_text()
    facade = (service / "models.py").read_text()
    assert len(facade) < 10_000 and "\nclass " not in facade


def test_type_checkers_see_every_class_exactly(tmp_path: Path) -> None:
    ops = parse_ok(SEED)
    (names,) = naming.resolve(ops)
    write.write_tree(tmp_path, emit_package.render_package(ops, PKG, ("models",)))
    request = names.request_class(ops[0])
    spec = names.class_at("create_model_package", "input.InferenceSpecification")
    (tmp_path / "use.py").write_text(
        f"from {PKG}.sagemaker.models import {request}, {spec}\n"
        f"from {PKG}.sagemaker import models\n\n"
        f"x = {request}.from_dict({{}}).inference_specification\n"
        "reveal_type(x)\n"
        "models.NoSuchClass\n"
    )
    result = run_mypy(tmp_path, "use.py", PKG)
    lines = result.stdout.splitlines()
    assert any(f'Revealed type is "{PKG}.sagemaker._models.{bucket_of(spec)}.{spec} | {PKG}._runtime.UnsetType"' in line
               for line in lines), result.stdout
    # an unknown name is an error, not Any (the module __getattr__ is hidden from type checkers)
    assert any('Module has no attribute "NoSuchClass"' in line for line in lines), result.stdout
    assert len(lines) == 2, result.stdout


def test_unknown_names_and_star_import(tmp_path: Path) -> None:
    ops = parse_ok(SEED)
    (names,) = naming.resolve(ops)
    write.write_tree(tmp_path, emit_package.render_package(ops, PKG, ("models",)))
    code = f"""
import sys
from {PKG}.sagemaker import models
try:
    models.NoSuchClass
except AttributeError as exc:
    print(exc)
ns = {{}}
exec("from {PKG}.sagemaker.models import *", ns)
print(sorted(k for k in ns if not k.startswith("__")) == sorted(models.__all__))
print(len(models.__all__))
"""
    done = _run(code, tmp_path)
    assert done.returncode == 0, done.stderr
    error, same, count = done.stdout.splitlines()
    assert error == f"module '{PKG}.sagemaker.models' has no attribute 'NoSuchClass'"
    assert same == "True" and int(count) == len(names.api_classes()) + len(names.enums)


def test_get_type_hints_needs_the_models_namespace(tmp_path: Path) -> None:
    """typing.get_type_hints of a class whose annotations name a class of another module
    (imported there for type checkers only) needs `localns` (docs/runtime.md): then it
    gives the exact classes."""
    ops = parse_ok(SEED)
    write.write_tree(tmp_path, emit_package.render_package(ops, PKG, ("models",)))
    (names,) = naming.resolve(ops)
    request = names.request_class(ops[0])
    spec = names.class_at("create_model_package", "input.InferenceSpecification")
    assert bucket_of(spec) != bucket_of(request)
    code = f"""
import typing
from {PKG}.sagemaker import models
try:
    typing.get_type_hints(models.{request})
except NameError:
    print("NameError")
everything = {{name: getattr(models, name) for name in models.__all__}}  # (imports every module)
hints = typing.get_type_hints(models.{request}, localns=everything)
print(typing.get_args(hints["inference_specification"])[0] is models.{spec})
"""
    done = _run(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["NameError", "True"]


def test_upgrade_from_one_models_file_keeps_hand_edits(tmp_path: Path) -> None:
    """A models.py and a validators.py with hand edits, made by the generator before the
    split: the new layout is written beside them, the edited files are left as they are,
    and the run reports the conflicts."""
    old = tmp_path / "before"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", BEFORE_SPLIT, "codegen", "templates"],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    inp = tmp_path / "input"
    shutil.copytree(SEED.parent.parent, inp / "sagemaker")
    out = tmp_path / "out"
    code = "import sys; from pathlib import Path; from codegen import incremental; " \
           "incremental.regenerate([Path(sys.argv[1])], Path(sys.argv[2]), 'aws_typed')"
    done = subprocess.run([sys.executable, "-c", code, str(inp), str(out)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(old)}, cwd=old, timeout=300)
    assert done.returncode == 0, done.stderr
    models = out / PKG / "sagemaker" / "models.py"
    (names,) = naming.resolve(parse_ok(SEED))
    request = names.request_class(names.operations[0])
    text = models.read_text()
    assert f"class {request}(_Model):" in text  # the layout before the split
    anchor = f"class {request}(_Model):\n"
    start = text.index("    def to_dict(self", text.index(anchor))
    mine = text[:start] + "    def mine(self) -> int:\n        return 1\n\n" + text[start:]
    models.write_text(mine)
    # (and one validators.py, with an edited check)
    validators = out / PKG / "sagemaker" / "validators.py"
    text = validators.read_text()
    cut = text.index("        return\n", text.index(f"def _check_{request}(")) + len("        return\n")
    checked = text[:cut] + '    issues.append(Issue(path, "mine", "added by hand"))\n' + text[cut:]
    validators.write_text(checked)

    result = run.regenerate([inp], out, PKG)
    assert sorted((c.file, c.member) for c in result.conflicts) == [
        (f"{PKG}/sagemaker/models.py", f"class {request}"),
        (f"{PKG}/sagemaker/validators.py", f"def _check_{request}"),
    ], result.conflicts
    assert models.read_text() == mine and validators.read_text() == checked  # the edits are all there
    assert model_file(out / PKG / "sagemaker", request).is_file()  # the new layout beside it
    assert (out / PKG / "sagemaker" / VALIDATORS_DIR / f"{bucket_of(request)}.py").is_file()
    assert run.regenerate([inp], out, PKG).conflicts  # and still reported


# --- validators ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ec2(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, naming.ServiceNames]:
    """The whole ec2 package (750 operations, 540 enums), validators only."""
    ops = list(parse_dir(reference / "ec2"))
    out = tmp_path_factory.mktemp("lazy_ec2")
    write.write_tree(out, emit_package.render_package(ops, PKG, ("validators",)))
    (names,) = naming.resolve(ops)
    return out, names


# Imports the validators, then validates one request (enums="error"); prints the generated
# modules loaded before and after, the issues, and whether botocore was imported.
_VALIDATE = """
import json, sys
from aws_typed.SERVICE import validators
def loaded():
    return sorted(m for m in sys.modules if m.startswith("aws_typed.SERVICE."))
before = loaded()
issues = validators.validate(sys.argv[1], json.loads(sys.argv[2]), "error")
print(json.dumps([before, loaded(), [[i.path, i.code] for i in issues], "botocore" in sys.modules]))
"""


def _validate(out: Path, service: str, operation: str, data: object) -> tuple[list[str], list[str], list[list[str]]]:
    """(modules of the service loaded by the import, and after validating, the issues)."""
    done = _run(_VALIDATE.replace("SERVICE", service), out, operation, json.dumps(data))
    assert done.returncode == 0, done.stderr
    before, after, issues, botocore = json.loads(done.stdout)
    assert not botocore
    return before, after, issues


def _bucket(service: str, *names: str) -> list[str]:
    return sorted({f"{PKG}.{service}.{VALIDATORS_DIR}.{bucket_of(n)}" for n in names})


@pytest.mark.parametrize("service, operation", [("sagemaker", "create_model_package"), ("ec2", "run_instances")])
def test_validating_one_request_loads_only_its_module(
    service: str, operation: str, sagemaker: tuple[Path, naming.ServiceNames], ec2: tuple[Path, naming.ServiceNames]
) -> None:
    out, names = sagemaker if service == "sagemaker" else ec2
    request = names.request_class(next(op for op in names.operations if op.name == operation))
    before, after, issues = _validate(out, service, operation, {})
    validators = f"{PKG}.{service}.validators"
    assert before == [validators]  # importing the validators loads no check
    assert after == sorted([f"{PKG}.{service}.{VALIDATORS_DIR}", validators, *_bucket(service, request)])
    shape = next(c for c in names.classes if c.name == request).shape
    required = [w for w, m in shape.members if m.required and not m.autopopulated]
    assert issues == [[w, "missing_required"] for w in required]


def test_nested_checks_load_the_modules_of_what_the_data_has(ec2: tuple[Path, naming.ServiceNames]) -> None:
    """A check of another module is read from `validators` when the data has such a
    member: the modules of the classes and enums met, nothing else."""
    out, names = ec2
    op = "run_instances"
    request = names.request_class(next(o for o in names.operations if o.name == op))
    mapping = names.class_at(op, "input.BlockDeviceMappings[]")
    ebs = names.class_at(op, "input.BlockDeviceMappings[].Ebs")
    volume_type = names.enum_at(op, "input.BlockDeviceMappings[].Ebs.VolumeType")
    data = {"MinCount": 1, "MaxCount": 1, "BlockDeviceMappings": [{"Ebs": {"VolumeType": "nope"}}]}
    _, after, issues = _validate(out, "ec2", op, data)
    assert [m for m in after if f".{VALIDATORS_DIR}." in m] == _bucket("ec2", request, mapping, ebs, volume_type)
    assert [i for i in issues if i[1] != "missing_required"] == [["BlockDeviceMappings[0].Ebs.VolumeType", "invalid_enum"]]
    if len(set(_bucket("ec2", request, mapping, ebs))) == 3:  # (each in its own module)
        text = (out / PKG / "ec2" / VALIDATORS_DIR / f"{bucket_of(mapping)}.py").read_text()
        assert f"_validators._check_{ebs}(" in text


def test_every_check_is_in_the_module_its_class_gives(ec2: tuple[Path, naming.ServiceNames]) -> None:
    out, names = ec2
    service = out / PKG / "ec2"
    assert len(list((service / VALIDATORS_DIR).glob("m*.py"))) == BUCKETS
    for name in sorted(names.api_request_classes())[::40]:
        text = (service / VALIDATORS_DIR / f"{bucket_of(name)}.py").read_text()
        assert f"\ndef _check_{name}(" in text
    for op in names.operations[::40]:
        text = (service / VALIDATORS_DIR / f"{bucket_of(names.request_class(op))}.py").read_text()
        assert f"\ndef validate_{op.name}(" in text and f"\ndef check_{op.name}(" in text
    facade = (service / "validators.py").read_text()
    assert "\ndef _check_" not in facade and "\ndef validate_" not in facade and "_KEYS_" not in facade


def test_operations_star_import_and_unknown_names(ec2: tuple[Path, naming.ServiceNames]) -> None:
    """OPERATIONS (every operation's validator), `import *` and a missing name behave as
    with one module."""
    out, names = ec2
    code = f"""
import json
from {PKG}.ec2 import validators
print(json.dumps(sorted(validators.OPERATIONS)))
print(all(validators.OPERATIONS[op] is getattr(validators, "validate_" + op) for op in validators.OPERATIONS))
for name in ("NoSuchName", "_check_NoSuchClass", "validate_no_such_operation", "check_structure"):
    try:
        getattr(validators, name)
    except AttributeError as exc:
        print(exc)
ns = {{}}
exec("from {PKG}.ec2.validators import *", ns)
print(sorted(k for k in ns if not k.startswith("__")) == sorted(validators.__all__))
"""
    done = _run(code, out)
    assert done.returncode == 0, done.stderr
    operations, same, *errors, star = done.stdout.splitlines()
    assert json.loads(operations) == sorted(o.name for o in names.operations)
    assert same == "True" and star == "True"
    assert errors == [f"module '{PKG}.ec2.validators' has no attribute '{n}'"
                      for n in ("NoSuchName", "_check_NoSuchClass", "validate_no_such_operation", "check_structure")]


def test_type_checkers_see_every_validator_exactly(tmp_path: Path) -> None:
    """mypy --strict and pyright see each validator's signature (not Any), through the
    checks' modules, and an unknown name is an error."""
    ops = parse_ok(SEED)
    write.write_tree(tmp_path, emit_package.render_package(ops, PKG, ("models", "validators")))
    op = ops[0].name
    (tmp_path / "use.py").write_text(
        f"from {PKG}.sagemaker.validators import OPERATIONS, validate_{op}\n"
        f"from {PKG}.sagemaker import validators\n\n"
        f"reveal_type(validate_{op})\n"
        "reveal_type(OPERATIONS)\n"
        f"n: int = validate_{op}({{}})\n"
        "validators.no_such_check\n"
    )
    result = run_mypy(tmp_path, "use.py", PKG)
    lines = result.stdout.splitlines()
    b = r"(?:builtins\.)?"  # (how mypy prints builtins depends on its version)
    assert re.search(rf'use.py:4: note: Revealed type is "def \(params: typing.Mapping\[{b}str, Any\], enums: .*'
                     rf'\) -> {b}list\[{PKG}._runtime.Issue\]"', result.stdout), result.stdout
    assert re.search(rf'use.py:5: note: Revealed type is "{b}dict\[{b}str, {PKG}._runtime.Validator\]"',
                     result.stdout), result.stdout
    assert any("use.py:6: error: Incompatible types in assignment" in line for line in lines), result.stdout
    assert any('use.py:7: error: Module has no attribute "no_such_check"' in line for line in lines), result.stdout
    assert len(lines) == 4, result.stdout
    (tmp_path / "use.py").write_text("\n".join(line for line in (tmp_path / "use.py").read_text().splitlines()
                                               if not line.startswith("reveal_type")) + "\n")
    assert _pyright(tmp_path, PKG, "use.py") == {"use.py": {4, 5}}  # (the package: no error)


def _check_text(files: dict[str, str], name: str) -> str:
    """The definition of `_check_<name>` in rendered files."""
    text = files[f"{PKG}/sagemaker/{VALIDATORS_DIR}/{bucket_of(name)}.py"]
    start = text.index(f"\ndef _check_{name}(")
    end = text.find("\n\n\n", start)
    return text[start:] if end < 0 else text[start:end]


def test_code_added_to_a_check_runs_and_is_kept(tmp_path: Path, reference: Path) -> None:
    """Code added by hand to a check in its module is what the validators run, and a
    regeneration from newer pages keeps it."""
    inp = tmp_path / "input"
    shutil.copytree(SEED.parent.parent, inp / "sagemaker")
    page = inp / "sagemaker" / SEED.relative_to(SEED.parent.parent)
    newer = reference / "sagemaker" / "client" / SEED.name
    out = tmp_path / "out"
    assert not run.regenerate([inp], out, PKG).conflicts
    before = emit_package.render_package(parse_ok(page), PKG, ("validators",))
    after = emit_package.render_package(parse_ok(newer), PKG, ("validators",))
    assert before != after
    (names,) = naming.resolve(parse_ok(page))
    # a check that the newer page leaves as it is (an edit of one it changes is a conflict)
    name = next(n for n in sorted(names.api_request_classes())
                if f"\ndef _check_{n}(" in after.get(f"{PKG}/sagemaker/{VALIDATORS_DIR}/{bucket_of(n)}.py", "")
                and _check_text(before, n) == _check_text(after, n))
    module = out / PKG / "sagemaker" / VALIDATORS_DIR / f"{bucket_of(name)}.py"
    text = module.read_text()
    head = text.index("        return\n", text.index(f"def _check_{name}(")) + len("        return\n")
    mine = '    if "Mine" in value:\n        issues.append(Issue(path, "mine", "added by hand"))\n'
    module.write_text(text[:head] + mine + text[head:])
    shutil.copyfile(newer, page)
    result = run.regenerate([inp], out, PKG)
    assert not result.conflicts, result.conflicts
    assert mine in module.read_text()
    code = f"""
from {PKG}.sagemaker import validators
issues = []
validators._check_{name}({{"Mine": 1}}, "", issues, 0)
print(" ".join(i.code for i in issues))
"""
    done = _run(code, out)
    assert done.returncode == 0, done.stderr
    assert {"mine", "unknown_key"} <= set(done.stdout.split())


def _bench() -> Any:
    """bench/bench_import.py, which times one import and first use."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_import", REPO / "bench" / "bench_import.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


@pytest.fixture(scope="module")
def corpus_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Models and validators of every service of the reference: generated here, or taken
    from CODEGEN_CORPUS_PACKAGE (a folder `codegen generate --targets models,validators
    --package-name aws_typed` wrote from the whole reference, by this generator)."""
    given = os.environ.get("CODEGEN_CORPUS_PACKAGE")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("corpus") / "pkg"
    result = run.generate([corpus_root()], out, PKG, targets=("models", "validators"), jobs=2)
    assert not [e for e in result.errors if "bullets and syntax block disagree" not in e]
    return out


def _slowest(pkg: Path, kind: str) -> None:
    """Import of `<pkg>.<service>.<kind>` plus a first use (bench/bench_import.py: the
    largest class's from_dict / to_dict, the validation of the operation with the largest
    module), for every service, with and without .pyc: CPU time of a fresh interpreter,
    median of five. Prints the slowest service; each must be under 0.1 s."""
    bench = _bench()
    times: dict[tuple[str, bool], float] = {}
    for service in sorted(p.name for p in (pkg / PKG).iterdir() if (p / f"{kind}.py").is_file()):
        name = bench.largest(pkg, service)[0] if kind == "models" else bench.heaviest_operation(pkg, service)
        if not name:
            continue  # (a service without a structure has no class to use)
        for pyc in (True, False):
            times[service, pyc] = bench.measure(pkg, kind, service, name, pyc, 5)[1]
    (slowest, pyc), worst = max(times.items(), key=lambda item: item[1])
    print(f"{kind}: slowest: {slowest} ({'with' if pyc else 'without'} .pyc): {worst:.3f} s CPU "
          f"of {len(times) // 2} services")
    assert worst < 0.1, (slowest, pyc, worst)


@pytest.mark.corpus
def test_every_service_imports_its_models_in_under_a_tenth_of_a_second(corpus_package: Path) -> None:
    _slowest(corpus_package, "models")


@pytest.mark.corpus
def test_every_service_imports_its_validators_in_under_a_tenth_of_a_second(corpus_package: Path) -> None:
    _slowest(corpus_package, "validators")
