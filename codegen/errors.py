"""The error `generate` stops on, shared by the emitters and the pipeline."""

from __future__ import annotations

from collections.abc import Sequence


class BuildError(Exception):
    """Generation failed; `lines` are the user-facing messages ("file:line: message")."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))
