"""Hostile page text: nothing from a page ever runs, and nothing from a page breaks the package.

Every field a page carries (service id, service name, operation and API names, the
description, member docs, enum values, member and exception names) is set, one at a
time, to each payload of PAYLOADS in the seed page. One `codegen generate` over all those
pages; then each case is either rejected (exactly one error line naming its page) or
generated, and every generated module is imported in a subprocess: no sentinel file, no
output. One more page carries all the accepted text at once: its package is black-clean
and passes mypy --strict. The filters themselves are checked on every payload too.
"""

from __future__ import annotations

import ast
import keyword
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import black
import pytest
from conftest import SEED
from gen_support import models_text, run_mypy

from codegen import escape, fmt, naming
from codegen.emit import env
from codegen.rst.reader import parse_page
from codegen.tree import Shape

# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("injection")

SEED_TEXT = SEED.read_text(encoding="utf-8")
SENT = "@SENTINEL@"  # replaced by the path of a file that must never be created

# Each payload tries to escape the context it lands in: string literals of both quotes,
# docstrings, f-strings, comments, names the package uses, Markdown/HTML, lengths black
# and the layout must split, and names that are fine (so that acceptance is tested too).
PAYLOADS: list[str] = [
    f'../../a":open("{SENT}","w")#',
    f'a":open("{SENT}","w")#',
    'SageMaker"""\nimport this\n"""X',
    'Sage"""Maker',
    f'"""\n__import__("pathlib").Path("{SENT}").touch()\n"""',
    f"'''\n__import__('pathlib').Path('{SENT}').touch()\n'''",
    f'"); __import__("pathlib").Path("{SENT}").touch(); ("',
    f"'); __import__('pathlib').Path('{SENT}').touch(); ('",
    f'{{__import__("pathlib").Path("{SENT}").touch()}}',
    f'\\"""; __import__("pathlib").Path("{SENT}").touch(); """',
    f"x\n#\n__import__('pathlib').Path('{SENT}').touch()",
    "\\",
    "x\\",
    "\\N{DIGIT ONE}\\x41\\u0041\\0",
    '"',
    '""',
    "'",
    "# comment",
    "a\nb",
    "__init__",
    "__class__",
    "_runtime",
    "models",
    "check",
    "validate",
    "self",
    "kwargs",
    "class",
    "match",
    "str",
    "None",
    "my svc",
    'a"b: x, #',
    "{…}",
    "café",
    "٣x",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "`<script>` ``<b>`",
    "`a\n\n`<script>`",
    "[a]: javascript:alert(1)",
    "x" * 200 + '"quoted"' + "y" * 100,
    '"' * 40,
    "ok_name",
    "CreateModelPackage",
]


def _indented(payload: str, indent: str) -> str:
    """A payload's lines kept inside the RST block they are put in."""
    return payload.replace("\n", "\n" + indent)


def _replace(old: str, new: str, count: int = 1) -> Callable[[str, str], str]:
    def edit(text: str, payload: str) -> str:
        assert old in text
        return text.replace(old, new.format(p=payload), count)

    return edit


def _service_name(text: str, payload: str) -> str:
    return text.replace(
        "SageMaker.Client.create_model_package(", _indented(payload, "  ") + ".Client.create_model_package(", 1
    )


def _description(text: str, payload: str) -> str:
    return text.replace("Creates a model package that you can use", _indented(payload, "  "), 1)


def _member_doc(text: str, payload: str) -> str:
    old = "An MD5 hash of the training algorithm that identifies the Docker image used for training."
    return text.replace(old, _indented(payload, "          "), 1)


def _member(text: str, payload: str) -> str:
    return text.replace("**ImageDigest**", f"**{payload}**").replace("'ImageDigest':", f"'{payload}':")


