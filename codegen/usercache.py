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
