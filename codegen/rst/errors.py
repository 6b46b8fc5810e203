"""The errors of reading a page: a bad page (with its file and line), or a page that is
not a method page."""

from __future__ import annotations

import re

from codegen.escape import printable


class PageError(Exception):
    """A page that cannot be read as a reference page; carries the file and line."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.source = source
        self.line = line or 1
        self.message = message

    def __str__(self) -> str:
        return f"{printable(self.source)}:{self.line}: {printable(_FOLD.sub(' ', self.message))}"

    def __reduce__(self) -> tuple[type[PageError], tuple[str, int, str]]:
        return (PageError, (self.source, self.line, self.message))


_FOLD = re.compile(r"\s*[\r\n]\s*")


class NotAMethodPage(Exception):
    """A page without a client/paginator/waiter method (service index, resource page)."""
