"""Import time of the generated models and validators: import plus first use.

    python bench/bench_import.py [SERVICE ...] [--runs 5] [--out DIR] [--keep]

SERVICE defaults to sagemaker and ec2, generated (models and validators only) from the
pages of the installed boto3, cached in ~/.cache/codegen/boto3-<version>/<service>, into
a temporary folder (`--out`: that folder, generating only when it has no package yet).
Each figure is the median of `--runs` fresh interpreters (`python -X importtime` is not
used: the figure is wall time inside the child, from before the import to after the
first use), for

- models: `import <pkg>.<svc>.models`, then `from_dict({})` of one class and its
  `to_dict()`;
- validators: `import <pkg>.<svc>.validators`, then `validate_<op>({})` of one operation;

each with `.pyc` (compiled beforehand by a first import) and without (`-B`, with every
`__pycache__` of the package removed first, so that each run compiles what it imports).
Models are timed in a package generated without validators (`--targets models`), so
that the service's `__init__`, which imports its validators, does not count them.
Wall time and the child's CPU time (`time.process_time`) are both shown: on a shared,
loaded machine the wall time mostly measures waiting for a core.
The class is the service's largest (most members) and the operation the one whose module
of `_validators/` is the largest file (what the first validation imports), so the figure
is the worst first use. Prints a Markdown table (seconds).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "aws_typed"

_CHILD = r"""
import sys, time
t = time.perf_counter(), time.process_time()
import importlib
kind, svc, name = sys.argv[1:4]
mod = importlib.import_module(f"PACKAGE.{svc}.{kind}")
if kind == "models" and name:
    cls = getattr(mod, name)
    cls.from_dict({}, strict=False).to_dict()
elif name:
    getattr(mod, "validate_" + name)({})
print(time.perf_counter() - t[0], time.process_time() - t[1])
""".replace("PACKAGE", PACKAGE)


def generate(services: list[str], out: Path, targets: tuple[str, ...]) -> None:
    from codegen.pipeline.run import generate as run
    from codegen.pipeline.boto3_render import boto3_version

    cache = Path.home() / ".cache" / "codegen" / f"boto3-{boto3_version()}"
    inputs = out / "input"
    for service in services:
        if not (inputs / service).exists():
            shutil.copytree(cache / service, inputs / service)
    result = run([inputs], out / "-".join(("pkg", *targets)), PACKAGE, targets=targets, jobs=os.cpu_count() or 1)
    if result.errors:
        sys.exit("\n".join(result.errors))


def largest(pkg: Path, service: str) -> tuple[str, str]:
    """(class, operation): the model with the most fields ("" without models), and the
    operation whose validators module is the largest ("" without validators)."""
    code = f"""
import dataclasses, json, sys
sys.path.insert(0, {str(pkg)!r})
try:
    from {PACKAGE}.{service} import models
except ImportError:
    names = []
else:
    names = [n for n in models.__all__ if isinstance(getattr(models, n), type)]
print(json.dumps(max(names, key=lambda n: (len(dataclasses.fields(getattr(models, n))), n), default="")))
"""
    found = subprocess.run([sys.executable, "-B", "-c", code], check=True, capture_output=True, text=True)
    return json.loads(found.stdout), heaviest_operation(pkg, service)


def heaviest_operation(pkg: Path, service: str) -> str:
    """The operation whose `_validators/` module (the module of its request class) is the
    largest file, read from validators.py's `_REQUESTS` without importing anything."""
    from codegen.emit.models import bucket_of

    service_dir = pkg / PACKAGE / service
    facade = service_dir / "validators.py"
    if not facade.is_file():
        return ""
    requests: dict[str, str] = {}
    for node in ast.parse(facade.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "_REQUESTS":
            requests = ast.literal_eval(node.value) if node.value is not None else {}
    sizes = {op: (service_dir / "_validators" / f"{bucket_of(cls)}.py").stat().st_size for op, cls in requests.items()}
    return max(sorted(sizes), key=lambda op: sizes[op], default="")


def drop_pycache(root: Path) -> None:
    for cache in root.rglob("__pycache__"):
        shutil.rmtree(cache)


def drop_service_pycache(pkg: Path, service: str) -> None:
    """The compiled files of what the child imports: the package root and the service
    (not the whole package: a corpus run would walk every service's folder each time)."""
    shutil.rmtree(pkg / PACKAGE / "__pycache__", ignore_errors=True)
    drop_pycache(pkg / PACKAGE / service)


def measure(pkg: Path, kind: str, service: str, name: str, pyc: bool, runs: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `runs` fresh interpreters."""
    env = {**os.environ, "PYTHONPATH": str(pkg)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args = [sys.executable, *([] if pyc else ["-B"]), "-c", _CHILD, kind, service, name]
    drop_service_pycache(pkg, service)
    if pyc:  # compile once, outside the measured runs
        subprocess.run(args, env=env, check=True, capture_output=True)
    wall, cpu = [], []
    for _ in range(runs):
        done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
        w, c = done.stdout.split()
        wall.append(float(w))
        cpu.append(float(c))
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("services", nargs="*", default=["sagemaker", "ec2"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-import-"))
    # Models are measured in a package generated without validators: the service's
    # __init__ imports its validators (templates/service_init.py.jinja2), which would be
    # measured twice.
    packages = {"models": ("models",), "validators": ("models", "validators")}
    for targets in packages.values():
        pkg = out / "-".join(("pkg", *targets))
        if not (pkg / PACKAGE).is_dir() or any(not (pkg / PACKAGE / s).is_dir() for s in args.services):
            generate(args.services, out, targets)
    print("Seconds, wall / CPU of the child (median of", args.runs, "runs)\n")
    print("| service | models .pyc | models no .pyc | validators .pyc | validators no .pyc | class | operation |")
    print("|---|---|---|---|---|---|---|")
    for service in args.services:
        cls, op = largest(out / "pkg-models-validators", service)
        row = [
            measure(out / "-".join(("pkg", *packages[kind])), kind, service, name, pyc, args.runs)
            for kind, name in (("models", cls), ("validators", op))
            for pyc in (True, False)
        ]
        cells = " | ".join(f"{w:.3f} / {c:.3f}" for w, c in row)
        print(f"| {service} | {cells} | `{cls}` | `{op}` |", flush=True)
    if args.out is None:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
