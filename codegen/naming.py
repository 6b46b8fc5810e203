"""The one resolver of names: attributes, classes, enum aliases. Pure functions of the tree.

* Attributes: snake_case of the wire name (`S3Uri` → `s3_uri`, `KMSKeyId` → `kms_key_id`),
  a trailing `_` for keywords, builtins and the model methods; the wire name is kept
  next to the attribute, so the mapping back is a table lookup and exactly lossless.
* Classes: `<Operation>Request` / `<Operation>Response` at the top. Every nested
  structure is named by the evidence its pages give (codegen/evidence.py), in the order
  of docs/names.md:
  1. a name the names registry has for its places (codegen/registry.py): published
     names never move unless re-resolved on purpose;
  2. a type name the text under its member gives ("an array of ``Channel`` objects");
  3. the member name, or its singular for the items of a plural list or map;
  4. a made-up name: `<Member>Item` / `<Member>Value`.
  Identical structures share a class where the pages call them alike (a made-up name
  gives way to a shown one; forms of one name, `CertificateTag` and `Tag`,
  `ScheduleConfig` and `ScheduleConfiguration`; a type the text under one member names;
  list items joining the structure a member holds directly); the same structure under
  unrelated member names stays as many classes, as AWS names them.
  When two structures want one name, a request class before a response class (the
  stubs keep the sides apart; a response-only dataclass then carries `Output`), then the
  stronger evidence, the structure an operation is named after, the one nearer the top,
  the one met at more places, the first in sorted order: names depend on the set of
  pages, never on their order. The other takes the smallest qualifier that makes it
  unique (its member name, the nearest enclosing member name or one of its words, ...),
  at most 40 characters unless the page shows the longer name.
* Event streams: a response's event stream is the union of its events,
  `<Operation>EventStream` (no page names it); it and the structures below it are named
  last, around every other name, joining a class of the rest that is the same structure
  called alike: the events of a page move no other name.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Hashable

from codegen.escape import shown
from codegen.registry import Entry, Registry, place
from codegen.registry import match as match_registry
from codegen.registry import with_entries as registry_with
from codegen.evidence import (
    DERIVED, MAX_MADE_UP, MEMBER_NAME, REGISTERED, REVEALED_IN_TEXT, Candidate, Reach, candidate, singular, text_names
)
from codegen.tree import Operation, Shape

# Names a model class defines itself, or that the generated modules import.
MODEL_METHODS = frozenset({"to_dict", "from_dict", "datetime", "extra", "validated"})
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
    """Structures that become a class. Event streams do not (the models take botocore's
    object as it is: is_event_stream), and neither does a truncated structure whose page
    listed no members; one that lists some (from the syntax block) becomes an open class:
    known members typed, other keys let through."""
    if shape.type != "structure" or shape.event_stream:
        return False
    return not shape.truncated or bool(shape.members)


def is_event_stream(shape: Shape) -> bool:
    """A response's event stream: named in the stubs only, as the union of its events
    (one key each), the events below it as classes of their own."""
    return shape.type == "structure" and shape.event_stream


def structure_key(shape: Shape, path: str, ancestors: Mapping[str, Shape] | None = None) -> Hashable:
    """Canonical form of a shape without documentation: equal keys, one class.

    `ancestors` (path → structure or list above `shape`): a recursive reference that leads
    out of `shape` is keyed by its target too. Its class types it, so two places whose
    references lead to different structures (bedrock-agent's `Loop`, in a request and a
    response `Definition`) or lists of them (fsx's `AdministrativeActions` of a file
    system's or a volume's) are two classes."""
    return _key(shape, path, path, ancestors)


def _key(shape: Shape, path: str, root: str, ancestors: Mapping[str, Shape] | None) -> Hashable:
    if shape.type == "structure":
        return (
            "structure",
            shape.truncated,
            shape.event_stream,
            shape.union,
            tuple(
                (name, m.required, m.autopopulated, _key(m.shape, f"{path}.{name}", root, ancestors))
                for name, m in shape.members
            ),
        )
    if shape.type == "list":
        assert shape.member is not None
        return ("list", _key(shape.member, path + "[]", root, ancestors))
    if shape.type == "map":
        assert shape.key is not None and shape.value is not None
        return ("map", _key(shape.key, path, root, ancestors), _key(shape.value, path + "{}", root, ancestors))
    if shape.type == "recursive":
        target = shape.target or ""
        key: tuple[Hashable, ...] = ("recursive", path_depth(path) - path_depth(target))
        outside = target != root and not target.startswith((root + ".", root + "[", root + "{"))
        if ancestors is not None and outside and target in ancestors:
            key += (structure_key(ancestors[target], target, ancestors),)
        return key
    return (shape.type, shape.enum, shape.streaming, shape.json_value, bool(shape.python_type))


@dataclass(frozen=True, slots=True)
class ClassInfo:
    name: str
    shape: Shape
    op: str  # python name of the operation of its first occurrence
    path: str  # contract path of its first occurrence
    top: bool = False
    # The resolver's name, what the stubs' TypedDict names are made of: the same as `name`
    # except for a response-only class that shares it with a request class (`name` is
    # then `<stem>Output`).
    stem: str = ""


@dataclass(frozen=True, slots=True)
class EnumInfo:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True, order=True)
class Alias:
    """A renamed class or Literal alias: its old name stays, deprecated, for one run."""

    old: str
    new: str
    kind: str  # "class" or "enum"
    old_stem: str = ""  # the old name's stem, for the stubs' TypedDict names


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
    registry: Registry = field(default_factory=Registry)  # what this run publishes
    renames: list[tuple[str, str]] = field(default_factory=list)  # (old, new) against the registry read
    aliases: list[Alias] = field(default_factory=list)  # deprecated old names this run keeps
    _stems: dict[str, str] = field(default_factory=dict)

    def class_at(self, op: str, path: str) -> str:
        return self.by_path[(op, path)]

    def stem_of(self, class_name: str) -> str:
        """The resolver's name of a class (ClassInfo.stem)."""
        stems = self._stems
        if not stems:
            stems.update((c.name, c.stem or c.name) for c in self.classes)
        return stems.get(class_name, class_name)

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
                if is_event_stream(shape):
                    continue  # (the models and docs take botocore's object as it is)
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


