"""Shape tree → `<service>/models.py` and `_models/mNNN.py`: slots, keyword-only dataclasses with to_dict/from_dict, loaded on first use (BUCKETS)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from codegen.emit.options import DEFAULT_RESPONSES
from codegen.emit.aliases import model_aliases
from codegen.emit import docstrings
from codegen.emit.responses import field_present
from codegen.emit.env import pyrepr, render
from codegen.emit.rendermemo import RenderMemo, ServiceTitle, render_into
from codegen.emit.types import py_type
from codegen.naming import ClassInfo, EnumInfo, ServiceNames, is_class_shape
from codegen.tree import Shape


@dataclass(frozen=True, slots=True)
class FieldView:
    attr: str
    annotation: str
    required: bool
    from_wire: str
    doc: str
    helpers: tuple[str, ...]  # the runtime's functions the two expressions call, sorted
    present: bool = False  # a response key typed as always there (emit/responses.py)
    # The field's three statements, each on one line (the template lays them out):
    statement: str = ""  # `attr: annotation = default`
    dump_item: str = ""  # to_dict's `"Wire": <to_wire>,`
    load_item: str = ""  # from_dict's `attr=<from_wire>,`


def _declaration(annotation: str, required: bool, present: bool) -> str:
    """The annotation and default. A present key's default is the runtime's ABSENT
    (UNSET, typed Any): a model built without it stays convenient to write."""
    if required:
        return annotation
    return f"{annotation} = ABSENT" if present else f"{annotation} | UnsetType = UNSET"


@dataclass(frozen=True, slots=True)
class ClassView:
    name: str
    doc: str
    fields: tuple[FieldView, ...]
    link: str = ""  # docstrings.class_link: an operation's request and response only

    @property
    def entries(self) -> list[tuple[str, str]]:
        """(attribute, description) of each field: the class docstring's Attributes."""
        return [(f.attr, f.doc) for f in self.fields]


# What from_dict checks each scalar with (codegen/emit/types.py gives the same types).
_SCALAR_LOADERS = {
    "string": "as_str",
    "integer": "as_int",
    "float": "as_float",
    "boolean": "as_bool",
    "timestamp": "as_datetime",
    "blob": "as_bytes",
}


_HELPERS = frozenset({"list_of", "map_of", "as_any", "as_dict", *_SCALAR_LOADERS.values()})
_NAME = re.compile(r"[A-Za-z_]\w*")
_STRING_OR_NAME = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[A-Za-z_]\w*")  # (strings stay as they are)


def _class_of(names: ServiceNames, op: str, path: str, shape: Shape) -> str | None:
    if shape.type == "recursive":
        return names.by_path.get((op, path))
    if is_class_shape(shape):
        return names.class_at(op, path)
    return None


def _passed_through(shape: Shape) -> bool:
    """Typed `Any` in the models: taken and written as they are."""
    if shape.python_type or shape.json_value or shape.type == "document":
        return True
    return shape.type == "blob" and shape.streaming or shape.type == "structure" and shape.event_stream


def needs_dump(names: ServiceNames, op: str, path: str, shape: Shape) -> bool:
    """to_dict passes the value through to_wire: it holds models, or values a JSON dump
    writes as text (datetimes, bytes)."""
    if _class_of(names, op, path, shape) is not None:
        return True
    if _passed_through(shape):
        return False
    if shape.type in ("timestamp", "blob"):
        return True
    if shape.type == "list" and shape.member is not None:
        return needs_dump(names, op, path + "[]", shape.member)
    if shape.type == "map" and shape.value is not None:
        return needs_dump(names, op, path + "{}", shape.value)
    return False


def loader(names: ServiceNames, op: str, path: str, shape: Shape) -> str:
    """The loader (runtime.Loader) turning boto3's value of `shape` into the model's: a
    model class, or a function of the runtime."""
    cls = _class_of(names, op, path, shape)
    if cls is not None:
        return cls
    if _passed_through(shape) or shape.type == "recursive":
        return "as_any"
    if shape.type == "structure":
        return "as_dict"  # an open structure (no members on the page)
    if shape.type == "list" and shape.member is not None:
        return f"list_of({loader(names, op, path + '[]', shape.member)})"
    if shape.type == "map" and shape.value is not None:
        return f"map_of({loader(names, op, path + '{}', shape.value)})"
    return _SCALAR_LOADERS.get(shape.type, "as_any")


def class_view(
    names: ServiceNames, info: ClassInfo, defined: Mapping[str, str], responses: str = DEFAULT_RESPONSES
) -> ClassView:
    """`defined`: the bucket of each class and enum of the models (from_dict reads those
    of other buckets lazily: _localise)."""
    attrs = names.attrs[info.name]
    here = defined[info.name]
    fields = []
    for wire, member in info.shape.members:
        path = f"{info.path}.{wire}"
        attr = attrs[wire]
        required = member.required and not member.autopopulated
        present = not required and field_present(names, info, member, responses)
        key = pyrepr(wire)  # black's quotes: the rendered text is final (no black pass)
        load = loader(names, info.op, path, member.shape)
        dump = needs_dump(names, info.op, path, member.shape)
        annotation = py_type(names, info.op, path, member.shape, "model")
        to_wire = f"to_wire(self.{attr}, at, {key})" if dump else f"self.{attr}"
        call = "need" if required or present else "load"
        if defined.keys().isdisjoint((call, "rest", "at")):
            # (the names before the loader are none of the module's: only the loader's
            # class names, a string literal apart, may be read lazily)
            from_wire = f"{call}(rest, {key}, at, {_localise(load, here, defined)})"
        else:
            from_wire = _localise(f"{call}(rest, {key}, at, {load})", here, defined)
        fields.append(
            FieldView(
                attr=attr,
                annotation=annotation,
                required=required,
                from_wire=from_wire,
                doc=docstrings.member_text(member.documentation, member.shape),
                helpers=tuple(sorted(
                    frozenset(_NAME.findall(load)) & _HELPERS
                    | {call}
                    | ({"to_wire"} if dump else set())
                    | ({"ABSENT"} if present else set())
                )),
                present=present,
                statement=f"{attr}: {_declaration(annotation, required, present)}",
                dump_item=f"{key}: {to_wire},",
                load_item=f"{attr}={from_wire},",
            )
        )
    return ClassView(info.name, docstrings.class_text(names, info), tuple(fields), docstrings.class_link(names, info))


