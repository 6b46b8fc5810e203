"""A `generate` with nothing to do imports neither the page reader (docutils, pygments)
nor the renderer (jinja2, the emitters), nor libcst or black: importing them was a fifth
of a no-op run over the whole reference. A run with a changed page imports the renderer;
the reader only where it parses the page: a forked copy of the process parses the few
pages that changed (run.py), when there is a second core."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from codegen import forks

PAGES = ("kinesis/client/list_streams.rst", "kinesis/client/untag_resource.rst")
HEAVY = ("docutils", "pygments", "jinja2", "libcst", "black", "codegen.rst.reader", "codegen.emit.env", "codegen.parse")

_PROBE = """
import json, sys
from codegen.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in sys.modules if m.startswith(tuple(json.loads(sys.argv[-1]))))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _generate(pages: Path, out: Path, cache: Path) -> dict[str, object]:
    args = ["generate", "-q", "--out", str(out), str(pages)]
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE.replace("sys.argv[1:]", repr(args)), json.dumps(HEAVY)],
        capture_output=True, text=True, cwd=REPO, timeout=300,
        env={**os.environ, "CODEGEN_CACHE_DIR": str(cache)},
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    assert result["code"] == 0, proc.stderr
    return result


def test_a_no_op_generate_imports_no_reader_and_no_renderer(tmp_path: Path, reference: Path) -> None:
    pages = tmp_path / "in"
    for rel in PAGES:
        (pages / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reference / rel, pages / rel)
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = _generate(pages, out, cache)["heavy"]
    # (the pages parsed by the workers: the reader is theirs)
    assert isinstance(first, list) and {"jinja2", "codegen.emit.env"} <= set(first)
    assert _generate(pages, out, cache)["heavy"] == []
    # A changed page: parsed and rendered again, so the renderer is imported; the reader
    # only by the copy that parsed the page, with two cores or more.
    page = pages / PAGES[0]
    page.write_bytes(page.read_bytes().replace(b"Lists your Kinesis data streams", b"Lists the Kinesis data streams"))
    changed = _generate(pages, out, cache)["heavy"]
    assert isinstance(changed, list) and {"jinja2", "codegen.emit.env"} <= set(changed)
    assert ("docutils" in changed) == (forks.cores() < 2)
    assert "Lists the Kinesis data streams" in (out / "docs/kinesis/list_streams.md").read_text()
