"""`codegen diff` on the command line: inputs, formats, exit codes, ignore files, grouping.

The pages are real: the seed (boto3 1.42.50) and the same pages of 1.44.8, rendered by
tests/releases/render_release.py. The rules that this pair of releases does not
exercise are checked on the seed's tree with one thing changed.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegen import diff, tree
from codegen.cli import main
from codegen.parse import parse_paths
from codegen.tree import Member, Operation, Shape
from releases import data, model_changes

PAGE = "create_model_package.rst"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "diff-json.md"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *map(str, args)])
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def new_page() -> Path:
    return data.pages(data.NEW) / "client" / PAGE


@pytest.fixture(scope="module")
def two_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two operations that embed the same container structure, in both releases."""
    root = tmp_path_factory.mktemp("releases")
    dirs = []
    for version in (data.OLD, data.NEW):
        target = root / version / "client"
        target.mkdir(parents=True)
        for page in (PAGE, "update_model_package.rst"):
            shutil.copy(data.pages(version) / "client" / page, target / page)
        dirs.append(root / version)
    return dirs[0], dirs[1]


@pytest.fixture(scope="module")
def two_trees(two_dirs: tuple[Path, Path]) -> tuple[Path, Path]:
    """The same two directories saved as shape-tree JSON (parsed once, quick to diff)."""
    saved = []
    for folder in two_dirs:
        path = folder.with_suffix(".json")
        path.write_text(tree.dumps(diff.load_operations(folder, parse_paths)))
        saved.append(path)
    return saved[0], saved[1]


# --- exit codes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_facts() -> set[model_changes.Fact]:
    """What the two releases' models say changed on the seed's page."""
    facts = model_changes.expected_facts(
        data.model(data.OLD), data.model(data.NEW), data.SERVICE_CLASS
    )
    return {f for f in facts if f[1] == "SageMaker.Client.create_model_package"}


def test_text_report_of_the_seed_against_1_44_8(
    new_page: Path, seed_facts: set[model_changes.Fact]
) -> None:
    code, out, err = run(data.SEED, new_page)
    assert code == 0 and err == ""
    assert "SageMaker.Client.create_model_package\n" in out
    levels = model_changes.documented_levels(DOCS.read_text(encoding="utf-8"))
    changes = model_changes.expected_changes(seed_facts)
    counts = Counter(levels[next(iter(c))[0]] for c in changes)
    assert len(changes) >= 2 and counts  # the models say the page changed
    summary = f"{len(changes)} changes ({counts['ERR']} ERR, {counts['WARN']} WARN, {counts['INFO']} INFO)"
    assert out.rstrip().endswith(summary)
    # Each change the models show, at each of its paths, with its level.
    for rule, _, path, value in seed_facts:
        head = f"  {levels[rule]:<4}  {rule}  "
        assert f"{head}{path}\n" in out or (f"        also at {path}\n" in out and head in out), (
            rule,
            path,
        )
        assert not value or f"`{value}`" in out
    assert "\x1b[" not in out  # no colour when not on a terminal


@pytest.mark.parametrize(
    ("reverse", "fail_on", "expected"),
    [
        (False, None, 0),
        (False, "INFO", 1),
        (False, "WARN", 0),
        (False, "ERR", 0),
        (True, "ERR", 1),  # 1.44.8 → 1.42.50 removes request members
        (True, "err", 1),
        (True, None, 0),
    ],
)
def test_fail_on(new_page: Path, reverse: bool, fail_on: str | None, expected: int) -> None:
    sides = (new_page, data.SEED) if reverse else (data.SEED, new_page)
    args = [*sides] + (["--fail-on", fail_on] if fail_on else [])
    assert run(*args)[0] == expected