@dataclass(slots=True)
class _Site:
    """One place a structure (or an enum) is met: the unit of evidence."""

    op: str
    side: str
    path: str
    shape: Shape
    key: Hashable
    cand: Candidate
    quals: tuple[str, ...]  # qualifiers, nearest first: enclosing member names, the operation
    order: int  # traversal order: where its class is listed in the modules
    about: bool = False  # the operation is named after it (`DescribeAddresses`, `Address`)
    place: str = ""  # `operation:path`, the names registry's key (codegen/registry.py)
    mentions: frozenset[str] = frozenset()  # type-like words of the texts under its member


@dataclass(slots=True)
class _Group:
    """Sites that become one class (or one Literal alias), and the name it gets."""

    sites: list[_Site]
    want: str
    strength: int
    sides: frozenset[str]
    name: str = ""  # the model (module-level) name
    stem: str = ""  # the resolver's name: what the stubs' TypeDef names are built from

    @property
    def first(self) -> tuple[str, int, str]:
        return min((s.op, _SIDES.index(s.side), s.path) for s in self.sites)

    def rank(self) -> tuple[int, int, int, int, int, int, tuple[str, int, str]]:
        """Who keeps a name both want: a request class before a response class (so that
        both sides' classes can carry AWS's name, the response one with `Output`), then
        the structure an operation is named after (`create_customer_gateway` →
        `CustomerGateway`), then the one nearer the top of its operation, then the one
        with more members (AWS gives the plain name to the fuller type: `Rule` rather than
        `ObjectLockRule`'s one member), then the stronger evidence, then the one met at
        more places, then the first. All are properties of the structures and their
        places, never of the pages' order; that a member added to one structure may move
        the name to it is the names registry's to prevent (published names are kept).
        The evidence comes late: a text that names a type ("a `SizeConstraintSet`") is
        as often about the structure's relative (its summary) as about itself."""
        about = any(s.about for s in self.sites)
        side = 0 if "input" in self.sides else 1
        depth = min(path_depth(s.path) for s in self.sites)
        members = len(self.sites[0].shape.members)
        return (side, -about, depth, -members, -self.strength, -len(self.sites), self.first)


_SIDES = ("input", "output")


