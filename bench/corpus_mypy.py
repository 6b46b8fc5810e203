"""`mypy --strict` (and, if asked, pyright) over the package generated from the whole reference.

    python bench/corpus_mypy.py [--pages DIR | --out DIR] [--chunk-mb N] [--pyright] [--json FILE]

1. ``codegen generate PAGES --out OUT --package-name aws_typed --jobs N --quiet``, cold
   (PAGES: the whole rendered reference of the pinned boto3, ``~/.cache/codegen/boto3-<pin>``;
   ``--out DIR`` checks a package generated before instead).
2. ``mypy --strict`` over ``aws_typed`` and every service package, in chunks of services
   of at most ``--chunk-mb`` MB of generated code each (0: one process for all). Services
   never import each other, so a chunk checks the same as one big run does, and its memory
   stays bounded: one process over the whole reference needs more than a shared 2-core
   machine has to spare. ``--no-incremental --cache-dir /dev/null``: a cold check, no cache
   written.
3. With ``--pyright``: pyright (standard mode) over the same chunks.

Each command is timed and its process tree's peak RSS sampled as bench_all.py does
(``run_step``). Prints the wall time (sum over chunks), the largest peak RSS, and the
errors: total, per error code and per service. Exit 1 if any error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_all import Step, cache_root, codegen_cli, log, pinned_version, run_step  # noqa: E402

PACKAGE = "aws_typed"
MYPY = ["--strict", "--no-incremental", "--cache-dir", os.devnull, "--no-error-summary", "--show-error-codes"]
# `path:line: error: message  [code]` (mypy); `  path:line:col - error: message (rule)` (pyright)
MYPY_ERROR = re.compile(r"^(?P<path>[^:\n]+):\d+: error: .*?(?:\[(?P<code>[\w-]+)\])?$", re.M)
PYRIGHT_ERROR = re.compile(r"^\s+(?P<path>/[^:\n]+):\d+:\d+ - error: .*?(?:\((?P<code>\w+)\))?$", re.M)


@dataclass
class Check:
    tool: str
    chunks: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    errors: list[str] = field(default_factory=list)
    by_code: dict[str, int] = field(default_factory=dict)
    by_service: dict[str, int] = field(default_factory=dict)
    failed_chunks: list[str] = field(default_factory=list)  # crashed, not just errors


def service_sizes(out: Path) -> dict[str, int]:
    """Service package → bytes of generated code."""
    root = out / PACKAGE
    return {
        p.name: sum(f.stat().st_size for f in p.iterdir() if f.suffix in (".py", ".pyi"))
        for p in sorted(root.iterdir()) if (p / "__init__.py").is_file()
    }


def chunks(sizes: dict[str, int], limit_mb: float) -> list[list[str]]:
    """Services in name order, packed into runs of at most `limit_mb` (0: one run)."""
    if limit_mb <= 0:
        return [list(sizes)]
    out: list[list[str]] = [[]]
    total = 0
    for name, size in sizes.items():
        if out[-1] and total + size > limit_mb * 1e6:
            out.append([])
            total = 0
        out[-1].append(name)
        total += size
    return out


def _service_of(path: str) -> str:
    """The service package of an error's file, `(package)` for the root modules."""
    parts = Path(path).parts
    below = parts[parts.index(PACKAGE) + 1:] if PACKAGE in parts else ()
    return below[0] if len(below) > 1 else "(package)"


def run_checks(tool: str, out: Path, groups: list[list[str]], logs: Path) -> Check:
    check = Check(tool, chunks=len(groups))
    errors: set[str] = set()
    pattern = MYPY_ERROR if tool == "mypy" else PYRIGHT_ERROR
    for i, group in enumerate(groups):
        if tool == "mypy":
            # (the package root once; each chunk checks the root modules it imports again)
            modules = [arg for name in group for arg in ("-p", f"{PACKAGE}.{name}")]
            command = [sys.executable, "-m", "mypy", *MYPY, *(["-m", PACKAGE] if i == 0 else []), *modules]
        else:
            pyright = shutil.which("pyright") or "pyright"
            command = [pyright, *([str(out / PACKAGE / f) for f in ("__init__.py", "_runtime.py")] if i == 0 else []),
                       *(str(out / PACKAGE / name) for name in group)]
        label = f"{tool} {i + 1}/{len(groups)} ({group[0]}..{group[-1]}, {len(group)} services)"
        step = run_step(Step(f"{tool}-{i:03d}", label, command), logs, env=dict(os.environ, MYPYPATH=str(out)), cwd=out)
        text = Path(step.log or "").read_text(errors="replace") if step.log else ""
        found = {m.group(0).strip() for m in pattern.finditer(text)}
        errors |= found
        check.seconds += step.seconds or 0.0
        check.peak_rss_mb = max(check.peak_rss_mb, step.peak_rss_mb or 0.0)
        if step.exit_code not in (0, 1) or (step.exit_code == 1 and not found):
            check.failed_chunks.append(f"{label}: exit {step.exit_code}: {step.stderr_tail or text[-500:]}")
    check.errors = sorted(errors)
    codes: Counter[str] = Counter()
    services: Counter[str] = Counter()
    for line in check.errors:
        m = pattern.match(line if tool == "mypy" else "  " + line)
        if m:
            codes[m.group("code") or "(none)"] += 1
            services[_service_of(m.group("path"))] += 1
    check.by_code = dict(codes.most_common())
    check.by_service = dict(services.most_common())
    return check


