"""Page-for-page fingerprints of a parse: for each page, the sha256 of its operation's
`tree.dumps` (or of its error line, or `skipped`), to compare two versions of the
parser over a whole reference.

    PYTHONPATH=CHECKOUT python bench/tree_hashes.py PAGES_DIR OUT.tsv [--services a,b]
    python bench/tree_hashes.py --compare A.tsv B.tsv

Run it once with the PYTHONPATH of each checkout (the reader of the checkout parses),
then `--compare` the two lists: the pages that differ are listed, exit 1 if any.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path


def fingerprints(root: Path, out: Path, services: str) -> None:
    from codegen import parse, tree
    from codegen.pagefiles import find_pages
    from codegen.tree import Operation

    wanted = set(services.split(",")) if services else None
    pages = [
        (page, source) for page, source in find_pages(root)
        if wanted is None or source.split("/", 1)[0] in wanted
    ]
    # (as generate parses them: parse.GROUP pages at a time, in one docutils document;
    # a checkout from before that parses them one by one)
    group = getattr(parse, "GROUP", 1)
    with out.open("w", encoding="utf-8") as sink:
        for start in range(0, len(pages), group):
            chunk = pages[start : start + group]
            if hasattr(parse, "parse_files"):
                outcomes = [outcome for _, outcome in parse.parse_files(chunk)]
            else:
                outcomes = [parse.parse_file(page, source)[1] for page, source in chunk]
            for (_, source), outcome in zip(chunk, outcomes):
                if isinstance(outcome, Operation):
                    what = tree.dumps([outcome])
                elif isinstance(outcome, str):
                    what = "skipped"
                else:
                    what = "error " + str(outcome)
                sink.write(f"{source}\t{hashlib.sha256(what.encode()).hexdigest()}\n")


def compare(a: Path, b: Path) -> int:
    def load(path: Path) -> dict[str, str]:
        return dict(line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8"))

    left, right = load(a), load(b)
    differ = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
    for source in differ:
        print(f"differs: {source}")
    print(f"{len(left)} / {len(right)} pages; {len(differ)} differ")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs=2)
    parser.add_argument("--services", default="")
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(Path(args.paths[0]), Path(args.paths[1])))
    fingerprints(Path(args.paths[0]), Path(args.paths[1]), args.services)


if __name__ == "__main__":
    main()