class _Names:
    """The names taken in one service: per side (the stubs' two TypedDict flavours) and
    per module (the dataclasses and Literal aliases share one namespace)."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.reserved = set(reserved)
        self.side: dict[str, set[str]] = {side: set() for side in _SIDES}
        self.module: set[str] = set(self.reserved)

    def copy(self) -> _Names:
        new = _Names(self.reserved)
        new.side = {side: set(names) for side, names in self.side.items()}
        new.module = set(self.module)
        return new

    def claim(self, group: _Group, stem: str, pinned: str = "") -> bool:
        """Give `stem` to `group` if no other holds it where the group is used (`pinned`:
        the module name the registry has for it)."""
        if stem in self.reserved or any(stem in self.side[s] for s in group.sides):
            return False
        # `<X>Output` + `TypeDef` (a request TypedDict) is also the response TypedDict of `<X>`
        if "input" in group.sides and stem.endswith("Output") and stem[: -len("Output")] in self.side["output"]:
            return False
        if "output" in group.sides and stem + "Output" in self.side["input"]:
            return False
        name = pinned or stem
        if pinned and name in self.module:
            return False
        if name in self.module:
            # A response-only structure may share its stem with a request class (both as
            # AWS names them); its dataclass then carries the fixed suffix `Output`.
            if group.sides != {"output"} or stem not in self.side["input"]:
                return False
            name = stem + "Output"
            if name in self.module:
                return False
        for side in group.sides:
            self.side[side].add(stem)
        self.module.add(name)
        group.name, group.stem = name, stem
        return True

    def extend(self, group: _Group, sides: frozenset[str]) -> bool:
        """Can the class `group` also be used on `sides` under its name? If so, it is."""
        new = sides - group.sides
        if new and not (group.name == group.stem and all(group.stem not in self.side[s] for s in new)):
            return False
        if "input" in new and group.stem.endswith("Output") and group.stem[: -len("Output")] in self.side["output"]:
            return False
        if "output" in new and group.stem + "Output" in self.side["input"]:
            return False
        for side in new:
            self.side[side].add(group.stem)
        return True

    def claim_enum(self, name: str) -> bool:
        if name in self.module or any(name in taken for taken in self.side.values()):
            return False
        self.module.add(name)
        return True


def _qualified(stem: str, site: _Site) -> list[str]:
    """Longer forms of `stem` for a structure that lost it, shortest qualifier first: the
    member name it is reached through (`AntennaUplinkConfig` wanting `Config`), the nearest
    enclosing member names, one word of them, two of them; names longer than
    MAX_CLASS_NAME only when no short one is free; last, a name made of its whole path,
    which only that place has."""
    quals = [q for q in site.quals if q and not stem.startswith(q)]
    # The name of the member it is reached through (or its singular) is what the page
    # shows there too: `AntennaUplinkConfig` wanting `Config`, `TrainingJobDefinitions`
    # items wanting the `HyperParameterTrainingJobDefinition` their text names.
    member = pascal(site.cand.member) if site.cand.member else ""
    listed = site.path.endswith(("[]", "{}"))  # an item or value: the singular is its name
    out = [n for n in ((singular(member) if listed else None), member) if n and n != stem]
    as_member = list(out)
    out += [q + stem for q in quals]
    out += [
        w + stem for q in quals for w in reversed(_CAMEL_WORDS.findall(q)) if w[:1].isupper() and not stem.startswith(w)
    ]
    out += [quals[i + 1] + quals[i] + stem for i in range(len(quals) - 1)]
    out.append("".join(reversed(quals)) + stem)
    short = [c for c in out if len(c) <= MAX_CLASS_NAME]
    # A long member name is still what the page shows there; any other long form is made
    # up, and a made-up name stays within MAX_CLASS_NAME: the stem numbered, when every
    # short qualified form is taken (a long stem leaves no room for a qualifier).
    shown = [n for n in as_member if n not in short]
    numbered = [f"{stem}{n}" for n in range(2, 10) if len(stem) + 1 <= MAX_CLASS_NAME]
    segments = {"[]": "Item", "{}": "Value"}
    whole = site.quals[-1] + "".join(segments.get(p) or pascal(p) for p in _SEGMENT.findall(site.path)) + stem
    return list(dict.fromkeys(short + shown + numbered + out + [whole, whole + "Structure"]))


# A name longer than this is made only from what the page reveals.
MAX_CLASS_NAME = MAX_MADE_UP


class _Walker:
    """Collects the structure and enum sites of a service's operations."""

    def __init__(self, operation_words: frozenset[str]) -> None:
        # The service's operation names: texts mention them (`CreateTags`), never as a type.
        self.operation_words = operation_words
        self.structs: list[_Site] = []
        self.enums: list[_Site] = []
        self.recursive: list[tuple[str, str, str]] = []  # (op, path, target)
        self.ancestors: dict[str, Shape] = {}  # path → structure or list, of the side being walked
        # The member names of the operation being walked: a text mentions them (`ReturnConsumedCapacity`), never as a type.
        self.op_members: frozenset[str] = frozenset()
        self.op_members_of = ""
        self.count = 0
        # The response event streams met, walked last (walk_events): what the walk knew there.
        self.deferred: list[tuple[Operation, str, Shape, str, tuple[str, ...], tuple[str, ...], frozenset[str],
                                  dict[str, Shape], frozenset[str]]] = []

    def walk(
        self,
        op: Operation,
        side: str,
        path: str,
        shape: Shape,
        member: str,
        reach: Reach,
        texts: tuple[str, ...],
        quals: tuple[str, ...],
        siblings: frozenset[str],
    ) -> None:
        if shape.documentation:
            texts = texts + (shape.documentation,)
        if shape.type == "recursive":
            self.recursive.append((op.name, path, shape.target or ""))
            return
        if shape.type == "string" and shape.enum:
            name = _item_name(member) if reach == "item" else None
            cand = Candidate(pascal(name or member), 0, member)
            self._add(self.enums, op, side, path, shape, ("enum", cand.name, shape.enum), cand, quals)
            return
        if shape.type == "list" and shape.member is not None:
            self.ancestors[path] = shape  # (a list can repeat too: `Configurations[].Configurations`)
            self.walk(op, side, path + "[]", shape.member, member, "item", texts, quals, siblings)
            return
        if shape.type == "map" and shape.key is not None and shape.value is not None:
            self.walk(op, side, path + "{key}", shape.key, member, "key", texts, quals, siblings)
            self.walk(op, side, path + "{}", shape.value, member, "value", texts, quals, siblings)
            return
        top = path in _SIDES
        if top:
            self.ancestors.clear()
            if self.op_members_of != op.name:
                self.op_members_of = op.name
                self.op_members = frozenset(_member_names(op.input)) | set(op.exceptions)
                if op.output is not None:
                    self.op_members |= frozenset(_member_names(op.output))
        elif side == "output" and is_event_stream(shape):
            self.deferred.append(
                (op, path, shape, member, texts, quals, siblings, dict(self.ancestors), self.op_members)
            )
            return
        elif not is_class_shape(shape):
            return
        else:
            own = frozenset(n for n, _ in shape.members)
            excluded = own | siblings | self.operation_words | self.op_members
            # (pascal: a member name from a page is no identifier until made one)
            cand = candidate(pascal(member), reach, texts, excluded)
            self._add(self.structs, op, side, path, shape, structure_key(shape, path, self.ancestors), cand, quals)
            self.structs[-1].mentions = frozenset(w for w, _, _ in text_names(texts, own | self.operation_words))
            quals = (pascal(member),) + quals
        self._members(op, side, path, shape, quals)

    def _members(self, op: Operation, side: str, path: str, shape: Shape, quals: tuple[str, ...]) -> None:
        self.ancestors[path] = shape  # (what a recursive reference below leads to)
        own = frozenset(n for n, _ in shape.members)
        for name, child in shape.members:
            docs = (child.documentation,) if child.documentation else ()
            self.walk(op, side, f"{path}.{name}", child.shape, name, "member", docs, quals, own)

    def walk_events(self) -> tuple[list[_Site], list[_Site]]:
        """The sites at and below the response event streams met (their structure and enum
        sites), after every other place's: so that a page's events move no other name."""
        main = self.structs, self.enums
        self.structs, self.enums = [], []
        for op, path, shape, member, texts, quals, siblings, ancestors, op_members in self.deferred:
            self.ancestors, self.op_members, self.op_members_of = ancestors, op_members, op.name
            # The union of the stream's events (the stubs' TypedDict of one key per event):
            # no page names it; a response has at most one, so the operation does.
            cand = Candidate(operation_class_stem(op) + "EventStream", DERIVED, member)
            key = structure_key(shape, path, self.ancestors)
            self._add(self.structs, op, "output", path, shape, key, cand, quals)
            self._members(op, "output", path, shape, (pascal(member),) + quals)
        events = self.structs, self.enums
        self.structs, self.enums = main
        return events

    def _add(self, sites: list[_Site], op: Operation, side: str, path: str, shape: Shape,
             key: Hashable, cand: Candidate, quals: tuple[str, ...]) -> None:
        self.count += 1
        api = op.api_name or pascal(op.name)
        about = api.endswith((cand.name, cand.name + "s", cand.name + "es"))
        sites.append(_Site(op.name, side, path, shape, key, cand, quals, self.count, about, place(op.name, path)))


