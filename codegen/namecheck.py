"""The one validator of names from pages.

A page is untrusted input (a fork, a pull request). Every name from it that becomes a
Python name (module, class, function, method, parameter) passes `check_name`, so that
nothing but an ASCII identifier of our choosing ever reaches a template; strings go
through the escaping filters of codegen/emit/env.py and codegen/escape.py instead
(docs/security.md).
"""

from __future__ import annotations

import keyword
import re
import sys

from codegen.escape import shown
from codegen.pynames import module_name


class InvalidName(ValueError):
    """A name from a page that cannot become a Python name; str() is one line."""


# What the package's own __init__ defines and imports (templates/package_init.py.jinja2)
# and its modules: a service subpackage of the same name would replace it
# (`import pkg.check` rebinds `pkg.check`).
PACKAGE_NAMES = frozenset(
    {"SERVICES", "UNSET", "Error", "Issue", "LoadError", "ParamValidationError", "UnsetType", "check",
     "validate", "importlib", "annotations", "Any", "Mapping", "_runtime", "TYPE_CHECKING", "EnumValueWarning"}
)


# The modules of a service subpackage, and what its __init__ imports
# (templates/service_init.py.jinja2).
SERVICE_NAMES = frozenset({"models", "validators", "client", "check", "install", "validate"})


# validators.py defines `check_<operation>` next to the runtime helpers it imports as
# `check_<kind>` (templates/runtime.py.jinja2): an operation named like a kind would
# replace the helper.
RUNTIME_CHECKS = frozenset(
    {"str", "int", "float", "bool", "timestamp", "blob", "enum", "required", "structure"}
)


# docs/<service>/ holds `<operation>.md` next to these pages (codegen/emit/docs.py).
DOC_PAGES = frozenset({"index", "structures"})


OPERATION_RESERVED = RUNTIME_CHECKS | DOC_PAGES


# boto3's service names (`s3`, `bedrock-runtime`, `sagemaker-a2i-runtime`): what
# botocore's data folders are called, the name `boto3.client()` takes.
# Dashes only between letters and digits (as in every botocore name): so that two ids
# never make one module (`class` and `class-` would both be `class_`).
SERVICE_ID = re.compile(r"(?=.{1,63}\Z)[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _problem(name: str, reserved: frozenset[str], soft_keywords: bool) -> str | None:
    """Why `name` cannot be a Python name of the generated code (None: it can)."""
    if not name:
        return "is empty"
    if not name.isascii() or not name.isidentifier():
        return "is not a Python identifier (ASCII letters, digits and _)"
    if keyword.iskeyword(name) or soft_keywords and keyword.issoftkeyword(name):
        return "is a Python keyword"
    if name.startswith("__") and name.endswith("__"):
        return "is a special (dunder) name"
    if name in reserved:
        return "clashes with a name of the generated package"
    return None


def is_identifier(name: str, reserved: frozenset[str] = frozenset()) -> bool:
    """Can `name` be written as it is (a TypedDict key in class syntax, a keyword
    parameter)? Members that cannot keep their wire name in strings only."""
    return _problem(name, reserved, soft_keywords=False) is None


# Names become file names too (`docs/<service>/<operation>.md` and its temp file, the
# package's folder), and a file name has at most 255 bytes on common file systems:
# botocore's longest method name (ec2's) has 71 characters.
MAX_NAME = 128


def check_name(kind: str, name: str, reserved: frozenset[str] = frozenset()) -> str:
    """`name` if it can be a Python name of the generated code, else InvalidName naming
    the `kind` of name and why (the one rule every name from a page passes)."""
    why = _problem(name, reserved, soft_keywords=True)
    if why is None and name.startswith("_"):
        why = "starts with an underscore"
    return _verdict(kind, name, why)


def _verdict(kind: str, name: str, why: str | None) -> str:
    """`name`, or InvalidName saying why not (length is checked last, for every kind)."""
    if why is None and len(name) > MAX_NAME:
        why = f"is longer than {MAX_NAME} characters"
    if why is not None:
        raise InvalidName(f"{kind} {shown(name)} {why}")
    return name


def check_service_id(service_id: str) -> str:
    """A boto3 service name (the breadcrumb's target), and the module made of it."""
    if not SERVICE_ID.fullmatch(service_id):
        raise InvalidName(
            f"service id {shown(service_id)} is not a boto3 service name "
            "(lowercase letters, digits and single '-' between them, at most 63)"
        )
    check_name("service module", module_name(service_id), PACKAGE_NAMES)
    return service_id


def check_service_name(service: str) -> str:
    """The `X` of `X.Client.method`: names the client class (`<X>Client`)."""
    return check_name("service name", service)


def check_operation_name(name: str) -> str:
    """A client method: a method of the stub, `check_<name>` / `validate_<name>` in
    validators.py, `docs/<service>/<name>.md`."""
    return check_name("operation name", name, OPERATION_RESERVED)


def check_api_name(name: str) -> str:
    """The API operation (the last part of the page's AWS API Documentation link): the
    stem of class names (`<name>Request`)."""
    return check_name("API name", name)


# What a generated package must not be called: it would shadow what it is used with.
NOT_PACKAGES = frozenset(sys.stdlib_module_names) | {"boto3", "botocore"}


def check_package_name(name: str) -> str:
    """The import name of the generated package (`--package-name`)."""
    why = _problem(name, frozenset(), soft_keywords=True)
    if why is None and name in NOT_PACKAGES:
        why = "shadows the module of the same name (standard library, boto3)"
    return _verdict("package name", name, why)
