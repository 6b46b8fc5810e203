"""What the user's cache folder keeps of one output (codegen/usercache.py): the parse
cache, and what each file was last rendered from (codegen/emit/rendermemo.py). Both can
be rebuilt, so they are not in the output a project commits; both may come from
elsewhere (a CI cache), so what is read back is checked, or only ever compared."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from codegen import treecheck, usercache
from codegen.pipeline import write
from codegen.pipeline.write import read_state, sha256
from codegen.tree import IR_VERSION, Operation, operation_from_json


def cache_dir() -> Path:
    """The user's cache folder of codegen (codegen/usercache.py)."""
    return usercache.root()


def parsed_dir(out: Path) -> Path:
    """The parse cache of the output `out`: in the user's cache folder, not in the output
    (which a project commits), one folder per output folder."""
    return cache_dir() / "parsed" / sha256(os.path.abspath(out))[:16]


def parsed_path(out: Path, service: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in service)
    return parsed_dir(out) / f"{safe}.json"


def load_parsed(out: Path, service: str, generator: str) -> dict[str, tuple[str, Operation]]:
    """source → (page sha, operation) cached for one service; empty if stale or missing."""
    try:
        data = json.loads(read_state(parsed_path(out, service)))
        if data.get("generator") != generator:
            return {}
        pages = data["pages"]
        # The output may come from a pull request: what is read back is checked as any
        # saved tree is (a damaged or hostile cache is dropped and the pages parsed again).
        treecheck.check_document({"ir_version": IR_VERSION, "operations": [e["op"] for e in pages.values()]})
        return {
            source: (str(entry["sha"]), operation_from_json(entry["op"]))
            for source, entry in pages.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


def save_parsed(out: Path, service: str, generator: str, pages: Mapping[str, tuple[str, str]]) -> None:
    """The parse cache of one service: source → (page sha, tree.operation_to_json as JSON
    text), saved as {"generator": ..., "pages": {source: {"sha": ..., "op": ...}}}."""
    dumps = json.dumps
    members = ",".join(
        f'{dumps(source, ensure_ascii=False)}:{{"sha":{dumps(sha)},"op":{op}}}'
        for source, (sha, op) in sorted(pages.items())
    )
    _save_cache(parsed_path(out, service), f'{{"generator":{dumps(generator)},"pages":{{{members}}}}}'.encode("utf-8"))


def _save_cache(path: Path, data: bytes) -> None:
    """A file of the user's cache folder, written unless it holds `data` already."""
    try:
        if read_state(path) == data:
            return
    except OSError:
        pass
    write.atomic_write(path, data)


def renders_dir(out: Path) -> Path:
    """What the files of the output `out` were last rendered from (codegen/emit/rendermemo.py):
    in the user's cache folder, beside the parse cache, one folder per output folder."""
    return cache_dir() / "renders" / sha256(os.path.abspath(out))[:16]


def renders_path(out: Path, service: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in service)
    return renders_dir(out) / f"{safe}.json"


def load_renders(out: Path, service: str, generator: str, templates: str) -> dict[str, tuple[str, str]]:
    """file → (fingerprint of what it was rendered from, sha of the text) as recorded for
    `service` by a run of this generator and these templates; empty if none, or stale."""
    try:
        data = json.loads(read_state(renders_path(out, service)))
        if data.get("generator") != generator or data.get("templates") != templates:
            return {}
        return {str(rel): (str(key), str(sha)) for rel, (key, sha) in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def save_renders(
    out: Path, service: str, generator: str, templates: str, files: Mapping[str, tuple[str, str]]
) -> None:
    """The record load_renders reads."""
    data = {"generator": generator, "templates": templates, "files": {rel: list(files[rel]) for rel in sorted(files)}}
    _save_cache(renders_path(out, service), json.dumps(data, separators=(",", ":")).encode("utf-8"))
