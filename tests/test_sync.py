"""`codegen sync` run as a user runs it (a `codegen` process in a project folder), moving
projects from boto3 1.42.50's pages (the seed's release) to those of the installed 1.44.8.

The old pages are rendered by boto3 1.42.50 itself, the expected new pages by 1.44.8 in
an install of its own (tests/releases/render_release.py: cached outside the repo), and
the expected change summary is what `codegen diff` reports between the input folder
before and after the sync. sagemaker: a handful of old pages, the seed among them, to
the whole service; signin: the whole service, where 1.44.8 no longer has a page.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from codegen.pipeline import boto3_render as render
from releases import data, model_changes, render_release

# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("sync")

PROJECT_TOML = """\
[tool.codegen]
input = "pages"
out = "build/bindings"
package-name = "synced"
targets = "models"  # (the quickest to regenerate: sync runs generate's own pipeline)
"""
SLOW = 1800  # seconds: a sync of all of sagemaker on a shared machine
HOOKS = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"


def codegen(cwd: Path, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own, in the project (PYTHONPATH passed along)."""
    return subprocess.run(
        [sys.executable, "-m", "codegen.cli", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, cwd=cwd,
    )


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under root."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def page_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.rst"))}


def make_project(root: Path, pages: dict[str, list[Path]]) -> Path:
    """A project (its [tool.codegen] not the defaults) whose input holds `pages` (service →
    rendered pages, kept in their kind folder), generated once."""
    root.mkdir()
    (root / "pyproject.toml").write_text(PROJECT_TOML)
    for service, paths in pages.items():
        for page in paths:
            target = root / "pages" / service / page.parent.name / page.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, target)
    done = codegen(root, "generate", "-q", "-j", "2")
    assert done.returncode == 0, done.stderr
    return root


def without_sources(report: dict[str, Any]) -> dict[str, Any]:
    """A `--format json` report less the two sides' labels (the folders differ)."""
    return {**report, "old": {**report["old"], "source": None}, "new": {**report["new"], "source": None}}


def without_header(text: str) -> str:
    """A text report less its `old:`/`new:` lines (the folders and operation counts)."""
    lines = text.splitlines()
    assert lines[0].startswith("old: ") and lines[1].startswith("new: "), text[:200]
    return "\n".join(lines[2:])


def _level_rank(level: str) -> int:
    return ["INFO", "WARN", "ERR"].index(level)


@pytest.fixture(scope="module", autouse=True)
def installed_is_the_new_release() -> None:
    # The expected pages are 1.44.8's own render: sync must be running that release.
    assert render.boto3_version() == data.NEW


# --- sagemaker: a handful of 1.42.50 pages, the seed among them -------------------------


