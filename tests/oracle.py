"""The test oracle: what a page should parse to, computed from botocore's own models.

boto3 renders each page from botocore's service model (plus the paginator and waiter
models, and a few documented customisations registered in botocore.handlers). This
module rebuilds the contract JSON of a page from those same sources, so the parser
can be checked against the model, not against output typed in by hand.

Differences are classified: a difference is *explained* only when the page itself
lacks the information (see `KNOWN`), everything else is a parser failure.
"""

from __future__ import annotations

import fnmatch
import inspect
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.exceptions import DataNotFoundError
from botocore.docs.utils import AutoPopulatedParam, DocumentModifiedShape, HideParamFromOperations
from botocore.handlers import BUILTIN_HANDLERS, ParameterAlias
from botocore.model import OperationModel, Shape, StructureShape
from botocore.utils import is_json_value_header

_SCALARS = {
    "string": "string",
    "character": "string",
    "integer": "integer",
    "long": "integer",
    "float": "float",
    "double": "float",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "blob": "blob",
}


@lru_cache(maxsize=1)
def session() -> botocore.session.Session:
    return botocore.session.get_session()


@dataclass(frozen=True)
class Customisations:
    """The documentation handlers botocore registers for one operation."""

    autopopulated: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    modified_shapes: dict[str, str] = field(default_factory=dict)  # shape name → new type
    aliases: dict[str, str] = field(default_factory=dict)  # model name → documented name
    expires_string: bool = False
    template_body_dict: bool = False


def customisations(service: str, operation: str) -> Customisations:
    autopopulated: set[str] = set()
    hidden: set[str] = set()
    modified: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for event, handler, *_ in BUILTIN_HANDLERS:
        if not event.startswith("docs."):
            continue
        parts = event.split(".")
        if len(parts) < 4 or not fnmatch.fnmatchcase(service, parts[2]):
            continue
        if not fnmatch.fnmatchcase(operation, parts[3]):
            continue
        owner = getattr(handler, "__self__", None)
        if isinstance(owner, AutoPopulatedParam):
            autopopulated.add(owner.name)
        elif isinstance(owner, HideParamFromOperations):
            if f"docs.request-params.{service}.{operation}.complete-section" in owner._params_events:
                hidden.add(owner._parameter_name)
        elif isinstance(owner, ParameterAlias):
            aliases[owner._original_name] = owner._alias_name
        elif isinstance(owner, DocumentModifiedShape):
            modified[owner._shape_name] = owner._new_type
    return Customisations(
        autopopulated=frozenset(autopopulated),
        hidden=frozenset(hidden),
        modified_shapes=modified,
        aliases=aliases,
        expires_string=service == "s3",
        template_body_dict=(service, operation) == ("cloudformation", "GetTemplate"),
    )


# --- the pages of a service ----------------------------------------------------------


def _client_methods(service: str) -> tuple[set[str], set[str]]:
    """(model-driven, hand-written) client methods of a boto3 client, as botocore's
    ClientDocumenter lists them: its public methods. botocore builds one per operation
    (xform_name of its name) and then its `creating-client-class` handlers remove a few
    it cannot serve (bedrock-runtime's bidirectional stream...) and add others
    (can_paginate, close, s3's upload_file...); generate_presigned_url is documented only
    for s3 (the documenter's own allowlist)."""
    import boto3

    client = boto3.Session(region_name="us-east-1").client(service)
    public = {name for name, member in inspect.getmembers(client)
              if not name.startswith("_") and inspect.ismethod(member)}
    if service != "s3":
        public.discard("generate_presigned_url")
    operations = {xform_name(name) for name in session().get_service_model(service).operation_names}
    return public & operations, public - operations


