"""Docs in code: the page's descriptions as class, attribute, TypedDict and method
docstrings (help() and IDE hover), cleaned and escaped so that no page text breaks them.

Expected text is the tree's documentation run through the cleaner
(codegen/emit/docstrings.py), never typed by hand; the generated modules are read back
as Python (import + pydoc, or ast for the stub).
"""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import os
import pydoc
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED, parse_service
from oracle import api_url
from gen_support import import_fresh, models_text, parse_ok
from hypothesis import example, given, settings
from hypothesis import strategies as st

from codegen import escape, fmt, naming
from codegen.emit import docstrings, env
from codegen.emit import package as emit_package
from codegen.emit.types import typed_dict_name
from codegen.pipeline import run
from codegen.tree import Operation, Shape

PKG = "aws_typed_docs"


def words(text: str) -> str:
    """Text compared without its layout (wrapping, indentation)."""
    return " ".join(text.split())


# --- hostile text through the filters -------------------------------------------------

HOSTILE = [
    '"""',
    "'''",
    '\\"""; import os; """',
    "\\",
    "ends with a backslash\\",
    "\\N{DIGIT ONE}\\x41\\u0041\\0",
    '"',
    '"quoted at both ends"',
    "nul\x00byte",
    "lone \ud800 surrogate \udfff",
    "line\u2028separator and\u2029paragraph",
    "next\x85line, vertical\x0btab, form\x0cfeed, file\x1cseparator",
    "carriage\rreturn\r\nand crlf",
    "bidi \u202eevil\u202c override",
    "tab\there",
    "[click](javascript:alert(1)) and [docs](https://docs.aws.amazon.com/x.html)",
    "`code with \"\"\" inside` and `\\\\`",
    "First sentence. Second sentence, e.g. this one.\n\nSecond paragraph.",
    "Intro:\n\n- item one\n  - nested item\n- item two\n\nAfter.",
    "word " * 200 + "https://example.com/" + "a" * 120,
    "",
    "   ",
]


API_URL = "https://docs.aws.amazon.com/goto/WebAPI/svc-2020-01-01/Op"


def _module(text: str) -> str:
    """A class with a class docstring, a field with its attribute docstring and a method
    with its docstring, each from the filters the templates use, on `text`."""
    entries = [("field", docstrings.member_text(text, Shape(type="string")))]
    return (
        "class C:\n"
        + env.classdoc(text, 1, entries, "C")
        + "\n\n    field: int\n"
        + env.attrdoc(text, 1)
        + "\n\n    def f(self) -> None:\n"
        + env.methoddoc(text, 2, "f", docstrings.see_also(API_URL))
        + "\n"
    )


def _stub(text: str) -> str:
    """The same as a stub lays it out: a TypedDict and a method."""
    entries = [("Field", docstrings.member_text(text, Shape(type="string")))]
    return (
        "class C(TypedDict):\n"
        + env.classdoc(text, 1, entries, "C", "Keys")
        + "\n\n    Field: int\n\nclass D:\n    def f(self) -> None:\n"
        + env.methoddoc(text, 2, "f")
        + "\n"
    )


def _check_module(text: str) -> None:
    source = _module(text)
    source.encode("utf-8")  # no lone surrogate reaches the file
    tree = ast.parse(source)
    cls = tree.body[0]
    assert isinstance(cls, ast.ClassDef) and len(tree.body) == 1
    kinds = [type(stmt).__name__ for stmt in cls.body]
    assert kinds == ["Expr", "AnnAssign", "Expr", "FunctionDef"], kinds
    method = cls.body[3]
    assert isinstance(method, ast.FunctionDef) and len(method.body) == 1
    docs = [cls.body[0], cls.body[2], method.body[0]]
    values = []
    for stmt in docs:
        assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        assert isinstance(stmt.value.value, str)
        values.append(stmt.value.value)
    assert fmt.is_black_stable(source)
    stub = _stub(text)
    assert fmt.is_black_stable(stub, pyi=True)
    assert len(ast.parse(stub).body) == 2
    clean = docstrings.clean_text(text)
    for value in values:
        assert not any(c in value for c in "\x00\r\x0b\x0c\x85\u2028\u2029\u202e")
        assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in value)
    first = words(docstrings.first_paragraph(text))
    if first:
        assert words(values[0]).startswith(first)  # the class docstring's summary
        assert words(values[1]) == first  # the attribute docstring
        assert words(values[2]).startswith(first)  # the method's
    assert "javascript:" not in clean
    entry = docstrings.first_sentence(text)
    assert words(f"field: {entry}") in words(values[0].split("Attributes:", 1)[1])
    assert words(values[2]).endswith(f"See also: AWS API Documentation ({API_URL})")


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_stays_one_docstring(text: str) -> None:
    _check_module(text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=300))
