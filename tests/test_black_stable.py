"""The generated modules come out of the templates black-stable: black leaves every
rendered .py/.pyi as it is, so `generate` need not run black (codegen/emit/layout.py
lays out the long statements the way black does; the templates write black's blank
lines). Checked three ways: the layout port against black on statements of every shape
the templates write, whole rendered modules of real services, and (corpus) every
layout decision and every small module of the whole boto3 reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import black
import pytest

from codegen import fmt
from codegen.emit import layout
from codegen.emit import package as emit_package
from codegen.tree import Operation
from conftest import SEED, parse_service
from gen_support import parse_ok

# Statements (one line, black's spacing) and the depth they are written at: every shape
# the templates hand to layout.fit, long enough to be split, plus black's special cases.
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


def _black_statement(code: str, depth: int, element: bool = False) -> str:
    """black on one statement (or one element of an exploded call/dict) at `depth`."""
    header = "".join("    " * i + "if x:\n" for i in range(depth - 1 if element else depth))
    if element:
        outer = "    " * (depth - 1)
        opening, closing = ("x = {", "}") if code.startswith(('"', "{")) and "=" not in code.split(":")[0] else ("f(", ")")
        source = f"{header}{outer}{opening}\n{outer}    {code}\n{outer}{closing}\n"
        return "\n".join(black.format_str(source, mode=fmt.MODE).splitlines()[depth:-1])
    body = "    " * (depth + 1) + "pass\n" if code.endswith(":") else ""
    lines = black.format_str(header + "    " * depth + code + "\n" + body, mode=fmt.MODE).splitlines()[depth:]
    lines = lines[:-1] if body else lines
    while lines and not lines[0].strip():  # black's blank line before a nested def
        lines = lines[1:]
    return "\n".join(lines)


def _black_docstring(rendered: str, depth: int) -> str:
    source = "".join("    " * i + "def f():\n" for i in range(depth)) + rendered + "\n"
    return black.format_str(source, mode=fmt.MODE)


@contextmanager
def _no_fallbacks() -> Iterator[None]:
    before = len(layout.FALLBACKS)
    yield
    assert layout.FALLBACKS[before:] == [], "statements layout.py does not model (black ran)"


@pytest.mark.parametrize("code, depth", STATEMENTS)
def test_fit_lays_out_like_black(code: str, depth: int) -> None:
    with _no_fallbacks():
        assert layout.fit(code, depth) == _black_statement(code, depth)


@pytest.mark.parametrize("code, depth", ELEMENTS)
def test_fit_element_lays_out_like_black(code: str, depth: int) -> None:
    with _no_fallbacks():
        assert layout.fit_element(code, depth) == _black_statement(code, depth, element=True)


@pytest.mark.parametrize("body, depth", DOCSTRINGS)
def test_docstring_is_what_black_leaves(body: str, depth: int) -> None:
    rendered = layout.docstring(body, depth)
    source = "".join("    " * i + "def f():\n" for i in range(depth)) + rendered + "\n"
    assert _black_docstring(rendered, depth) == source


def test_unsupported_shapes_fall_back_to_black() -> None:
    code = "assert some_condition_that_is_long_enough(aaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbb), message_xx"
    before = len(layout.FALLBACKS)
    assert layout.fit(code, 1) == _black_statement(code, 1)
    assert len(layout.FALLBACKS) == before + 1


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
    with _no_fallbacks():
        files = emit_package.render_package(_operations(service, reference), "aws_typed")
    assert _assert_black_stable(files) >= 6


def test_long_package_name_is_black_stable(reference: Path) -> None:
    """The package name is in imports and strings the templates write: long ones split."""
    package = "a_very_long_package_name_for_the_layout_of_imports_and_strings_xxxxxxxxx"
    with _no_fallbacks():
        files = emit_package.render_package(_operations("kinesis", reference), package)
    assert _assert_black_stable(files) >= 6


def test_package_without_services_is_black_stable() -> None:
    """The package modules alone (an empty SERVICES) keep black's layout too."""
    assert _assert_black_stable(emit_package.render_package([], "aws_typed")) == 2


