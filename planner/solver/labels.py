"""Rule labels: every labelled rule of scenario-format.md, declared once.

A label names one rule of one scenario: its kind, then the ids of what the rule is about,
colon-separated ("budget", "learner_budget:li.na", "required:li.na:MKT210"). Each kind is
declared here: what its ids name, whether it is a numeric limit (which field, in which
unit, and which way relaxing it moves the value), what a fix's `to` may be, and its words.

The model (rules.py) labels its constraints with these kinds, the checker (check.py)
validates labels against them, the diagnosis (diagnose.py) relaxes, ranks and describes
them, and the web pages say them in words. Pure data: no solver, no Flask.
"""

from dataclasses import dataclass
from typing import Literal

Named = Literal["term", "learner", "course"]
To = Literal["number", "count", "term", "term or season"]


@dataclass(frozen=True)
class RuleKind:
    kind: str
    names: tuple[Named, ...]  # what the ids after the kind name, in order
    words: str  # the rule as a noun phrase; {0}, {1} are the ids
    drop: str  # the change that drops the rule, as an imperative
    to: To | None = None  # what a change's `to` may be besides null (None: only null)
    limit: Literal["max", "min"] | None = None  # a numeric limit: relaxing raises / lowers it
    field: str | None = None  # the limit's field on what the label names (else constraints)
    unit: Literal["credits", "money", "sections"] | None = None
    what: str = ""  # the limit in a fix note ("raise {what} from 12 to 15")
    tight: str = ""  # how a too-tight limit is said to a learner


def _limit(
    kind: str,
    names: tuple[Named, ...],
    words: str,
    drop: str,
    direction: Literal["max", "min"],
    field: str,
    unit: Literal["credits", "money", "sections"],
    what: str,
    tight: str,
) -> RuleKind:
    to: To = "count" if unit == "sections" else "number"
    return RuleKind(kind, names, words, drop, to, direction, field, unit, what, tight)


RULES: dict[str, RuleKind] = {
    r.kind: r
    for r in (
        RuleKind(
            "offered",
            ("course",),
            "the terms {0} is offered in",
            "offer {0} in every term",
            to="term or season",
        ),
        RuleKind(
            "learner_terms",
            ("learner",),
            "the terms {0} can study in",
            "let {0} study in every term",
            to="term",
        ),
        RuleKind(
            "prerequisites",
            ("course",),
            "the prerequisites of {0}",
            "drop {0}'s prerequisites",
        ),
        _limit(
            "term_max_credits",
            ("term",),
            "the credit limit of term {0}",
            "remove {0}'s max credits",
            "max",
            "max_credits",
            "credits",
            "{0}'s max credits",
            "is too low",
        ),
        _limit(
            "term_min_credits",
            ("term",),
            "the minimum credits of term {0}",
            "remove {0}'s min credits",
            "min",
            "min_credits",
            "credits",
            "{0}'s min credits",
            "is too high",
        ),
        _limit(
            "learner_max_credits",
            ("learner",),
            "{0}'s credit limit per term",
            "remove {0}'s per-term credit limit",
            "max",
            "max_credits",
            "credits",
            "{0}'s max credits per term",
            "is too low",
        ),
        _limit(
            "learner_budget",
            ("learner",),
            "{0}'s budget",
            "remove {0}'s budget",
            "max",
            "budget",
            "money",
            "{0}'s budget",
            "is too small",
        ),
        _limit(
            "budget",
            (),
            "the total budget",
            "remove the total budget",
            "max",
            "budget",
            "money",
            "the total budget",
            "is too small",
        ),
        _limit(
            "max_sections",
            ("course",),
            "the section limit of {0}",
            "allow as many sections of {0} as needed",
            "max",
            "max_sections",
            "sections",
            "{0}'s max sections",
            "is too low",
        ),
        RuleKind(
            "required",
            ("learner", "course"),
            "{0} must take {1}",
            "stop requiring {1} for {0}",
        ),
        RuleKind(
            "excluded",
            ("learner", "course"),
            "{0} may not take {1}",
            "allow {1} for {0}",
        ),
        RuleKind(
            "pinned",
            ("learner", "course"),
            "{0} must take {1} in its pinned term",
            "unpin {1} for {0}",
            to="term",
        ),
        RuleKind(
            "gap_closed",
            ("learner",),
            "{0} must close every gap",
            "let {0} end with a gap (gap_mode minimise)",
        ),
    )
}


def label_of(kind: str, *ids: str) -> str:
    """The label of rule `kind` about `ids` ("required:li.na:MKT210")."""
    return ":".join((kind, *ids))


def parse_label(text: str) -> tuple[str, list[str]]:
    """(kind, ids) of a label; the kind need not be known."""
    kind, *ids = text.split(":")
    return kind, ids


def kind_of(text: str) -> str:
    return text.split(":", 1)[0]


def limit_of(text: str) -> Literal["max", "min"] | None:
    """The direction of a numeric limit's label ("max" or "min"); None for any other."""
    rule = RULES.get(kind_of(text))
    return rule.limit if rule is not None else None


def rule_words(text: str) -> str:
    """The rule a label names as a noun phrase ("the credit limit of term 2027-1"); the
    label itself when its kind or ids are not a known rule's."""
    kind, ids = parse_label(text)
    rule = RULES.get(kind)
    if rule is None or len(ids) < len(rule.names):
        return text
    return rule.words.format(*ids)


def drop_words(text: str) -> str:
    """The change that drops the rule a label names ("remove 2027-1's max credits")."""
    kind, ids = parse_label(text)
    return RULES[kind].drop.format(*ids)


def limit_words(text: str) -> str:
    """The numeric limit a label names, for a fix note ("li.na's budget")."""
    kind, ids = parse_label(text)
    return RULES[kind].what.format(*ids)
