"""The generated modules come out of the templates in the canonical layout
(codegen/fmt.py), which black leaves as it is: `generate` runs no black. Checked on
statements of every shape the templates write (in the layout this module expects, and
left alone by black), on whole rendered modules of real services, and (corpus) on every
split statement and every small module of the whole boto3 reference. The same with the
oldest supported black and the newest release: tests/test_black_versions.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import black
import pytest

from codegen import fmt
from codegen.emit import package as emit_package
from codegen.tree import Operation
from conftest import SEED, parse_service
from gen_support import parse_ok

# Statements (one line, black's spacing) and the depth they are written at: every shape
# the templates hand to fmt.fit, long enough to be split, plus black's special cases.
STATEMENTS = [
    ('ShardLevelMetricType = Literal["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ALL"]', 0),
    ('ShardIteratorType = Literal["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]', 0),
    ('Short = Literal["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT"]', 0),
    ('OneValue = Literal["a-single-enum-value-that-is-far-too-long-to-fit-on-one-line-with-its-name"]', 0),
    ('_ShardLevelMetricType = frozenset({"IncomingBytes", "IncomingRecords", "OutgoingBytes", "WriteProvisionedThroughputExceeded"})', 0),
    ('_KEYS_X: frozenset[str] = frozenset({"IncomingBytes", "IncomingRecords", "OutgoingBytes", "Outgo"})', 0),
    ('_KEYS_SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXXXXXXXXXXXXXX: frozenset[str] = frozenset()', 0),
    ("some_attribute_name: list[SomeVeryLongClassNameForTestingPurposesOnly] | UnsetType = UNSET", 1),
    ("some_attribute_name_that_is_long: dict[str, list[SomeVeryLongClassNameForTestingPurposes]] | UnsetType = UNSET", 1),
    ("some_attribute_name_that_is_long: SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXXXXX", 1),
    ("def from_dict(cls, data: Mapping[str, Any]) -> SomeVeryLongClassNameForTestingPurposesOnlyXXXX:", 1),
    ("def from_dict(cls, data: Mapping[str, Any]) -> SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:", 1),
    ("def validate_some_long_operation_name_here(params: Mapping[str, Any]) -> list[Issue]:", 0),
    ("def _check_SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXX(value: Any, path: str, issues: list[Issue]) -> None:", 0),
    ("def add_tags_to_stream(self, *, StreamName: str = ..., Tags: Mapping[str, str], StreamARN: str = ...) -> None:", 1),
    ("def acknowledge_queue_records(self, *, QueueARN: str, Entries: Sequence[EntryTypeDef]) -> AcknowledgeQueueRecordsResponseTypeDef:", 1),
    ("def put_object(self, *, Body: bytes | bytearray | str | IO[Any] = ..., Bucket: str, **kwargs: Any) -> PutObjectOutputTypeDef:", 1),
    ("def close_some_long_name_for_a_client_method_that_is_very_long_indeed_xxxxxxxxxxxx(self) -> None:", 1),
    ("def method_name_long_enough_to_matter(self) -> DescribeSomethingVeryLongResponseNameTypeDefXXXXXXXX:", 1),
    ('issues.append(Issue(p0, "wrong_type", f"expected a list, got {type(y0).__name__}"))', 3),
    ('issues.append(Issue(p, "wrong_type", f"expected a dict, got {type(v).__name__}"))', 2),
    ("if not check_structure(value, path, _KEYS_SomeVeryLongClassNameForTestingPurposesOnly, issues):", 1),
    ('check_required(value, path, ("SomeLongKeyName", "AnotherLongKeyName", "YetAnotherKey"), issues)', 1),
    ('check_required(value, path, ("SomeLongKeyNameXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",), issues)', 1),
    ('check_required(value, path, ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P"), issues)', 1),
    ('_check_SomeVeryLongClassName(value["SomeLongKeyName"], join(path, "SomeLongKeyName"), issues)', 2),
    ('check_enum(value["SomeLongKeyName"], join(path, "SomeLongKeyName"), _SomeLongEnumNameType, issues)', 1),
    ("for i0, y0 in enumerate(some_very_long_variable_name_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx):", 2),
    ('raise KeyError(f"bedrock-agentcore-control has no operation {operation!r}") from None', 2),
    ("from aws_typed_long._runtime import UNSET, UnsetType, drop_unset, list_of, load, map_of, to_wire", 0),
    ("from a_package.some_long_service_module_name.validators import check, install, validate", 0),
    ("class SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX(TypedDict):", 0),
    ("SomeKey: NotRequired[Sequence[SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXX]]", 1),
    ("SomeKey: NotRequired[Mapping[str, SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXX]]", 1),
    ("SomeKey: NotRequired[bytes | bytearray | str | IO[Any] | SomeVeryLongClassNameForTestingXX]", 1),
    ('return drop_unset({"A": self.a, "B": self.b,})', 2),
    ('return cls(a=data["A"], b=data.get("B", UNSET),)', 2),
    ("issues = validate_some_operation_with_a_really_long_name_for_testing_purposes_xxxxxx(params)", 1),
    # the walk of from_dict/to_dict and the depth of the checks (docs/runtime.md)
    ("def from_dict(cls, data: Mapping[str, Any], at: Walk | None = None) -> SomeVeryLongClassNameXX:", 1),
    ("def from_dict(cls, data: Mapping[str, Any], at: Walk | None = None) -> SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXXXXX:", 1),
    ("def _check_SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXX(value: Any, path: str, issues: list[Issue], depth: int) -> None:", 0),
    ("if not check_structure(value, path, _KEYS_SomeVeryLongClassNameForTestingPurposes, issues, depth):", 1),
    ('_check_SomeVeryLongClassName(value["SomeLongKeyName"], join(path, "SomeLongKeyName"), issues, depth + 1)', 2),
    ("_check_SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXXXXXXXXXXXX(y1, p1, issues, depth + 3)", 4),
    ("from aws_typed_long._runtime import UNSET, UnsetType, Walk, drop_unset, dumping, list_of, load, need, walk", 0),
]

# Elements of a bracket exploded one a line (with their comma), and their depth.
ELEMENTS = [
    ('some_attribute_name=load(data, "SomeAttributeName", list_of(SomeVeryLongClass.from_dict)),', 3),
    ('some_attribute_name=list_of(SomeVeryLongClassNameXXXXXXXXX.from_dict)(data["SomeAttributeName"]),', 3),
    ('some_attribute_name=SomeVeryLongClassNameXXXXXXXXXXXXXXXXXXX.from_dict(data["SomeAttributeName"]),', 3),
    ('attribute=load(data, "Attribute", map_of(list_of(SomeVeryLongClassNameXXXXXXXXXXXXX.from_dict))),', 3),
    ('"SomeAttributeNameXXXXXXXXXXXXXXXXXXXXXXXXXX": to_wire(self.some_attribute_name_xxxxxxxxxxxx),', 4),
    ('"SomeAttributeNameXXXXXXXXXXXXXX": to_wire(self.some_attribute_name_xx, at, "SomeAttributeNameXXXXXXXXXXXXXX"),', 4),
    ('some_attribute_name=need(data, "SomeAttributeName", at, list_of(SomeVeryLongClass.from_dict)),', 3),
    ('some_attribute_name=load(data, "SomeAttributeName", map_of(list_of(SomeVeryLongClassName.from_dict)), at),', 3),
    ('some_attribute_name_that_is_long=need(data, "SomeAttributeNameThatIsLongXXXXXXXXXXXXXX", at),', 3),
    ('{"a-b": NotRequired[str], "c": NotRequired[SomeVeryLongClassNameForTestingPurposesOnlyXX], "d": int},', 1),
    ('"ChannelDescriptionS3TablesDestinationConfigurationS3TablesConfigurationListItemOutputTypeDef",', 1),
    ('unique_id="aws_typed.sagemaker_featurestore_runtime_with_a_long_name_xxxxxxxxxxxxxx.validate",', 2),
    ('"describe_something_with_a_long_operation_name_xxxxxxxxxxxxxxxxxx": validate_describe_something_xx,', 1),
]

DOCSTRINGS = [
    ("A plain one.", 1),
    ("  Padded  ", 1),
    ('"Quoted" at both ends"', 1),
    ("Ends with a backslash \\", 2),
    ("Ends with two backslashes \\\\", 2),
    ("First line\n   indented continuation\n\n  another paragraph line", 1),
    ("First line\n" + "x" * 90, 1),
    ("First line\n" + "x" * 84, 1),
    ("First line\n\tTabbed line\n", 2),
    ("", 1),
    (" ", 1),
    ("Trailing backslash then newline \\\\\n next", 1),
]


def in_context(text: str, depth: int, element: bool = False, code: str = "") -> tuple[str, int]:
    """`text` (lines laid out at `depth`) as a module black can read: inside `depth` nested
    defs (classes for a def), or for an element inside a call or a dict; and the number
    of lines before it."""
    if element:
        outer = "    " * (depth - 1)
        header = "".join("    " * i + "def f():\n" for i in range(depth - 1))
        dict_entry = code.startswith(('"', "{")) and "=" not in code.split(":")[0]
        opening, closing = ("x = {", "}") if dict_entry else ("f(", ")")
        return f"{header}{outer}{opening}\n{text}\n{outer}{closing}\n", depth
    word = "class C:" if code.startswith(("def ", "class ")) else "def f():"
    header = "".join("    " * i + word + "\n" for i in range(depth))
    body = "    " * (depth + 1) + "pass\n" if code.endswith(":") else ""
    return f"{header}{text}\n{body}", depth


def assert_black_leaves(code: str, depth: int, element: bool = False) -> str:
    """The canonical layout of `code`, checked to be black's fixed point, and to be
    `code` again when joined (only line breaks and trailing commas added)."""
    text = fmt.fit_element(code, depth) if element else fmt.fit(code, depth)
    source, _ = in_context(text, depth, element, code)
    assert black.format_str(source, mode=fmt.mode()) == source, f"black changes:\n{text}"
    assert _joined(text) == _joined(code), text
    return text


def _joined(text: str) -> str:
    """Code without spaces, line breaks, parentheses and commas before a closing
    bracket: what a layout may change."""
    joined = "".join(text.split())
    for closing in ")]}":
        joined = joined.replace("," + closing, closing)
    return joined.replace("(", "").replace(")", "")


@pytest.mark.parametrize("code, depth", STATEMENTS)
def test_fit_is_canonical_and_black_stable(code: str, depth: int) -> None:
    text = assert_black_leaves(code, depth)
    assert all(len(line) <= fmt.LINE_LENGTH for line in text.splitlines() if "(" in line or "[" in line)


@pytest.mark.parametrize("code, depth", ELEMENTS)
def test_fit_element_is_canonical_and_black_stable(code: str, depth: int) -> None:
    assert_black_leaves(code, depth, element=True)


# The canonical form of the constructs the templates write (codegen/fmt.py).
CANONICAL = [
    (  # a def's parameters: one a line, trailing comma, even a lone one
        "def method_name_long_enough_to_matter(self) -> DescribeSomethingVeryLongResponseNameTypeDefXXXXXXXX:",
        1,
        "    def method_name_long_enough_to_matter(\n        self,\n    ) -> DescribeSomethingVeryLongResponseNameTypeDefXXXXXXXX:",
    ),
    (  # parameters that would fit on one line are exploded too
        "def validate_some_long_operation_name_here(params: Mapping[str, Any], x: int) -> list[Issue]:",
        0,
        "def validate_some_long_operation_name_here(\n    params: Mapping[str, Any],\n    x: int,\n) -> list[Issue]:",
    ),
    (  # a Literal alias
        'Short = Literal["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT"]',
        0,
        'Short = Literal[\n    "AT_SEQUENCE_NUMBER",\n    "AFTER_SEQUENCE_NUMBER",\n    "TRIM_HORIZON",\n    "LATEST",\n    "AT",\n]',
    ),
    (  # a lone subscript element stays on its own line (a comma would make a tuple)
        'OneValue = Literal["a-single-enum-value-that-is-far-too-long-to-fit-on-one-line-with-its-name"]',
        0,
        'OneValue = Literal[\n    "a-single-enum-value-that-is-far-too-long-to-fit-on-one-line-with-its-name"\n]',
    ),
    (  # a field whose annotation has no bracket to split: the default in parentheses
        "some_attribute_name: SomeVeryLongClassNameForTestingPurposesOnlyXX | UnsetType = UNSET",
        1,
        "    some_attribute_name: SomeVeryLongClassNameForTestingPurposesOnlyXX | UnsetType = (\n        UNSET\n    )",
    ),
    (  # ... and the annotation when that does not fit
        "some_attribute_name_xxxxxxxxxxxxxx: SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXX | UnsetType = UNSET",
        1,
        "    some_attribute_name_xxxxxxxxxxxxxx: (\n        SomeVeryLongClassNameForTestingPurposesOnlyXXXXXXX | UnsetType\n    ) = UNSET",
    ),
    (  # imports: one name a line
        "from a_package.some_long_service_module_name_xxxxxx.validators import check, install, validate",
        0,
        "from a_package.some_long_service_module_name_xxxxxx.validators import (\n    check,\n    install,\n    validate,\n)",
    ),
    (  # a call: the arguments exploded, the nested tuple only when it does not fit
        'check_required(value, path, ("SomeLongKeyName", "AnotherLongKeyName", "YetAnotherKey"), issues)',
        1,
        '    check_required(\n        value,\n        path,\n        ("SomeLongKeyName", "AnotherLongKeyName", "YetAnotherKey"),\n        issues,\n    )',
    ),
    (  # a condition without a bracket to split: in parentheses, one operand a line if need be
        'if "a key far too long to fit on one line with the rest of the condition xxxxxxxxxxxxxx" in value:',
        1,
        '    if (\n        "a key far too long to fit on one line with the rest of the condition xxxxxxxxxxxxxx"\n'
        "        in value\n    ):",
    ),
    (  # a lone argument stays on its own line and is split in its turn
        '_X = frozenset({"IncomingBytes", "IncomingRecords", "OutgoingBytes", "WriteProvisionedThroughputExceeded"})',
        0,
        '_X = frozenset(\n    {\n        "IncomingBytes",\n        "IncomingRecords",\n        "OutgoingBytes",\n'
        '        "WriteProvisionedThroughputExceeded",\n    }\n)',
    ),
]


@pytest.mark.parametrize("code, depth, expected", CANONICAL)
def test_canonical_form(code: str, depth: int, expected: str) -> None:
    assert assert_black_leaves(code, depth) == expected


def test_short_statements_are_written_as_they_are() -> None:
    assert fmt.fit('x = f(a, ("one",))', 2) == '        x = f(a, ("one",))'  # a one-tuple's comma is not magic
    assert fmt.fit("x = f(a, b,)", 0) == "x = f(\n    a,\n    b,\n)"  # a magic trailing comma is
    assert fmt.fit('x = Literal["a,)", "[b"]', 0) == 'x = Literal["a,)", "[b"]'  # (not in a string)


def test_unsplittable_statement_is_left_long() -> None:
    """No bracket to split (black leaves such a line long too)."""
    code = 'some_name_xxxxxxxxxxxxxxxxxxxx = "a string literal far too long to fit in the eighty-eight columns, even on a line of its own"'
    assert assert_black_leaves(code, 0) == code


@pytest.mark.parametrize("body, depth", DOCSTRINGS)
def test_docstring_is_what_black_leaves(body: str, depth: int) -> None:
    rendered = fmt.docstring(body, depth)
    source = "".join("    " * i + "def f():\n" for i in range(depth)) + rendered + "\n"
    assert black.format_str(source, mode=fmt.mode()) == source


@pytest.mark.parametrize(
    "value", ["plain", "it's", 'say "hi"', "both ' and \"", "both '' and \"", 'both \' and ""', "back\\slash 'q'", "\n\t\x00é"]
)
def test_quote_is_black_s_string_literal(value: str) -> None:
    literal = fmt.quote(value)
    assert ast.literal_eval(literal) == value
    assert black.format_str(f"x = {literal}\n", mode=fmt.mode()) == f"x = {literal}\n"


def _operations(service: str, reference: Path) -> list[Operation]:
    if service == "seed":
        return parse_ok(SEED)
    parsed = parse_service(reference, service)
    return parsed.sorted_operations()  # type: ignore[no-any-return]


def _assert_black_stable(files: dict[str, str]) -> int:
    checked = 0
    for rel, text in sorted(files.items()):
        if rel.endswith((".py", ".pyi")):
            problem = fmt.first_unstable(text, pyi=rel.endswith(".pyi"))
            assert problem is None, f"{rel}: black changes the rendered text; {problem}"
            checked += 1
    return checked


@pytest.mark.parametrize("service", ["seed", "kinesis", "bedrock-runtime", "lambda", "wafv2"])
def test_rendered_modules_are_black_stable(service: str, reference: Path) -> None:
    files = emit_package.render_package(_operations(service, reference), "aws_typed")
    assert _assert_black_stable(files) >= 6


def test_long_package_name_is_black_stable(reference: Path) -> None:
    """The package name is in imports and strings the templates write: long ones split."""
    package = "a_very_long_package_name_for_the_layout_of_imports_and_strings_xxxxxxxxx"
    files = emit_package.render_package(_operations("kinesis", reference), package)
    assert _assert_black_stable(files) >= 6


def test_package_without_services_is_black_stable() -> None:
    """The package modules alone (an empty SERVICES) keep black's layout too."""
    assert _assert_black_stable(emit_package.render_package([], "aws_typed")) == 2