@contextmanager
def _recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[tuple[str, str, int]]]:
    """The layout decisions made meanwhile: (kind, code, depth) of every statement and
    element layout.py splits (the fast path writes a short one as it is) and every
    docstring."""
    decisions: set[tuple[str, str, int]] = set()
    split, docstring = layout._split, layout.docstring

    def record_split(code: str, depth: int, element: bool) -> str:
        decisions.add(("element" if element else "statement", code, depth))
        return split(code, depth, element)

    def record_docstring(body: str, depth: int) -> str:
        decisions.add(("docstring", body, depth))
        return docstring(body, depth)

    with monkeypatch.context() as patch:
        patch.setattr(layout, "_split", record_split)
        patch.setattr(layout, "docstring", record_docstring)
        with _no_fallbacks():
            yield decisions


_VERIFIED: set[tuple[str, str, int]] = set()  # decisions already checked in this process


def _assert_decisions_are_black(decisions: set[tuple[str, str, int]]) -> None:
    for kind, code, depth in sorted(decisions - _VERIFIED):
        if kind == "docstring":
            rendered = layout.docstring(code, depth)
            source = "".join("    " * i + "def f():\n" for i in range(depth)) + rendered + "\n"
            assert _black_docstring(rendered, depth) == source, (code, depth)
        else:
            mine = layout.fit(code, depth) if kind == "statement" else layout.fit_element(code, depth)
            assert mine == _black_statement(code, depth, kind == "element"), (kind, code, depth)
        _VERIFIED.add((kind, code, depth))


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_layout_decisions_are_black(service: str, reference: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every statement layout splits and every docstring, checked one by one against
    black (cheaper than black on the whole modules of a large service)."""
    with _recording(monkeypatch) as decisions:
        emit_package.render_package(_operations(service, reference), "aws_typed")
    assert len(decisions) > 100
    _assert_decisions_are_black(decisions)


def _corpus_services() -> list[str]:
    from codegen.pipeline.boto3_render import available_services

    return sorted(available_services())


@pytest.mark.corpus
@pytest.mark.parametrize("service", _corpus_services())
def test_every_service_is_black_stable(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole reference: every layout decision against black, and black on every
    module up to 120 kB (black on the largest would take hours; their statements are
    the decisions checked above, their blank lines the templates' own)."""
    from codegen.parse import parse_paths
    from conftest import corpus_root

    parsed = parse_paths([corpus_root() / service], jobs=1)
    with _recording(monkeypatch) as decisions:
        files = emit_package.render_package(parsed.sorted_operations(), "aws_typed")
    _assert_decisions_are_black(decisions)
    _assert_black_stable({rel: text for rel, text in files.items() if len(text) <= 120_000})


def test_statements_of_one_shape_are_laid_out_once() -> None:
    """Statements that differ only in their names and strings share one layout (names
    and strings put back in order), each still exactly what black makes of it."""
    names = ("AutoMLJobCompletionCriteriaWithSomeMoreWords", "ModelPackageValidationSpecificationSummaries")
    assert len(names[0]) == len(names[1])
    pairs = [
        ([f"def _check_{name}(value: Any, path: str, issues: list[Issue]) -> None:" for name in names], 0, False),
        ([f'{name.lower()}=load(data, "{name}", list_of({name}.from_dict)),' for name in names], 3, True),
    ]
    with _no_fallbacks():
        for (first, second), depth, element in pairs:
            fit = layout.fit_element if element else layout.fit
            assert fit(first, depth) == _black_statement(first, depth, element=element)
            hits = layout._split_shape.cache_info().hits
            assert fit(second, depth) == _black_statement(second, depth, element=element)
            assert layout._split_shape.cache_info().hits == hits + 1  # laid out as the first
    # Words in strings and keywords are not confused with names.
    code = f'raise ValueError("{names[0]} is not in the list of {names[1]} values at all")'
    with _no_fallbacks():
        assert layout.fit(code, 2) == _black_statement(code, 2)