def test_any_text_stays_one_docstring(text: str) -> None:
    _check_module(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=300))
def test_clean_text_is_plain_and_stable(text: str) -> None:
    clean = docstrings.clean_text(text)
    assert docstrings.clean_text(clean) == clean
    assert "\n\n\n" not in clean and clean == clean.strip("\n")
    assert not any(0xD800 <= ord(c) <= 0xDFFF or c in "\x00\r\t\x85\u2028\u2029" for c in clean)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=100))
@example("line\u2028separator\u2029paragraph\x85next\x0bvertical\x1crecord\r\nend")
@example("lone \ud800 surrogate\\")
@example('"""\x00"""')
def test_docstring_escaping_leaves_one_kind_of_line_break(text: str) -> None:
    """doc_escape (every docstring's text, names included): Python's tokenizer and
    `str.splitlines` (black, help()) agree on its lines, and it is valid UTF-8."""
    escaped = env.doc_escape(text)
    assert (escaped + ".").splitlines() == (escaped + ".").split("\n")
    escaped.encode("utf-8")
    value = ast.literal_eval('"""' + escaped + '"""')  # one string, the text as it reads
    assert value.strip(" ") == escape.clean(docstrings.scrub(text)).strip(" ")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("ab`-/:é"), min_size=1, max_size=30), min_size=1, max_size=40),
    st.sampled_from(["", "- ", "  - ", "12. "]),  # how lines of clean text begin
    st.integers(min_value=20, max_value=100),
)
def test_fill_wraps_as_textwrap_does(words_: list[str], lead: str, width: int) -> None:
    """The greedy fill the docstrings use is textwrap's (without breaking words)."""
    line = (lead + " ".join(words_)).rstrip()  # (clean text: no line ends in a space)
    for first, rest in (("    ", "        "), ('    """', "    ")):
        expected = textwrap.wrap(line, width=width, initial_indent=first, subsequent_indent=rest,
                                 break_long_words=False, break_on_hyphens=False)
        assert docstrings._fill(line, width, first, rest) == (expected or [first + line])


def test_links_keep_only_web_targets() -> None:
    text = "See [the guide](https://docs.aws.amazon.com/a.html), [x](javascript:alert(1)), [y](../rel)."
    assert docstrings.clean_text(text) == "See the guide (https://docs.aws.amazon.com/a.html), x, y."


def test_see_also_takes_only_the_api_reference() -> None:
    real = "https://docs.aws.amazon.com/goto/WebAPI/sagemaker-2017-07-24/CreateModelPackage"
    assert docstrings.see_also(real).endswith(f"({real})")
    for bad in ("javascript:alert(1)", "https://evil.example/goto/WebAPI/a/B", real + '"""', real + "\n", ""):
        assert docstrings.see_also(bad) == ""


# --- the seed page: help() and the stub -----------------------------------------------


Seed = tuple[Operation, naming.ServiceNames]


@pytest.fixture(scope="module")
def seed() -> Seed:
    [op] = parse_ok(SEED)
    [names] = naming.resolve([op])
    return op, names


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "generated"
    run.generate([SEED], out, PKG, targets=("models", "stubs"))
    return out


