"""The `codegen` command line: argument handling, exit codes and output only."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec

import click

from codegen.pipeline import report
from codegen.pipeline.config import Config
from codegen.forks import cores

if TYPE_CHECKING:
    from codegen.parse import ParseResult

EXISTING = click.Path(exists=True, path_type=Path)
P = ParamSpec("P")


@click.group()
@click.version_option(package_name="codegen")
def main() -> None:
    """Typed Python bindings from the boto3 API reference pages."""


def entry() -> NoReturn:
    """The `codegen` command: `main`, then an exit that skips the interpreter's teardown,
    which frees a large run's objects one by one (0.2-0.3 s of a one-page run over the
    whole reference) though every file is written and closed, every forked copy reaped
    and the lock released by then. Not when another thread still runs (it would be cut
    short), nor for an exit other than a status (click's standalone `main` exits with one)."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if not (code is None or isinstance(code, int)) or threading.active_count() > 1:
            raise
    else:  # (not reached: a standalone click command always exits)
        code = 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = 120  # (what the interpreter's own exit returns when its flush fails)
    os._exit(code or 0)


class _Stopped(BaseException):
    """SIGINT or SIGTERM, raised in the main thread so that every `finally` runs: the
    workers are stopped, temp files removed, the lock released (codegen/workers.py,
    codegen/pipeline/run.py)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stoppable(command: Callable[P, None]) -> Callable[P, None]:
    """A command that SIGINT and SIGTERM stop cleanly (see _stop_on_signals)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        with _stop_on_signals():
            command(*args, **kwargs)

    return run


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into one line on stderr and exit 128 + the signal's number."""
    stops = (signal.SIGINT, signal.SIGTERM)

    def stop(signum: int, frame: object) -> None:
        for sig in stops:  # once: a second signal would interrupt the clean-up
            signal.signal(sig, signal.SIG_IGN)
        raise _Stopped(signum)

    try:
        previous = {sig: signal.signal(sig, stop) for sig in stops}
    except ValueError:  # not the main thread (an embedding caller): its signals, its handlers
        yield
        return
    try:
        yield
    except _Stopped as exc:
        name = signal.Signals(exc.signum).name
        click.echo(f"error: stopped by {name}; nothing is left half-written", err=True)
        sys.exit(128 + exc.signum)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _report(result: ParseResult[Any]) -> None:
    if result.skipped:
        click.echo(report.skipped_line(len(result.skipped)), err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("--format", "fmt", type=click.Choice(["json", "summary"]), default="json")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="worker processes [cores]")
@_stoppable
def parse(paths: tuple[Path, ...], fmt: str, jobs: int | None) -> None:
    """Parse reference pages (files or directories) into the shape tree."""
    from codegen.parse import parse_paths

    result: ParseResult[Any]
    if fmt == "json":  # (streamed: the whole reference's JSON is 333 MB)
        result = parse_paths(paths, jobs=jobs or cores(), keep=report.json_piece)
        for piece in report.json_text(result.operations):
            sys.stdout.write(piece)
    else:
        result = parse_paths(paths, jobs=jobs or cores(), keep=report.summary_row)
        click.echo(report.summary(sorted(result.operations)))
    _report(result)
    sys.exit(1 if result.errors else 0)


@main.command("render-rst")
@click.argument("services", nargs=-1)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [cores].")
def render_rst(services: tuple[str, ...], out: Path, jobs: int | None) -> None:
    """Render boto3's own reference pages (needs the `boto3` extra) into OUT/<service>/."""
    try:
        from codegen.pipeline import boto3_render as render
    except ImportError as exc:  # pragma: no cover
        raise click.ClickException(str(exc)) from None
    try:
        names = list(services) or render.available_services()
        known = set(render.available_services())
    except render.Boto3Missing as exc:
        raise click.ClickException(str(exc)) from None
    unknown = [s for s in names if s not in known]
    if unknown:
        raise click.BadParameter(f"unknown service(s): {', '.join(unknown)}", param_hint="SERVICES")
    for service, count in render.render_services(names, out, jobs=jobs or cores(), reuse=False):
        click.echo(f"{service}: {count} pages")


@main.command("sync")
@click.argument("services", nargs=-1, required=True, metavar="SERVICE...")
@click.option("--dry-run", is_flag=True, help="Render and compare, print the summary; write nothing.")
@click.option(
    "--fail-on", type=click.Choice(["ERR", "WARN", "INFO"], case_sensitive=False), default=None,
    metavar="ERR|WARN|INFO", help="On a change at this level or above, write nothing and exit 1.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
    show_default=True, help="Of the change summary (as `codegen diff`).",
)
@click.option(
    "--ignore", "ignore_file", type=click.Path(path_type=Path), default=None,
    help="File of `RULE-ID PATH` lines (globs allowed) to silence, as for `codegen diff`.",
)
@click.option("--include-docs", is_flag=True, help="Also report documentation changes (INFO).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [cores].")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="Give up regenerating (exit 1) when another run on the output holds the lock this long.",
)
@_stoppable
def sync_command(
    services: tuple[str, ...], dry_run: bool, fail_on: str | None, fmt: str, ignore_file: Path | None,
    include_docs: bool, jobs: int | None, quiet: bool, lock_timeout: float | None,
) -> None:
    """Bring SERVICE's pages in INPUT to the installed boto3's, then regenerate.

    Renders the services' pages with the installed boto3, prints what changed
    semantically from the pages in the input folder ([tool.codegen] input) as `codegen
    diff` does, writes the new pages there and removes those boto3 no longer has (only
    `.rst` pages directly under the services' client/, paginator/ and waiter/ folders),
    then regenerates as `codegen generate`. The summary goes to stdout, the rest to
    stderr. Exit status: 0 synced (or --dry-run); 1 with --fail-on when a change at that
    level or above exists (nothing written), or when regeneration fails as `generate`
    would; 2 on an unknown service or unusable input.
    """
    from codegen import diff as semdiff
    from codegen.pipeline import boto3_render as render
    from codegen.pipeline import releases, sync

    cfg = _codegen_config(None, None, None, None, failed=2)
    names = list(dict.fromkeys(services))
    try:
        known = set(render.available_services())
    except render.Boto3Missing as exc:
        _fail(str(exc))
    version = render.boto3_version()
    unknown = [name for name in names if name not in known]
    if unknown:
        _fail(f"unknown service(s) {', '.join(map(repr, unknown))}: boto3 {version} has no such service")
    if cfg.input.exists() and not cfg.input.is_dir():
        _fail(f"{cfg.input}: not a folder: sync cannot put pages there")
    try:
        folders = {name: sync.check_folder(cfg.input, name) for name in names}
        ignores = semdiff.read_ignore_file(ignore_file) if ignore_file is not None else []
    except (sync.SyncError, semdiff.InputError) as exc:
        _fail(str(exc))
    workers = jobs or cores()
    with tempfile.TemporaryDirectory(prefix="codegen-sync-") as tmp:
        rendered = Path(tmp)
        for service, count in render.render_services(names, rendered, jobs=workers, reuse=False):
            if not quiet:
                click.echo(f"{service}: {count} pages rendered by boto3 {version}", err=True)
        pairs = [(folders[n] if sync.has_pages(folders[n]) else None, rendered / n) for n in names]
        bad_old: list[semdiff.PageFailure] = []
        bad_new: list[semdiff.PageFailure] = []
        with releases.shared_parser(workers) as parser:
            try:
                result = releases.compare_services(pairs, parser, bad_old, bad_new, include_docs)
            except semdiff.InputError as exc:
                _fail(str(exc))
        if bad_new:  # the parser cannot read what this boto3 renders: nothing to sync to
            _echo_errors(f.message for f in bad_new)
            _fail(f"boto3 {version}'s pages above do not parse: nothing was written")
        for failure in bad_old:
            click.echo(
                f"warning: {failure.message} (left out of the comparison; sync replaces or removes it)", err=True
            )
        result = replace(result, old_label=str(cfg.input), new_label=f"boto3 {version}").ignoring(ignores)
        click.echo(semdiff.renderer(fmt, color=True).render(result), nl=False)
        gated = fail_on is not None and result.has_level(fail_on.upper())
        plans = [sync.plan(name, folders[name], rendered / name) for name in names]
        for plan in plans:
            click.echo(plan.describe(folders[plan.service], dry_run=dry_run or gated), err=True)
        if gated:
            click.echo(f"a change at {str(fail_on).upper()} or above (--fail-on): nothing was written", err=True)
            sys.exit(1)
        if dry_run:
            sys.exit(0)
        sync.apply(plans, cfg.input)
    sys.exit(_run_generate(cfg, jobs, False, quiet, lock_timeout, False, summary_err=True))


