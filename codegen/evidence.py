"""What a page reveals about the name of one structure: the evidence the resolver weighs.

A structure is reached through a member (its nearest member name: `Tags` for the items of
the list `Tags`, `Item` for the values of the map `Item`). The page shows, at that member:

* the member name itself, or its singular for the items of a list (`Tags` → `Tag`);
* the type's own name in the text written under the member's bullet, as AWS writes it:
  "An array of ``Channel`` objects", "Each element in the ``Item`` map is an
  ``AttributeValue`` object", "Type: AutoMLDataSplitConfig", a link to the API
  reference's `API_<Name>.html` page, "Since ``ModelPackageModelCard`` is ...".

Which word of a text names the type, and not some other thing the text mentions, is
decided by two kinds of evidence: how the text uses the word (`object`, `Type:`, `Each`,
a link to the type's API page) and how the word relates to the member name (the same
name with a qualifier in front, as `AutoMLDataSplitConfig` for the member
`DataSplitConfig`, or the member's name without its qualifier, as `ResourceSpec` for
`DefaultResourceSpec`). A structure reached directly through a member takes a text name
only when it relates to the member name; list items and map values take the best one.
Nothing here knows any service: no tables of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Reach = Literal["member", "item", "value", "key"]

# A name the resolver makes up (a qualified or suffixed form) is at most this long.
MAX_MADE_UP = 40

# Strengths: a name published before (codegen/registry.py) > a type name the text gives >
# the member name (or its singular) > made up.
REGISTERED = 4
REVEALED_IN_TEXT = 3
MEMBER_NAME = 2
DERIVED = 1

_LITERAL = re.compile(r"`+([A-Za-z][A-Za-z0-9]*)`+")
_LINK_TEXT = re.compile(r"\[([A-Za-z][A-Za-z0-9]*)\]\(")
_API_LINK = re.compile(r"/API_([A-Z][A-Za-z0-9]*)\.html")
_CAMEL_WORD = re.compile(r"\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)\b")
CAMEL_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
# How AWS's text introduces a type: the word right before or after the name.
_BEFORE = re.compile(r"(?:\b(?:[Ee]ach|[Aa]n?|[Oo]ne|of)\s+[`\[]*)$")
_TYPE_BEFORE = re.compile(r"(?:\b[Tt]ype:?\s+[`\[]*)$")
# How it says what a list's items are: "an array of ``X``", "each ``X``", "``X`` objects".
_ITEMS_BEFORE = re.compile(r"(?:\b(?:(?:[Ll]ist|[Aa]rray|[Ss]et|[Cc]ollection) of|[Ee]ach)\s+[`\[]*)$")
_ITEMS_AFTER = re.compile(r"^[`\]]*\s*(?:objects|structures)\b")
_AFTER = re.compile(r"^[`\]]*(?:\([^)]*\))?\s*(?:objects?|structures?|data type|elements?|type)\b")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A name the page suggests for a structure, and how strongly."""

    name: str
    strength: int
    member: str  # the member name it was found at (capitalised)


def capitalised(member: str) -> str:
    # REST services' members are camelCase (`fooBar`): their structures read `FooBar`.
    return member[:1].upper() + member[1:]


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


def _item_name(member: str) -> str | None:
    """What one item of a list member is called: `Tags` → `Tag`,
    `ModelPackageSummaryList` → `ModelPackageSummary` (AWS's usual `List` suffix)."""
    for suffix in ("List", "Set"):
        if member.endswith(suffix) and len(member) > len(suffix) + 1:
            return member[: -len(suffix)]
    return singular(member)


def _last_word(name: str) -> str:
    words = CAMEL_WORDS.findall(name)
    return words[-1] if words else name


def _related(word: str, member: str) -> int:
    """How `word` relates to the member name `member`: 2 for the same name with a
    qualifier added or dropped (`AutoMLDataSplitConfig` / `DataSplitConfig`,
    `ResourceSpec` / `DefaultResourceSpec`, `KeySchemaElement` / `KeySchema`), 1 for a
    shared first or last word."""
    if word == member:
        return 0
    if word.endswith(member) or member.endswith(word) or word.startswith(member):
        return 2
    if _last_word(word) == _last_word(member) or CAMEL_WORDS.findall(word)[:1] == CAMEL_WORDS.findall(member)[:1]:
        return 1
    return 0


def _shares_word(word: str, name: str) -> bool:
    """Do `word` and `name` share a word, plural or not (`ConfigurationOptionDescription`
    and `Options`, `BatchGetFindingsError` and `FailedFindings`)?"""
    def stems(text: str) -> set[str]:
        return {singular(w) or w for w in CAMEL_WORDS.findall(text)}

    return bool(stems(word) & stems(name))