def _member(op: Operation, path: list[str]):  # type: ignore[no-untyped-def]
    shape = op.input
    member = None
    for wire in path:
        member = shape.member_map[wire]
        shape = member.shape
    return member


def test_help_shows_the_request_description_and_attributes(seed: Seed, seed_out: Path) -> None:
    op, names = seed
    models = import_fresh(seed_out, f"{PKG}.sagemaker.models")
    cls_name = names.request_class(op)
    shown = pydoc.render_doc(getattr(models, cls_name), renderer=pydoc.plaintext)  # what help() prints
    text = words("\n".join(line.lstrip(" |") for line in shown.splitlines()))  # (pydoc's " |  " margin)
    assert words(docstrings.first_paragraph(op.documentation)) in text
    assert "Attributes:" in text
    attrs = names.attrs[cls_name]
    for wire, member in op.input.members:
        assert words(f"{attrs[wire]}: {docstrings.first_sentence(member.documentation)}") in text, wire


@pytest.mark.parametrize(
    "path, doc_of",
    [
        # a structure described by the member holding it
        (["InferenceSpecification"], lambda m: m.documentation),
        # a list's item, described by its own entry in the page
        (["InferenceSpecification", "Containers"], lambda m: m.shape.member.documentation),
    ],
)
def test_nested_class_docstring_is_its_page_description(seed: Seed, seed_out: Path, path, doc_of) -> None:  # type: ignore[no-untyped-def]
    op, names = seed
    member = _member(op, path)
    tree_path = "input." + ".".join(path) + ("[]" if member.shape.type == "list" else "")
    cls_name = names.class_at(op.name, tree_path)
    shape = member.shape.member if member.shape.type == "list" else member.shape
    models = import_fresh(seed_out, f"{PKG}.sagemaker.models")
    cls = getattr(models, cls_name)
    doc = inspect.getdoc(cls) or ""
    summary = doc.split("\n\nAttributes:\n", 1)[0]
    assert words(summary) == words(docstrings.first_paragraph(doc_of(member)))
    attrs = names.attrs[cls_name]
    section = words(doc.split("\n\nAttributes:\n", 1)[1])
    for wire, child in shape.members:
        assert words(f"{attrs[wire]}: {docstrings.first_sentence(child.documentation)}") in section, wire


def _strings_after_fields(cls: ast.ClassDef) -> dict[str, str]:
    """field name → the string statement right after it (an attribute docstring)."""
    body = cls.body
    out = {}
    for stmt, nxt in zip(body, body[1:]):
        if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str)):
            out[stmt.target.id] = nxt.value.value
    return out


def test_attribute_docstrings_follow_their_fields(seed: Seed, seed_out: Path) -> None:
    """The string after each field (what pyright and pylance show on hover)."""
    op, names = seed
    source = models_text(seed_out / PKG / "sagemaker")
    classes = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}
    checked = 0
    for cls_name, shape in [
        (names.request_class(op), op.input),
        (names.class_at(op.name, "input.InferenceSpecification.Containers[]"),
         _member(op, ["InferenceSpecification", "Containers"]).shape.member),
    ]:
        after = _strings_after_fields(classes[cls_name])
        attrs = names.attrs[cls_name]
        for wire, member in shape.members:
            if member.documentation:
                assert words(after[attrs[wire]]) == words(docstrings.first_paragraph(member.documentation)), wire
                checked += 1
    assert checked > 30


def _parsed_stub(seed_out: Path) -> ast.Module:
    return ast.parse((seed_out / PKG / "sagemaker" / "client.pyi").read_text(encoding="utf-8"))


