"""Shape tree → `<service>/validators.py` and `_validators/mNNN.py`: one generated check
function per structure, loaded on first use.

The checks are straight-line code, not a walker over a model: for each member the
emitter writes the isinstance/enum tests its shape calls for, and calls the check of
a nested structure's class. Issue paths read `InferenceSpecification.Containers[0].Image`.

Layout (docs/runtime.md, "Import time"): the check of class X (`_check_X`, `_KEYS_X`) and
the value set of enum X (`_X`) live in `_validators/<bucket_of(X)>.py`, the same bucket
as the model; `validate_<op>` and `check_<op>` in the bucket of the operation's request
class. `validators.py` defines no check: its PEP 562 `__getattr__` imports a bucket when
one of its names is first used. A check calling one of another bucket reads it from
`validators` (`_validators._check_Y(...)`), so that bucket is imported when data has
such a member, not with the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen.emit.env import pyrepr, render
from codegen.emit.rendermemo import RenderMemo, ServiceTitle, render_into
from codegen.fmt import fit
from codegen.emit.models import BUCKETS, bucket_of
from codegen.naming import ClassInfo, EnumInfo, ServiceNames, is_class_shape
from codegen.tree import Operation, Shape

VALIDATORS_DIR = "_validators"
# How a check reads a name of another bucket: through the validators module, whose
# __getattr__ imports that bucket on first use (templates/validators_bucket.py.jinja2).
_FACADE = "_validators"

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
    helpers: tuple[str, ...]  # the runtime's check_* functions the body calls, sorted
    enums: tuple[str, ...]  # the enums whose value sets the body reads, sorted
    elsewhere: bool  # the body reads names of other buckets from the validators module


@dataclass(frozen=True, slots=True)
class OperationView:
    name: str
    api_name: str
    request_class: str


class _Writer:
    def __init__(self, names: ServiceNames) -> None:
        self.names = names
        self.used: set[str] = set()
        self.enums: set[str] = set()
        self.here = ""  # the bucket of the check being written
        self.elsewhere = False

    def ref(self, name: str, defined_as: str) -> str:
        """`defined_as` (a module-level name for `name`: `_check_X`, `_X`) as code in
        the bucket being written: read from the validators module when another bucket
        defines it."""
        if bucket_of(name) == self.here:
            return defined_as
        self.elsewhere = True
        return f"{_FACADE}.{defined_as}"

    def checks(self, op: str, path: str, shape: Shape, x: str, p: str, depth: int, ind: str) -> list[str]:
        """Statements checking value `x` (at path expression `p`) against `shape`."""
        if shape.python_type or shape.json_value or shape.type == "document":
            return []
        # `x` is inside the checked structure's dict and `depth` lists/maps below it.
        inside = f"depth + {depth + 1}"
        if shape.type == "recursive":
            target = self.names.by_path.get((op, path))
            return [] if target is None else [f"{ind}{self.ref(target, '_check_' + target)}({x}, {p}, issues, {inside})"]
        if shape.type == "structure":
            if is_class_shape(shape):
                cls = self.names.class_at(op, path)
                return [f"{ind}{self.ref(cls, '_check_' + cls)}({x}, {p}, issues, {inside})"]
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
            self.enums.add(alias)
            return [f"{ind}check_enum({x}, {p}, {self.ref(alias, '_' + alias)}, issues)"]
        self.used.add(shape.type)
        return [f"{ind}check_{_HELPERS[shape.type]}({x}, {p}, issues)"]

    @staticmethod
    def _wrong(test: str, expected: str, x: str, p: str, ind: str) -> list[str]:
        return [
            f"{ind}if not {test}:",
            f'{ind}    issues.append(Issue({p}, "wrong_type", f"expected {expected}, got {{type({x}).__name__}}"))',
        ]

    def check_view(self, info: ClassInfo) -> CheckView:
        self.here, self.used, self.enums, self.elsewhere = bucket_of(info.name), set(), set(), False
        lines: list[str] = []
        for wire, member in info.shape.members:
            key = pyrepr(wire)
            checks = self.checks(info.op, f"{info.path}.{wire}", member.shape, "v", "p", 0, "        ")
            if len(checks) == 1 and "(v, p, " in checks[0]:
                # One call: pass the value and path straight in.
                call = checks[0].strip().replace("(v, p, ", f"(value[{key}], join(path, {key}), ", 1)
                lines += [f"    if {key} in value:", f"        {call}"]
            elif checks:
                lines += [
                    f"    if {key} in value:",
                    f"        v = value[{key}]",
                    f"        p = join(path, {key})",
                    *checks,
                ]
        required = tuple(w for w, m in info.shape.members if m.required and not m.autopopulated)
        keys = tuple(w for w, _ in info.shape.members)
        body = "\n".join(_fit_indented(line) for line in lines)
        helpers = tuple(sorted({"check_enum" if u == "enum" else f"check_{_HELPERS[u]}" for u in self.used}))
        return CheckView(info.name, keys, required, body, not info.shape.truncated, helpers, tuple(sorted(self.enums)),
                         self.elsewhere)


def _fit_indented(line: str) -> str:
    """One statement written on one line (indented by 4 spaces a level), as black lays it out."""
    code = line.lstrip(" ")
    return fit(code, (len(line) - len(code)) // 4)


def _operations(names: ServiceNames) -> list[OperationView]:
    ops: list[Operation] = names.operations
    return [OperationView(o.name, o.api_name or "", names.request_class(o)) for o in ops]


def _runtime_names(checks: list[CheckView], operations: bool) -> list[str]:
    """What a bucket imports from `_runtime`."""
    used = {h for c in checks for h in c.helpers}
    used |= {"Issue", "check_structure"} if checks else set()
    used |= {"check_required"} if any(c.required for c in checks) else set()
    used |= {"join"} if any("join(path, " in c.body for c in checks) else set()
    used |= {"EnumMode", "Issue", "settle", "validation_error"} if operations else set()
    return sorted(used)


def _bucket_module(
    files: dict[str, str], memo: RenderMemo | None, rel: str,
    names: ServiceNames, package: str, bucket: str, checks: list[CheckView], enums: list[EnumInfo],
    operations: list[OperationView],
) -> None:
    exported = [f"_{e.name}" for e in enums]
    for c in checks:
        exported += [f"_KEYS_{c.name}"] if c.closed else []
        exported += [f"_check_{c.name}"]
    for o in operations:
        exported += [f"check_{o.name}", f"validate_{o.name}"]
    render_into(
        files, rel, memo,
        "validators_bucket.py.jinja2",
        names=ServiceTitle.of(names),
        package=package,
        bucket=bucket,
        checks=checks,
        enums=enums,
        operations=operations,
        exported=exported,
        runtime_names=_runtime_names(checks, bool(operations)),
        elsewhere=any(c.elsewhere for c in checks),
    )


def emit_validators(names: ServiceNames, package: str, memo: RenderMemo | None = None) -> dict[str, str]:
    """The service's validator modules, by path relative to its folder: `validators.py`
    and `_validators/*.py` (one per bucket that defines something). `memo`: the modules
    it keeps are left out."""
    writer = _Writer(names)
    wanted = names.api_request_classes()
    checks = [writer.check_view(i) for i in names.classes if i.name in wanted]
    operations = _operations(names)
    used_enums = {e for c in checks for e in c.enums}
    enums = [e for e in names.enums if e.name in used_enums]
    home = {c.name: bucket_of(c.name) for c in checks}
    buckets = sorted(
        set(home.values()) | {bucket_of(e.name) for e in enums} | {home[o.request_class] for o in operations}
    )
    files = {
        "validators.py": render(
            "validators.py.jinja2",
            names=names,
            package=package,
            operations=operations,
            buckets=buckets,
            buckets_count=BUCKETS,
        ),
        f"{VALIDATORS_DIR}/__init__.py": render("validators_dir.py.jinja2", names=names, package=package),
    }
    # (each bucket's share, in one pass: not a scan of everything per bucket)
    in_bucket: dict[str, tuple[list[CheckView], list[EnumInfo], list[OperationView]]]
    in_bucket = {bucket: ([], [], []) for bucket in buckets}
    for c in checks:
        in_bucket[home[c.name]][0].append(c)
    for e in enums:
        in_bucket[bucket_of(e.name)][1].append(e)
    for o in operations:
        in_bucket[home[o.request_class]][2].append(o)
    for bucket in buckets:
        _bucket_module(files, memo, f"{VALIDATORS_DIR}/{bucket}.py", names, package, bucket, *in_bucket[bucket])
    return files
