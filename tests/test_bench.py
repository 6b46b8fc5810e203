"""bench/bench_all.py keeps working: the small preset prints every step with numbers.

No timing thresholds here (the machine is shared); the targets are the bench's business.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "bench_all.py"
MEASURED = ("floor", "parse", "generate", "noop", "one_page", "diff")
SKIPPED = ("sagemaker", "mbb")  # the MBB comparison is off in --small


@pytest.mark.bench
def test_bench_all_small(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--small", "--json", str(out_json)],
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
    assert steps["floor"]["ratio_to_floor"] == pytest.approx(1.0)
    for key in ("generate", "noop", "one_page"):
        assert steps[key]["targets"] and steps[key]["passed"] in (True, False), key
    assert steps["one_page"]["note"]
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
