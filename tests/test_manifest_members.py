"""The manifest is saved as gzip members (state.packed): one per service's group of pages
and of files, one per stretch of text between them. A run that changes one service
compresses that service's groups and the short stretches, and copies every other
group's member as it read it; the bytes are the same as packing the same manifest from
nothing. `zcat` (gzip.decompress) reads the members as one text."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from codegen.pipeline import manifestpack, run, state
from gen_support import AFTER, BEFORE, EDITED, TWO_SERVICES, call_arguments, copy_pages

PKG = "typed_members"
PAGES = TWO_SERVICES


def _members(data: bytes) -> list[bytes]:
    """The text of each gzip member of `data` (zlib itself, not the code under test)."""
    texts = []
    while data:
        unpacker = zlib.decompressobj(wbits=31)
        texts.append(unpacker.decompress(data))
        assert unpacker.eof
        data = unpacker.unused_data
    return texts


def _heads(manifest: state.Manifest) -> list[str]:
    """How each group's member starts (the first of a section has no separator)."""
    pages = sorted({rec.service or "" for rec in manifest.pages.values()})
    files = sorted(service for service, group in manifest.files.items() if group)
    return [
        ("" if index == 0 else ",\n") + json.dumps(service) + ":{"
        for section in (pages, files) for index, service in enumerate(section)
    ]


def test_each_group_is_a_member_and_a_change_compresses_only_its_own(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    pages = copy_pages(reference, tmp_path / "in", PAGES)
    out = tmp_path / "out"
    assert not run.generate([pages], out, PKG).errors
    path = state.manifest_path(out)
    data = path.read_bytes()
    first = state.load(out)
    assert first is not None and first.members is not None
    assert {"kinesis", "bedrock-runtime"} <= set(first.files)

    # One text, as every earlier manifest; a member per group, each starting with it.
    texts = _members(data)
    assert b"".join(texts) == gzip.decompress(data) == first.dumps().encode()
    assert state.Manifest.from_json(json.loads(gzip.decompress(data))) == first
    heads = _heads(first)
    pages_groups = len(heads) - len(first.files)
    # (settings and services; each service's pages; errors; each one's files; orphans)
    assert len(texts) == 3 + len(heads)
    groups = texts[1 : 1 + pages_groups] + texts[2 + pages_groups : -1]
    assert [t[: len(h.encode())] for t, h in zip(groups, heads)] == [h.encode() for h in heads]
    assert state.packed(first) == data  # (from nothing: the same bytes)

    # One kinesis page changes: only kinesis's groups (and the stretches between) are
    # compressed again; bedrock-runtime's are copied.
    compressed = call_arguments(monkeypatch, manifestpack, "member")
    page = pages / EDITED
    page.write_bytes(page.read_bytes().replace(BEFORE, AFTER))
    done = run.generate([pages], out, PKG)
    assert not done.errors and done.rendered == ["kinesis"]
    second = state.load(out)
    assert second is not None and second != first
    assert second.files["bedrock-runtime"] == first.files["bedrock-runtime"]
    assert second.files["kinesis"] != first.files["kinesis"]
    started = [text.split(":", 1)[0].lstrip(",\n") for text in compressed]
    assert started.count('"kinesis"') == 2  # its pages and its files
    assert '"bedrock-runtime"' not in started
    assert len(compressed) == 3 + 2
    again = path.read_bytes()
    assert again == state.packed(second)  # (copied or compressed now: the same bytes)
    assert gzip.decompress(again) == second.dumps().encode()

    # A manifest saved in one member (before this layout) is read, and the next save
    # writes the groups as members again.
    whole = gzip.compress(gzip.decompress(again), mtime=0)
    path.write_bytes(whole)
    single = state.load(out)
    assert single == second and single is not None and single.members is None
    assert state.packed(second, single) == again


@pytest.mark.parametrize(
    "damage",
    ["cut inside the last member", "cut between members", "bytes after the last member", "one member's bytes"],
)
def test_a_damaged_manifest_is_no_manifest(
    tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """Whatever is wrong with the members, the manifest is unreadable as a whole (a
    first run's treatment: every file kept, an edited one as `.orig`), never read in part."""
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    pages = copy_pages(reference, tmp_path / "in", PAGES[:3])
    out = tmp_path / "out"
    run.generate([pages], out, PKG)
    path = state.manifest_path(out)
    data = path.read_bytes()
    last = len(gzip.compress(_members(data)[-1], compresslevel=1, mtime=0))
    assert data.endswith(gzip.compress(_members(data)[-1], compresslevel=1, mtime=0))
    damaged = {
        "cut inside the last member": data[:-5],
        "cut between members": data[:-last],
        "bytes after the last member": data + b"\x1f\x8b",
        "one member's bytes": data[: -last - 8] + bytes(8) + data[-last:],  # (its check and size)
    }[damage]
    path.write_bytes(damaged)
    assert state.load(out) is None
    assert not run.generate([pages], out, PKG).errors
    assert state.load(out) is not None
