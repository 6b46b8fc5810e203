"""The manifest `codegen generate` keeps in its output folder, and the pristine copies.

`<out>/.codegen/manifest.json` records what the last run was made of and what it made:

* `generator`, `templates`: hashes of codegen's own code (and black's version) and of
  the templates; `package`, `targets`: the options. A change to any re-renders all.
* `pages`: input page (source name) → sha256 of its bytes and the boto3 service it
  belongs to (None for a page that is not a method page), and `error` when that version
  of the page failed to parse (reported again by every run until the page changes).
* `services`: service → `key` (hash of its pages; "" while a conflict is pending, so
  the next run looks at it again) and `summary` (what the package-level files use).
* `files`: generated file (relative path) → sha256 of the text the generator produced
  and the service it belongs to ("" for the package-level files). For Python modules,
  which merge.py merges member by member, that pristine text is kept in
  `.codegen/pristine/`; other files merge as a whole, which the hashes decide.
* `orphans`: files a previous run would have removed but the user had edited;
  they are looked at again on every run.

Pristine texts are content-addressed blobs (zlib), so a blob is written before the
manifest that refers to it, and unreferenced blobs are dropped after. The parse cache
(`.codegen/parsed/<service>.json`) keeps each page's shape tree, keyed by the page's
hash, so that a one-page change parses one page.

Everything here is deterministic: the manifest holds no times and no absolute paths
beyond the page source names the parser gives.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import stat
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from codegen import files, treecheck
from codegen.emit.env import template_dir
from codegen.tree import IR_VERSION, Operation, operation_from_json

STATE_DIR = ".codegen"
MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
# Modules that do not shape the generated text (their edits do not force a full rebuild).
_NOT_GENERATOR = frozenset({"cli.py", "watch.py", "diff.py", "render.py", "config.py", "manifest.py"})


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _black_version() -> str:
    # From the installed metadata: importing black costs more than a no-op run's work.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("black")
    except PackageNotFoundError:  # pragma: no cover - black is a dependency
        return "unknown"


@lru_cache(maxsize=1)
def generator_hash() -> str:
    """codegen's own code and black's version: what turns pages into text."""
    h = hashlib.sha256(f"black {_black_version()}\0".encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in _NOT_GENERATOR:
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def templates_hash() -> str:
    h = hashlib.sha256()
    folder = template_dir()
    for path in sorted(folder.glob("*.jinja2")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class PageRecord:
    sha: str
    service: str | None  # None: not a method page (skipped), or failed with no earlier version
    error: str = ""  # "file:line: message" when this version of the page failed to parse

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha": self.sha, "service": self.service}
        if self.error:
            data["error"] = self.error
        return data


@dataclass(frozen=True, slots=True)
class FileRecord:
    sha: str  # of the pristine (generated) text
    service: str  # "" for package-level files


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    key: str  # "" when a conflict is pending
    summary: Mapping[str, Any]


@dataclass(slots=True)
class Manifest:
    generator: str
    templates: str
    package: str
    targets: tuple[str, ...]
    pages: dict[str, PageRecord] = field(default_factory=dict)
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    package_key: str = ""
    files: dict[str, FileRecord] = field(default_factory=dict)
    orphans: dict[str, str] = field(default_factory=dict)  # rel → pristine sha
    names: str = ""  # the name overrides ([tool.codegen.names]), as registry.NameOptions.settings_key
    responses: str = ""  # [tool.codegen] responses (config.RESPONSE_MODES); "": before the setting

    def settings(self) -> tuple[str, str, str, tuple[str, ...], str, str]:
        return (self.generator, self.templates, self.package, self.targets, self.names, self.responses)

    def service_files(self, service: str) -> dict[str, FileRecord]:
        return {rel: rec for rel, rec in self.files.items() if rec.service == service}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "generator": self.generator,
            "templates": self.templates,
            "package": self.package,
            "targets": list(self.targets),
            "package_key": self.package_key,
            "pages": {s: p.to_json() for s, p in sorted(self.pages.items())},
            "services": {
                s: {"key": r.key, "summary": dict(r.summary)} for s, r in sorted(self.services.items())
            },
            "files": {rel: {"sha": f.sha, "service": f.service} for rel, f in sorted(self.files.items())},
            "orphans": dict(sorted(self.orphans.items())),
            "names": self.names,
            "responses": self.responses,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError("manifest format")
        return cls(
            generator=str(data["generator"]),
            templates=str(data["templates"]),
            package=str(data["package"]),
            targets=tuple(data["targets"]),
            package_key=str(data.get("package_key", "")),
            pages={
                s: PageRecord(str(p["sha"]), p["service"], str(p.get("error", ""))) for s, p in data["pages"].items()
            },
            services={
                s: ServiceRecord(str(r["key"]), dict(r["summary"])) for s, r in data["services"].items()
            },
            files={rel: FileRecord(str(f["sha"]), str(f["service"])) for rel, f in data["files"].items()},
            orphans={str(k): str(v) for k, v in data.get("orphans", {}).items()},
            names=str(data.get("names", "")),
            responses=str(data.get("responses", "")),
        )


def state_dir(out: Path) -> Path:
    return out / STATE_DIR


def manifest_path(out: Path) -> Path:
    return state_dir(out) / MANIFEST_NAME


def names_path(out: Path, service: str) -> Path:
    """`.codegen/names/<service>.json`: the service's names registry (codegen/registry.py)."""
    return state_dir(out) / "names" / f"{service or '_'}.json"


