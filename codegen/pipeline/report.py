"""What the commands print, as text: `parse`'s summary table and its JSON (streamed),
and the closing lines of `generate`, `check` and `watch`. codegen/cli.py echoes them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from codegen import tree
from codegen.tree import Operation

Key = tuple[str, str, str]  # Operation.sort_key
SummaryRow = tuple[Key, str, str, str, str]


def skipped_line(count: int) -> str:
    # One line, not one per page: boto3's tree has hundreds of index and resource pages.
    return f"skipped {count} page(s) that are not client, paginator or waiter method pages"


# --- parse --------------------------------------------------------------------------------


def summary_row(op: Operation) -> SummaryRow:
    """One line of `parse --format summary` (made in the workers: no tree is kept)."""
    members = op.input.members
    return (
        op.sort_key,
        f"{op.service}.{op.name}",
        str(len(members)),
        str(sum(1 for _, m in members if m.required)),
        str(sum(1 for _, shape in op.walk() if shape.enum)),
    )


def summary(rows: list[SummaryRow]) -> str:
    """The table of `parse --format summary`, from the rows in sort_key order."""
    table = [("operation", "kind", "params", "required", "enums")]
    table += [(name, key[1], params, required, enums) for key, name, params, required, enums in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.append(f"{len(rows)} operations")
    return "\n".join(lines)


def json_piece(op: Operation) -> tuple[Key, bytes]:
    """An operation's text in `parse --format json` (tree.dump_operation), compressed
    (made in the workers): the whole reference's is 333 MB as text, a tenth of that
    compressed, and only the texts are kept until they are written in order."""
    return op.sort_key, zlib.compress(tree.dump_operation(op).encode("utf-8"), 1)


def json_text(pieces: Iterable[tuple[Key, bytes]]) -> Iterator[str]:
    """The text of `tree.dumps` over the operations, piece by piece, from their
    json_piece in any order."""
    ordered = sorted(pieces, key=lambda piece: piece[0])  # (keys are unique: duplicates are errors)
    return tree.dump_pieces(zlib.decompress(data).decode("utf-8") for _, data in ordered)


# --- generate, check, watch ------------------------------------------------------------------


class Conflict(Protocol):
    def describe(self) -> str: ...

    def details(self) -> str: ...


def conflict_lines(conflicts: Sequence[Conflict]) -> list[str]:
    """Each conflicting hand edit: a `conflict: ` line, then its details indented."""
    lines: list[str] = []
    for conflict in conflicts:
        lines.append(f"conflict: {conflict.describe()}")
        lines.append("    " + conflict.details().replace("\n", "\n    "))
    return lines


def conflicts_left(count: int) -> str:
    return (
        f"{count} conflicting hand edit(s): those files were left as they are; "
        "`codegen generate --force` takes the generator's version and keeps yours as <file>.orig"
    )


def error_lines(lines: Iterable[str]) -> list[str]:
    """Every error line as `error: FILE:LINE: message` (the form `parse` prints)."""
    return [line if line.startswith("error: ") else f"error: {line}" for line in lines]


def services_named(services: Sequence[str]) -> str:
    return ", ".join(services) if len(services) <= 10 else f"{len(services)} services"


def generated_line(out: Path, tracked: int, written: int, removed: int, merged: int, services: Sequence[str]) -> str:
    """The closing line of `generate`."""
    return (
        f"{out}: {tracked} files ({written} written, {removed} removed, {merged} merged) "
        f"for {services_named(services)}"
    )


class Regenerated(Protocol):
    """What these lines read of a run's result (codegen/pipeline/run.py RegenResult)."""

    @property
    def stale(self) -> list[str]: ...

    @property
    def up_to_date(self) -> bool: ...

    rendered: list[str]
    written: list[str]
    removed: list[str]
    tracked: list[str]


def check_lines(out: Path, result: Regenerated, conflicts: Sequence[Conflict]) -> list[str]:
    """What `codegen check` prints (on stdout) of its dry run."""
    lines = [f"stale service: {service} (would be re-rendered)" for service in result.rendered] if result.stale else []
    lines += [f"stale: {rel} (would be written)" for rel in result.written]
    lines += [f"stale: {rel} (would be removed)" for rel in result.removed]
    lines += conflict_lines(conflicts)
    if result.up_to_date:
        lines.append(f"{out}: up to date ({len(result.tracked)} files)")
    else:
        lines.append(
            f"{out}: {len(result.stale)} stale file(s), {len(conflicts)} conflict(s); run `codegen generate`"
        )
    return lines


def watched_line(out: Path, result: Regenerated) -> str:
    """What `codegen watch` prints after each run."""
    rendered = f" ({', '.join(result.rendered)} re-rendered)" if result.rendered else ""
    return f"{out}: {len(result.written)} written, {len(result.removed)} removed{rendered}"
