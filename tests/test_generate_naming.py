"""Names of the generated package: attributes, classes, stability across revisions."""

from __future__ import annotations

import re

import keyword
from pathlib import Path

import pytest

import name_agreement as na
from codegen import naming, pynames
from codegen.evidence import singular
from codegen.namegroups import forms_of_one_name
from gen_support import parse_dir, parse_ok

SERVICES = ("dynamodb", "kinesis", "bedrock-runtime")


@pytest.fixture(scope="session")
def service_names(reference: Path) -> dict[str, naming.ServiceNames]:
    out = {}
    for service in SERVICES:
        ops = parse_dir(reference / service / "client")
        (out[service],) = naming.resolve(ops)
    return out


def all_member_names(names: naming.ServiceNames) -> list[list[str]]:
    return [[wire for wire, _ in info.shape.members] for info in names.classes]


@pytest.mark.parametrize("wire,attr", [
    ("S3Uri", "s3_uri"), ("ETag", "e_tag"), ("KMSKeyId", "kms_key_id"),
    ("VPCConfig", "vpc_config"), ("ModelDataETag", "model_data_e_tag"),
    ("Type", "type_"), ("Filter", "filter_"), ("From", "from_"), ("id", "id_"),
])
def test_attr_name_examples(wire: str, attr: str) -> None:
    assert pynames.attr_name(wire) == attr


@pytest.mark.parametrize("service", SERVICES)
def test_wire_attr_wire_lossless_and_collision_free(
    service_names: dict[str, naming.ServiceNames], service: str
) -> None:
    names = service_names[service]
    assert names.classes
    for info in names.classes:
        mapping = names.attrs[info.name]
        wires = [w for w, _ in info.shape.members]
        assert list(mapping) == wires
        back = {attr: wire for wire, attr in mapping.items()}
        assert len(back) == len(wires), f"{info.name}: attribute collision"
        for attr in back:
            assert attr.isidentifier() and not keyword.iskeyword(attr)
            assert attr not in pynames.MODEL_METHODS
        assert [back[mapping[w]] for w in wires] == wires


def test_attribute_map_resolves_collisions_deterministically() -> None:
    first = pynames.attribute_map(["KmsKeyId", "KMSKeyId", "Name"])
    second = pynames.attribute_map(["KMSKeyId", "Name", "KmsKeyId"])
    assert first == {k: second[k] for k in first}
    assert len(set(first.values())) == 3
    assert not any(ch.isdigit() for v in first.values() for ch in v)  # never a counter


@pytest.mark.parametrize("service", SERVICES)
def test_class_names_unique_and_identifiers(
    service_names: dict[str, naming.ServiceNames], service: str
) -> None:
    names = service_names[service]
    all_names = [c.name for c in names.classes] + [e.name for e in names.enums]
    assert len(all_names) == len(set(all_names))
    assert all(n.isidentifier() and n[0].isupper() for n in all_names)
    for op in names.operations:
        assert names.request_class(op) == f"{op.api_name}Request"


def member_want(path: str) -> str:
    """The name the member name gives a structure at `path`: the member (capitalised), or
    its singular for the items or values of a plural list or map."""
    member = re.findall(r"\.([^.\[\]{}]+)", path)[-1]
    member = member[:1].upper() + member[1:]
    return (singular(member) or member) if path.endswith(("[]", "{}")) else member


def test_identical_structures_named_alike_share_a_class(service_names: dict[str, naming.ServiceNames]) -> None:
    """Identical structures reached through the same member name, or through member names
    that are forms of one name (`SSESpecification` / `SSESpecificationOverride`,
    `ItemCollectionMetrics` / its singular), are one class; identical structures under
    unrelated member names that botocore (the oracle) gives names of their own
    (`EnableKinesisStreamingConfiguration`, `UpdateKinesisStreamingConfiguration`) stay
    apart, each named as AWS names it (docs/names.md)."""
    names = service_names["dynamodb"]
    classes: dict[tuple[object, str, str], set[str]] = {}
    by_shape: dict[str, list[tuple[object, str, str]]] = {}  # botocore shape → (key, want, class)
    for op in names.operations:
        boto = na.botocore_structures(op.service_id, op.api_name or "")
        for path, shape in op.walk():
            if path in ("input", "output") or not naming.is_class_shape(shape):
                continue
            member = re.findall(r"\.([^.\[\]{}]+)", path)[-1]
            reach = path[len(path.rstrip("[]{}")):]
            key = naming.structure_key(shape, path)
            cls = names.by_path[(op.name, path)]
            classes.setdefault((key, member, reach), set()).add(cls)
            by_shape.setdefault(boto[path], []).append((key, member_want(path), names.stem_of(cls)))
    assert len(classes) > 50
    assert all(len(found) == 1 for found in classes.values()), [f for f in classes.values() if len(f) > 1]
    # One botocore shape met under several forms of its name (a qualifier added, a plural):
    # one class.
    alike = {
        shape: {cls for _, _, cls in places}
        for shape, places in by_shape.items()
        if len({key for key, _, _ in places}) == 1
        and len({want for _, want, _ in places}) > 1
        and all(want == shape or forms_of_one_name(want, shape) for _, want, _ in places)
    }
    assert len(alike) >= 5, alike
    assert all(len(found) == 1 for found in alike.values()), alike
    # Identical structures that botocore names apart, under unrelated member names: apart.
    by_key: dict[object, set[str]] = {}
    for shape, places in by_shape.items():
        if all(want == shape for _, want, _ in places):
            by_key.setdefault(places[0][0], set()).add(shape)
    apart = [shapes for shapes in by_key.values() if len(shapes) > 1]
    assert apart
    for shapes in apart:
        assert all({cls for _, _, cls in by_shape[s]} == {s} for s in shapes), shapes
    # AttributeValue is used by many operations and map members: one class.
    item_paths = [
        (op.name, path)
        for op in names.operations
        for path, shape in op.walk()
        if shape.type == "structure" and {"S", "N", "B", "M", "L"} <= set(shape.member_map)
    ]
    assert len(item_paths) > 20
    assert len({names.by_path[p] for p in item_paths}) == 1


