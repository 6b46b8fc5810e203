"""Edits are sacred (issue 12): a hand-edited file that cannot be read, decoded or parsed,
or that was replaced by a symlink, is a conflict (never overwritten, never removed);
rewritten files keep their mode; conflict reports are short diffs; the options an
output was made with are its defaults, and a new package name needs --rename-package.

Every case runs on the seed page, moved between two generations to the same page of
boto3 1.44.8 (the `reference` fixture), or deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codegen.cli import main
from codegen.emit.models import MODELS_DIR, bucket_of
from codegen.pipeline import state as mf
from conftest import REPO, SEED
from gen_support import models_text

PKG = "typed_sacred"
PAGE = "sagemaker/client/create_model_package.rst"
OTHER = "kinesis/client/list_streams.rst"  # a second service: removing sagemaker leaves a run
# The module defining Container: the class the new release of the page changes.
MODELS = f"{PKG}/sagemaker/{MODELS_DIR}/{bucket_of('Container')}.py"
NEW_FIELD = "additional_model_data_sources"  # a field of Container the new release adds
LATIN1_EDIT = "\n# caf\u00e9: written in Latin-1 by the user's editor\n".encode("latin-1")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def generate(inp: Path, out: Path, *extra: str) -> Result:
    return run("generate", str(inp), "--out", str(out), "--package-name", PKG, "-j", "1", "-q", *extra)


def check(inp: Path, out: Path) -> Result:
    return run("check", str(inp), "--out", str(out), "--package-name", PKG, "-j", "1")


@pytest.fixture()
def seeded(tmp_path: Path, reference: Path) -> tuple[Path, Path]:
    inp = tmp_path / "input"
    for rel, source in ((PAGE, SEED), (OTHER, reference / OTHER)):
        (inp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, inp / rel)
    out = tmp_path / "gen"
    first = generate(inp, out)
    assert first.exit_code == 0, first.output
    return inp, out


def tree_digest(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def new_release(inp: Path, reference: Path) -> None:
    """The seed page becomes the same page of boto3 1.44.8 (new members, new classes)."""
    shutil.copyfile(reference / PAGE, inp / PAGE)


def assert_conflict(result: Result, rel: str, why: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("conflict: ")]
    assert any(rel in line and why in line for line in lines), result.stderr


# --- a file that cannot be decoded, read or parsed ------------------------------------------


def test_undecodable_edit_is_a_conflict_then_kept_by_force(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    models = out / MODELS
    mine = models.read_bytes() + LATIN1_EDIT
    models.write_bytes(mine)
    new_release(inp, reference)

    result = generate(inp, out)
    assert_conflict(result, MODELS, "not UTF-8 (byte 0xe9")
    assert "\n    +# caf\\xe9: written in Latin-1" in result.stderr  # the hunk, bad byte escaped
    assert len(result.stderr.splitlines()) < 15
    assert models.read_bytes() == mine  # not overwritten
    assert not (out / (MODELS + ".orig")).exists()
    assert f"{PKG}/sagemaker/client.pyi" in mf.load(out).file_shas()  # type: ignore[union-attr]  # the rest went through
    dry = check(inp, out)
    assert dry.exit_code == 1 and "not UTF-8" in dry.output
    assert models.read_bytes() == mine

    forced = generate(inp, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / (MODELS + ".orig")).read_bytes() == mine  # the user's bytes, byte for byte
    assert NEW_FIELD in models.read_text(encoding="utf-8")
    assert check(inp, out).exit_code == 0


def test_undecodable_edit_of_the_changelog_is_kept(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    changes = out / "CHANGES.md"
    mine = changes.read_bytes() + LATIN1_EDIT
    changes.write_bytes(mine)
    new_release(inp, reference)
    result = generate(inp, out)
    assert result.exit_code == 0, result.output
    text = changes.read_bytes()
    assert text.endswith(mine.split(b"\n", 1)[1]) and len(text) > len(mine)  # a section on top, the rest as it was


def test_undecodable_edit_of_a_removed_file_is_kept(seeded: tuple[Path, Path]) -> None:
    inp, out = seeded
    models = out / MODELS
    mine = models.read_bytes() + LATIN1_EDIT
    models.write_bytes(mine)
    (inp / PAGE).unlink()  # the service goes away

    result = generate(inp, out)
    assert_conflict(result, MODELS, "not UTF-8")
    assert models.read_bytes() == mine  # never removed
    assert not (out / f"{PKG}/sagemaker/client.pyi").exists()  # its unedited siblings were
    assert generate(inp, out).exit_code == 1  # reported again until resolved

    forced = generate(inp, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert not models.exists()
    assert (out / (MODELS + ".orig")).read_bytes() == mine
    assert generate(inp, out).exit_code == 0


def test_removed_file_of_an_output_made_before_the_manifest_is_kept(seeded: tuple[Path, Path]) -> None:
    """No manifest (only the plain file list): edits cannot be told apart, so a file the
    generator no longer makes is moved to <file>.orig, never deleted."""
    inp, out = seeded
    listed = mf.load(out)
    assert listed is not None
    (out / mf.LEGACY_LISTING).write_text("".join(f"{rel}\n" for rel in listed.tracked()))
    shutil.rmtree(out / ".codegen")
    doc = out / "docs/sagemaker/create_model_package.md"
    mine = doc.read_bytes() + LATIN1_EDIT
    doc.write_bytes(mine)
    (inp / PAGE).unlink()
    result = generate(inp, out)
    assert result.exit_code == 0, result.output
    assert not doc.exists()
    assert (out / "docs/sagemaker/create_model_package.md.orig").read_bytes() == mine
    assert "create_model_package.md.orig: your version, kept" in result.stderr


def test_unparsable_python_edit_is_a_conflict(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    models = out / MODELS
    mine = models.read_bytes() + b"\n\ndef half_written(:\n"
    models.write_bytes(mine)
    new_release(inp, reference)

    result = generate(inp, out)
    assert_conflict(result, MODELS, "your file does not parse")
    assert models.read_bytes() == mine
    forced = generate(inp, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / (MODELS + ".orig")).read_bytes() == mine


def test_fifo_in_place_of_a_generated_file_is_a_conflict(seeded: tuple[Path, Path], reference: Path) -> None:
    """Anything but a regular file is left alone, and never opened (a FIFO would hang)."""
    inp, out = seeded
    models = out / MODELS
    models.unlink()
    os.mkfifo(models)
    new_release(inp, reference)
    result = generate(inp, out)
    assert_conflict(result, MODELS, "is not a regular file")
    assert stat.S_ISFIFO(os.lstat(models).st_mode)


# --- symlinks -----------------------------------------------------------------------------


def test_symlinked_generated_file_is_a_conflict(seeded: tuple[Path, Path], reference: Path, tmp_path: Path) -> None:
    inp, out = seeded
    models = out / MODELS
    elsewhere = tmp_path / "my_models.py"
    mine = models.read_bytes() + b"\nMINE = 1\n"
    elsewhere.write_bytes(mine)
    models.unlink()
    models.symlink_to(elsewhere)
    new_release(inp, reference)

    result = generate(inp, out)
    assert_conflict(result, MODELS, "is a symlink")
    assert models.is_symlink() and os.readlink(models) == str(elsewhere)  # not replaced
    assert elsewhere.read_bytes() == mine  # not written through

    forced = generate(inp, out, "--force")
    assert forced.exit_code == 0, forced.output
    backup = out / (MODELS + ".orig")
    assert backup.is_symlink() and os.readlink(backup) == str(elsewhere)  # the link, kept as it was
    assert not models.is_symlink() and NEW_FIELD in models.read_text()
    assert elsewhere.read_bytes() == mine


def test_symlink_of_a_removed_file_is_kept(seeded: tuple[Path, Path], tmp_path: Path) -> None:
    inp, out = seeded
    models = out / MODELS
    elsewhere = tmp_path / "my_models.py"
    elsewhere.write_bytes(models.read_bytes())  # even with the generated content
    models.unlink()
    models.symlink_to(elsewhere)
    (inp / PAGE).unlink()
    result = generate(inp, out)
    assert_conflict(result, MODELS, "is a symlink")
    assert models.is_symlink() and elsewhere.exists()


# --- file modes -----------------------------------------------------------------------------


def test_file_modes_are_kept(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    models = out / MODELS
    validators = out / f"{PKG}/sagemaker/validators.py"
    models.chmod(0o600)
    validators.chmod(0o755)
    edited = out / f"{PKG}/sagemaker/client.pyi"
    edited.write_text(edited.read_text() + "\n\nEXTRA: int\n")  # merged, not just rewritten
    edited.chmod(0o640)
    before = {p: p.read_bytes() for p in (models, validators, edited)}
    new_release(inp, reference)
    result = generate(inp, out)
    assert result.exit_code == 0, result.output
    for path, mode in ((models, 0o600), (validators, 0o755), (edited, 0o640)):
        assert path.read_bytes() != before[path], path  # rewritten
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    assert "EXTRA: int" in edited.read_text()
    new_file = out / f"docs/sagemaker/create_model_package.md"
    assert stat.S_IMODE(new_file.stat().st_mode) == 0o644


def test_new_files_are_0644_whatever_the_umask(tmp_path: Path, reference: Path) -> None:
    """A cold run under umask 077: every file it makes can be read by all (the package is
    shared, committed, installed), as under the usual 022."""
    inp = tmp_path / "in" / "sagemaker" / "client"
    inp.mkdir(parents=True)
    shutil.copyfile(reference / "sagemaker" / "client" / "create_model_package.rst", inp / "create_model_package.rst")
    out = tmp_path / "out"
    before = os.umask(0o077)
    try:
        result = generate(tmp_path / "in", out)
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.output
    made = [p for p in out.rglob("*") if p.is_file() and ".codegen" not in p.parts]
    assert len(made) > 10
    assert {p.relative_to(out).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in made if stat.S_IMODE(p.stat().st_mode) != 0o644} == {}


# --- conflict reports -----------------------------------------------------------------------


def test_conflict_report_is_a_short_diff_of_the_hunk(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    models = out / MODELS
    text = models.read_text()
    start = text.index("def to_dict(self", text.index("class Container(_Model):"))
    cut = text.index("\n", text.index('"""', start)) + 1
    models.write_text(text[:cut] + '        assert self.image != "", "never sent"\n' + text[cut:])
    new_release(inp, reference)
    result = generate(inp, out)
    assert result.exit_code == 1
    err = result.stderr
    assert "conflict: " in err and "class Container: def to_dict" in err
    assert '\n    +    assert self.image != "", "never sent"\n' in err  # the user's hunk, as a diff
    assert "+++ yours" in err and "+++ generator now" in err
    report = err[err.index("conflict: ") : err.index("conflicting hand edit(s)")]
    assert len(report.splitlines()) < 50  # a hunk, not the method, let alone the file
    whole = models.read_text()
    assert len(whole.splitlines()) > 100


