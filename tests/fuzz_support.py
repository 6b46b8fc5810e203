"""Mutation fuzz of a reference page, shared by tests/test_fuzz.py (a bounded run in the
default suite) and bench/fuzz_pages.py (1,000+ cases, with counts).

Each case is a mutation of the seed page (truncated, lines deleted, duplicated, shifted
or swapped, bytes flipped, a NUL, a BOM, CRLF, tabs, an entry's bullets deleted), made
from a `random.Random` seeded with the case number and the committed SEED, so that a
failing case is reproduced from its number alone. `run_case` parses it in-process and
classifies the outcome; a traceback or a hang is a finding, never a crash of the run.
"""

from __future__ import annotations

import random
import re
import signal
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from codegen import tree
from codegen.rst.reader import NotAMethodPage, PageError, parse_page
from codegen.tree import Operation

SEED = 20261130  # the committed fuzz seed: change it only on purpose
HANG_SECONDS = 30  # a page that takes longer than this is a hang

_ENTRY = re.compile(r"^( *)- (\*\*\w+\*\* )?\*\(")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


def _span(rng: random.Random, n: int, most: int = 20) -> tuple[int, int]:
    start = rng.randrange(n)
    return start, min(n, start + rng.randint(1, most))


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    a, b = _span(rng, len(lines))
    return _join(lines[:a] + lines[b:])


def duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    a, b = _span(rng, len(lines))
    return _join(lines[:b] + lines[a:b] + lines[b:])


