"""Which response keys the generated types promise (`[tool.codegen] responses`,
docs/typing.md).

The pages mark no response member required: a response syntax block lists every key
the operation may return, and none says it always does. So either reading is a choice:

- "present" (the default): a documented key is typed as always there (a `Required` key
  of the response TypedDict; a response model field typed `X`, which strict `from_dict`
  requires), so `resp["Body"]` checks, as with types-boto3;
- "optional": every response key may be absent (`NotRequired`; `X | UnsetType`).

Either way a member of a tagged union or an event of an event stream (only one key is
set) and a member that repeats a structure it is inside (else every response would be
infinite) may be absent, and a class used on the request side too keeps the page's
required flags in its model (a caller builds it): only response-only classes follow the
setting.
"""

from __future__ import annotations

from codegen.naming import ClassInfo, ServiceNames
from codegen.tree import Member, Shape


def key_present(shape: Shape, member: Member, responses: str) -> bool:
    """A key of response structure `shape` typed as always there."""
    return responses == "present" and not (shape.union or shape.event_stream) and member.shape.type != "recursive"


def field_present(names: ServiceNames, info: ClassInfo, member: Member, responses: str) -> bool:
    """A field of a model typed as always there (a response-only class)."""
    response_only = info.name in names.response_side and info.name not in names.request_side
    return response_only and key_present(info.shape, member, responses)
