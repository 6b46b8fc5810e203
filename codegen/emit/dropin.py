"""The optional `boto3-stubs` target: a stub-only package (PEP 561) for boto3 itself.

With it installed, `boto3.client("s3")` and `boto3.Session().client("s3")` are typed as
the generated `S3Client`, so code that never annotates a client (AWS's own examples) is
checked as with types-boto3. It is written beside the package, as its own distribution:
`<out>/boto3-stubs/` (`pyproject.toml`, and the stubs in `boto3-stubs/`), so that
`pip install <out>/boto3-stubs` works. It takes the place of types-boto3's `boto3-stubs`
(same import name): install one or the other.

No page documents boto3's own functions (`boto3.client`, `Session`), so their signatures
are the small tables below, written from boto3's source (`boto3/__init__.py`,
`boto3/session.py`); the tests compare them with `inspect.signature` of the installed
boto3. What the pages do not type (resources, boto3's other modules) is present but
`Any`, so unannotated code that uses it is not broken by the stubs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from codegen.emit import options
from codegen.emit.env import render

TARGET = options.DROPIN_TARGET
DIST = "boto3-stubs"  # the folder under <out> (the distribution)
STUBS = f"{DIST}/boto3-stubs"  # the stub-only package (PEP 561: `<module>-stubs`)

# Parameters of boto3.session.Session.client after `service_name` (also those of
# boto3.client, which passes its arguments on), with their types. All positional or
# keyword, as in boto3. botocore ships no types: its objects (`config`) stay Any.
CLIENT_PARAMETERS: tuple[tuple[str, str], ...] = (
    ("region_name", "str | None"),
    ("api_version", "str | None"),
    ("use_ssl", "bool | None"),
    ("verify", "bool | str | None"),
    ("endpoint_url", "str | None"),
    ("aws_access_key_id", "str | None"),
    ("aws_secret_access_key", "str | None"),
    ("aws_session_token", "str | None"),
    ("config", "Any | None"),
    ("aws_account_id", "str | None"),
)
# Session.resource: the same without aws_account_id (resources are out of scope: Any).
RESOURCE_PARAMETERS = CLIENT_PARAMETERS[:-1]
# boto3.session.Session.__init__ (boto3.setup_default_session takes them by keyword).
SESSION_PARAMETERS: tuple[tuple[str, str], ...] = (
    ("aws_access_key_id", "str | None"),
    ("aws_secret_access_key", "str | None"),
    ("aws_session_token", "str | None"),
    ("region_name", "str | None"),
    ("botocore_session", "Any | None"),
    ("profile_name", "str | None"),
    ("aws_account_id", "str | None"),
)
# boto3's other public modules: present, every name in them Any (no page types them).
LOOSE_MODULES = (
    "compat", "crt", "dynamodb", "dynamodb.conditions", "dynamodb.table", "dynamodb.transform",
    "dynamodb.types", "ec2", "ec2.createtags", "ec2.deletetags", "exceptions", "resources",
    "resources.action", "resources.base", "resources.collection", "resources.factory",
    "resources.model", "resources.params", "resources.response", "s3", "s3.constants",
    "s3.inject", "s3.transfer", "utils",
)
PACKAGES = frozenset(m.split(".")[0] for m in LOOSE_MODULES if "." in m)


class Service(Protocol):
    """What the drop-in reads of a service (naming.ServiceNames or a manifest summary)."""

    @property
    def service_id(self) -> str: ...
    @property
    def module(self) -> str: ...
    @property
    def client_class(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Overload:
    service_id: str
    module: str
    client_class: str
    local: str  # the name the stub imports it as


def _overloads(services: Iterable[Service]) -> list[_Overload]:
    """The services by id; a client class name two services share is imported under
    a name qualified by its module (both stubs import every client)."""
    ordered = sorted(services, key=lambda s: s.service_id)
    shared = {c for c, n in Counter(s.client_class for s in ordered).items() if n > 1}
    overloads = []
    for s in ordered:
        local = f"{s.client_class}_{s.module}" if s.client_class in shared else s.client_class
        overloads.append(_Overload(s.service_id, s.module, s.client_class, local))
    return overloads


def parameters(table: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{name}: {annotation} = ..." for name, annotation in table)


def dropin_files(package: str, services: Iterable[Service], targets: Sequence[str], version: str) -> dict[str, str]:
    """`<out>`-relative path → text of the drop-in's files; none unless it is a target
    (and there is a service)."""
    ordered = _overloads(services)
    if TARGET not in targets or not ordered:
        return {}
    context = dict(
        package=package, services=ordered, client_parameters=parameters(CLIENT_PARAMETERS),
        resource_parameters=parameters(RESOURCE_PARAMETERS), session_parameters=parameters(SESSION_PARAMETERS),
    )
    files = {
        f"{DIST}/pyproject.toml": render("boto3_stubs_pyproject.toml.jinja2", package=package, version=version),
        f"{STUBS}/__init__.pyi": render("boto3_init.pyi.jinja2", **context),
        f"{STUBS}/session.pyi": render("boto3_session.pyi.jinja2", **context),
        f"{STUBS}/py.typed": "partial\n",  # other modules: boto3's own (PEP 561)
    }
    for module in LOOSE_MODULES:
        path = module.replace(".", "/") + ("/__init__.pyi" if module in PACKAGES else ".pyi")
        files[f"{STUBS}/{path}"] = render("boto3_loose.pyi.jinja2", module=f"boto3.{module}")
    return files
