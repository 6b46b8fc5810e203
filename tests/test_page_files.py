"""Page files that are not plain pages: FIFOs, devices, links in and out of the input
folder, loops, huge files, names with newlines; and page text that reads the same
whatever its BOM, line ends or nesting. Each bad one is one line `error: FILE:LINE:
message`, never a hang or a traceback, and the other pages still go through."""

from __future__ import annotations

import json
from dataclasses import replace
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED

from codegen import files, pagefiles, parse, tree
from codegen.cli import main
from codegen.pagefiles import find_pages, read_page_bytes
from gen_support import models_text
from codegen.rst.reader import MAX_DEPTH, MAX_INDENT, NotAMethodPage, PageError, parse_page

SECRET = "AKIA-this-must-never-be-printed"


def _tree(root: Path) -> Path:
    """An input folder with the seed page, as boto3 lays it out."""
    client = root / "sagemaker" / "client"
    client.mkdir(parents=True)
    (client / "create_model_package.rst").write_bytes(SEED.read_bytes())
    return root


def _parse_cli(root: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`codegen parse` in a real process: a hang is a test failure, not a stuck suite."""
    return subprocess.run(
        [sys.executable, "-m", "codegen.cli", "parse", "-j", "1", str(root)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def _only_error(proc: subprocess.CompletedProcess[str], source: str, wanted: str) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {source}:1: "), lines
    assert wanted in lines[0]
    # the good page of the same run is still there
    assert [op["name"] for op in json.loads(proc.stdout)["operations"]] == ["create_model_package"]
    return lines[0]


def test_fifo_is_an_error_not_a_hang(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    os.mkfifo(root / "sagemaker" / "client" / "fifo.rst")
    _only_error(_parse_cli(root), "sagemaker/client/fifo.rst", "not a regular file (a FIFO)")


def test_link_to_dev_zero_is_refused_unread(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    (root / "sagemaker" / "client" / "zero.rst").symlink_to("/dev/zero")
    line = _only_error(_parse_cli(root), "sagemaker/client/zero.rst", "outside the input folder")
    assert "/dev/zero" not in line


def test_device_named_directly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="character device"):
        read_page_bytes(Path("/dev/zero"), "zero.rst")


def test_outside_link_is_never_read_nor_echoed(tmp_path: Path) -> None:
    secret = tmp_path / "credentials"
    secret.write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    root = _tree(tmp_path / "pages")
    (root / "sagemaker" / "client" / "creds.rst").symlink_to(secret)
    other = tmp_path / "other" / "sqs" / "client"
    other.mkdir(parents=True)
    (other / "page.rst").write_text(SECRET)
    (root / "elsewhere").symlink_to(tmp_path / "other", target_is_directory=True)
    proc = _parse_cli(root)
    assert proc.returncode == 1
    assert SECRET not in proc.stdout + proc.stderr
    assert str(secret) not in proc.stderr and "credentials" not in proc.stderr
    errors = proc.stderr.splitlines()
    assert errors == [
        "error: elsewhere:1: symbolic link leading outside the input folder (or nowhere): refused, not read",
        "error: sagemaker/client/creds.rst:1: symbolic link leading outside the input folder (or nowhere): refused, not read",
    ]


def test_dangling_link_is_one_line(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    (root / "sagemaker" / "client" / "gone.rst").symlink_to(root / "nowhere.rst")
    _only_error(_parse_cli(root), "sagemaker/client/gone.rst", "refused, not read")


def test_symlinked_service_folder_inside_the_input_is_followed(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    store = root / "_store" / "v1"
    store.mkdir(parents=True)
    (root / "sagemaker").rename(store / "sagemaker")
    (root / "sagemaker").symlink_to(store / "sagemaker", target_is_directory=True)
    (root / "sagemaker-page.rst").symlink_to(store / "sagemaker" / "client" / "create_model_package.rst")
    pages = list(find_pages(root))
    sources = [source for _, source in pages]
    assert sources == [
        "_store/v1/sagemaker/client/create_model_package.rst",
        "sagemaker/client/create_model_package.rst",
        "sagemaker-page.rst",
    ]
    # the file read is the link's target, never a link
    assert all(not path.is_symlink() for path, _ in pages)
    result = parse.parse_paths([root])
    # one page under three names documents one method three times: the first name
    # stands, the others are errors (the tree holds each operation once)
    (op,) = result.operations
    assert op.source == "_store/v1/sagemaker/client/create_model_package.rst"
    assert [(e.source, "is also documented by _store/v1/" in e.message) for e in result.errors] == [
        ("sagemaker/client/create_model_package.rst", True),
        ("sagemaker-page.rst", True),
    ]


def test_symlink_loop_is_detected(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    (root / "sagemaker" / "client" / "again").symlink_to(root, target_is_directory=True)
    _only_error(_parse_cli(root), "sagemaker/client/again", "(a loop): not followed")


def test_oversize_file_is_refused_unread(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    big = root / "sagemaker" / "client" / "big.rst"
    with big.open("wb") as f:  # sparse: nothing is written, the size says it all
        f.truncate(pagefiles.MAX_PAGE_BYTES + 1)
    _only_error(_parse_cli(root), "sagemaker/client/big.rst", "over the page size limit (64 MB)")


def test_size_limit_holds_for_a_file_that_grows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the read itself stops at the limit, whatever the size stat gave
    page = tmp_path / "p.rst"
    page.write_bytes(b"x" * 100)
    monkeypatch.setattr(pagefiles, "MAX_PAGE_BYTES", 99)
    monkeypatch.setattr(files, "_check", lambda st, limit, before_open: None)  # both stats
    with pytest.raises(PageError, match="over the page size limit"):
        read_page_bytes(page, "p.rst")


@pytest.mark.parametrize("name", ["evil\nerror: fake.rst:1: forged.rst", "bell\x07\x1b[2J.rst", "sp\u2028lit.rst"])
def test_control_characters_in_names_stay_on_one_line(tmp_path: Path, name: str) -> None:
    root = _tree(tmp_path / "pages")
    (root / "sagemaker" / "client" / name).write_bytes(b"\0")
    proc = _parse_cli(root)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines
    shown = repr(name)[1:-1]
    assert lines[0].startswith(f"error: sagemaker/client/{shown}:1: "), lines


def test_generate_goes_on_past_a_fifo_and_an_outside_link(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    os.mkfifo(root / "sagemaker" / "client" / "fifo.rst")
    (root / "sagemaker" / "client" / "zero.rst").symlink_to("/dev/zero")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", "-j", "1", str(root), "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "sagemaker/client/fifo.rst:1: not a regular file (a FIFO)" in proc.stderr
    assert "sagemaker/client/zero.rst:1: symbolic link leading outside" in proc.stderr


# --- the text of a page ----------------------------------------------------------------


def _same_tree(data: bytes, variant: bytes, source: str) -> None:
    assert tree.dumps([parse_page(variant, source)]) == tree.dumps([parse_page(data, source)])


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_bom_and_crlf_read_the_same_as_the_clean_page(reference: Path, variant: str) -> None:
    pages = [SEED] + sorted(reference.glob("*/client/*.rst"))[::150]
    assert len(pages) > 10
    for page in pages:
        data = page.read_bytes()
        changed = data
        if "crlf" in variant:
            changed = changed.replace(b"\n", b"\r\n")
        if "bom" in variant:
            changed = b"\xef\xbb\xbf" + changed
        _same_tree(data, changed, page.name)


def test_bom_keeps_the_service_id() -> None:
    op = parse_page(b"\xef\xbb\xbf" + SEED.read_bytes(), "x.rst")
    assert op.service_id == "sagemaker"


def _indent_with_tabs(text: str, width: int) -> str:
    return "\n".join(
        "\t" * ((len(line) - len(line.lstrip(" "))) // width) + line.lstrip(" ")
        if line.startswith(" " * width) else line
        for line in text.split("\n")
    )


@pytest.mark.parametrize("width", [2, 4, 8])
def test_tab_indented_page_is_an_error_not_fewer_members(width: int) -> None:
    text = _indent_with_tabs(SEED.read_text(), width)
    with pytest.raises(PageError, match="tab in the indentation") as info:
        parse_page(text.encode(), "tabs.rst")
    assert "\t" in text.split("\n")[info.value.line - 1]


def _drop_bullets_under(text: str, header: str, after: str) -> str:
    """The page with the child entries of the first entry `header` below `after` deleted."""
    lines = text.split("\n")
    start = next(k for k, line in enumerate(lines) if after in line)
    i = next(k for k, line in enumerate(lines) if header in line and k > start)
    indent = len(lines[i]) - len(lines[i].lstrip())
    end = i + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    first = next(k for k in range(i + 1, end) if lines[k].lstrip().startswith("- "))
    return "\n".join(lines[:first] + lines[end:])


@pytest.mark.parametrize(
    "header,after,held",
    [
        ("- **S3DataSource** *(dict) --*", "Request Syntax", "members"),  # a structure's members
        ("- **Containers** *(list) --* **[REQUIRED]**", "Request Syntax", "an item"),  # a list's item
        ("- *(dict) --*", "Response Structure", "members"),  # the whole response
    ],
)
def test_deleted_bullets_are_an_error_naming_both_lines(header: str, after: str, held: str) -> None:
    text = _drop_bullets_under(SEED.read_text(), header, after)
    with pytest.raises(PageError, match="bullets and syntax block disagree") as info:
        parse_page(text.encode(), "cut.rst")
    error = info.value
    lines = text.split("\n")
    assert header.split(" --*")[0] in lines[error.line - 1]
    assert f"shows {held} the bullets (line {error.line}) lack" in error.message
    syntax_line = int(error.message.split("syntax block (line ")[1].split(")")[0])
    name = header.split("**")[1] if header.startswith("- **") else None
    assert (f"'{name}'" if name else "{") in lines[syntax_line - 1]


def _nested_bullets(depth: int) -> str:
    """The seed page with `depth` more levels of entries under its first `(dict)` entry."""
    text = SEED.read_text()
    anchor = "- **ModelAccessConfig** *(dict) --*"
    at = text.index(anchor)
    indent = at - text.rindex("\n", 0, at) - 1
    extra = "".join(f"\n\n{' ' * (indent + 2 * (k + 1))}- **Deep{k}** *(dict) --*" for k in range(depth))
    return text[: at + len(anchor)] + extra + text[at + len(anchor):]


def test_nesting_over_the_cap_is_an_error_for_that_page_only(tmp_path: Path) -> None:
    # The entries are made up, so the syntax block disagrees with them: at a depth the
    # reader handles that is the error; past the caps it is the nesting.
    shallow = _nested_bullets(MAX_DEPTH - 10)
    with pytest.raises(PageError, match="bullets and syntax block disagree"):
        parse_page(shallow.encode(), "deep.rst")
    with pytest.raises(PageError, match=f"entries nested deeper than {MAX_DEPTH} levels"):
        parse_page(_nested_bullets(MAX_DEPTH + 5).encode(), "deep.rst")
    for depth in (MAX_INDENT // 2 + 5, 250, 1000):
        with pytest.raises(PageError, match="nested too deeply"):
            parse_page(_nested_bullets(depth).encode(), "deep.rst")
    # the other pages of the run still go through
    root = _tree(tmp_path / "pages")
    (root / "sagemaker" / "client" / "deep.rst").write_text(_nested_bullets(250))
    proc = _parse_cli(root)
    _only_error_at(proc, "sagemaker/client/deep.rst", "nested too deeply")


def _only_error_at(proc: subprocess.CompletedProcess[str], source: str, wanted: str) -> None:
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {source}:") and wanted in lines[0], lines
    assert [op["name"] for op in json.loads(proc.stdout)["operations"]] == ["create_model_package"]


@pytest.mark.parametrize(
    "text",
    [
        "- " * 400 + "x\n",  # bullets nested on one line
        "\n\n".join(" " * k + f"p{k}" for k in range(200)),  # block quotes one column apart
        "\n\n".join("  " * k + f"{k}. item" for k in range(200)),  # enumerated lists
    ],
    ids=["bullet-chain", "block-quotes", "enumerated"],
)
def test_docutils_never_recurses_out_of_the_page(text: str) -> None:
    with pytest.raises(PageError, match="nested too deeply"):
        parse_page(text.encode(), "deep.rst")
    # and the parser still reads the next page
    assert parse_page(SEED.read_bytes(), "seed.rst").name == "create_model_package"


def test_syntax_block_nesting_over_the_cap_is_an_error() -> None:
    from codegen.rst import syntax

    deep = "{'A': " * (syntax.MAX_DEPTH + 1) + "'string'" + "}" * (syntax.MAX_DEPTH + 1)
    with pytest.raises(syntax.SyntaxBlockError, match="nested deeper than"):
        syntax.parse_response(deep)
    ok = "{'A': " * (syntax.MAX_DEPTH - 1) + "'string'" + "}" * (syntax.MAX_DEPTH - 1)
    assert isinstance(syntax.parse_response(ok), syntax.SyntaxDict)


def test_rst_error_spanning_lines_is_one_line(tmp_path: Path) -> None:
    root = _tree(tmp_path / "pages")
    page = SEED.read_text().replace(".. py:method::", ".. unknownthing::\n\n  a\n  b\n\n.. py:method::", 1)
    (root / "sagemaker" / "client" / "odd.rst").write_text(page)
    result = CliRunner().invoke(main, ["parse", "-j", "1", str(root)])
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: sagemaker/client/odd.rst:")
    assert 'Unknown directive type "unknownthing"' in lines[0]


def test_bullets_cut_off_by_a_broken_description_are_marked_truncated() -> None:
    # What boto3 renders on apigatewayv2's integrations: a description line indented
    # less than its entry ends the entry there, and its child entries are left behind
    # as a stray list. The syntax block still shows the members, not their flags: the
    # shape is read from it and marked truncated, never silently smaller.
    text = SEED.read_text()
    anchor = "- **S3DataSource** *(dict) --*"
    at = text.index(anchor)
    doc_at = text.index("\n\n", at) + 2
    indent = at - text.rindex("\n", 0, at) - 1
    broken = text[:doc_at] + " " * indent + "  Specifies the S3 location.\n" + " " * indent + ", where\n\n" + text[doc_at:]
    clean = parse_page(SEED.read_bytes(), "seed.rst")
    op = parse_page(broken.encode(), "broken.rst")
    cut = [path for path, shape in op.walk() if shape.truncated]
    assert cut == ["input.InferenceSpecification.Containers[].ModelDataSource.S3DataSource"], cut
    lost = [p for p, required in fuzz_members(clean).items() if fuzz_members(op).get(p) != required]
    assert lost and all(p.startswith(cut[0] + ".") for p in lost)


def fuzz_members(op: tree.Operation) -> dict[str, bool]:
    return {f"{path}.{name}": m.required for path, shape in op.walk() for name, m in shape.members}


def test_diff_does_not_hang_on_a_fifo(tmp_path: Path) -> None:
    old = _tree(tmp_path / "old")
    new = _tree(tmp_path / "new")
    os.mkfifo(new / "sagemaker" / "client" / "fifo.rst")
    proc = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "diff", "-j", "1", str(old), str(new)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert lines[0].endswith("client/fifo.rst:1: not a regular file (a FIFO): not read")


@pytest.mark.parametrize("kind", ["fifo.rst", "fifo.json", "dev-zero", "link-to-dev-zero.json"])
def test_diff_does_not_hang_on_a_fifo_or_device_given_as_a_file(tmp_path: Path, kind: str) -> None:
    # (a file argument is read whole, as a page or a saved tree: a FIFO would block the
    # read, /dev/zero never end)
    seed = _tree(tmp_path / "old") / "sagemaker" / "client" / "create_model_package.rst"
    if kind.startswith("fifo"):
        bad = tmp_path / kind
        os.mkfifo(bad)
    elif kind == "dev-zero":
        bad = Path("/dev/zero")
    else:
        bad = tmp_path / kind
        bad.symlink_to("/dev/zero")
    proc = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "diff", "-j", "1", str(seed), str(bad)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"error: {bad}: not a regular file: not read"]


@pytest.mark.parametrize(
    "old,new,wanted",
    [
        # the note one column less indented: it holds the rest of the method
        ("\n  .. note::\n", "\n .. note::\n", "method text inside a note"),
        # the first description line at column 0: the method's body ends before it
        ("\n  Creates a model package", "\nCreates a model package", "after the end of the method's body"),
    ],
    ids=["note-swallows-the-body", "body-ends-early"],
)
def test_slipped_indentation_is_an_error_not_an_empty_method(old: str, new: str, wanted: str) -> None:
    text = SEED.read_text()
    assert text.count(old) >= 1
    with pytest.raises(PageError, match=wanted) as info:
        parse_page(text.replace(old, new, 1).encode(), "slipped.rst")
    assert info.value.line > 1


@pytest.mark.parametrize(
    "old",
    ["--* **[REQUIRED]**", ":param ModelPackageGroupName: "],  # an entry's marker, a parameter's
)
def test_damaged_required_marker_is_an_error(old: str) -> None:
    text = SEED.read_text()
    if old.startswith(":param"):  # (the seed has no required top-level parameter: made one)
        text = text.replace(old, old + "**[REQUIRED]**", 1)
        old += "**[REQUIRED]**"
        assert parse_page(text.encode(), "m.rst").input.member_map["ModelPackageGroupName"].required
    damaged = text.replace(old, old.replace("REQUIRED", "REQ\x15IRED"), 1)
    with pytest.raises(PageError, match="malformed marker") as info:
        parse_page(damaged.encode(), "m.rst")
    assert "\x15" not in str(info.value)  # (escaped: one printable line)
    assert "REQ\x15IRED" in damaged.split("\n")[info.value.line - 1]


def test_page_cut_in_the_signature_is_truncated_not_an_empty_method() -> None:
    text = SEED.read_text()
    cut = text[: text.index("(**kwargs)") + 4]
    with pytest.raises(PageError, match="truncated page: the method has no body"):
        parse_page(cut.encode(), "cut.rst")


def test_page_cut_in_the_description_is_truncated_not_a_method_without_parameters() -> None:
    text = SEED.read_text()
    cut = text[: text.index("To create a model package by specifying")]
    with pytest.raises(PageError, match="truncated page: ends before the method's fields"):
        parse_page(cut.encode(), "cut.rst")


def test_a_page_without_a_method_is_an_error_only_in_a_method_folder() -> None:
    # boto3 writes only method pages in client/, paginator/ and waiter/: a page there
    # without one is damaged (here cut before its directive); elsewhere it is an index
    # or resource page, skipped
    text = SEED.read_text()
    cut = text[: text.index(".. py:method::")].encode()
    with pytest.raises(PageError, match=r"no method on a page in a client/ folder \(truncated\?\)"):
        parse_page(cut, "sagemaker/client/create_model_package.rst")
    with pytest.raises(NotAMethodPage):
        parse_page(cut, "sqs/queue/index.rst")


def test_two_pages_for_one_method_are_an_error(tmp_path: Path) -> None:
    """A copied or renamed page (from a fork, a pull request) documents a method a page
    already documents: the tree would hold the operation twice (against the contract),
    and the package would define the method twice (mypy: no-redef), with whichever page
    came last winning. The page met first stands; the other is one error line."""
    root = _tree(tmp_path / "in")
    copy = SEED.read_text().replace("'Logged'|'Registered'", "'Logged'|'Registered'|'Othr'")
    (root / "sagemaker" / "client" / "zz_copy.rst").write_text(copy)
    wanted = ("error: sagemaker/client/zz_copy.rst:1: SageMaker.client.create_model_package "
              "is also documented by sagemaker/client/create_model_package.rst")
    proc = _parse_cli(root)
    assert proc.returncode == 1 and proc.stderr.splitlines() == [wanted]
    (op,) = tree.loads(proc.stdout)
    assert op == replace(parse_page(SEED.read_bytes(), op.source), source=op.source)
    out = tmp_path / "out"
    gen = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", "-j", "1", str(root), "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert gen.returncode == 1 and "Traceback" not in gen.stderr
    assert [line for line in gen.stderr.splitlines() if line.startswith("error: ")] == [wanted]
    stub = (out / "aws_typed" / "sagemaker" / "client.pyi").read_text()
    assert stub.count("def create_model_package(") == 1
    assert "Othr" not in models_text(out / "aws_typed" / "sagemaker")


@pytest.mark.parametrize(
    "first,count,path",
    [
        ("        - **S3Uri** *(string) --* **[REQUIRED]** ", 1, "input.ModelMetrics.ModelQuality.Statistics"),
        ("  :type ModelPackageName: string", 8, "input"),  # (its entry's line: the :param line)
    ],
    ids=["nested-bullet", "parameter"],
)
def test_a_member_listed_twice_is_an_error(tmp_path: Path, first: str, count: int, path: str) -> None:
    """A duplicated line or block (a bad merge) lists a member twice: the class would get
    one field twice (a SyntaxError on import: keyword argument repeated)."""
    lines = SEED.read_text().split("\n")
    at = lines.index(first)
    lines[at:at] = lines[at : at + count]
    name = "S3Uri" if count == 1 else "ModelPackageName"
    with pytest.raises(PageError) as info:
        parse_page("\n".join(lines).encode(), "dup.rst")
    entry = at + 1 if count == 1 else at + 2
    assert info.value.line == entry + count
    assert info.value.message == f"{path}: member {name!r} listed twice (also on line {entry})"
    root = _tree(tmp_path / "in")
    (root / "sagemaker" / "client" / "create_model_package.rst").write_text("\n".join(lines))
    gen = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", "-j", "1", str(root), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert gen.returncode == 1 and "Traceback" not in gen.stderr
    assert gen.stderr.splitlines()[0] == f"error: sagemaker/client/create_model_package.rst:{entry + count}: " + (
        info.value.message
    )
