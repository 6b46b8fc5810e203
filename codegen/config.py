"""`[tool.codegen]` from the project's pyproject.toml, merged with command-line flags."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULTS = {"input": "input", "out": "generated", "package-name": "aws_typed"}


class ConfigError(Exception):
    """pyproject.toml cannot be read; str() is one "file:line: message" line."""


@dataclass(frozen=True, slots=True)
class Config:
    input: Path
    out: Path
    package_name: str
    root: Path


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path | None = None, **overrides: Any) -> Config:
    """Defaults ← `[tool.codegen]` ← overrides that are not None. Paths relative to the project."""
    start = (start or Path.cwd()).resolve()
    pyproject = find_pyproject(start)
    values: dict[str, Any] = dict(DEFAULTS)
    root = start
    if pyproject is not None:
        root = pyproject.parent
        try:
            with pyproject.open("rb") as fh:
                section = tomllib.load(fh).get("tool", {}).get("codegen", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            line = getattr(exc, "lineno", None) or 1
            raise ConfigError(f"{pyproject}:{line}: cannot read [tool.codegen]: {exc}") from None
        values.update({k: v for k, v in section.items() if k in DEFAULTS})
    given = {k.replace("_", "-"): v for k, v in overrides.items() if v is not None}
    values.update(given)

    def path(key: str) -> Path:
        p = Path(values[key])
        # Flags are relative to the working directory, config values to the project.
        return p if p.is_absolute() or key in given else root / p

    return Config(
        input=path("input"), out=path("out"), package_name=str(values["package-name"]), root=root
    )