def test_stub_typed_dict_documents_its_keys(seed: Seed, seed_out: Path) -> None:
    """The class docstring lists the keys; each key has its own docstring (hover on a key
    of a dict literal)."""
    op, names = seed
    stub = _parsed_stub(seed_out)
    classes = {node.name: node for node in stub.body if isinstance(node, ast.ClassDef)}
    request = classes[typed_dict_name(names, names.request_class(op), "request")]
    doc = ast.get_docstring(request) or ""
    summary, _, keys = doc.partition("\n\nKeys:\n")
    assert words(summary) == words(docstrings.first_paragraph(op.documentation))
    after = _strings_after_fields(request)
    for wire, member in op.input.members:
        assert words(f"{wire}: {docstrings.first_sentence(member.documentation)}") in words(keys), wire
        assert words(after[wire]) == words(docstrings.first_paragraph(member.documentation)), wire
    nested = classes[typed_dict_name(names, names.class_at(op.name, "input.InferenceSpecification"), "request")]
    assert words((ast.get_docstring(nested) or "").split("\n\nKeys:\n")[0]) == words(
        docstrings.first_paragraph(op.input.member_map["InferenceSpecification"].documentation)
    )


def test_stub_method_carries_the_operation_description(seed: Seed, seed_out: Path) -> None:
    op, names = seed
    stub = _parsed_stub(seed_out)
    client = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == names.client_class)
    method = next(n for n in client.body if isinstance(n, ast.FunctionDef) and n.name == op.name)
    summary, _, args = (ast.get_docstring(method) or "").partition("\n\nArgs:\n")
    assert words(summary) == words(docstrings.first_paragraph(op.documentation))
    lines = {line.strip() for line in args.splitlines()}
    for wire, member in op.input.members:  # one line each: what pyright shows for the parameter
        assert f"{wire}: {docstrings.first_sentence(member.documentation)}" in lines, wire


def _class_docs(seed_out: Path) -> dict[str, str]:
    source = models_text(seed_out / PKG / "sagemaker")
    return {n.name: ast.get_docstring(n) or "" for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}


def test_docstrings_link_the_aws_api_page(seed: Seed, seed_out: Path) -> None:
    """The client method and the operation's request and response classes end with the
    page's "AWS API Documentation" link: the one boto3 builds from botocore's model."""
    op, names = seed
    assert op.api_name is not None
    line = f"See also: AWS API Documentation ({api_url('sagemaker', op.api_name)})"
    stub = _parsed_stub(seed_out)
    client = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == names.client_class)
    method = next(n for n in client.body if isinstance(n, ast.FunctionDef) and n.name == op.name)
    assert (ast.get_docstring(method) or "").endswith("\n\n" + line)
    classes = _class_docs(seed_out)
    response = names.response_class(op)
    assert response is not None
    for cls_name in (names.request_class(op), response):
        assert classes[cls_name].endswith("\n\n" + line), cls_name
    # (a nested structure may be shared by operations: no one operation's link)
    nested = names.class_at(op.name, "input.InferenceSpecification")
    assert "See also" not in classes[nested]


@pytest.mark.parametrize(
    "link",
    [
        "https://docs.aws.amazon.com.evil.example/goto/WebAPI/sagemaker-2017-07-24/CreateModelPackage",
        "http://docs.aws.amazon.com/goto/WebAPI/sagemaker-2017-07-24/CreateModelPackage",
        "https://docs.aws.amazon.com/goto/WebAPI/x?a=%22%22%22/CreateModelPackage",
    ],
)
def test_a_link_elsewhere_is_left_out(tmp_path: Path, link: str) -> None:
    """A page's link off AWS's documentation hosts (or needing escapes) parses, keeps its
    API name, and reaches no docstring or docs page."""
    text = SEED.read_text(encoding="utf-8")
    real = "https://docs.aws.amazon.com/goto/WebAPI/sagemaker-2017-07-24/CreateModelPackage"
    assert real in text
    page = tmp_path / "in" / "sagemaker" / "client" / SEED.name
    page.parent.mkdir(parents=True)
    page.write_text(text.replace(real, link), encoding="utf-8")
    [op] = parse_ok(page)
    assert (op.api_name, op.api_url) == ("CreateModelPackage", "")
    files = emit_package.render_package([op], PKG, ("models", "stubs", "docs"))
    for rel, generated in files.items():
        assert "See also" not in generated and "AWS API Documentation" not in generated, rel
        assert "evil" not in generated and "%22" not in generated, rel