def test_whole_file_conflict_is_capped(seeded: tuple[Path, Path], reference: Path) -> None:
    inp, out = seeded
    doc = out / "docs/sagemaker/create_model_package.md"
    doc.write_text("\n".join(f"my line {i}" for i in range(300)) + "\n")  # rewritten by hand
    new_release(inp, reference)
    result = generate(inp, out)
    assert_conflict(result, "docs/sagemaker/create_model_package.md", "<file>")
    assert "... " in result.stderr and " more lines" in result.stderr
    assert "my line 299" not in result.stderr


# --- options recorded in the manifest -----------------------------------------------------


def test_options_are_remembered_by_check_and_generate(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    first = run("generate", str(SEED), "--out", str(out), "--package-name", "docmodels",
                "--targets", "models,stubs,docs", "-j", "1", "-q")
    assert first.exit_code == 0, first.output
    recorded = mf.load(out)
    assert recorded is not None and (recorded.package, recorded.targets) == ("docmodels", ("models", "stubs", "docs"))
    before = tree_digest(out)

    # No flag: the recorded options, not pyproject's [tool.codegen] (aws_typed, all targets).
    ok = run("check", str(SEED), "--out", str(out), "-j", "1")
    assert ok.exit_code == 0, ok.output
    assert "up to date" in ok.output
    again = run("generate", str(SEED), "--out", str(out), "-j", "1", "-q")
    assert again.exit_code == 0, again.output
    assert (out / "docmodels").is_dir() and not (out / "aws_typed").exists()
    assert not (out / "docmodels/sagemaker/validators.py").exists()
    assert tree_digest(out) == before

    # A flag given explicitly wins (targets), and is then recorded.
    more = run("generate", str(SEED), "--out", str(out), "--targets", "models,validators,stubs,docs", "-j", "1", "-q")
    assert more.exit_code == 0, more.output
    assert (out / "docmodels/sagemaker/validators.py").is_file()
    assert run("check", str(SEED), "--out", str(out), "-j", "1").exit_code == 0


@pytest.mark.parametrize("command", ["generate", "check"])
def test_another_package_name_is_refused(tmp_path: Path, command: str) -> None:
    out = tmp_path / "gen"
    assert run("generate", str(SEED), "--out", str(out), "--package-name", "docmodels", "-q").exit_code == 0
    before = tree_digest(out)
    refused = run(command, str(SEED), "--out", str(out), "--package-name", "other")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        f"error: {out} was generated with --package-name docmodels; "
        "to rename it to other, run `codegen generate` with --rename-package"
    ]
    assert tree_digest(out) == before


