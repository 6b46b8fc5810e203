"""More hostile page text than the suite runs: the cases of tests/test_injection.py with
generated payloads, one `codegen generate` over all of them, every module imported.

    python bench/adversarial_names.py [--payloads 120] [--seed 12] [--jobs 2] [--black 20]

Each case is one field of the seed page (FIELDS of tests/test_injection.py) set to one
payload: the suite's PAYLOADS plus `--payloads` more, made from a fixed seed (escapes from
each string and docstring form, each followed by code, and random Unicode). Prints the
counts; exit 1 if any case ran code, printed a traceback, broke the one-line rule or
left a module that does not import.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from test_injection import FIELDS, IMPORT_ALL, PAYLOADS, SENT, _page  # noqa: E402

OPENERS = ['"', "'", '"""', "'''", '\\"', "\\'", "}", ")", "]", "#", "`", "{", "%s", "{0}", "\\", "-->", "*/"]
ACTIONS = [f'__import__("pathlib").Path("{SENT}").touch()', f"open('{SENT}', 'w')", "import this",
           f'exec("open(\\"{SENT}\\", \\"w\\")")']
SEPARATORS = ["; ", "\n", " or ", ", ", "\n    ", "\\n"]
CLOSERS = ["#", '("', "('", '"""', "'''", "", "\n", "{", "`"]


def payloads(extra: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = list(PAYLOADS)
    for _ in range(extra * 3 // 4):
        sep = rng.choice(SEPARATORS)
        out.append(rng.choice(OPENERS) + sep + rng.choice(ACTIONS) + sep + rng.choice(CLOSERS))
    alphabet = "\"'`\\{}()[]<>#;:, \n\t\u2028\u00a0\u200bé_-.aZ9" + "".join(chr(c) for c in range(0x370, 0x380))
    for _ in range(extra - extra * 3 // 4):
        out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120))))
    return list(dict.fromkeys(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payloads", type=int, default=120, help="generated payloads beyond the suite's")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--black", type=int, default=20, help="services whose modules black --check checks")
    args = parser.parse_args()

    texts = payloads(args.payloads, args.seed)
    with tempfile.TemporaryDirectory(prefix="adversarial-") as tmp:
        base = Path(tmp)
        sentinel = base / "sentinel"
        cases: dict[str, tuple[str, str]] = {}
        for field in FIELDS:
            for payload in texts:
                n = len(cases)
                rel = f"case{n:05d}/client/create_model_package.rst"
                page = base / "in" / rel
                page.parent.mkdir(parents=True)
                page.write_text(_page(field, payload.replace(SENT, str(sentinel)), f"svc{n:05d}"), encoding="utf-8")
                cases[rel] = (field, payload)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "codegen.cli", "generate", "in", "--out", "out", "--package-name", "adv",
             "-j", str(args.jobs)],
            cwd=base, capture_output=True, text=True,
        )
        generate_s = time.monotonic() - started
        ran_at_generate = sentinel.exists()
        imp = subprocess.run([sys.executable, "-c", IMPORT_ALL, str(base / "out"), "adv"], cwd=base,
                             capture_output=True, text=True)
        report = json.loads(imp.stderr.strip().splitlines()[-1])
        lines = proc.stderr.splitlines()
        stray = [line for line in lines
                 if not re.match(r"(error: )?\S.*:\d+: |\S.*: skipped |generate: |\d+ error", line)]
        errors = {m.group(1) for line in lines if (m := re.match(r"(?:error: )?(\S+?):\d+: ", line))}
        rejected = {rel for rel in cases if rel in errors}
        skipped = {rel for rel in cases if f"{rel}: skipped (not a method page)" in lines}
        twice = [rel for rel in rejected if sum(rel in line for line in lines) != 1]
        services = sorted(p.parent.name for p in (base / "out" / "adv").glob("*/models.py"))
        black_failed = 0
        if args.black and services:
            step = max(1, len(services) // args.black)
            chosen = [str(base / "out" / "adv" / s) for s in services[::step][: args.black]]
            black = subprocess.run([sys.executable, "-m", "black", "--check", "-q", *chosen], capture_output=True)
            black_failed = black.returncode
        counts = {
            "payloads": len(texts),
            "fields": len(FIELDS),
            "cases": len(cases),
            "rejected (one error line)": len(rejected),
            "skipped (no method signature)": len(skipped),
            "generated services": len(services),
            "unaccounted cases": len(cases) - len(rejected) - len(skipped) - len(services),
            "tracebacks": proc.stderr.count("Traceback"),
            "stderr lines that are no known line": len(stray),
            "pages named on more than one line": len(twice),
            "code run (sentinel created)": int(ran_at_generate or sentinel.exists()),
            "modules imported": len(report["imported"]),
            "modules failing to import": len(report["failed"]),
            "output printed on import": len(imp.stdout),
            "black --check services (failed: 1)": f"{min(args.black, len(services))} ({black_failed})",
            "generate seconds": round(generate_s, 1),
        }
        for key, value in counts.items():
            print(f"{key:40} {value}")
        for line in stray[:5]:
            print("stray:", line[:200])
        for module, error in list(report["failed"].items())[:5]:
            print("import failed:", module, error[:200])
        bad = (counts["tracebacks"] or counts["stderr lines that are no known line"] or twice
               or counts["code run (sentinel created)"] or report["failed"] or imp.stdout or black_failed
               or counts["unaccounted cases"])
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