def _fail(message: str, status: int = 2) -> NoReturn:
    """One `error: ...` line on stderr and exit (2: usage or unusable input)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
    show_default=True, help="json: see docs/diff-json.md",
)
@click.option(
    "--fail-on", type=click.Choice(["ERR", "WARN", "INFO"], case_sensitive=False), default=None,
    metavar="ERR|WARN|INFO", help="Exit 1 when a change at this level or above remains.",
)
@click.option(
    "--ignore", "ignore_file", type=click.Path(path_type=Path), default=None,
    help="File of `RULE-ID PATH` lines (globs allowed) to silence.",
)
@click.option("--include-docs", is_flag=True, help="Also report documentation changes (INFO).")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes for parsing [cores]."
)
@click.option(
    "--keep-going", is_flag=True,
    help="Pages that fail to parse are listed on stderr and left out of both sides, instead of exit 2.",
)
@_stoppable
def diff_command(
    old: Path, new: Path, fmt: str, fail_on: str | None, ignore_file: Path | None,
    include_docs: bool, jobs: int | None, keep_going: bool,
) -> None:
    """Semantic changelog between two revisions of the reference.

    OLD and NEW are each a page, a directory of pages or a saved `codegen parse` JSON.
    Exit status: 0, 1 with --fail-on when a change at that level or above exists,
    2 on unreadable input.
    """
    from codegen import diff as semdiff
    from codegen.pipeline import releases

    try:
        ignores = semdiff.read_ignore_file(ignore_file) if ignore_file is not None else []
    except semdiff.InputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    bad: list[semdiff.PageFailure] | None = [] if keep_going else None
    workers = jobs or cores()
    with releases.shared_parser(workers) as parser:
        try:
            result = releases.compare_paths(old, new, parser, bad, include_docs)
        except semdiff.InputError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    for failure in bad or []:
        click.echo(f"warning: {failure.message} (left out of the comparison)", err=True)
    result = result.ignoring(ignores)
    # Styles are stripped by click.echo when stdout is not a terminal.
    click.echo(semdiff.renderer(fmt, color=True).render(result), nl=False)
    sys.exit(1 if fail_on is not None and result.has_level(fail_on.upper()) else 0)


@main.command()
@click.argument("input_path", metavar="[INPUT]", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Output folder.")
@click.option("--package-name", default=None, help="Import name of the generated package.")
@click.option("--targets", default=None, help="Comma list of models,validators,stubs,docs[,boto3-stubs].")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [number of cores]."
)
@click.option(
    "--force", is_flag=True,
    help="On conflicting hand edits take the generator's version; yours is kept as <file>.orig.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="Give up (exit 1) when another run on OUT holds the lock this long [wait for it].",
)
@click.option(
    "--reresolve-names", is_flag=True,
    help="Name every class afresh instead of keeping the published names (.codegen/names/); "
    "renamed classes keep their old names as deprecated aliases until the pages next change.",
)
@click.option(
    "--rename-package", is_flag=True,
    help="Allow --package-name to differ from the name OUT was generated with (renames the package).",
)
@_stoppable
def generate(
    input_path: Path | None, out: Path | None, package_name: str | None, targets: str | None,
    jobs: int | None, force: bool, quiet: bool, lock_timeout: float | None, reresolve_names: bool,
    rename_package: bool,
) -> None:
    """Generate the typed package (models, validators, stubs, docs) from reference pages.

    Incremental: only what changed is redone; hand edits in generated modules are kept
    (docs/regenerate.md). Shows progress on stderr (a bar on a terminal, a line every few
    seconds otherwise). Pages that fail to parse are listed at the end; their services
    keep their previous output and every other service goes through. Exit 1 on such
    errors and on conflicting hand edits (see --force). Runs on one OUT take turns (see
    --lock-timeout). SIGINT and SIGTERM stop it cleanly: exit 130 or 143.

    --package-name and --targets default to the options OUT was generated with (its
    manifest), then to [tool.codegen]. A package name other than the recorded one is
    refused (exit 2) unless --rename-package is given.
    """
    cfg = _codegen_config(input_path, out, package_name, targets, rename=rename_package)
    _check_input(cfg.input)
    sys.exit(_run_generate(cfg, jobs, force, quiet, lock_timeout, rename_package, reresolve_names=reresolve_names))


def _run_generate(
    cfg: Config, jobs: int | None, force: bool, quiet: bool, lock_timeout: float | None, rename_package: bool,
    summary_err: bool = False, reresolve_names: bool = False,
) -> int:
    """`generate` once the options are known (also the last step of `sync`); its exit
    status. `summary_err`: the closing line on stderr (sync's stdout is the change summary)."""
    from codegen.errors import BuildError
    from codegen.pipeline import progress
    from codegen.pipeline.run import generate_as

    display = progress.for_stream(sys.stderr, quiet=quiet)
    try:
        result = generate_as(
            cfg, jobs or cores(), progress=display, force=force, lock_timeout=lock_timeout,
            rename_package=rename_package, reresolve_names=reresolve_names,
        )
    except BuildError as exc:
        _echo_errors(exc.lines)
        return 1
    if not quiet and result.skipped:
        click.echo(report.skipped_line(len(result.skipped)), err=True)
    _report_conflicts(result.conflicts, forced=force)
    for backup in result.backups:
        click.echo(f"{cfg.out / backup}: your version, kept", err=True)
    click.echo(
        report.generated_line(
            cfg.out, len(result.tracked), len(result.written), len(result.removed), len(result.merged), result.services
        ),
        err=summary_err,
    )
    _echo_errors(result.errors)
    if result.errors:
        click.echo(
            f"{len(result.errors)} error(s): the services of those pages were left as they were", err=True
        )
    return 1 if result.errors or (result.conflicts and not force) else 0


def _codegen_config(
    input_path: Path | None, out: Path | None, package_name: str | None, targets: str | None,
    rename: bool = False, failed: int = 1,
) -> Config:
    """The options of a run; a bad one is one error line and exit `failed` (`check`: 2, as
    everything that keeps it from answering: 1 would read as "stale")."""
    from codegen.errors import BuildError
    from codegen.pipeline import config

    try:
        cfg = config.load_checked(input=input_path, out=out, package_name=package_name, targets=targets)
    except config.ConfigError as exc:
        _echo_errors([str(exc)])
        sys.exit(failed)
    except BuildError as exc:
        _echo_errors(exc.lines)
        sys.exit(failed)
    # A --package-name other than the one the output was made with is a usage error
    # (exit 2) unless --rename-package says so: it would remove the package's folder.
    refused = cfg.rename_refused(package_name)
    if refused is not None and not rename:
        click.echo(refused, err=True)
        sys.exit(2)
    return cfg


def _check_input(path: Path) -> None:
    """A missing INPUT (given, or the configured default) is a usage error, as for `parse`."""
    if not path.exists():
        raise click.BadParameter(f"Path {str(path)!r} does not exist.", param_hint="'[INPUT]'")


def _echo_errors(lines: Iterable[str]) -> None:
    for line in report.error_lines(lines):
        click.echo(line, err=True)


def _report_conflicts(conflicts: Sequence[report.Conflict], forced: bool) -> None:
    for line in report.conflict_lines(conflicts):
        click.echo(line, err=True)
    if conflicts and not forced:
        click.echo(report.conflicts_left(len(conflicts)), err=True)


@main.command()
@click.argument("input_path", metavar="[INPUT]", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Output folder.")
@click.option("--package-name", default=None, help="Import name of the generated package.")
@click.option("--targets", default=None, help="Comma list of models,validators,stubs,docs[,boto3-stubs].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [cores].")
@click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="Exit 2 when a `generate` on OUT holds the lock this long [wait for it].",
)
@_stoppable
def check(
    input_path: Path | None, out: Path | None, package_name: str | None, targets: str | None, jobs: int | None,
    lock_timeout: float | None,
) -> None:
    """Exit 1 when OUT is not what `generate` would make of INPUT (stale files, or hand
    edits that conflict with the regeneration), 0 when up to date, 2 on unreadable input or
    a --package-name other than the one OUT was generated with. Writes nothing.
    --package-name and --targets default to the options OUT was generated with."""
    from codegen.errors import BuildError
    from codegen.pipeline.run import check_as

    cfg = _codegen_config(input_path, out, package_name, targets, failed=2)
    _check_input(cfg.input)
    try:
        result = check_as(cfg, jobs or cores(), lock_timeout=lock_timeout)
    except BuildError as exc:
        _echo_errors(exc.lines)
        sys.exit(2)
    for line in report.check_lines(cfg.out, result, result.conflicts):
        click.echo(line)
    sys.exit(0 if result.up_to_date else 1)


@main.command("watch")
@click.argument("input_path", metavar="[INPUT]", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Output folder.")
@click.option("--package-name", default=None, help="Import name of the generated package.")
@click.option("--targets", default=None, help="Comma list of models,validators,stubs,docs[,boto3-stubs].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [cores].")
@click.option("--interval", type=float, default=0.5, show_default=True, help="Seconds between polls.")
@click.option("--debounce", type=float, default=0.3, show_default=True, help="Quiet seconds before a run.")
@click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="Skip a run (one error line) when another run on OUT holds the lock this long [wait for it].",
)
def watch_command(
    input_path: Path | None, out: Path | None, package_name: str | None, targets: str | None,
    jobs: int | None, interval: float, debounce: float, lock_timeout: float | None,
) -> None:
    """Regenerate whenever pages under INPUT change (polling, debounced); Ctrl-C stops."""
    from codegen.errors import BuildError
    from codegen.pipeline import watch
    from codegen.pipeline.run import generate_as

    cfg = _codegen_config(input_path, out, package_name, targets)

    def run(changes: list[str]) -> None:
        for line in changes:
            click.echo(line)
        try:
            result = generate_as(cfg, jobs or cores(), lock_timeout=lock_timeout)
        except BuildError as exc:
            _echo_errors(exc.lines)
            return
        _report_conflicts(result.conflicts, forced=False)
        _echo_errors(result.errors)
        click.echo(report.watched_line(cfg.out, result))

    _check_input(cfg.input)
    # Ctrl-C (SIGINT) is how a watch ends, also where it came in ignored: a job a script
    # started in the background inherits SIGINT ignored, and Python then never raises
    # KeyboardInterrupt, so `kill -INT` would be lost on it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        before = watch.snapshot([cfg.input])  # before the first run: what changes during it is seen
        run([])
        click.echo(f"watching {cfg.input} (Ctrl-C to stop)")
        watch.watch([cfg.input], run, interval=interval, debounce=debounce, since=before)
    except KeyboardInterrupt:
        pass
    click.echo("stopped")


if __name__ == "__main__":  # pragma: no cover
    entry()
