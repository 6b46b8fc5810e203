"""The options that change what the templates write, and their checks.

They live with the emitters that read them (models, stubs, the package modules);
`[tool.codegen]` (codegen/pipeline/config.py) and the flags only choose among them.
Nothing here imports a template: the pipeline checks its options before it knows
whether anything is to be rendered (a no-op `generate` renders nothing).
"""

from __future__ import annotations

from collections.abc import Iterable

from codegen import namecheck
from codegen.errors import BuildError

TARGETS = ("models", "validators", "stubs", "docs")
# The stub-only boto3 package (codegen/emit/dropin.py), which needs the client stubs.
DROPIN_TARGET = "boto3-stubs"
# Targets made only when asked for (--targets / [tool.codegen] targets).
OPTIONAL_TARGETS = (DROPIN_TARGET,)
ALL_TARGETS = TARGETS + OPTIONAL_TARGETS

ENUM_MODES = ("error", "warn", "off")
# "warn": AWS accepts enum values newer than the pages a package was generated from.
DEFAULT_ENUMS = "warn"
RESPONSE_MODES = ("present", "optional")
# "present": no false errors on ordinary code (`resp["Body"]`), as with types-boto3.
DEFAULT_RESPONSES = "present"


def enums_problem(value: object) -> str | None:
    """Why `value` is not an enum mode; None when it is one."""
    if isinstance(value, str) and value in ENUM_MODES:
        return None
    return f"enums must be one of {', '.join(map(repr, ENUM_MODES))}, not {value!r}"


def responses_problem(value: object) -> str | None:
    """Why `value` is not a responses mode; None when it is one."""
    if isinstance(value, str) and value in RESPONSE_MODES:
        return None
    return f"responses must be one of {', '.join(map(repr, RESPONSE_MODES))}, not {value!r}"


def check_package_name(name: str) -> None:
    try:
        namecheck.check_package_name(name)
    except namecheck.InvalidName as exc:
        raise BuildError([f"error: {exc}"]) from None


def parse_targets(text: str | Iterable[str] | None) -> tuple[str, ...]:
    if text is None:
        return TARGETS
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = [t.strip() for t in items if t.strip()]
    unknown = [t for t in chosen if t not in ALL_TARGETS]
    if unknown or not chosen:
        choices = ", ".join(ALL_TARGETS)
        raise BuildError([f"error: unknown target(s) {', '.join(unknown) or '(none)'}; choose from {choices}"])
    if DROPIN_TARGET in chosen and "stubs" not in chosen:
        why = f"target {DROPIN_TARGET} types boto3.client with the client stubs"
        raise BuildError([f"error: {why}: add the target stubs"])
    return tuple(t for t in ALL_TARGETS if t in chosen)


def check_enums(enums: str) -> None:
    problem = enums_problem(enums)
    if problem is not None:
        raise BuildError([f"error: {problem}"])


def check_responses(responses: str) -> None:
    problem = responses_problem(responses)
    if problem is not None:
        raise BuildError([f"error: {problem}"])