def report(generate: Step | None, checks: Sequence[Check], services: int, megabytes: float) -> str:
    lines = [f"{services} services, {megabytes:.1f} MB of generated code (.py/.pyi)."]
    if generate is not None:
        lines.append(f"generate, cold: {generate.seconds:.1f} s, peak RSS {generate.peak_rss_mb:.0f} MB, "
                     f"exit {generate.exit_code} (page errors: {len(generate.page_errors)})")
    for c in checks:
        lines.append(f"{c.tool}: {len(c.errors)} errors, {c.seconds:.1f} s over {c.chunks} chunk(s), "
                     f"peak RSS {c.peak_rss_mb:.0f} MB (largest chunk)")
        if c.by_code:
            lines.append("  by code: " + ", ".join(f"{k} {v}" for k, v in c.by_code.items()))
            lines.append("  by service: " + ", ".join(f"{k} {v}" for k, v in list(c.by_service.items())[:20]))
        lines += [f"  failed: {f}" for f in c.failed_chunks]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pages", type=Path, help="reference to generate from [the pinned boto3's, cached]")
    source.add_argument("--out", type=Path, help="check this generated folder instead of generating one")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs of codegen [cores]")
    parser.add_argument("--chunk-mb", type=float, default=40.0,
                        help="generated MB per mypy process; 0: one process [%(default)s]")
    parser.add_argument("--services", help="comma list of service packages to check [all in OUT]")
    parser.add_argument("--pyright", action="store_true", help="also run pyright over the same chunks")
    parser.add_argument("--json", type=Path, help="also write the figures and every error as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (output, logs)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="corpus-mypy-"))
    generate = None
    try:
        out = args.out
        if out is None:
            pages = args.pages or cache_root() / f"boto3-{pinned_version()}"
            out = work / "out"
            env = dict(os.environ, CODEGEN_CACHE_DIR=str(work / "cache"))
            generate = run_step(Step("generate", "codegen generate, cold",
                                     [*codegen_cli(), "generate", str(pages), "--out", str(out),
                                      "--package-name", PACKAGE, "--jobs", str(args.jobs), "--quiet"]),
                                work / "logs", env=env, cwd=work)
            # exit 1 with only page errors: the pages boto3 itself renders broken
            if generate.exit_code not in (0, 1) or (generate.exit_code == 1 and not generate.page_errors):
                raise SystemExit(f"generate failed:\n{generate.stderr_tail}")
        sizes = service_sizes(out)
        if args.services:
            wanted = args.services.split(",")
            missing = [name for name in wanted if name not in sizes]
            if missing:
                raise SystemExit(f"not in {out / PACKAGE}: {', '.join(missing)}")
            sizes = {name: size for name, size in sizes.items() if name in wanted}
        groups = chunks(sizes, args.chunk_mb)
        log(f"{len(sizes)} services in {len(groups)} chunk(s)")
        checks = [run_checks("mypy", out, groups, work / "logs")]
        if args.pyright:
            checks.append(run_checks("pyright", out, groups, work / "logs"))
        text = report(generate, checks, len(sizes), sum(sizes.values()) / 1e6)
        sys.stdout.write(text)
        if args.json:
            data = {"services": len(sizes), "bytes": sum(sizes.values()), "chunk_mb": args.chunk_mb,
                    "generate": asdict(generate) if generate else None, "checks": [asdict(c) for c in checks],
                    "report": text}
            args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if any(c.errors or c.failed_chunks for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
