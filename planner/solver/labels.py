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
    # A fix's change in a few words: {to} is the new value ("no limit" when a limit goes);
    # `title_drop` when the rule is dropped, `title_every` when it is every learner's.
    title: str = ""
    title_drop: str = ""
    title_every: str = ""


RULES: dict[str, RuleKind] = {
    r.kind: r
    for r in (
        RuleKind(
            "offered",
            ("course",),
            words="the terms {0} is offered in",
            drop="offer {0} in every term",
            to="term or season",
            title="{0} also in {to}",
            title_drop="{0} every term",
        ),
        RuleKind(
            "learner_terms",
            ("learner",),
            words="the terms {0} can study in",
            drop="let {0} study in every term",
            to="term",
            title="{0} also in {to}",
            title_drop="{0} every term",
        ),
        RuleKind(
            "prerequisites",
            ("course",),
            words="the prerequisites of {0}",
            drop="drop {0}'s prerequisites",
            title="{0} without prerequisites",
        ),
        RuleKind(
            "term_max_credits",
            ("term",),
            words="the credit limit of term {0}",
            drop="remove {0}'s max credits",
            to="number",
            limit="max",
            field="max_credits",
            unit="credits",
            what="{0}'s max credits",
            tight="is too low",
            title="{0} max credits {to}",
        ),
        RuleKind(
            "term_min_credits",
            ("term",),
            words="the minimum credits of term {0}",
            drop="remove {0}'s min credits",
            to="number",
            limit="min",
            field="min_credits",
            unit="credits",
            what="{0}'s min credits",
            tight="is too high",
            title="{0} min credits {to}",
        ),
        RuleKind(
            "learner_max_credits",
            ("learner",),
            words="{0}'s credit limit per term",
            drop="remove {0}'s per-term credit limit",
            to="number",
            limit="max",
            field="max_credits",
            unit="credits",
            what="{0}'s max credits per term",
            tight="is too low",
            title="{0} credits per term {to}",
            title_every="credits per term {to}",
        ),
        RuleKind(
            "learner_budget",
            ("learner",),
            words="{0}'s budget",
            drop="remove {0}'s budget",
            to="number",
            limit="max",
            field="budget",
            unit="money",
            what="{0}'s budget",
            tight="is too small",
            title="{0} budget {to}",
            title_every="budget per learner {to}",
        ),
        RuleKind(
            "budget",
            (),
            words="the total budget",
            drop="remove the total budget",
            to="number",
            limit="max",
            field="budget",
            unit="money",
            what="the total budget",
            tight="is too small",
            title="total budget {to}",
        ),
        RuleKind(
            "max_sections",
            ("course",),
            words="the section limit of {0}",
            drop="allow as many sections of {0} as needed",
            to="count",
            limit="max",
            field="max_sections",
            unit="sections",
            what="{0}'s max sections",
            tight="is too low",
            title="{0} sections {to}",
        ),
        RuleKind(
            "required",
            ("learner", "course"),
            words="{0} must take {1}",
            drop="stop requiring {1} for {0}",
            title="{1} optional for {0}",
        ),
        RuleKind(
            "excluded",
            ("learner", "course"),
            words="{0} may not take {1}",
            drop="allow {1} for {0}",
            title="{1} allowed for {0}",
        ),
        RuleKind(
            "pinned",
            ("learner", "course"),
            words="{0} must take {1} in its pinned term",
            drop="unpin {1} for {0}",
            to="term",
            title="{1} in {to}",
            title_drop="{1} unpinned",
        ),
        RuleKind(
            "gap_closed",
            ("learner",),
            words="{0} must close every gap",
            drop="let {0} end with a gap (gap_mode minimise)",
            title="{0} may keep a gap",
            title_every="gaps allowed",
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


def change_title(text: str, to: str | None, *, every: bool = False) -> str:
    """A fix's change of the rule `text` to `to` (None: dropped) in a few words ("2027-1
    max credits 12", "AI-02 unpinned"); `every`: the change is every learner's."""
    kind, ids = parse_label(text)
    rule = RULES[kind]
    template = rule.title_every if every and rule.title_every else rule.title
    if to is None:
        template = rule.title_drop or template
        to = "0" if rule.limit == "min" else "no limit"  # no minimum is a minimum of 0
    return template.format(*ids, to=to)