@lru_cache(maxsize=None)
def expected_pages(service: str) -> frozenset[tuple[str, str]]:
    """(kind, name) of every page boto3 renders for a service: a client page per
    operation of the model that the client serves and per hand-written method, a
    paginator page per paginator and a waiter page per waiter of the models."""
    sess = session()
    model_driven, hand_written = _client_methods(service)
    pages = {("client", name) for name in model_driven | hand_written}
    # DataNotFoundError: botocore's own signal that the service has no such model (the
    # documenter then renders no page of that kind); any other failure propagates.
    try:
        loader = sess.get_component("data_loader")
        api_version = sess.get_service_model(service).api_version
        paginators = loader.load_service_model(service, "paginators-1", api_version)
        pages |= {("paginator", name) for name in paginators["pagination"]}
    except DataNotFoundError:
        pass
    try:
        pages |= {("waiter", name) for name in sess.get_waiter_model(service).waiter_names}
    except DataNotFoundError:
        pass
    return frozenset(pages)


# --- expected shapes -----------------------------------------------------------------


@dataclass
class _Walk:
    custom: Customisations
    streaming_input: Shape | None
    streaming_output: Shape | None


def _shape(shape: Shape, history: list[tuple[str, str]], path: str, walk: _Walk, side: str) -> dict[str, Any]:
    names = [name for name, _ in history]
    if shape.name in names:
        target = history[names.index(shape.name)][1]
        return {"type": "recursive", "target": target}
    if shape.name in walk.custom.modified_shapes:
        new_type = walk.custom.modified_shapes[shape.name]
        return {"type": "structure", "members": {}} if new_type == "dict" else {"type": new_type}
    history = history + [(shape.name, path)]
    if getattr(shape, "is_document_type", False):
        return {"type": "document"}
    if is_json_value_header(shape):
        return {"type": "document", "json_value": True}
    type_name = shape.type_name
    if type_name in _SCALARS:
        out: dict[str, Any] = {"type": _SCALARS[type_name]}
        enum = shape.metadata.get("enum")
        if enum and type_name == "string":
            out["enum"] = list(dict.fromkeys(enum))
        if type_name == "blob" and (shape is walk.streaming_input or shape is walk.streaming_output):
            out["streaming"] = True
        return out
    if type_name == "list":
        return {"type": "list", "member": _shape(shape.member, history, path + "[]", walk, side)}
    if type_name == "map":
        return {
            "type": "map",
            # The syntax block writes every map key as 'string': key enums are not on the page.
            "key": {"type": "string"},
            "value": _shape(shape.value, history, path + "{}", walk, side),
        }
    assert isinstance(shape, StructureShape)
    return _structure(shape, history, path, walk, side)


def _structure(
    shape: StructureShape,
    history: list[tuple[str, str]],
    path: str,
    walk: _Walk,
    side: str,
    include: dict[str, dict[str, Any]] | None = None,
    exclude: tuple[str, ...] = (),
) -> dict[str, Any]:
    members: dict[str, Any] = {}
    required = set(shape.required_members) if side == "input" else set()
    # botocore merges `include` into the members (an existing name keeps its place)
    # and only then drops `exclude`, so a paginator's own NextToken stays hidden.
    merged: dict[str, Any] = dict(shape.members)
    for name, extra in (include or {}).items():
        merged[name] = extra
    for name, member in merged.items():
        if name in exclude:
            continue
        if isinstance(member, dict):
            members[name] = {"shape": member, "required": False}
            continue
        top = path in ("input", "output")
        if top and side == "input" and name in walk.custom.hidden:
            continue
        if walk.custom.template_body_dict and path == "output" and name == "TemplateBody":
            members[name] = {"shape": {"type": "document"}, "required": False}
            continue
        is_required = name in required and not (top and name in walk.custom.autopopulated)
        if top and side == "input":
            name = walk.custom.aliases.get(name, name)
        member_shape = _shape(member, history, f"{path}.{name}", walk, side)
        if member_shape["type"] == "recursive" or member.name in walk.custom.modified_shapes:
            # botocore documents a recursive member without its [REQUIRED] flag, and
            # DocumentModifiedShape (IAM's policy documents) deletes the flag.
            is_required = False
        members[name] = {"shape": member_shape, "required": is_required}
        if walk.custom.expires_string and side == "output" and name == "Expires":
            members["ExpiresString"] = {"shape": {"type": "string"}, "required": False}
    out: dict[str, Any] = {"type": "structure", "members": members}
    if getattr(shape, "is_tagged_union", False) and shape.documentation:
        out["union"] = True  # the note is only written under a documented union
    if shape.serialization.get("eventstream"):
        out["event_stream"] = True
    return out


