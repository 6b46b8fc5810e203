"""Shape tree → Markdown: an index per service, a page per operation, a structures page."""

from __future__ import annotations

from dataclasses import dataclass

from codegen.emit.types import py_type
from codegen.emit.env import render
from codegen.escape import md_code
from codegen.naming import ServiceNames, is_class_shape
from codegen.tree import Operation, Shape

STRUCTURES_PAGE = "structures.md"


@dataclass(frozen=True, slots=True)
class RowView:
    path: str
    type: str
    required: bool
    values: str
    doc: str


@dataclass(frozen=True, slots=True)
class ClassDocView:
    name: str
    anchor: str
    doc: str
    rows: tuple[RowView, ...]


def anchor(name: str) -> str:
    return name.lower()


def _type_cell(names: ServiceNames, op: str, path: str, shape: Shape) -> str:
    text = "`" + py_type(names, op, path, shape, "model").replace("|", "or") + "`"
    links = [f"[{c}]({STRUCTURES_PAGE}#{anchor(c)})" for c in _classes_in(names, op, path, shape)]
    return text + (" → " + ", ".join(links) if links else "")


def _classes_in(names: ServiceNames, op: str, path: str, shape: Shape) -> list[str]:
    if shape.type == "recursive":
        target = names.by_path.get((op, path))
        return [target] if target else []
    if is_class_shape(shape):
        return [names.class_at(op, path)]
    if shape.type == "list" and shape.member is not None:
        return _classes_in(names, op, path + "[]", shape.member)
    if shape.type == "map" and shape.value is not None:
        return _classes_in(names, op, path + "{}", shape.value)
    return []


def _rows(names: ServiceNames, op: str, path: str, shape: Shape, shown: str, limit: int) -> list[RowView]:
    """Flattened member rows below a structure, at most `limit` levels deep."""
    rows: list[RowView] = []
    if limit == 0:
        return rows
    for wire, member in shape.members:
        mpath, mshown = f"{path}.{wire}", f"{shown}.{wire}" if shown else wire
        ms = member.shape
        values = ", ".join(md_code(v, cell=True) for v in ms.enum[:12]) + (" ..." if len(ms.enum) > 12 else "")
        rows.append(RowView(mshown, _type_cell(names, op, mpath, ms), member.required, values, member.documentation))
        sub_path, sub_shown = mpath, mshown
        while ms.type in ("list", "map"):
            if ms.type == "list" and ms.member is not None:
                sub_path, sub_shown, ms = sub_path + "[]", sub_shown + "[]", ms.member
            elif ms.value is not None:
                sub_path, sub_shown, ms = sub_path + "{}", sub_shown + "{}", ms.value
        if is_class_shape(ms):
            rows.extend(_rows(names, op, sub_path, ms, sub_shown, limit - 1))
    return rows


def emit_operation_doc(names: ServiceNames, op: Operation, package: str) -> str:
    request = names.request_class(op)
    response = names.response_class(op)
    return render(
        "operation.md.jinja2",
        names=names,
        op=op,
        package=package,
        request=request,
        response=response,
        anchor=anchor,
        structures=STRUCTURES_PAGE,
        params=_rows(names, op.name, "input", op.input, "", 4),
        result=[] if op.output is None or response is None else _rows(names, op.name, "output", op.output, "", 4),
    )


def emit_service_index(names: ServiceNames, package: str) -> str:
    return render("service_index.md.jinja2", names=names, package=package)


def emit_structures_doc(names: ServiceNames, package: str) -> str:
    wanted = names.api_classes()
    classes = [
        ClassDocView(i.name, anchor(i.name), i.shape.documentation, tuple(_rows(names, i.op, i.path, i.shape, "", 1)))
        for i in sorted(names.classes, key=lambda c: c.name)
        if i.name in wanted
    ]
    return render("structures.md.jinja2", names=names, package=package, classes=classes)
