"""`codegen diff` on real revisions: boto3 1.42.50 → 1.44.8, checked against the models.

The expected changes are computed from the two releases' botocore models
(tests/releases/model_changes.py), never typed in: the diff must report exactly those,
for every rule the pages can show.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen import diff
from codegen.parse import parse_paths
from codegen.pipeline.boto3_render import render_service
from codegen.tree import Operation
from releases import data, edited, model_changes


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "[", prefix + "{"))


def _truncated(*sides: tuple[Operation, ...]) -> set[tuple[str, str]]:
    """(operation, path) of the sections boto3 did not render ("too large to render")."""
    out = set()
    for ops in sides:
        for op in ops:
            loc = diff.Location(op.service, op.kind, op.name)
            out |= {(loc.operation, path) for path, shape in op.walk() if shape.truncated}
    return out


@pytest.fixture(scope="module")
def releases() -> tuple[tuple[Operation, ...], tuple[Operation, ...]]:
    return data.operations(data.OLD), data.operations(data.NEW)


@pytest.fixture(scope="module")
def expected() -> set[model_changes.Fact]:
    return model_changes.expected_facts(
        data.model(data.OLD), data.model(data.NEW), data.SERVICE_CLASS
    )


@pytest.fixture(scope="module")
def result(releases: tuple[tuple[Operation, ...], tuple[Operation, ...]]) -> diff.DiffResult:
    old, new = releases
    return diff.compare(old, new, old_label=data.OLD, new_label=data.NEW)


def test_every_rule_is_decided_by_the_models_or_checked_otherwise() -> None:
    """A rule added to `codegen diff` must say how the release test explains it."""
    assert model_changes.MODEL_RULES.isdisjoint(model_changes.NOT_FROM_MODELS)
    assert model_changes.MODEL_RULES | model_changes.NOT_FROM_MODELS.keys() == diff.RULES.keys()


def test_seed_is_the_old_release_page() -> None:
    rendered = data.pages(data.OLD) / "client" / "create_model_package.rst"
    assert data.SEED.read_bytes() == rendered.read_bytes()


def test_seed_against_the_same_page_of_1_44_8(expected: set[model_changes.Fact]) -> None:
    old = diff.load_operations(data.SEED, parse_paths)
    new = diff.load_operations(
        data.pages(data.NEW) / "client" / "create_model_package.rst", parse_paths
    )
    result = diff.compare(old, new)
    want = {f for f in expected if f[1] == "SageMaker.Client.create_model_package"}
    assert want, "the models say create_model_package changed between the releases"
    assert model_changes.diff_facts(result) == want
    # AdditionalModelDataSources is added to the container structure that the page
    # renders at two paths: one change, listing both.
    added = [
        c for c in result.changes if c.detail_dict().get("member") == "AdditionalModelDataSources"
    ]
    assert len(added) == 1
    assert [loc.path for loc in added[0].locations] == [
        "input.AdditionalInferenceSpecifications[].Containers[].AdditionalModelDataSources",
        "input.InferenceSpecification.Containers[].AdditionalModelDataSources",
    ]


def test_whole_service_matches_the_models(
    result: diff.DiffResult,
    releases: tuple[tuple[Operation, ...], tuple[Operation, ...]],
    expected: set[model_changes.Fact],
) -> None:
    # Where boto3 did not render a section ("too large to render": Search's response
    # in both releases) the pages cannot show what changed below it. Such a section is
    # reported as not compared when it differs; identical stubs are no change.
    truncated = _truncated(*releases)
    assert {op for op, _ in truncated} <= {"SageMaker.Client.search", "SageMaker.Paginator.Search"}
    not_compared = {
        (loc.operation, loc.path)
        for c in result.changes
        if c.rule == "section-not-compared"
        for loc in c.locations
    }
    assert not_compared <= truncated
    want = {f for f in expected if not any(f[1] == op and _under(f[2], p) for op, p in truncated)}
    # Every change the diff reports is kept: those of a rule the models decide must be
    # in `want`; the others are explained here or fail the test.
    reported = model_changes.diff_facts(result)
    got = {f for f in reported if f[0] in model_changes.MODEL_RULES}
    unexplained = {
        f
        for f in reported - got
        if not (f[0] == "section-not-compared" and (f[1], f[2]) in truncated)
    }
    assert sorted(unexplained)[:20] == [], "changes of no rule the models or the pages explain"
    assert sorted(want - got)[:20] == [], "changes the models show but the diff misses"
    assert sorted(got - want)[:20] == [], "changes the diff reports but the models do not show"
    assert got == want
    # Every kind of change this pair of releases has is covered, not only additions.
    rules = Counter(f[0] for f in got)
    assert {
        "operation-added",
        "request-member-added",
        "response-member-added",
        "request-member-now-optional",
        "request-enum-value-added",
        "request-enum-value-removed",
        "response-enum-value-added",
        "response-enum-value-removed",
    } <= rules.keys()


def test_each_location_reported_once_and_shared_structures_grouped(result: diff.DiffResult) -> None:
    seen = Counter((c.rule, loc, c.detail) for c in result.changes for loc in c.locations)
    assert max(seen.values()) == 1
    locations = sum(len(c.locations) for c in result.changes)
    assert len(result.changes) * 2 < locations  # grouping, not one line per path
    shared = [c for c in result.changes if c.shared]
    assert shared
    # The model data source's new member: one change for the whole service, every
    # operation that embeds the container definition listed under it.
    adds = [
        c
        for c in result.changes
        if c.rule == "request-member-added"
        and c.detail_dict()["member"] == "AdditionalModelDataSources"
        and any(loc.name == "create_model_package" for loc in c.locations)
    ]
    assert len(adds) == 1
    assert len(adds[0].operations) > 1
    assert all(loc.path.endswith(".AdditionalModelDataSources") for loc in adds[0].locations)


def test_levels_and_speed(
    releases: tuple[tuple[Operation, ...], tuple[Operation, ...]], result: diff.DiffResult
) -> None:
    old, new = releases
    start = time.perf_counter()
    again = diff.compare(old, new)
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, elapsed
    assert [(c.rule, c.locations) for c in again.changes] == [
        (c.rule, c.locations) for c in result.changes
    ]
    counts = result.counts()
    for change in result.changes:
        assert change.level == diff.RULES[change.rule].level
    assert sum(counts.values()) == len(result.changes)
    assert counts["ERR"] >= 1  # an enum value removed from a request
    # Reversed, additions become removals: removed request members break callers.
    back = diff.compare(new, old)
    assert any(c.rule == "operation-removed" and c.level == "ERR" for c in back.changes)
    assert any(c.rule == "request-member-removed" for c in back.changes)
    assert any(c.rule == "response-member-removed" and c.level == "WARN" for c in back.changes)


def test_documentation_changes_only_when_asked(
    releases: tuple[tuple[Operation, ...], tuple[Operation, ...]], result: diff.DiffResult
) -> None:
    assert not any(c.rule == "documentation-changed" for c in result.changes)
    with_docs = diff.compare(*releases, include_docs=True)
    docs = [c for c in with_docs.changes if c.rule == "documentation-changed"]
    assert docs and all(c.level == "INFO" for c in docs)
    # The models cannot say how boto3's HTML-to-RST and the parser render a text, but
    # a text reported changed must be one the two models' HTML differs at.
    changed = model_changes.text_changes(
        data.model(data.OLD), data.model(data.NEW), data.SERVICE_CLASS
    )
    reported = {(loc.operation, loc.path) for c in docs for loc in c.locations}
    assert sorted(reported - changed)[:20] == [], "texts reported changed that the models keep"
    assert {c.rule for c in with_docs.changes} - {"documentation-changed"} == {
        c.rule for c in result.changes
    }


def test_json_output_schema(result: diff.DiffResult) -> None:
    doc = json.loads(diff.JsonRenderer().render(result))
    assert doc["diff_version"] == 1
    assert doc["old"] == {"source": data.OLD, "operations": result.old_operations}
    assert doc["new"] == {"source": data.NEW, "operations": result.new_operations}
    summary = doc["summary"]
    assert set(summary) == {"changes", "locations", "ignored", "ERR", "WARN", "INFO"}
    assert (
        summary["changes"]
        == len(doc["changes"])
        == summary["ERR"] + summary["WARN"] + summary["INFO"]
    )
    assert summary["locations"] == sum(len(c["locations"]) for c in doc["changes"])
    for change in doc["changes"]:
        assert set(change) == {"rule", "level", "message", "detail", "operations", "locations"}
        assert change["rule"] in diff.RULES and change["level"] in ("ERR", "WARN", "INFO")
        assert isinstance(change["message"], str) and change["message"]
        assert all(isinstance(v, (str, list)) for v in change["detail"].values())
        assert change["operations"] == sorted({loc["operation"] for loc in change["locations"]})
        for loc in change["locations"]:
            assert set(loc) == {"service", "kind", "name", "operation", "path"}
            assert loc["kind"] in ("client", "paginator", "waiter")
            assert loc["path"] is None or loc["path"].startswith(("input", "output"))


def test_markdown_and_changelog(
    releases: tuple[tuple[Operation, ...], tuple[Operation, ...]],
) -> None:
    old, new = releases
    section = diff.changelog_markdown(old, new, f"boto3 {data.NEW}")
    assert section.startswith(f"## boto3 {data.NEW}\n")
    assert "### Breaking changes (ERR)" in section
    assert section.index("(ERR)") < section.index("(WARN)") < section.index("(INFO)")
    assert diff.changelog_markdown(new, new, "same").strip().endswith("No API changes.")
    first = diff.prepend_changelog(None, diff.changelog_markdown(old, old, "v1"))
    both = diff.prepend_changelog(first, section)
    assert both.startswith("# Changes\n\n## boto3 1.44.8\n")
    assert both.count("# Changes\n") == 1 and both.index("## boto3") < both.index("## v1")


# --- rules this pair of releases does not exercise: pages of an edited model ----------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "diff-json.md"
EDITED_SERVICE, EDITED_CLASS = "kinesis", "Kinesis"


def _documented_levels() -> dict[str, str]:
    return model_changes.documented_levels(DOCS.read_text(encoding="utf-8"))


def test_levels_are_the_documented_ones() -> None:
    assert _documented_levels() == {rule.id: rule.level for rule in diff.RULES.values()}


def _deprecate(model: dict[str, Any]) -> None:
    op = model["service-2"]["operations"]["DescribeLimits"]
    assert not op.get("deprecated")
    op["deprecated"] = True


def _rename(model: dict[str, Any]) -> None:
    # The same Python name (`describe_limits`), another API name: the page's link changes.
    ops = model["service-2"]["operations"]
    op = ops.pop("DescribeLimits")
    op["name"] = "DescribeLIMITS"
    ops["DescribeLIMITS"] = op


def _no_event_stream(model: dict[str, Any]) -> None:
    del model["service-2"]["shapes"]["SubscribeToShardEventStream"]["eventstream"]


def _union(model: dict[str, Any]) -> None:
    shape = model["service-2"]["shapes"]["HashKeyRange"]
    assert shape["documentation"] and not shape.get("union")
    shape["union"] = True


def _free_stream_status(model: dict[str, Any]) -> None:
    del model["service-2"]["shapes"]["StreamStatus"]["enum"]


# edit → the rules it must produce, from the real model to the edited one and back.
EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], set[str], set[str]]] = {
    "deprecated": (_deprecate, {"operation-deprecated"}, {"operation-undeprecated"}),
    "api-name": (_rename, {"api-name-changed"}, {"api-name-changed"}),
    "event-stream": (_no_event_stream, {"shape-flag-changed"}, {"shape-flag-changed"}),
    "union": (_union, {"shape-flag-changed"}, {"shape-flag-changed"}),
    "response-enum": (_free_stream_status, {"response-enum-dropped"}, {"response-enum-introduced"}),
}


@pytest.fixture(scope="module")
def real_kinesis(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Any], tuple[Operation, ...]]:
    root = tmp_path_factory.mktemp("kinesis-real")
    model = edited.model(EDITED_SERVICE)
    pages = edited.render(EDITED_SERVICE, model, root / "edited-path")
    # Unedited, the edited-model path renders what `codegen render-rst` renders.
    render_service(EDITED_SERVICE, root / "render-rst")
    plain = root / "render-rst" / EDITED_SERVICE
    assert sorted(p.relative_to(plain) for p in plain.rglob("*.rst")) == sorted(
        p.relative_to(pages) for p in pages.rglob("*.rst")
    )
    assert all(
        p.read_bytes() == (pages / p.relative_to(plain)).read_bytes() for p in plain.rglob("*.rst")
    )
    result = parse_paths([pages])
    assert not result.errors, [str(e) for e in result.errors]
    return model, tuple(result.operations)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_rules_on_pages_of_an_edited_model(
    edit: str,
    real_kinesis: tuple[dict[str, Any], tuple[Operation, ...]],
    tmp_path: Path,
) -> None:
    """boto3 renders the service from its model with one edit; the diff of the pages, both
    ways, is what the two models say, and shows the rule(s) the edit stands for at the
    documented level."""
    change, forward, backward = EDITS[edit]
    real_model, real_ops = real_kinesis
    changed = copy.deepcopy(real_model)
    change(changed)
    pages = edited.render(EDITED_SERVICE, changed, tmp_path)
    parsed = parse_paths([pages])
    assert not parsed.errors, [str(e) for e in parsed.errors]
    levels = _documented_levels()
    sides = {"forward": (real_model, changed), "backward": (changed, real_model)}
    ops = {id(real_model): real_ops, id(changed): tuple(parsed.operations)}
    for direction, rules in (("forward", forward), ("backward", backward)):
        old, new = sides[direction]
        want = model_changes.expected_facts(old, new, EDITED_CLASS)
        result = diff.compare(ops[id(old)], ops[id(new)])
        got = model_changes.diff_facts(result)
        assert sorted(got - want) == [] and sorted(want - got) == [], direction
        assert {f[0] for f in want} == rules, direction  # the edit, and nothing else
        for c in result.changes:
            assert c.level == levels[c.rule], (direction, c.rule)
