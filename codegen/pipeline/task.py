"""What a unit of `generate` work is given and sends back (codegen/pipeline/unit.py
does the work), and what the last run left that it compares with.

Apart from the worker so that planning a run imports none of the parsing and
rendering (a no-op `generate` does neither).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.emit import options
from codegen.pipeline import state
from codegen.pipeline.update import WriteLog
from codegen.pipeline.write import read_state
from codegen.registry import NameOptions
from codegen.tree import Operation

Report = Callable[[int, str], None]  # (pages done, unit name)
Parsed = Operation | str | None  # an operation, an error line, or None: not a method page


@dataclass(frozen=True, slots=True)
class UnitTask:
    name: str
    pages: tuple[tuple[str, str, str], ...]  # (source, path, sha of its bytes; "": not hashed)
    out: str
    package: str
    targets: tuple[str, ...]
    generator: str
    cached_services: tuple[str, ...]  # services whose parse cache may hold these pages
    force: bool = False
    dry_run: bool = False
    weight: int = 0  # bytes of its pages: units are started biggest first
    names: NameOptions = NameOptions()
    responses: str = options.DEFAULT_RESPONSES  # how response keys are typed (options.RESPONSE_MODES)

    @property
    def size(self) -> int:
        return len(self.pages)


@dataclass(slots=True)
class UnitResult:
    name: str
    errors: list[str] = field(default_factory=list)
    failed: bool = False  # nothing was written: the unit keeps its previous output
    pages: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)  # source → (sha, service, error)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # service → file → sha (state.Manifest)
    conflicted: set[str] = field(default_factory=set)  # services with a pending conflict
    log: WriteLog = field(default_factory=WriteLog)
    changelog: dict[str, str] = field(default_factory=dict)  # service → CHANGES.md section
    trees: list[str] = field(default_factory=list)  # services whose new tree is staged
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Previous:
    """What the last run left: generated file → sha of the text the generator wrote
    there (files and orphans of the manifest), and the files a pre-manifest output listed."""

    base: Mapping[str, str]
    legacy: frozenset[str]
    # input page → (sha of its bytes, its service) as the last run read them
    pages: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # no manifest to be read, though an earlier run left its state: every file is legacy
    all_legacy: bool = False

    def pages_of(self, service: str) -> dict[str, str]:
        """The last run's pages of `service`: source → sha."""
        return {source: sha for source, (sha, key) in self.pages.items() if key == service}

    def is_legacy(self, rel: str) -> bool:
        """`rel` was generated, but with no record of the text (update.write_one)."""
        return self.all_legacy or rel in self.legacy

    @classmethod
    def of(cls, out: Path, old: state.Manifest | None) -> Previous:
        if old is None:
            try:
                listing = read_state(out / state.LEGACY_LISTING).decode("utf-8").split()
            except (OSError, UnicodeDecodeError):
                listing = []
            return cls({}, frozenset(listing), all_legacy=not listing and state.has_earlier_state(out))
        base = dict(old.orphans)
        base.update(old.file_shas())
        pages = {source: (rec.sha, rec.service or "") for source, rec in old.pages.items()}
        return cls(base, frozenset(), pages)
