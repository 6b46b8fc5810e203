"""Incremental regeneration against a full generation, in the same run.

    python bench/bench_regenerate.py [SERVICE_DIR] [--changed PAGE] [--jobs N] [--warm]

SERVICE_DIR defaults to the sagemaker pages of the installed boto3 (cached in
~/.cache/codegen/boto3-<version>/sagemaker). The one-page change replaces one page
(default: client/create_model_package.rst) with another release's version of it, from
~/.cache/codegen/boto3-1.42.50 when present, else the same page with one sentence edited.
By default black's cache is a fresh temporary folder (cold, as on a first run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="?", type=Path, default=None)
    parser.add_argument("--changed", default="client/create_model_package.rst")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--warm", action="store_true", help="keep black's own cache")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-regen-"))
    if not args.warm:
        os.environ["CODEGEN_CACHE_DIR"] = str(work / "cache")
    from codegen.pipeline import run
    from codegen.pipeline.boto3_render import boto3_version

    src = args.pages or Path.home() / ".cache" / "codegen" / f"boto3-{boto3_version()}" / "sagemaker"
    inp = work / "input" / src.name
    shutil.copytree(src, inp)
    out = work / "out"
    times: dict[str, float] = {}

    def run(label: str) -> None:
        t = time.perf_counter()
        result = run.regenerate([work / "input"], out, "aws_typed", jobs=args.jobs)
        times[label] = time.perf_counter() - t
        print(f"{label}: {times[label]:.2f}s rendered={result.rendered} written={len(result.written)} "
              f"timings={ {k: round(v, 2) for k, v in result.timings.items()} }", flush=True)

    run("full")
    run("noop")
    page = inp / args.changed
    other = Path.home() / ".cache" / "codegen" / "boto3-1.42.50" / src.name / args.changed
    if other.is_file() and other.read_bytes() != page.read_bytes():
        shutil.copyfile(other, page)
    else:
        page.write_text(page.read_text().replace(". ", ". Edited. ", 1))
    run("one_page")
    shutil.rmtree(out)
    run("full_again")  # black's cache now warm for most files
    ratios = {k: round(v / times["full"], 4) for k, v in times.items()}
    print(json.dumps({"seconds": {k: round(v, 3) for k, v in times.items()}, "ratio_to_full": ratios}))
    shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