def test_rename_package_carries_hand_edits(tmp_path: Path, reference: Path) -> None:
    from test_regenerate_merge import user_edits

    inp = tmp_path / "input"
    (inp / PAGE).parent.mkdir(parents=True)
    shutil.copyfile(SEED, inp / PAGE)
    out = tmp_path / "gen"
    gen = ["generate", str(inp), "--out", str(out), "-j", "1", "-q"]
    assert run(*gen, "--package-name", "docmodels").exit_code == 0
    user_edits(out / "docmodels/sagemaker")
    models = out / "docmodels" / MODELS.partition("/")[2]
    models.chmod(0o600)
    # An import of the package the user extended: renamed with the others, merged by name.
    runtime_import = "from docmodels._runtime import (\n"
    text = models.read_text()
    assert runtime_import in text
    text = text.replace(runtime_import, runtime_import + "    to_wire as wire,\n", 1)
    # A conflicting edit (a short conflict, not the whole file) besides the others.
    start = text.index("def to_dict(self", text.index("class Container(_Model):"))
    cut = text.index("\n", text.index('"""', start)) + 1
    models.write_text(text[:cut] + '        assert self.image != "", "never sent"\n' + text[cut:])
    new_release(inp, reference)  # and the page moves on at the same time

    renamed = run(*gen, "--package-name", "other", "--rename-package")
    assert renamed.exit_code == 1, renamed.output
    conflicts = [line for line in renamed.stderr.splitlines() if line.startswith("conflict: ")]
    moved_rel = "other/" + MODELS.partition("/")[2]
    assert conflicts == [
        f"conflict: {moved_rel}: class Container: def to_dict: changed by hand and by the generator"
    ]
    report = renamed.stderr[renamed.stderr.index("conflict: ") : renamed.stderr.index("conflicting hand edit(s)")]
    assert len(report.splitlines()) < 30
    moved = out / moved_rel
    assert not (out / "docmodels").exists()
    assert "never sent" in moved.read_text()  # left as it is: the conflict is pending
    assert "from other._runtime import (\n    to_wire as wire,\n" in moved.read_text()  # renamed

    forced = run(*gen, "--package-name", "other", "--force")  # recorded now: no --rename-package
    assert forced.exit_code == 0, forced.output
    assert (out / (moved_rel + ".orig")).read_text().count("never sent") == 1
    text = moved.read_text()
    assert "docmodels" not in text
    statement = text.split("from other._runtime import")[1]
    assert "to_wire as wire" in statement[: statement.index(")" if statement.startswith(" (") else "\n")]
    everything = models_text(out / "other/sagemaker")
    assert "docmodels" not in everything
    for snippet in ("MAX_CONTENT: ClassVar[int] = 100_000", "def to_json(self) -> str:", "def card(content: str)"):
        assert snippet in everything, snippet  # the other edits came along
    assert NEW_FIELD in text  # and the new release
    assert stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert run("check", str(inp), "--out", str(out), "-j", "1").exit_code == 0