_PAGINATION_CONFIG = {
    "type": "structure",
    "members": {
        "MaxItems": {"shape": {"type": "integer"}, "required": False},
        "PageSize": {"shape": {"type": "integer"}, "required": False},
        "StartingToken": {"shape": {"type": "string"}, "required": False},
    },
}
_WAITER_CONFIG = {
    "type": "structure",
    "members": {
        "Delay": {"shape": {"type": "integer"}, "required": False},
        "MaxAttempts": {"shape": {"type": "integer"}, "required": False},
    },
}


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def api_url(service: str, api: str) -> str:
    """The "AWS API Documentation" link boto3 puts on an operation's pages: built from
    the service model's `uid` ("" without one: boto3 writes no link then)."""
    uid = session().get_service_model(service).metadata.get("uid")
    return f"https://docs.aws.amazon.com/goto/WebAPI/{uid}/{api}" if uid else ""


def expected_operation(service: str, kind: str, name: str) -> dict[str, Any] | None:
    """The contract JSON (without documentation) of a page; None for hand-written methods."""
    sess = session()
    model = sess.get_service_model(service)
    if kind == "client":
        api = {xform_name(n): n for n in model.operation_names}.get(name)
        if api is None:
            return None
    elif kind == "paginator":
        api = name
    else:
        api = sess.get_waiter_model(service).get_waiter(name).operation
    op = model.operation_model(api)
    streaming_in, streaming_out = op.get_streaming_input(), op.get_streaming_output()
    walk = _Walk(customisations(service, api), streaming_in, streaming_out)

    include_in: dict[str, dict[str, Any]] = {}
    exclude_in: tuple[str, ...] = ()
    include_out: dict[str, dict[str, Any]] = {}
    exclude_out: tuple[str, ...] = ()
    if kind == "paginator":
        config = sess.get_paginator_model(service).get_paginator(name)
        pagination = dict(_PAGINATION_CONFIG)
        members = dict(pagination["members"])
        if not config.get("limit_key"):
            members.pop("PageSize")
        include_in = {"PaginationConfig": {"type": "structure", "members": members}}
        exclude_in = tuple(_as_list(config["input_token"])) + (
            (config["limit_key"],) if config.get("limit_key") else ()
        )
        include_out = {"NextToken": {"type": "string"}}
        exclude_out = tuple(_as_list(config["output_token"]))
    if kind == "waiter":
        include_in = {"WaiterConfig": _WAITER_CONFIG}

    if op.input_shape is not None:
        input_json = _structure(op.input_shape, [], "input", walk, "input", include_in, exclude_in)
    else:
        input_json = {"type": "structure", "members": dict(
            (k, {"shape": v, "required": False}) for k, v in include_in.items()
        )}
    output_json: dict[str, Any] | None = None
    if kind != "waiter" and op.output_shape is not None:
        output_json = _structure(op.output_shape, [], "output", walk, "output", include_out, exclude_out)
    return {
        "api_name": op.name,
        "api_url": api_url(service, op.name),
        "deprecated": bool(op.deprecated),
        "input": input_json,
        "output": output_json,
        # Paginator and waiter pages do not list the operation's exceptions.
        "exceptions": [e.name for e in op.error_shapes] if kind == "client" else [],
    }


# --- comparison ----------------------------------------------------------------------

