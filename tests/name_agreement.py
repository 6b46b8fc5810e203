"""How far the generated class names agree with botocore's shape names (issue 14).

botocore (the oracle) knows each structure's shape name: the name of the data type in the
AWS API reference and in types-boto3. This module pairs every structure of a generated
service with botocore's shape at the same member path and counts, per side (request:
`input...`, response: `output...`):

* structures: botocore structure shapes met on that side of the service's client
  operations (one count per shape name, however many paths it occupies);
* revealed: those whose name the *page* shows at one of its paths (see `revealed`);
* agree: those the generator names exactly as botocore at every path they occupy. The
  compared name is the resolver's (`ServiceNames.stem_of` the class at the path): the
  stubs add only the fixed suffixes `TypeDef` / `OutputTypeDef` to it
  (codegen/emit/types.py typed_dict_name), and the models use it as it is, or with the
  fixed suffix `Output` for a response-only class whose name a request class has (as
  types-boto3 does for its TypedDicts), so nothing else is allowed to differ.

Pairing: the shape tree and botocore's operation model are walked side by side by member
path in the tree's notation (codegen/tree.py `Shape.children`): `.Member`, `[]` for list
items, `{}` for map values. A page's alias of a top-level request member (botocore's
ParameterAlias) is followed; botocore's recursion stops where the tree has a `recursive`
node, so those references are not counted again. Structures the tree has and botocore
has not at that path (boto3's hand-written methods; IAM's policy documents, strings that
botocore documents as dicts) are `unpaired`.

Long names: generated class and Literal-alias names longer than 40 characters, without
the operation's own `<Operation>Request` / `<Operation>Response` classes and the union of
its response's events, `<Operation>EventStream`; names are
counted as the resolver gives them (stems), i.e. without the `TypeDef` / `Output` suffixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from botocore.model import Shape as BotoShape

from codegen import naming
from codegen.pynames import operation_class_stem
from codegen.tree import Operation, Shape
from oracle import customisations, session

LONG_NAME = 40
SIDES = ("input", "output")


def singular(word: str) -> str | None:
    """The plain English singular of a member name, by suffix only: `Policies` → `Policy`,
    `Addresses` → `Address`, `Boxes`/`Batches`/`Hashes` → `Box`/`Batch`/`Hash`,
    `Tags` → `Tag`; a word ending in `ss`, `us` or `is` (`Status`, `Analysis`) is no
    plural. Deliberately separate from the resolver's rule: the yardstick must not move
    when the resolver does."""
    for plural, single in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if word.endswith(plural) and len(word) > len(plural) + 1:
            return word[: -len(plural)] + single
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 2:
        return word[:-1]
    return None


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_LITERAL = re.compile(r"`+([A-Za-z][A-Za-z0-9]*)`+")


def _camel(word: str) -> bool:
    """CamelCase: a capital after the first letter (`AttributeValue`, not `Filter`)."""
    return word[:1].isupper() and any(c.isupper() for c in word[1:])


def named_in_text(name: str, text: str) -> bool:
    """The description names the type: as a literal (`` `Name` ``, the page's ``Name``),
    or as a CamelCase word anywhere in the prose. A plain capitalised word (`Filter` at
    the start of a sentence) is not taken as a type name."""
    if name in _LITERAL.findall(text):
        return True
    return _camel(name) and name in _WORD.findall(text)


def revealed(name: str, member: str, texts: Iterable[str]) -> bool:
    """Does the page reveal `name` for a structure reached through `member` (the nearest
    member name above it: `Tags` for `input.Tags[]`, `Item` for `input.Item{}`)? Yes when
    it is the member name (first letter capitalised), the member name's singular (`singular`)
    or the member name without a `List` / `Set` suffix, or a type name in the description
    the page gives there (the member's text, and that of the list/map and structure under
    it, all written under the member's bullet)."""
    # A class name is capitalised: `fooBar` (REST services' members) reveals `FooBar`.
    member = member[:1].upper() + member[1:]
    if name == member or name == singular(member):
        return True
    # AWS's other way to name a list: `ModelPackageSummaryList` holds `ModelPackageSummary`s
    if any(member.endswith(s) and name == member[: -len(s)] for s in ("List", "Set")):
        return True
    return any(named_in_text(name, text) for text in texts)


# --- botocore's side --------------------------------------------------------------------


def botocore_structures(service: str, api_name: str) -> dict[str, str]:
    """path → botocore shape name of every structure of an operation's input and output,
    in the tree's path notation (top-level input aliases applied, recursion cut)."""
    model = session().get_service_model(service)
    op = model.operation_model(api_name)
    aliases = customisations(service, api_name).aliases
    out: dict[str, str] = {}

    def walk(shape: BotoShape, path: str, seen: tuple[str, ...]) -> None:
        if shape.name in seen:
            return  # the tree has a `recursive` node here
        seen = seen + (shape.name,)
        kind = shape.type_name
        if kind == "structure":
            out[path] = shape.name
            for member_name, member in shape.members.items():
                if path == "input":
                    member_name = aliases.get(member_name, member_name)
                walk(member, f"{path}.{member_name}", seen)
        elif kind == "list":
            walk(shape.member, path + "[]", seen)
        elif kind == "map":
            walk(shape.value, path + "{}", seen)

    if op.input_shape is not None:
        walk(op.input_shape, "input", ())
    if op.output_shape is not None:
        walk(op.output_shape, "output", ())
    return out


# --- the generated side ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site:
    """One structure of the tree: where it is, what the page says there, its class."""

    path: str
    member: str
    texts: tuple[str, ...]


def structure_sites(op: Operation) -> Iterator[tuple[str, Site]]:
    """(side, site) of every nested structure that becomes a class, with the member it is
    reached through and the page's texts under that member's bullet. Like the resolver,
    nothing below a structure that stays `Any` (an event stream) is counted."""

    def walk(shape: Shape, path: str, member: str, texts: tuple[str, ...]) -> Iterator[Site]:
        texts = texts + ((shape.documentation,) if shape.documentation else ())
        if shape.type == "structure" and not naming.is_class_shape(shape):
            return  # an event stream stays `Any`: no class below it
        if shape.type == "structure" and path not in SIDES:
            yield Site(path, member, texts)
        for name, child in shape.members:
            yield from walk(child.shape, f"{path}.{name}", name, (child.documentation,))
        if shape.member is not None:
            yield from walk(shape.member, path + "[]", member, texts)
        if shape.value is not None:
            yield from walk(shape.value, path + "{}", member, texts)

    yield from (("input", s) for s in walk(op.input, "input", "", ()))
    if op.output is not None:
        yield from (("output", s) for s in walk(op.output, "output", "", ()))


# --- figures ------------------------------------------------------------------------------


@dataclass
class Side:
    """The figures of one side of one service (or of many, added up)."""

    structures: int = 0
    revealed: int = 0
    revealed_agree: int = 0
    agree: int = 0
    unpaired: int = 0
    revealed_names: list[str] = field(default_factory=list)
    unpaired_paths: list[str] = field(default_factory=list)  # `service:operation:path`
    misses: list[tuple[str, str]] = field(default_factory=list)  # (botocore, generated), revealed only

    def add(self, other: Side) -> None:
        self.structures += other.structures
        self.revealed += other.revealed
        self.revealed_agree += other.revealed_agree
        self.agree += other.agree
        self.unpaired += other.unpaired
        self.revealed_names += other.revealed_names
        self.unpaired_paths += other.unpaired_paths
        self.misses += other.misses

    @property
    def revealed_pct(self) -> float:
        return 100.0 * self.revealed_agree / self.revealed if self.revealed else 100.0

    @property
    def overall_pct(self) -> float:
        return 100.0 * self.agree / self.structures if self.structures else 100.0

    def line(self) -> str:
        return (f"structures {self.structures:5d}  revealed {self.revealed:5d}  "
                f"named as revealed {self.revealed_agree:5d} ({self.revealed_pct:5.1f}%)  "
                f"named as botocore {self.agree:5d} ({self.overall_pct:5.1f}%)  unpaired {self.unpaired}")


@dataclass
class Figures:
    sides: dict[str, Side] = field(default_factory=lambda: {s: Side() for s in SIDES})
    names: int = 0  # generated class and Literal-alias names (without the operations' own)
    long_names: int = 0  # longer than LONG_NAME, and not a name the page reveals
    long_revealed: int = 0  # longer than LONG_NAME, as the page reveals it
    longest: str = ""  # of the long names the page does not reveal

    def add(self, other: Figures) -> None:
        for side in SIDES:
            self.sides[side].add(other.sides[side])
        self.names += other.names
        self.long_names += other.long_names
        self.long_revealed += other.long_revealed
        if len(other.longest) > len(self.longest):
            self.longest = other.longest

    def report(self, title: str) -> str:
        return "\n".join([
            f"{title}:",
            f"  request  {self.sides['input'].line()}",
            f"  response {self.sides['output'].line()}",
            f"  names > {LONG_NAME} chars: {self.long_names} of {self.names} not revealed by the page "
            f"(+ {self.long_revealed} revealed); longest ({len(self.longest)}): {self.longest}",
        ])


def measure(names: naming.ServiceNames, operations: Iterable[Operation]) -> Figures:
    """The figures of one resolved service; `operations` are the ones it was resolved from."""
    figures = Figures()
    # botocore name → [paths' generated classes, revealed anywhere?], per side
    found: dict[str, dict[str, tuple[set[str], list[bool]]]] = {s: {} for s in SIDES}
    shown_here: set[str] = set()  # generated names the page reveals at one of their places
    for op in operations:
        if op.kind != "client":
            continue
        boto = botocore_structures(op.service_id, op.api_name) if op.api_name else {}
        for side, site in structure_sites(op):
            stem = names.stem_of(names.class_at(op.name, site.path))
            if len(stem) > LONG_NAME and revealed(stem, site.member, site.texts):
                shown_here.add(stem)
            shape_name = boto.get(site.path)
            if shape_name is None:
                figures.sides[side].unpaired += 1
                figures.sides[side].unpaired_paths.append(f"{op.service_id}:{op.name}:{site.path}")
                continue
            classes, shown = found[side].setdefault(shape_name, (set(), [False]))
            classes.add(stem)
            shown[0] = shown[0] or revealed(shape_name, site.member, site.texts)
    for side in SIDES:
        figs = figures.sides[side]
        for shape_name, (classes, shown) in sorted(found[side].items()):
            agree = classes == {shape_name}
            figs.structures += 1
            figs.agree += agree
            if shown[0]:
                figs.revealed += 1
                figs.revealed_names.append(shape_name)
                figs.revealed_agree += agree
                if not agree:
                    figs.misses.append((shape_name, ", ".join(sorted(classes))))
    # A Literal alias is `<member>Type`: without that suffix (as without `TypeDef`), the
    # member name at one of its places is what the page reveals.
    for (_, path), alias in names.enum_by_path.items():
        member = re.findall(r"\.([^.\[\]{}]+)", path)[-1:]
        if member and revealed(alias.removesuffix("Type"), member[0], ()):
            shown_here.add(alias)
    # An operation's own classes are named after it, whatever their length: its request
    # and response (`top`), and the union of its response's events, `<Operation>EventStream`
    # (the response's stream).
    own = {operation_class_stem(op) + "EventStream" for op in operations}
    generated = [names.stem_of(c.name) for c in names.classes if not c.top and names.stem_of(c.name) not in own]
    generated += [e.name for e in names.enums]
    figures.names = len(generated)
    long = [n for n in generated if len(n) > LONG_NAME and n not in shown_here]
    figures.long_names = len(long)
    figures.long_revealed = len([n for n in generated if len(n) > LONG_NAME and n in shown_here])
    figures.longest = max(long, key=lambda n: (len(n), n), default="")
    return figures


def measure_operations(operations: list[Operation]) -> dict[str, Figures]:
    """service id → figures, for every service among `operations`."""
    out = {}
    for names in naming.resolve(operations):
        ops = [op for op in operations if (op.service_id or op.service.lower()) == names.service_id]
        out[names.service_id] = measure(names, ops)
    return out
