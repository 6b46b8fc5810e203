"""Import time of the generated models (docs/runtime.md, "Import time"): `models.py`
loads the module defining a class on first use; type checkers still see every class.

The default suite checks the layout structurally (which modules an import and a first
use load, counted in sys.modules); the `corpus` test times every service of the
reference in fresh interpreters."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import naming
from codegen.emit import package as emit_package
from codegen.emit.models import BUCKETS, MODELS_DIR, bucket_of
from codegen.pipeline import run, write
from conftest import SEED, corpus_root
from gen_support import REPO, model_file, parse_dir, parse_ok, run_mypy

PKG = "aws_typed"

# The generator of the commit before the models were split (one models.py per service):
# what a user upgrading from it has on disk.
BEFORE_SPLIT = "2a1ddd1"


def _run(code: str, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(path)}
    return subprocess.run([sys.executable, "-B", "-c", code, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sagemaker(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, naming.ServiceNames]:
    """The whole sagemaker package (1,800 classes), models only."""
    ops = list(parse_dir(reference / "sagemaker"))
    out = tmp_path_factory.mktemp("lazy")
    write.write_tree(out, emit_package.render_package(ops, PKG, ("models",)))
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


def test_upgrade_from_one_models_file_keeps_hand_edits(tmp_path: Path) -> None:
    """A models.py with hand edits, made by the generator before the split: the new
    layout is written beside it, the edited file is left as it is, and the run reports
    the conflict."""
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

    result = run.regenerate([inp], out, PKG)
    assert [c.file for c in result.conflicts] == [f"{PKG}/sagemaker/models.py"] * len(result.conflicts)
    assert [c.member for c in result.conflicts] == [f"class {request}"], result.conflicts
    assert models.read_text() == mine  # the edits are all there
    assert model_file(out / PKG / "sagemaker", request).is_file()  # the new layout beside it
    assert run.regenerate([inp], out, PKG).conflicts  # and still reported


@pytest.mark.corpus
def test_every_service_imports_its_models_in_under_a_tenth_of_a_second(tmp_path: Path) -> None:
    """Import of `<pkg>.<service>.models` plus the first use of its largest class, for
    every service of the reference, with and without .pyc (bench/bench_import.py: CPU
    time of a fresh interpreter, median of five). Prints the slowest service."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_import", REPO / "bench" / "bench_import.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "pkg"
    result = run.generate([corpus_root()], out, PKG, targets=("models",), jobs=2)
    assert not [e for e in result.errors if "bullets and syntax block disagree" not in e]
    times: dict[tuple[str, bool], float] = {}
    for service in sorted(p.name for p in (out / PKG).iterdir() if (p / "models.py").is_file()):
        cls, _ = bench.largest(out, service)
        if not cls:
            continue  # (a service without a structure has no class to use)
        for pyc in (True, False):
            times[service, pyc] = bench.measure(out, "models", service, cls, pyc, 5)[1]
    (slowest, pyc), worst = max(times.items(), key=lambda item: item[1])
    print(f"slowest: {slowest} ({'with' if pyc else 'without'} .pyc): {worst:.3f} s of {len(times) // 2} services")
    assert worst < 0.1, (slowest, pyc, worst)
