"""The options that change what the templates write, and their checks.

They live with the emitters that read them (models, stubs, the package modules);
`[tool.codegen]` (codegen/pipeline/config.py) and the flags only choose among them.
"""

from __future__ import annotations

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
