"""Python names made of wire names: attributes, class names, the service's module.

* Attributes: snake_case of the wire name (`S3Uri` → `s3_uri`, `KMSKeyId` → `kms_key_id`),
  a trailing `_` for keywords, builtins and the model methods; collisions within one class
  resolved the same way whatever the member order (attribute_map).
* Classes: PascalCase (pascal); a top-level class is named after its operation
  (operation_class_stem).
* The service's subpackage: the boto3 service name with `_` for `-` (module_name).
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable
from functools import cache

from codegen.tree import Operation


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


@cache  # (a member's name comes back in every shape and service that has it)
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
