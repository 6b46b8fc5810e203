"""The contest for names: who keeps a name several classes want (rank), and the qualified
name each of the others takes instead, unique per side and per module (TakenNames)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Hashable

from codegen.evidence import CAMEL_WORDS, MAX_MADE_UP, singular
from codegen.namegroups import Group
from codegen.namesites import SIDES, Site
from codegen.pynames import pascal
from codegen.shapekey import SEGMENT, path_depth


# A name longer than this is made only from what the page reveals.
MAX_CLASS_NAME = MAX_MADE_UP


class TakenNames:
    """The names taken in one service: per side (the stubs' two TypedDict flavours) and
    per module (the dataclasses and Literal aliases share one namespace)."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.reserved = set(reserved)
        self.side: dict[str, set[str]] = {side: set() for side in SIDES}
        self.module: set[str] = set(self.reserved)

    def copy(self) -> TakenNames:
        new = TakenNames(self.reserved)
        new.side = {side: set(names) for side, names in self.side.items()}
        new.module = set(self.module)
        return new

    def claim(self, group: Group, stem: str, pinned: str = "") -> bool:
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

    def extend(self, group: Group, sides: frozenset[str]) -> bool:
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


def rank(group: Group) -> tuple[int, int, int, int, int, int, tuple[str, int, str]]:
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
    about = any(s.about for s in group.sites)
    side = 0 if "input" in group.sides else 1
    depth = min(path_depth(s.path) for s in group.sites)
    members = len(group.sites[0].shape.members)
    return (side, -about, depth, -members, -group.strength, -len(group.sites), group.first)


def assign(
    structs: list[Group],
    enums: list[Group],
    taken: TakenNames,
    pins: Mapping[int, tuple[str, str, frozenset[str]]],
    enum_pins: Mapping[int, str],
) -> None:
    """Names for every class and Literal alias, besides those `taken` holds: registered
    (pinned) names first, then the resolver's rule (codegen/naming.py)."""
    pinned = set()
    for index, (name, stem, sides) in sorted(pins.items(), key=lambda p: p[1]):
        group = structs[index]
        if sides and not group.sides <= sides:
            # Used now on a side it was not before, where its name may be another's: the
            # new places are a new class (a new collision names the new structure).
            new = [s for s in group.sites if s.side not in sides]
            group.sites = [s for s in group.sites if s.side in sides]
            group.sides = frozenset(s.side for s in group.sites)
            structs.append(Group(new, group.want, group.strength, frozenset(s.side for s in new)))
        if taken.claim(group, stem, name):
            pinned.add(index)
    for index, name in sorted(enum_pins.items(), key=lambda p: p[1]):
        if taken.claim_enum(name):
            enums[index].name = name
    order = sorted((g for i, g in enumerate(structs) if i not in pinned), key=rank)
    losers = [g for g in order if not taken.claim(g, g.want)]
    named_by_key: dict[Hashable, list[Group]] = {}
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
        site = min(group.sites, key=lambda s: (s.op, SIDES.index(s.side), s.path))
        if not any(taken.claim(group, c) for c in _qualified(group.want, site)):
            raise ValueError(f"cannot name class: {group.want} and its qualified forms are taken")
    rest = sorted((g for g in enums if not g.name), key=lambda g: (-len(g.sites), g.first))
    for group in rest:
        site = min(group.sites, key=lambda s: (s.op, SIDES.index(s.side), s.path))
        for cand in [group.want] + _qualified(group.want, site):
            if taken.claim_enum(cand):
                group.name = cand
                break
        else:
            raise ValueError(f"cannot name Literal alias: {group.want} and its qualified forms are taken")


def _qualified(stem: str, site: Site) -> list[str]:
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
        w + stem for q in quals for w in reversed(CAMEL_WORDS.findall(q)) if w[:1].isupper() and not stem.startswith(w)
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
    whole = site.quals[-1] + "".join(segments.get(p) or pascal(p) for p in SEGMENT.findall(site.path)) + stem
    return list(dict.fromkeys(short + shown + numbered + out + [whole, whole + "Structure"]))