# --- what an IDE shows: pyright's language server, asked for hovers ---------------------


class LanguageServer:
    """pyright-langserver over stdio, as an editor drives it (JSON-RPC, LSP)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc = subprocess.Popen(
            ["pyright-langserver", "--stdio"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        uri = root.as_uri()
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "generated"}],
            "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}}},
        })
        self.notify("initialized", {})

    def _send(self, message: dict[str, object]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def _receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        length = 0
        while line := self.proc.stdout.readline().strip():
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if not length:
            raise EOFError("pyright-langserver closed the connection")
        message: dict[str, Any] = json.loads(self.proc.stdout.read(length))
        return message

    def notify(self, method: str, params: object) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: object) -> Any:
        ident = next(self.ids)
        self._send({"id": ident, "method": method, "params": params})
        while True:
            message = self._receive()
            if "method" in message and "id" in message:  # the server asks: settings, registrations
                items = message.get("params", {}).get("items", [])
                self._send({"id": message["id"], "result": [{}] * len(items) if items else None})
            elif message.get("id") == ident:
                return message.get("result")

    def hovers(self, source: str, marks: list[tuple[str, str]]) -> list[str]:
        """The hover text at each (line's text, word on it) of `source`, opened as a file."""
        path = self.root / "hover_me.py"
        path.write_text(source, encoding="utf-8")
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                              "text": source}})
        lines = source.splitlines()
        out = []
        for line_text, word in marks:
            line = lines.index(line_text)
            position = {"line": line, "character": line_text.rindex(word) + 1}
            result = self.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
            contents = (result or {}).get("contents", {})
            out.append(contents.get("value", "") if isinstance(contents, dict) else str(contents))
        return out

    def close(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=60)


def _shown(markdown: str) -> str:
    """A hover's documentation (after the code block of the signature), as words:
    pyright writes docstrings as Markdown (escapes, `&nbsp;` indents)."""
    text = markdown.rsplit("```", 1)[-1].strip().removeprefix("---")  # (a rule after the signature)
    text = text.replace("&nbsp;", " ")
    return words(re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|])", r"\1", text))


def test_pyright_hover_shows_the_page_text(seed: Seed, seed_out: Path) -> None:
    """Hovers in an editor: a model class and its attribute, the client method and one of
    its keyword arguments, and a key of a request dict."""
    op, names = seed
    container_path = "input.InferenceSpecification.Containers[]"
    container = names.class_at(op.name, container_path)
    spec = _member(op, ["InferenceSpecification"])
    item = _member(op, ["InferenceSpecification", "Containers"])
    image = item.shape.member.member_map["Image"]
    attr = names.attrs[container]["Image"]
    spec_dict = typed_dict_name(names, names.class_at(op.name, "input.InferenceSpecification"), "request")
    source = "\n".join([
        f"from {PKG}.sagemaker.models import {container}",
        f"from {PKG}.sagemaker.client import {names.client_class}, {spec_dict}",
        f"value = {container}().{attr}",
        f"spec: {spec_dict} = {{'Containers': []}}",
        f"def call(client: {names.client_class}) -> None:",
        f"    client.{op.name}(InferenceSpecification=spec)",
        "",
    ])
    lines = source.splitlines()
    server = LanguageServer(seed_out)
    try:
        shown = server.hovers(source, [
            (lines[2], container), (lines[2], attr), (lines[5], op.name), (lines[5], "InferenceSpecification"),
            (lines[3], "Containers"),
        ])
    finally:
        server.close()
    first = lambda text: words(docstrings.first_paragraph(text))  # noqa: E731
    assert _shown(shown[0]).startswith(first(item.shape.member.documentation)), shown[0]
    assert _shown(shown[1]) == first(image.documentation), shown[1]
    assert _shown(shown[2]).startswith(first(op.documentation)), shown[2]
    assert _shown(shown[3]) == words(f"InferenceSpecification: {docstrings.first_sentence(spec.documentation)}"), shown[3]
    assert _shown(shown[4]) == first(item.documentation), shown[4]