def read_state(path: Path) -> bytes:
    """The bytes of a file the output keeps for itself (`.codegen/*`, the listing). The
    output may come from a pull request: anything but a regular file there (a FIFO would
    block the read for ever, a device never end, a link leads elsewhere) is an OSError,
    which every caller takes as a missing or unreadable file."""
    try:
        return files.read_regular(path, follow_links=False)
    except files.NotRead as exc:
        if exc.error is not None:
            raise exc.error from None
        raise OSError(f"{path}: not a regular file") from None


def load(out: Path) -> Manifest | None:
    """The manifest of the last complete run; None when missing or unreadable."""
    try:
        return Manifest.from_json(json.loads(read_state(manifest_path(out))))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(out: Path, manifest: Manifest) -> bool:
    """Write the manifest atomically if it changed; True when written."""
    data = manifest.dumps().encode("utf-8")
    path = manifest_path(out)
    try:
        if read_state(path) == data:
            return False
    except OSError:
        pass
    atomic_write(path, data, durable=True)
    return True


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_temp_names = itertools.count()


def _open_temp(path: Path) -> tuple[int, str]:
    """A new temp file beside `path`: `.<name>.<pid>-<n>.tmp` (what remove_stale_temps
    looks for), made without mkstemp's random names or a mkdir per file: a cold run
    writes tens of thousands of files into a few hundred folders."""
    tmp = f"{path.parent}/.{path.name}.{os.getpid()}-{next(_temp_names)}.tmp"
    try:
        return os.open(tmp, _TEMP_FLAGS, 0o644), tmp
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a killed run's leftover with the same pid
        pass
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")


def file_mode(path: Path) -> int:
    """The permission bits a rewrite of `path` keeps (a user's chmod 600 or +x);
    0o644 for a new file, whatever the umask."""
    try:
        st = os.lstat(path)
    except OSError:
        return 0o644
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else 0o644


def atomic_write(path: Path, data: bytes, durable: bool = False, mode: int | None = None) -> None:
    """Temp file in the same folder, then rename: readers (and a run killed at any point)
    see the old or the new file. `durable` also fsyncs (the manifest: written last).
    The new file has `mode`, by default the permission bits of the file it replaces."""
    fd, tmp = _open_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), file_mode(path) if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# --- pristine copies ------------------------------------------------------------------------


def _blob(out: Path, sha: str) -> Path:
    return state_dir(out) / "pristine" / sha[:2] / sha


def put_pristine(out: Path, text: str) -> str:
    sha = sha256(text)
    path = _blob(out, sha)
    if not path.is_file():
        atomic_write(path, zlib.compress(text.encode("utf-8"), 1))  # level 1: 3x faster, ~15% bigger
    return sha


def get_pristine(out: Path, sha: str) -> str | None:
    try:
        text = zlib.decompress(read_state(_blob(out, sha))).decode("utf-8")
    except (OSError, zlib.error, UnicodeDecodeError):
        return None
    return text if sha256(text) == sha else None


def gc_pristine(out: Path, keep: Iterable[str]) -> None:
    """Remove blobs no record refers to (and leftover temp files)."""
    wanted = set(keep)
    root = state_dir(out) / "pristine"
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for blob in folder.iterdir():
            if blob.name not in wanted:
                blob.unlink(missing_ok=True)
        if not any(folder.iterdir()):
            folder.rmdir()


# --- parse cache ----------------------------------------------------------------------------


def _parsed_path(out: Path, service: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in service)
    return state_dir(out) / "parsed" / f"{safe}.json"


def load_parsed(out: Path, service: str, generator: str) -> dict[str, tuple[str, Operation]]:
    """source → (page sha, operation) cached for one service; empty if stale or missing."""
    try:
        data = json.loads(read_state(_parsed_path(out, service)))
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
    text = f'{{"generator":{dumps(generator)},"pages":{{{members}}}}}'.encode("utf-8")
    path = _parsed_path(out, service)
    try:
        if read_state(path) == text:
            return
    except OSError:
        pass
    atomic_write(path, text)


def drop_parsed(out: Path, keep: Iterable[str]) -> None:
    """Parse caches and names registries of services no longer in the output: a service
    that comes back is a new service (its names are resolved afresh)."""
    keep = list(keep)
    for folder, wanted in (
        (state_dir(out) / "parsed", {_parsed_path(out, s).name for s in keep}),
        (state_dir(out) / "names", {names_path(out, s).name for s in keep}),
    ):
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name not in wanted:
                    path.unlink(missing_ok=True)
