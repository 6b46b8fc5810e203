"""Class names that never move (issue 14): the names registry, `--reresolve-names`,
`[tool.codegen.names]` overrides and renames as changes, on real pages.

Expected names are never typed in: what a run published is read from the registry it
wrote (`.codegen/names/<service>.json`), and a later run must give the same places the
same names.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegen import naming
from codegen import registry as reg
from codegen.cli import main
from conftest import SEED
from gen_support import models_text, parse_dir

PKG = "typed_names"
PAGE = Path("sagemaker/client/create_model_package.rst")
# Pages of the same service that share structures with the seed (InferenceSpecification,
# ValidationSpecification, ModelMetrics, ...): adding them makes names collide.
NEIGHBOURS = ("create_algorithm", "describe_model_package", "describe_algorithm", "update_model_package",
              "batch_describe_model_package", "list_model_packages")


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def places_by_name(out: Path, service: str = "sagemaker") -> dict[str, set[str]]:
    registry = reg.loads((out / ".codegen" / "names" / f"{service}.json").read_text())
    return {e.name: set(e.paths) for e in registry.classes + registry.enums}


def name_at(out: Path) -> dict[str, str]:
    return {p: name for name, places in places_by_name(out).items() for p in places}


def assert_kept(before: dict[str, str], after: dict[str, str]) -> None:
    """Every place named before and still there has the same name."""
    moved = {p: (before[p], after[p]) for p in before.keys() & after.keys() if before[p] != after[p]}
    assert not moved, sorted(moved.items())[:10]
    assert before.keys() & after.keys()


def edit(page: Path, n: int) -> None:
    """A documentation edit: the page's service is regenerated."""
    page.write_text(page.read_text().replace("Creates a model package", f"Creates a model package (edit {n})", 1))


def generate(inp: Path, out: Path, *extra: str) -> str:
    code, output = run("generate", inp, "--out", out, "--package-name", PKG, "-q", "-j", "1", *extra)
    assert code == 0, output
    return output


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, Path]:
    inp, out = tmp_path / "input", tmp_path / "out"
    (inp / PAGE).parent.mkdir(parents=True)
    shutil.copy(SEED, inp / PAGE)
    return inp, out


def test_adding_removing_and_reordering_pages_renames_nothing(reference: Path, project: tuple[Path, Path]) -> None:
    inp, out = project
    generate(inp, out)
    first = name_at(out)
    # The same page as boto3 1.44.8 renders it (the seed is 1.42.50's), and pages whose
    # structures collide with the seed's: without the registry some of these names move.
    shutil.copy(reference / PAGE, inp / PAGE)
    for name in NEIGHBOURS:
        shutil.copy(reference / PAGE.parent / f"{name}.rst", inp / PAGE.parent / f"{name}.rst")
    generate(inp, out)
    grown = name_at(out)
    assert_kept(first, grown)
    afresh = naming.resolve(parse_dir(inp / "sagemaker" / "client"))[0]
    unpinned = {reg.place(op, path): name for (op, path), name in afresh.by_path.items()}
    assert any(unpinned.get(p) not in (None, n) for p, n in first.items()), "the pages make no name move"
    # Removing pages again, and the registry alone decides: the places left keep their names.
    for name in NEIGHBOURS[::2]:
        (inp / PAGE.parent / f"{name}.rst").unlink()
    generate(inp, out)
    assert_kept(grown, name_at(out))
    assert "class-renamed" not in (out / "CHANGES.md").read_text()


def test_resolution_ignores_page_order_and_keeps_published_names(reference: Path) -> None:
    ops = list(parse_dir(reference / "sagemaker" / "client"))
    whole = naming.resolve_service(ops)
    shuffled = ops[:]
    random.Random(14).shuffle(shuffled)
    assert naming.resolve_service(shuffled).by_path == whole.by_path
    published = reg.loads(reg.dumps(whole.registry))  # as written to disk and read back
    half = [op for i, op in enumerate(shuffled) if i % 2]
    kept = naming.resolve_service(half, published)
    assert all(whole.by_path[k] == v for k, v in kept.by_path.items()), "a published name moved"
    assert not kept.renames
    seed_only = [op for op in ops if op.name == "create_model_package"]
    small = naming.resolve_service(seed_only)
    grown = naming.resolve_service(ops, reg.loads(reg.dumps(small.registry)))
    assert all(grown.by_path[k] == v for k, v in small.by_path.items())