# --- whole services ------------------------------------------------------------------


def _texts(op: Operation) -> set[str]:
    """Every description of an operation's page, first paragraph, as words."""
    out = {words(docstrings.first_paragraph(op.documentation))}
    for root in (op.input, op.output):
        for _, shape in root.walk("") if root is not None else ():
            out.add(words(docstrings.first_paragraph(shape.documentation)))
            out |= {words(docstrings.first_paragraph(m.documentation)) for _, m in shape.members}
    return out - {""}


def _undescribed(op: Operation, path: str) -> bool:
    """The node at `path`, the lists/maps around it and the member holding them carry no text."""
    nodes = dict(op.input.walk("input")) | (dict(op.output.walk("output")) if op.output else {})
    holder = path
    while holder.endswith(("[]", "{}")):
        if nodes[holder].documentation:
            return False
        holder = holder[:-2]
    parent, _, name = holder.rpartition(".")
    return not nodes[holder].documentation and not (parent and nodes[parent].member_map[name].documentation)


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_every_class_of_a_service_carries_page_text(service: str, reference: Path) -> None:
    """Models and stubs of a whole service: each class docstring opens with a description
    from its operation's page (not its name), and each documented field, key and
    parameter has its text."""
    ops = parse_service(reference, service).sorted_operations()
    [names] = naming.resolve(ops)
    files = emit_package.render_package(ops, PKG)
    module = names.module
    models = ast.parse("".join(text for rel, text in sorted(files.items()) if rel.startswith(f"{PKG}/{module}/_models/")))
    stub = ast.parse(files[f"{PKG}/{module}/client.pyi"])
    by_op = {op.name: op for op in ops if op.kind == "client"}
    info = {c.name: c for c in names.classes}
    typed = {
        typed_dict_name(names, c.name, f): c.name
        for c in names.classes
        for f, side in (("request", names.request_side), ("response", names.response_side))
        if c.name in side
    }
    checked = 0
    for tree, owner in ((models, info), (stub, typed)):
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in owner):
            c = info[owner[cls.name]] if tree is stub else info[cls.name]
            op = by_op[c.op]
            doc = (ast.get_docstring(cls) or "").split("\n\nSee also: ")[0]  # (an operation's link)
            summary = words(doc.split("\n\nAttributes:\n")[0].split("\n\nKeys:\n")[0])
            if summary == words(cls.name):  # the fallback: only where the page says nothing
                assert _undescribed(op, c.path), (cls.name, c.path)
            else:
                assert summary in _texts(op) or summary == words(f"The response of `{op.name}`."), (cls.name, summary)
            documented = {
                (names.attrs[c.name][wire] if tree is models else wire): m.documentation
                for wire, m in c.shape.members if m.documentation
            }
            after = _strings_after_fields(cls)
            for field, text in documented.items():
                assert words(after[field]) == words(docstrings.first_paragraph(text)), (cls.name, field)
            checked += 1
    assert checked > 200
    client = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == names.client_class)
    # (get_paginator / get_waiter: one overload per paginator or waiter, each saying which)
    overloaded = {"get_paginator", "get_waiter"}
    for method in (n for n in client.body if isinstance(n, ast.FunctionDef) and n.name in by_op.keys() - overloaded):
        op = by_op[method.name]
        doc, link, _ = (ast.get_docstring(method) or "").partition("\n\nSee also: ")
        # (boto3's own methods, `copy` and `upload_file`, have no AWS API page)
        assert _ == (f"AWS API Documentation ({op.api_url})" if op.api_name else ""), method.name
        assert words(doc.split("\n\nArgs:\n")[0]) == words(docstrings.first_paragraph(op.documentation)) or not op.documentation