def test_rename_package_without_edits(seeded: tuple[Path, Path]) -> None:
    inp, out = seeded
    result = run("generate", str(inp), "--out", str(out), "--package-name", "renamed", "--rename-package", "-q")
    assert result.exit_code == 0, result.output
    assert not (out / PKG).exists() and (out / "renamed/sagemaker/models.py").is_file()
    assert f"{PKG}" not in (out / "renamed/sagemaker/models.py").read_text()
    assert run("check", str(inp), "--out", str(out)).exit_code == 0


# --- the adversarial loop ---------------------------------------------------------------


def test_adversarial_edits_lose_nothing(reference: Path) -> None:
    """bench/adversarial_edits.py: every kind of hand edit × every page change, once."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("adversarial_edits", REPO / "bench" / "adversarial_edits.py")
    assert spec is not None and spec.loader is not None
    adversarial = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = adversarial  # (dataclasses look their module up)
    spec.loader.exec_module(adversarial)
    cases = len(adversarial.EDITS) * len(adversarial.PAGE_CHANGES)
    stats = adversarial.run(cases, seed=12, reference=reference, log=lambda line: None)
    assert stats.cases == cases
    assert stats.lost == [] and stats.raised == []
    outcomes = " ".join(stats.outcomes)
    for seen in ("kept", "merged", "conflict→orig", "restored", "mode kept"):
        assert seen in outcomes, (seen, stats.outcomes)


def test_changelog_that_is_a_link_is_neither_read_through_nor_replaced(
    seeded: tuple[Path, Path], reference: Path, tmp_path: Path
) -> None:
    """The output may come from a pull request: a CHANGES.md linked to a private file
    must not have that file's text copied into the output, and the user's link stays."""
    inp, out = seeded
    secret = tmp_path / "credentials"
    secret.write_text("aws_secret_access_key = AKIA-never-copied\n")
    changes = out / "CHANGES.md"
    changes.unlink()
    changes.symlink_to(secret)
    new_release(inp, reference)
    result = generate(inp, out)
    assert result.exit_code == 1, result.output
    assert "error: CHANGES.md:1: is a symlink" in result.stderr
    assert changes.is_symlink() and secret.read_text() == "aws_secret_access_key = AKIA-never-copied\n"
    copied = [p for p in out.rglob("*") if not p.is_symlink() and p.is_file() and b"AKIA" in p.read_bytes()]
    assert copied == []
    # Once the link is gone, runs go on (the section held back comes with the
    # service's next change: its saved tree was not moved on).
    changes.unlink()
    again = generate(inp, out)
    assert again.exit_code == 0, again.output


def test_diff_ignore_file_that_is_a_fifo_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "ignore.txt"
    os.mkfifo(fifo)
    result = run("diff", str(SEED), str(SEED), "--ignore", str(fifo), "-j", "1")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {fifo}: not a regular file: not read"]
