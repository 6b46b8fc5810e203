"""The rules of the semantic diff: every change names one rule id, whose level is fixed
here (the table docs/diff-json.md documents). Depends on nothing else of codegen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["ERR", "WARN", "INFO"]
LEVELS: tuple[Level, ...] = ("ERR", "WARN", "INFO")
RANK: dict[str, int] = {"ERR": 3, "WARN": 2, "INFO": 1}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    summary: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("operation-added", "INFO", "a client method, paginator or waiter was added"),
        Rule("operation-removed", "ERR", "a client method, paginator or waiter was removed"),
        Rule("operation-deprecated", "WARN", "the operation is now marked deprecated"),
        Rule("operation-undeprecated", "INFO", "the operation is no longer marked deprecated"),
        Rule("api-name-changed", "INFO", "the operation's AWS API name changed"),
        Rule("output-added", "INFO", "the operation now returns a response (was `None`)"),
        Rule("output-removed", "WARN", "the operation now returns `None`"),
        Rule("exception-added", "WARN", "the operation documents a new exception"),
        Rule("exception-removed", "INFO", "the operation no longer documents an exception"),
        Rule("request-member-added", "INFO", "an optional request member was added"),
        Rule("request-member-added-required", "ERR", "a required request member was added"),
        Rule("request-member-removed", "ERR", "a request member was removed"),
        Rule("request-member-now-required", "ERR", "a request member became required"),
        Rule("request-member-now-optional", "INFO", "a request member became optional"),
        Rule("response-member-added", "INFO", "a response member was added"),
        Rule("response-member-removed", "WARN", "a response member was removed"),
        Rule("request-enum-value-added", "INFO", "a request enum accepts new values"),
        Rule("request-enum-value-removed", "ERR", "a request enum no longer accepts values"),
        Rule(
            "response-enum-value-added",
            "WARN",
            "a response enum has new values (exhaustive matches miss them)",
        ),
        Rule("response-enum-value-removed", "INFO", "a response enum lost values"),
        Rule("request-enum-introduced", "WARN", "a free request string became an enum"),
        Rule("request-enum-dropped", "INFO", "a request enum became a free string"),
        Rule("response-enum-introduced", "INFO", "a free response string became an enum"),
        Rule("response-enum-dropped", "WARN", "a response enum became a free string"),
        Rule(
            "type-changed",
            "ERR",
            "a node changed type (list/scalar, structure/map, "
            "integer/float, recursion target, ...)",
        ),
        Rule(
            "shape-flag-changed",
            "WARN",
            "streaming, event stream, tagged union, JSON value or Python type of a node changed",
        ),
        Rule(
            "section-not-compared",
            "INFO",
            'boto3 did not render this section on one side ("too large to render"): '
            "members (when unknown), required flags and documentation below it not compared",
        ),
        Rule(
            "documentation-changed",
            "INFO",
            "documentation text changed (only with --include-docs)",
        ),
        Rule(
            "class-renamed",
            "WARN",
            "a generated class or Literal alias has a new name (the old one stays a deprecated "
            "alias until the pages next change)",
        ),
    )
}


def level_at_least(level: str, threshold: str) -> bool:
    return RANK[level] >= RANK[threshold]