def _unreadable(tmp: Path) -> dict[str, Path]:
    cases = {
        "missing": tmp / "no-such-page.rst",
        "binary": tmp / "image.rst",
        "latin1": tmp / "latin1.rst",
        "not-a-tree": tmp / "other.json",
        "bad-json": tmp / "broken.json",
        "not-a-method-page": tmp / "index.rst",
        "empty-dir": tmp / "empty",
    }
    cases["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    cases["latin1"].write_bytes("Caf\xe9\n====\n".encode("latin-1"))
    cases["not-a-tree"].write_text('{"ir_version": 99, "operations": []}\n')
    cases["bad-json"].write_text('{"ir_version": 1, "operations": [\n')
    cases["not-a-method-page"].write_text("SageMaker\n=========\n\nThe service index.\n")
    cases["empty-dir"].mkdir()
    return cases


@pytest.mark.parametrize(
    "case",
    ["missing", "binary", "latin1", "not-a-tree", "bad-json", "not-a-method-page", "empty-dir"],
)
@pytest.mark.parametrize("side", ["old", "new"])
def test_unreadable_input_exits_2_with_one_line(
    tmp_path: Path, new_page: Path, case: str, side: str
) -> None:
    bad = _unreadable(tmp_path)[case]
    args = (bad, new_page) if side == "old" else (data.SEED, bad)
    code, out, err = run(*args, "--fail-on", "INFO")
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {bad}") and err.count("\n") == 1, err


# --- inputs -------------------------------------------------------------------------


def test_saved_parse_json_is_the_same_input_as_the_pages(tmp_path: Path, new_page: Path) -> None:
    saved = tmp_path / "old.json"
    parsed = CliRunner().invoke(main, ["parse", str(data.SEED), "--format", "json"])
    assert parsed.exit_code == 0
    saved.write_text(parsed.stdout)
    from_json = json.loads(run(saved, new_page, "--format", "json")[1])
    from_page = json.loads(run(data.SEED, new_page, "--format", "json")[1])
    assert from_json["changes"] == from_page["changes"] and from_json["changes"]
    assert run(saved, data.SEED, "--fail-on", "INFO")[0] == 0  # same tree: no change


def test_directories_and_shared_structures(two_dirs: tuple[Path, Path]) -> None:
    old, new = two_dirs
    doc = json.loads(run(old, new, "--format", "json")[1])
    assert doc["old"]["operations"] == doc["new"]["operations"] == 2
    shared = [
        c
        for c in doc["changes"]
        if c["rule"] == "request-member-added"
        and c["detail"] == {"member": "AdditionalModelDataSources"}
    ]
    assert len(shared) == 1, "one change for the container structure, not one per path"
    assert shared[0]["operations"] == [
        "SageMaker.Client.create_model_package",
        "SageMaker.Client.update_model_package",
    ]
    paths = {(loc["name"], loc["path"]) for loc in shared[0]["locations"]}
    assert (
        "create_model_package",
        "input.InferenceSpecification.Containers[].AdditionalModelDataSources",
    ) in paths
    assert (
        "update_model_package",
        "input.InferenceSpecification.Containers[].AdditionalModelDataSources",
    ) in paths
    assert len(paths) == len(shared[0]["locations"]) >= 4

    text = run(old, new)[1]
    assert text.count("optional request member `AdditionalModelDataSources` added") == 1
    assert "Shared changes" in text
    assert "SageMaker.Client.update_model_package.input.InferenceSpecification.Containers[]" in text


def test_markdown(two_dirs: tuple[Path, Path]) -> None:
    code, out, _ = run(*two_dirs, "--format", "markdown")
    assert code == 0
    assert "### Other changes (INFO)" in out
    assert (
        "- `SageMaker.Client.create_model_package` `input.ManagedStorageType`: optional request member"
        in out
    )
    assert "in 2 operations:\n  - `SageMaker.Client.create_model_package`: `input." in out


# --- ignore files -------------------------------------------------------------------


def test_ignore_file(tmp_path: Path, two_trees: tuple[Path, Path]) -> None:
    old, new = two_trees
    full = json.loads(run(old, new, "--format", "json")[1])
    ignore = tmp_path / "diff-ignore"
    ignore.write_text(
        "# silenced on purpose\n"
        "\n"
        "request-member-added *.AdditionalModelDataSources   # every path\n"
        "request-enum-value-added input.InferenceSpecification.SupportedTransformInstanceTypes[]\n"
    )
    doc = json.loads(run(old, new, "--format", "json", "--ignore", ignore)[1])
    assert not any(
        c["detail"].get("member") == "AdditionalModelDataSources" for c in doc["changes"]
    )
    # A bare path (brackets are literal) silences that location only, in each operation.
    paths = [
        loc["path"]
        for c in doc["changes"]
        if c["rule"] == "request-enum-value-added"
        for loc in c["locations"]
    ]
    assert "input.InferenceSpecification.SupportedTransformInstanceTypes[]" not in paths
    assert "input.AdditionalInferenceSpecifications[].SupportedTransformInstanceTypes[]" in paths
    silenced = full["summary"]["locations"] - doc["summary"]["locations"]
    assert doc["summary"]["ignored"] == silenced > 0

    everything = tmp_path / "all"
    everything.write_text("* *\n")
    code, out, _ = run(old, new, "--ignore", everything, "--fail-on", "INFO")
    assert code == 0
    assert out.rstrip().endswith(
        f"0 changes (0 ERR, 0 WARN, 0 INFO), {full['summary']['locations']} locations ignored"
    )

    by_operation = tmp_path / "op"
    by_operation.write_text("request-* SageMaker.Client.update_model_package\n")
    doc = json.loads(run(old, new, "--format", "json", "--ignore", by_operation)[1])
    names = [
        loc["name"]
        for c in doc["changes"]
        if c["rule"].startswith("request-")
        for loc in c["locations"]
    ]
    assert names and "update_model_package" not in names  # only create_model_package's left
    silenced = [
        loc
        for c in full["changes"]
        if c["rule"].startswith("request-")
        for loc in c["locations"]
        if loc["name"] == "update_model_package"
    ]
    assert silenced and doc["summary"]["ignored"] == len(silenced)


@pytest.mark.parametrize("content", ["request-member-added\n", "no-such-rule input.X\n", "a b c\n"])
def test_bad_ignore_file_exits_2(tmp_path: Path, new_page: Path, content: str) -> None:
    ignore = tmp_path / "ignore"
    ignore.write_text(content)
    code, out, err = run(data.SEED, new_page, "--ignore", ignore)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {ignore}:1: ") and err.count("\n") == 1
    assert run(data.SEED, new_page, "--ignore", tmp_path / "missing")[0] == 2


# --- rules on the seed with one thing changed ---------------------------------------


@pytest.fixture(scope="module")
def seed() -> Operation:
    (op,) = diff.load_operations(data.SEED, parse_paths)
    return op


def _with_member(
    op: Operation, name: str, member: Member | None, output: bool = False
) -> Operation:
    root = op.output if output else op.input
    assert root is not None
    members = [(n, m) for n, m in root.members if n != name]
    if member is not None:
        members.append((name, member))
    shape = replace(root, members=tuple(members))
    return replace(op, output=shape) if output else replace(op, input=shape)


def _rules(old: Operation, new: Operation) -> dict[str, tuple[str, list[str]]]:
    result = diff.compare([old], [new])
    return {c.rule: (c.level, [loc.path for loc in c.locations]) for c in result.changes}


def test_rules_on_the_seed(seed: Operation) -> None:
    members = seed.input.member_map
    name = "ModelPackageName"
    optional = members[name]
    assert not optional.required
    required = replace(optional, required=True)

    assert _rules(seed, _with_member(seed, name, required)) == {
        "request-member-now-required": ("ERR", [f"input.{name}"])
    }
    assert _rules(_with_member(seed, name, required), seed) == {
        "request-member-now-optional": ("INFO", [f"input.{name}"])
    }
    # Autopopulated (idempotency) members are not required for callers.
    assert _rules(seed, _with_member(seed, name, replace(required, autopopulated=True))) == {}
    assert _rules(_with_member(seed, name, None), seed) == {
        "request-member-added": ("INFO", [f"input.{name}"])
    }
    assert _rules(_with_member(seed, name, None), _with_member(seed, name, required)) == {
        "request-member-added-required": ("ERR", [f"input.{name}"])
    }
    assert _rules(seed, _with_member(seed, name, None)) == {
        "request-member-removed": ("ERR", [f"input.{name}"])
    }

    as_list = replace(optional, shape=Shape(type="list", member=optional.shape))
    assert _rules(seed, _with_member(seed, name, as_list)) == {
        "type-changed": ("ERR", [f"input.{name}"])
    }
    env = "InferenceSpecification"
    spec = members[env].shape
    containers = spec.member_map["Containers"].shape
    assert containers.member is not None
    environment = containers.member.member_map["Environment"]
    assert environment.shape.type == "map"
    as_structure = replace(environment, shape=Shape(type="structure"))
    new_container = replace(
        containers.member,
        members=tuple(
            (n, as_structure if n == "Environment" else m) for n, m in containers.member.members
        ),
    )
    new_spec = replace(
        spec,
        members=tuple(
            (
                n,
                (
                    replace(m, shape=replace(containers, member=new_container))
                    if n == "Containers"
                    else m
                ),
            )
            for n, m in spec.members
        ),
    )
    changed = _rules(seed, _with_member(seed, env, replace(members[env], shape=new_spec)))
    assert changed["type-changed"][0] == "ERR"
    assert f"input.{env}.Containers[].Environment" in changed["type-changed"][1]

    status = "ModelPackageRegistrationType"
    enum = members[status]
    assert enum.shape.enum == ("Logged", "Registered")
    narrower = replace(enum, shape=replace(enum.shape, enum=("Logged",)))
    free = replace(enum, shape=replace(enum.shape, enum=()))
    assert _rules(seed, _with_member(seed, status, narrower)) == {
        "request-enum-value-removed": ("ERR", [f"input.{status}"])
    }
    assert _rules(_with_member(seed, status, narrower), seed) == {
        "request-enum-value-added": ("INFO", [f"input.{status}"])
    }
    assert _rules(seed, _with_member(seed, status, free)) == {
        "request-enum-dropped": ("INFO", [f"input.{status}"])
    }
    assert _rules(_with_member(seed, status, free), seed) == {
        "request-enum-introduced": ("WARN", [f"input.{status}"])
    }
    out_enum = Member(shape=Shape(type="string", enum=("A", "B")))
    assert _rules(
        _with_member(seed, "State", out_enum, output=True),
        _with_member(
            seed,
            "State",
            replace(out_enum, shape=Shape(type="string", enum=("A", "B", "C"))),
            output=True,
        ),
    ) == {"response-enum-value-added": ("WARN", ["output.State"])}
    assert _rules(_with_member(seed, "State", out_enum, output=True), seed) == {
        "response-member-removed": ("WARN", ["output.State"])
    }
    assert _rules(seed, _with_member(seed, "State", out_enum, output=True)) == {
        "response-member-added": ("INFO", ["output.State"])
    }


def test_operation_rules_on_the_seed(seed: Operation) -> None:
    assert _rules(seed, replace(seed, deprecated=True)) == {"operation-deprecated": ("WARN", [""])}
    more = replace(seed, exceptions=seed.exceptions + ("ThrottlingException",))
    assert _rules(seed, more) == {"exception-added": ("WARN", [""])}
    assert _rules(more, seed) == {"exception-removed": ("INFO", [""])}
    assert _rules(seed, replace(seed, output=None)) == {"output-removed": ("WARN", [""])}
    assert _rules(replace(seed, output=None), seed) == {"output-added": ("INFO", [""])}
    renamed = replace(seed, name="create_model_package_v2")
    assert _rules(seed, renamed) == {
        "operation-removed": ("ERR", [""]),
        "operation-added": ("INFO", [""]),
    }
    redoc = replace(seed, documentation=seed.documentation + " Changed.")
    assert diff.compare([seed], [redoc]).changes == []
    docs = diff.compare([seed], [redoc], include_docs=True).changes
    assert [(c.rule, c.level) for c in docs] == [("documentation-changed", "INFO")]
    assert seed.output is not None
    cut = replace(seed, output=Shape(type="structure", truncated=True))
    assert _rules(seed, cut) == {"section-not-compared": ("INFO", ["output"])}
    # Parameters not rendered, syntax block known: members compare, [REQUIRED] cannot.
    name = "ModelPackageName"
    old = _with_member(seed, name, replace(seed.input.member_map[name], required=True))
    syntax_only = replace(
        old.input,
        truncated=True,
        members=tuple((n, replace(m, required=False)) for n, m in old.input.members)
        + (("NewParameter", Member(shape=Shape(type="string"))),),
    )
    assert _rules(old, replace(old, input=syntax_only)) == {
        "section-not-compared": ("INFO", ["input"]),
        "request-member-added": ("INFO", ["input.NewParameter"]),
    }


def test_colours_on_a_terminal(new_page: Path) -> None:
    old = diff.load_operations(new_page, parse_paths)
    new = diff.load_operations(data.SEED, parse_paths)
    result = diff.compare(old, new)
    coloured = diff.TextRenderer(color=True).render(result)
    assert "\x1b[31m\x1b[1mERR " in coloured
    plain = diff.TextRenderer().render(result)
    assert (
        "\x1b[" not in plain and "  ERR   request-member-removed  input.ManagedStorageType" in plain
    )


def test_json_round_trip_of_parse_output_is_stable(seed: Operation) -> None:
    assert tree.loads(tree.dumps([seed])) == [seed]


def test_keep_going_leaves_a_broken_page_out_of_both_sides(
    tmp_path: Path, two_dirs: tuple[Path, Path]
) -> None:
    """A whole release with a broken page (boto3 has a few) can still be compared."""
    old, new = two_dirs
    broken = tmp_path / "new"
    shutil.copytree(new, broken)
    page = broken / "client" / "update_model_package.rst"
    page.write_text(
        page.read_text().replace(
            "response = client.update_model_package(", "response = client.update_model_package((", 1
        )
    )
    code, _, err = run(old, broken, "--format", "json")
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1

    code, out, err = run(old, broken, "--format", "json", "--keep-going")
    assert code == 0, err
    warning = err.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith(
        f"warning: {broken}: client/update_model_package.rst:"
    )
    doc = json.loads(out)
    assert doc["old"]["operations"] == doc["new"]["operations"] == 1
    assert not [c for c in doc["changes"] if c["rule"].startswith("operation-")]
    # What the page that did parse changed is still reported, the same as without the broken one.
    alone = json.loads(run(old / "client" / PAGE, new / "client" / PAGE, "--format", "json")[1])
    assert [c["rule"] for c in doc["changes"]] == [c["rule"] for c in alone["changes"]]


def test_whole_releases_are_compared_service_by_service(tmp_path: Path, reference: Path) -> None:
    """Two releases in boto3's layout are compared one service at a time (memory holds
    two services' trees); the result is the one comparison of everything gives when no
    structure is shared between services."""
    old, new = tmp_path / "old", tmp_path / "new"
    pages = ["kinesis/client/list_streams.rst", "kinesis/client/untag_resource.rst"]
    for root in (old, new):
        for rel in pages:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(reference / rel, root / rel)
        (root / "sagemaker/client").mkdir(parents=True)
    shutil.copy(data.pages(data.OLD) / "client" / PAGE, old / "sagemaker/client" / PAGE)
    shutil.copy(data.pages(data.NEW) / "client" / PAGE, new / "sagemaker/client" / PAGE)
    (new / "kinesis/client/untag_resource.rst").unlink()  # an operation removed
    extra = "dynamodb/client/get_item.rst"  # a service added
    (new / extra).parent.mkdir(parents=True)
    shutil.copy(reference / extra, new / extra)

    code, out, err = run(old, new, "--format", "json", "--jobs", "2")
    assert code == 0, err
    doc = json.loads(out)
    whole = diff.compare(parse_paths([old]).operations, parse_paths([new]).operations)
    assert doc["old"]["operations"] == 3 and doc["new"]["operations"] == 3
    expected = json.loads(diff.renderer("json").render(whole))["changes"]
    assert doc["changes"] == expected
    rules = {c["rule"] for c in doc["changes"]}
    assert {"operation-added", "operation-removed", "request-member-added"} <= rules
