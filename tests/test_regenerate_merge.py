"""Hand-written code survives regeneration: merge.py alone, then the whole pipeline on
the seed page moved to the same page of the pinned boto3 (1.44.8)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegen.cli import main
from codegen.pipeline import run
from codegen.pipeline.merge import merge
from conftest import SEED
from codegen import naming
from gen_support import model_file, models_text, parse_ok, run_mypy

PKG = "typed_merge"
PAGE = "sagemaker/client/create_model_package.rst"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


BASE = dedent(
    '''
    """Generated."""

    from __future__ import annotations

    from typing import Any

    __all__ = ["A"]


    class A:
        """A thing."""

        x: int

        def to_dict(self) -> dict[str, Any]:
            return {"X": self.x}
    '''
)
THEIRS = dedent(
    '''
    """Generated."""

    from __future__ import annotations

    from typing import Any, Literal

    __all__ = ["A", "B"]

    Kind = Literal["a", "b"]


    class A:
        """A thing."""

        x: int
        y: Kind

        def to_dict(self) -> dict[str, Any]:
            return {"X": self.x, "Y": self.y}


    class B:
        """Another."""
    '''
)


def test_merge_fast_paths() -> None:
    assert merge(BASE, BASE, THEIRS, "m.py").text == THEIRS
    assert merge(BASE, THEIRS, THEIRS, "m.py").text == THEIRS
    mine = BASE + "\n\nX = 1\n"
    assert merge(BASE, mine, BASE, "m.py").text == mine


def test_merge_carries_additions() -> None:
    ours = BASE.replace("from typing import Any\n", "import json\nfrom typing import Any, cast\n")
    ours = ours.replace('__all__ = ["A"]', '__all__ = ["A", "helper"]')
    ours = ours.replace('"""A thing."""', '"""A thing, documented by hand."""')
    ours = ours.replace("    x: int\n", "    x: int\n    LIMIT: ClassVar[int] = 3\n")
    ours += dedent(
        '''

            @property
            def doubled(self) -> int:
                return self.x * 2

            @functools.cache
            def dumps(self) -> str:
                return json.dumps(self.to_dict())


        def helper() -> int:
            return cast(int, 1)
        '''
    )
    result = merge(BASE, ours, THEIRS, "m.py")
    assert result.conflicts == []
    text = result.text
    assert text is not None
    assert "import json\n" in text
    assert "from typing import Any, Literal, cast\n" in text
    assert '__all__ = ["A", "B", "helper"]' in text
    assert '"""A thing, documented by hand."""' in text
    assert "    y: Kind\n" in text and "LIMIT: ClassVar[int] = 3" in text
    assert text.index("x: int") < text.index("LIMIT") < text.index("y: Kind")
    assert '"Y": self.y' in text  # the generator's new to_dict
    assert "@property\n    def doubled" in text and "@functools.cache\n    def dumps" in text
    assert text.index("def dumps") < text.index("class B")  # methods stay in their class
    assert text.rstrip().endswith("return cast(int, 1)")  # a trailing helper stays last
    assert text.index("class A:") < text.index("class B:") < text.index("def helper")


def test_merge_user_removal_is_kept() -> None:
    ours = BASE.replace('    """A thing."""\n\n', "")
    text = merge(BASE, ours, THEIRS, "m.py").text
    assert text is not None and "A thing" not in text and "y: Kind" in text


def test_merge_conflict_lists_both_versions() -> None:
    ours = BASE.replace('return {"X": self.x}', 'return {"X": str(self.x)}')
    result = merge(BASE, ours, THEIRS, "pkg/m.py")
    assert result.text is None
    [conflict] = result.conflicts
    assert (conflict.file, conflict.cls, conflict.member) == ("pkg/m.py", "A", "def to_dict")
    assert conflict.ours is not None and "str(self.x)" in conflict.ours
    assert conflict.theirs is not None and '"Y": self.y' in conflict.theirs
    assert "class A: def to_dict" in conflict.describe()
    forced = merge(BASE, ours, THEIRS, "pkg/m.py", force=True)
    assert forced.text is not None and '"Y": self.y' in forced.text and forced.conflicts


def test_merge_generator_removes_what_user_edited() -> None:
    ours = BASE.replace("    x: int\n", "    x: int  # kept by hand\n")
    theirs = BASE.replace("    x: int\n", "")
    result = merge(BASE, ours, theirs, "m.py")
    assert result.text is None and result.conflicts[0].theirs is None


def test_merge_non_python_and_unparsable() -> None:
    assert merge("a\n", "a\nb\n", "a\n", "x.md").text == "a\nb\n"
    assert merge("a\n", "b\n", "c\n", "x.md").conflicts[0].member == "<file>"
    bad = merge(BASE, "def (:\n", THEIRS, "m.py")
    assert bad.text is None and "does not parse" in bad.conflicts[0].member


def test_merge_decorators_setters_and_nested_classes() -> None:
    ours = BASE.replace("class A:\n", "@functools.total_ordering\nclass A:\n")
    ours += textwrap.indent(
        dedent(
            """

            @property
            def size(self) -> int:
                return self.x

            @size.setter
            def size(self, value: int) -> None:
                self.x = value

            class Meta:
                table = "a"
            """
        ),
        "    ",
    )
    result = merge(BASE, ours, THEIRS, "m.py")
    assert result.conflicts == []
    text = result.text
    assert text is not None
    assert "@functools.total_ordering\nclass A:" in text
    assert "@size.setter" in text and text.count("def size(") == 2
    assert 'class Meta:\n        table = "a"' in text
    assert "y: Kind" in text


def test_merge_class_header_conflict() -> None:
    ours = BASE.replace("class A:", "class A(Base):")
    theirs = THEIRS.replace("class A:", "class A(Generated):")
    result = merge(BASE, ours, theirs, "m.py")
    assert result.text is None
    assert [(c.cls, c.member) for c in result.conflicts] == [("A", "class header")]


def test_merge_same_change_both_sides_is_no_conflict() -> None:
    ours = BASE.replace("    x: int\n", "    x: int\n    y: Kind\n")
    result = merge(BASE, ours, THEIRS, "m.py")
    assert result.conflicts == [] and result.text is not None and result.text.count("y: Kind") == 1


# --- the pipeline on the seed page and its next release ----------------------------------


def card_class() -> str:
    """The class of the seed's `ModelCard` member, as the resolver names it."""
    from conftest import SEED

    (names,) = naming.resolve(parse_ok(SEED))
    return names.class_at("create_model_package", "input.ModelCard")


