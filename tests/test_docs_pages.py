"""The Markdown docs (codegen/emit/docs.py) on whole services of the reference: syntax
examples against boto3's own, exceptions, paginators and waiters against botocore's
models, links that resolve, and `mkdocs build --strict` over the result."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from botocore import xform_name

from codegen import escape
from codegen.emit import docs, docsyntax
from codegen.emit import package as emit_package
from codegen.naming import resolve
from codegen.pipeline import write
from conftest import parse_service
from oracle import api_url, customisations, session

SERVICES = ("sagemaker", "s3", "dynamodb")
PKG = "aws_typed"
MAX_PAGE = 200_000  # bytes: "a reasonable size" (sagemaker's one structures.md was 2 MB)


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("docs_pages")


@pytest.fixture(scope="module")
def operations(reference: Path) -> dict[str, list]:  # type: ignore[type-arg]
    out = {}
    for service in SERVICES:
        result = parse_service(reference, service)
        assert not result.errors, [str(e) for e in result.errors]
        out[service] = result.sorted_operations()
    return out


@pytest.fixture(scope="module")
def site(operations: dict[str, list], tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[type-arg]
    """The docs of the three services as `codegen generate` writes them."""
    root = tmp_path_factory.mktemp("docs-site")
    ops = [op for service in SERVICES for op in operations[service]]
    files = emit_package.render_package(ops, PKG, ("docs",))
    write.write_tree(root, {rel: text for rel, text in files.items() if rel.startswith("docs/") or rel == "mkdocs.yml"})
    return root


def _block(page: str, title: str) -> str | None:
    """The literal block after `**<title>**` (then `::`) on a boto3 page."""
    match = re.search(rf"^( *)\*\*{title}\*\*\n(?: *\n)* *::\n", page, re.MULTILINE)
    if match is None:
        return None
    indent, lines = len(match.group(1)), []
    for line in page[match.end() :].splitlines():
        if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines)).strip()


def _page(reference: Path, service: str, kind: str, name: str) -> str:
    return (reference / service / kind / f"{name}.rst").read_text(encoding="utf-8")


class _Boto3Forms(ast.NodeTransformer):
    """What boto3 writes where the page's types say less: `123.0` for a double and
    `...` for a float (both read `(float)`); `'string' or {...}` for a string that
    boto3's hand-written handler also takes as a dict (s3's CopySource)."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant(...) if node.value == 123.0 else node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        return self.visit(node.values[0])


def _same_code(mine: str, boto3s: str) -> bool:
    """The last statements (the call, or the response dict) are the same code."""
    def normal(code: str) -> str:
        return ast.dump(_Boto3Forms().visit(ast.parse(code).body[-1]))

    return normal(mine) == normal(boto3s)


# --- syntax examples: built from the tree, the same code as boto3's own ----------------


@pytest.mark.parametrize("service", SERVICES)
def test_full_syntax_examples_are_boto3s(reference: Path, operations: dict[str, list], service: str) -> None:  # type: ignore[type-arg]
    """Uncut, the request and response examples are the code of boto3's "Request Syntax"
    and "Response Syntax" blocks (compared as Python syntax trees), for every operation,
    paginator and waiter page of the service."""
    checked = 0
    for op in operations[service]:
        if not op.api_name:
            continue  # boto3's hand-written methods (upload_file): no page of ours
        page = _page(reference, service, op.kind, op.name)
        if op.kind == "client":
            head = f"response = client.{op.name}"
        elif op.kind == "paginator":
            head = f"paginator = client.get_paginator({xform_name(op.name)!r})\nresponse_iterator = paginator.paginate"
        else:
            head = f"waiter = client.get_waiter({xform_name(op.name)!r})\nwaiter.wait"
        theirs = _block(page, "Request Syntax")
        assert theirs is not None, op.source
        # (a paginator's or waiter's page has its `get_...` line above the block)
        assert head.split("\n")[0] in page, op.source
        # botocore leaves the parameters it fills in itself (s3's SSECustomerKeyMD5) out
        # of its example; the tree has them, as they are parameters all the same.
        filled = customisations(service, op.api_name).autopopulated
        request = replace(op.input, members=tuple((n, m) for n, m in op.input.members if n not in filled))
        mine = docsyntax.request_example(request, head, enum_limit=None, max_lines=None)
        assert _same_code(mine, theirs), (op.source, mine[:2000], theirs[:2000])
        theirs = _block(page, "Response Syntax")
        if op.output is not None and theirs is not None and ast.parse(theirs).body:  # (not "too large")
            mine = docsyntax.response_example(op.output, enum_limit=None, max_lines=None)
            assert _same_code(mine, theirs), (op.source, mine[:2000], theirs[:2000])
            checked += 1
    assert checked > len(operations[service]) // 2


