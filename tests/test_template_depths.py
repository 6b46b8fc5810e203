"""The templates' statements take their depth from where they stand (env.StatementDepths)."""

from __future__ import annotations

import re

import jinja2
import pytest

from codegen import fmt
from codegen.emit import env

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
