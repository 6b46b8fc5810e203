"""Recursive shapes on real pages: bedrock-agent's flow `Definition` holds nodes whose
`loop` holds a `Definition` again, in requests and in responses, which differ; fsx's
administrative actions hold target values that hold administrative actions again, of a
file system's or a volume's (two classes), both in responses.

A class is typed once, from one of its places; a recursive reference in it that leads out
of the class (to `Definition`, above `Loop`) must lead to the same class at every place,
or a response TypedDict names a request class (or one not defined at all)."""

from __future__ import annotations

import ast
import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegen import naming
from codegen.emit.types import typed_dict_name
from codegen.naming import ServiceNames
from gen_support import import_fresh, parse_ok, run_mypy, write_package

SERVICES = ("bedrock-agent", "fsx")
_SEGMENT = re.compile(r"\.[^.\[\]{}]+|\[\]|\{\}")


# (its module fixtures are built once: the module's tests run in one xdist worker, `--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("recursive_shapes")


@pytest.fixture(scope="module", params=SERVICES)
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ServiceNames, str]:
    from codegen.pipeline.boto3_render import render_service

    root = tmp_path_factory.mktemp("ref")
    render_service(request.param, root)
    ops = parse_ok(root / request.param)
    out = tmp_path_factory.mktemp("out")
    (names,) = naming.resolve(ops)
    package = f"aws_typed_rec_{names.module}"  # (one per service: both are imported in one process)
    write_package(ops, out, package, formatted=False)
    return out, names, package


def outward_references(names: ServiceNames) -> Iterator[tuple[str, str, str, str]]:
    """(class, its member, target class, side) for every recursive reference whose
    target lies above the class that holds it."""
    for op in names.all_client_operations:
        for side, top in (("input", op.input), ("output", op.output)):
            if top is None:
                continue
            for path, shape in top.walk(side):
                if shape.type != "recursive":
                    continue
                segments = _SEGMENT.findall(path[len(side):])
                # the nearest class above the reference holds it
                for cut in range(len(segments) - 1, -1, -1):
                    holder = side + "".join(segments[:cut])
                    if (op.name, holder) in names.by_path:
                        break
                # (None: the reference leads to a list, not a class: list_references)
                target = names.by_path.get((op.name, path))
                if target is not None and holder != shape.target:
                    yield names.by_path[(op.name, holder)], segments[cut][1:], target, side


def test_recursive_references_lead_to_the_class_of_their_side(generated: tuple[Path, ServiceNames, str]) -> None:
    out, names, package = generated
    refs = set(outward_references(names))
    # one member of a class, in different places, leads to different classes (the bug:
    # typed at all of them as at the first)
    targets: dict[str, set[str]] = {}
    for _, member, target, _ in refs:
        targets.setdefault(member, set()).add(target)
    assert any(len(t) > 1 for t in targets.values()), refs
    stub = ast.parse((out / package / names.module / "client.pyi").read_text())
    typed_dicts = {
        node.name: {
            item.target.id: ast.unparse(item.annotation)
            for item in node.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
        }
        for node in stub.body if isinstance(node, ast.ClassDef)
    }
    models = import_fresh(out, f"{package}.{names.module}.models")
    for holder, member, target, side in refs:
        flavour: typing.Literal["request", "response"] = "request" if side == "input" else "response"
        holder_td, target_td = (typed_dict_name(names, c, flavour) for c in (holder, target))
        assert target_td in typed_dicts, (target_td, "not defined")
        assert re.search(rf"\b{target_td}\b", typed_dicts[holder_td][member]), (holder_td, member, target_td)
        # (a class of another model module is a name of `models`, loaded on first use)
        hints = typing.get_type_hints(getattr(models, holder), localns=_Lazy(models))
        assert getattr(models, target) in _classes(hints[names.attrs[holder][member]]), (holder, member, target)


def list_references(names: ServiceNames) -> Iterator[tuple[str, str, str, str, str, str]]:
    """(operation, path, target, holder class, its member, side) for every recursive
    reference to a list above it (`Resources[].Resources`: the page prints
    `{'... recursive ...'}` where the list repeats)."""
    for op in names.all_client_operations:
        for side, top in (("input", op.input), ("output", op.output)):
            for path, shape in top.walk(side) if top is not None else ():
                if shape.type != "recursive" or (op.name, path) in names.by_path or not shape.target:
                    continue
                holder, _, member = path.rpartition(".")
                yield op.name, path, shape.target, names.by_path[(op.name, holder)], member, side


def _botocore_shape(service: str, api: str, path: str) -> str:
    """The name of botocore's shape at a contract path (the oracle)."""
    from oracle import session

    model = session().get_service_model(service).operation_model(api)
    side, shape = ("input", model.input_shape) if path.startswith("input") else ("output", model.output_shape)
    for segment in _SEGMENT.findall(path[len(side):]):
        shape = shape.member if segment == "[]" else shape.value if segment == "{}" else shape.members[segment[1:]]
    return str(shape.name)


@pytest.mark.parametrize("generated", ["fsx"], indirect=True)
def test_recursive_references_to_a_list_are_lists_of_its_structure(generated: tuple[Path, ServiceNames, str]) -> None:
    out, names, package = generated
    refs = list(list_references(names))
    assert refs  # (fsx's AdministrativeActions[].TargetFileSystemValues.AdministrativeActions)
    stub = ast.parse((out / package / names.module / "client.pyi").read_text())
    typed_dicts = {
        node.name: {
            item.target.id: ast.unparse(item.annotation)
            for item in node.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
        }
        for node in stub.body if isinstance(node, ast.ClassDef)
    }
    apis = {op.name: op.api_name for op in names.all_client_operations}
    for op, path, target, holder, member, side in refs:
        # botocore: the member is the list it repeats
        assert _botocore_shape(names.service_id, apis[op] or "", path) == _botocore_shape(
            names.service_id, apis[op] or "", target
        ), (op, path, target)
        flavour: typing.Literal["request", "response"] = "request" if side == "input" else "response"
        item = typed_dict_name(names, names.class_at(op, target + "[]"), flavour)
        outer = "Sequence" if flavour == "request" else "list"
        annotation = typed_dicts[typed_dict_name(names, holder, flavour)][member]
        assert re.fullmatch(rf"(NotRequired\[)?{outer}\[{item}\]\]?", annotation), (holder, member, annotation)


class _Lazy(dict[str, object]):
    """The names of a lazy `models` module, as get_type_hints looks them up."""

    def __init__(self, module: object) -> None:
        super().__init__()
        self.module = module

    def __missing__(self, name: str) -> object:
        try:
            return getattr(self.module, name)
        except AttributeError:
            raise KeyError(name) from None


def _classes(annotation: object) -> set[object]:
    found = {annotation}
    for arg in typing.get_args(annotation):
        found |= _classes(arg)
    return found


@pytest.mark.parametrize("generated", ["bedrock-agent"], indirect=True)
def test_generated_package_passes_mypy_strict(generated: tuple[Path, ServiceNames, str]) -> None:
    out, _, package = generated
    proc = run_mypy(out, "-p", package)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