def _code_blocks(page: str) -> list[str]:
    return re.findall(r"^(`{3,})python\n(.*?)\n\1$", page, re.MULTILINE | re.DOTALL)


def _section(page: str, heading: str) -> str:
    match = re.search(rf"^## {heading}\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL)
    assert match is not None, heading
    return match.group(1)


def test_operation_pages_show_cut_examples(site: Path, operations: dict[str, list]) -> None:  # type: ignore[type-arg]
    """On the pages, each example is valid Python of a readable size, with the
    operation's parameters (botocore's input members) at its top."""
    model = session().get_service_model("sagemaker")
    longest = 0
    for op in operations["sagemaker"]:
        if op.kind != "client" or not op.api_name:
            continue
        page = (site / "docs/sagemaker" / f"{op.name}.md").read_text(encoding="utf-8")
        ((_, request),) = _code_blocks(_section(page, "Request"))
        call = ast.parse(request).body[0].value  # type: ignore[attr-defined]
        shape = model.operation_model(op.api_name).input_shape
        assert [k.arg for k in call.keywords] == (list(shape.members) if shape else [])
        lines = request.count("\n") + 1
        # Cut until it fits, or down to the parameters and one level below them.
        assert lines <= docsyntax.MAX_LINES or "{...}" in request, op.name
        longest = max(longest, lines)
        for _, code in _code_blocks(_section(page, "Response")):
            ast.parse(code)
    print(f"longest sagemaker request example: {longest} lines")


def test_seed_example_cuts_enums_and_depth(site: Path) -> None:
    page = (site / "docs/sagemaker/create_model_package.md").read_text(encoding="utf-8")
    ((_, request),) = _code_blocks(_section(page, "Request"))
    # 'ml.t2.medium'|... and hundreds more in boto3's block: the first MAX_ENUM, then `...`
    line = next(x for x in request.splitlines() if "'ml.t2.medium'" in x)
    values = ast.parse(line.strip().rstrip(","), mode="eval").body
    count = 0
    while isinstance(values, ast.BinOp):
        values, count = values.left, count + 1
    assert count == docsyntax.MAX_ENUM and line.rstrip(",").endswith("|...")
    assert request.count("\n") + 1 <= docsyntax.MAX_LINES


def _cut_from_the_bottom(shape: object, head: str | None, output: bool, max_lines: int) -> str:
    """The rule as first written: everything, then a level less until it fits (or two are left)."""
    def build(depth: int) -> list[str]:
        writer = docsyntax._Writer(output, depth, docsyntax.MAX_ENUM)
        return docsyntax._call(head, shape, writer) if head is not None else writer.value(shape, 0, "")  # type: ignore[arg-type]

    depth = min(docsyntax._depth(shape), docsyntax.MAX_DEPTH) + 1  # type: ignore[arg-type]
    lines = build(depth)
    while len(lines) > max_lines and depth > 2:
        depth -= 1
        lines = build(depth)
    return "\n".join(lines)


@pytest.mark.parametrize("max_lines", [docsyntax.MAX_LINES, 12, 1])
def test_each_example_is_the_deepest_cut_that_fits(operations: dict[str, list], max_lines: int) -> None:  # type: ignore[type-arg]
    """The examples are found level by level within their budget (the writer stops past
    it), and are the ones that writing everything and cutting would give."""
    checked = cut = 0
    for service in SERVICES:
        for op in operations[service]:
            head = f"response = client.{op.name}"
            mine = docsyntax.request_example(op.input, head, max_lines=max_lines)
            assert mine == _cut_from_the_bottom(op.input, head, False, max_lines), op.source
            if op.output is not None:
                mine = docsyntax.response_example(op.output, max_lines=max_lines)
                assert mine == _cut_from_the_bottom(op.output, None, True, max_lines), op.source
            checked += 1
            cut += "{...}" in mine
    assert checked == sum(len(operations[s]) for s in SERVICES) > 700 and cut > 10, (checked, cut)


# --- exceptions, paginators, waiters: botocore's models ---------------------------------


def _links(page: str) -> list[str]:
    outside = re.sub(r"^(`{3,}).*?^\1$", "", page, flags=re.MULTILINE | re.DOTALL)
    outside = re.sub(r"`[^`\n]*`", "x", outside)
    return re.findall(r"\]\(([^)\s]*)\)", outside)


@pytest.mark.parametrize("service", SERVICES)
def test_exceptions_paginators_waiters(site: Path, operations: dict[str, list], service: str) -> None:  # type: ignore[type-arg]
    sess = session()
    model = sess.get_service_model(service)
    (names,) = resolve(operations[service])
    folder = site / "docs" / names.module
    paginated = set(sess.get_paginator_model(service)._paginator_config)
    waiters = sess.get_waiter_model(service)
    waits_on: dict[str, set[str]] = {}
    for w in waiters.waiter_names:
        waits_on.setdefault(waiters.get_waiter(w).operation, set()).add(xform_name(w))
    exceptions_page = (folder / "exceptions.md").read_text(encoding="utf-8")
    for op in names.operations:
        page = (folder / f"{op.name}.md").read_text(encoding="utf-8")
        assert f" · [AWS API Documentation]({api_url(service, op.api_name)})" in page.split("\n\n", 2)[1], op.name
        errors = [e.name for e in model.operation_model(op.api_name).error_shapes]
        listed = re.findall(r"^- \[`(\w+)`\]\(exceptions\.md#(\w+)\)$", _section(page, "Exceptions"), re.MULTILINE)
        assert listed == [(e, e.lower()) for e in errors], op.name
        for e in errors:
            raised_by = re.search(rf"^## {e}\n(.*?)(?=^## |\Z)", exceptions_page, re.MULTILINE | re.DOTALL)
            assert raised_by is not None and f"]({op.name}.md)" in raised_by.group(1)
        if op.api_name in paginated:
            assert f"paginator = client.get_paginator({op.name!r})" in _section(page, "Paginator")
        else:
            assert "## Paginator" not in page
        waits = set(re.findall(r"client\.get_waiter\('(\w+)'\)", page))
        assert waits == waits_on.get(op.api_name or "", set()), op.name
    assert paginated and (service == "s3" or waits_on)


# --- pages and links -----------------------------------------------------------------


def _anchors(page: str) -> set[str]:
    outside = re.sub(r"^(`{3,}).*?^\1$", "", page, flags=re.MULTILINE | re.DOTALL)
    return {docs.slug(h) for h in re.findall(r"^#{1,6} (.+)$", outside, re.MULTILINE)}


def _pages(site: Path) -> Iterator[Path]:
    yield from sorted((site / "docs").rglob("*.md"))


def test_every_link_resolves(site: Path) -> None:
    """Links to the web are http(s) or a real mail address; every other link names a
    page of the site, and a heading on it."""
    anchors: dict[Path, set[str]] = {}
    mail = web = local = 0
    for path in _pages(site):
        for target in _links(path.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                web += 1
                continue
            if target.startswith("mailto:"):
                assert escape.link_target_ok(target), (path, target)
                mail += 1
                continue
            assert ":" not in target.split("#")[0] and not target.startswith("/"), (path, target)
            file, _, anchor = target.partition("#")
            dest = (path.parent / file).resolve() if file else path
            assert dest.is_file(), (path, target)
            if anchor:
                if dest not in anchors:
                    anchors[dest] = _anchors(dest.read_text(encoding="utf-8"))
                assert anchor in anchors[dest], (path, target)
            local += 1
    assert web and local
    print(f"links: {local} local, {web} web, {mail} mail")


def test_upstream_mail_links_are_cleaned(reference: Path) -> None:
    """docutils links any `a@b`: upstream text `Lambda@Edge` arrives as a mailto link
    (lambda get_function), which the page keeps as plain text."""
    from gen_support import parse_ok

    ops = parse_ok(reference / "lambda" / "client" / "get_function.rst")
    assert "(mailto:Lambda@Edge)" in json.dumps([m.documentation for _, s in ops[0].walk() for _, m in s.members])
    page = emit_package.render_package(ops, PKG, ("docs",))[f"docs/{resolve(ops)[0].module}/get_function.md"]
    assert "Lambda@Edge" in page and "mailto:" not in page
    text = "[Lambda@Edge](mailto:Lambda@Edge) or [us](mailto:aws-team@amazon.com) see [x](/AmazonS3/a.html)"
    assert escape.md_text(text) == "Lambda@Edge or [us](mailto:aws-team@amazon.com) see x"


def test_no_heading_in_a_list_item(site: Path) -> None:
    """s3 get_object: "Storage classes" heads the text after a list; boto3's RST leaves
    it indented under the list's last item."""
    import markdown

    page = (site / "docs/s3/get_object.md").read_text(encoding="utf-8")
    html = markdown.markdown(page, extensions=["tables", "fenced_code"])
    assert "<p>Storage classes</p>" in html
    for item in re.findall(r"<li>(.*?)</li>", html, re.DOTALL):
        assert "Storage classes" not in item
    assert escape.md_text("- a.\n  Special errors\n- Error Code: x") == "- a.\n\nSpecial errors\n\n- Error Code: x"
    assert escape.md_text("# not a heading\ntext\n---") == "\\# not a heading\ntext\n\\---"


def test_structure_pages(site: Path, operations: dict[str, list]) -> None:  # type: ignore[type-arg]
    """One page per class that is not an operation's request or response; none too big."""
    sizes: dict[str, tuple[int, int, str]] = {}
    for service in SERVICES:
        (names,) = resolve(operations[service])
        folder = site / "docs" / names.module
        tops = {names.request_class(op) for op in names.operations}
        tops |= {r for op in names.operations if (r := names.response_class(op))}
        files = {p.name for p in (folder / "structures").iterdir()} - {"index.md"}
        # One file per class, also where the file system ignores case (sagemaker has
        # FSxLustreConfig and FsxLustreConfig): a suffix only for such names.
        assert len({f.lower() for f in files}) == len(files)
        wanted = names.api_classes() - tops
        assert len(files) == len(wanted)
        assert all(f.removesuffix(".md").split("-")[0] in wanted for f in files)
        suffixed = {f.split("-")[0] for f in files if "-" in f}
        assert suffixed == {c for c in wanted if sum(o.lower() == c.lower() for o in wanted) > 1}
        pages = sorted(folder.rglob("*.md"), key=lambda p: -p.stat().st_size)
        sizes[service] = (len(pages), sum(p.stat().st_size for p in pages), f"{pages[0].name} {pages[0].stat().st_size}")
        assert pages[0].stat().st_size < MAX_PAGE, pages[0]
    print(f"pages, bytes, largest: {sizes}")


# --- mkdocs --------------------------------------------------------------------------


def _mkdocs(root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root, env=env, capture_output=True, text=True, timeout=1800,
    )


def test_mkdocs_build_strict(site: Path) -> None:
    """The generated mkdocs.yml builds the three services' docs with `--strict`; its
    navigation lists every operation page."""
    config = (site / "mkdocs.yml").read_text(encoding="utf-8")
    for service in SERVICES:
        module = service  # (these three modules are named as their services)
        for page in (site / "docs" / module).glob("*.md"):
            assert f'"{module}/{page.name}"' in config, page
    start = time.monotonic()
    proc = _mkdocs(site)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(f"mkdocs build --strict: {time.monotonic() - start:.1f} s")
    assert (site / "site" / "sagemaker" / "create_model_package" / "index.html").is_file()


def test_mkdocs_strict_fails_on_a_broken_link(site: Path, tmp_path: Path) -> None:
    """The check has teeth: one link to a missing anchor fails the strict build (on a
    small site: three pages, their links to other pages pointed at one of them)."""
    small = tmp_path / "small"
    (small / "docs" / "dynamodb").mkdir(parents=True)
    kept = ("index.md", "exceptions.md", "get_item.md")
    for name in kept:
        text = (site / "docs" / "dynamodb" / name).read_text(encoding="utf-8")
        text = re.sub(r"\]\((?!https?:|mailto:)([^)#]*)", lambda m: "](" + (m.group(1) if m.group(1) in kept else "get_item.md"), text)
        (small / "docs" / "dynamodb" / name).write_text(text, encoding="utf-8")
    (small / "docs" / "index.md").write_text("# x\n\n[DynamoDB](dynamodb/index.md)\n", encoding="utf-8")
    config = (site / "mkdocs.yml").read_text(encoding="utf-8")
    nav = "nav:\n" + "".join(f'  - "dynamodb/{name}"\n' for name in kept) + '  - "index.md"\n'
    (small / "mkdocs.yml").write_text(config[: config.index("nav:")] + nav, encoding="utf-8")
    proc = _mkdocs(small)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = small / "docs" / "dynamodb" / "get_item.md"
    page.write_text(page.read_text(encoding="utf-8").replace("(exceptions.md#", "(exceptions.md#no-such-", 1), encoding="utf-8")
    proc = _mkdocs(small)
    assert proc.returncode != 0 and "no-such-" in proc.stderr, proc.stderr[-2000:]


def test_waiter_names_are_botocores() -> None:
    """`client.get_waiter(name)`: the name the docs derive from a waiter page's name is
    botocore's xform_name of it, for every waiter botocore has."""
    from botocore.exceptions import DataNotFoundError

    sess = session()
    seen = 0
    for service in sess.get_available_services():
        try:
            model = sess.get_waiter_model(service)
        except DataNotFoundError:
            continue
        for name in model.waiter_names:
            assert docs.waiter_name(name) == xform_name(name), (service, name)
            seen += 1
    assert seen > 100
