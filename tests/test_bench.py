"""bench/bench_all.py keeps working: the small preset prints every step with numbers.

No timing thresholds here (the machine is shared); the targets are the bench's business.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "bench_all.py"
MEASURED = ("floor", "parse", "parse_json", "generate", "check", "noop", "one_page", "diff")
SKIPPED = ("sagemaker", "mbb")  # the MBB comparison is off in --small


def bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_all", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def assert_verdicts(data: dict[str, Any]) -> None:
    """Each step's pass/fail is what its own figures say against the bench's targets:
    time (parse, generate and diff against the floor, a fresh clone's check against the
    cold generate, no-op and one-page in seconds) and peak RSS (parse's JSON: < 1 GB)."""
    bench = bench_module()
    limits = {
        "parse": lambda s: s["ratio_to_floor"] <= bench.PARSE_RATIO,
        "generate": lambda s: s["ratio_to_floor"] <= bench.GENERATE_RATIO,
        "diff": lambda s: s["ratio_to_floor"] <= bench.DIFF_RATIO,
        "check": lambda s: s["ratio_to_generate"] <= bench.CHECK_TO_GENERATE,
        "noop": lambda s: s["seconds"] < bench.NOOP_SECONDS,
        "one_page": lambda s: s["seconds"] < bench.ONE_PAGE_SECONDS,
    }
    verdicts = []
    for step in data["steps"]:
        if step["seconds"] is None or step["key"] == "floor":
            assert step["passed"] is None and step["targets"] == [], step["key"]
            continue
        checks = [limits[step["key"]](step)] if step["key"] in limits else []
        rss_limit = bench.PARSE_JSON_RSS_MB if step["key"] == "parse_json" else bench.RSS_LIMIT_MB
        checks.append(step["peak_rss_mb"] < rss_limit)
        assert len(step["targets"]) == len(checks), (step["key"], step["targets"])
        assert len(step["failed_targets"]) == checks.count(False), (step["key"], step["failed_targets"])
        assert step["passed"] is all(checks), step["key"]
        verdicts.append(step["passed"])
    assert len(verdicts) == len(MEASURED) - 1  # every measured step but the floor has a verdict
    assert data["all_passed"] is all(verdicts)


@pytest.mark.bench
def test_bench_all_small(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--small", "--rounds", "2", "--json", str(out_json)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out_json.read_text())
    steps = {s["key"]: s for s in data["steps"]}
    assert list(steps) == [*MEASURED, *SKIPPED]
    assert data["cpu_count"] and data["boto3"] and data["date"]
    assert data["service_count"] == 3 and data["pages"] > 0
    for key in MEASURED:
        step = steps[key]
        assert step["exit_code"] == 0, (key, step["stderr_tail"])
        assert step["seconds"] > 0, key
        assert step["ratio_to_floor"] > 0, key
        assert step["peak_rss_mb"] > 0, key
        assert step["sampled_tree_rss_mb"] > 0, key  # the sampler saw the process
        # (the machine's busy CPU over the step: at least most of what the step itself used)
        assert step["cpu_seconds"] > 0.3 * step["seconds"], key
        assert len(step["cpu_rounds"]) == 2, key
    assert steps["floor"]["ratio_to_floor"] == pytest.approx(1.0)
    assert_verdicts(data)
    assert steps["one_page"]["note"]
    # Two rounds: each measured step ran twice; its seconds are the median of the two.
    assert data["rounds"] == 2
    for key in MEASURED:
        assert len(steps[key]["rounds"]) == 2, key
        assert steps[key]["seconds"] == pytest.approx(sum(steps[key]["rounds"]) / 2), key
    assert steps["check"]["ratio_to_generate"] > 0
    for key in SKIPPED:
        assert steps[key]["skipped"] and steps[key]["seconds"] is None

    # The Markdown table on stdout: one row per step, numbers in the measured ones.
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0].startswith("| step |")
    body = rows[1:]
    assert len(body) == len(steps)
    number = re.compile(r"^\d+(\.\d+)?$")
    for key, row in zip(steps, body):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[0] == steps[key]["label"]
        if key in MEASURED:
            assert all(number.match(c) for c in cells[1:4]), row
        else:
            assert "skipped" in cells[-1], row
    assert data["markdown"] == proc.stdout
    cpu_note = next(n for n in data["notes"] if n.startswith("CPU seconds"))
    assert "cold generate" in cpu_note and "codegen parse" in cpu_note
