"""A bounded mutation fuzz of the seed page (tests/fuzz_support.py; the committed seed is
fuzz_support.SEED): no traceback, no hang, every error one line, no page read smaller
without an error or a `truncated` marker, and another service's page read and generated
byte for byte the same whatever the mutated page is. bench/fuzz_pages.py runs 1,000+
cases with the counts printed."""

from __future__ import annotations

import io
import json
import lzma
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import HERE, SEED, boto3_version

import fuzz_support as fuzz
from codegen import tree
from codegen.cli import main
from codegen.rst.reader import parse_page

OTHER = "lambda/client/get_function.rst"
SEED_SOURCE = "sagemaker/client/create_model_package.rst"
# 15 of each mutation: 20-35 s here (half the mutated pages are read whole, for their
# error line); bench/fuzz_pages.py runs the same cases at scale (1,200 by default).
IN_PROCESS_CASES = 180
ERROR_LINE = re.compile(r"^(error: )?\S.*:\d+: \S.*$")  # (generate's lines may lack the prefix)
KNOWN_LINES = (
    re.compile(r"^skipped \d+ page\(s\) that are not client, paginator or waiter method pages$"),
    re.compile(r"^\d+ error\(s\): the services of those pages were left as they were$"),
)


@pytest.fixture(scope="module")
def other_page() -> bytes:
    """A page of another service (lambda), from the committed fixture archive."""
    archive = HERE / "fixtures" / f"boto3-{boto3_version()}" / "lambda.tar.xz"
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(archive.read_bytes()))) as tar:
        member = tar.extractfile(OTHER)
        assert member is not None
        return member.read()


def test_mutations_are_reproducible() -> None:
    data = SEED.read_bytes()
    assert [fuzz.mutate(data, case) for case in range(24)] == [fuzz.mutate(data, case) for case in range(24)]
    assert {fuzz.mutate(data, case)[0] for case in range(24)} == set(fuzz.MUTATIONS)
    assert all(fuzz.mutate(data, case)[1] != data for case in range(24))


def test_in_process_fuzz_finds_nothing(other_page: bytes) -> None:
    data = SEED.read_bytes()
    clean = parse_page(data, SEED_SOURCE)
    other = (other_page, OTHER, tree.dumps([parse_page(other_page, OTHER)]))
    tally = fuzz.Tally()
    for case in range(IN_PROCESS_CASES):
        fuzz.run_case(data, case, tally, clean, other)
    assert tally.findings == 0, tally.report()
    # the fuzz reaches both outcomes: it is not all errors, nor all clean reads
    assert tally.outcomes["error"] > IN_PROCESS_CASES // 4, tally.report()
    assert tally.outcomes["ok"] > IN_PROCESS_CASES // 10, tally.report()


def test_shrinking_mutations_are_checked(other_page: bytes) -> None:
    # the shrink check itself: the clean page with the bullets of one entry deleted
    # would read smaller if the reader took the syntax block's word for them
    data = SEED.read_bytes()
    clean = parse_page(data, SEED_SOURCE)
    case = next(c for c in range(100) if fuzz.mutate(data, c)[0] == "delete-bullets")
    tally = fuzz.Tally()
    fuzz.run_case(data, case, tally, clean)
    assert tally.outcomes["error"] == 1
    shrunk = fuzz.Tally()
    fuzz.run_case(data, case, shrunk, parse_page(other_page, OTHER))  # any tree vs an unrelated one
    assert shrunk.outcomes["error"] == 1  # (an error is never counted as a shrink)


def _input(root: Path, page: bytes, other_page: bytes) -> Path:
    for source, data in ((SEED_SOURCE, page), (OTHER, other_page)):
        (root / source).parent.mkdir(parents=True, exist_ok=True)
        (root / source).write_bytes(data)
    return root


def _check_stderr(stderr: str) -> None:
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert ERROR_LINE.match(line) or any(k.match(line) for k in KNOWN_LINES), line


def _other_op(stdout: str) -> str:
    ops = json.loads(stdout)["operations"]
    return json.dumps([op for op in ops if op["source"] == OTHER], sort_keys=True)


# One case of each mutation through the command line, and a few more.
CLI_CASES = list(range(len(fuzz.MUTATIONS))) + [101, 202, 303]


def test_parse_cli_fuzz(tmp_path: Path, other_page: bytes) -> None:
    data = SEED.read_bytes()
    clean = CliRunner().invoke(main, ["parse", "-j", "1", str(_input(tmp_path / "clean", data, other_page))])
    assert clean.exit_code == 0
    expected = _other_op(clean.stdout)
    codes = set()
    for case in CLI_CASES:
        _, page = fuzz.mutate(data, case)
        result = CliRunner().invoke(main, ["parse", "-j", "1", str(_input(tmp_path / str(case), page, other_page))])
        assert result.exit_code in (0, 1), (case, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), case
        _check_stderr(result.stderr)
        assert _other_op(result.stdout) == expected, case
        codes.add(result.exit_code)
    assert codes == {0, 1}


def test_parse_in_a_real_process(tmp_path: Path, other_page: bytes) -> None:
    data = SEED.read_bytes()
    for case in (6, 11):  # flip-bytes, truncate (case % 12 indexes sorted(fuzz.MUTATIONS))
        _, page = fuzz.mutate(data, case)
        root = _input(tmp_path / str(case), page, other_page)
        proc = subprocess.run(
            [sys.executable, "-m", "codegen.cli", "parse", "-j", "2", str(root)],
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.returncode in (0, 1)
        _check_stderr(proc.stderr)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _generate(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen.cli", "generate", "-q", "-j", "1", str(root), "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )


def test_generate_fuzz_leaves_the_other_service_alone(tmp_path: Path, other_page: bytes) -> None:
    data = SEED.read_bytes()
    clean_out = tmp_path / "clean-out"
    proc = _generate(_input(tmp_path / "clean", data, other_page), clean_out)
    assert proc.returncode == 0, proc.stderr
    expected = _files(clean_out / "aws_typed" / "lambda_")
    assert expected
    codes = set()
    for case in (0, 2, 10, 13):  # bom, delete-bullets, tabs, crlf (see fuzz.mutate)
        name, page = fuzz.mutate(data, case)
        out = tmp_path / f"out-{case}"
        proc = _generate(_input(tmp_path / f"in-{case}", page, other_page), out)
        assert proc.returncode in (0, 1), (case, name, proc.stderr)
        _check_stderr(proc.stderr)
        assert _files(out / "aws_typed" / "lambda_") == expected, (case, name)
        codes.add(proc.returncode)
    assert codes == {0, 1}
