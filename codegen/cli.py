"""The `codegen` command line: argument handling, exit codes and output only."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from codegen import tree
from codegen.parse import ParseResult, parse_paths

EXISTING = click.Path(exists=True, path_type=Path)


@click.group()
@click.version_option(package_name="codegen")
def main() -> None:
    """Typed Python bindings from the boto3 API reference pages."""


def _report(result: ParseResult) -> None:
    for source in result.skipped:
        click.echo(f"{source}: skipped (not a client, paginator or waiter method page)", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=EXISTING)
@click.option("--format", "fmt", type=click.Choice(["json", "summary"]), default="json")
def parse(paths: tuple[Path, ...], fmt: str) -> None:
    """Parse reference pages (files or directories) into the shape tree."""
    result = parse_paths(paths)
    ops = result.sorted_operations()
    if fmt == "json":
        sys.stdout.write(tree.dumps(ops))
    else:
        click.echo(_summary(ops))
    _report(result)
    sys.exit(1 if result.errors else 0)


def _summary(ops: list[tree.Operation]) -> str:
    rows = [("operation", "kind", "params", "required", "enums")]
    for op in ops:
        members = op.input.members
        enums = sum(1 for _, shape in op.walk() if shape.enum)
        rows.append(
            (
                f"{op.service}.{op.name}",
                op.kind,
                str(len(members)),
                str(sum(1 for _, m in members if m.required)),
                str(enums),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(f"{len(ops)} operations")
    return "\n".join(lines)


@main.command("render-rst")
@click.argument("services", nargs=-1)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path))
@click.option("--jobs", type=int, default=1, show_default=True)
def render_rst(services: tuple[str, ...], out: Path, jobs: int) -> None:
    """Render boto3's own reference pages (needs the `boto3` extra) into OUT/<service>/."""
    try:
        from codegen import render
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
    for service, count in render.render_services(names, out, jobs=jobs, reuse=False):
        click.echo(f"{service}: {count} pages")


if __name__ == "__main__":  # pragma: no cover
    main()
