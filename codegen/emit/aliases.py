"""The deprecated old names a run keeps for renamed classes (naming.Alias), per module.

They are plain assignments, so that type checkers follow them (a module `__getattr__`
would make every unknown name `Any`); CHANGES.md says they are deprecated and when they
go: when the service is regenerated from changed pages.
"""

from __future__ import annotations

from codegen.emit.types import Flavour, typed_dict_name
from codegen.naming import ServiceNames


def model_aliases(names: ServiceNames, defined: set[str]) -> list[tuple[str, str]]:
    """(old, new) for models.py: only where the new name is defined there."""
    return [(a.old, a.new) for a in names.aliases if a.new in defined and a.old not in defined]


def stub_aliases(names: ServiceNames, defined: set[str]) -> list[tuple[str, str]]:
    """(old, new) for the stubs: a Literal alias as it is, a class as each TypedDict
    flavour it has (`<Old>TypeDef`, `<Old>OutputTypeDef`)."""
    out = []
    for alias in names.aliases:
        if alias.kind == "enum":
            out.append((alias.old, alias.new))
            continue
        sides: list[Flavour] = []
        if alias.new in names.request_side:
            sides.append("request")
        if alias.new in names.response_side:
            sides.append("response")
        for flavour in sides:
            suffix = "OutputTypeDef" if flavour == "response" else "TypeDef"
            out.append(((alias.old_stem or alias.old) + suffix, typed_dict_name(names, alias.new, flavour)))
    return sorted({(old, new) for old, new in out if new in defined and old not in defined})
