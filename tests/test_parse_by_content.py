"""Parsing by content (codegen/rst/items.py, reader._read_by_content) changes nothing
but the speed: the same operations and the same errors, on their own lines, as reading
docutils' parse of the whole page; each distinct entry parsed once; and only docutils'
public API in codegen/."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, SEED
from docutils import nodes

from codegen import tree
from codegen.rst import driver, entries as rst_entries, fieldcut, items, literals, reader, toplevel
from codegen.rst.reader import NotAMethodPage, PageError, parse_page, parse_page_whole

SEED_SOURCE = "sagemaker/client/create_model_package.rst"
_ENTRY_LINE = re.compile(rb"^ *- (?:\*\*|\*\()", re.MULTILINE)


@pytest.fixture
def fresh() -> Iterator[None]:
    """No entry memoised, no page counted."""
    reader.forget_entries()
    reader.STATS.clear()
    yield
    reader.forget_entries()


def _outcome(parse: object, data: bytes, source: str) -> str:
    assert callable(parse)
    try:
        return tree.dumps([parse(data, source)])
    except NotAMethodPage:
        return "not a method page"
    except PageError as exc:
        return f"error: {exc}"


def _pages(root: Path, service: str) -> list[tuple[bytes, str]]:
    return [
        (page.read_bytes(), page.relative_to(root).as_posix())
        for page in sorted((root / service).rglob("*.rst"))
    ]


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_same_operations_as_the_whole_page(reference: Path, service: str, fresh: None) -> None:
    pages = _pages(reference, service)
    by_content = [_outcome(parse_page, data, source) for data, source in pages]
    # every page was read by content (none fell back to the whole page)...
    assert reader.STATS["by content"] == len(pages) and not reader.STATS["whole"]
    # ...and most entries met more than once
    entries = sum(len(_ENTRY_LINE.findall(data)) for data, _ in pages)
    assert len(rst_entries.MEMO) < 0.6 * entries
    for (data, source), got in zip(pages, by_content):
        assert got == _outcome(parse_page_whole, data, source), source


def test_the_lexer_cuts_entries_where_docutils_ends_them() -> None:
    """The texts items.split cuts out of the seed are the list items docutils makes of
    the same lines (lines right-stripped, as docutils reads them)."""
    text = SEED.read_text(encoding="utf-8")
    skeleton, runs = items.split(items.normalise(text), 0)
    assert len(runs) == skeleton.count(items.TOKEN) > 10

    def entries_of(key: str) -> list[str]:
        inner, inner_runs = items.split(key, 0)
        return [k for run in inner_runs for k in run] + [
            e for run in inner_runs for k in run for e in entries_of(k)
        ]

    cut = [k for run in runs for k in run]
    cut += [e for k in cut for e in entries_of(k)]
    document = reader.doctree(text, SEED_SOURCE)
    entry_items = [
        item.rawsource
        for lst in document.findall(nodes.bullet_list)
        if rst_entries.is_entry_list(lst)
        for item in lst.children
    ]
    strip = re.compile(r"[ ]+$", re.MULTILINE)
    assert sorted(strip.sub("", k).rstrip() for k in cut) == sorted(
        strip.sub("", i).rstrip() for i in entry_items
    )


def test_entries_are_found_by_their_dash_as_at_their_line_start(reference: Path) -> None:
    """The lexer looks for an entry's bullet from its dash (a literal: fast), then checks
    its line's start: at every line end of a service's pages, it finds what the pattern
    anchored at line starts finds, the pages' own lines and those of their entries."""
    checked = 0
    for data, _ in _pages(reference, "dynamodb"):
        text = items.normalise(data.decode())
        texts = [text, *(k for run in items.split(text, 0)[1] for k in run)]
        for each in texts:
            for pos in [0, *(m.start() for m in re.finditer("\n", each))]:
                want = items._ITEM.search(each, pos)
                got = items._search_item(each, pos)
                assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))
                checked += want is not None
    assert checked > 1000