def _member_names(shape: Shape) -> Iterable[str]:
    """Every member name under `shape`, at any depth."""
    stack = [shape]
    while stack:
        node = stack.pop()
        for name, child in node.members:
            yield name
            stack.append(child.shape)
        stack.extend(n for n in (node.member, node.key, node.value) if n is not None)


def _item_name(member: str) -> str | None:
    return singular(member[:1].upper() + member[1:])


def _struct_groups(sites: Sequence[_Site]) -> list[_Group]:
    """Sites → classes. Identical structures share a class only where the pages call them
    alike: what one place reveals (a type name in its text) holds for the others reached
    through the same member name, and a made-up name gives way to any the pages show."""
    by_key: dict[Hashable, list[_Site]] = {}
    for site in sites:
        by_key.setdefault(site.key, []).append(site)
    groups: list[_Group] = []
    for same in by_key.values():
        revealed: dict[str, Counter[str]] = {}  # member → names the texts give there
        for site in same:
            if site.cand.strength == REVEALED_IN_TEXT:
                revealed.setdefault(site.cand.member, Counter())[site.cand.name] += 1
        named: dict[str, tuple[str, int]] = {}
        anywhere: Counter[str] = sum(revealed.values(), Counter())
        for site in same:
            cand = site.cand
            texts = revealed.get(cand.member)
            if texts and cand.strength < REGISTERED:
                cand = Candidate(_most_common(texts), REVEALED_IN_TEXT, cand.member)
            elif anywhere and cand.strength == MEMBER_NAME and (
                _words(cand.name) == 1 or site.path.endswith("[]") and cand.name == cand.member
            ):
                # A one-word member name (`Key`, `Value`, `Items` → `Item`), or a list's
                # own name for its items (`SearchVector`), says less than the type the
                # text names elsewhere for the same structure.
                cand = Candidate(_most_common(anywhere), REVEALED_IN_TEXT, cand.member)
            named[str(site.order)] = (cand.name, cand.strength)
        strong = Counter(n for n, s in named.values() if s > DERIVED)
        by_name: dict[str, list[_Site]] = {}
        strength: dict[str, int] = {}
        for site in same:
            name, level = named[str(site.order)]
            if level == DERIVED and strong:
                name, level = _most_common(strong), MEMBER_NAME
            # `OverrideVpcConfig`, `DefaultUserSettings`: a qualified use of a name the
            # same structure has elsewhere is that structure.
            base = [b for b in strong if b != name and name.endswith(b) and _words(b) > 1]
            if base and level < REGISTERED:
                name = min(base, key=len)
            by_name.setdefault(name, []).append(site)
            strength[name] = max(strength.get(name, 0), level)
        for name, members in by_name.items():
            groups.append(_Group(members, name, strength[name], frozenset(s.side for s in members)))
    return _merge_contested(groups)


