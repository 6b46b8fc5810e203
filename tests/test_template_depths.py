"""The templates' statements take their depth from where they stand (env.StatementDepths)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jinja2
import pytest
from conftest import SEED

from codegen import fmt
from codegen.emit import env, options
from codegen.emit.package import SERVICE_PARTS, render_service
from codegen.naming import resolve
from codegen.rst.reader import parse_page

# A statement long enough to be split over several lines at any depth.
LONG = "def from_dict(cls, data: Mapping[str, Any], at: Walk | None = None, *, strict: bool = True) -> SomeClass:"


def test_no_template_counts_depths_by_hand() -> None:
    hand = re.compile(r"\|\s*(?:" + "|".join(env._DEPTH_FILTERS) + r")\(\s*\d")
    for path in sorted(env.template_dir().glob("*.jinja2")):
        text = path.read_text(encoding="utf-8")
        assert not hand.search(text), f"{path.name}: a depth given by hand"
        env.environment().get_template(path.name)  # compiles: every statement filter where it stands


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_indentation_gives_the_depth(depth: int) -> None:
    source = "    " * depth + "{{ code | line }}\n" + "    " * depth + "{{ (item ~ ',') | item }}\n"
    rendered = env.environment().from_string(source).render(code=LONG, item=LONG.removeprefix("def "))
    expected = fmt.fit(LONG, depth) + "\n" + fmt.fit_element(LONG.removeprefix("def ") + ",", depth) + "\n"
    assert rendered == expected
    assert len(rendered.splitlines()) > 2  # (split: every line of it indented by the filter)


def test_docstring_filters_take_the_depth_too() -> None:
    source = "        {{ text | doc }}\n        {{ text | attrdoc }}\n"
    text = "The name of the thing. " * 8
    rendered = env.environment().from_string(source).render(text=text)
    assert rendered == env.doc(text, 2) + "\n" + env.attrdoc(text, 2) + "\n"


@pytest.mark.parametrize(
    "source",
    [
        "x = {{ code | line }}\n",  # not alone on its line
        "   {{ code | line }}\n",  # not a multiple of 4
        "    {{ code | line(1) }}\n",  # a depth by hand
        "{{ code | doc(2, 'fallback') }}\n",
    ],
)
def test_a_statement_filter_without_its_place_is_an_error(source: str) -> None:
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.environment().from_string(source)


# --- the compiled templates, kept beside them ------------------------------------------


def _render_seed(environment: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every file of the seed's service, rendered with `environment`."""
    op = parse_page(SEED.read_bytes(), "sagemaker/client/create_model_package.rst")
    names = resolve([op])[0]
    with monkeypatch.context() as patch:
        patch.setattr(env, "environment", lambda: environment)
        env._template.cache_clear()
        try:
            return render_service(names, "pkg", options.TARGETS, (), None, options.DEFAULT_RESPONSES, SERVICE_PARTS)
        finally:
            env._template.cache_clear()


def test_compiled_templates_are_kept_beside_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(env.template_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    cache = folder / "__pycache__"
    stale = cache / "__jinja2_0123456789abcdef_0.cache"  # (of another env.py)
    cache.mkdir()
    stale.write_bytes(b"j2")
    compiled = _render_seed(env.make_environment(folder), monkeypatch)
    assert not stale.exists()
    kept = list(cache.glob("__jinja2_*.cache"))
    assert len(kept) >= 10 and len({p.name.split("_")[3] for p in kept}) == 1, kept
    # The next environment loads them: it compiles nothing, and renders the same files,
    # the ones codegen's own environment renders.
    loaded = env.make_environment(folder)

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template compiled again")

    monkeypatch.setattr(loaded, "compile", no_compiling)
    assert _render_seed(loaded, monkeypatch) == compiled == _render_seed(env.environment(), monkeypatch)
    # A template whose source changed is compiled again.
    page = folder / "exceptions.md.jinja2"
    page.write_text(page.read_text(encoding="utf-8") + "Changed.\n", encoding="utf-8")
    changed = _render_seed(env.make_environment(folder), monkeypatch)
    assert {rel for rel in compiled if changed[rel] != compiled[rel]} == {
        rel for rel in compiled if rel.endswith("/exceptions.md")
    }
    # Where nothing can be kept (here `__pycache__` is a file), the templates are compiled each time.
    other = tmp_path / "other"
    shutil.copytree(env.template_dir(), other, ignore=shutil.ignore_patterns("__pycache__"))
    (other / "__pycache__").write_text("")
    assert env.compiled_templates(other) is None
    assert _render_seed(env.make_environment(other), monkeypatch) == compiled