def _isort_key(name: str) -> tuple[int, str]:
    """black leaves import order alone; this is isort's (constants, classes, functions)."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


# The module layout (docs/runtime.md, "Import time"): `models.py` is a small module whose
# PEP 562 __getattr__ imports the module defining a name on first use; the classes and
# enum aliases live in `_models/mNNN.py`, NNN being the CRC-32 of the name modulo BUCKETS.
# A bucket depends on the name alone, so a class never moves (hand edits stay where they
# are) whatever else the pages add; BUCKETS must never change (the runtime computes the
# same, _runtime.lazy_attribute). 128 keeps ec2's largest bucket to a few tens of KB.
BUCKETS = 128
MODELS_DIR = "_models"


def bucket_of(name: str) -> str:
    """The module (in `_models/`, `_validators/`) that defines `name`."""
    return f"m{zlib.crc32(name.encode('utf-8')) % BUCKETS:03d}"


def _localise(code: str, here: str, defined: Mapping[str, str]) -> str:
    """`code` with each generated name that another bucket defines read from the
    `models` module when a value is loaded (`later(_models, "X")`), not imported with
    this module nor on every from_dict."""

    def one(match: re.Match[str]) -> str:
        name = match.group(0)
        home = defined.get(name)
        return name if home is None or home == here else f'later(_models, "{name}")'

    return _STRING_OR_NAME.sub(one, code)


def _bucket_module(
    files: dict[str, str], memo: RenderMemo | None, rel: str,
    names: ServiceNames, package: str, bucket: str, classes: list[ClassView], enums: list[EnumInfo],
    defined: Mapping[str, str],
) -> None:
    annotations = " ".join(f.annotation for c in classes for f in c.fields)
    # Names of other buckets that the annotations use: for type checkers only.
    elsewhere: dict[str, set[str]] = {}
    for name in set(_NAME.findall(annotations)):
        home = defined.get(name)
        if home is not None and home != bucket:
            elsewhere.setdefault(home, set()).add(name)
    lazy = any("later(_models" in f.from_wire for c in classes for f in c.fields)
    helpers = sorted({h for c in classes for f in c.fields for h in f.helpers} | ({"later"} if lazy else set()))
    # Every model subclasses the runtime's Model (imported as _Model: no generated class
    # name starts with `_`, so a structure called `Model` cannot clash).
    helpers += ["Model as _Model", "Walk", "dump", "dumping", "unknown", "walk"] if classes else []
    # (a module whose classes have only required members has no UNSET default)
    unset = ["UNSET", "UnsetType"] if any(not (f.required or f.present) for c in classes for f in c.fields) else []
    typing_names = [
        n for n, used in (
            ("IO", "IO[" in annotations),
            ("TYPE_CHECKING", bool(elsewhere)),
            ("Any", bool(classes)),
            ("Literal", bool(enums)),
            ("Mapping", bool(classes)),
        ) if used
    ]
    render_into(
        files, rel, memo,
        "models.py.jinja2",
        names=ServiceTitle.of(names),
        bucket=bucket,
        classes=classes,
        enums=enums,
        package=package,
        uses_datetime="datetime" in annotations,
        typing_names=typing_names,
        runtime_names=sorted([*unset, *helpers], key=_isort_key),
        lazy=lazy,
        elsewhere=[(home, sorted(elsewhere[home])) for home in sorted(elsewhere)],
    )


def emit_models(
    names: ServiceNames, package: str, responses: str = DEFAULT_RESPONSES, memo: RenderMemo | None = None
) -> dict[str, str]:
    """The service's model modules, by path relative to its folder: `models.py` and
    `_models/*.py` (see BUCKETS). `responses`: how response-only classes type their
    fields (config.RESPONSE_MODES). `memo`: the modules it keeps are left out."""
    wanted = names.api_classes()
    infos = [info for info in names.classes if info.name in wanted]
    enums = names.enums
    defined = {n: bucket_of(n) for n in [i.name for i in infos] + [e.name for e in enums]}
    classes = [class_view(names, info, defined, responses) for info in infos]
    buckets = sorted(set(defined.values()))
    files = {
        "models.py": render(
            "models_lazy.py.jinja2",
            names=names,
            package=package,
            buckets=buckets,
            buckets_count=BUCKETS,
            aliases=model_aliases(names, set(defined)),
        ),
        f"{MODELS_DIR}/__init__.py": render("models_dir.py.jinja2", names=names, package=package),
    }
    in_bucket: dict[str, tuple[list[ClassView], list[EnumInfo]]] = {bucket: ([], []) for bucket in buckets}
    for c in classes:
        in_bucket[defined[c.name]][0].append(c)
    for e in enums:
        in_bucket[defined[e.name]][1].append(e)
    for bucket in buckets:
        _bucket_module(files, memo, f"{MODELS_DIR}/{bucket}.py", names, package, bucket, *in_bucket[bucket], defined)
    return files
