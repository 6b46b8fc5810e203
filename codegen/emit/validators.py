"""Shape tree → `<service>/validators.py`: one generated check function per structure.

The checks are straight-line code, not a walker over a model: for each member the
emitter writes the isinstance/enum tests its shape calls for, and calls the check of
a nested structure's class. Issue paths read `InferenceSpecification.Containers[0].Image`.
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen.emit.env import pyrepr, render
from codegen.fmt import fit
from codegen.naming import ClassInfo, ServiceNames, is_class_shape
from codegen.tree import Operation, Shape

_HELPERS = {
    "string": "str",
    "integer": "int",
    "float": "float",
    "boolean": "bool",
    "timestamp": "timestamp",
    "blob": "blob",
}


@dataclass(frozen=True, slots=True)
class CheckView:
    name: str
    keys: tuple[str, ...]
    required: tuple[str, ...]
    body: str  # member checks, indented for the function body
    closed: bool  # unknown keys are errors (not for a truncated page section)


@dataclass(frozen=True, slots=True)
class OperationView:
    name: str
    api_name: str
    request_class: str


class _Writer:
    def __init__(self, names: ServiceNames) -> None:
        self.names = names
        self.used: set[str] = set()

    def checks(self, op: str, path: str, shape: Shape, x: str, p: str, depth: int, ind: str) -> list[str]:
        """Statements checking value `x` (at path expression `p`) against `shape`."""
        if shape.python_type or shape.json_value or shape.type == "document":
            return []
        # `x` is inside the checked structure's dict and `depth` lists/maps below it.
        inside = f"depth + {depth + 1}"
        if shape.type == "recursive":
            target = self.names.by_path.get((op, path))
            return [] if target is None else [f"{ind}_check_{target}({x}, {p}, issues, {inside})"]
        if shape.type == "structure":
            if is_class_shape(shape):
                return [f"{ind}_check_{self.names.class_at(op, path)}({x}, {p}, issues, {inside})"]
            if shape.event_stream:
                return []
            return self._wrong(f"isinstance({x}, dict)", "a dict", x, p, ind)
        if shape.type == "list":
            assert shape.member is not None
            i, y, q = f"i{depth}", f"y{depth}", f"p{depth}"
            inner = self.checks(op, path + "[]", shape.member, y, q, depth + 1, ind + "        ")
            lines = self._wrong(f"isinstance({x}, (list, tuple))", "a list", x, p, ind)
            if inner:
                lines += [
                    f"{ind}else:",
                    f"{ind}    for {i}, {y} in enumerate({x}):",
                    f'{ind}        {q} = f"{{{p}}}[{{{i}}}]"',
                    *inner,
                ]
            return lines
        if shape.type == "map":
            assert shape.key is not None and shape.value is not None
            k, y, q = f"k{depth}", f"y{depth}", f"p{depth}"
            key_check = self.checks(op, path + "{key}", shape.key, k, f"{q}k", depth + 1, ind + "        ")
            inner = self.checks(op, path + "{}", shape.value, y, q, depth + 1, ind + "        ")
            lines = self._wrong(f"isinstance({x}, dict)", "a dict", x, p, ind)
            if inner or key_check:
                lines += [f"{ind}else:", f"{ind}    for {k}, {y} in {x}.items():"]
                if key_check:
                    lines += [f'{ind}        {q}k = f"{{{p}}} (key: {{{k}}})"', *key_check]
                if inner:
                    lines += [f'{ind}        {q} = f"{{{p}}}.{{{k}}}"', *inner]
            return lines
        if shape.type not in _HELPERS:
            return []
        if shape.type == "string" and shape.enum:
            alias = self.names.enum_at(op, path)
            self.used.add("enum")
            return [f"{ind}check_enum({x}, {p}, _{alias}, issues)"]
        self.used.add(shape.type)
        return [f"{ind}check_{_HELPERS[shape.type]}({x}, {p}, issues)"]

    @staticmethod
    def _wrong(test: str, expected: str, x: str, p: str, ind: str) -> list[str]:
        return [
            f"{ind}if not {test}:",
            f'{ind}    issues.append(Issue({p}, "wrong_type", f"expected {expected}, got {{type({x}).__name__}}"))',
        ]

    def check_view(self, info: ClassInfo) -> CheckView:
        lines: list[str] = []
        for wire, member in info.shape.members:
            key = pyrepr(wire)
            body = self.checks(info.op, f"{info.path}.{wire}", member.shape, "v", "p", 0, "        ")
            if len(body) == 1 and "(v, p, " in body[0]:
                # One call: pass the value and path straight in.
                call = body[0].strip().replace("(v, p, ", f"(value[{key}], join(path, {key}), ", 1)
                lines += [f"    if {key} in value:", f"        {call}"]
            elif body:
                lines += [
                    f"    if {key} in value:",
                    f"        v = value[{key}]",
                    f"        p = join(path, {key})",
                    *body,
                ]
        required = tuple(w for w, m in info.shape.members if m.required and not m.autopopulated)
        keys = tuple(w for w, _ in info.shape.members)
        return CheckView(info.name, keys, required, "\n".join(_fit_indented(line) for line in lines), not info.shape.truncated)


def _fit_indented(line: str) -> str:
    """One statement written on one line (indented by 4 spaces a level), as black lays it out."""
    code = line.lstrip(" ")
    return fit(code, (len(line) - len(code)) // 4)


def _operations(names: ServiceNames) -> list[OperationView]:
    ops: list[Operation] = names.operations
    return [OperationView(o.name, o.api_name or "", names.request_class(o)) for o in ops]


def emit_validators(names: ServiceNames, package: str) -> str:
    writer = _Writer(names)
    wanted = names.api_request_classes()
    checks = [writer.check_view(i) for i in names.classes if i.name in wanted]
    return render(
        "validators.py.jinja2",
        names=names,
        package=package,
        checks=checks,
        operations=_operations(names),
        used=writer.used,
        helpers=sorted(
            {"check_enum" if u == "enum" else f"check_{_HELPERS[u]}" for u in writer.used}
        ),
    )
