"""CPU of rendering (codegen/emit: render_service) for two code versions, in one run.

    python bench/bench_render.py PAGES --base REV [--head REV] [--rounds 6]

The part of a cold `generate` after parsing: each version, in a process of its own
(PYTHONPATH at its source), parses and resolves the pages once, then renders every
service once a round, its caches emptied first (as a fresh worker meets them, cold); the
rounds of the two versions alternate. Printed: the median CPU seconds of each version,
head / base, and whether the two rendered the same bytes (a sha256 over every file).

- PAGES: a folder of pages (one service a subfolder, as `generate` takes it).
- BASE (and HEAD, if given) are git revisions exported as bench_outputs.py does; without
  --head the head is this checkout, as it is.
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_all import REPO  # noqa: E402
from bench_outputs import export  # noqa: E402


def worker(pages: str) -> None:
    """Parse and resolve once; render every service per line read from stdin."""
    from codegen.emit.extras import client_extras
    from codegen.emit.package import TARGETS, render_service, service_key
    from codegen.naming import resolve
    from codegen.parse import parse_paths

    operations = parse_paths([Path(pages)]).operations
    by_service: dict[str, list[Any]] = {}
    for op in operations:
        by_service.setdefault(service_key(op), []).append(op)
    work = []
    for names in resolve(operations, None, keep_deprecated=True):
        ops = by_service[service_key(names.all_client_operations[0])]
        work.append((names, [o for o in ops if o.kind != "client"], client_extras(names, ops)))
    print("ready", flush=True)
    while sys.stdin.readline():
        gc.unfreeze()
        for cache in gc.get_objects():
            if isinstance(cache, functools._lru_cache_wrapper) and (cache.__module__ or "").startswith("codegen"):
                if cache.__qualname__ not in ("environment", "_template"):  # (compiled once a worker)
                    cache.cache_clear()
        gc.collect()
        gc.freeze()
        gc.disable()  # (as a unit of generate runs: codegen/gcpause.py)
        digest = hashlib.sha256()
        start = time.process_time()
        for names, others, extras in work:
            files = render_service(names, "aws_typed", TARGETS, others, extras)
            for rel in sorted(files):
                digest.update(f"{rel}\0{files[rel]}\0".encode("utf-8", "surrogatepass"))
        spent = time.process_time() - start
        gc.enable()
        print(f"{spent:.4f} {digest.hexdigest()[:16]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages")
    parser.add_argument("--base", help="git revision of the old version")
    parser.add_argument("--head", default=None, help="git revision of the new version [this checkout]")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.pages)
        return
    if not args.base:
        parser.error("--base is required")
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        sources = {"base": Path(tmp) / "base"}
        labels = {"base": export(args.base, sources["base"])}
        if args.head:
            sources["head"] = Path(tmp) / "head"
            labels["head"] = export(args.head, sources["head"])
        else:
            sources["head"], labels["head"] = REPO, "this checkout"
        procs = {
            key: subprocess.Popen(
                [sys.executable, __file__, args.pages, "--worker"],
                env={**os.environ, "PYTHONPATH": str(source)}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True,
            )
            for key, source in sources.items()
        }
        for proc in procs.values():
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        spent: dict[str, list[float]] = {key: [] for key in procs}
        digests: dict[str, set[str]] = {key: set() for key in procs}
        for round_ in range(args.rounds):
            for key in (["base", "head"] if round_ % 2 == 0 else ["head", "base"]):
                proc = procs[key]
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
                seconds, digest = proc.stdout.readline().split()
                spent[key].append(float(seconds))
                digests[key].add(digest)
        for proc in procs.values():
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait()
    base, head = statistics.median(spent["base"]), statistics.median(spent["head"])
    for key in ("base", "head"):
        rounds = ", ".join(f"{s:.2f}" for s in spent[key])
        print(f"{key} ({labels[key]}): median {statistics.median(spent[key]):.2f} CPU s ({rounds})")
    same = len(digests["base"] | digests["head"]) == 1
    print(f"head / base: {head / base:.3f}; the same bytes rendered: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
