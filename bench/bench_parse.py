"""Parse throughput against the floor: plain docutils over the same pages, same run.

    python bench/bench_parse.py [PAGES_DIR] [--sample N]

PAGES_DIR defaults to the full reference of the installed boto3, rendered once and
cached in ~/.cache/codegen/boto3-<version> (rendering all 444 services takes a while
the first time). Each measurement runs in its own process, so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def _pages(root: Path, sample: int) -> list[Path]:
    pages = sorted(root.glob("*/*/*.rst"))
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


def _measure(mode: str, root: str, sample: int) -> None:
    pages = _pages(Path(root), sample)
    start = time.perf_counter()
    {"floor": _floor, "doctree": _doctree, "codegen": _codegen}[mode](pages)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pages": len(pages), "bytes": size, "seconds": seconds, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="?")
    parser.add_argument("--sample", type=int, default=0, help="every k-th page, N in all")
    parser.add_argument("--measure", choices=["floor", "doctree", "codegen"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure, args.pages, args.sample)
        return
    root = Path(args.pages) if args.pages else _cached_reference()
    rows = {}
    for mode in ("floor", "doctree", "codegen"):
        out = subprocess.run(
            [sys.executable, __file__, str(root), "--sample", str(args.sample), "--measure", mode],
            check=True, capture_output=True, text=True,
        ).stdout
        rows[mode] = json.loads(out)
    floor = rows["floor"]["seconds"]
    print(f"pages: {rows['floor']['pages']}, {rows['floor']['bytes'] / 1e6:.1f} MB")
    print(f"{'':24}{'seconds':>9}{'MB/s':>8}{'ratio':>8}{'peak MB':>9}")
    labels = (
        ("docutils publish_doctree", "floor"),
        ("docutils + py directives", "doctree"),
        ("codegen parse", "codegen"),
    )
    for label, mode in labels:
        r = rows[mode]
        print(f"{label:24}{r['seconds']:9.1f}{r['bytes'] / 1e6 / r['seconds']:8.2f}"
              f"{r['seconds'] / floor:8.2f}{r['peak_mb']:9.0f}")


def _cached_reference() -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from conftest import corpus_root

    return corpus_root()


if __name__ == "__main__":
    main()
