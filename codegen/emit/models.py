"""Shape tree → `<service>/models.py`: slots, keyword-only dataclasses with to_dict/from_dict."""

from __future__ import annotations

from dataclasses import dataclass

from codegen.emit.env import render
from codegen.emit.types import py_type
from codegen.naming import ClassInfo, ServiceNames, is_class_shape
from codegen.tree import Shape


@dataclass(frozen=True, slots=True)
class FieldView:
    attr: str
    wire: str
    annotation: str
    required: bool
    to_wire: str
    from_wire: str
    doc: str


@dataclass(frozen=True, slots=True)
class ClassView:
    name: str
    doc: str
    fields: tuple[FieldView, ...]


def _class_of(names: ServiceNames, op: str, path: str, shape: Shape) -> str | None:
    if shape.type == "recursive":
        return names.by_path.get((op, path))
    if is_class_shape(shape):
        return names.class_at(op, path)
    return None


def to_wire(names: ServiceNames, op: str, path: str, shape: Shape, expr: str, depth: int = 0) -> str:
    cls = _class_of(names, op, path, shape)
    if cls is not None:
        return f"{expr}.to_dict()"
    var = f"x{depth}"
    if shape.type == "list" and shape.member is not None:
        inner = to_wire(names, op, path + "[]", shape.member, var, depth + 1)
        return f"list({expr})" if inner == var else f"[{inner} for {var} in {expr}]"
    if shape.type == "map" and shape.value is not None:
        inner = to_wire(names, op, path + "{}", shape.value, var, depth + 1)
        return f"dict({expr})" if inner == var else f"{{k{depth}: {inner} for k{depth}, {var} in {expr}.items()}}"
    return expr


def from_wire(names: ServiceNames, op: str, path: str, shape: Shape, expr: str, depth: int = 0) -> str:
    cls = _class_of(names, op, path, shape)
    if cls is not None:
        return f"{cls}.from_dict({expr})"
    var = f"x{depth}"
    if shape.type == "list" and shape.member is not None:
        inner = from_wire(names, op, path + "[]", shape.member, var, depth + 1)
        return f"list({expr})" if inner == var else f"[{inner} for {var} in {expr}]"
    if shape.type == "map" and shape.value is not None:
        inner = from_wire(names, op, path + "{}", shape.value, var, depth + 1)
        return f"dict({expr})" if inner == var else f"{{k{depth}: {inner} for k{depth}, {var} in {expr}.items()}}"
    return expr


def class_view(names: ServiceNames, info: ClassInfo) -> ClassView:
    attrs = names.attrs[info.name]
    fields = []
    for wire, member in info.shape.members:
        path = f"{info.path}.{wire}"
        fields.append(
            FieldView(
                attr=attrs[wire],
                wire=wire,
                annotation=py_type(names, info.op, path, member.shape, "model"),
                required=member.required and not member.autopopulated,
                to_wire=to_wire(names, info.op, path, member.shape, f"self.{attrs[wire]}"),
                from_wire=from_wire(names, info.op, path, member.shape, f"data[{wire!r}]"),
                doc=member.documentation,
            )
        )
    return ClassView(info.name, info.shape.documentation, tuple(fields))


def emit_models(names: ServiceNames, package: str) -> str:
    classes = [class_view(names, info) for info in names.classes]
    annotations = " ".join(f.annotation for c in classes for f in c.fields)
    return render(
        "models.py.jinja2",
        names=names,
        classes=classes,
        package=package,
        uses_datetime="datetime" in annotations,
        uses_io="IO[" in annotations,
    )
