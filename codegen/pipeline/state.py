"""The manifest `codegen generate` keeps in its output folder (the saved trees: savedtrees.py).

`<out>/.codegen/manifest.json.gz` (format 3: compact JSON, a line per service, page and
file; gzip, a member per service's group: manifestpack.py) records what the last run
was made of and what it made:

* `generator`, `templates`: hashes of codegen's own code (every source file, and the
  versions of Python and of every dependency: generator_hash) and of the templates;
  `package`, `targets`: the options. A change to any re-renders all.
* `pages`: service → input page (source name) → hash of its bytes (write.sha256) ("" for the pages
  that are not method pages); `errors`: page → the error, when that version of the page
  failed to parse (reported again by every run until the page changes).
* `services`: service → `key` (hash of its pages; "" while a conflict is pending, so
  the next run looks at it again) and `summary` (what the package-level files use).
* `files`: service ("" for the package-level files) → generated file (relative path)
  → hash of the text the generator produced. For Python modules, which merge.py
  merges member by member, that text is kept in a pack of `.codegen/pristine/`
  (codegen/pipeline/write.py); other files merge as a whole, which the hashes decide.
* `orphans`: files a previous run would have removed but the user had edited;
  they are looked at again on every run.

Format 1 (`manifest.json`, a record per page and per file) and format 2 (hashes of 256
bits) are read, and replaced by the first run. The parse cache keeps each page's shape
tree, keyed by the page's hash, so that a one-page change parses one page; it can be
rebuilt, so it lives in the user's cache folder (caches.py), not in the output a
project commits.

Everything here is deterministic: the manifest holds no times and no absolute paths
beyond the page source names the parser gives.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from codegen.emit.templatedir import template_dir
from codegen.pipeline import manifestpack, write
from codegen.pipeline.caches import parsed_dir, parsed_path, renders_dir, renders_path
from codegen.pipeline.manifestpack import Group, Members, block, section
from codegen.pipeline.write import (
    get_pristine, is_python, put_pristine, read_disk, read_state, remove_empty_dirs, state_dir,
)

MANIFEST_NAME = "manifest.json.gz"  # gzip (mtime 0): a third of the size; `zcat` reads it
_LEGACY_MANIFEST = "manifest.json"  # format 1's, plain: read once, removed once format 2 is saved
# The plain list of generated files that outputs kept before, beside the manifest: read
# only when there is no manifest (its files have no merge base), dropped once one is saved.
LEGACY_LISTING = ".codegen-files"
_LEGACY_PARSED = "parsed"  # `.codegen/parsed/`: the parse cache, before it went to the cache folder
# 2: pages and files grouped by service, merge bases packed per folder, trees in xz;
# 3: hashes of 128 bits (write.sha256), not 256: the manifest is 40% smaller.
FORMAT_VERSION = 3
READ_FORMATS = (1, 2, FORMAT_VERSION)  # (the earlier ones read once, saved as the current)
# The runtime dependencies when codegen's own metadata cannot be read (not installed).
_DEPENDENCIES = ("black", "click", "docutils", "jinja2", "libcst")


def dependency_versions() -> list[tuple[str, str]]:
    """(name, version) of Python and of every runtime dependency, from the installed
    metadata (importing black costs more than a no-op run's work)."""
    import sys
    from importlib.metadata import PackageNotFoundError, requires, version

    try:
        wanted = [r for r in requires("codegen") or [] if ";" not in r]  # (no extras)
        names = sorted({re.split(r"[^A-Za-z0-9._-]", r.strip(), maxsplit=1)[0].lower() for r in wanted})
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        names = list(_DEPENDENCIES)
    found = [("python", "%d.%d" % sys.version_info[:2])]
    for name in names:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:  # pragma: no cover - a dependency
            found.append((name, "missing"))
    return found


def generator_sources() -> list[Path]:
    """Every source file of codegen (whatever it shapes: the text, CHANGES.md, the state)."""
    root = Path(__file__).resolve().parent.parent
    return sorted(root.rglob("*.py"))


@lru_cache(maxsize=1)
def generator_hash() -> str:
    """What turns pages into the output: codegen's code and its dependencies' versions.
    A change to any of them re-renders everything (the templates have their own hash)."""
    h = hashlib.sha256()
    for name, found in dependency_versions():
        h.update(f"{name} {found}\0".encode())
    root = Path(__file__).resolve().parent.parent
    for path in generator_sources():
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
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
    # service ("" for the package-level files) → generated file → sha of its pristine
    # text: the JSON's own shape, kept as it is read (112,000 files for the whole
    # reference, and a one-page run touches one service's)
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    orphans: dict[str, str] = field(default_factory=dict)  # rel → pristine sha
    names: str = ""  # the name overrides ([tool.codegen.names]), as registry.NameOptions.settings_key
    responses: str = ""  # [tool.codegen] responses (config.RESPONSE_MODES); "": before the setting
    # The gzip members it was read from (load), for `packed` to copy those of the groups
    # that are unchanged; not part of what it records.
    members: Members | None = field(default=None, compare=False, repr=False)

    def settings(self) -> tuple[str, str, str, tuple[str, ...], str, str]:
        return (self.generator, self.templates, self.package, self.targets, self.names, self.responses)

    def file_shas(self) -> dict[str, str]:
        """Every generated file → the sha of its pristine text."""
        shas: dict[str, str] = {}
        for group in self.files.values():
            shas.update(group)
        return shas

    def tracked(self) -> list[str]:
        """Every generated file, sorted."""
        return sorted(rel for group in self.files.values() for rel in group)

    def to_json(self) -> dict[str, Any]:
        """Format 2: what format 1 kept per page and per file, grouped by service (the
        service is said once), so that each page and each file is one line of text."""
        files = {service: dict(sorted(group.items())) for service, group in sorted(self.files.items()) if group}
        return {
            **self._head(),
            "pages": self._page_groups(),
            "errors": {s: p.error for s, p in sorted(self.pages.items()) if p.error},
            "files": files,
            "orphans": dict(sorted(self.orphans.items())),
        }

    def _head(self) -> dict[str, Any]:
        """The settings and the services: what the JSON says before the pages."""
        return {
            "format": FORMAT_VERSION,
            "generator": self.generator,
            "templates": self.templates,
            "package": self.package,
            "targets": list(self.targets),
            "package_key": self.package_key,
            "names": self.names,
            "responses": self.responses,
            "services": {s: {"key": r.key, "summary": dict(r.summary)} for s, r in sorted(self.services.items())},
        }

    def _page_groups(self) -> dict[str, dict[str, str]]:
        """service ("" for the pages of none) → page → sha, both sorted."""
        pages: dict[str, dict[str, str]] = {}
        for source, page in sorted(self.pages.items()):
            pages.setdefault(page.service or "", {})[source] = page.sha
        return dict(sorted(pages.items()))

    def dumps(self) -> str:
        """Compact JSON, a line per service, page and file (a few MB for the whole
        reference, and a pull request's diff shows what moved)."""
        return "".join(piece if isinstance(piece, str) else piece.text() for piece in self.pieces())

    def pieces(self) -> Iterator[str | Group]:
        """The text of `dumps`, in order: each service's group of pages and of files as
        a Group (whose text is written only when asked for: `packed` copies an unchanged
        one's member), the rest as text."""
        depth = {"services": 1}
        yield "{\n" + "".join(f"{json.dumps(k)}:{block(v, depth.get(k, 0))},\n" for k, v in self._head().items())
        yield from section("pages", self._page_groups())
        yield ',\n"errors":' + block({s: p.error for s, p in sorted(self.pages.items()) if p.error}, 1) + ",\n"
        yield from section("files", {service: group for service, group in sorted(self.files.items()) if group})
        yield ',\n"orphans":' + block(dict(sorted(self.orphans.items())), 1) + "\n}\n"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        if data.get("format") == 1:  # (an earlier codegen's: read once, saved as format 3)
            return cls._from_format_1(data)
        if data.get("format") not in READ_FORMATS[1:]:
            raise ValueError("manifest format")
        sha = str if data["format"] == FORMAT_VERSION else _short  # (format 2: whole SHA-256s)
        errors = {str(s): str(e) for s, e in data.get("errors", {}).items()}
        pages = {
            source: PageRecord(sha(digest), service or None, errors.get(source, ""))
            for service, group in data["pages"].items()
            for source, digest in group.items()
        }
        return cls(
            **_settings(data),
            pages=dict(sorted(pages.items())),
            services={s: ServiceRecord(str(r["key"]), dict(r["summary"])) for s, r in data["services"].items()},
            files=_file_groups(data["files"], sha),
            **_extras(data, sha),
        )

    @classmethod
    def _from_format_1(cls, data: Mapping[str, Any]) -> Manifest:
        return cls(
            **_settings(data),
            pages={
                s: PageRecord(_short(p["sha"]), p["service"], str(p.get("error", ""))) for s, p in data["pages"].items()
            },
            services={
                s: ServiceRecord(str(r["key"]), dict(r["summary"])) for s, r in data["services"].items()
            },
            files=_file_groups(_grouped(data["files"]), _short),
            **_extras(data, _short),
        )



def _settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """The run's settings, written alike by both formats."""
    return {
        "generator": str(data["generator"]), "templates": str(data["templates"]), "package": str(data["package"]),
        "targets": tuple(data["targets"]), "package_key": str(data.get("package_key", "")),
    }


def _file_groups(data: Any, sha: Callable[[Any], str]) -> dict[str, dict[str, str]]:
    """The `files` of a manifest read: service → file → sha, each file in one group."""
    groups: dict[str, dict[str, str]] = {}
    count = 0
    for service, group in data.items():
        if not isinstance(group, dict):
            raise ValueError("manifest: a group of files is no object")
        if sha is str and all(type(digest) is str for digest in group.values()):
            groups[str(service)] = group  # (as read: no copy of 112,000 records)
        else:
            groups[str(service)] = {str(rel): sha(digest) for rel, digest in group.items()}
        count += len(group)
    if len(set().union(*groups.values())) != count:
        raise ValueError("manifest: a file in two services")
    return groups


def _grouped(records: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Format 1's file → {sha, service} as format 2's service → file → sha."""
    groups: dict[str, dict[str, Any]] = {}
    for rel, rec in records.items():
        groups.setdefault(str(rec["service"]), {})[rel] = rec["sha"]
    return groups


def layered(layers: Iterable[Mapping[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    """One manifest's `files` from several (service → file → sha), the first layer that
    names a file keeping it: a file is in one service's group, whichever claim it. The
    groups are taken, not copied (a one-page run carries 443 services' over): no
    manifest's group is changed in place."""
    found: dict[str, dict[str, str]] = {}
    seen: set[str] = set()
    for layer in layers:
        for service, group in sorted(layer.items()):
            clash = seen.intersection(group)
            kept = {rel: sha for rel, sha in group.items() if rel not in clash} if clash else group
            if kept:
                found[service] = {**found[service], **kept} if service in found else kept
                seen.update(kept)
    return dict(sorted(found.items()))


def _short(digest: Any) -> str:
    """A hash of format 1 or 2 (a whole SHA-256) as format 3 keeps it (write.sha256)."""
    return str(digest)[:32]


def _extras(data: Mapping[str, Any], sha: Callable[[Any], str] = str) -> dict[str, Any]:
    """The keys after the records, written alike by every format."""
    return {
        "orphans": {str(k): sha(v) for k, v in data.get("orphans", {}).items()},
        "names": str(data.get("names", "")), "responses": str(data.get("responses", "")),
    }

def bases(manifest: Manifest) -> dict[str, str]:
    """Module → sha of its merge base: what the packs of `.codegen/pristine/` must hold."""
    found = {rel: sha for rel, sha in manifest.orphans.items() if is_python(rel)}
    for group in manifest.files.values():
        found.update((rel, sha) for rel, sha in group.items() if is_python(rel))
    return found


def manifest_path(out: Path) -> Path:
    return state_dir(out) / MANIFEST_NAME


def names_path(out: Path, service: str) -> Path:
    """`.codegen/names/<service>.json`: the service's names registry (codegen/registry.py)."""
    return state_dir(out) / "names" / f"{service or '_'}.json"


# The manifest a caller read with keep=True, by its bytes: the next read of the same bytes
# (the run's load, after the config read its options) does not decompress and parse
# them again (a quarter of a second for the whole reference's manifest).
_kept: tuple[bytes, Any, Members | None] | None = None


def read_manifest(out: Path, keep: bool = False) -> Any:
    """The manifest's JSON (format 2's gzip, else format 1's plain file); OSError or
    ValueError when it cannot be read. `keep`: the JSON is not changed by the caller,
    and the next read of the same bytes returns it once more."""
    return _read_manifest(out, keep)[0]


def _read_manifest(out: Path, keep: bool = False) -> tuple[Any, Members | None]:
    global _kept
    try:
        data = read_state(manifest_path(out))
    except FileNotFoundError:
        return json.loads(read_state(state_dir(out) / _LEGACY_MANIFEST)), None
    kept, _kept = _kept, None
    if kept is not None and kept[0] == data and not os.path.lexists(state_dir(out) / _LEGACY_MANIFEST):
        return kept[1], kept[2]
    value, members = _unpack_manifest(out, data)
    if keep:
        _kept = (data, value, members)
    return value, members


def _unpack_manifest(out: Path, data: bytes) -> tuple[Any, Members | None]:
    if os.path.lexists(state_dir(out) / _LEGACY_MANIFEST):
        # A codegen of format 1 ran after this one (it saves its own beside ours): which
        # is newer cannot be told, so neither is trusted (every file is the generator's;
        # an edited one is kept as `.orig`).
        raise ValueError("two manifests")
    spans = manifestpack.gzip_members(data)
    value = json.loads(b"".join(text for _, _, text in spans))
    current = isinstance(value, dict) and value.get("format") == FORMAT_VERSION
    return value, Members.of_manifest(data, spans, value) if current else None


def load(out: Path) -> Manifest | None:
    """The manifest of the last complete run; None when missing or unreadable."""
    try:
        value, members = _read_manifest(out)
        return replace(Manifest.from_json(value), members=members)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(out: Path, manifest: Manifest) -> bool:
    """Write the manifest atomically if it changed; True when written."""
    return save_packed(out, packed(manifest))


def packed(manifest: Manifest, like: Manifest | None = None) -> bytes:
    """The manifest's bytes as saved (codegen/pipeline/manifestpack.py): the members of
    `like` (the manifest read, of the same generator) copied where its groups are unchanged."""
    return manifestpack.pack(
        manifest.pieces(), like.members if like is not None and like.generator == manifest.generator else None
    )


def save_packed(out: Path, data: bytes) -> bool:
    """save, of the bytes `packed` made."""
    path = manifest_path(out)
    try:
        if read_state(path) == data:
            return False
    except OSError:
        pass
    write.atomic_write(path, data, durable=True)
    return True


def has_earlier_state(out: Path) -> bool:
    """`.codegen/` holds what a run left (the merge bases, names), beside the lock that
    every run makes first: when its manifest cannot be read (lost, replaced by a FIFO),
    the generated files are still the generator's, though their texts are unknown."""
    folder = state_dir(out)
    try:
        return not folder.is_symlink() and any(
            p.name not in (MANIFEST_NAME, _LEGACY_MANIFEST, "lock") for p in folder.iterdir()
        )
    except OSError:
        return False


def drop_legacy_state(out: Path) -> None:
    """What outputs kept before, once the manifest is saved: the legacy listing, and the
    parse cache that `.codegen/parsed/` held (now in the user's cache folder: parsed_dir)."""
    for path in (out / LEGACY_LISTING, state_dir(out) / _LEGACY_MANIFEST):
        if path.is_symlink() or path.is_file():
            path.unlink()
    folder = state_dir(out) / _LEGACY_PARSED
    if folder.is_symlink():  # (never followed: the output may come from a pull request)
        folder.unlink()
    elif folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_symlink() or entry.is_file():
                entry.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def drop_parsed(out: Path, keep: Iterable[str]) -> None:
    """Parse caches, render records and names registries of services no longer in the
    output: a service that comes back is a new service (its names are resolved afresh)."""
    keep = list(keep)
    for folder, wanted in (
        (parsed_dir(out), {parsed_path(out, s).name for s in keep}),
        (renders_dir(out), {renders_path(out, s).name for s in keep}),
        (state_dir(out) / "names", {names_path(out, s).name for s in keep}),
    ):
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name not in wanted:
                    path.unlink(missing_ok=True)


def rename_package(out: Path, old: Manifest, package: str, dry_run: bool) -> Manifest:
    """`old` with its package's files moved from `<old package>/` to `<package>/`, on
    disk too (unless `dry_run`), so that the run that follows merges hand edits in place.

    In the moved modules, and in the generator's last text of them (the merge base),
    the imports of the old package become imports of the new one (`from old.x import`,
    `import old`): what a rename asks for, and what lets an import the user extended
    merge by name. The manifest keeps its old package name, so that the run re-renders
    everything; it is saved with the files' new paths and bases, and a rename
    interrupted at any point is picked up by the next one. A file whose new path is
    taken is left where it is; a file that cannot be decoded is moved as it is."""
    prefix = old.package + "/"
    imports = re.compile(rf"^([ \t]*(?:from|import)[ \t]+){re.escape(old.package)}(?=[.\s,]|$)", re.M)

    def moved(rel: str) -> str:
        return package + "/" + rel[len(prefix) :] if rel.startswith(prefix) else rel

    def renamed(text: str) -> str:
        return imports.sub(lambda m: m.group(1) + package, text)

    done: list[str] = []
    files: dict[str, dict[str, str]] = {}
    for service, group in old.files.items():
        moved_group = files[service] = {}
        for rel, sha in group.items():
            moved_group[moved(rel)] = sha
            if not is_python(rel) or dry_run:
                continue
            base = get_pristine(out, sha, rel)
            if base is not None:  # (kept under its new path, renamed or not: the pack is its folder's)
                moved_group[moved(rel)] = put_pristine(out, moved(rel), renamed(base))
    tracked = old.file_shas()
    for rel in sorted({*tracked, *old.orphans}):
        src, dst = out / rel, out / moved(rel)
        if dry_run or src == dst:
            continue
        if os.path.lexists(src) and not os.path.lexists(dst):
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.rename(src, dst)  # a symlink moves as a link; bytes and modes as they are
            done.append(rel)
        if rel not in tracked or not is_python(rel) or os.path.lexists(src):
            continue  # (an orphan keeps its text, which its record's hash is of)
        disk = read_disk(dst)
        if disk.data is not None and not disk.problem:
            text = disk.data.decode("utf-8")  # (its own line ends)
            if renamed(text) != text:
                write.atomic_write(dst, renamed(text).encode("utf-8"))
    result = replace(old, files=files, orphans={moved(rel): sha for rel, sha in old.orphans.items()})
    if not dry_run:
        write.sync_pristine(out, bases(result))
        save(out, result)
        remove_empty_dirs(out, done)
    return result
