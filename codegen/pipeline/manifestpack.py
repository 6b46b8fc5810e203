"""The manifest's bytes (codegen/pipeline/state.py): its JSON text as gzip members, one per
service's group of pages and of files and one per stretch of text between them, which
`zcat` reads as one text.

A run that changes one service writes out and compresses that service's groups and the
stretches between groups again, and copies every other group's member as it read it
(on the whole reference, 12 MB of JSON, saving after a one-page change: 0.33 s, now
0.04-0.07 s). The bytes are the same as packing the whole text afresh: a member is the
gzip of its text alone (level 1, no time), and a group's text depends on its values and
on whether it is the first of its section, nothing else.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codegen.pipeline import write


def pack(pieces: Iterable[str | Group], members: Members | None) -> bytes:
    """The gzip members of `pieces` (state.Manifest.pieces): a member per Group (the
    one `members` read, when it is unchanged and at the same place), one per stretch of
    text between groups."""
    found: list[bytes] = []
    text: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            text.append(piece)
            continue
        if text:
            found.append(member("".join(text)))
            text = []
        kept = members.of(piece) if members is not None else None
        found.append(kept if kept is not None else member(piece.text()))
    if text:
        found.append(member("".join(text)))
    return b"".join(found)


_CHUNK = 1 << 15  # bytes of a manifest unpacked at a time (what a member leaves over is copied)


def gzip_members(data: bytes) -> list[tuple[int, int, bytes]]:
    """(start, end, text) of each gzip member of `data`, in order; ValueError unless it
    is whole members, unpacking to at most write.PACK_LIMIT bytes in all."""
    view = memoryview(data)
    spans: list[tuple[int, int, bytes]] = []
    start = total = 0
    while start < len(data) or not spans:
        unpacker = zlib.decompressobj(wbits=31)
        parts: list[bytes] = []
        at = start
        while not unpacker.eof:
            if at >= len(data):
                raise ValueError("manifest: not a whole gzip stream")
            chunk = view[at : at + _CHUNK]
            at += len(chunk)
            try:
                parts.append(unpacker.decompress(chunk, write.PACK_LIMIT - total + 1))
            except zlib.error as exc:
                raise ValueError(f"manifest: {exc}") from None
            total += len(parts[-1])
            if total > write.PACK_LIMIT or unpacker.unconsumed_tail:
                raise ValueError("manifest: too large")
        end = at - len(unpacker.unused_data)
        spans.append((start, end, b"".join(parts)))
        start = end
    return spans




def member(text: str) -> bytes:
    # (level 1: a tenth bigger than 6, in a third of the time; the one-page run waits for it)
    return gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)


def block(value: Any, depth: int) -> str:
    """`value` as the manifest writes it: a line per key down to `depth`."""
    if depth == 1 and isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        # (a group of pages or files, a line each: the same text as below, in one call
        # of json's C encoder, a fifth of the time on the whole reference)
        return "{\n" + json.dumps(value, separators=(",\n", ":"))[1:-1] + "\n}"
    if depth and isinstance(value, dict) and value:
        return "{\n" + ",\n".join(f"{json.dumps(k)}:{block(v, depth - 1)}" for k, v in value.items()) + "\n}"
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class Group:
    """One service's group of pages or of files, the `index`-th of its section."""

    section: str
    service: str
    index: int
    value: Mapping[str, str]

    def text(self) -> str:
        # (the same text as _block at depth 2, a group at a time)
        separator = ",\n" if self.index else ""
        return f"{separator}{json.dumps(self.service)}:{block(dict(sorted(self.value.items())), 1)}"


def section(name: str, groups: Mapping[str, Mapping[str, str]]) -> Iterator[str | Group]:
    if not groups:
        yield f"{json.dumps(name)}:{{}}"
        return
    yield f"{json.dumps(name)}:{{\n"
    for index, (service, group) in enumerate(groups.items()):
        yield Group(name, service, index, group)
    yield "\n}"


@dataclass(frozen=True, slots=True)
class Members:
    """The gzip members of a manifest as read (format 3, saved by `packed`): each group's
    value as read, and the bytes of its member."""

    data: bytes
    groups: Mapping[tuple[str, str], tuple[int, Mapping[str, Any], int, int]]  # → (index, value, start, end)

    def of(self, group: Group) -> bytes | None:
        """The member of `group` as read, when it is unchanged and at the same place
        (the first of its section has no separator before it)."""
        found = self.groups.get((group.section, group.service))
        if found is None:
            return None
        index, value, start, end = found
        if (index == 0) != (group.index == 0) or not (value is group.value or value == group.value):
            return None
        return self.data[start:end]

    @classmethod
    def of_manifest(cls, data: bytes, spans: Sequence[tuple[int, int, bytes]], value: Any) -> Members | None:
        """The members of `data` (`spans`: start, end and text of each) given to the
        groups of `value`, its JSON (of the current format); None unless each group has
        its own member, where `pack` puts it."""
        try:
            sections = [(name, list(value[name].items())) for name in ("pages", "files")]
        except (KeyError, TypeError, AttributeError):
            return None
        if not all(groups for _, groups in sections):
            return None
        # (the settings and services; the pages; the errors; the files; the orphans)
        if len(spans) != 3 + sum(len(groups) for _, groups in sections):
            return None
        found: dict[tuple[str, str], tuple[int, Mapping[str, Any], int, int]] = {}
        at = 1
        for name, groups in sections:
            for index, (service, group) in enumerate(groups):
                start, end, text = spans[at]
                head = (",\n" if index else "") + json.dumps(service) + ":{"
                if not isinstance(group, dict) or not text.startswith(head.encode("utf-8")):
                    return None
                found[(name, service)] = (index, group, start, end)
                at += 1
            at += 1
        return cls(data, found)