@pytest.fixture(scope="module")
def sagemaker_sync(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A project with five 1.42.50 sagemaker pages (the seed, the first client pages that
    1.44.8 changed, a paginator and a waiter), synced once with `--format json`."""
    old, new = data.pages(data.OLD), data.pages(data.NEW)
    seed = old / "client" / "create_model_package.rst"
    assert seed.read_bytes() == data.SEED.read_bytes()
    changed = [
        p for p in sorted((old / "client").glob("*.rst"))
        if p != seed and (new / "client" / p.name).read_bytes() != p.read_bytes()
    ]
    handful = [
        seed, *changed[:2], sorted((old / "paginator").glob("*.rst"))[0],
        sorted((old / "waiter").glob("*.rst"))[0],
    ]
    root = make_project(tmp_path_factory.mktemp("sagemaker") / "project", {"sagemaker": handful})
    before = root.parent / "before"
    shutil.copytree(root / "pages", before)
    unsynced = root.parent / "unsynced"  # (the project as it was, for --dry-run and --fail-on)
    shutil.copytree(root, unsynced, symlinks=True)
    generated_before = snapshot(root / "build" / "bindings")
    start = time.perf_counter()
    # (the render and parse of 548 pages, and generate: minutes on a loaded machine)
    done = codegen(root, "sync", "sagemaker", "--format", "json", "-j", "2", timeout=SLOW)
    print(f"\ncodegen sync sagemaker ({len(handful)} pages to the whole service): {time.perf_counter() - start:.1f} s")
    return {
        "root": root, "before": before, "done": done, "handful": handful,
        "generated_before": generated_before, "new": new, "unsynced": unsynced,
    }


def test_sync_moves_the_pages_to_the_installed_release(sagemaker_sync: dict[str, Any]) -> None:
    done = sagemaker_sync["done"]
    assert done.returncode == 0, done.stderr
    synced = page_files(sagemaker_sync["root"] / "pages" / "sagemaker")
    assert synced == page_files(sagemaker_sync["new"])
    assert len(synced) > len(sagemaker_sync["handful"])


def test_sync_prints_what_codegen_diff_reports(sagemaker_sync: dict[str, Any]) -> None:
    root = sagemaker_sync["root"]
    report = json.loads(sagemaker_sync["done"].stdout)
    diffed = codegen(root, "diff", sagemaker_sync["before"], root / "pages", "--format", "json", "-j", "2", timeout=SLOW)
    assert diffed.returncode == 0, diffed.stderr
    assert without_sources(report) == without_sources(json.loads(diffed.stdout))
    assert report["old"]["operations"] == len(sagemaker_sync["handful"])
    # The seed's own change (a member added to the container structure) is among them.
    seeds = {
        c["detail"].get("member")
        for c in report["changes"]
        if "SageMaker.Client.create_model_package" in c["operations"]
    }
    assert "AdditionalModelDataSources" in seeds
    assert report["summary"]["WARN"] > 0 and report["summary"]["INFO"] > 0


def _reported_facts(report: dict[str, Any]) -> set[model_changes.Fact]:
    """The facts of a `--format json` report, as model_changes.diff_facts takes them
    from a DiffResult: (rule, operation, path, value) per location and value (a change
    of the operation itself has the path null in JSON, "" in a fact)."""
    facts: set[model_changes.Fact] = set()
    for change in report["changes"]:
        rule, detail = change["rule"], change["detail"]
        if "-enum-value-" in rule:
            values = list(detail["values"])
        elif rule == "api-name-changed":
            values = [str(detail["new"])]
        elif rule == "shape-flag-changed":
            values = [str(detail["flag"])]
        else:
            values = [str(detail.get("exception", ""))]
        facts |= {(rule, loc["operation"], loc["path"] or "", v) for loc in change["locations"] for v in values}
    return facts


def _address(page: Path) -> str:
    """`SageMaker.Client.create_model_package` for `.../client/create_model_package.rst`."""
    return f"{data.SERVICE_CLASS}.{page.parent.name.capitalize()}.{page.stem}"


def test_sync_summary_is_what_the_models_changed(sagemaker_sync: dict[str, Any]) -> None:
    """Computed from the botocore models of 1.42.50 and 1.44.8 alone (the pages of both
    are rendered from them): every change to the handful of pages the project had, and
    every page of 1.44.8 it did not have as an added operation (the model's operations,
    paginators and waiters, and boto3's own methods such as `close`); nothing else (but
    the rules no model decides: docs, cut sections, class names)."""
    report = json.loads(sagemaker_sync["done"].stdout)
    had = {_address(p) for p in sagemaker_sync["handful"]}
    whole = model_changes.expected_facts(data.model(data.OLD), data.model(data.NEW), data.SERVICE_CLASS)
    release = {_address(p) for p in sagemaker_sync["new"].rglob("*.rst")}
    assert model_changes.pages(data.model(data.NEW), data.SERVICE_CLASS).keys() <= release
    expected = {f for f in whole if f[1] in had} | {("operation-added", op, "", "") for op in release - had}
    reported = {f for f in _reported_facts(report) if f[0] in model_changes.MODEL_RULES}
    assert reported == expected, (sorted(reported - expected)[:5], sorted(expected - reported)[:5])
    enum_added = {f for f in expected if f[0].endswith("-enum-value-added")}
    assert enum_added and {f[1] for f in enum_added} <= had  # e.g. instance types 1.44.8 added
    levels = model_changes.documented_levels((Path(__file__).resolve().parents[1] / "docs" / "diff-json.md").read_text())
    for change in report["changes"]:
        assert change["level"] == levels[change["rule"]], change["rule"]
    print(f"summary: {report['summary']}, of which {len(enum_added)} enum values added")


# (a second render of all of sagemaker: minutes on 2 cores; the signin tests check
# --fail-on in the default suite)
@pytest.mark.corpus
def test_sync_fail_on_leaves_the_project(sagemaker_sync: dict[str, Any]) -> None:
    """On the project before the sync, --fail-on WARN (sagemaker's move has WARN changes)
    prints the same summary, exits 1 and writes nothing. (--dry-run: the signin tests.)"""
    project = sagemaker_sync["unsynced"]
    before = snapshot(project)
    synced = json.loads(sagemaker_sync["done"].stdout)
    assert synced["summary"]["WARN"] > 0
    gated = codegen(project, "sync", "sagemaker", "--fail-on", "WARN", "--format", "json", "-j", "2", timeout=SLOW)
    assert gated.returncode == 1, gated.stderr
    assert snapshot(project) == before
    assert "nothing was written" in gated.stderr
    assert without_sources(json.loads(gated.stdout)) == without_sources(synced)


def test_sync_regenerates(sagemaker_sync: dict[str, Any]) -> None:
    root = sagemaker_sync["root"]
    assert sagemaker_sync["done"].returncode == 0
    assert "build/bindings" in sagemaker_sync["done"].stderr  # generate's closing line
    checked = codegen(root, "check", "-j", "2", timeout=SLOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    after = snapshot(root / "build" / "bindings")
    changed = {k for k in after.keys() | sagemaker_sync["generated_before"].keys()
               if after.get(k) != sagemaker_sync["generated_before"].get(k)}
    assert any(k.endswith(".py") for k in changed)
    # generate's changelog of the package records the same move.
    changes = (root / "build" / "bindings" / "CHANGES.md").read_text()
    assert "AdditionalModelDataSources" in changes


# --- signin: the whole service, one page gone in 1.44.8 --------------------------------


@pytest.fixture(scope="module")
def signin() -> tuple[Path, Path]:
    return render_release.render(data.OLD, "signin"), render_release.render(data.NEW, "signin")


@pytest.fixture()
def signin_project(tmp_path: Path, signin: tuple[Path, Path]) -> Path:
    """All of signin's 1.42.50 pages, the seed as a second service, and files that are
    not boto3's pages beside them."""
    old, _ = signin
    root = make_project(
        tmp_path / "project", {"signin": sorted(old.rglob("*.rst")), "sagemaker": [data.SEED]}
    )
    (root / "pages" / "signin" / "NOTES.md").write_text("kept\n")
    (root / "pages" / "signin" / "client" / "README.txt").write_text("kept\n")
    (root / "pages" / "signin" / "extra").mkdir()
    (root / "pages" / "signin" / "extra" / "kept.rst").write_text("not under client/\n")
    return root


def test_sync_removes_pages_the_release_no_longer_has(
    signin_project: Path, signin: tuple[Path, Path], tmp_path: Path
) -> None:
    root = signin_project
    old, new = signin
    gone = page_files(old).keys() - page_files(new).keys()
    assert gone, "1.44.8 dropped a signin page of 1.42.50"
    before = tmp_path / "before"
    shutil.copytree(root / "pages", before)
    untouched = {
        rel: data for rel, data in snapshot(root / "pages").items()
        if not re.fullmatch(r"signin/(client|paginator|waiter)/[^/]*\.rst", rel)
    }
    done = codegen(root, "sync", "signin", "-j", "2")
    assert done.returncode == 0, done.stderr
    pages = root / "pages" / "signin"
    assert {
        rel: data for rel, data in page_files(pages).items() if not rel.startswith("extra/")
    } == page_files(new)
    assert not any((pages / rel).exists() for rel in gone)
    after = snapshot(root / "pages")
    assert {rel: after.get(rel) for rel in untouched} == untouched  # other files, other services
    assert f"{len(gone)} removed" in done.stderr
    diffed = codegen(root, "diff", before, root / "pages", "-j", "2")
    assert without_header(done.stdout) == without_header(diffed.stdout)
    assert "operation-removed" in done.stdout
    assert codegen(root, "check", "-j", "2").returncode == 0


def _levels(root: Path, new: Path) -> list[str]:
    """The levels `codegen diff` finds between the project's signin pages and `new`."""
    diffed = codegen(root, "diff", root / "pages" / "signin", new, "--format", "json", "-j", "2")
    assert diffed.returncode == 0, diffed.stderr
    return sorted({c["level"] for c in json.loads(diffed.stdout)["changes"]}, key=_level_rank)


def test_dry_run_writes_nothing(signin_project: Path, signin: tuple[Path, Path]) -> None:
    before = snapshot(signin_project)
    done = codegen(signin_project, "sync", "signin", "--dry-run", "-j", "2")
    assert done.returncode == 0, done.stderr
    assert snapshot(signin_project) == before
    diffed = codegen(signin_project, "diff", signin_project / "pages" / "signin", signin[1], "-j", "2")
    assert without_header(done.stdout) == without_header(diffed.stdout)
    assert "would be removed" in done.stderr


def test_fail_on_a_level_present_writes_nothing(signin_project: Path, signin: tuple[Path, Path]) -> None:
    highest = _levels(signin_project, signin[1])[-1]
    before = snapshot(signin_project)
    for extra in ([], ["--dry-run"]):
        done = codegen(signin_project, "sync", "signin", "--fail-on", highest, *extra, "-j", "2")
        assert done.returncode == 1, done.stderr
        assert snapshot(signin_project) == before
        assert re.search(r"^\d+ changes? \(\d+ ERR, \d+ WARN, \d+ INFO\)$", done.stdout, re.M)
        assert "nothing was written" in done.stderr


def test_fail_on_below_what_remains_after_ignore_syncs(signin_project: Path, signin: tuple[Path, Path]) -> None:
    """--ignore silences the changes of the highest level: the gate opens."""
    levels = _levels(signin_project, signin[1])
    assert levels[-1] == "ERR"
    ignore = signin_project / "ignore.txt"
    ignore.write_text("operation-removed *\n")
    done = codegen(signin_project, "sync", "signin", "--fail-on", "ERR", "--ignore", ignore, "-j", "2")
    assert done.returncode == 0, done.stderr
    assert page_files(signin_project / "pages" / "signin" / "client") == page_files(signin[1] / "client")


def test_a_bad_page_in_the_input_is_a_warning_and_is_synced_away(
    signin_project: Path, signin: tuple[Path, Path]
) -> None:
    old, new = signin
    (gone,) = page_files(old).keys() - page_files(new).keys()
    page = signin_project / "pages" / "signin" / gone
    page.write_bytes(page.read_bytes()[:1500])  # truncated: it no longer parses
    done = codegen(signin_project, "sync", "signin", "-j", "2")
    assert done.returncode == 0, done.stderr
    (warning,) = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert gone in warning and "left out of the comparison" in warning
    assert not page.exists()


def test_unknown_service_is_one_error_line(signin_project: Path) -> None:
    before = snapshot(signin_project)
    done = codegen(signin_project, "sync", "signin", "no-such-service")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no-such-service" in lines[0]
    assert snapshot(signin_project) == before


def test_a_service_folder_leading_outside_the_input_is_refused(tmp_path: Path, signin: tuple[Path, Path]) -> None:
    root = make_project(tmp_path / "project", {"sagemaker": [data.SEED]})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "pages" / "signin").symlink_to(elsewhere)
    before = snapshot(root), snapshot(elsewhere)
    done = codegen(root, "sync", "signin")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
    assert (snapshot(root), snapshot(elsewhere)) == before


# --- pre-commit ----------------------------------------------------------------------


def test_pre_commit_hook_fails_on_stale_bindings(tmp_path: Path, signin: tuple[Path, Path]) -> None:
    """The hook as pre-commit reads it, run by pre-commit in a project's repository; only
    its language is changed to `unsupported` (the current interpreter's codegen), so that
    no environment is installed from an index."""
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(HOOKS))
    assert hook["entry"].split() == ["codegen", "check"] and not hook["pass_filenames"]
    assert hook["language"] == "python"
    assert re.search(hook["files"], "input/signin/client/get_session.rst")
    assert not re.search(hook["files"], "generated/aws_typed/signin/models.py")
    root = tmp_path / "repo"
    old, new = signin
    root.mkdir()
    (root / "input" / "signin" / "client").mkdir(parents=True)
    page = sorted((old / "client").glob("*.rst"))[0]
    shutil.copyfile(page, root / "input" / "signin" / "client" / page.name)
    assert codegen(root, "generate", "-q").returncode == 0
    local = {k: hook[k] for k in ("id", "name", "entry", "pass_filenames", "files")}
    bin_dir = Path(sys.executable).parent
    local["entry"] = shlex.join([str(bin_dir / "python"), "-m", "codegen.cli", *hook["entry"].split()[1:]])
    local["language"] = "unsupported"
    (root / ".pre-commit-config.yaml").write_text(json.dumps({"repos": [{"repo": "local", "hooks": [local]}]}))
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)

    def pre_commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=root, env=env,
            capture_output=True, text=True, timeout=300,
        )

    fresh = pre_commit()
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    added = next(p for p in sorted((new / "client").glob("*.rst")) if not (old / "client" / p.name).exists())
    shutil.copyfile(added, root / "input" / "signin" / "client" / added.name)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    stale = pre_commit()
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "stale" in stale.stdout
