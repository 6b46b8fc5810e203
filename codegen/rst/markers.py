"""What an entry header or a `:type:` field says: the `- **Name** *(type) --*` header,
the `**[REQUIRED]**` marker, and the type markers the reference uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docutils import nodes

from codegen.rst.errors import PageError


HEADER = re.compile(
    r"^(?:\*\*(?P<name>[^*]+)\*\*\s+)?"
    r"(?:\*\((?P<plain>[^)]*)\) --\*|\((?P<special>.*?)\) --)"
    r"\s*(?P<required>\*\*\[REQUIRED\]\*\*)?\s*(?P<rest>.*)$",
    re.DOTALL,
)


REQUIRED = "**[REQUIRED]**"


@dataclass(frozen=True, slots=True)
class TypeMarker:
    """What a `(type)` marker or `:type:` field says."""

    type: str  # a contract type, or "dict" until the children decide structure vs map
    streaming: bool = False
    event_stream: bool = False
    json_value: bool = False
    python_type: str = ""


# Model-driven markers (botocore's py_type_name and its special type names), then the
# Python types that boto3's hand-written methods (upload_file, ...) document.
TYPE_MARKERS: dict[str, TypeMarker] = {
    "string": TypeMarker("string"),
    "integer": TypeMarker("integer"),
    "float": TypeMarker("float"),
    "boolean": TypeMarker("boolean"),
    "datetime": TypeMarker("timestamp"),
    "bytes": TypeMarker("blob"),
    "dict": TypeMarker("dict"),
    "list": TypeMarker("list"),
    ":ref:`document<document>`": TypeMarker("document"),
    "JSON serializable": TypeMarker("document", json_value=True),
    "bytes or seekable file-like object": TypeMarker("blob", streaming=True),
    ":class:`.StreamingBody`": TypeMarker("blob", streaming=True),
    ":class:`.EventStream`": TypeMarker("structure", event_stream=True),
    # boto3 customisations and hand-written methods
    "*dict*": TypeMarker("document"),
    "str or dict": TypeMarker("string", python_type="str | dict"),
    "str": TypeMarker("string"),
    "int": TypeMarker("integer"),
    "bool": TypeMarker("boolean"),
    "a file-like object": TypeMarker("blob", streaming=True),
    "function": TypeMarker("document", python_type="Callable"),
    "boto3.s3.transfer.TransferConfig": TypeMarker(
        "document", python_type="boto3.s3.transfer.TransferConfig"
    ),
    "botocore or boto3 Client": TypeMarker("document", python_type="botocore.client.BaseClient"),
    "botocore.paginate.Paginator": TypeMarker("document", python_type="botocore.paginate.Paginator"),
    "botocore.waiter.Waiter": TypeMarker("document", python_type="botocore.waiter.Waiter"),
}


TOO_LARGE = "# This section is too large to render."


def raw_text(body: nodes.Element) -> str:
    """A field's text as written (roles kept), e.g. ``:ref:`document<document>` ``."""
    raw = " ".join(p.rawsource.strip() for p in body.findall(nodes.paragraph))
    return (raw or body.astext()).strip().strip("`") if raw.startswith("``") else (raw or body.astext()).strip()


def type_marker(text: str, source: str, line: int | None) -> TypeMarker:
    marker = TYPE_MARKERS.get(text.strip())
    if marker is None:
        raise PageError(source, line, f"unknown type marker {text.strip()!r}")
    return marker


# A short bold bracket where `**[REQUIRED]**` goes: the only such marker over the whole
# boto3 1.44.8 reference is `[REQUIRED]`, so another is a damaged one, whose member
# would silently read as optional.
_MARKER_LIKE = re.compile(r"\*\*\[[^\]\n]{0,12}\]\*\*")


def check_marker(text: str, source: str, line: int) -> None:
    found = _MARKER_LIKE.match(text.lstrip())
    if found is not None and found[0] != REQUIRED:
        raise PageError(source, line, f"malformed marker {found[0]!r} (expected {REQUIRED!r})")
