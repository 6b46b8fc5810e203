"""Parse throughput against the floor: plain docutils over the same pages, same run.

    python bench/bench_parse.py [PAGES_DIR] [--sample N] [--services a,b]
                                [--base CHECKOUT] [--rounds R]

`--base`: also `codegen parse` of another checkout of codegen (its PYTHONPATH), in the
same run, to compare two versions. `--rounds`: every measurement R times, the order
of the measurements reversed every other round (the machine's speed drifts); the
median of each is shown, wall and CPU seconds.

PAGES_DIR defaults to the full reference of the installed boto3, rendered once and
cached in ~/.cache/codegen/boto3-<version> (rendering all 444 services takes a while
the first time). Each measurement runs in its own process, so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _pages(root: Path, sample: int, services: str = "") -> list[Path]:
    pages = sorted(root.glob("*/*/*.rst"))
    if services:
        wanted = set(services.split(","))
        pages = [p for p in pages if p.parent.parent.name in wanted]
    if sample and sample < len(pages):
        step = len(pages) / sample
        pages = [pages[int(i * step)] for i in range(sample)]
    return pages


def _floor(pages: list[Path]) -> None:
    from docutils.core import publish_doctree

    overrides = {"report_level": 5, "halt_level": 5, "warning_stream": False, "line_length_limit": 10**7}
    for page in pages:
        publish_doctree(page.read_text(encoding="utf-8"), settings_overrides=overrides)


def _doctree(pages: list[Path]) -> None:
    """docutils with the pages' Sphinx directives registered: the method bodies are
    parsed too (plain docutils keeps an unknown directive's body as a literal block)."""
    from codegen.rst.reader import doctree

    for page in pages:
        doctree(page.read_text(encoding="utf-8"), page.name)


def _codegen(pages: list[Path]) -> None:
    from codegen.parse import parse_pages

    result = parse_pages((p, p.name) for p in pages)
    if result.errors:
        print(f"{len(result.errors)} pages with errors", file=sys.stderr)


def _measure(mode: str, root: str, sample: int, services: str) -> None:
    pages = _pages(Path(root), sample, services)
    start, cpu = time.perf_counter(), time.process_time()
    {"floor": _floor, "doctree": _doctree, "codegen": _codegen}[mode](pages)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(p.stat().st_size for p in pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pages": len(pages), "bytes": size, "seconds": seconds, "cpu": cpu, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="?")
    parser.add_argument("--sample", type=int, default=0, help="every k-th page, N in all")
    parser.add_argument("--services", default="", help="only these services (comma-separated)")
    parser.add_argument("--base", help="another checkout of codegen to measure too")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--measure", choices=["floor", "doctree", "codegen"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure, args.pages, args.sample, args.services)
        return
    root = Path(args.pages) if args.pages else _cached_reference()
    here = str(Path(__file__).resolve().parent.parent)
    runs = [("floor", "floor", here), ("doctree", "doctree", here), ("codegen", "codegen", here)]
    if args.base:
        runs.append(("base", "codegen", str(Path(args.base).resolve())))
    rows: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in runs}
    for round_ in range(args.rounds):
        for name, mode, checkout in runs if round_ % 2 == 0 else runs[::-1]:
            env = dict(os.environ, PYTHONPATH=checkout)
            out = subprocess.run(
                [sys.executable, __file__, str(root), "--sample", str(args.sample),
                 "--services", args.services, "--measure", mode],
                check=True, capture_output=True, text=True, env=env,
            ).stdout
            rows[name].append(json.loads(out))
    median = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in rows.items()}
    floor = median["floor"]
    print(f"pages: {floor['pages']:.0f}, {floor['bytes'] / 1e6:.1f} MB; median of {args.rounds} round(s)")
    print(f"{'':28}{'seconds':>9}{'ratio':>7}{'cpu s':>8}{'ratio':>7}{'peak MB':>9}")
    labels = {
        "floor": "docutils publish_doctree",
        "doctree": "docutils + py directives",
        "codegen": "codegen parse",
        "base": f"codegen parse ({Path(args.base).name if args.base else ''})",
    }
    for name, _, _ in runs:
        r = median[name]
        print(f"{labels[name]:28}{r['seconds']:9.2f}{r['seconds'] / floor['seconds']:7.2f}"
              f"{r['cpu']:8.2f}{r['cpu'] / floor['cpu']:7.2f}{r['peak_mb']:9.0f}")


def _cached_reference() -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from conftest import corpus_root

    return corpus_root()


if __name__ == "__main__":
    main()
