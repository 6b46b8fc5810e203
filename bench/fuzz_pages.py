"""Mutation fuzz of the seed page at scale (tests/test_fuzz.py runs a bounded part of it).

    python bench/fuzz_pages.py                 # 1,200 cases in-process, 12 through `codegen parse`
    python bench/fuzz_pages.py --cases 5000 --cli 40 --seed 7

Prints the counts: outcomes (ok / error / skipped), tracebacks, hangs, multi-line errors,
silently smaller trees, another service's page read differently after a mutated one, and
for the command-line cases their exit codes and any stderr line that is not a one-line
error. Exit 1 when there is any finding. A case is reproduced from its number and the
seed: `fuzz_support.mutate(seed_page, case, seed)`.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # this checkout's codegen, and the fuzz engine

import fuzz_support as fuzz  # noqa: E402

from codegen import tree  # noqa: E402
from codegen.rst.reader import parse_page  # noqa: E402

SEED_PAGE = REPO / "input" / "sagemaker" / "client" / "create_model_package.rst"
SEED_SOURCE = "sagemaker/client/create_model_package.rst"
ERROR_LINE = re.compile(r"^error: \S.*:\d+: \S.*$")
SUMMARY_LINE = re.compile(r"^skipped \d+ page\(s\) that are not client, paginator or waiter method pages$")


def _other_page() -> tuple[bytes, str]:
    """A lambda page (the test fixture's), read after every mutated page."""
    import io
    import lzma
    import tarfile

    import boto3

    archive = REPO / "tests" / "fixtures" / f"boto3-{boto3.__version__}" / "lambda.tar.xz"
    source = "lambda/client/get_function.rst"
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(archive.read_bytes()))) as tar:
        member = tar.extractfile(source)
        assert member is not None
        return member.read(), source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1200, help="in-process cases [1200]")
    parser.add_argument("--cli", type=int, default=12, help="cases also run through `codegen parse` [12]")
    parser.add_argument("--seed", type=int, default=fuzz.SEED, help=f"[{fuzz.SEED}, the committed one]")
    args = parser.parse_args()

    data = SEED_PAGE.read_bytes()
    clean = parse_page(data, SEED_SOURCE)
    other_data, other_source = _other_page()
    other = (other_data, other_source, tree.dumps([parse_page(other_data, other_source)]))

    tally = fuzz.Tally(seed=args.seed)
    started = time.perf_counter()
    for case in range(args.cases):
        fuzz.run_case(data, case, tally, clean, other)
    print(tally.report())
    print(f"in-process: {time.perf_counter() - started:.1f} s")

    exits: collections.Counter[int] = collections.Counter()
    bad_lines: list[str] = []
    cli_hangs = 0
    step = max(1, args.cases // max(1, args.cli))
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(0, step * args.cli, step):
            _, page = fuzz.mutate(data, case, args.seed)
            root = Path(tmp) / str(case)
            for source, content in ((SEED_SOURCE, page), (other_source, other_data)):
                (root / source).parent.mkdir(parents=True, exist_ok=True)
                (root / source).write_bytes(content)
            try:
                proc = subprocess.run(
                    [sys.executable, "-m", "codegen.cli", "parse", "-j", "1", str(root)],
                    capture_output=True, text=True, timeout=120, check=False,
                )
            except subprocess.TimeoutExpired:
                cli_hangs += 1
                continue
            exits[proc.returncode] += 1
            bad_lines += [
                f"case {case}: {line!r}" for line in proc.stderr.splitlines()
                if not (ERROR_LINE.match(line) or SUMMARY_LINE.match(line))
            ]
    print(
        f"command line: {sum(exits.values()) + cli_hangs} cases, exit codes "
        + ", ".join(f"{code}: {n}" for code, n in sorted(exits.items()))
        + f"; hangs {cli_hangs}; stderr lines that are not one-line errors {len(bad_lines)}"
    )
    for line in bad_lines[:10]:
        print("  " + line)
    unexpected = sum(n for code, n in exits.items() if code not in (0, 1))
    return 1 if tally.findings or bad_lines or cli_hangs or unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