def test_each_distinct_entry_is_parsed_once(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    rst = reader.parse_rst

    def counting(text: str, source: str) -> nodes.document:
        parsed.append(text)
        return rst(text, source)

    monkeypatch.setattr(reader, "parse_rst", counting)
    data = SEED.read_bytes()
    first = parse_page(data, SEED_SOURCE)
    assert len(parsed) == 1 and items.BATCH in parsed[0]
    batch = parsed[0][parsed[0].index(items.BATCH) :]
    # an entry documented several times on the page (the shared structures) is in the batch once
    # (each entry's text at the top level, not in a bullet list: items.batch)
    assert batch.count("\n**Image** *(string) --*") == 1 < data.count(b"- **Image** *(string) --*")
    assert "\n- **" not in batch
    # the second time round, nothing but the skeleton is parsed, and the tree is the same one
    second = parse_page(data, "other.rst")
    assert len(parsed) == 2 and items.BATCH not in parsed[1]
    assert tree.dumps([second]) == tree.dumps([first]).replace(SEED_SOURCE, "other.rst")
    assert second.input.member_map["InferenceSpecification"].shape is not None


def test_error_line_in_an_entry_memoised_on_another_page(fresh: None) -> None:
    text = SEED.read_text(encoding="utf-8")
    parse_page(text.encode(), SEED_SOURCE)  # every entry memoised
    # The same page, moved down, with one entry deep in a repeated structure damaged.
    entry = "- **ModelDataUrl** *(string) --*"
    at = text.index(entry, text.index(entry) + 1)  # (its second occurrence)
    bad = "\n" * 5 + text[:at] + entry.replace("(string)", "(strnig)") + text[at + len(entry) :]
    with pytest.raises(PageError) as error:
        parse_page(bad.encode(), "bad.rst")
    assert "unknown type marker 'strnig'" in error.value.message
    assert "(strnig)" in bad.splitlines()[error.value.line - 1]
    assert reader.STATS["whole"] == 1
    assert _outcome(parse_page_whole, bad.encode(), "bad.rst") == f"error: {error.value}"


@pytest.mark.parametrize(
    "change",
    [
        # a doc bullet in the same docutils list as the entries
        ("\n    - **Containers** *(list) --*", "\n    - a doc bullet\n\n    - **Containers** *(list) --*"),
        # an entry line run into the paragraph before it
        ("\n    - **Containers** *(list) --*", "\n    Some text\n    - **Containers** *(list) --*"),
        # a tab inside a line: docutils expands it from its own column
        ("The name of the model package.", "The name\tof the model package."),
        # a placeholder's text on the page
        ("A description of the model package.", f"A description of the {items.TOKEN}0 package."),
        # a no-break space in an entry's indentation
        ("\n          The Amazon S3 path", "\n       \u00a0  The Amazon S3 path"),
    ],
    ids=["mixed-list", "joined-paragraph", "tab", "token", "no-break-space"],
)
def test_unusual_pages_read_as_whole(change: tuple[str, str], fresh: None) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert change[0] in text
    data = text.replace(change[0], change[1], 1).encode()
    assert _outcome(parse_page, data, SEED_SOURCE) == _outcome(parse_page_whole, data, SEED_SOURCE)


_MODEL_DATA_URL = "( ``.tar.gz`` suffix)."
_IMAGE_DIGEST = "the Docker image used for training.\n\n          \n\n        \n        - **ModelDataUrl**"


@pytest.mark.parametrize(
    "change",
    [
        # an entry's text ending with `::`: its literal block is cut short by the end of
        # its item, where the next text would be read as one
        (_IMAGE_DIGEST, _IMAGE_DIGEST.replace("training.", "training. For example::")),
        # a transition line (an error in an item, a transition at the top level)
        (_MODEL_DATA_URL, _MODEL_DATA_URL + "\n\n          ----------\n\n          More."),
        # a title underline (an error in an item, a section at the top level)
        (_MODEL_DATA_URL, _MODEL_DATA_URL + "\n\n          Title\n          =====\n\n          More."),
        # a short one (text in an item)
        (_MODEL_DATA_URL, _MODEL_DATA_URL + "\n\n          Title\n          ::\n\n          More."),
    ],
    ids=["literal-at-end", "transition", "title", "short-underline"],
)
def test_entries_the_top_level_reads_otherwise(change: tuple[str, str], fresh: None) -> None:
    """An entry whose text the top level of a document could read otherwise than its
    list item is parsed as a list item (items.batch): the same outcome as the whole page."""
    text = SEED.read_text(encoding="utf-8")
    assert change[0] in text
    data = text.replace(change[0], change[1], 1).encode()
    key = next(k for k in _batch_texts(data) if "For example::" in k or "\n-----" in k or "\n=====" in k or "\n::" in k)
    assert items.batch([key], 0)[1][0].listed
    assert _outcome(parse_page, data, SEED_SOURCE) == _outcome(parse_page_whole, data, SEED_SOURCE)


def _batch_texts(data: bytes) -> list[str]:
    """The texts of the entries of a page, as the batch has them (their entries cut out)."""
    skeleton, runs = items.split(items.normalise(data.decode()), 0)
    out: list[str] = []
    todo = [k for run in runs for k in run]
    while todo:
        inner, inner_runs = items.split(todo.pop(), 0)
        out.append(inner)
        todo += [k for run in inner_runs for k in run]
    return out


def test_an_entry_with_a_bullet_line_reads_as_its_item(reference: Path, fresh: None) -> None:
    """S3's error codes: a `*` line alone (a title line to the top level) in an entry's
    text; read by content, as a list item, the same as whole."""
    page = reference / "s3" / "client" / "delete_objects.rst"
    data = page.read_bytes()
    listed = [k for k in _batch_texts(data) if items.batch([k], 0)[1][0].listed]
    assert listed and all("\n* \n" in k or "\n*\n" in k for k in listed)
    source = "s3/client/delete_objects.rst"
    assert _outcome(parse_page, data, source) == _outcome(parse_page_whole, data, source)
    assert reader.STATS["by content"] == 1 and not reader.STATS["whole"]


def test_odd_white_space_is_all_of_it() -> None:
    """items' quick look for white space other than spaces, before its line-by-line
    search, knows every character that str.isspace (so docutils) does."""
    odd = re.compile(f"[{items.ODD_SPACE}]")
    every = [chr(c) for c in range(sys.maxunicode + 1)]
    assert {c for c in every if odd.match(c)} == {c for c in every if c.isspace()} - {" ", "\n"}


def test_role_directives_are_refused() -> None:
    """`role` / `default-role` would change docutils' process-wide role registry."""
    text = SEED.read_text(encoding="utf-8")
    for directive in (".. default-role:: literal", ".. role:: code(literal)"):
        with pytest.raises(PageError, match="RST: .*directive is not allowed on a reference page"):
            parse_page(f"{directive}\n\n{text}".encode(), "role.rst")


# docutils' public API (issue 17): these modules, these names from docutils.parsers.rst
_PUBLIC_MODULES = {"docutils", "docutils.core", "docutils.frontend", "docutils.utils", "docutils.nodes",
                   "docutils.statemachine", "docutils.parsers.rst"}
_PUBLIC_RST = {"Parser", "Directive", "directives", "roles"}


def test_codegen_uses_only_docutils_public_api() -> None:
    for path in sorted((REPO / "codegen").rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(module):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("docutils"):
                assert node.module in _PUBLIC_MODULES, (path, node.module)
                names = {a.name for a in node.names}
                if node.module == "docutils.parsers.rst":
                    assert names <= _PUBLIC_RST, (path, names)
                assert not any(n.startswith("_") for n in names), (path, names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("docutils"):
                        assert alias.name in _PUBLIC_MODULES, (path, alias.name)
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = ast.unparse(node.value)
                assert base not in {"roles", "directives", "states", "nodes", "utils", "frontend"}, (path, ast.unparse(node))


# --- the sections cut out of the skeleton (items.cut_sections) ------------------------

_EXCEPTIONS_HEAD = "\n  **Exceptions**\n  \n  *   :py:class:`SageMaker.Client.exceptions.ConflictException`"


def test_sections_are_cut_and_read_as_docutils_reads_them(fresh: None) -> None:
    """The seed page's Exceptions list and plain `:type` fields are cut out of its
    skeleton, and the page reads the same as whole."""
    text = SEED.read_text(encoding="utf-8")
    skeleton, _ = items.split(items.normalise(text), 0)
    cut_text, sections = items.cut_sections(skeleton)
    whole = parse_page_whole(text.encode(), SEED_SOURCE)
    assert sections.exceptions is not None
    assert tuple(t.rsplit(".", 1)[-1] for t in sections.exceptions) == whole.exceptions
    plain = re.findall(r"^  :type (\w+): (\w+) *$", text, re.MULTILINE)
    assert plain and sections.types == {name: kind for name, kind in plain if kind in items.PLAIN_TYPES}
    assert "**Exceptions**" not in cut_text and ":type " not in cut_text
    assert _outcome(parse_page, text.encode(), SEED_SOURCE) == _outcome(parse_page_whole, text.encode(), SEED_SOURCE)
    assert reader.STATS["by content"] == 1 and not reader.STATS["whole"]


@pytest.mark.parametrize(
    "change",
    [
        # the heading run into the list: one paragraph to docutils
        (_EXCEPTIONS_HEAD, _EXCEPTIONS_HEAD.replace("**\n  \n  *", "**\n  *")),
        # the section indented less than the method's body: after the method
        ("SECTION", "\n"),
        # the section indented deeper: inside the :returns: field
        ("SECTION", "\n    "),
        # a paragraph after the list
        ("ResourceLimitExceeded`\n", "ResourceLimitExceeded`\n\n  And a paragraph.\n"),
        # another role in the list
        ("*   :py:class:`SageMaker.Client.exceptions.Conflict", "*   :py:meth:`SageMaker.Client.exceptions.Conflict"),
        # a type field run into the paragraph before it
        ("\n  :type ModelPackageName: string", "\n  Some text.\n  :type ModelPackageName: string"),
        # a type field indented deeper than its parameter
        ("\n  :type ModelPackageName: string", "\n    :type ModelPackageName: string"),
        # two type fields for one parameter: docutils keeps the last
        ("\n  :type Tags: list", "\n  :type Tags: list\n  :param Tags: x\n\n  :type Tags: string"),
        # a type field for another parameter name
        ("\n  :type Tags: list\n", "\n  :type Tags: list\n  :type Tagz: list\n"),
        # a misspelled type
        ("\n  :type Tags: list", "\n  :type Tags: lisst"),
    ],
    ids=[
        "exceptions-joined", "exceptions-outside", "exceptions-in-returns", "exceptions-then-text",
        "exceptions-other-role", "type-joined", "type-deeper", "type-twice", "type-other-name", "type-misspelled",
    ],
)
def test_sections_that_read_otherwise_are_left_to_docutils(change: tuple[str, str], fresh: None) -> None:
    """A layout the section cuts cannot be sure of: either not cut, or read whole
    (Unsure); never a different operation or error than the whole page's."""
    text = SEED.read_text(encoding="utf-8")
    if change[0] == "SECTION":
        data = _reindent_exceptions(text, change[1]).encode()
    else:
        assert change[0] in text
        data = text.replace(change[0], change[1], 1).encode()
    assert _outcome(parse_page, data, SEED_SOURCE) == _outcome(parse_page_whole, data, SEED_SOURCE)


def _reindent_exceptions(text: str, newline: str) -> str:
    """The page with its Exceptions section (to the end) indented by `newline`
    instead of the method body's two columns; it is still cut (the lexer is sure of
    the list), so the reader must see where docutils puts it."""
    at = text.index(_EXCEPTIONS_HEAD)
    section = text[at:].replace("\n  ", newline)
    skeleton, _ = items.split(items.normalise(text[:at] + section), 0)
    assert items.cut_sections(skeleton)[1].exceptions is not None
    return text[:at] + section


def test_exceptions_outside_the_method_fail_on_their_line(fresh: None) -> None:
    data = _reindent_exceptions(SEED.read_text(encoding="utf-8"), "\n").encode()
    with pytest.raises(PageError, match="method text after the end of the method's body") as error:
        parse_page(data, SEED_SOURCE)
    assert data.decode().splitlines()[error.value.line - 1] == "**Exceptions**"
    assert reader.STATS["whole"] == 1


# --- the method's body at the top level (codegen/rst/toplevel.py) ----------------------

_DESCRIPTION = "\n  Creates a model package that you can use"


def _directive_cut(data: bytes) -> bool:
    skeleton, _ = items.split(items.normalise(data.decode()), 0)
    skeleton, _ = items.cut_sections(skeleton)
    cut = toplevel.Cut()
    toplevel.cut_directive(skeleton, cut)
    return bool(cut.directives)


def test_the_method_body_is_read_at_the_top_level(reference: Path, fresh: None) -> None:
    """Client pages (their `::` under `**Request Syntax**` and an example's `Expected
    Output:` too) and paginator pages (a class directive around the method's) have
    their method's body parsed at the top level of the skeleton, and read the same as
    whole."""
    pages = _pages(reference, "dynamodb")
    cut = [source for data, source in pages if _directive_cut(data)]
    assert len(cut) > 0.8 * len(pages)
    assert any("/paginator/" in source for source in cut) and any("/waiter/" in source for source in cut)
    assert any(b"\n  Expected Output:\n  ::\n" in data for data, source in pages if source in cut)
    for data, source in pages:
        assert _outcome(parse_page, data, source) == _outcome(parse_page_whole, data, source), source
    assert not reader.STATS["whole"]


@pytest.mark.parametrize(
    "old, new, cut",
    [
        # a paragraph and its literal block: cut, and read as in the directive
        (_DESCRIPTION, "\n  For example:\n  ::\n\n    code\n" + _DESCRIPTION, True),
        # a title underline (a section at the top level, an error in the directive)
        (_DESCRIPTION, "\n  Title\n  =====\n" + _DESCRIPTION, False),
        # a transition
        (_DESCRIPTION, "\n  ----------\n" + _DESCRIPTION, False),
        # `::` under an enumerator (a list item at the top level)
        (_DESCRIPTION, "\n  A. Example\n  ::\n\n    code\n" + _DESCRIPTION, False),
        # `::` under two characters (an underline long enough: a title)
        (_DESCRIPTION, "\n  ab\n  ::\n" + _DESCRIPTION, False),
        # an option on the directive
        ("create_model_package(**kwargs)\n", "create_model_package(**kwargs)\n  :noindex:\n", False),
        # no blank line before the directive: a paragraph's text
        ("\n\n\n.. py:method::", "\n\n\nText\n.. py:method::", False),
    ],
    ids=["literal", "title", "transition", "enumerator", "short-title", "option", "joined"],
)
def test_method_bodies_the_top_level_reads_otherwise(old: str, new: str, cut: bool, fresh: None) -> None:
    """A method body the top level could read otherwise than its directive's nested
    parse keeps its directive; either way, the outcome of the whole page."""
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    data = text.replace(old, new, 1).encode()
    assert _directive_cut(data) == cut
    assert _outcome(parse_page, data, SEED_SOURCE) == _outcome(parse_page_whole, data, SEED_SOURCE)


def test_text_after_the_method_is_not_cut(fresh: None) -> None:
    """A page whose text goes on after the method's body (indented less than it) keeps
    its directive, and fails on that text's line as whole."""
    text = SEED.read_text(encoding="utf-8")
    data = (text.rstrip("\n") + "\n\nStray text after the method.\n").encode()
    assert not _directive_cut(data)
    assert _outcome(parse_page, data, SEED_SOURCE) == _outcome(parse_page_whole, data, SEED_SOURCE)


# --- the method's field list cut into its fields' bodies (codegen/rst/fieldcut.py) -------

_PARAM = "  :param ModelPackageName: \n\n    The name of the model package."
_VERSIONED = "It is not applicable to versioned models."  # (the end of that field's body)


def _fields_cut(data: bytes) -> list[fieldcut.Field]:
    skeleton, _ = items.split(items.normalise(data.decode()), 0)
    skeleton, _ = items.cut_sections(skeleton)
    cut = toplevel.Cut()
    toplevel.cut_directive(skeleton, cut)
    return cut.fields


def test_the_fields_are_read_from_their_bodies(reference: Path, fresh: None) -> None:
    """The seed's fields (their `:returns:` with its Response Syntax, `::` between
    blank lines) are cut, bodies that start with an entry run after a marker, and the
    page reads the same as whole; so do a service's pages, most of them cut."""
    fields = _fields_cut(SEED.read_bytes())
    names = [f.name for f in fields]
    assert "param ModelPackageName" in names and names[-2:] == ["rtype", "returns"]
    assert "\n::\n" in fields[-1].body and not fields[-1].marked
    pages = _pages(reference, "lambda")
    cut = [source for data, source in pages if _fields_cut(data)]
    assert len(cut) > 0.8 * len([s for _, s in pages if "/client/" in s])
    assert any(f.marked for data, source in pages for f in _fields_cut(data))
    for data, source in [(SEED.read_bytes(), SEED_SOURCE), *pages]:
        assert _outcome(parse_page, data, source) == _outcome(parse_page_whole, data, source), source
    assert not reader.STATS["whole"]


@pytest.mark.parametrize(
    "old, new, cut",
    [
        # a body that starts with a bullet list: after a FIELD marker
        (_PARAM, "  :param ModelPackageName: \n\n    * a bullet\n\n    The name of the model package.", True),
        # an empty body
        (_PARAM, "  :param ModelPackageName:\n  :param Other: \n\n    The name of the model package.", True),
        # a name with markup (the inline parser's)
        (_PARAM, _PARAM.replace("ModelPackageName:", "*ModelPackageName*:"), False),
        # the list run into the paragraph before it
        ("  \n  :type ModelPackageName: string\n  :param", "  Text.\n  :type ModelPackageName: string\n  :param", False),
        # no blank line after the list
        ("of the new model package.\n\n        \n  \n", "of the new model package.\n  Text after the fields.\n\n", False),
        # a title underline in a body
        (_PARAM, _PARAM + "\n\n    Title\n    =====\n", False),
        # a body ending with `::`
        (_VERSIONED, _VERSIONED + " For example::", False),
    ],
    ids=["marked", "empty", "markup-name", "joined", "no-blank-after", "title", "literal-at-end"],
)
def test_field_lists_the_top_level_reads_otherwise(old: str, new: str, cut: bool, fresh: None) -> None:
    """A field list the cut cannot be sure of is left to docutils; either way, the
    outcome of the whole page."""
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    data = text.replace(old, new, 1).encode()
    assert bool(_fields_cut(data)) == cut
    assert _outcome(parse_page, data, SEED_SOURCE) == _outcome(parse_page_whole, data, SEED_SOURCE)


# --- the literal blocks cut to a line (codegen/rst/literals.py) ---------------------------

_REQUEST = "  **Request Syntax**\n  ::\n\n"


def _literal_cut(data: bytes) -> list[str]:
    skeleton, _ = items.split(items.normalise(data.decode()), 0)
    skeleton, _ = items.cut_sections(skeleton)
    return literals.cut_literals(skeleton)[1]


def test_the_syntax_blocks_are_cut_as_docutils_reads_them(reference: Path, fresh: None) -> None:
    """Each page's literal blocks (its Request and Response Syntax), cut out of its
    skeleton, are the texts of the literal blocks of docutils' parse of the whole page;
    and the pages read the same as whole."""
    pages = [(SEED.read_bytes(), SEED_SOURCE), *_pages(reference, "lambda")]
    cut = 0
    for data, source in pages:
        whole = driver.doctree(data.decode(), source)
        expected = [block.astext() for block in whole.findall(nodes.literal_block)]
        got = _literal_cut(data)
        assert got == expected, source
        cut += len(got)
        assert _outcome(parse_page, data, source) == _outcome(parse_page_whole, data, source), source
    assert cut >= len(pages)  # (every client page has two)
    assert not reader.STATS["whole"]


@pytest.mark.parametrize(
    "old, new, cut",
    [
        # blank lines and a less indented line inside the block, trailing spaces
        (_REQUEST, _REQUEST + "      deeper  \n\n   \n    less\n", 2),
        # a `::` line inside the block: part of it
        (_REQUEST, _REQUEST + "    ::\n\n      inner\n", 2),
        # no blank line after the block: docutils warns, as it does on the whole page
        ("\n  :param ModelPackageName:", "  Text right after the block.\n  :param ModelPackageName:", 2),
        # a `::` line in a comment: no literal block for its placeholder
        (_REQUEST, "  .. a comment\n  ::\n\n     commented\n\n" + _REQUEST, 3),
        # a `::` line without a block after it
        (_REQUEST, "  Text\n  ::\n\n  Not indented.\n\n" + _REQUEST, 2),
        # the block's lines indented with a tab
        (_REQUEST, _REQUEST + "  \tx = 1\n", 2),
    ],
    ids=["blank-and-less", "inner-opener", "no-blank-after", "in-comment", "no-block", "tab"],
)
def test_literal_blocks_that_read_otherwise_are_left_to_docutils(old: str, new: str, cut: int, fresh: None) -> None:
    """Any layout around a `::` line: the same operation or error as the whole page
    (the placeholder not found where docutils reads no literal block: read whole)."""
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    data = text.replace(old, new, 1).encode()
    assert len(_literal_cut(data)) == cut
    assert _outcome(parse_page, data, SEED_SOURCE) == _outcome(parse_page_whole, data, SEED_SOURCE)


# --- several pages in one docutils document (reader.parse_pages) --------------------------


def _outcomes_together(pages: list[tuple[bytes, str]]) -> list[str]:
    out = []
    for (_, source), got in zip(pages, reader.parse_pages(pages)):
        if isinstance(got, tree.Operation):
            out.append(tree.dumps([got]))
        elif isinstance(got, NotAMethodPage):
            out.append("not a method page")
        else:
            assert isinstance(got, PageError), source
            out.append(f"error: {got}")
    return out


def test_pages_read_together_read_as_each_alone(reference: Path, fresh: None) -> None:
    """A service's pages, GROUP at a time in one document (as generate reads them): all
    but a few read there, each the same operation (or error) as its page read whole."""
    from codegen.parse import GROUP

    pages = _pages(reference, "dynamodb")
    got: list[str] = []
    for start in range(0, len(pages), GROUP):
        got += _outcomes_together(pages[start : start + GROUP])
    assert reader.STATS["together"] >= 0.9 * len(pages)
    for (data, source), outcome in zip(pages, got):
        assert outcome == _outcome(parse_page_whole, data, source), source


_TITLE = "********************\ncreate_model_package\n********************\n"


@pytest.mark.parametrize(
    "old, new, together",
    [
        # nothing changed: the four pages read together
        ("", "", 4),
        # a title of another style (a section in the page before it, were it not alone)
        (_TITLE, "create_model_package\n====================\n", None),
        # a page ending with `::` (docutils warns that no literal block follows)
        ("ResourceLimitExceeded`\n", "ResourceLimitExceeded`\n\nSee this::\n", None),
        # a page ending with a line of punctuation (a transition, or a title's overline)
        ("ResourceLimitExceeded`\n", "ResourceLimitExceeded`\n\n**********************\n", None),
        # a subsection at the end: the next page's title style
        ("ResourceLimitExceeded`\n", "ResourceLimitExceeded`\n\nMore\n----\n\nText.\n", None),
        # no title: the page's text would run on in the section before it
        (_TITLE, "", None),
        # an RST error in the page: the others still read together, or alone
        ("ResourceLimitExceeded`\n", "ResourceLimitExceeded`\n\n.. unknown-directive::\n", None),
        # the names of the pages around it, in explicit targets: docutils reports each
        # met twice in the document, a system message the reader skips
        ("ResourceLimitExceeded`\n", "ResourceLimitExceeded`\n\n.. _add_permission:\n\n.. _create_model_package:\n", None),
    ],
    ids=["clean", "other-title-style", "literal-at-end", "punctuation-at-end", "subsection", "no-title",
         "rst-error", "targets"],
)
def test_a_page_read_together_never_changes_another(
    reference: Path, old: str, new: str, together: int | None, fresh: None
) -> None:
    """Whatever the second of four pages holds, each of them reads as it reads alone:
    a page that docutils could read otherwise in a document of several is read alone,
    and so are the pages the document's layout no longer tells apart."""
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    pages = _pages(reference, "lambda")[:3]
    pages.insert(1, (text.replace(old, new, 1).encode(), SEED_SOURCE))
    got = _outcomes_together(pages)
    assert got == [_outcome(parse_page_whole, data, source) for data, source in pages]
    if together is not None:
        assert reader.STATS["together"] == together

