"""Shape tree → `<service>/models.py`: slots, keyword-only dataclasses with to_dict/from_dict."""

from __future__ import annotations

from dataclasses import dataclass

from codegen.emit import docstrings
from codegen.emit.env import pyrepr, render
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

    @property
    def entry(self) -> tuple[str, str]:
        """(attribute, description): the class docstring's Attributes entry."""
        return self.attr, self.doc


@dataclass(frozen=True, slots=True)
class ClassView:
    name: str
    doc: str
    fields: tuple[FieldView, ...]

    @property
    def nested(self) -> bool:
        """A field holds models (its to_dict walks them)."""
        return any(f.to_wire.startswith("to_wire(") for f in self.fields)


def _class_of(names: ServiceNames, op: str, path: str, shape: Shape) -> str | None:
    if shape.type == "recursive":
        return names.by_path.get((op, path))
    if is_class_shape(shape):
        return names.class_at(op, path)
    return None


def needs_conversion(names: ServiceNames, op: str, path: str, shape: Shape) -> bool:
    if _class_of(names, op, path, shape) is not None:
        return True
    if shape.type == "list" and shape.member is not None:
        return needs_conversion(names, op, path + "[]", shape.member)
    if shape.type == "map" and shape.value is not None:
        return needs_conversion(names, op, path + "{}", shape.value)
    return False


def loader(names: ServiceNames, op: str, path: str, shape: Shape) -> str:
    """A callable expression turning boto3's value of `shape` into the model's."""
    cls = _class_of(names, op, path, shape)
    if cls is not None:
        return f"{cls}.from_dict"
    if shape.type == "list" and shape.member is not None:
        return f"list_of({loader(names, op, path + '[]', shape.member)})"
    if shape.type == "map" and shape.value is not None:
        return f"map_of({loader(names, op, path + '{}', shape.value)})"
    raise AssertionError(path)


def class_view(names: ServiceNames, info: ClassInfo) -> ClassView:
    attrs = names.attrs[info.name]
    fields = []
    for wire, member in info.shape.members:
        path = f"{info.path}.{wire}"
        attr = attrs[wire]
        required = member.required and not member.autopopulated
        convert = needs_conversion(names, info.op, path, member.shape)
        key = pyrepr(wire)  # black's quotes: the rendered text is final (no black pass)
        if convert:
            load = loader(names, info.op, path, member.shape)
            from_expr = f"need(data, {key}, at, {load})" if required else f"load(data, {key}, {load}, at)"
        else:
            from_expr = f"need(data, {key}, at)" if required else f"data.get({key}, UNSET)"
        fields.append(
            FieldView(
                attr=attr,
                wire=wire,
                annotation=py_type(names, info.op, path, member.shape, "model"),
                required=required,
                to_wire=f"to_wire(self.{attr}, at, {key})" if convert else f"self.{attr}",
                from_wire=from_expr,
                doc=docstrings.member_text(member.documentation, member.shape),
            )
        )
    return ClassView(info.name, docstrings.class_text(names, info), tuple(fields))


def _isort_key(name: str) -> tuple[int, str]:
    """black leaves import order alone; this is isort's (constants, classes, functions)."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def emit_models(names: ServiceNames, package: str) -> str:
    wanted = names.api_classes()
    classes = [class_view(names, info) for info in names.classes if info.name in wanted]
    annotations = " ".join(f.annotation for c in classes for f in c.fields)
    code = " ".join(f"{f.to_wire} {f.from_wire}" for c in classes for f in c.fields)
    helpers = [h for h in ("list_of", "load", "map_of", "need", "to_wire") if f"{h}(" in code]
    uses_drop_unset = any(not f.required for c in classes for f in c.fields)
    # Every from_dict checks its data and every to_dict takes the walk (runtime.Walk).
    helpers += ["Walk", "walk"] if classes else []
    helpers += ["dumping"] if any(c.nested for c in classes) else []
    return render(
        "models.py.jinja2",
        names=names,
        classes=classes,
        package=package,
        uses_datetime="datetime" in annotations,
        uses_io="IO[" in annotations,
        runtime_names=sorted(
            ["UNSET", "UnsetType", *(["drop_unset"] if uses_drop_unset else []), *helpers],
            key=_isort_key,
        ),
    )
