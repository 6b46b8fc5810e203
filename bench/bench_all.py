"""The whole benchmark in one run, as ratios to the docutils floor.

    python bench/bench_all.py [--services a,b,c | --sample N | --small] [--jobs N]
                              [--rounds R] [--mbb | --no-mbb] [--json FILE] [--readme] [--keep]

Pages: the full reference of the pinned boto3 (the `boto3==` of pyproject's test extra)
and of an older release (`--old`, default 1.42.50), cached in
``$CODEGEN_CACHE`` (default ``~/.cache/codegen``) as ``boto3-<version>/<service>/``.
Services missing from a cache are rendered first (the pinned release with
``codegen render-rst``, an older one with its own boto3 installed by
tests/releases/render_release.py into ``site-boto3-<version>`` and put first on
``PYTHONPATH``). A render that another process is writing (a fresh ``.service-*``
temporary folder in the cache) is waited for, not raced.

Steps, each one subprocess run as a user would run it, timed by this script (wall
time, interpreter start-up included), pages already in the OS page cache:

1. floor: plain ``docutils.core.publish_doctree`` on every page, one process
   (bench/bench_parse.py's ``_floor``);
2. ``codegen parse PAGES --format summary --jobs N``, then the same with ``--format
   json`` (stdout to /dev/null: the whole reference's JSON is ~330 MB, which parse
   streams; its target is its peak RSS, < 1 GB);
3. ``codegen generate PAGES --out OUT --package-name aws_typed --jobs N [--quiet]``,
   cold: fresh OUT and a fresh ``CODEGEN_CACHE_DIR`` (the parse cache and black's cache empty);
4. ``codegen check PAGES --out CLONE`` on a fresh clone of that output: CLONE is a
   copy of OUT (new files, new mtimes, as `git clone` makes them) and ``CODEGEN_CACHE_DIR``
   is empty, so nothing a previous run left in the user cache helps;
5. the same generate command again (no-op regenerate);
6. the same command after one page was replaced by the older release's version of it
   (or, when that is the same or absent, edited by one sentence);
7. ``codegen diff OLD NEW --format json`` (stdout to /dev/null);
8. ``codegen generate`` of the ``--mbb-service`` pages (sagemaker), cold, and
9. mypy-boto3-builder 7.26.1 on the same service, in its own venv:
   ``python -m mypy_boto3_builder OUT --no-smart-version -b <pinned> --product
   boto3-services -s sagemaker``.

The pages are given to each command as a link farm in a temporary folder (real
folders, one hard link per page, a copy across file systems: codegen refuses symbolic
links that lead out of its input folder), so a subset is just the chosen services, and
the one-page change replaces one link with a file, never touching the cache.

Peak RSS is the peak of the *sum* of VmRSS over the step's process tree (the process and
every descendant, found through /proc/<pid>/task/*/children), sampled every 50 ms in a
thread; it is reported together with, and never below, the largest single-process peak
the kernel recorded for the tree (``wait4`` rusage). MB are MiB; the target 1.5 GB is
taken as 1536 MiB.

``--rounds R`` runs the whole sequence R times, the floor first in each round: a
step's seconds are the median over the rounds, its ratio the median of the per-round
ratios (each to the floor of its own round, so the machine's drift cancels), its peak
RSS the largest.

Beside the wall times, each step's busy CPU seconds of the whole machine (/proc/stat:
user, nice, system, irq, softirq, every core), and a note with the cold generate's and
`codegen parse`'s CPU to the floor's: the targets are in wall time, but how much of a
ratio is the code and how much is how this machine runs two processes against the
floor's one shows there (the same code measured 1.62× at noon and 1.43× in the
afternoon of 2026-12-02).

The Markdown table goes to stdout, progress to stderr. ``--json FILE`` writes the same
numbers as JSON; ``--readme`` replaces the results section of bench/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import datetime
import functools
import json
import os
import re
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
README = HERE / "README.md"
BEGIN = "<!-- bench_all: begin (written by `python bench/bench_all.py --readme`) -->"
END = "<!-- bench_all: end -->"

OLD_RELEASE = "1.42.50"
MBB_VERSION = "7.26.1"
SMALL_SERVICES = ("eks-auth", "dynamodbstreams", "marketplace-entitlement")
DEFAULT_CHANGED = "sagemaker/client/create_model_package.rst"
KINDS = ("client", "paginator", "waiter")
SAMPLE_INTERVAL = 0.05

# Targets (the issue): seconds or ratios per step; peak RSS for every codegen step.
GENERATE_RATIO = 1.5
PARSE_RATIO = 1.1
DIFF_RATIO = 1.5
CHECK_TO_GENERATE = 1.2  # a fresh clone's `codegen check`, to the cold generate of its round
NOOP_SECONDS = 3.0
ONE_PAGE_SECONDS = 5.0
MBB_RATIO = 1 / 5
RSS_LIMIT_MB = 1.5 * 1024
PARSE_JSON_RSS_MB = 1024  # `codegen parse --format json`: streamed, not built in memory


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- peak RSS


def _has_children_files() -> bool:
    pid = os.getpid()
    return os.path.exists(f"/proc/{pid}/task/{pid}/children")


_CHILDREN_FILES = _has_children_files()


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (every thread's children: a pool may fork from a thread)."""
    if _CHILDREN_FILES:
        found: list[int] = []
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return []
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    found.extend(int(x) for x in fh.read().split())
            except OSError:
                pass
        return found
    # Kernels without CONFIG_PROC_CHILDREN: scan every process's parent.
    out: list[int] = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(name))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0  # gone, or a zombie (no VmRSS line)