@contextmanager
def _recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[tuple[str, str, int]]]:
    """The layout decisions made meanwhile: (kind, code, depth) of every statement and
    element fmt splits (a short one is written as it is) and every docstring."""
    decisions: set[tuple[str, str, int]] = set()
    layout, docstring = fmt._layout, fmt.docstring

    def record_layout(code: str, depth: int, element: bool) -> str:
        decisions.add(("element" if element else "statement", code, depth))
        return layout(code, depth, element)

    def record_docstring(body: str, depth: int) -> str:
        decisions.add(("docstring", body, depth))
        return docstring(body, depth)

    with monkeypatch.context() as patch:
        patch.setattr(fmt, "_layout", record_layout)
        patch.setattr(fmt, "docstring", record_docstring)
        yield decisions


_VERIFIED: set[tuple[str, str, int]] = set()  # decisions already checked in this process


def _assert_decisions_are_stable(decisions: set[tuple[str, str, int]]) -> None:
    for kind, code, depth in sorted(decisions - _VERIFIED):
        if kind == "docstring":
            rendered = fmt.docstring(code, depth)
            source = "".join("    " * i + "def f():\n" for i in range(depth)) + rendered + "\n"
            assert black.format_str(source, mode=fmt.mode()) == source, (code, depth)
        else:
            assert_black_leaves(code, depth, kind == "element")
        _VERIFIED.add((kind, code, depth))


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_layout_decisions_are_black_stable(service: str, reference: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every statement fmt splits and every docstring, checked one by one with black
    (cheaper than black on the whole modules of a large service)."""
    with _recording(monkeypatch) as decisions:
        emit_package.render_package(_operations(service, reference), "aws_typed")
    assert len(decisions) > 100
    _assert_decisions_are_stable(decisions)


def _corpus_services() -> list[str]:
    from codegen.pipeline.boto3_render import available_services

    return sorted(available_services())


@pytest.mark.corpus
@pytest.mark.parametrize("service", _corpus_services())
def test_every_service_is_black_stable(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole reference: every layout decision with black, and black on every module
    up to 120 kB (black on the largest would take hours; their statements are the
    decisions checked above, their blank lines the templates' own)."""
    from codegen.parse import parse_paths
    from conftest import corpus_root

    parsed = parse_paths([corpus_root() / service], jobs=1)
    with _recording(monkeypatch) as decisions:
        files = emit_package.render_package(parsed.sorted_operations(), "aws_typed")
    _assert_decisions_are_stable(decisions)
    _assert_black_stable({rel: text for rel, text in files.items() if len(text) <= 120_000})
