"""What the emitters derive from a whole service, derived once per service.

The emitters render one service after another (codegen/pipeline/unit.py), each asking
the same questions of its `ServiceNames` many times over (the operation a class belongs
to, the classes an operation reaches): `per_service` keeps the answer for the service
being rendered, recognised by identity, so a lookup is a dict read and not a scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from codegen.naming import ServiceNames

_T = TypeVar("_T")


def per_service(build: Callable[[ServiceNames], _T]) -> Callable[[ServiceNames], _T]:
    """`build(names)`, kept for the last `names` it was asked about (by identity: a
    ServiceNames is not changed once resolved; a new service, a new object)."""
    last: list[object] = [None, None]

    def get(names: ServiceNames) -> _T:
        if last[0] is not names:
            last[1] = build(names)
            last[0] = names
        return last[1]  # type: ignore[return-value]  # (what build gave for `names`)

    get.__doc__ = build.__doc__
    return get