def test_list_items_named_from_singular(service_names: dict[str, naming.ServiceNames]) -> None:
    names = service_names["dynamodb"]
    op = next(o for o in names.operations if o.name == "create_table")
    assert names.class_at(op.name, "input.AttributeDefinitions[]") == "AttributeDefinition"
    assert names.class_at(op.name, "input.GlobalSecondaryIndexes[]").endswith("GlobalSecondaryIndex")


def class_names_by_path(ops: list) -> dict[str, str]:
    (names,) = naming.resolve(ops)
    return {path: name for (_, path), name in names.by_path.items()}


def test_seed_vs_new_revision_renames_no_class(reference: Path) -> None:
    """boto3 1.42.50's create_model_package page against 1.44.8's: members were added,
    enums grew; every class of the old page keeps its name."""
    from conftest import SEED

    old = class_names_by_path(parse_ok(SEED))
    new = class_names_by_path(parse_ok(reference / "sagemaker" / "client" / "create_model_package.rst"))
    assert set(old.values()) <= set(new.values())
    renamed = {p: (old[p], new[p]) for p in old.keys() & new.keys() if old[p] != new[p]}
    assert not renamed
    assert set(new) - set(old)  # the new revision does add structures


def test_adding_a_member_renames_no_other_class(reference: Path) -> None:
    """Synthetic revisions: a member is added to one class (botocore adds it to the shape,
    so every occurrence of the class changes); with the names registry the first run
    published, no other class is renamed. (Without it a name may move: the resolver gives
    a contested name to the structure with more members, docs/names.md.)"""
    import dataclasses

    from codegen import registry as reg
    from codegen.tree import Member, Shape

    ops = parse_ok(reference / "sagemaker" / "client" / "create_model_package.rst")
    (first,) = naming.resolve(ops)
    base = {path: name for (_, path), name in first.by_path.items()}
    published = reg.loads(reg.dumps(first.registry))  # as written to disk and read back
    op = ops[0]

    def add_member(shape: Shape, path: str, targets: set[str]) -> Shape:
        if shape.type == "structure":
            members = tuple(
                (n, dataclasses.replace(m, shape=add_member(m.shape, f"{path}.{n}", targets)))
                for n, m in shape.members
            )
            if path in targets:
                members += (("ZzNewMember", Member(Shape("string"))),)
            return dataclasses.replace(shape, members=members)
        if shape.type == "list" and shape.member is not None:
            return dataclasses.replace(shape, member=add_member(shape.member, path + "[]", targets))
        if shape.type == "map" and shape.value is not None:
            return dataclasses.replace(shape, value=add_member(shape.value, path + "{}", targets))
        return shape

    checked = unpinned_moves = 0
    for cls in sorted(set(base.values())):
        targets = {p for p, name in base.items() if name == cls}
        changed = dataclasses.replace(op, input=add_member(op.input, "input", targets))
        (kept,) = naming.resolve([changed], {first.service_id: published})
        after = {path: name for (_, path), name in kept.by_path.items()}
        # The changed class and its ancestors are re-keyed; every class keeps its name.
        moved = {p: (base[p], after[p]) for p in base if base[p] != after[p]}
        assert not moved, (cls, moved)
        assert not kept.renames
        unpinned_moves += class_names_by_path([changed]) != base
        checked += 1
    assert checked > 20
    assert unpinned_moves, "no added member moves a name without the registry: the test shows nothing"
