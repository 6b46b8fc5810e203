"""`[tool.codegen]` from the project's pyproject.toml, merged with command-line flags
and with the options an existing output was generated with (its manifest).

`enums` ("error" | "warn" | "off", default "warn": docs/runtime.md) is what the generated
validators make of a value outside an enum's documented values unless a call says
otherwise; it is read from `[tool.codegen]` on every run (not recorded in the manifest).
`responses` ("present" | "optional", default "present": docs/typing.md) is whether the
types take a response's documented keys as always there; it is read on every run too, and
recorded in the manifest, so that a change regenerates every service.

Precedence, for the package name and the targets: a flag given on the command line,
then the options recorded in `<out>/.codegen/manifest.json`, then `[tool.codegen]`,
then the defaults. So `generate`/`check` on an output keep the options it was made
with; a different package name given explicitly is a rename (`--rename-package`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.emit.options import DEFAULT_ENUMS, DEFAULT_RESPONSES, enums_problem, responses_problem

DEFAULTS: dict[str, Any] = {
    "input": "input", "out": "generated", "package-name": "aws_typed", "targets": None, "enums": DEFAULT_ENUMS,
    "responses": DEFAULT_RESPONSES,
}


class ConfigError(Exception):
    """pyproject.toml cannot be read; str() is one "file:line: message" line."""


@dataclass(frozen=True, slots=True)
class Recorded:
    """The options an output was generated with (from its manifest)."""

    package: str
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Config:
    input: Path
    out: Path
    package_name: str
    root: Path
    targets: str | list[str] | tuple[str, ...] | None = None  # None: all (emit.package.parse_targets)
    recorded: Recorded | None = None  # the options `out` was generated with, if any
    # [tool.codegen.names]: service id → {class or Literal-alias name: the name to use instead}
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    enums: str = DEFAULT_ENUMS  # one of ENUM_MODES
    responses: str = DEFAULT_RESPONSES  # one of RESPONSE_MODES

    def rename_refused(self, package_flag: str | None) -> str | None:
        """The one-line error when `package_flag` would rename the output's package."""
        if self.recorded is None or package_flag is None or package_flag == self.recorded.package:
            return None
        return rename_refusal(self.out, self.recorded.package, package_flag)


def rename_refusal(out: Path, recorded: str, wanted: str) -> str:
    """The one-line error for a package name other than the one `out` was made with."""
    return (
        f"error: {out} was generated with --package-name {recorded}; "
        f"to rename it to {wanted}, run `codegen generate` with --rename-package"
    )


def _key_line(pyproject: Path, key: str) -> int:
    """The line of `key = ...` in the [tool.codegen] table of `pyproject` (1 if not found)."""
    inside = False
    for number, line in enumerate(pyproject.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == "[tool.codegen]"
        elif inside and stripped.split("=", 1)[0].strip().strip('"\'') == key:
            return number
    return 1


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def recorded_options(out: Path) -> Recorded | None:
    """What the manifest of `out` says the output was generated with; None without one."""
    from codegen.pipeline import state

    # Only two fields: not state.load, which builds every record (the run loads it again).
    try:
        data = state.read_manifest(out, keep=True)  # (the run's state.load reads it again)
        if data["format"] not in state.READ_FORMATS:  # (the earlier ones: migrated by the run)
            return None
        package, targets = data["package"], data["targets"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # as state.load: no usable manifest, a first run
    if not isinstance(package, str) or not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        return None
    return Recorded(package, tuple(targets))


def load(start: Path | None = None, **overrides: Any) -> Config:
    """Defaults ← `[tool.codegen]` ← the output's recorded options ← overrides that are
    not None. Paths relative to the project."""
    start = (start or Path.cwd()).resolve()
    pyproject = find_pyproject(start)
    values: dict[str, Any] = dict(DEFAULTS)
    root = start
    names: dict[str, dict[str, str]] = {}
    if pyproject is not None:
        root = pyproject.parent
        try:
            with pyproject.open("rb") as fh:
                section = tomllib.load(fh).get("tool", {}).get("codegen", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            line = getattr(exc, "lineno", None) or 1
            raise ConfigError(f"{pyproject}:{line}: cannot read [tool.codegen]: {exc}") from None
        values.update({k: v for k, v in section.items() if k in DEFAULTS})
        for key, check in (("enums", enums_problem), ("responses", responses_problem)):
            problem = check(values[key])
            if problem is not None:
                raise ConfigError(f"{pyproject}:{_key_line(pyproject, key)}: [tool.codegen] {problem}")
        names = _name_overrides(section.get("names", {}), pyproject)
    given = {k.replace("_", "-"): v for k, v in overrides.items() if v is not None}

    def path(key: str) -> Path:
        p = Path(values[key] if key not in given else given[key])
        # Flags are relative to the working directory, config values to the project.
        return p if p.is_absolute() or key in given else root / p

    out = path("out")
    recorded = recorded_options(out)
    if recorded is not None:
        values.update({"package-name": recorded.package, "targets": list(recorded.targets)})
    values.update(given)
    return Config(
        input=path("input"), out=out, package_name=str(values["package-name"]), root=root,
        targets=values["targets"], recorded=recorded, enums=str(values["enums"]), names=names,
        responses=str(values["responses"]),
    )


def load_checked(
    input: Path | None = None, out: Path | None = None, package_name: str | None = None, targets: str | None = None
) -> Config:
    """`load` with these flags, and the package name and targets it gives checked, as
    any bad option is, before anything runs: ConfigError, or BuildError (its lines)."""
    from codegen.emit.options import check_package_name, parse_targets

    cfg = load(input=input, out=out, package_name=package_name, targets=targets)
    check_package_name(cfg.package_name)  # a bad name first, as any bad option
    parse_targets(cfg.targets)
    return cfg


def _name_overrides(table: Any, pyproject: Path) -> dict[str, dict[str, str]]:
    """`[tool.codegen.names.<service>]` tables of `Name = "NewName"`. Both names pass the
    validator that names from pages pass (codegen/naming.py): an override becomes a class."""
    from codegen import naming

    def bad(why: str) -> ConfigError:
        return ConfigError(f"{pyproject}:1: [tool.codegen.names]: {why}")

    if not isinstance(table, dict):
        raise bad("must be a table of per-service tables")
    out: dict[str, dict[str, str]] = {}
    for service, renames in table.items():
        if not isinstance(renames, dict) or not all(isinstance(v, str) for v in renames.values()):
            raise bad(f"[tool.codegen.names.{service}] must map class names to new names (strings)")
        try:
            naming.check_service_id(service)
            for old, new in renames.items():
                naming.check_name("class name", old, naming.RESERVED_CLASS_NAMES)
                naming.check_name("class name", new, naming.RESERVED_CLASS_NAMES)
        except naming.InvalidName as exc:
            raise bad(str(exc)) from None
        if len(set(renames.values())) != len(renames):
            raise bad(f"[tool.codegen.names.{service}] gives one name to two classes")
        out[service] = dict(renames)
    return out
