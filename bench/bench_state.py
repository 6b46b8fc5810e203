"""The size of an output's `.codegen/` against its package, part by part, and the CPU
of reading and writing the parts that are not packed (the names registries, the
manifest) with the codegen on PYTHONPATH. To compare two versions, run it with each
in turn (the registries and manifest it reads are left as they are):

    PYTHONPATH=<checkout> python bench/bench_state.py OUT [--rounds 3]

Prints one JSON line: bytes per part, the package's bytes, and CPU seconds (median).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codegen import registry
from codegen.pipeline import state


def _bytes(root: Path) -> int:
    return sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _cpu(work: Callable[[], Any], rounds: int) -> float:
    spent = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        spent.append(time.process_time() - start)
    return round(statistics.median(spent), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = args.out / ".codegen"
    parts = {p.name: _bytes(p) if p.is_dir() else p.stat().st_size for p in sorted(folder.iterdir())}
    package = _bytes(args.out) - sum(parts.values())
    texts = [p.read_text(encoding="utf-8") for p in sorted((folder / "names").iterdir())]
    read = [registry.loads(t) for t in texts]
    raw = (folder / state.MANIFEST_NAME).read_bytes()
    manifest = state.Manifest.from_json(json.loads(gzip.decompress(raw)))
    print(json.dumps({
        "codegen": os.path.dirname(registry.__file__),
        "state_bytes": sum(parts.values()), "package_bytes": package,
        "state_share": round(sum(parts.values()) / package, 4), "parts": parts,
        "cpu": {
            "registries_read": _cpu(lambda: [registry.loads(t) for t in texts], args.rounds),
            "registries_written": _cpu(lambda: [registry.dumps(r) for r in read], args.rounds),
            "manifest_read": _cpu(lambda: state.Manifest.from_json(json.loads(gzip.decompress(raw))), args.rounds),
            "manifest_written": _cpu(
                lambda: gzip.compress(manifest.dumps().encode("utf-8"), compresslevel=6, mtime=0), args.rounds
            ),
        },
    }))


if __name__ == "__main__":
    main()
