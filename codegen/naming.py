"""The one resolver of names: attributes, classes, enum aliases. Pure functions of the tree.

* Attributes: snake_case of the wire name (`S3Uri` → `s3_uri`, `KMSKeyId` → `kms_key_id`),
  a trailing `_` for keywords, builtins and the model methods; the wire name is kept
  next to the attribute, so the mapping back is a table lookup and exactly lossless.
* Classes: `<Operation>Request` / `<Operation>Response` at the top; nested structures
  are named from their member (list items from the singular of the list's name).
  Structurally identical structures share one class. When two different structures
  want the same name, the one met first in a fixed traversal (operations sorted by
  name, request before response, page order) keeps it and the other is prefixed with
  its parent's class name: never a counter, so names depend only on a structure's own
  position and content.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Hashable

from codegen.escape import shown
from codegen.tree import Operation, Shape

# Names a model class defines itself, or that the generated modules import.
MODEL_METHODS = frozenset({"to_dict", "from_dict", "datetime"})
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any",
        "IO",
        "Literal",
        "Mapping",
        "Sequence",
        "Self",
        "ClassVar",
        "TypedDict",
        "NotRequired",
        "Required",
        "UNSET",
        "UnsetType",
        "Issue",
        "ParamValidationError",
        "Walk",
        "None",
        "True",
        "False",
    }
    | set(dir(builtins))
)
_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))

_ACRONYM_SPLIT = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_SPLIT = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


def snake_case(wire: str) -> str:
    """`S3Uri` → `s3_uri`, `ETag` → `e_tag`, `KMSKeyId` → `kms_key_id`, `VPCConfig` → `vpc_config`."""
    text = _NON_WORD.sub("_", wire)
    text = _ACRONYM_SPLIT.sub(r"\1_\2", text)
    text = _WORD_SPLIT.sub(r"\1_\2", text)
    text = re.sub(r"_+", "_", text).strip("_").lower()
    return text or "field"


def attr_name(wire: str) -> str:
    """The Python attribute for one wire name (before collision resolution)."""
    name = snake_case(wire)
    if name[0].isdigit():
        name = "n" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _BUILTINS:
        name += "_"
    elif name in MODEL_METHODS:
        name += "_"
    return name


def attribute_map(wires: Iterable[str]) -> dict[str, str]:
    """wire → attribute for the members of one class, collision-free.

    When two wire names snake to the same attribute (`KmsKeyId`, `KMSKeyId`), the
    sorted-first keeps it and the others carry their lower-cased wire name as a
    suffix: deterministic, and independent of member order.
    """
    wires = list(wires)
    by_attr: dict[str, list[str]] = {}
    for wire in wires:
        by_attr.setdefault(attr_name(wire), []).append(wire)
    out: dict[str, str] = {}
    taken = set(by_attr)
    for attr, group in by_attr.items():
        for i, wire in enumerate(sorted(group)):
            if i == 0:
                out[wire] = attr
                continue
            alt = f"{attr}_{_NON_WORD.sub('', wire).lower()}_"
            while alt in taken:
                alt += "_"
            taken.add(alt)
            out[wire] = alt
    return {wire: out[wire] for wire in wires}


def pascal(name: str) -> str:
    parts = [p for p in _NON_WORD.split(name) if p]
    text = "".join(p[0].upper() + p[1:] for p in parts) or "Value"
    if text[0].isdigit():
        text = "N" + text
    return text


def singular(name: str) -> str | None:
    """The singular of a PascalCase plural where that reads naturally, else None."""
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("uses", "us"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)] + repl
    if name.endswith("s") and not name.endswith(("ss", "us", "is")) and len(name) > 2:
        return name[:-1]
    return None


def operation_class_stem(op: Operation) -> str:
    return op.api_name or pascal(op.name)


def module_name(service_id: str) -> str:
    """The boto3 service name as a Python subpackage: `-` → `_`."""
    name = service_id.replace("-", "_").replace(".", "_")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or not name.isidentifier():
        name += "_"
    return name


# --- the one validator of names from pages ---------------------------------------------
#
# A page is untrusted input (a fork, a pull request). Every name from it that becomes a
# Python name (module, class, function, method, parameter) passes `check_name`, so that
# nothing but an ASCII identifier of our choosing ever reaches a template; strings go
# through the escaping filters of codegen/emit/env.py and codegen/escape.py instead
# (docs/security.md).


class InvalidName(ValueError):
    """A name from a page that cannot become a Python name; str() is one line."""


# What the package's own __init__ defines and imports (templates/package_init.py.jinja2)
# and its modules: a service subpackage of the same name would replace it
# (`import pkg.check` rebinds `pkg.check`).
PACKAGE_NAMES = frozenset(
    {"SERVICES", "UNSET", "Error", "Issue", "LoadError", "ParamValidationError", "UnsetType", "check",
     "validate", "importlib", "annotations", "Any", "Mapping", "_runtime", "TYPE_CHECKING", "EnumValueWarning"}
)
# The modules of a service subpackage, and what its __init__ imports
# (templates/service_init.py.jinja2).
SERVICE_NAMES = frozenset({"models", "validators", "client", "check", "install", "validate"})
# validators.py defines `check_<operation>` next to the runtime helpers it imports as
# `check_<kind>` (templates/runtime.py.jinja2): an operation named like a kind would
# replace the helper.
RUNTIME_CHECKS = frozenset(
    {"str", "int", "float", "bool", "timestamp", "blob", "enum", "required", "structure"}
)
# docs/<service>/ holds `<operation>.md` next to these pages (codegen/emit/docs.py).
DOC_PAGES = frozenset({"index", "structures"})
OPERATION_RESERVED = RUNTIME_CHECKS | DOC_PAGES

# boto3's service names (`s3`, `bedrock-runtime`, `sagemaker-a2i-runtime`): what
# botocore's data folders are called, the name `boto3.client()` takes.
# Dashes only between letters and digits (as in every botocore name): so that two ids
# never make one module (`class` and `class-` would both be `class_`).
SERVICE_ID = re.compile(r"(?=.{1,63}\Z)[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _problem(name: str, reserved: frozenset[str], soft_keywords: bool) -> str | None:
    """Why `name` cannot be a Python name of the generated code (None: it can)."""
    if not name:
        return "is empty"
    if not name.isascii() or not name.isidentifier():
        return "is not a Python identifier (ASCII letters, digits and _)"
    if keyword.iskeyword(name) or soft_keywords and keyword.issoftkeyword(name):
        return "is a Python keyword"
    if name.startswith("__") and name.endswith("__"):
        return "is a special (dunder) name"
    if name in reserved:
        return "clashes with a name of the generated package"
    return None


def is_identifier(name: str, reserved: frozenset[str] = frozenset()) -> bool:
    """Can `name` be written as it is (a TypedDict key in class syntax, a keyword
    parameter)? Members that cannot keep their wire name in strings only."""
    return _problem(name, reserved, soft_keywords=False) is None


# Names become file names too (`docs/<service>/<operation>.md` and its temp file, the
# package's folder), and a file name has at most 255 bytes on common file systems:
# botocore's longest method name (ec2's) has 71 characters.
MAX_NAME = 128


def check_name(kind: str, name: str, reserved: frozenset[str] = frozenset()) -> str:
    """`name` if it can be a Python name of the generated code, else InvalidName naming
    the `kind` of name and why (the one rule every name from a page passes)."""
    why = _problem(name, reserved, soft_keywords=True)
    if why is None and name.startswith("_"):
        why = "starts with an underscore"
    return _verdict(kind, name, why)


def _verdict(kind: str, name: str, why: str | None) -> str:
    """`name`, or InvalidName saying why not (length is checked last, for every kind)."""
    if why is None and len(name) > MAX_NAME:
        why = f"is longer than {MAX_NAME} characters"
    if why is not None:
        raise InvalidName(f"{kind} {shown(name)} {why}")
    return name


def check_service_id(service_id: str) -> str:
    """A boto3 service name (the breadcrumb's target), and the module made of it."""
    if not SERVICE_ID.fullmatch(service_id):
        raise InvalidName(
            f"service id {shown(service_id)} is not a boto3 service name "
            "(lowercase letters, digits and single '-' between them, at most 63)"
        )
    check_name("service module", module_name(service_id), PACKAGE_NAMES)
    return service_id


def check_service_name(service: str) -> str:
    """The `X` of `X.Client.method`: names the client class (`<X>Client`)."""
    return check_name("service name", service)


def check_operation_name(name: str) -> str:
    """A client method: a method of the stub, `check_<name>` / `validate_<name>` in
    validators.py, `docs/<service>/<name>.md`."""
    return check_name("operation name", name, OPERATION_RESERVED)


def check_api_name(name: str) -> str:
    """The API operation (the last part of the page's AWS API Documentation link): the
    stem of class names (`<name>Request`)."""
    return check_name("API name", name)


# What a generated package must not be called: it would shadow what it is used with.
NOT_PACKAGES = frozenset(sys.stdlib_module_names) | {"boto3", "botocore"}


def check_package_name(name: str) -> str:
    """The import name of the generated package (`--package-name`)."""
    why = _problem(name, frozenset(), soft_keywords=True)
    if why is None and name in NOT_PACKAGES:
        why = "shadows the module of the same name (standard library, boto3)"
    return _verdict("package name", name, why)


_SEGMENT = re.compile(r"\.[^.\[\]{}]+|\[\]|\{\}")


def path_depth(path: str) -> int:
    return len(_SEGMENT.findall(path))


def is_class_shape(shape: Shape) -> bool:
    """Structures that become a class. Event streams stay `Any`, and so does a truncated
    structure whose page listed no members; one that lists some (from the syntax block)
    becomes an open class: known members typed, other keys let through."""
    if shape.type != "structure" or shape.event_stream:
        return False
    return not shape.truncated or bool(shape.members)


def structure_key(shape: Shape, path: str) -> Hashable:
    """Canonical form of a shape without documentation: equal keys, one class."""
    if shape.type == "structure":
        return (
            "structure",
            shape.truncated,
            shape.event_stream,
            shape.union,
            tuple(
                (name, m.required, m.autopopulated, structure_key(m.shape, f"{path}.{name}"))
                for name, m in shape.members
            ),
        )
    if shape.type == "list":
        assert shape.member is not None
        return ("list", structure_key(shape.member, path + "[]"))
    if shape.type == "map":
        assert shape.key is not None and shape.value is not None
        return ("map", structure_key(shape.key, path), structure_key(shape.value, path + "{}"))
    if shape.type == "recursive":
        return ("recursive", path_depth(path) - path_depth(shape.target or ""))
    return (shape.type, shape.enum, shape.streaming, shape.json_value, bool(shape.python_type))


@dataclass(frozen=True, slots=True)
class ClassInfo:
    name: str
    shape: Shape
    op: str  # python name of the operation of its first occurrence
    path: str  # contract path of its first occurrence
    top: bool = False


@dataclass(frozen=True, slots=True)
class EnumInfo:
    name: str
    values: tuple[str, ...]


@dataclass(slots=True)
class ServiceNames:
    service_id: str
    service: str
    module: str
    client_class: str
    operations: list[Operation]  # client operations with an API name, sorted by name
    all_client_operations: list[Operation]
    classes: list[ClassInfo] = field(default_factory=list)
    enums: list[EnumInfo] = field(default_factory=list)
    by_path: dict[tuple[str, str], str] = field(default_factory=dict)
    enum_by_path: dict[tuple[str, str], str] = field(default_factory=dict)
    request_side: set[str] = field(default_factory=set)
    response_side: set[str] = field(default_factory=set)
    attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    top_responses: set[str] = field(default_factory=set)

    def class_at(self, op: str, path: str) -> str:
        return self.by_path[(op, path)]

    def enum_at(self, op: str, path: str) -> str:
        return self.enum_by_path[(op, path)]

    def reachable(self, roots: Iterable[str]) -> set[str]:
        """The classes used by the given classes, transitively (including themselves)."""
        by_name = {c.name: c for c in self.classes}
        todo = list(roots)
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            info = by_name[name]
            # Down to the nearest classes only: what lies below a class is found from
            # its own entry (a class name stands for one structure, all it contains).
            stack = list(info.shape.children(info.path))
            while stack:
                path, shape = stack.pop()
                if shape.type == "recursive" or is_class_shape(shape):
                    child = self.by_path.get((info.op, path))
                    if child is not None:
                        if child not in seen:
                            todo.append(child)
                        continue
                stack.extend(shape.children(path))
        return seen

    def api_request_classes(self) -> set[str]:
        """Classes reachable from the requests of API operations (what validators check)."""
        return self.reachable(self.request_class(op) for op in self.operations)

    def api_classes(self) -> set[str]:
        """Classes reachable from API operations' requests and responses (the models)."""
        roots = [self.request_class(op) for op in self.operations]
        roots += [r for op in self.operations if (r := self.response_class(op)) is not None]
        return self.reachable(roots)

    def request_class(self, op: Operation) -> str:
        return self.by_path[(op.name, "input")]

    def response_class(self, op: Operation) -> str | None:
        return self.by_path.get((op.name, "output"))


class _Resolver:
    def __init__(self, names: ServiceNames) -> None:
        self.n = names
        self.taken: set[str] = set(RESERVED_CLASS_NAMES) | {names.client_class}
        self.struct_names: dict[Hashable, str] = {}
        self.enum_names: dict[tuple[str, tuple[str, ...]], str] = {}

    def free(self, cand: str) -> bool:
        """Free, and its stub names (`<C>TypeDef`, `<C>OutputTypeDef`) clash with no other's."""
        if cand in self.taken or cand + "Output" in self.taken:
            return False
        return not (cand.endswith("Output") and cand[: -len("Output")] in self.taken)

    def claim(self, candidates: Sequence[str]) -> str:
        for cand in candidates:
            if self.free(cand):
                self.taken.add(cand)
                return cand
        raise ValueError(f"cannot name class: {candidates[0]} and its prefixed forms are taken")

    def visit(self, op: Operation, path: str, shape: Shape, cand: str, parent: str, side: str) -> None:
        key = (op.name, path)
        if shape.type == "recursive":
            target = self.n.by_path.get((op.name, shape.target or ""))
            if target is not None:
                self.n.by_path[key] = target
            return
        if shape.type == "string" and shape.enum:
            ekey = (cand, shape.enum)
            name = self.enum_names.get(ekey)
            if name is None:
                stem = cand if cand.endswith("Type") else cand + "Type"
                name = self.claim([stem, parent + stem, parent + cand + "Enum"])
                self.enum_names[ekey] = name
                self.n.enums.append(EnumInfo(name, shape.enum))
            self.n.enum_by_path[key] = name
            return
        if shape.type == "list" and shape.member is not None:
            item = singular(cand)
            self.visit(op, path + "[]", shape.member, item or cand + "Item", parent, side)
            return
        if shape.type == "map" and shape.key is not None and shape.value is not None:
            self.visit(op, path + "{key}", shape.key, cand + "Key", parent, side)
            self.visit(op, path + "{}", shape.value, cand + "Value", parent, side)
            return
        top = path in ("input", "output")
        if top and key not in self.n.by_path or not top and not is_class_shape(shape):
            return
        if top:
            name = self.n.by_path[key]
        else:
            skey = structure_key(shape, path)
            existing = self.struct_names.get(skey)
            if existing is None:
                name = self.claim([cand, parent + cand, parent + cand + "Structure"])
                self.struct_names[skey] = name
                self.n.classes.append(ClassInfo(name, shape, op.name, path))
                self.n.attrs[name] = attribute_map(n for n, _ in shape.members)
            else:
                name = existing
            self.n.by_path[key] = name
        (self.n.request_side if side == "input" else self.n.response_side).add(name)
        for member_name, member in shape.members:
            self.visit(op, f"{path}.{member_name}", member.shape, pascal(member_name), name, side)


def resolve_service(operations: Sequence[Operation]) -> ServiceNames:
    """Names for every class and enum of one service's client operations."""
    client_ops = sorted((o for o in operations if o.kind == "client"), key=lambda o: o.name)
    if not client_ops:
        raise ValueError("no client operations")
    for op in client_ops:
        _check_operation(op)
    first = client_ops[0]
    api_ops = [o for o in client_ops if o.api_name]
    names = ServiceNames(
        service_id=first.service_id,
        service=first.service,
        module=module_name(first.service_id),
        client_class=pascal(first.service) + "Client",
        operations=api_ops,
        all_client_operations=client_ops,
    )
    res = _Resolver(names)
    # Top-level names first: nested classes never take an operation's name.
    for op in client_ops:
        stem = operation_class_stem(op)
        for side, shape, suffix in (("input", op.input, "Request"), ("output", op.output, "Response")):
            if shape is None or shape.type != "structure" or shape.event_stream:
                continue  # top level: even a truncated, member-less section gets its class
            name = res.claim([stem + suffix, pascal(op.name) + suffix, stem + "Operation" + suffix])
            names.by_path[(op.name, side)] = name
            if side == "output":
                names.top_responses.add(name)
            names.classes.append(ClassInfo(name, shape, op.name, side, top=True))
            names.attrs[name] = attribute_map(n for n, _ in shape.members)
    for op in client_ops:
        stem = operation_class_stem(op)
        res.visit(op, "input", op.input, stem + "Request", stem + "Request", "input")
        if op.output is not None:
            res.visit(op, "output", op.output, stem + "Response", stem + "Response", "output")
    return names


def _check_operation(op: Operation) -> None:
    """The page reader checked these names already; a tree from anywhere else (a cache,
    JSON) is checked here, before any of them reaches a template."""
    try:
        check_service_id(op.service_id)
        check_service_name(op.service)
        check_operation_name(op.name)
        if op.api_name is not None:
            check_api_name(op.api_name)
    except InvalidName as exc:
        raise InvalidName(f"{op.source or '<tree>'}:1: {exc}") from None


def resolve(operations: Iterable[Operation]) -> list[ServiceNames]:
    """One ServiceNames per boto3 service, sorted by service name."""
    by_service: dict[str, list[Operation]] = {}
    for op in operations:
        by_service.setdefault(op.service_id or op.service.lower(), []).append(op)
    out = []
    for sid in sorted(by_service):
        if any(o.kind == "client" for o in by_service[sid]):
            out.append(resolve_service(by_service[sid]))
    return out
