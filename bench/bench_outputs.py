"""Cold `generate` of two code versions in one run, each as a ratio to the docutils floor.

    python bench/bench_outputs.py --base REV [--head REV] [--sample N | --services a,b]
                                  [--rounds 3] [--jobs N] [--readme]

What a change of the generator costs, measured so that the machine's drift (up to ~20%
within a day, more when it is shared) cancels out: both versions generate the same pages
in the same run, in alternating order, each round with its own floor (plain docutils
over the same pages, as bench_all.py measures it); the figure of a version is the median
of its per-round ratios to the floor, and the change is the ratio of the two medians.

- BASE (and HEAD, if given) are git revisions, exported with `git archive` into the work
  folder; without --head the head is this checkout, as it is (uncommitted edits included).
- Each version runs as `python -m codegen.cli generate PAGES --out OUT --package-name
  aws_typed --jobs N --quiet` with PYTHONPATH set to its source, a fresh OUT and a fresh
  CODEGEN_CACHE_DIR (cold, black's cache empty).
- Pages: bench_all.py's link farm of the chosen services (`--sample 40` by default: 40
  services spread over the sorted list), read once before the first step.

Also the files and bytes of each version's output (the last round's OUT: the package
alone, and with `.codegen/`): what a change of the outputs adds.

Prints a Markdown table; `--readme` writes it into bench/README.md between markers.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_all import (  # noqa: E402
    HERE, REPO, Step, available_services, ensure_rendered, log, pinned_version, run_step,
    select_services, symlink_farm, warm_page_cache,
)

README = HERE / "README.md"
BEGIN = "<!-- bench_outputs: begin (written by `python bench/bench_outputs.py --readme`) -->"
END = "<!-- bench_outputs: end -->"
LIMIT = 1.15  # the issue: the new outputs add no more than 15% to the cold generate ratio


def export(rev: str, dest: Path) -> str:
    """The tree of `rev` in dest (no .git); returns its short commit id."""
    commit = subprocess.run(["git", "rev-parse", "--short", f"{rev}^{{commit}}"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.strip()
    dest.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", commit], cwd=REPO, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {rev} failed")
    return commit


def head_label() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.strip()
    return f"{commit}{' + edits' if dirty else ''} (this checkout)"


def check_source(source: Path) -> None:
    """PYTHONPATH=source imports codegen from there (not the installed, editable one)."""
    found = subprocess.run([sys.executable, "-c", "import codegen; print(codegen.__file__)"],
                           env=dict(os.environ, PYTHONPATH=str(source)), cwd=source.parent,
                           capture_output=True, text=True)
    if not found.stdout.strip().startswith(str(source.resolve())):
        raise SystemExit(f"{source}: codegen imports from {found.stdout.strip() or found.stderr[-300:]}")


def folder_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) under folder."""
    files = size = 0
    for root, _, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.lstat(os.path.join(root, name)).st_size
    return files, size