def shift_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    a, b = _span(rng, len(lines))
    by = rng.choice([-4, -2, -1, 1, 2, 4])
    if by > 0:
        moved = [b" " * by + line if line else line for line in lines[a:b]]
    else:
        moved = [line[min(-by, len(line) - len(line.lstrip(b" "))):] for line in lines[a:b]]
    return _join(lines[:a] + moved + lines[b:])


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return _join(lines)


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def nul(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + b"\0" + data[i:]


def bom(rng: random.Random, data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def crlf(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def tabs(rng: random.Random, data: bytes) -> bytes:
    width = rng.choice([2, 4, 8])
    lines = _lines(data)
    a, b = _span(rng, len(lines), most=len(lines))
    for k in range(a, b):
        line = lines[k]
        spaces = len(line) - len(line.lstrip(b" "))
        lines[k] = b"\t" * (spaces // width) + b" " * (spaces % width) + line[spaces:]
    return _join(lines)


def delete_bullets(rng: random.Random, data: bytes) -> bytes:
    """The child entries of one entry that has some, deleted (what finding 4 did)."""
    lines = data.decode("utf-8").split("\n")
    parents = []
    for i, line in enumerate(lines):
        m = _ENTRY.match(line)
        if m is None:
            continue
        indent = len(m[1])
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
        kids = [k for k in range(i + 1, end) if _ENTRY.match(lines[k])]
        if kids:
            parents.append((kids[0], end))
    first, end = rng.choice(parents)
    return "\n".join(lines[:first] + lines[end:]).encode("utf-8")


def delete_entry(rng: random.Random, data: bytes) -> bytes:
    """One whole entry (header, documentation and children), deleted."""
    lines = data.decode("utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if _ENTRY.match(line)]
    i = rng.choice(starts)
    indent = len(lines[i]) - len(lines[i].lstrip())
    end = i + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return "\n".join(lines[:i] + lines[end:]).encode("utf-8")


Mutation = Callable[[random.Random, bytes], bytes]
MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "delete-lines": delete_lines,
    "duplicate-lines": duplicate_lines,
    "shift-lines": shift_lines,
    "swap-lines": swap_lines,
    "flip-bytes": flip_bytes,
    "nul": nul,
    "bom": bom,
    "crlf": crlf,
    "tabs": tabs,
    "delete-bullets": delete_bullets,
    "delete-entry": delete_entry,
}
# Mutations that only take text away: their tree may never be smaller than the clean
# page's without an error or a `truncated` marker.
SHRINKING = ("truncate", "delete-bullets", "delete-entry")
# Mutations after which the page must read exactly as the clean one.
SAME = ("bom", "crlf")


def mutate(data: bytes, case: int, seed: int = SEED) -> tuple[str, bytes]:
    """(mutation name, mutated page) of case number `case`: the same for the same seed."""
    rng = random.Random(f"{seed}:{case}")
    names = sorted(MUTATIONS)
    name = names[case % len(names)]
    return name, MUTATIONS[name](rng, data)


# --- what came of it ------------------------------------------------------------------


def members(op: Operation) -> dict[str, bool]:
    """path → required flag of every member of the operation's input and output."""
    out: dict[str, bool] = {}
    for path, shape in op.walk():
        for name, member in shape.members:
            out[f"{path}.{name}"] = member.required
    return out


def truncated(op: Operation) -> bool:
    return any(shape.truncated for _, shape in op.walk())


def shrank(clean: Operation, op: Operation) -> list[str]:
    """Members of the clean tree gone from `op`, or no longer required."""
    before, after = members(clean), members(op)
    return sorted(p for p, required in before.items() if p not in after or (required and not after[p]))


class Hang(Exception):
    pass


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def fire(signum: int, frame: object) -> None:
        raise Hang()

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Tally:
    """Counts of a fuzz run, and the cases that are findings (with how to reproduce them)."""

    seed: int = SEED
    outcomes: Counter[str] = field(default_factory=Counter)  # ok / error / skipped
    by_mutation: Counter[str] = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    multiline: list[str] = field(default_factory=list)  # error messages not on one line
    silent_shrinks: list[str] = field(default_factory=list)  # of SHRINKING mutations
    other_shrinks: list[str] = field(default_factory=list)  # of the others (a flipped `[REQUIRED]`...)
    other_changed: list[str] = field(default_factory=list)  # another page read differently after
    not_same: list[str] = field(default_factory=list)  # a BOM or CRLF variant read differently

    @property
    def findings(self) -> int:
        return len(self.tracebacks) + len(self.hangs) + len(self.multiline) + len(
            self.silent_shrinks) + len(self.other_changed) + len(self.not_same)

    def report(self) -> str:
        total = sum(self.outcomes.values())
        lines = [
            f"{total} cases (seed {self.seed}): " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
            "by mutation: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_mutation.items())),
            f"tracebacks {len(self.tracebacks)}, hangs {len(self.hangs)}, multi-line errors "
            f"{len(self.multiline)}, silent shrinks {len(self.silent_shrinks)}, other page changed "
            f"{len(self.other_changed)}, BOM/CRLF variant read differently {len(self.not_same)}; "
            f"smaller tree without an error from other mutations {len(self.other_shrinks)}",
        ]
        for kind in ("tracebacks", "hangs", "multiline", "silent_shrinks", "other_changed", "not_same",
                     "other_shrinks"):
            lines.extend(f"  {kind}: {case}" for case in getattr(self, kind)[:10])
        return "\n".join(lines)


def run_case(
    seed_page: bytes, case: int, tally: Tally, clean: Operation,
    other: tuple[bytes, str, str] | None = None,
) -> None:
    """Parse mutated case `case` and record its outcome. `other`: (bytes, source, its
    clean tree as JSON) of another service's page, parsed after the mutated one, which
    must read the same whatever the mutated page did to the parser."""
    name, data = mutate(seed_page, case, tally.seed)
    tally.by_mutation[name] += 1
    label = f"case {case} ({name})"
    try:
        with _deadline(HANG_SECONDS):
            op = parse_page(data, "sagemaker/client/create_model_package.rst")
    except PageError as exc:
        tally.outcomes["error"] += 1
        if "\n" in str(exc) or not str(exc).isprintable():
            tally.multiline.append(f"{label}: {str(exc)!r}")
    except NotAMethodPage:
        tally.outcomes["skipped"] += 1
    except Hang:
        tally.outcomes["hang"] += 1
        tally.hangs.append(label)
    except Exception:  # what the fuzz is looking for
        tally.outcomes["traceback"] += 1
        tally.tracebacks.append(f"{label}: {traceback.format_exc(limit=-3)}")
    else:
        tally.outcomes["ok"] += 1
        if name in SAME and tree.dumps([op]) != tree.dumps([clean]):
            tally.not_same.append(label)
        lost = [] if truncated(op) else shrank(clean, op)
        if lost:
            found = tally.silent_shrinks if name in SHRINKING else tally.other_shrinks
            found.append(f"{label}: {len(lost)} lost, e.g. {lost[0]}")
    if other is not None:
        data, source, expected = other
        if tree.dumps([parse_page(data, source)]) != expected:
            tally.other_changed.append(label)