def tree_rss_kb(root: int) -> tuple[int, int]:
    """(sum of VmRSS in kB, process count) over `root` and all its descendants."""
    total, count, todo, seen = 0, 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        rss = _rss_kb(pid)
        if rss:
            total += rss
            count += 1
        todo.extend(_children(pid))
    return total, count


class TreeSampler(threading.Thread):
    """Samples the process tree's summed RSS every `interval` seconds until stopped."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            total, count = tree_rss_kb(self.pid)
            self.samples += 1
            self.peak_kb = max(self.peak_kb, total)
            self.peak_processes = max(self.peak_processes, count)
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --------------------------------------------------------------------------- steps


@dataclass
class Step:
    key: str
    label: str
    command: list[str]
    seconds: float | None = None
    exit_code: int | None = None
    peak_rss_mb: float | None = None
    sampled_tree_rss_mb: float | None = None
    max_process_rss_mb: float | None = None
    peak_processes: int | None = None
    cpu_seconds: float | None = None  # the machine's busy CPU seconds over the step (machine_cpu_seconds)
    cpu_rounds: list[float] = field(default_factory=list)  # cpu_seconds of each round
    ratio_to_floor: float | None = None
    ratio_to_generate: float | None = None  # the check step: to the cold generate of its round
    rounds: list[float] = field(default_factory=list)  # seconds of each round
    targets: list[str] = field(default_factory=list)
    failed_targets: list[str] = field(default_factory=list)
    passed: bool | None = None
    skipped: str | None = None
    note: str | None = None
    log: str | None = None
    stderr_tail: str | None = None
    page_errors: list[str] = field(default_factory=list)  # "file:line: message" lines on stderr


# A page the reference itself renders broken (boto3 has a few): `codegen` lists it as
# `FILE:LINE: message` (`error: ` before it from parse, `warning: DIR: ` from diff).
PAGE_ERROR = re.compile(r"^(?:error: |warning: \S+: )?(\S+\.rst):\d+: ", re.M)


# What runs before each step (not timed): --drop-caches sets it.
_BEFORE_STEP: Callable[[], None] | None = None
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def settle_caches(pages: Sequence[Path]) -> None:
    """The kernel's page, dentry and inode caches dropped (after a sync), then the pages
    read again: every step starts from the same file-system state. Creating a file on an
    ext4 whose cache holds the inode tables of many files just deleted (the rounds before:
    hundreds of thousands) costs several times as much: 20 µs a file measured after a
    drop, up to 95 µs before; the floor creates none, a cold generate 112,000."""
    os.sync()
    DROP_CACHES.write_text("3\n")
    warm_page_cache(pages)


_BUSY_FIELDS = (0, 1, 2, 5, 6)  # user, nice, system, irq, softirq of /proc/stat's `cpu` line


def machine_cpu_seconds() -> float | None:
    """Busy CPU seconds of the whole machine since boot, every core (/proc/stat; None
    elsewhere). Over a step, what its whole process tree used, the kernel's work for it
    and this script's sampling (a few /proc reads every 50 ms) included: a measure that
    does not move with how the cores share the work, as wall time does."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()[1:]
        ticks = sum(int(fields[i]) for i in _BUSY_FIELDS)
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def run_step(
    step: Step, logs: Path, env: dict[str, str] | None = None, cwd: Path | None = None,
    stdout_devnull: bool = False,
) -> Step:
    """Run the step's command, timing it and sampling its process tree's RSS."""
    if _BEFORE_STEP is not None:
        _BEFORE_STEP()
    logs.mkdir(parents=True, exist_ok=True)
    out_path = logs / f"{step.key}.out"
    err_path = logs / f"{step.key}.err"
    log(f"{step.key}: {' '.join(step.command)}")
    with open(err_path, "wb") as err, (
        open(os.devnull, "wb") if stdout_devnull else open(out_path, "wb")
    ) as out:
        cpu_start = machine_cpu_seconds()
        start = time.perf_counter()
        proc = subprocess.Popen(
            step.command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            env=env, cwd=cwd, start_new_session=True,
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            sampler.stop()
            raise
        seconds = time.perf_counter() - start
        cpu_end = machine_cpu_seconds()
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
    if cpu_start is not None and cpu_end is not None:
        step.cpu_seconds = cpu_end - cpu_start
    step.seconds = seconds
    step.exit_code = proc.returncode
    step.sampled_tree_rss_mb = sampler.peak_kb / 1024
    step.max_process_rss_mb = usage.ru_maxrss / 1024  # this child or any descendant it waited for
    step.peak_rss_mb = max(step.sampled_tree_rss_mb, step.max_process_rss_mb)
    step.peak_processes = sampler.peak_processes
    step.log = str(out_path if not stdout_devnull else err_path)
    step.page_errors = sorted({m.group(1) for m in PAGE_ERROR.finditer(err_path.read_text(errors="replace"))})
    if proc.returncode != 0:
        tail = err_path.read_text(errors="replace").strip().splitlines()[-8:]
        step.stderr_tail = "\n".join(tail)
        log(f"{step.key}: exit {proc.returncode}\n    " + "\n    ".join(tail))
    log(f"{step.key}: {seconds:.2f} s, peak RSS {step.peak_rss_mb:.0f} MB")
    return step


# --------------------------------------------------------------------------- pages


def cache_root() -> Path:
    return Path(os.environ.get("CODEGEN_CACHE") or Path.home() / ".cache" / "codegen")


def pinned_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as fh:
        data = tomllib.load(fh)
    for req in data["project"]["optional-dependencies"]["test"]:
        name, _, version = str(req).partition("==")
        if name.strip() == "boto3":
            return version.strip()
    raise SystemExit("no boto3== pin in pyproject.toml's test extra")


def installed_boto3() -> str | None:
    try:
        import boto3
    except ImportError:
        return None
    return str(boto3.__version__)


def _render_release() -> Any:
    sys.path.insert(0, str(REPO / "tests" / "releases"))
    try:
        import render_release  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return render_release


def release_env(version: str) -> dict[str, str] | None:
    """Environment whose `python` imports boto3 `version`: None for the installed one,
    else PYTHONPATH=site-boto3-<version> (installed on first use)."""
    if installed_boto3() == version:
        return None
    site = _render_release().install(version)
    return dict(os.environ, PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")


def _release_python(version: str, code: str, *args: str) -> str:
    env = release_env(version)
    check = (
        "import boto3, botocore\n"
        f"assert boto3.__version__ == {version!r}, boto3.__version__\n"
        f"assert botocore.__version__ == {version!r}, botocore.__version__\n"
    )
    proc = subprocess.run(
        [sys.executable, "-s", "-c", check + code, *args], env=env, cwd=REPO,
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"boto3 {version}: subprocess failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def available_services(version: str) -> list[str]:
    code = "import json\nfrom codegen.pipeline.boto3_render import available_services\nprint(json.dumps(available_services()))\n"
    names: list[str] = json.loads(_release_python(version, code))
    return names


def _complete(root: Path, service: str) -> bool:
    return (root / service / "client").is_dir()


def _active_writers(root: Path, fresh: float = 600.0) -> list[str]:
    """Temporary `.service-*` folders a render is writing right now (recently modified)."""
    if not root.is_dir():
        return []
    now = time.time()
    active = []
    for entry in root.iterdir():
        if entry.name.startswith(".") and entry.is_dir():
            try:
                newest = max([entry.stat().st_mtime] + [p.stat().st_mtime for p in entry.rglob("*")])
            except OSError:
                continue
            if now - newest < fresh:
                active.append(entry.name)
    return active


_RENDER_MANY = """
import sys
from pathlib import Path
from codegen.pipeline.boto3_render import render_services
root, jobs, names = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
for service, count in render_services(names, root, jobs=jobs, reuse=True):
    print(f"{service}: {count} pages", flush=True)
"""


def ensure_rendered(version: str, services: Sequence[str], jobs: int, wait: float) -> Path:
    """`cache/boto3-<version>` with every one of `services` rendered."""
    root = cache_root() / f"boto3-{version}"
    deadline = time.monotonic() + wait
    while True:
        missing = [s for s in services if not _complete(root, s)]
        if not missing:
            return root
        writers = _active_writers(root)
        if not writers:
            break
        if time.monotonic() > deadline:
            raise SystemExit(
                f"{root}: {len(missing)} service(s) missing and another process is still "
                f"rendering ({', '.join(writers)}); rerun when it is done"
            )
        log(f"boto3 {version}: {len(missing)} service(s) missing, another process is rendering "
            f"({', '.join(writers)}); waiting")
        time.sleep(30)
    log(f"boto3 {version}: rendering {len(missing)} service(s) into {root}")
    if installed_boto3() == version:
        subprocess.run(
            [*codegen_cli(), "render-rst", *missing, "--out", str(root), "--jobs", str(jobs)],
            check=True, stdout=sys.stderr,
        )
    elif len(missing) <= 20:
        rr = _render_release()  # one subprocess per service, locked against parallel tests
        for service in missing:
            rr.render(version, service)
    else:
        _release_python(version, _RENDER_MANY, str(root), str(jobs), *missing)
    still = [s for s in services if not _complete(root, s)]
    if still:
        raise SystemExit(f"boto3 {version}: not rendered: {', '.join(still)}")
    return root


def pages_of(root: Path, services: Sequence[str]) -> list[Path]:
    pages: list[Path] = []
    for service in services:
        for kind in KINDS:
            folder = root / service / kind
            if folder.is_dir():
                pages.extend(sorted(folder.glob("*.rst")))
    return pages


def symlink_farm(root: Path, services: Sequence[str], dest: Path) -> list[Path]:
    """dest/<service>/<kind>/<page>.rst → the cached page (real folders, hard-linked
    files: a symbolic link out of the input folder is refused by codegen)."""
    pages = pages_of(root, services)
    folders: set[Path] = set()
    for page in pages:
        rel = page.relative_to(root)
        target = dest / rel
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        try:
            os.link(page, target)
        except OSError:  # another file system
            shutil.copyfile(page, target)
    return pages


def warm_page_cache(pages: Sequence[Path]) -> int:
    """Read every page once so no step pays for cold disk reads; returns bytes read."""
    return sum(len(p.read_bytes()) for p in pages)


def choose_changed_page(
    new_root: Path, old_root: Path | None, services: Sequence[str], wanted: str | None
) -> str:
    if wanted:
        if not (new_root / wanted).is_file():
            raise SystemExit(f"--changed {wanted}: no such page in {new_root}")
        return wanted
    if DEFAULT_CHANGED.split("/")[0] in services and (new_root / DEFAULT_CHANGED).is_file():
        return DEFAULT_CHANGED
    candidates = [p.relative_to(new_root).as_posix() for s in services
                  for p in sorted((new_root / s / "client").glob("*.rst"))]
    if old_root is not None:
        for rel in candidates:
            old = old_root / rel
            if old.is_file() and old.read_bytes() != (new_root / rel).read_bytes():
                return rel
    if not candidates:
        raise SystemExit("no client page to change")
    return candidates[0]


def change_page(farm: Path, new_root: Path, old_root: Path | None, rel: str) -> str:
    """Replace the farm's link to page `rel` by a changed copy; returns how it changed."""
    target = farm / rel
    current = (new_root / rel).read_bytes()
    old = old_root / rel if old_root is not None else None
    target.unlink()
    if old is not None and old.is_file() and old.read_bytes() != current:
        target.write_bytes(old.read_bytes())
        return f"replaced by its {old.parent.parent.parent.name.removeprefix('boto3-')} version"
    text = current.decode("utf-8")
    edited = text.replace(". ", ". Edited. ", 1) if ". " in text else text + "\nEdited.\n"
    target.write_text(edited, encoding="utf-8")
    return "one sentence added to a description"


# --------------------------------------------------------------------------- tools


def codegen_cli() -> list[str]:
    """The `codegen` console script of this interpreter's environment."""
    beside = Path(sys.executable).parent / "codegen"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("codegen")
    if found:
        return [found]
    return [sys.executable, "-m", "codegen.cli"]


def byte_compile_codegen() -> str:
    """codegen's modules compiled to bytecode where the commands will import them from,
    as pip does when it installs a wheel (an editable install, or a clone on PYTHONPATH,
    gets none when PYTHONDONTWRITEBYTECODE is set); the folder, or "" if none was found."""
    code = "import codegen, os; print(os.path.dirname(codegen.__file__))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    folder = proc.stdout.strip()
    if proc.returncode != 0 or not folder:
        return ""
    compileall.compile_dir(folder, quiet=1)
    return folder


def generate_has_quiet() -> bool:
    proc = subprocess.run([*codegen_cli(), "generate", "--help"], capture_output=True, text=True)
    return "--quiet" in proc.stdout


def _python_ok(python: Path, boto3_version: str) -> bool:
    if not python.exists():
        return False
    code = (
        "import importlib.metadata as m, boto3\n"
        "print(m.version('mypy-boto3-builder'), boto3.__version__)"
    )
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        return False
    return proc.stdout.split() == [MBB_VERSION, boto3_version]


def mbb_python(boto3_version: str) -> Path:
    """A venv with mypy-boto3-builder 7.26.1 and the pinned boto3: the cached one,
    /tmp/mbb when it already has exactly that, else created in the cache."""
    venv = cache_root() / f"mbb-{MBB_VERSION}-venv"
    cached = venv / "bin" / "python"
    if (venv / ".complete").exists() and _python_ok(cached, boto3_version):
        return cached
    other = Path("/tmp/mbb/bin/python")
    if _python_ok(other, boto3_version):
        log(f"mypy-boto3-builder: reusing {other}")
        return other
    log(f"mypy-boto3-builder: creating {venv}")
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(cached), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
         f"mypy-boto3-builder=={MBB_VERSION}", f"boto3=={boto3_version}", f"botocore=={boto3_version}"],
        check=True, stdout=sys.stderr,
    )
    if not _python_ok(cached, boto3_version):
        raise SystemExit(f"{venv}: mypy-boto3-builder {MBB_VERSION} with boto3 {boto3_version} not importable")
    (venv / ".complete").write_text(MBB_VERSION + "\n")
    return cached


# --------------------------------------------------------------------------- main


@dataclass
class Run:
    date: str
    cpu_count: int | None
    machine: str
    boto3: str
    old_release: str
    services: list[str]
    service_count: int
    total_services: int
    pages: int
    megabytes: float
    old_pages: int
    jobs: int
    quiet_flag: bool
    changed_page: str
    changed_how: str
    mbb_service: str | None
    steps: list[Step]
    rounds: int = 1
    sagemaker_ratio: float | None = None
    all_passed: bool | None = None
    notes: list[str] = field(default_factory=list)


def select_services(args: argparse.Namespace, available: list[str]) -> list[str]:
    if args.services:
        chosen = [s.strip() for s in args.services.split(",") if s.strip()]
    elif args.small:
        chosen = list(SMALL_SERVICES)
    elif args.sample:
        n = min(args.sample, len(available))
        step = len(available) / n
        chosen = [available[int(i * step)] for i in range(n)]
    else:
        return available
    unknown = [s for s in chosen if s not in available]
    if unknown:
        raise SystemExit(f"unknown service(s) for boto3 {pinned_version()}: {', '.join(unknown)}")
    return chosen


def apply_targets(run: Run) -> None:
    by_key = {s.key: s for s in run.steps}
    floor = by_key["floor"].seconds

    def check(step: Step, label: str, ok: bool) -> None:
        step.targets.append(label)
        if not ok:
            step.failed_targets.append(label)

    for step in run.steps:
        if step.seconds is None:
            continue
        if floor and step.ratio_to_floor is None:
            step.ratio_to_floor = step.seconds / floor
        limit = {"generate": GENERATE_RATIO, "parse": PARSE_RATIO, "diff": DIFF_RATIO}.get(step.key)
        if limit is not None and step.ratio_to_floor is not None:
            check(step, f"≤ {limit}× floor", step.ratio_to_floor <= limit)
        if step.key == "check" and step.ratio_to_generate is not None:
            check(step, f"≤ {CHECK_TO_GENERATE}× cold generate", step.ratio_to_generate <= CHECK_TO_GENERATE)
        if step.key == "noop":
            check(step, f"< {NOOP_SECONDS:g} s", step.seconds < NOOP_SECONDS)
        if step.key == "one_page":
            check(step, f"< {ONE_PAGE_SECONDS:g} s", step.seconds < ONE_PAGE_SECONDS)
        if step.key == "parse_json" and step.peak_rss_mb is not None:
            check(step, "RSS < 1 GB", step.peak_rss_mb < PARSE_JSON_RSS_MB)
        elif step.key not in ("floor", "mbb") and step.peak_rss_mb is not None:
            check(step, "RSS < 1.5 GB", step.peak_rss_mb < RSS_LIMIT_MB)
        # Exit 1 with nothing but page errors is the right answer on a reference with
        # broken pages: the errors are listed and every other page went through. For
        # `check` the documented answer to unreadable input is exit 2.
        expected = 2 if step.key == "check" else 1
        if step.exit_code not in (None, 0) and not (step.exit_code == expected and step.page_errors):
            check(step, "exit 0", False)
    sm, mbb = by_key.get("sagemaker"), by_key.get("mbb")
    if sm and mbb and sm.seconds and mbb.seconds:
        if run.sagemaker_ratio is None:
            run.sagemaker_ratio = sm.seconds / mbb.seconds
        check(sm, "≤ 1/5 of MBB", run.sagemaker_ratio <= MBB_RATIO)
    for step in run.steps:
        if step.targets:
            step.passed = not step.failed_targets
    verdicts = [s.passed for s in run.steps if s.passed is not None]
    run.all_passed = all(verdicts) if verdicts else None


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def markdown(run: Run) -> str:
    if run.service_count == run.total_services:
        scope = "the whole reference"
    elif run.service_count <= 8:
        scope = f"a subset ({', '.join(run.services)})"
    else:
        scope = "a subset"
    lines = [
        f"Date {run.date}; {run.cpu_count} cores (`os.cpu_count()`), {run.machine}; "
        f"boto3 {run.boto3}; {scope}: {run.service_count} of {run.total_services} services, "
        f"{run.pages} pages ({run.megabytes:.1f} MB); `--jobs {run.jobs}`; "
        + (f"median of {run.rounds} rounds (each step's ratio: the median of its per-round ratios)."
           if run.rounds > 1 else "one round."),
        *([] if run.service_count == run.total_services else [
            "",
            "Not the whole reference: at this size start-up dominates, so the results against "
            "the targets (set for the whole reference) say little.",
        ]),
        "",
        "| step | seconds | × floor | peak RSS MB | target | result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for s in run.steps:
        if s.skipped:
            lines.append(f"| {s.label} | — | — | — | — | skipped: {s.skipped} |")
            continue
        result = "—" if s.passed is None else ("pass" if s.passed else "**FAIL** (" + ", ".join(s.failed_targets) + ")")
        if s.key == "sagemaker" and run.sagemaker_ratio is not None:
            result += f"; {run.sagemaker_ratio:.3f} of MBB"
        if s.key == "check" and s.ratio_to_generate is not None:
            result += f"; {s.ratio_to_generate:.2f}× cold generate"
        lines.append(
            f"| {s.label} | {_fmt(s.seconds, '.2f')} | {_fmt(s.ratio_to_floor, '.2f')} | "
            f"{_fmt(s.peak_rss_mb, '.0f')} | {', '.join(s.targets) or '—'} | {result} |"
        )
    lines.append("")
    # (diff's warnings name pages relative to each service folder: the others are listed)
    listing = [s for s in run.steps if s.page_errors and s.key != "diff"]
    broken = sorted({e for s in listing for e in s.page_errors})
    if broken:
        steps = ", ".join(s.key for s in run.steps if s.page_errors)
        lines.append(
            f"Pages that do not parse ({len(broken)}; listed by {steps}, which then exit 1 or, for "
            f"diff with `--keep-going`, leave them out): {', '.join(broken)}."
        )
        lines.append("")
    if run.sagemaker_ratio is not None:
        lines.append(
            f"{run.mbb_service}: codegen generate / mypy-boto3-builder {MBB_VERSION} = "
            f"{run.sagemaker_ratio:.3f} (target ≤ {MBB_RATIO:.2f})."
        )
    lines.append(f"Overall: {'pass' if run.all_passed else 'FAIL' if run.all_passed is False else '—'}.")
    lines.append("")
    lines.append("Commands (PAGES, OLD: hard-link farms of the cached renders; OUT: a fresh folder):")
    lines.append("")
    for s in run.steps:
        if not s.skipped:
            lines.append(f"- {s.label}: `{_display(s.command)}`")
    lines.append("")
    lines.extend(f"- {note}" for note in run.notes)
    return "\n".join(lines).rstrip() + "\n"


_DISPLAY: dict[str, str] = {}


def _display(command: Sequence[str]) -> str:
    text = " ".join(command)
    for path, name in sorted(_DISPLAY.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, name)
    return text


def update_readme(table: str) -> None:
    section = f"{BEGIN}\n{table}{END}"
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n## Latest run\n\n" + section + "\n"
    README.write_text(text, encoding="utf-8")


def floor_worker(root: Path) -> None:
    """The floor, in its own process: plain docutils over root/*/*/*.rst."""
    sys.path.insert(0, str(HERE))
    from bench_parse import _floor, _pages

    pages = _pages(root, 0)
    start = time.perf_counter()
    _floor(pages)
    print(json.dumps({"pages": len(pages), "seconds": time.perf_counter() - start}))


def one_round(
    args: argparse.Namespace, cli: list[str], quiet_flag: list[str], work: Path, new_root: Path,
    old_root: Path, new_farm: Path, old_farm: Path, services: Sequence[str], changed: str,
    run_mbb: bool, new_version: str,
) -> tuple[list[Step], str]:
    """Every step once, the floor first; each round in a folder of its own (fresh
    outputs and caches, its own input farm for the one-page change)."""
    logs = work / "logs"
    gen_in, out, clone = work / "input", work / "out", work / "clone"
    symlink_farm(new_root, services, gen_in)
    _DISPLAY.update({str(gen_in): "PAGES", str(out): "OUT", str(clone): "CLONE", str(work / "sm-out"): "OUT",
                     str(work / "sm-in"): "PAGES/" + args.mbb_service, str(work / "mbb-out"): "OUT"})
    jobs = ["--jobs", str(args.jobs)]
    gen_env = dict(os.environ, CODEGEN_CACHE_DIR=str(work / "cache"))
    generate_cmd = [*cli, "generate", str(gen_in), "--out", str(out), "--package-name", "aws_typed",
                    *jobs, *quiet_flag]
    steps: list[Step] = []
    steps.append(run_step(Step("floor", "floor: docutils publish_doctree, 1 process",
                               [sys.executable, str(HERE / "bench_all.py"), "--floor-worker", str(new_farm)]),
                          logs, cwd=work))
    steps.append(run_step(Step("parse", "codegen parse",
                               [*cli, "parse", str(new_farm), "--format", "summary", *jobs]), logs, cwd=work))
    steps.append(run_step(Step("parse_json", "codegen parse --format json",
                               [*cli, "parse", str(new_farm), "--format", "json", *jobs]),
                          logs, cwd=work, stdout_devnull=True))
    generate = run_step(Step("generate", "codegen generate, cold", generate_cmd), logs, env=gen_env, cwd=work)
    steps.append(generate)
    # (copy2 would keep the mtimes: a clone has new ones)
    shutil.copytree(out, clone, copy_function=shutil.copy)
    check_env = dict(os.environ, CODEGEN_CACHE_DIR=str(work / "check-cache"))
    check = run_step(Step("check", "codegen check, fresh clone",
                          [*cli, "check", str(gen_in), "--out", str(clone), *jobs]), logs, env=check_env, cwd=work)
    if check.seconds is not None and generate.seconds:
        check.ratio_to_generate = check.seconds / generate.seconds
    steps.append(check)
    shutil.rmtree(clone, ignore_errors=True)
    steps.append(run_step(Step("noop", "regenerate, no-op", generate_cmd), logs, env=gen_env, cwd=work))
    how = change_page(gen_in, new_root, old_root, changed)
    steps.append(run_step(Step("one_page", "regenerate, one page changed", generate_cmd, note=f"{changed}: {how}"),
                          logs, env=gen_env, cwd=work))
    steps.append(run_step(Step("diff", f"codegen diff {args.old} → {new_version}",
                               [*cli, "diff", str(old_farm), str(new_farm), "--format", "json", "--keep-going"]),
                          logs, cwd=work, stdout_devnull=True))
    sm_label = f"{args.mbb_service}: codegen generate, cold"
    mbb_label = f"{args.mbb_service}: mypy-boto3-builder {MBB_VERSION}"
    if run_mbb:
        sm_in = work / "sm-in"
        symlink_farm(new_root, [args.mbb_service], sm_in)
        warm_page_cache(pages_of(new_root, [args.mbb_service]))
        sm_env = dict(os.environ, CODEGEN_CACHE_DIR=str(work / "sm-cache"))
        steps.append(run_step(Step("sagemaker", sm_label,
                                   [*cli, "generate", str(sm_in), "--out", str(work / "sm-out"),
                                    "--package-name", "aws_typed", *jobs, *quiet_flag]),
                              logs, env=sm_env, cwd=work))
        python = mbb_python(new_version)
        _DISPLAY[str(python)] = "MBB-VENV/bin/python"
        steps.append(run_step(Step("mbb", mbb_label,
                                   [str(python), "-m", "mypy_boto3_builder", str(work / "mbb-out"),
                                    "--no-smart-version", "-b", new_version, "--product", "boto3-services",
                                    "-s", args.mbb_service]),
                              logs, cwd=work))
    else:
        steps.append(Step("sagemaker", sm_label, [], skipped="no MBB run (--small without --mbb, or --no-mbb)"))
        steps.append(Step("mbb", mbb_label, [], skipped="no MBB run (--small without --mbb, or --no-mbb)"))
    # (the round's outputs are large: only the first round's are kept for --keep)
    if work.name.startswith("round-") and work.name != "round-1":
        for folder in (out, work / "cache", work / "check-cache", work / "sm-out", work / "sm-cache", gen_in):
            shutil.rmtree(folder, ignore_errors=True)
    return steps, how


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _round_ratios(
    rounds: Sequence[Sequence[Step]], key: str, base: str, value: Callable[[Step], float | None] = lambda s: s.seconds
) -> list[float]:
    """Each round's `value` of step `key` to that of step `base` (wall seconds by default)."""
    ratios = []
    for steps in rounds:
        by_key = {s.key: s for s in steps}
        step, to = by_key.get(key), by_key.get(base)
        mine, theirs = (value(step) if step else None), (value(to) if to else None)
        if mine is not None and theirs:
            ratios.append(mine / theirs)
    return ratios


def _median_ratio(rounds: Sequence[Sequence[Step]], key: str, base: str) -> float | None:
    return _median(_round_ratios(rounds, key, base))


def cpu_ratios(rounds: Sequence[Sequence[Step]]) -> str | None:
    """A note: the busy CPU seconds (machine_cpu_seconds) of the cold generate and of
    `codegen parse`, each to the floor's of its round. The wall-time ratios depend on how
    the machine runs two processes against one (the floor's); these do not."""
    parts = []
    for key, label in (("generate", "cold generate"), ("parse", "codegen parse")):
        ratios = _round_ratios(rounds, key, "floor", lambda s: s.cpu_seconds)
        if ratios:
            parts.append(f"{label} {_median(ratios):.2f}× ({', '.join(f'{r:.2f}' for r in ratios)})")
    if not parts:
        return None
    return ("CPU seconds of the whole machine over the step (/proc/stat: user, system, irq), "
            "to the floor's of the same round, median (per round): " + "; ".join(parts) + ".")


def combine_rounds(rounds: Sequence[Sequence[Step]]) -> list[Step]:
    """One step per key: median seconds, median per-round ratios, the largest RSS, the
    first failure's exit code and log."""
    combined: list[Step] = []
    for at, first in enumerate(rounds[0]):
        same = [steps[at] for steps in rounds]
        step = Step(first.key, first.label, first.command, skipped=first.skipped, note=first.note)
        timed = [s.seconds for s in same if s.seconds is not None]
        step.rounds = timed
        step.seconds = _median(timed)
        step.cpu_rounds = [s.cpu_seconds for s in same if s.cpu_seconds is not None]
        step.cpu_seconds = _median(step.cpu_rounds)
        if not first.skipped:
            step.ratio_to_floor = _median_ratio(rounds, first.key, "floor")
            step.ratio_to_generate = _median([s.ratio_to_generate for s in same if s.ratio_to_generate is not None])
            rss = [s.peak_rss_mb for s in same if s.peak_rss_mb is not None]
            step.peak_rss_mb = max(rss) if rss else None
            step.max_process_rss_mb = max((s.max_process_rss_mb or 0.0) for s in same)
            step.sampled_tree_rss_mb = max((s.sampled_tree_rss_mb or 0.0) for s in same)
            step.peak_processes = max((s.peak_processes or 0) for s in same)
            failed = [s for s in same if s.exit_code not in (None, 0)]
            worst = failed[0] if failed else first
            step.exit_code, step.log, step.stderr_tail = worst.exit_code, worst.log, worst.stderr_tail
            step.page_errors = sorted({e for s in same for e in s.page_errors})
        combined.append(step)
    return combined


def main(argv: Sequence[str] | None = None) -> int:
    global _BEFORE_STEP
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--services", help="comma list of services (default: all)")
    scope.add_argument("--sample", type=int, default=0, help="N services spread over the sorted list")
    scope.add_argument("--small", action="store_true",
                       help=f"small preset: {', '.join(SMALL_SERVICES)}; no MBB unless --mbb")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs of codegen [cores]")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every step R times, the floor first in each round; medians [%(default)s]")
    parser.add_argument("--old", default=OLD_RELEASE, help="older release for the diff [%(default)s]")
    parser.add_argument("--changed", default=None,
                        help=f"page to change, relative to the reference [{DEFAULT_CHANGED} or a "
                             "page of the chosen services that differs in --old]")
    mbb = parser.add_mutually_exclusive_group()
    mbb.add_argument("--mbb", action="store_true", default=None, help="run mypy-boto3-builder (default unless --small)")
    mbb.add_argument("--no-mbb", dest="mbb", action="store_false")
    parser.add_argument("--mbb-service", default="sagemaker", help="service for the MBB comparison [%(default)s]")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    parser.add_argument("--readme", action="store_true", help="replace the results section of bench/README.md")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (outputs, logs)")
    parser.add_argument("--drop-caches", action="store_true",
                        help="before each step: sync, drop the kernel's caches, read the pages again (root)")
    parser.add_argument("--wait", type=float, default=3600.0,
                        help="seconds to wait for another process's render of a cache [%(default)s]")
    parser.add_argument("--floor-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_worker:
        floor_worker(args.floor_worker)
        return 0
    run_mbb = args.mbb if args.mbb is not None else not args.small
    if args.drop_caches and not os.access(DROP_CACHES, os.W_OK):
        raise SystemExit(f"--drop-caches: {DROP_CACHES} is not writable (root only)")

    new_version = pinned_version()
    installed = installed_boto3()
    if installed != new_version:
        log(f"installed boto3 is {installed}, the pin is {new_version}: using site-boto3-{new_version}")
    available = available_services(new_version)
    services = select_services(args, available)
    old_available = set(available_services(args.old))
    # The whole reference: the older release whole too (its removed services included).
    old_services = (sorted(old_available) if services == available
                    else [s for s in services if s in old_available])

    new_root = ensure_rendered(new_version, sorted(set(services) | ({args.mbb_service} if run_mbb else set())),
                               args.jobs, args.wait)
    old_root = ensure_rendered(args.old, old_services, args.jobs, args.wait)

    work = Path(tempfile.mkdtemp(prefix="bench-all-"))
    logs = work / "logs"
    cli = codegen_cli()
    compiled = byte_compile_codegen()
    quiet = generate_has_quiet()
    try:
        new_farm, old_farm = work / "new", work / "old"
        pages = symlink_farm(new_root, services, new_farm)
        old_pages = symlink_farm(old_root, old_services, old_farm)
        log(f"{len(services)} services, {len(pages)} pages; {args.old}: {len(old_pages)} pages")
        size = warm_page_cache(pages)
        warm_page_cache(old_pages)
        if args.drop_caches:
            _BEFORE_STEP = functools.partial(settle_caches, [*pages, *old_pages])
        changed = choose_changed_page(new_root, old_root, services, args.changed)
        _DISPLAY.update({str(new_farm): "PAGES", str(old_farm): "OLD",
                         str(HERE / "bench_all.py"): "bench/bench_all.py", sys.executable: "python",
                         cli[0]: "codegen" if len(cli) == 1 else cli[0]})

        quiet_flag = ["--quiet"] if quiet else []
        rounds: list[list[Step]] = []
        how = ""
        for number in range(args.rounds):
            if args.rounds > 1:
                log(f"round {number + 1} of {args.rounds}")
            round_steps, how = one_round(
                args, cli, quiet_flag, work / f"round-{number + 1}" if args.rounds > 1 else work,
                new_root, old_root, new_farm, old_farm, services, changed, run_mbb, new_version,
            )
            rounds.append(round_steps)
        steps = combine_rounds(rounds)
        logs = work / ("round-1/logs" if args.rounds > 1 else "logs")

        floor_inner = None
        with contextlib.suppress(OSError, ValueError):
            floor_inner = json.loads((logs / "floor.out").read_text())["seconds"]
        notes = [
            "Wall time of each command, interpreter start-up included; pages read once before "
            "the first step (warm OS page cache)."
            + (" codegen's modules byte-compiled first, where the commands import them from, as "
               "installing its wheel does: "
               "with PYTHONDONTWRITEBYTECODE set, as here, every command would compile them again."
               if compiled else "")
            + (" Before each step (`--drop-caches`): sync, the kernel's page, dentry and inode caches "
               "dropped, the pages read again." if args.drop_caches else ""),
            "Peak RSS: the peak of the sum of VmRSS over the process tree, sampled every "
            f"{SAMPLE_INTERVAL * 1000:.0f} ms (never below the largest single process's peak); MB = MiB.",
            "Cold generate: fresh OUT and a fresh CODEGEN_CACHE_DIR (the parse cache and black's cache empty); "
            f"`--quiet` {'passed' if quiet else 'not passed (this codegen has no such flag)'}.",
            f"One page changed: {changed}, {how}.",
            "Check, fresh clone: `codegen check` on a copy of the cold generate's OUT (new files and "
            "mtimes) with an empty CODEGEN_CACHE_DIR; its ratio is to the cold generate of the same round.",
        ]
        if floor_inner is not None:
            notes.append(f"Floor inside its process (docutils only, no start-up): {floor_inner:.2f} s.")
        cpu_note = cpu_ratios(rounds)
        if cpu_note:
            notes.append(cpu_note)
        run = Run(
            date=datetime.date.today().isoformat(), cpu_count=os.cpu_count(),
            machine=f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
            boto3=new_version, old_release=args.old, services=services, service_count=len(services),
            total_services=len(available), pages=len(pages), megabytes=size / 1e6, old_pages=len(old_pages),
            jobs=args.jobs, quiet_flag=quiet, changed_page=changed, changed_how=how,
            mbb_service=args.mbb_service if run_mbb else None, steps=steps, notes=notes, rounds=args.rounds,
        )
        run.sagemaker_ratio = _median_ratio(rounds, "sagemaker", "mbb")
        apply_targets(run)
        table = markdown(run)
        sys.stdout.write(table)
        sys.stdout.flush()
        if args.json:
            data = asdict(run)
            data["markdown"] = table
            args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        if args.readme:
            update_readme(table)
            log(f"updated {README}")
    finally:
        if args.keep:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    failed = [s.key for s in steps if s.exit_code not in (None, 0)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