def generate_step(key: str, label: str, source: Path, pages: Path, work: Path, jobs: int) -> Step:
    out, cache = work / f"out-{key}", work / f"cache-{key}"
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(source), CODEGEN_CACHE_DIR=str(cache))
    command = [sys.executable, "-m", "codegen.cli", "generate", str(pages), "--out", str(out),
               "--package-name", "aws_typed", "--jobs", str(jobs), "--quiet"]
    step = run_step(Step(key, label, command), work / "logs", env=env, cwd=work)
    # exit 1 with only page errors: pages boto3 itself renders broken (bench_all.apply_targets)
    if step.exit_code != 0 and not (step.exit_code == 1 and step.page_errors):
        raise SystemExit(f"{label}: exit {step.exit_code}\n{step.stderr_tail}")
    return step


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="git revision of the version to compare against")
    parser.add_argument("--head", default=None, help="git revision of the new version [this checkout]")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--services", help="comma list of services")
    which.add_argument("--sample", type=int, default=40, help="N services spread over the sorted list [%(default)s]")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (median taken) [%(default)s]")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs of codegen [cores]")
    parser.add_argument("--readme", action="store_true", help="write the table into bench/README.md")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    args.small = False  # (select_services's presets)

    version = pinned_version()
    services = select_services(args, available_services(version))
    root = ensure_rendered(version, services, args.jobs, 3600.0)
    work = Path(tempfile.mkdtemp(prefix="bench-outputs-"))
    try:
        base_commit = export(args.base, work / "base")
        if args.head:
            head_src = work / "head"
            label = export(args.head, head_src)
        else:
            head_src, label = REPO, head_label()
        versions = {"base": (base_commit, work / "base"), "head": (label, head_src)}
        for _, source in versions.values():
            check_source(source)
        pages = work / "pages"
        count = len(symlink_farm(root, services, pages))
        size = warm_page_cache(sorted(pages.rglob("*.rst")))
        log(f"{len(services)} services, {count} pages; base {base_commit}, head {label}")
        ratios: dict[str, list[float]] = {"base": [], "head": []}
        seconds: dict[str, list[float]] = {"base": [], "head": [], "floor": []}
        rss: dict[str, list[float]] = {"base": [], "head": []}
        sizes: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}  # (package, whole OUT)
        for i in range(args.rounds):
            floor = run_step(Step(f"floor-{i}", "floor", [sys.executable, str(HERE / "bench_all.py"),
                                                          "--floor-worker", str(pages)]), work / "logs", cwd=work)
            assert floor.seconds is not None
            seconds["floor"].append(floor.seconds)
            order = ("base", "head") if i % 2 == 0 else ("head", "base")
            for key in order:
                commit, source = versions[key]
                step = generate_step(f"{key}-{i}", f"{key} {commit}", source, pages, work, args.jobs)
                assert step.seconds is not None
                out = work / f"out-{key}-{i}"
                sizes[key] = folder_size(out / "aws_typed"), folder_size(out)
                seconds[key].append(step.seconds)
                ratios[key].append(step.seconds / floor.seconds)
                rss[key].append(step.peak_rss_mb or 0.0)
        base_ratio, head_ratio = (statistics.median(ratios[k]) for k in ("base", "head"))
        change = head_ratio / base_ratio
        scope = f"`--services {args.services}`" if args.services else f"`--sample {args.sample}`"
        lines = [
            f"Date {datetime.date.today().isoformat()}; {os.cpu_count()} cores, {platform.system()} "
            f"{platform.machine()}, Python {platform.python_version()}; boto3 {version}; "
            f"{len(services)} services ({scope}), {count} pages ({size / 1e6:.1f} MB); `--jobs {args.jobs}`; "
            f"{args.rounds} rounds, each: the floor, then the two versions in alternating order.",
            "",
            "| version | cold generate, s (per round) | × floor (per round) | median × floor | peak RSS MB |",
            "|---|---|---|---:|---:|",
        ]
        for key in ("base", "head"):
            commit = versions[key][0]
            lines.append(
                f"| {key}: {commit} | {', '.join(f'{s:.2f}' for s in seconds[key])} | "
                f"{', '.join(f'{r:.3f}' for r in ratios[key])} | {statistics.median(ratios[key]):.3f} | "
                f"{max(rss[key]):.0f} |"
            )
        lines.append(f"| floor | {', '.join(f'{s:.2f}' for s in seconds['floor'])} | 1 | 1 | — |")
        lines += [
            "",
            f"head / base (median ratios): {change:.3f}, {(change - 1) * 100:+.1f}% "
            f"(limit +{(LIMIT - 1) * 100:.0f}%): {'pass' if change <= LIMIT else 'FAIL'}.",
            "",
            "| version | package: files | package: MB | OUT with .codegen/: files | MB |",
            "|---|---:|---:|---:|---:|",
        ]
        for key in ("base", "head"):
            (files, size), (all_files, all_size) = sizes[key]
            lines.append(f"| {key} | {files} | {size / 1e6:.2f} | {all_files} | {all_size / 1e6:.2f} |")
        (hf, hs), (bf, bs) = sizes["head"][0], sizes["base"][0]
        lines += [f"| head − base | {hf - bf:+d} | {(hs - bs) / 1e6:+.2f} | | |", ""]
        table = "\n".join(lines)
        sys.stdout.write(table)
        if args.readme:
            update_readme(table)
    finally:
        if args.keep:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if change <= LIMIT else 1


def update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    section = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## New outputs against the code before them\n\n" + section + "\n"
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
