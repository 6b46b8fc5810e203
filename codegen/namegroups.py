"""Which sites become one class (or one Literal alias): identical structures (equal
structure keys) share a class where the pages call them alike, by one name or by forms of
one name; the same structure under unrelated member names stays as many classes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Hashable

from codegen.evidence import CAMEL_WORDS, DERIVED, MEMBER_NAME, REGISTERED, REVEALED_IN_TEXT, Candidate, singular
from codegen.namesites import SIDES, Site


@dataclass(slots=True)
class Group:
    """Sites that become one class (or one Literal alias), and the name it gets."""

    sites: list[Site]
    want: str
    strength: int
    sides: frozenset[str]
    name: str = ""  # the model (module-level) name
    stem: str = ""  # the resolver's name: what the stubs' TypeDef names are built from

    @property
    def first(self) -> tuple[str, int, str]:
        return min((s.op, SIDES.index(s.side), s.path) for s in self.sites)


def struct_groups(sites: Sequence[Site]) -> list[Group]:
    """Sites → classes. Identical structures share a class only where the pages call them
    alike: what one place reveals (a type name in its text) holds for the others reached
    through the same member name, and a made-up name gives way to any the pages show."""
    by_key: dict[Hashable, list[Site]] = {}
    for site in sites:
        by_key.setdefault(site.key, []).append(site)
    groups: list[Group] = []
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
        by_name: dict[str, list[Site]] = {}
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
            groups.append(Group(members, name, strength[name], frozenset(s.side for s in members)))
    return _merge_contested(groups)


def enum_groups(sites: Sequence[Site]) -> list[Group]:
    """Literal aliases: `<Member>Type`, one per member name and set of values."""
    by_key: dict[Hashable, list[Site]] = {}
    for site in sites:
        by_key.setdefault(site.key, []).append(site)
    groups = []
    for same in by_key.values():
        want = same[0].cand.name
        want = want if want.endswith("Type") else want + "Type"
        groups.append(Group(same, want, 0, frozenset(s.side for s in same)))
    return groups


def _merge_contested(groups: list[Group]) -> list[Group]:
    """A structure met under several names keeps, of its minor names, only those no other
    structure wants: `ProvisionedThroughputOverride` stays with the structure of that
    name, and the `ProvisionedThroughput` that one operation also calls so joins its
    other places."""
    keys_wanting: dict[tuple[str, str], set[Hashable]] = {}  # (side, name) → structures
    by_key: dict[Hashable, list[Group]] = {}
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


def _merge_alike(groups: list[Group]) -> list[Group]:
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
    by_key: dict[Hashable, list[Group]] = {}
    for group in groups:
        if group.strength < REGISTERED and group.sites[0].shape.members:
            by_key.setdefault(group.sites[0].key, []).append(group)
    joined: set[int] = set()

    def join(group: Group, home: Group | None) -> None:
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


def _only_items(group: Group) -> bool:
    return all(s.path.endswith(("[]", "{}")) for s in group.sites)


def _any_items(group: Group) -> bool:
    return any(s.path.endswith(("[]", "{}")) for s in group.sites)


def forms_of_one_name(a: str, b: str) -> bool:
    """Are `a` and `b` forms of one type name (`_merge_alike`)?"""
    short, long = sorted((a, b), key=lambda n: (len(n), n))
    if long.lower().startswith(short.lower()):
        # `Throttle` / `ThrottleSettings`, `Tag` / `TagsToAdd`, `VPCOptions` / `VpcOptions`
        return long[len(short):] not in OTHER_TYPE_SUFFIXES
    words, qualified = CAMEL_WORDS.findall(short), CAMEL_WORDS.findall(long)
    # `Tag` / `CertificateTag`: a qualified use; `Policy` / `Policies`
    return qualified[-len(words):] == words or singular(long) == short


def _words(name: str) -> int:
    return len(CAMEL_WORDS.findall(name))


def _most_common(counts: Counter[str]) -> str:
    return min(counts, key=lambda n: (-counts[n], n))
