"""Files not rendered again when their template is given what it was given last time.

A one-page change to a large service changes a few of its files (sagemaker: 14 of
1,821), but every file is rendered again to find out which. Most of a render is the
template's own work (sagemaker: 1.1 s of 2.0 s); the views it is given are cheap to
build and to compare. So each render of a per-class or per-operation file (a model or
validator module, an operation or structure page) is given a fingerprint: a hash of
the template's name and of everything in its context, by value. When the fingerprint is
the one recorded for that file the last time, and the file's text then is still the
merge base on record (the unit checks: codegen/pipeline/unit.py), the text would be the
same: the file is kept, not rendered.

The fingerprint is complete by construction: a template sees its context and nothing
else (filters are functions of their arguments; the environment is undefined-strict),
and the context is hashed whole. Contexts given to these templates hold plain values
and frozen views, never the service's whole `ServiceNames` (a `ServiceTitle` stands in
for it) nor a whole operation tree. Anything the fingerprint cannot read by value makes
it None: the file is rendered. What templates and code make of a context is the
generator's and the templates' hashes, which the record is kept under.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codegen.emit.env import render
from codegen.naming import ServiceNames


@dataclass(frozen=True, slots=True)
class ServiceTitle:
    """What the memoised templates read of the service (as `names`)."""

    service: str
    service_id: str
    module: str

    @classmethod
    def of(cls, names: ServiceNames) -> ServiceTitle:
        return cls(names.service, names.service_id, names.module)


def fingerprint(template: str, context: Mapping[str, Any]) -> str | None:
    """A hash of `template` and `context` by value (a dataclass by its type and fields
    in order, a set by its sorted items); None when a value is none of those, nor
    JSON's own (str, int, float, bool, None, list, tuple, dict with str keys)."""
    try:
        text = _ENCODER.encode([template, context])
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# type → (its name, what gives its fields' values in order)
_FIELDS: dict[type, tuple[str, Callable[[Any], Any]]] = {}


def _by_value(value: Any) -> Any:
    known = _FIELDS.get(type(value))
    if known is None:
        if isinstance(value, (set, frozenset)):
            return {"\0": "set", "v": sorted(value)}
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"no fingerprint for {type(value).__name__}")
        names = [f.name for f in dataclasses.fields(value)]
        # (attrgetter: a tuple of the values in one call; of one name, the value alone)
        get = operator.attrgetter(*names) if len(names) != 1 else operator.attrgetter(names[0], names[0])
        known = _FIELDS[type(value)] = (f"{type(value).__module__}.{type(value).__qualname__}", get)
    # (a JSON object whose first key no context of ours has: no list or dict reads the same)
    return {"\0": known[0], "v": known[1](value)}


_ENCODER = json.JSONEncoder(
    default=_by_value, ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=True
)


@dataclass(slots=True)
class RenderMemo:
    """The fingerprints of one service's files: those recorded last time (`last`, of the
    files whose text then is still theirs: the caller's say), those of this run (`made`),
    and the files kept as they are (`kept`). Paths are relative to the output; `prefix`
    is put before the paths an emitter gives (within)."""

    last: Mapping[str, str]
    prefix: str = ""
    made: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)

    def within(self, prefix: str) -> RenderMemo:
        """The same memo for paths under `prefix` (the emitters' own are relative)."""
        return RenderMemo(self.last, self.prefix + prefix, self.made, self.kept)

    def render(self, files: dict[str, str], rel: str, template: str, **context: Any) -> None:
        """`files[rel]`: `template` rendered with `context`, unless the file is kept."""
        path = self.prefix + rel
        key = fingerprint(template, context)
        if key is None:
            files[rel] = render(template, **context)
            return
        self.made[path] = key
        if self.last.get(path) == key:
            self.kept.append(path)
        else:
            files[rel] = render(template, **context)


def render_into(files: dict[str, str], rel: str, memo: RenderMemo | None, template: str, **context: Any) -> None:
    """`files[rel]`: `template` rendered with `context` (through `memo`, when there is one)."""
    if memo is None:
        files[rel] = render(template, **context)
    else:
        memo.render(files, rel, template, **context)
