"""Hand edits × page changes: no user's bytes are ever lost (issue 12, "edits are sacred").

    python bench/adversarial_edits.py [--cases N] [--seed S] [--reference DIR]

An output is generated from the seed page (input/sagemaker/client/create_model_package.rst),
one more sagemaker page and one lambda page. Each case copies it, applies one kind of
hand edit to one generated file (random byte flips, Latin-1 text, NUL, appended code, a
new method, a changed or deleted line, truncation, an empty file, code that does not
parse, chmod, deletion, a symlink), changes the pages (the seed page moved to boto3
1.44.8, deleted, its whole service deleted, or nothing), and runs `generate`; when the
edited file is in conflict, `generate --force` after it. A case loses the edit when,
after a run, the user's bytes are neither in place, nor carried into the merged file
(every line they added is there, no line they deleted is back), nor in `<file>.orig`
after --force; or when a symlink was written through or replaced without --force, or a
chmod was not kept. Prints the counts; exit 1 when any case lost an edit or raised.

`--reference` is a boto3 1.44.8 reference tree (the tests' `reference` fixture); by
default the pages are taken from tests/fixtures/boto3-1.44.8/*.tar.xz.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import lzma
import os
import random
import re
import shutil
import stat
import sys
import tarfile
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from codegen.emit.models import MODELS_DIR, bucket_of  # noqa: E402  (run as a script too)
from codegen.pipeline import write
SEED_PAGE = "sagemaker/client/create_model_package.rst"
KEEP_SERVICE = "sagemaker/client/delete_model.rst"  # keeps sagemaker when the seed page goes
OTHER_SERVICE = "lambda/client/get_account_settings.rst"  # keeps a run when sagemaker goes
PKG = "adv_pkg"
# The modules every page change rewrites come up more often (merged, not only kept):
# the one defining Container (codegen/emit/models.py), which the seed page's release changes.
CONTAINER = f"{PKG}/sagemaker/{MODELS_DIR}/{bucket_of('Container')}.py"
TARGETS = (
    *[CONTAINER] * 2,
    f"{PKG}/sagemaker/models.py",
    *[f"{PKG}/sagemaker/validators.py"] * 2,
    *[f"{PKG}/sagemaker/client.pyi"] * 2,
    f"{PKG}/sagemaker/__init__.py",
    f"{PKG}/__init__.py",
    f"{PKG}/_runtime.py",
    "docs/sagemaker/create_model_package.md",
    "docs/sagemaker/index.md",
    "pyproject.toml",
)
PAGE_CHANGES = ("release", "delete_page", "delete_service", "none")


# --- hand edits ---------------------------------------------------------------------------

Edit = Callable[[Path, random.Random, Path], None]


def _bytes(fn: Callable[[bytes, random.Random], bytes]) -> Edit:
    def edit(path: Path, rng: random.Random, scratch: Path) -> None:
        path.write_bytes(fn(path.read_bytes(), rng))

    return edit


def _line_starts(data: bytes) -> list[int]:
    return [0] + [i + 1 for i, b in enumerate(data) if b == 10 and i + 1 < len(data)]


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if out:
            i = rng.randrange(len(out))
            out[i] ^= rng.randint(1, 255)
    return bytes(out)


def _insert_at_line(data: bytes, rng: random.Random, text: bytes) -> bytes:
    at = rng.choice(_line_starts(data))
    return data[:at] + text + data[at:]


def _method(data: bytes, rng: random.Random) -> bytes:
    classes = [i for i in _line_starts(data) if data.startswith(b"class ", i)]
    if not classes:
        return data + b"\n\n# a note added by hand\n"
    at = data.index(b"\n", rng.choice(classes)) + 1
    n = rng.randrange(10**6)
    method = f"    def mine_{n}(self) -> int:\n        return {n}\n\n".encode()
    return data[:at] + method + data[at:]


def _edit_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    candidates = [i for i, line in enumerate(lines) if line.strip() and not line.rstrip().endswith((b"\\", b","))]
    if not candidates:
        return data + b"edited\n"
    i = rng.choice(candidates)
    lines[i] = lines[i] + b"  # changed by hand"
    return b"\n".join(lines)


def _delete_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    del lines[i : i + rng.randint(1, 5)]
    return b"\n".join(lines)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))] if data else b"x"


def _truncate_lines(data: bytes, rng: random.Random) -> bytes:
    starts = [i for i in _line_starts(data) if i and data[i : i + 1] not in (b" ", b"\n")]
    return data[: rng.choice(starts)] if starts else data[: len(data) // 2]


def _delete(path: Path, rng: random.Random, scratch: Path) -> None:
    path.unlink()


def _chmod(path: Path, rng: random.Random, scratch: Path) -> None:
    path.chmod(rng.choice((0o600, 0o755, 0o640, 0o444)))


def _symlink(path: Path, rng: random.Random, scratch: Path) -> None:
    target = scratch / f"linked-{rng.randrange(10**9)}-{path.name}"
    target.write_bytes(path.read_bytes() + (b"\n# mine\n" if rng.random() < 0.5 else b""))
    path.unlink()
    path.symlink_to(target)


EDITS: dict[str, Edit] = {
    "flip": _bytes(_flip),
    "latin1": _bytes(lambda d, r: _insert_at_line(d, r, "# caf\u00e9 (Latin-1)\n".encode("latin-1"))),
    "nul": _bytes(lambda d, r: (lambda i: d[:i] + b"\0" + d[i:])(r.randrange(len(d) + 1))),
    "append_code": _bytes(lambda d, r: d + f"\n\ndef helper_{r.randrange(10**6)}() -> int:\n    return 1\n".encode()),
    "method": _bytes(_method),
    "edit_line": _bytes(_edit_line),
    "delete_lines": _bytes(_delete_lines),
    "truncate": _bytes(_truncate),
    "truncate_lines": _bytes(_truncate_lines),
    "empty": _bytes(lambda d, r: b""),
    "bom": _bytes(lambda d, r: b"\xef\xbb\xbf" + _method(d, r)),
    "unparsable": _bytes(lambda d, r: d + b"\n\ndef broken(:\n"),
    "delete": _delete,
    "chmod": _chmod,
    "symlink": _symlink,
}


# --- pages ----------------------------------------------------------------------------------


def _pages(reference: Path | None) -> dict[str, bytes]:
    """Relative page → bytes: the seed page, its 1.44.8 version (key "release"), and the
    pages that keep sagemaker and the run alive."""
    wanted = {SEED_PAGE: "release", KEEP_SERVICE: KEEP_SERVICE, OTHER_SERVICE: OTHER_SERVICE}
    found: dict[str, bytes] = {}
    if reference is not None:
        found = {key: (reference / rel).read_bytes() for rel, key in wanted.items()}
    else:
        archives = REPO / "tests" / "fixtures" / "boto3-1.44.8"
        for service in ("sagemaker", "lambda"):
            data = lzma.decompress((archives / f"{service}.tar.xz").read_bytes())
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                for member in tar.getmembers():
                    key = wanted.get(member.name.removeprefix("./"))
                    fh = tar.extractfile(member) if key is not None else None
                    if key is not None and fh is not None:
                        found[key] = fh.read()
    found[SEED_PAGE] = (REPO / "input" / SEED_PAGE).read_bytes()
    return found


def _write_input(root: Path, pages: dict[str, bytes], change: str) -> None:
    chosen = {SEED_PAGE: pages[SEED_PAGE], KEEP_SERVICE: pages[KEEP_SERVICE], OTHER_SERVICE: pages[OTHER_SERVICE]}
    if change == "release":
        chosen[SEED_PAGE] = pages["release"]
    elif change == "delete_page":
        del chosen[SEED_PAGE]
    elif change == "delete_service":
        del chosen[SEED_PAGE], chosen[KEEP_SERVICE]
    if root.exists():
        shutil.rmtree(root)
    for rel, data in chosen.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


# --- the check -------------------------------------------------------------------------------


def _norm(line: str) -> str:
    # What black may change in the user's own lines: spacing and quotes.
    return "".join(line.split()).replace("'", '"')


def _flat(text: str) -> str:
    # ... and where it breaks a line: brackets and magic trailing commas.
    return "".join(c for c in _norm(text) if c not in "(),")


def _imports(text: str) -> dict[str, set[str]]:
    """`from X import a, b as c` of a module: X → {"a", "bas c"} (as _norm writes them)."""
    found: dict[str, set[str]] = {}
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names = found.setdefault(module, set())
            names.update(a.name + (f"as{a.asname}" if a.asname else "") for a in node.names)
    return found


def _names_carried(line: str, base: dict[str, set[str]], result: dict[str, set[str]]) -> bool:
    """An import line the user changed is merged by name: the names they added are there."""
    match = re.fullmatch(r"from(\S+?)import(.+)", line)
    if match is None or "(" in line:
        return False
    module, names = match[1], set(match[2].split(","))
    return (names - base.get(module, set())) <= result.get(module, set())


def _carried(base: str, user: str, theirs: str | None, result: str) -> bool:
    """Every line the user added (against `base`) is in `result` (black may have split
    it), and no line they deleted (unique in `base`, still made by the generator) came back."""
    base_lines, user_lines, result_lines = (Counter(_norm(x) for x in t.splitlines()) for t in (base, user, result))
    theirs_lines = Counter(_norm(x) for x in (theirs or "").splitlines())
    flat = _flat(result)
    imported = _imports(result)
    for line, count in user_lines.items():
        if line and count > base_lines[line] and result_lines[line] < count - base_lines[line]:
            if _flat(line) not in flat and not _names_carried(line, _imports(base), imported):
                return False
    for line, count in base_lines.items():
        if len(line) >= 12 and count == 1 and user_lines[line] == 0 and result_lines[line] > max(0, theirs_lines[line] - 1):
            return False
    return True


@dataclass
class Stats:
    cases: int = 0
    lost: list[str] = field(default_factory=list)
    raised: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


def _state(out: Path, rel: str) -> tuple[bytes | None, int | None, str | None]:
    path = out / rel
    if path.is_symlink():
        return None, None, os.readlink(path)
    if not path.exists():
        return None, None, None
    return path.read_bytes(), stat.S_IMODE(path.stat().st_mode), None


def run_case(template: Path, pages: dict[str, bytes], work: Path, kind: str, rel: str, change: str, seed: int) -> str:
    """One case; returns its outcome ("kept", "merged", "orig", "restored", ...) or
    raises AssertionError naming what was lost."""
    from codegen.pipeline import run
    from codegen.pipeline import state as mf
    from codegen.pipeline.write import read_disk

    if work.exists():
        shutil.rmtree(work)
    out, inp, scratch = work / "out", work / "in", work / "scratch"
    shutil.copytree(template, out, symlinks=True)
    scratch.mkdir(parents=True)
    rng = random.Random(seed)
    base_bytes = (out / rel).read_bytes()
    EDITS[kind](out / rel, rng, scratch)
    user, mode, link = _state(out, rel)
    link_bytes = Path(link).read_bytes() if link else None
    _write_input(inp, pages, change)
    base = base_bytes.decode("utf-8")

    def verify(after_force: bool) -> str:
        now, now_mode, now_link = _state(out, rel)
        backup = out / (rel + ".orig")
        if link is not None:
            assert Path(link).read_bytes() == link_bytes, "written through a symlink"
            if now_link == link:
                return "kept"
            assert after_force and os.readlink(backup) == link, "symlink replaced"
            return "orig"
        if user is None:
            return "restored" if now is not None else "gone"  # a deleted file: nothing to keep
        if user == base_bytes:  # chmod only
            if now is not None:
                assert now_mode == mode, f"mode {now_mode:o} != {mode:o}"
                return "mode kept"
            return "removed"
        if now == user:
            assert now_mode == mode, "mode not kept"
            return "kept"
        if after_force and backup.is_file() and backup.read_bytes() == user:
            return "orig"
        assert now is not None, "edited file removed"
        disk = read_disk(out / rel)
        assert not read_disk_problem(user), "undecodable edit overwritten"
        record = (mf.load(out) or mf.Manifest("", "", "", ())).file_shas().get(rel)
        theirs = write.get_pristine(out, record) if record is not None else None
        assert disk.text is not None and _carried(base, user.decode("utf-8"), theirs, disk.text), "edit not carried"
        assert now_mode == mode, "mode not kept"
        return "merged"

    result = run.regenerate([inp], out, PKG, jobs=1)
    outcome = verify(False)
    if any(c.file == rel for c in result.conflicts):
        assert outcome == "kept", "conflict but the file changed"
        run.regenerate([inp], out, PKG, jobs=1, force=True)
        outcome = "conflict→" + verify(True)
    return outcome


def read_disk_problem(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def run(cases: int, seed: int, reference: Path | None, log: Callable[[str], None] = print) -> Stats:
    from codegen.pipeline import run

    pages = _pages(reference)
    rng = random.Random(seed)
    plan = [(k, rel, ch) for k in EDITS for rel in TARGETS for ch in PAGE_CHANGES]
    rng.shuffle(plan)  # (the repeated targets repeat cases: with other random edits)
    # Every (edit, page change) pair first, then the rest of the shuffled plan.
    pairs: dict[tuple[str, str], tuple[str, str, str]] = {}
    for k, rel, ch in plan:
        pairs.setdefault((k, ch), (k, rel, ch))
    first = set(pairs.values())
    ordered = list(pairs.values()) + [p for p in plan if p not in first]
    stats = Stats()
    with tempfile.TemporaryDirectory(prefix="adversarial-") as tmp:
        root = Path(tmp)
        template = root / "template"
        _write_input(root / "template-in", pages, "none")
        run.regenerate([root / "template-in"], template, PKG, jobs=1)
        for i in range(cases):
            kind, rel, change = ordered[i % len(ordered)]
            case = f"{kind} {rel} {change} seed={seed}:{i}"
            stats.cases += 1
            try:
                outcome = run_case(template, pages, root / "case", kind, rel, change, seed * 100_003 + i)
            except AssertionError as exc:
                stats.lost.append(f"{case}: {exc}")
                log(f"LOST {case}: {exc}")
                continue
            except Exception:
                stats.raised.append(f"{case}: {traceback.format_exc(limit=3)}")
                log(f"RAISED {case}: {traceback.format_exc()}")
                continue
            stats.outcomes[f"{kind} ({change}): {outcome}"] += 1
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=len(EDITS) * len(PAGE_CHANGES) * 2)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--reference", type=Path, default=None)
    args = parser.parse_args()
    stats = run(args.cases, args.seed, args.reference)
    for outcome, count in sorted(stats.outcomes.items()):
        print(f"{count:5d}  {outcome}")
    print(f"{stats.cases} cases, {len(stats.lost)} lost an edit, {len(stats.raised)} raised")
    sys.exit(1 if stats.lost or stats.raised else 0)


if __name__ == "__main__":
    main()