FIELDS: dict[str, Callable[[str, str], str]] = {
    "service_id": lambda t, p: t.replace("<../../sagemaker>", f"<../../{p}>", 1),
    "service_name": _service_name,
    "operation": lambda t, p: t.replace("SageMaker.Client.create_model_package(", f"SageMaker.Client.{p}(", 1),
    "api_name": lambda t, p: t.replace("sagemaker-2017-07-24/CreateModelPackage>", f"sagemaker-2017-07-24/{p}>", 1),
    "description": _description,
    "member_doc": _member_doc,
    "enum": lambda t, p: t.replace("'ManifestFile'|", f"'{p}'|", 1),
    "member": _member,
    "exception": lambda t, p: t.replace("exceptions.ConflictException", f"exceptions.{p}", 1),
}
NAME_FIELDS = ("service_id", "service_name", "operation", "api_name")
CASES = [(field, i) for field in FIELDS for i in range(len(PAYLOADS))]


def _case_id(case: tuple[str, int]) -> str:
    return f"{case[0]}-{case[1]}"


def _page(field: str, payload: str, service_id: str) -> str:
    text = SEED_TEXT
    if field != "service_id":
        text = text.replace("<../../sagemaker>", f"<../../{service_id}>", 1)
    edited = FIELDS[field](text, payload)
    assert edited != text or payload in text, (field, payload)
    return edited


def _codegen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=900,
        env=dict(os.environ),
    )


IMPORT_ALL = textwrap.dedent(
    """
    import importlib, json, pathlib, sys
    root = pathlib.Path(sys.argv[1])
    package = sys.argv[2]
    sys.path.insert(0, str(root))
    report = {"imported": [], "failed": {}, "unknown_operation": {}}
    for path in sorted((root / package).rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        try:
            mod = importlib.import_module(module)
        except BaseException as exc:  # a broken module is reported, not raised
            report["failed"][module] = f"{type(exc).__name__}: {exc}"
            continue
        report["imported"].append(module)
        if module.endswith(".validators"):
            try:
                mod.validate("no_such_operation", {})
            except KeyError as exc:
                report["unknown_operation"][module] = exc.args[0]
    sys.stdout.flush()
    sys.stderr.write(json.dumps(report))
    """
)