# How a text presents a word: as what the items of a list are (`an array of X`, `each X`,
# `X objects`), as a type (`X object`, `Type: X`), as a thing (`an ``X```, a link to its
# API page), or not at all.
AS_ITEMS = 3
AS_TYPE = 2
AS_THING = 1


def _introduced(text: str, start: int, end: int, quoted: bool) -> tuple[int, bool]:
    """How the text presents the word at [start, end): AS_ITEMS, AS_TYPE, AS_THING or 0, and
    whether that is sure. `Each`, `a`, `an`, `of` count only before a quoted name
    (```X```, a link), since plain prose says "a SageMaker cluster" too; "a list of X" or
    "each X" before a plain word is not sure: "a list of CloudWatch alarms", "Each
    WorkSpaces resource" name a product, "A list of ConfigurationOptionDescription." the
    items' type (`candidate` tells them apart)."""
    before = text[max(0, start - 12) : start]
    if _ITEMS_AFTER.match(text[end : end + 16]):
        return AS_ITEMS, True
    if _ITEMS_BEFORE.search(text[max(0, start - 16) : start]):
        return AS_ITEMS, quoted
    if _TYPE_BEFORE.search(before) or _AFTER.match(text[end : end + 24]):
        return AS_TYPE, True
    return (AS_THING if quoted and _BEFORE.search(before) else 0), True


def text_names(texts: tuple[str, ...], excluded: frozenset[str]) -> list[tuple[str, int, bool]]:
    """The type names the texts mention, in order, each once, with how the text presents
    it (the most telling of its mentions: `_introduced`) and whether that is sure."""
    return [(w, how, sure) for w, (how, sure) in _mentions(texts) if w not in excluded]


@lru_cache(maxsize=4096)
def _mentions(texts: tuple[str, ...]) -> tuple[tuple[str, tuple[int, bool]], ...]:
    # (the same descriptions come back at every place a structure is used)
    found: dict[str, tuple[int, bool]] = {}
    for text in texts:
        for match in _API_LINK.finditer(text):
            found[match.group(1)] = max(found.get(match.group(1), (0, True)), (AS_THING, True))
        for pattern in (_LITERAL, _LINK_TEXT, _CAMEL_WORD):
            for match in pattern.finditer(text):
                word = match.group(1)
                if not word[:1].isupper() or word.isupper():
                    continue  # a member's value or an acronym, not a type
                quoted = pattern is not _CAMEL_WORD
                found[word] = max(found.get(word, (0, True)), _introduced(text, match.start(), match.end(), quoted))
    return tuple(found.items())


def candidate(member: str, reach: Reach, texts: tuple[str, ...], excluded: frozenset[str]) -> Candidate:
    """The name the page suggests for a structure reached through `member` (a member name
    as the page gives it) as `reach`: the member's own structure, a list item, a map value
    or key. `excluded`: words the texts use for other things (the structure's own members,
    its siblings, the operation)."""
    member = capitalised(member)
    # What the member name says the structure is: itself for a member, the singular of a
    # plural list or map (`Tags` → `Tag`, `Parameters` → `Parameter`), and the list's own
    # name for a list that is not plural (`Access`: a list of `Access`).
    plural = _item_name(member) if reach in ("item", "value") else None
    own = member if reach == "member" else plural or (member if reach == "item" else None)
    best: tuple[int, int, str] | None = None
    for index, (word, introduced, sure) in enumerate(text_names(texts, excluded | {member})):
        if not sure and not _shares_word(word, own or member):
            introduced = 0  # "a list of CloudWatch alarms" for `Alarms`: a product, not the type
        # an item relates to its own name (`Tag`), not the list's (`Tags` in `AddTags`)
        related = _related(word, own) if own else _related(word, member)
        if reach == "member" and related < 2:
            continue  # a structure of its own: only the member's name with a qualifier
        if not (introduced or related == 2):
            continue
        if plural is not None and not related and introduced != AS_ITEMS:
            # a list named in the plural (`Tags`): its items are named like it, unless the
            # text says what they are ("An array of ``RegistrationDeniedReasonInformation``
            # objects" for `DeniedReasons`)
            continue
        score = 2 * bool(introduced) + related
        if best is None or (score, -index) > (best[0], best[1]):
            best = (score, -index, word)
    if best is not None:
        return Candidate(best[2], REVEALED_IN_TEXT, member)
    if own is not None:
        return Candidate(own, MEMBER_NAME, member)
    suffix = {"item": "Item", "value": "Value", "key": "Key", "member": ""}[reach]
    if len(member + suffix) > MAX_MADE_UP:
        return Candidate(member, DERIVED, member)  # the page's own name, rather than a long made-up one
    return Candidate(member + suffix, DERIVED, member)