def user_edits(service: Path) -> list[Path]:
    """Edits as a user would make them to the generated models of the seed page, in the
    modules defining the classes; returns those modules."""
    card = card_class()
    card_file, cycle_file = model_file(service, card), model_file(service, "ModelLifeCycle")
    text = card_file.read_text()
    text = text.replace("from dataclasses import dataclass\n", "import json\nfrom dataclasses import dataclass\n")
    text = text.replace("from typing import ", "from typing import ClassVar\nfrom typing import ", 1)
    text, count = re.subn(
        rf'(class {card}\(_Model\):\n    """.*?"""\n)',
        r"\1\n    MAX_CONTENT: ClassVar[int] = 100_000\n\n"
        r"    def to_json(self) -> str:\n        return json.dumps(self.to_dict())\n\n"
        r"    @property\n    def approved(self) -> bool:\n"
        r'        return self.model_card_status == "Approved"\n',
        text, count=1, flags=re.DOTALL,
    )
    assert count == 1
    text += f'\n\ndef card(content: str) -> {card}:\n    """A helper."""\n    return {card}(model_card_content=content)\n'
    card_file.write_text(text)
    # (the class docstrings are the page's text: matched whatever they say)
    text, count = re.subn(
        r'(class ModelLifeCycle\(_Model\):\n    )""".*?"""',
        r'\1"""Where a model is in its life cycle (written by hand)."""',
        cycle_file.read_text(), count=1, flags=re.DOTALL,
    )
    assert count == 1
    cycle_file.write_text(text)
    return sorted({card_file, cycle_file})


@pytest.fixture()
def seeded(tmp_path: Path) -> tuple[Path, Path]:
    inp = tmp_path / "input"
    (inp / PAGE).parent.mkdir(parents=True)
    shutil.copyfile(SEED, inp / PAGE)
    out = tmp_path / "generated"
    run.regenerate([inp], out, PKG)
    return inp, out