def _merge_contested(groups: list[_Group]) -> list[_Group]:
    """A structure met under several names keeps, of its minor names, only those no other
    structure wants: `ProvisionedThroughputOverride` stays with the structure of that
    name, and the `ProvisionedThroughput` that one operation also calls so joins its
    other places."""
    keys_wanting: dict[tuple[str, str], set[Hashable]] = {}  # (side, name) → structures
    by_key: dict[Hashable, list[_Group]] = {}
    for group in groups:
        for side in group.sides:
            keys_wanting.setdefault((side, group.want), set()).add(group.sites[0].key)
        by_key.setdefault(group.sites[0].key, []).append(group)
    out = []
    for key, same in by_key.items():
        main = min(same, key=lambda g: (-g.strength, -len(g.sites), g.want))
        for group in same:
            if group.strength == REGISTERED:
                out.append(group)  # a published class stays one
            elif group is not main and any(keys_wanting[(s, group.want)] - {key} for s in group.sides):
                main.sites += group.sites
                main.sides |= group.sides
            else:
                out.append(group)
    return _merge_alike(out)


# What AWS appends to a type's name for another type of the same content: `XSummary`
# (the list view of `X`), `XDescription`, `XInfo`, ... are data types of their own.
OTHER_TYPE_SUFFIXES = frozenset({"Summary", "Description", "Info", "Data", "Filter", "Detail", "Details"})


def _merge_alike(groups: list[_Group]) -> list[_Group]:
    """Identical structures the pages call by related names are one class:

    * a structure the text under one member calls by the name another member gives the
      identical structure (`Entity`: "the ``Component`` ...") is that one;
    * forms of one name: `Tag` and `CertificateTag` (a qualified use), `ScheduleConfig`
      and `ScheduleConfiguration`, `Throttle` and `ThrottleSettings`, `Predicate` and
      `Predicates`, `Tag` and `TagsToAdd`, `OAuth2Credentials` and `Oauth2`
      (`forms_of_one_name`);
    * list items or map values under a name of their own join the identical structure
      a member holds directly.

    Each joins the first it relates to in this order: the strongest evidence, then a name
    a member holding the structure itself has (a list's singular is a made form:
    `Aliase`, `ServerlessCach`), then the name met at more places, then the shorter.
    Unrelated names of members that hold it directly (`AcceleratorCount`,
    `NetworkInterfaceCount`) and structures without members (all alike) stay apart, as
    AWS's own types do; so do registered classes (published names never merge)."""
    by_key: dict[Hashable, list[_Group]] = {}
    for group in groups:
        if group.strength < REGISTERED and group.sites[0].shape.members:
            by_key.setdefault(group.sites[0].key, []).append(group)
    joined: set[int] = set()

    def join(group: _Group, home: _Group | None) -> None:
        if home is not None:
            home.sites += group.sites
            home.sides |= group.sides
            joined.add(id(group))

    for same in by_key.values():
        order = sorted(same, key=lambda g: (-g.strength, _only_items(g), -len(g.sites), len(g.want), g.want))
        for group in order:
            mentioned = set().union(*(s.mentions for s in group.sites))
            join(group, next((
                h for h in order
                if h is not group and id(h) not in joined and h.want in mentioned
                and not any(group.want in s.mentions for s in h.sites)  # (each naming the other: neither)
            ), None))
        order = [g for g in order if id(g) not in joined]
        for index, group in enumerate(order):
            join(group, next((
                h for h in order[:index]
                if id(h) not in joined
                and (forms_of_one_name(group.want, h.want) or _only_items(group) and not _any_items(h))
            ), None))
    return [g for g in groups if id(g) not in joined]


def _only_items(group: _Group) -> bool:
    return all(s.path.endswith(("[]", "{}")) for s in group.sites)


def _any_items(group: _Group) -> bool:
    return any(s.path.endswith(("[]", "{}")) for s in group.sites)


