"""The user's cache folder of codegen, as black's: `$CODEGEN_CACHE_DIR`, else
`$XDG_CACHE_HOME/codegen`, else `~/.cache/codegen`. Everything in it can be rebuilt (the
parse cache, the page stat cache, black's results), so nothing in it is ever committed."""

from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    if os.environ.get("CODEGEN_CACHE_DIR"):
        return Path(os.environ["CODEGEN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "codegen"


# A cache of one entry per page or folder (pages.StatCache, outscan.Listings) is written
# again, whole, when a run found this many entries new, or this share of them: not for
# the few a small edit changed (the whole reference: 25,700 pages and 2,200 folders, 0.1
# s each to write again, against microseconds for the next runs to read those few
# again until enough have gathered).
REWRITE_AT, REWRITE_SHARE = 64, 1 / 16


def worth_rewriting(new: int, entries: int) -> bool:
    """Whether a cache of `entries` entries, `new` of them not in the file, is written again."""
    return new >= min(REWRITE_AT, entries * REWRITE_SHARE)
