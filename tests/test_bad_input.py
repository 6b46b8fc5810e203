"""Bad pages: one clear line naming file and line, exit 1, no traceback, and the
other pages of the run still parsed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED

from codegen.cli import main

SEED_TEXT = SEED.read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _cut_request_syntax(text: str) -> str:
    start = text.index("  **Request Syntax**")
    end = text.index("  :type ModelPackageName:")
    return text[:start] + text[end:]


def _contradict(text: str) -> str:
    # the bullets say integer where the syntax block shows an enum string
    return text.replace(
        "- **S3DataType** *(string) --* **[REQUIRED]**",
        "- **S3DataType** *(integer) --* **[REQUIRED]**",
        1,
    )


def _unknown_marker(text: str) -> str:
    return text.replace("- **ImageDigest** *(string) --*", "- **ImageDigest** *(frobnicator) --*", 1)


def _malformed_bullets(text: str) -> str:
    return text.replace("- **ImageDigest** *(string) --*", "- **ImageDigest** is a string", 1)


BAD_PAGES: dict[str, bytes] = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "latin1": SEED_TEXT.replace("Creates a model", "Cr\u00e9ates a model", 1).encode("latin-1"),
    "empty": b"",
    "truncated": SEED_TEXT[: len(SEED_TEXT) // 3].encode(),
    "no-syntax-block": _cut_request_syntax(SEED_TEXT).encode(),
    "contradiction": _contradict(SEED_TEXT).encode(),
    "unknown-marker": _unknown_marker(SEED_TEXT).encode(),
    "malformed-bullets": _malformed_bullets(SEED_TEXT).encode(),
}
EXPECTED = {
    "binary": "binary file",
    "latin1": "not UTF-8",
    "empty": "empty page",
    "truncated": "truncated page",
    "no-syntax-block": "no Request Syntax block",
    "contradiction": "disagree",
    "unknown-marker": "unknown type marker 'frobnicator'",
    "malformed-bullets": "malformed entry",
}


@pytest.fixture()
def tree_with(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(kind: str) -> Path:
        root = tmp_path / "pages"
        (root / "sagemaker" / "client").mkdir(parents=True)
        (root / "sagemaker" / "client" / "create_model_package.rst").write_bytes(SEED.read_bytes())
        (root / "sagemaker" / "client" / f"bad_{kind.replace('-', '_')}.rst").write_bytes(
            BAD_PAGES[kind]
        )
        return root

    return make


@pytest.mark.parametrize("kind", sorted(BAD_PAGES))
def test_bad_page_is_one_line_error_and_others_still_parse(tree_with, kind: str) -> None:  # type: ignore[no-untyped-def]
    root = tree_with(kind)
    result = CliRunner().invoke(main, ["parse", str(root)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    bad = f"bad_{kind.replace('-', '_')}.rst"
    # file:line: message
    prefix = f"error: sagemaker/client/{bad}:"
    assert errors[0].startswith(prefix), errors[0]
    line = errors[0][len(prefix) :].split(":", 1)[0]
    assert line.isdigit() and int(line) >= 1
    assert EXPECTED[kind] in errors[0]
    assert "Traceback" not in result.stderr
    # the good page of the same run is still in the output
    doc = json.loads(result.stdout)
    assert [op["name"] for op in doc["operations"]] == ["create_model_package"]


def test_error_line_points_at_the_bad_line(tree_with) -> None:  # type: ignore[no-untyped-def]
    root = tree_with("unknown-marker")
    result = CliRunner().invoke(main, ["parse", str(root)])
    error = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    line = int(error.split(":")[2])
    page = (root / "sagemaker" / "client" / "bad_unknown_marker.rst").read_text().splitlines()
    assert "frobnicator" in page[line - 1]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["parse", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_real_process_prints_no_traceback(tree_with) -> None:  # type: ignore[no-untyped-def]
    root = tree_with("binary")
    proc = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "parse", str(root), "--format", "summary"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "create_model_package" in proc.stdout
    assert proc.stderr.count("\n") == 1