def forms_of_one_name(a: str, b: str) -> bool:
    """Are `a` and `b` forms of one type name (`_merge_alike`)?"""
    short, long = sorted((a, b), key=lambda n: (len(n), n))
    if long.lower().startswith(short.lower()):
        # `Throttle` / `ThrottleSettings`, `Tag` / `TagsToAdd`, `VPCOptions` / `VpcOptions`
        return long[len(short):] not in OTHER_TYPE_SUFFIXES
    words, qualified = _CAMEL_WORDS.findall(short), _CAMEL_WORDS.findall(long)
    # `Tag` / `CertificateTag`: a qualified use; `Policy` / `Policies`
    return qualified[-len(words):] == words or singular(long) == short


def _words(name: str) -> int:
    return len(_CAMEL_WORDS.findall(name))


_CAMEL_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def _most_common(counts: Counter[str]) -> str:
    return min(counts, key=lambda n: (-counts[n], n))


def resolve_service(
    operations: Sequence[Operation],
    registry: Registry | None = None,
    reresolve: bool = False,
    overrides: Mapping[str, str] | None = None,
    keep_deprecated: bool = False,
) -> ServiceNames:
    """Names for every class and enum of one service's client operations (module docstring).

    `keep_deprecated`: the registry's deprecated aliases stay (the pages did not change
    since the run that made them: a regeneration for a new codegen is not the one that
    drops them).

    `registry`: the names published before, kept for the places they name unless
    `reresolve`; `overrides`: name → the name to use instead."""
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
    reserved = set(RESERVED_CLASS_NAMES | {names.client_class})
    # Top-level names first: nested classes never take an operation's name.
    for op in client_ops:
        stem = operation_class_stem(op)
        for side, shape, suffix in (("input", op.input, "Request"), ("output", op.output, "Response")):
            if shape is None or shape.type != "structure" or shape.event_stream:
                continue  # top level: even a truncated, member-less section gets its class
            cands = [stem + suffix, pascal(op.name) + suffix, stem + "Operation" + suffix]
            name = next((c for c in cands if c not in reserved), None)
            if name is None:
                raise ValueError(f"cannot name class: {cands[0]} and its prefixed forms are taken")
            reserved.add(name)
            names.by_path[(op.name, side)] = name
            (names.request_side if side == "input" else names.response_side).add(name)
            if side == "output":
                names.top_responses.add(name)
            names.classes.append(ClassInfo(name, shape, op.name, side, top=True, stem=name))
            names.attrs[name] = attribute_map(n for n, _ in shape.members)

    walker = _Walker(frozenset(operation_class_stem(o) for o in client_ops) | {pascal(o.name) for o in client_ops})
    for op in client_ops:
        stem = operation_class_stem(op)
        walker.walk(op, "input", "input", op.input, "", "member", (), (stem,), frozenset())
        if op.output is not None:
            walker.walk(op, "output", "output", op.output, "", "member", (), (stem,), frozenset())

    event_structs, event_enums = walker.walk_events()

    old = registry or Registry()
    for entry in old.classes + old.enums:
        check_name("name in the names registry", entry.name, frozenset(reserved))
        if entry.stem:
            check_name("name in the names registry", entry.stem, frozenset(reserved))
    if not reresolve:
        _mark_registered(walker.structs + event_structs, walker.enums + event_enums, old)
    wanted = dict(overrides or {})
    structs, enums, taken = _named(walker.structs, walker.enums, old, reresolve, wanted, reserved, _Names(reserved))
    # Then the events, around the names of the rest: their structures join a class of the
    # rest that is the same structure called alike, and move no other name.
    event_structs, event_enums = _join(structs, enums, event_structs, event_enums, taken)
    given = {g.name for g in structs + enums}
    old_events = Registry(
        tuple(e for e in old.classes if e.name not in given), tuple(e for e in old.enums if e.name not in given)
    )
    more_structs, more_enums, _ = _named(event_structs, event_enums, old_events, reresolve, wanted, reserved, taken)
    structs += more_structs
    enums += more_enums

    for group in sorted(structs, key=lambda g: min(s.order for s in g.sites)):
        site = min(group.sites, key=lambda s: s.order)
        names.classes.append(ClassInfo(group.name, site.shape, site.op, site.path, stem=group.stem))
        names.attrs[group.name] = attribute_map(n for n, _ in site.shape.members)
        for s in group.sites:
            names.by_path[(s.op, s.path)] = group.name
            (names.request_side if s.side == "input" else names.response_side).add(group.name)
    for group in sorted(enums, key=lambda g: min(s.order for s in g.sites)):
        names.enums.append(EnumInfo(group.name, group.sites[0].shape.enum))
        for s in group.sites:
            names.enum_by_path[(s.op, s.path)] = group.name
    for op_name, path, target in walker.recursive:
        cls = names.by_path.get((op_name, target))
        if cls is not None:
            names.by_path[(op_name, path)] = cls
    _record(names, old, structs, enums, keep_deprecated)
    return names