_COMPARED = ("type", "enum", "union", "event_stream", "streaming", "json_value", "target")


def compare_shape(expected: dict[str, Any], actual: dict[str, Any], path: str) -> list[str]:
    diffs: list[str] = []
    for key in _COMPARED:
        want, got = expected.get(key), actual.get(key)
        if key in ("union", "event_stream", "streaming", "json_value"):
            want, got = bool(want), bool(got)
        if want != got:
            diffs.append(f"{path}: {key} expected {want!r}, page parsed {got!r}")
    if expected.get("type") != actual.get("type"):
        return diffs
    kind = expected["type"]
    if kind == "structure":
        want_members = expected.get("members", {})
        got_members = actual.get("members", {})
        if list(want_members) != list(got_members):
            missing = [m for m in want_members if m not in got_members]
            extra = [m for m in got_members if m not in want_members]
            if missing or extra:
                diffs.append(f"{path}: members missing {missing} extra {extra}")
            else:
                diffs.append(f"{path}: member order differs")
        for name, want in want_members.items():
            got = got_members.get(name)
            if got is None:
                continue
            if bool(want["required"]) != bool(got["required"]):
                diffs.append(f"{path}.{name}: required expected {want['required']}, page parsed {got['required']}")
            diffs += compare_shape(want["shape"], got["shape"], f"{path}.{name}")
    elif kind == "list":
        diffs += compare_shape(expected["member"], actual["member"], path + "[]")
    elif kind == "map":
        diffs += compare_shape(expected["key"], actual["key"], path + "<key>")
        diffs += compare_shape(expected["value"], actual["value"], path + "{}")
    return diffs


def compare_operation(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    diffs: list[str] = []
    for key in ("api_name", "api_url", "deprecated", "exceptions"):
        if expected[key] != actual[key]:
            diffs.append(f"{key}: expected {expected[key]!r}, page parsed {actual[key]!r}")
    diffs += compare_shape(expected["input"], actual["input"], "input")
    if (expected["output"] is None) != (actual["output"] is None):
        diffs.append(f"output: expected {expected['output'] is not None}, page parsed {actual['output'] is not None}")
    elif expected["output"] is not None:
        diffs += compare_shape(expected["output"], actual["output"], "output")
    return diffs


def truncated(actual: dict[str, Any]) -> bool:
    """The page left a section out ("too large to render"): required flags and
    documentation of that section are not on the page."""
    return bool(cut_sections(actual))


def cut_sections(actual: dict[str, Any]) -> dict[str, bool]:
    """The paths (as compare_shape writes them) of the shapes boto3 did not render, each
    with whether the page parsed no member of it at all."""
    found: dict[str, bool] = {}

    def walk(shape: dict[str, Any], path: str) -> None:
        if shape.get("truncated"):
            found[path] = not shape.get("members")
        for name, member in shape.get("members", {}).items():
            walk(member["shape"], f"{path}.{name}")
        if "member" in shape:
            walk(shape["member"], path + "[]")
        if "value" in shape:
            walk(shape["value"], path + "{}")

    walk(actual["input"], "input")
    if actual["output"] is not None:
        walk(actual["output"], "output")
    return found


def excused_by_cut(diff: str, cut: dict[str, bool]) -> bool:
    """A difference the cut explains: a [REQUIRED] flag or a union's note under a cut
    section (both are written in the bullets boto3 left out), or a cut section whose syntax block is gone too
    (nothing of it is on the page, so the page parsed no member). Any other difference,
    and any difference elsewhere on the page, is the parser's."""
    path, _, what = diff.partition(": ")
    under = any(path == c or path.startswith((c + ".", c + "[", c + "{")) for c in cut)
    if not under:
        return False
    if what.startswith(("required expected True, page parsed False",
                        "union expected True, page parsed False")):
        return True
    return cut.get(path, False) and what.startswith("members missing ") and what.endswith(" extra []")
