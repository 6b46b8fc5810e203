"""Where the jinja2 templates are: the repository's top-level `templates/` (the source
of truth), or `codegen/templates` in an installed codegen (see pyproject.toml).

Apart from the environment (env.py) so that the state can hash the templates without
importing jinja2 (a no-op `generate` renders nothing).
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
TEMPLATE_DIRS = (_HERE.parent.parent / "templates", _HERE.parent / "templates")


def template_dir() -> Path:
    for candidate in TEMPLATE_DIRS:
        if (candidate / "models.py.jinja2").is_file():
            return candidate
    raise FileNotFoundError("codegen templates not found (looked in templates/ and codegen/templates/)")