def _named(
    sites: Sequence[_Site],
    enum_sites: Sequence[_Site],
    old: Registry,
    reresolve: bool,
    wanted: Mapping[str, str],
    reserved: set[str],
    base: _Names,
) -> tuple[list[_Group], list[_Group], _Names]:
    """The classes and Literal aliases of these sites, named around the names `base` holds
    (the registry's names first, then the resolver's rule, then the overrides `wanted`),
    and the names then taken."""
    structs, enums = _struct_groups(sites), _enum_groups(enum_sites)
    class_match = match_registry(old.classes, [_places(g) for g in structs] if old.classes else [])
    enum_match = match_registry(old.enums, [_places(g) for g in enums] if old.enums else [])
    pins: dict[int, tuple[str, str, frozenset[str]]] = {}
    enum_pins: dict[int, str] = {}
    if not reresolve:
        pins = {i: (e.name, e.stem_or_name, e.sides) for i, e in class_match.taken.items()}
        enum_pins = {i: e.name for i, e in enum_match.taken.items()}
    taken = base.copy()
    _assign(structs, enums, taken, pins, enum_pins)
    if any(g.name in wanted for g in structs + enums):
        # An override renames what the registry or the resolver would name: pinned
        # like a registered name, and the rest named around it.
        for name in wanted.values():
            check_name("name override", name, frozenset(reserved))
        pins.update({
            i: (wanted[g.name], wanted[g.name], frozenset()) for i, g in enumerate(structs) if g.name in wanted
        })
        enum_pins.update({i: wanted[g.name] for i, g in enumerate(enums) if g.name in wanted})
        structs, enums = _struct_groups(sites), _enum_groups(enum_sites)
        taken = base.copy()
        _assign(structs, enums, taken, pins, enum_pins)
    structs = [g for g in structs if g.name]  # (those that joined another class)
    for group in structs + enums:
        # Made of identifiers only (pascal, the texts' words, checked registry names):
        # checked once more, as every name from a page is before it reaches a template.
        check_name("class name", group.name, frozenset(reserved))
    return structs, enums, taken


def _join(
    structs: Sequence[_Group], enums: Sequence[_Group], sites: Sequence[_Site], enum_sites: Sequence[_Site],
    taken: _Names,
) -> tuple[list[_Site], list[_Site]]:
    """Event sites that are a class or Literal alias of the rest join it: the same
    structure under the name it has there (a response class, or one that can be used in
    responses under its name), the same member name and values. The others, returned,
    are named on their own."""
    by_key: dict[Hashable, list[_Group]] = {}
    for group in structs:
        by_key.setdefault(group.sites[0].key, []).append(group)
    rest: list[_Site] = []
    for site in sites:
        joined = next(
            (g for g in by_key.get(site.key, ()) if site.cand.name in (g.want, g.stem, g.name)
             and taken.extend(g, frozenset({site.side}))),
            None,
        )
        if joined is None:
            rest.append(site)
        else:
            joined.sites.append(site)
            joined.sides |= {site.side}
    enum_by_key = {g.sites[0].key: g for g in enums}
    rest_enums: list[_Site] = []
    for site in enum_sites:
        if site.key in enum_by_key:
            enum_by_key[site.key].sites.append(site)
        else:
            rest_enums.append(site)
    return rest, rest_enums


def _mark_registered(sites: Sequence[_Site], enum_sites: Sequence[_Site], old: Registry) -> None:
    """Places the registry names keep that name as their evidence: no rule of the resolver
    regroups them (a published class neither merges into another nor splits by name)."""
    where = {p: e.name for e in old.classes for p in e.paths}
    for site in sites:
        name = where.get(site.place)
        if name is not None:
            site.cand = Candidate(name, REGISTERED, site.cand.member)
    where = {p: e.name for e in old.enums for p in e.paths}
    for site in enum_sites:
        name = where.get(site.place)
        if name is not None:
            site.key = ("enum", name, site.shape.enum)


def _places(group: _Group) -> list[str]:
    return sorted(s.place for s in group.sites)