def test_user_code_survives_release_move(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    service = out / PKG / "sagemaker"
    edited = user_edits(service)
    shutil.copyfile(reference / PAGE, inp / PAGE)  # the same page, boto3 1.44.8
    result = run.regenerate([inp], out, PKG)
    assert result.conflicts == []
    # (a module whose generated text changed too is merged; the others are left as they are)
    assert set(result.merged) <= {path.relative_to(out).as_posix() for path in edited}
    text = models_text(service)
    # new fields and classes from the new release
    assert "managed_storage_type: ManagedStorageType | UnsetType = UNSET" in text
    assert "class AdditionalModelDataSource(_Model):" in text
    # user code intact
    for snippet in (
        "import json\n",
        "ClassVar",
        "MAX_CONTENT: ClassVar[int] = 100_000",
        "def to_json(self) -> str:",
        "@property\n    def approved(self) -> bool:",
        '"""Where a model is in its life cycle (written by hand)."""',
        f"def card(content: str) -> {card_class()}:",
    ):
        assert snippet in text, snippet
    proc = subprocess.run([sys.executable, "-m", "black", "--check", "-q", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    mypy = run_mypy(out, "-p", PKG)
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    # and the next run has nothing to do: edits are not "stale"
    again = run.regenerate([inp], out, PKG)
    assert again.up_to_date and again.written == []


def test_conflict_is_reported_and_nothing_lost(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    models = model_file(out / PKG / "sagemaker", "Container")
    rel = models.relative_to(out).as_posix()
    text = models.read_text()
    start = text.index("def to_dict(self", text.index("class Container(_Model):"))
    cut = text.index("\n", text.index('"""', start)) + 1  # after the method's docstring
    mine = text[:cut] + "        assert self.image != \"\", \"never sent\"\n" + text[cut:]
    models.write_text(mine)
    shutil.copyfile(reference / PAGE, inp / PAGE)
    result = run.regenerate([inp], out, PKG)
    [conflict] = result.conflicts
    assert (conflict.file, conflict.cls, conflict.member) == (rel, "Container", "def to_dict")
    assert conflict.ours is not None and "never sent" in conflict.ours
    assert conflict.theirs is not None and "AdditionalModelDataSources" in conflict.theirs
    assert models.read_text() == mine  # not overwritten
    assert f"{PKG}/sagemaker/client.pyi" in result.written  # the rest is regenerated
    assert run.regenerate([inp], out, PKG).conflicts  # still pending on the next run

    runner = CliRunner()
    check = runner.invoke(main, ["check", str(inp), "--out", str(out), "--package-name", PKG])
    assert check.exit_code == 1
    assert "Container" in check.output and "to_dict" in check.output

    forced = runner.invoke(main, ["generate", str(inp), "--out", str(out), "--package-name", PKG, "--force"])
    assert forced.exit_code == 0, forced.output
    backup = out / (rel + ".orig")
    assert backup.read_text() == mine
    container = models.read_text().split("class Container(_Model):")[1].split("\nclass ")[0]
    assert "AdditionalModelDataSources" in container and "never sent" not in container
    ok = runner.invoke(main, ["check", str(inp), "--out", str(out), "--package-name", PKG])
    assert ok.exit_code == 0, ok.output


def test_check_exit_codes(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    runner = CliRunner()
    args = ["check", str(inp), "--out", str(out), "--package-name", PKG]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    models = out / PKG / "sagemaker" / "models.py"
    models.write_text(models.read_text() + "\n\nEXTRA = 1\n")  # a harmless hand edit
    assert runner.invoke(main, args).exit_code == 0
    before = models.stat().st_mtime_ns
    shutil.copyfile(reference / PAGE, inp / PAGE)
    res = runner.invoke(main, args)
    assert res.exit_code == 1
    assert f"{PKG}/sagemaker/models.py" in res.output and "sagemaker" in res.output
    assert models.stat().st_mtime_ns == before  # check writes nothing
    gen = runner.invoke(main, ["generate", str(inp), "--out", str(out), "--package-name", PKG])
    assert gen.exit_code == 0, gen.output
    assert runner.invoke(main, args).exit_code == 0
    assert "EXTRA = 1" in models.read_text()
