"""`client.exceptions`: one class per exception the service's pages list.

botocore builds `client.exceptions` from the service model: one subclass of
`botocore.exceptions.ClientError` per error shape, plus `ClientError` itself. The stub
declares the ones the pages name (each operation's "Exceptions" list) as classes nested
in the container, so that their names never meet the stub's module-level names.
"""

from __future__ import annotations

from collections.abc import Sequence

from codegen.naming import InvalidName, check_name
from codegen.tree import Operation

# botocore's container always has `ClientError` (the base class), declared by the template.
BASE = "ClientError"
# Names the container's body uses in its annotations (`ClientError: type[...]`): a nested
# class so named would change what they mean.
_RESERVED = frozenset({"type"})


def exception_names(operations: Sequence[Operation]) -> list[str]:
    """The exception names of the pages, checked, sorted, each once (`ClientError` left
    out: it is the base every container has)."""
    found: set[str] = set()
    for op in operations:
        for name in op.exceptions:
            if name in found or name == BASE:
                continue
            try:
                check_name("exception name", name, _RESERVED)
            except InvalidName as exc:
                raise InvalidName(f"{op.source or '<tree>'}:1: {exc}") from None
            found.add(name)
    return sorted(found)