def test_reresolve_names_renames_with_aliases_and_changelog(project: tuple[Path, Path]) -> None:
    inp, out = project
    generate(inp, out)
    registry_file = out / ".codegen" / "names" / "sagemaker.json"
    data = json.loads(registry_file.read_text())
    # A registry as an older resolver left it: two classes under other names.
    renamed = {}
    for name in sorted(data["classes"])[:2]:
        renamed[f"Legacy{name}"] = name
        data["classes"][f"Legacy{name}"] = data["classes"].pop(name)
    for body in [*data["classes"].values(), *data["enums"].values()]:  # (`Class.member` places, format 2)
        body["paths"] = [f"Legacy{p}" if re.match(r"(.+?)[.\[{]", p)[1] in renamed.values() else p  # type: ignore[index]
                         for p in body["paths"]]
    registry_file.write_text(json.dumps(data))
    edit(inp / PAGE, 1)  # (a registry edited by hand redoes nothing by itself)
    generate(inp, out)  # the registry rules: the legacy names are kept
    assert all(f"class {old}(" in models_text(out / PKG / "sagemaker") for old in renamed)
    generate(inp, out, "--reresolve-names")
    models = models_text(out / PKG / "sagemaker")
    stubs = (out / PKG / "sagemaker" / "client.pyi").read_text()
    changes = (out / "CHANGES.md").read_text()
    for old, new in renamed.items():
        assert f"class {new}(" in models and aliased(models, old, new)
        assert f"\n{old}TypeDef = {new}TypeDef\n" in stubs
        assert f"class `{old}` renamed to `{new}` (`class-renamed`)" in changes
    assert changes.count("class-renamed") == len(renamed)
    assert json.loads(registry_file.read_text())["deprecated"] == {old: new for old, new in renamed.items()}
    # Redone without a page change (a generated file gone; a new codegen): they stay.
    (out / PKG / "sagemaker" / "models.py").unlink()
    generate(inp, out)
    models = (out / PKG / "sagemaker" / "models.py").read_text()
    assert all(aliased(models, old, new) for old, new in renamed.items())
    # The next regeneration from changed pages drops them (and reports nothing again).
    edit(inp / PAGE, 2)
    generate(inp, out)
    models = (out / PKG / "sagemaker" / "models.py").read_text()
    assert not any(f"{old} = " in models or f'"{old}"' in models for old in renamed)
    assert (out / "CHANGES.md").read_text().count("class-renamed") == len(renamed)


def aliased(models: str, old: str, new: str) -> bool:
    """models.py has the deprecated old name: for type checkers, and for its __getattr__."""
    return f"\n    {old} = {new}\n" in models and f'\n    "{old}": "{new}",\n' in models


def test_name_overrides_from_pyproject(
    project: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inp, out = project
    monkeypatch.chdir(tmp_path)  # the project's pyproject.toml
    generate(inp, out)
    before = places_by_name(out)
    target = sorted(before)[0]
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.codegen]\ninput = "input"\nout = "out"\npackage-name = "{PKG}"\n'
        f'[tool.codegen.names.sagemaker]\n{target} = "MyOwnName"\n'
    )
    code, output = run("generate", "--out", out, "-q", "-j", "1", "--package-name", PKG, inp)
    assert code == 0, output
    after = places_by_name(out)
    assert after["MyOwnName"] == before[target] and target not in after
    assert "class MyOwnName(" in models_text(out / PKG / "sagemaker")