def _record(
    names: ServiceNames, old: Registry, structs: Sequence[_Group], enums: Sequence[_Group], keep: bool
) -> None:
    """The registry this run publishes, and the renames against the one it read: a name
    the old registry had for some of these places and that no longer exists keeps a
    deprecated alias to its successor until the pages next change."""
    classes = [Entry(g.name, tuple(_places(g)), g.stem if g.stem != g.name else "") for g in structs]
    enum_entries = [Entry(g.name, tuple(_places(g))) for g in enums]
    places = {id(e): list(e.paths) for e in classes + enum_entries}
    now = {g.name for g in structs} | {g.name for g in enums}
    for kind, before, after, entries in (
        ("class", old.classes, structs, classes), ("enum", old.enums, enums, enum_entries)
    ):
        matched = match_registry(before, [places[id(e)] for e in entries])
        pairs = [(e, i) for i, e in matched.taken.items()]
        pairs += [(e, i) for i, es in matched.absorbed.items() for e in es]
        for entry, index in sorted(pairs, key=lambda p: p[0].name):
            new = after[index].name
            if entry.name != new:
                names.renames.append((entry.name, new))
                if entry.name not in now:
                    names.aliases.append(Alias(entry.name, new, kind, entry.stem_or_name))
    if keep:
        kept = {a.old for a in names.aliases}
        enum_names = {g.name for g in enums}
        stems = {g.name: g.stem for g in structs}
        for old_name, new_name in old.deprecated:
            if old_name in kept or old_name in now or new_name not in now:
                continue
            kind = "enum" if new_name in enum_names else "class"
            # (`XOutput` as a response dataclass: its TypedDict was `XOutputTypeDef`)
            response_twin = stems.get(new_name, new_name) != new_name and old_name.endswith("Output")
            old_stem = old_name[: -len("Output")] if response_twin else old_name
            names.aliases.append(Alias(old_name, new_name, kind, old_stem))
    names.renames.sort()
    names.aliases.sort()
    names.registry = registry_with(classes, enum_entries, {a.old: a.new for a in names.aliases})


def _assign(
    structs: list[_Group],
    enums: list[_Group],
    taken: _Names,
    pins: Mapping[int, tuple[str, str, frozenset[str]]],
    enum_pins: Mapping[int, str],
) -> None:
    """Names for every class and Literal alias, besides those `taken` holds: registered
    (pinned) names first, then the resolver's rule (module docstring)."""
    pinned = set()
    for index, (name, stem, sides) in sorted(pins.items(), key=lambda p: p[1]):
        group = structs[index]
        if sides and not group.sides <= sides:
            # Used now on a side it was not before, where its name may be another's: the
            # new places are a new class (a new collision names the new structure).
            new = [s for s in group.sites if s.side not in sides]
            group.sites = [s for s in group.sites if s.side in sides]
            group.sides = frozenset(s.side for s in group.sites)
            structs.append(_Group(new, group.want, group.strength, frozenset(s.side for s in new)))
        if taken.claim(group, stem, name):
            pinned.add(index)
    for index, name in sorted(enum_pins.items(), key=lambda p: p[1]):
        if taken.claim_enum(name):
            enums[index].name = name
    order = sorted((g for i, g in enumerate(structs) if i not in pinned), key=_Group.rank)
    losers = [g for g in order if not taken.claim(g, g.want)]
    named_by_key: dict[Hashable, list[_Group]] = {}
    for group in structs:
        if group.name:
            named_by_key.setdefault(group.sites[0].key, []).append(group)
    for group in list(losers):
        # The same structure under a name another class has: it joins the class the same
        # structure got elsewhere in the service (`ProvisionedThroughputOverride` when it
        # is a `ProvisionedThroughput`), rather than a qualified name of its own.
        for other in named_by_key.get(group.sites[0].key, []):
            if taken.extend(other, group.sides):
                other.sites += group.sites
                other.sides |= group.sides
                losers.remove(group)
                group.sites = []
                break
    for group in losers:
        site = min(group.sites, key=lambda s: (s.op, _SIDES.index(s.side), s.path))
        if not any(taken.claim(group, c) for c in _qualified(group.want, site)):
            raise ValueError(f"cannot name class: {group.want} and its qualified forms are taken")
    rest = sorted((g for g in enums if not g.name), key=lambda g: (-len(g.sites), g.first))
    for group in rest:
        site = min(group.sites, key=lambda s: (s.op, _SIDES.index(s.side), s.path))
        for cand in [group.want] + _qualified(group.want, site):
            if taken.claim_enum(cand):
                group.name = cand
                break
        else:
            raise ValueError(f"cannot name Literal alias: {group.want} and its qualified forms are taken")


def _enum_groups(sites: Sequence[_Site]) -> list[_Group]:
    """Literal aliases: `<Member>Type`, one per member name and set of values."""
    by_key: dict[Hashable, list[_Site]] = {}
    for site in sites:
        by_key.setdefault(site.key, []).append(site)
    groups = []
    for same in by_key.values():
        want = same[0].cand.name
        want = want if want.endswith("Type") else want + "Type"
        groups.append(_Group(same, want, 0, frozenset(s.side for s in same)))
    return groups


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


def resolve(
    operations: Iterable[Operation],
    registries: Mapping[str, Registry] | None = None,
    reresolve: bool = False,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    keep_deprecated: bool = False,
) -> list[ServiceNames]:
    """One ServiceNames per boto3 service, sorted by service name; `registries` and
    `overrides` per service id (see resolve_service)."""
    by_service: dict[str, list[Operation]] = {}
    for op in operations:
        by_service.setdefault(op.service_id or op.service.lower(), []).append(op)
    out = []
    for sid in sorted(by_service):
        if any(o.kind == "client" for o in by_service[sid]):
            out.append(resolve_service(
                by_service[sid],
                (registries or {}).get(sid),
                reresolve,
                (overrides or {}).get(sid),
                keep_deprecated,
            ))
    return out