def _import_all(root: Path, package: str, cwd: Path) -> tuple[dict[str, object], str]:
    """Import every module of the package in a fresh interpreter; (report, its stdout)."""
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, str(root), package], cwd=cwd, capture_output=True, text=True,
        timeout=900,
    )
    return json.loads(proc.stderr.strip().splitlines()[-1]), proc.stdout


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One generate over one page per case (each its own folder and service)."""
    base = tmp_path_factory.mktemp("injection")
    sentinel = base / "sentinel"
    pages = base / "in"
    sources: dict[tuple[str, int], str] = {}
    for n, (field, i) in enumerate(CASES):
        folder = f"case{n:04d}"
        rel = f"{folder}/client/create_model_package.rst"
        path = pages / rel
        path.parent.mkdir(parents=True)
        payload = PAYLOADS[i].replace(SENT, str(sentinel))
        path.write_text(_page(field, payload, f"svc{n:04d}"), encoding="utf-8")
        sources[(field, i)] = rel
    proc = _codegen("generate", str(pages), "--out", str(base / "out"), "--package-name", "injpkg", "-j", "2",
                    cwd=base)
    after_generate = sentinel.exists()
    report, stdout = _import_all(base / "out", "injpkg", cwd=base)
    return {
        "proc": proc, "sources": sources, "sentinel": sentinel, "after_generate": after_generate,
        "report": report, "stdout": stdout, "out": base / "out", "pages": pages,
        "services": _services(base / "out") if (base / "out" / "injpkg" / "__init__.py").is_file() else {},
    }


def _error_lines(stderr: str) -> list[str]:
    return [line.removeprefix("error: ") for line in stderr.splitlines() if re.match(r"(error: )?\S.*:\d+: ", line)]


def _services(out: Path) -> dict[str, str]:
    """service id → module, from the generated package's SERVICES."""
    tree = ast.parse((out / "injpkg" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "SERVICES":
            value = ast.literal_eval(node.value)  # type: ignore[arg-type]
            assert isinstance(value, dict)
            return value
    raise AssertionError("no SERVICES")


def _module_of(cases: dict[str, object], case: tuple[str, int]) -> str | None:
    """The service module generated for a case's page, if any."""
    field, i = case
    n = CASES.index(case)
    sid = PAYLOADS[i] if field == "service_id" else f"svc{n:04d}"
    services = cases["services"]
    assert isinstance(services, dict)
    return services.get(sid)


def test_nothing_from_a_page_runs(cases: dict[str, object]) -> None:
    proc = cases["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 1  # some pages are rejected
    assert not cases["after_generate"]
    assert not Path(str(cases["sentinel"])).exists()
    report = cases["report"]
    assert isinstance(report, dict)
    assert report["failed"] == {}
    assert cases["stdout"] == ""  # (`import this` prints the Zen of Python)
    # validators.validate names its service in an f-string: the literal text, no field run
    for module, message in report["unknown_operation"].items():
        assert message.endswith(" has no operation 'no_such_operation'"), (module, message)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case_is_rejected_on_one_line_or_generated_safely(cases: dict[str, object], case: tuple[str, int]) -> None:
    field, i = case
    payload = PAYLOADS[i]
    rel = cases["sources"][case]  # type: ignore[index]
    proc = cases["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    if f"{rel}: skipped (not a method page)" in proc.stderr.splitlines():
        assert field in NAME_FIELDS and _module_of(cases, case) is None  # no method signature: not read
        return
    mine = [line for line in _error_lines(proc.stderr) if rel in line]
    # no other line of stderr names the page (a message split over lines would)
    assert sum(rel in line for line in proc.stderr.splitlines()) == len(mine)
    # and every line of stderr is a known kind of line (none is a piece of a message)
    assert all(re.match(r"(error: )?\S.*:\d+: |\S.*: skipped |generate: |\d+ error", line)
               for line in proc.stderr.splitlines()), proc.stderr
    module = _module_of(cases, case)
    if mine:
        assert len(mine) == 1, mine
        assert re.match(re.escape(rel) + r":\d+: \S", mine[0]), mine[0]
        assert module is None
        if field in NAME_FIELDS:
            assert "\n" not in mine[0]
        return
    assert module is not None, f"{rel} neither rejected nor generated"
    assert f"injpkg.{module}.models" in cases["report"]["imported"]  # type: ignore[index]
    if field in NAME_FIELDS:
        # the names read from the page (the payload, or what of it RST reads as the name)
        # are plain names: checked without the validator under test
        op = parse_page((Path(str(cases["pages"])) / rel).read_bytes(), rel)
        for name in (module, op.service, op.name, op.api_name or "x"):
            assert name.isascii() and name.isidentifier() and not keyword.iskeyword(name), (payload, name)
            assert not name.startswith("_")


# Known-bad names from the issue, and good ones: the outcome of these is fixed.
REJECTED = [
    ("service_id", f'../../a":open("{SENT}","w")#'),
    ("service_id", "_runtime"),
    ("service_id", "check"),
    ("service_id", "my svc"),
    ("service_id", 'a"b: x, #'),
    ("service_id", "{…}"),
    ("service_id", "x" * 200 + '"quoted"' + "y" * 100),
    ("service_name", 'SageMaker"""\nimport this\n"""X'),
    ("service_name", "café"),
    ("service_name", 'Sage"""Maker'),
    ("operation", "__init__"),
    ("operation", "class"),
    ("operation", "str"),
    ("operation", "match"),
    ("api_name", '"); __import__("pathlib").Path("@SENTINEL@").touch(); ("'),
]
ACCEPTED = [("operation", "ok_name"), ("api_name", "CreateModelPackage"), ("service_id", "models"),
            ("service_name", "ok_name"), ("service_id", "class")]


@pytest.mark.parametrize("field,payload", REJECTED + ACCEPTED)
def test_known_names(cases: dict[str, object], field: str, payload: str) -> None:
    rel = cases["sources"][(field, PAYLOADS.index(payload))]  # type: ignore[index]
    proc = cases["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    rejected = any(rel in line for line in _error_lines(proc.stderr))
    assert rejected == ((field, payload) in REJECTED)


# --- one package with all the accepted text: black-clean, mypy --strict ---------------


def _combined_page(accepted: dict[str, list[str]], sentinel: Path) -> str:
    """The seed page with every accepted text payload at once."""
    text = SEED_TEXT
    one_line = [p.replace(SENT, str(sentinel)) for p in PAYLOADS if "\n" not in p]
    text = _description(text, " ".join(one_line))
    text = _member_doc(text, " ".join(reversed(one_line)))
    # (exception names become class names of the stub: only those its check accepts)
    exceptions = [p.replace(SENT, str(sentinel)) for p in accepted["exception"]]
    text = text.replace("exceptions.ConflictException", f"exceptions.{exceptions[0]}", 1)
    text = text.replace("exceptions.ResourceLimitExceeded", f"exceptions.{exceptions[-1]}", 1)
    enums = [p.replace(SENT, str(sentinel)) for p in accepted["enum"]]
    text = text.replace("'ManifestFile'|'S3Prefix'|'AugmentedManifestFile'|'Converse'",
                        "|".join(f"'{p}'" for p in enums), 1)
    # each accepted member name on a member of its own (the page keeps its other names)
    members = ["ImageDigest", "ModelDataUrl", "ProductId", "Framework", "FrameworkVersion", "NearestModelName",
               "ModelDataETag", "AdditionalS3DataSource", "ContainerHostname", "Environment"]
    for wire, payload in zip(members, accepted["member"]):
        payload = payload.replace(SENT, str(sentinel))
        text = text.replace(f"**{wire}**", f"**{payload}**").replace(f"'{wire}':", f"'{payload}':")
    return text


@pytest.fixture(scope="module")
def combined(cases: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    proc = cases["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    errors = _error_lines(proc.stderr)
    accepted = {
        field: [PAYLOADS[i] for (f, i), rel in cases["sources"].items()  # type: ignore[attr-defined]
                if f == field and not any(rel in line for line in errors)]
        for field in ("enum", "member", "exception")
    }
    base = tmp_path_factory.mktemp("combined")
    sentinel = base / "sentinel"
    page = base / "in" / "sagemaker" / "client" / "create_model_package.rst"
    page.parent.mkdir(parents=True)
    page.write_text(_combined_page(accepted, sentinel), encoding="utf-8")
    gen = _codegen("generate", str(base / "in"), "--out", str(base / "out"), "--package-name", "hostile", "-q",
                   cwd=base)
    return {"proc": gen, "out": base / "out", "sentinel": sentinel, "accepted": accepted, "base": base}


def test_combined_hostile_text_is_generated_and_inert(combined: dict[str, object]) -> None:
    proc = combined["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    assert proc.returncode == 0, proc.stderr
    accepted = combined["accepted"]
    assert isinstance(accepted, dict)
    assert len(accepted["enum"]) >= 20 and len(accepted["member"]) >= 5, accepted
    out = Path(str(combined["out"]))
    report, stdout = _import_all(out, "hostile", cwd=Path(str(combined["base"])))
    assert report["failed"] == {} and stdout == ""
    assert not Path(str(combined["sentinel"])).exists()
    # the text is there, as data: every enum value read from the page is a value of its Literal
    models = models_text(out / "hostile" / "sagemaker")
    values = {
        node.value
        for node in ast.walk(ast.parse(models))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    page = Path(str(combined["base"])) / "in" / "sagemaker" / "client" / "create_model_package.rst"
    op = parse_page(page.read_bytes(), "page.rst")
    enums = {v for shape in _shapes(op.input) for v in shape.enum}
    assert len(enums) >= 20 and enums <= values


def _shapes(shape: Shape) -> list[Shape]:
    out = [shape]
    for _, member in shape.members:
        out += _shapes(member.shape)
    for child in (shape.member, shape.key, shape.value):
        if child is not None:
            out += _shapes(child)
    return out


def test_combined_package_is_black_clean(combined: dict[str, object]) -> None:
    out = Path(str(combined["out"]))
    proc = subprocess.run([sys.executable, "-m", "black", "--check", "-q", str(out / "hostile")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_combined_package_passes_mypy_strict(combined: dict[str, object]) -> None:
    out = Path(str(combined["out"]))
    proc = run_mypy(out, "-p", "hostile")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_combined_docs_carry_no_html(combined: dict[str, object]) -> None:
    out = Path(str(combined["out"]))
    for page in (out / "docs").rglob("*.md"):
        outside = _outside_code(page.read_text(encoding="utf-8"))
        assert not re.search(r"(?<!\\)<", outside), page
        assert not re.search(r"(?<!\\)\]\(\s*javascript:", outside, re.IGNORECASE), page


# --- the filters, on every payload ---------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pyrepr_is_the_literal(payload: str) -> None:
    literal = env.pyrepr(payload)
    assert ast.literal_eval(literal) == payload
    laid = fmt.fit(f"x = [{literal}, {literal}]", 1)
    assert black.format_str(f"def f():\n{laid}\n", mode=fmt.mode()) == f"def f():\n{laid}\n"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_docstring_forms_hold_one_string(payload: str) -> None:
    for body in (env.docline(payload), env.docstring(payload)):
        source = f'def f() -> None:\n    """Text {body} more."""\n'
        tree = ast.parse(source)
        func = tree.body[0]
        assert isinstance(func, ast.FunctionDef) and len(func.body) == 1
        assert isinstance(func.body[0], ast.Expr) and isinstance(func.body[0].value, ast.Constant)
    docstring = env.doc(payload, 1)
    module = ast.parse(docstring.strip())
    assert len(module.body) == 1 and isinstance(module.body[0].value, ast.Constant)  # type: ignore[attr-defined]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_fstring_keeps_text_as_text(payload: str) -> None:
    code = env.fstring(payload, "{x!r}")
    assert eval(code, {"__builtins__": {}}, {"x": 1}) == payload + "1"  # noqa: S307 - our own literal


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_filters_leave_no_markup(payload: str) -> None:
    for text in (escape.md_text(payload), escape.md_cell(payload), escape.md_cell(payload + "\n" + payload)):
        outside = _outside_code(text)
        assert not re.search(r"(?<!\\)<", outside), text
        assert not re.search(r"(?<!\\)\]\(\s*javascript:", outside, re.IGNORECASE)  # no such link
        assert not re.search(r"(?<!\\)\]:", outside)  # no link reference definition
    code = escape.md_code(payload, cell=True)
    fence = re.match("`+", code)
    assert fence is not None and code.endswith(fence.group()) and "\n" not in code
    assert fence.group() not in code[len(fence.group()) : -len(fence.group())]
    assert _outside_code(code) == ""


# --- the validator ---------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_a_clean_name_or_rejected_in_one_line(payload: str) -> None:
    checks = (naming.check_service_id, naming.check_service_name, naming.check_operation_name,
              naming.check_api_name, naming.check_package_name)
    for check in checks:
        try:
            name = check(payload)
        except naming.InvalidName as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 200
            continue
        ident = naming.module_name(name) if check is naming.check_service_id else name
        assert ident.isascii() and ident.isidentifier() and not keyword.iskeyword(ident)
        assert not ident.startswith("__")


def test_reserved_names_cover_the_templates() -> None:
    """The names a service module or an operation must not take are the ones the
    templates define (read from the templates, so that a new one is not forgotten)."""
    from codegen.emit.env import template_dir

    runtime = (template_dir() / "runtime.py.jinja2").read_text(encoding="utf-8")
    assert set(re.findall(r"^def check_(\w+)\(", runtime, re.MULTILINE)) == naming.RUNTIME_CHECKS
    package_init = (template_dir() / "package_init.py.jinja2").read_text(encoding="utf-8")
    rendered = package_init.replace("{{ package }}", "pkg").split('"""', 2)[2]  # (not the docstring)
    top = set(re.findall(r"^def (\w+)\(", rendered, re.MULTILINE))
    top |= set(re.findall(r"^(\w+)(?::| =)", rendered, re.MULTILINE))
    top |= {n.strip() for line in re.findall(r"^from \S+ import (.+)$", rendered, re.MULTILINE) for n in line.split(",")}
    top |= set(re.findall(r"^import (\w+)$", rendered, re.MULTILINE))
    assert {n for n in top if not n.startswith("__")} <= naming.PACKAGE_NAMES
    service_init = (template_dir() / "service_init.py.jinja2").read_text(encoding="utf-8")
    imported = re.search(r"import (.+?)\"\) \| line", service_init)
    assert imported is not None
    assert {n.strip() for n in imported.group(1).split(",")} <= naming.SERVICE_NAMES


def test_real_names_pass(oracle_names: dict[str, list[str]]) -> None:
    """Every service, client class, method and API name botocore has (the oracle)."""
    for service_id in oracle_names["service_id"]:
        naming.check_service_id(service_id)
    for name in oracle_names["service_name"]:
        naming.check_service_name(name)
    for name in oracle_names["operation"]:
        naming.check_operation_name(name)
    for name in oracle_names["api_name"]:
        naming.check_api_name(name)
    assert len(oracle_names["service_id"]) > 400


@pytest.fixture(scope="module")
def oracle_names() -> dict[str, list[str]]:
    import boto3
    from botocore import xform_name
    from botocore.model import ServiceModel
    from botocore.utils import get_service_module_name

    session = boto3.Session(region_name="us-east-1")
    loader = session._session.get_component("data_loader")  # the same models boto3 documents
    names: dict[str, list[str]] = {"service_id": [], "service_name": [], "operation": [], "api_name": []}
    for service_id in session.get_available_services():
        model = loader.load_service_model(service_id, "service-2")
        names["service_id"].append(service_id)
        # the X of `X.Client.method`: the client class boto3 documents
        names["service_name"].append(get_service_module_name(ServiceModel(model, service_id)))
        for api in model["operations"]:
            names["api_name"].append(api)
            names["operation"].append(xform_name(api))
    return names


@pytest.mark.parametrize("name", ["os", "typing", "dataclasses", "sys", "class", "a-b", "café", "boto3", "", "a" * 300])
def test_package_name_is_checked(tmp_path: Path, name: str) -> None:
    proc = _codegen("generate", str(SEED), "--out", str(tmp_path / "out"), "--package-name", name, cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: package name "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_changes_md_carries_no_html(tmp_path: Path) -> None:
    """CHANGES.md names members and values that come from pages (codegen/diff/render.py)."""
    pages = tmp_path / "in" / "sagemaker" / "client"
    pages.mkdir(parents=True)
    page = pages / "create_model_package.rst"
    page.write_text(SEED_TEXT, encoding="utf-8")
    assert _codegen("generate", str(tmp_path / "in"), "--out", "out", "-q", cwd=tmp_path).returncode == 0
    hostile = "x`<img src=x onerror=alert(1)>``[a](javascript:alert(1))"
    text = _member(SEED_TEXT, hostile).replace("'ManifestFile'|", "'v`<script>alert(1)</script>`'|", 1)
    page.write_text(text, encoding="utf-8")
    proc = _codegen("generate", str(tmp_path / "in"), "--out", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    changes = (tmp_path / "out" / "CHANGES.md").read_text(encoding="utf-8")
    assert "onerror" in changes and "script" in changes  # the change is listed...
    outside = _outside_code(changes)  # ...as text: in code spans, or escaped
    assert not re.search(r"(?<!\\)<", outside), outside
    assert not re.search(r"(?<!\\)\]\(\s*javascript:", outside)


def _outside_code(text: str) -> str:
    """Markdown text without its fenced blocks and code spans (CommonMark's pairing:
    a backtick run closes with the next run of the same length)."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    blocks = re.split(r"\n[ \t]*\n", text)  # code spans end with their paragraph
    if len(blocks) > 1:
        return "\n\n".join(_outside_code(block) for block in blocks)
    out, pos = [], 0
    while (opening := re.compile(r"(?<![`\\])`+").search(text, pos)) is not None:
        closing = re.compile(r"(?<!`)" + opening.group() + r"(?!`)").search(text, opening.end())
        if closing is None:
            out.append(text[pos : opening.end()])
            pos = opening.end()
            continue
        out.append(text[pos : opening.start()])
        pos = closing.end()
    return "".join(out) + text[pos:]


@pytest.mark.parametrize("field,value", [("service_id", "_runtime"), ("service", 'S"""'), ("name", "__init__"),
                                         ("api_name", "X(1)"), ("service_id", "")])
def test_trees_from_elsewhere_are_checked_before_templates(field: str, value: str) -> None:
    """A tree that did not come from the page reader (the parse cache, JSON) passes the
    same validator in naming.resolve."""
    import dataclasses

    op = parse_page(SEED.read_bytes(), "seed.rst")
    with pytest.raises(naming.InvalidName, match=r"^seed\.rst:1: ") as info:
        naming.resolve([dataclasses.replace(op, **{field: value})])
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("service_id,ok", [
    ("s3", True), ("bedrock-runtime", True), ("sagemaker-a2i-runtime", True), ("ec2", True), ("class", True),
    ("S3", False), ("-s3", False), ("3s", False), ("s3_x", False), ("s3.x", False), ("a" * 64, False),
    ("a" * 63, True), ("check", False), ("validate", False), ("", False), ("s3\n", False),
    ("class-", False), ("a--b", False), ("a-", False), ("a-b-c9", True),
])
def test_service_id_rule(service_id: str, ok: bool) -> None:
    if ok:
        assert naming.check_service_id(service_id) == service_id
        assert naming.module_name(service_id).isidentifier()
    else:
        with pytest.raises(naming.InvalidName):
            naming.check_service_id(service_id)


@pytest.mark.parametrize("name,ok", [
    ("create_model", True), ("can_paginate", True), ("get_paginator", True), ("check", True),
    ("__init__", False), ("_private", False), ("str", False), ("required", False), ("index", False),
    ("match", False), ("class", False), ("café", False), ("a b", False), ("1x", False),
])
def test_operation_name_rule(name: str, ok: bool) -> None:
    if ok:
        assert naming.check_operation_name(name) == name
    else:
        with pytest.raises(naming.InvalidName, match="^operation name "):
            naming.check_operation_name(name)


def test_a_name_too_long_for_a_file_name_fails_its_page_only(tmp_path: Path) -> None:
    """An operation becomes `docs/<service>/<operation>.md`: one of 300 characters is an
    error for its page, not an OSError (File name too long) that stops the run."""
    long_name = "create_" + "x" * 300
    good = tmp_path / "in" / "sagemaker" / "client"
    bad = tmp_path / "in" / "ec2" / "client"
    good.mkdir(parents=True)
    bad.mkdir(parents=True)
    (good / "create_model_package.rst").write_text(SEED_TEXT, encoding="utf-8")
    page = SEED_TEXT.replace("<../../sagemaker>", "<../../ec2>", 1).replace(
        "SageMaker.Client.create_model_package(", f"SageMaker.Client.{long_name}(", 1
    )
    (bad / "long.rst").write_text(page, encoding="utf-8")
    proc = _codegen("generate", str(tmp_path / "in"), "--out", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: ec2/client/long.rst:9: operation name {escape.shown(long_name)} "
                      f"is longer than {naming.MAX_NAME} characters"], proc.stderr
    assert (tmp_path / "out" / "aws_typed" / "sagemaker" / "models.py").is_file()
    assert not (tmp_path / "out" / "aws_typed" / "ec2").exists()


def test_two_service_ids_never_make_one_module(tmp_path: Path) -> None:
    """`class` and `class-` would both be the module `class_`: the two services would
    write the same files, each run reporting the other's text as a hand edit."""
    for service_id in ("class", "class-"):
        folder = tmp_path / "in" / service_id / "client"
        folder.mkdir(parents=True)
        page = SEED_TEXT.replace("<../../sagemaker>", f"<../../{service_id}>", 1)
        (folder / "create_model_package.rst").write_text(page, encoding="utf-8")
    proc = _codegen("generate", str(tmp_path / "in"), "--out", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0] == (
        "error: class-/client/create_model_package.rst:1: service id 'class-' is not a boto3 service "
        "name (lowercase letters, digits and single '-' between them, at most 63)"
    )
    assert "conflict" not in proc.stderr
    init = (tmp_path / "out" / "aws_typed" / "__init__.py").read_text(encoding="utf-8")
    assert '"class": "class_",' in init and '"class-"' not in init
