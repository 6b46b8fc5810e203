"""Parsed pages against botocore's models (the oracle), service by service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import oracle
import pytest
from conftest import DEFAULT_SERVICES, parse_service
from gen_support import BROKEN_UPSTREAM, broken_upstream

from codegen import tree
from codegen.parse import ParseResult
from codegen.tree import Operation


def conformance(
    root: Path, service: str, inferred_targets_ok: bool = False, broken_upstream_ok: bool = False
) -> tuple[int, list[str], list[str], int]:
    """(exact pages, failures, explained, hand-written) for one service's pages."""
    result = parse_service(root, service)
    failures = [f"parse error: {service}/{error}" for error in result.errors
                if not (broken_upstream_ok and broken_upstream(root / service / error.source, error.message))]
    # Every page under client/, paginator/ and waiter/ documents a method.
    failures += [f"{service}/{source}: skipped as not a method page" for source in result.skipped]
    failures += _missing_or_extra(service, result)
    explained: list[str] = []
    exact = hand_written = 0
    for op in result.operations:
        expected = oracle.expected_operation(service, op.kind, op.name)
        actual = tree.operation_to_json(op)
        if expected is None:
            hand_written += 1
            if actual["api_name"] is not None:
                failures.append(f"{op.source}: hand-written method with api_name")
            continue
        diffs = oracle.compare_operation(expected, actual)
        cut = oracle.cut_sections(actual)
        unexplained = [d for d in diffs if not oracle.excused_by_cut(d, cut)]
        if inferred_targets_ok:
            # The page writes {'... recursive ...'} without naming the shape repeated.
            unexplained = [d for d in unexplained if ": target expected" not in d]
        if not diffs:
            exact += 1
        elif not unexplained:
            explained.append(f"{op.source}: {diffs[0]} (+{len(diffs) - 1} more)")
            if cut and not _excuse_is_narrow(expected, actual, cut):
                failures.append(f"{op.source}: the cut excuses a difference outside it")
        else:
            failures.append(f"{op.source}: {unexplained[0]} (+{len(unexplained) - 1} more)")
    return exact, failures, explained, hand_written


def _missing_or_extra(service: str, result: ParseResult[Operation]) -> list[str]:
    """The pages botocore says exist that were not read, and those read that it does not
    know. A page that failed to parse or was skipped is reported on its own already."""
    parsed = {(op.kind, op.name) for op in result.operations}
    not_read = {_page_of(s) for s in [e.source for e in result.errors] + result.skipped}
    expected = oracle.expected_pages(service)
    return ([f"{service}/{kind}/{name}: expected from botocore, not parsed" for kind, name in sorted(expected - parsed - not_read)]
            + [f"{service}/{kind}/{name}: parsed, unknown to botocore" for kind, name in sorted(parsed - expected)])


def _page_of(source: str) -> tuple[str, str]:
    kind, _, file = source.partition("/")
    return kind, file.removesuffix(".rst")


@pytest.mark.parametrize("service", DEFAULT_SERVICES)
def test_every_page_matches_the_model(reference: Path, service: str) -> None:
    exact, failures, explained, _ = conformance(reference, service)
    assert exact > 0
    assert failures == [], "\n".join(failures[:20])


def _excuse_is_narrow(expected: dict[str, Any], actual: dict[str, Any], cut: dict[str, bool]) -> bool:
    """The cut does not excuse a difference outside it: the same page with one exception
    fewer, or one member fewer in the section boto3 rendered in full, is a failure."""
    worse: list[dict[str, Any]] = []
    if actual["exceptions"]:
        worse.append(dict(actual, exceptions=actual["exceptions"][1:]))
    whole = "output" if "input" in cut else "input"
    if actual[whole] and actual[whole]["members"]:
        members = dict(actual[whole]["members"])
        members.pop(next(iter(members)))
        worse.append(dict(actual, **{whole: dict(actual[whole], members=members)}))
    return all(not all(oracle.excused_by_cut(d, cut) for d in oracle.compare_operation(expected, w))
               for w in worse)


def test_every_kind_of_page_is_covered(reference: Path) -> None:
    ops = [op for s in DEFAULT_SERVICES for op in parse_service(reference, s).operations]
    kinds = {op.kind for op in ops}
    assert kinds == {"client", "paginator", "waiter"}
    shapes = [shape for op in ops for _, shape in op.walk()]
    # the constructs the default suite is chosen for are all exercised
    assert any(s.type == "recursive" for s in shapes)  # wafv2, dynamodb
    assert any(s.event_stream for s in shapes)  # bedrock-runtime, kinesis
    assert any(s.union for s in shapes)
    assert any(s.streaming for s in shapes)  # s3, lambda
    assert any(s.type == "document" for s in shapes)  # bedrock-runtime
    assert any(s.truncated for s in shapes)  # quicksight/wafv2 sections boto3 cut
    assert any(op.deprecated for op in ops)
    assert any(op.api_name is None for op in ops)  # s3's upload_file & co


@pytest.mark.corpus
def test_whole_reference_conforms() -> None:
    from conftest import corpus_root

    root = corpus_root()
    services = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    all_failures: list[str] = []
    total = exact_total = 0
    for service in services:
        exact, failures, explained, _ = conformance(root, service, inferred_targets_ok=True,
                                                    broken_upstream_ok=True)
        exact_total += exact
        total += exact + len(failures) + len(explained)
        all_failures += failures
    print(f"conformance: {exact_total}/{total} exact")
    assert all_failures == [], "\n".join(all_failures[:50])
    # The pages boto3 renders broken are reported as errors, not misread: each of them.
    broken = {(service, *error.source.split("/"))
              for service in services for error in parse_service(root, service).errors
              if broken_upstream(root / service / error.source, error.message)}
    assert broken == BROKEN_UPSTREAM


def test_broken_upstream_names_pages_not_file_name_endings(tmp_path: Path) -> None:
    message = "output.Version: bullets and syntax block disagree: syntax has 'ResourcesSupported'"
    for service, kind, page in BROKEN_UPSTREAM:
        assert broken_upstream(tmp_path / service / kind / page, message)
        assert not broken_upstream(tmp_path / service / kind / page, "empty page")
    # the same file names elsewhere are not excused
    assert not broken_upstream(tmp_path / "emr-serverless" / "client" / "create_application.rst", message)
    assert not broken_upstream(tmp_path / "apigateway" / "client" / "get_integrations.rst", message)
    assert not broken_upstream(tmp_path / "serverlessrepo" / "paginator" / "create_application.rst", message)
    assert len(BROKEN_UPSTREAM) == 6
