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
                # (None: the reference leads to a list, not a class; typed Any)
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