@pytest.mark.parametrize("bad", ['"class"', '"__import__"', '"os.system"', '"Any"', "3"])
def test_bad_override_is_one_line(
    project: tuple[Path, Path], tmp_path: Path, bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    inp, out = project
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(f"[tool.codegen.names.sagemaker]\nInferenceSpecification = {bad}\n")
    code, output = run("generate", inp, "--out", out, "-q")
    assert code != 0
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "[tool.codegen.names]" in lines[0], output
    assert not out.exists()


@pytest.mark.parametrize("damage", ["{not json", '{"version": 1, "classes": {"os.system": {"paths": []}}}',
                                    '{"version": 1, "classes": {"Container": {"paths": "x"}}}'])
def test_damaged_registry_fails_the_service_and_writes_nothing(project: tuple[Path, Path], damage: str) -> None:
    inp, out = project
    generate(inp, out)
    (out / ".codegen" / "names" / "sagemaker.json").write_text(damage)
    models = (out / PKG / "sagemaker" / "models.py").read_bytes()
    edit(inp / PAGE, 1)
    code, output = run("generate", inp, "--out", out, "--package-name", PKG, "-q", "-j", "1")
    assert code == 1
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert errors and "names" in errors[0] and "Traceback" not in output, output
    assert (out / PKG / "sagemaker" / "models.py").read_bytes() == models


def test_diff_reports_resolver_renames(reference: Path, tmp_path: Path) -> None:
    """`codegen diff` has no registry: it reports where the resolver would name a place
    differently in the new revision, under its own rule id and level."""
    old, new = tmp_path / "old", tmp_path / "new"
    for root in (old, new):
        (root / PAGE.parent).mkdir(parents=True)
        shutil.copy(reference / PAGE, root / PAGE)
    for name in NEIGHBOURS:
        shutil.copy(reference / PAGE.parent / f"{name}.rst", new / PAGE.parent / f"{name}.rst")
    code, output = run("diff", old, new, "--format", "json")
    assert code == 0
    changes = [c for c in json.loads(output)["changes"] if c["rule"] == "class-renamed"]
    before = naming.resolve(parse_dir(old / "sagemaker" / "client"))[0]
    after = naming.resolve(parse_dir(new / "sagemaker" / "client"))[0]
    moved = {
        (name, after.by_path[key]) for key, name in before.by_path.items()
        if key[1] not in ("input", "output") and after.by_path.get(key, name) != name
    }
    assert moved and {(c["detail"]["old"], c["detail"]["new"]) for c in changes if c["detail"]["kind"] == "class"} == moved
    assert {c["level"] for c in changes} == {"WARN"}


@pytest.mark.corpus
def test_whole_reference_keeps_published_names() -> None:
    """Over every service boto3 1.42.50 and 1.44.8 both have: names published from
    1.42.50's pages are kept on 1.44.8's (the seed's upgrade, for every service), and
    names published from 1.44.8 are kept when half its pages go, in another order."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "releases"))
    import render_release
    from conftest import corpus_root

    from gen_support import parse_ok

    new_root = corpus_root()
    services = sorted(p.name for p in new_root.iterdir() if (p / "client").is_dir())
    moved: list[tuple[str, str, str, str]] = []
    compared = split = 0
    for service in services:
        new_ops = parse_ok(new_root / service / "client", broken_upstream_ok=True)
        if not any(op.kind == "client" for op in new_ops):
            continue
        whole = naming.resolve_service(new_ops)
        half = [op for i, op in enumerate(sorted(new_ops, key=lambda o: o.name)[::-1]) if i % 2]
        if any(op.kind == "client" for op in half):
            kept = naming.resolve_service(half, reg.loads(reg.dumps(whole.registry)))
            for key, name in kept.by_path.items():
                compared += 1
                if whole.by_path[key] != name:
                    moved.append((service, *key, name))
        old_pages = render_release.cache_root() / "boto3-1.42.50" / service / "client"
        if not old_pages.is_dir():
            try:
                old_pages = render_release.render("1.42.50", service) / "client"
            except render_release.ReleaseError:
                continue  # a service new in 1.44.8
        old_ops = parse_ok(old_pages, broken_upstream_ok=True)
        if not any(op.kind == "client" for op in old_ops):
            continue
        before = naming.resolve_service(old_ops)
        after = naming.resolve_service(new_ops, reg.loads(reg.dumps(before.registry)))
        shared = [(key, name) for key, name in before.by_path.items()
                  if key in after.by_path and key[1] not in ("input", "output")]
        successors: dict[str, set[str]] = {}
        for key, name in shared:
            successors.setdefault(name, set()).add(after.by_path[key])
        for key, name in shared:
            compared += 1
            if after.by_path[key] != name:
                split += 1
                # Only where the published class split in two (its places now hold two
                # structures): the part at the most places keeps the name (docs/names.md).
                if len(successors[name]) < 2 or name not in successors[name]:
                    moved.append((service, *key, after.by_path[key]))
    print(f"{len(services)} services, {compared} places compared, {split} at classes that split, "
          f"{len(moved)} moved otherwise")
    assert compared > 100_000
    assert not moved, moved[:10]
