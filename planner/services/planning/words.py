"""A plan explained to the learner it is for: residual gaps and infeasibility in plain words.

Staff pages show rule labels ("learner_budget:li.na") and numbers; a learner reads
sentences ("Your budget of 500 is too small: 650 would make a plan possible."). The
sentences are built from the scenario the plan was solved for (a `plans.Catalog` plus the
scenario-wide budget), so every number quoted is the one the solver used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planner.scenario import LEVEL_NAMES, TOP_LEVEL, Diagnosis
from planner.services.planning.plans import Catalog, GapRow
from planner.solver.labels import RULES, kind_of, limit_of, parse_label


def _level(level: int) -> str:
    return f"{LEVEL_NAMES[max(0, min(level, TOP_LEVEL))]} ({level})"


def _num(value) -> str:
    if value is None:
        return "no limit"
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


# -- residual gaps ---------------------------------------------------------------------------
@dataclass
class GapWords:
    missing: list[str] = field(default_factory=list)  # still short after the plan
    closed: list[str] = field(default_factory=list)  # the plan closes these
    already: list[str] = field(default_factory=list)  # skill names already at the level

    @property
    def empty(self) -> bool:
        return not (self.missing or self.closed or self.already)


def gap_words(rows: list[GapRow]) -> GapWords:
    """Each needed skill in one sentence: what the plan leaves missing, what it closes."""
    out = GapWords()
    for r in sorted(rows, key=lambda r: (-r.gap, -r.weighted, r.name)):
        if r.gap:
            steps = "1 level" if r.gap == 1 else f"{r.gap} levels"
            moved = (
                f"this plan takes you from {_level(r.start)} to {_level(r.final)}"
                if r.final > r.start
                else f"you stay at {_level(r.start)}: no course you can take in time teaches more"
            )
            out.missing.append(
                f"{r.name}: {moved}, but your role needs {_level(r.need)} — still {steps} short."
            )
        elif r.start < r.need:
            out.closed.append(
                f"{r.name}: from {_level(r.start)} to {_level(r.final)}, "
                f"the {LEVEL_NAMES[r.need]} level your role needs."
            )
        else:
            out.already.append(r.name)
    return out


# -- course cards -------------------------------------------------------------------------------
def learner_reason(reason: str, catalog: Catalog, learner_id: str) -> str:
    """The solver's reason for a course, with skill names instead of ids and "your role"
    instead of the role id ("raises data.sql 1→2 (needed 3 for mkt-data-analyst)" becomes
    "raises SQL for marketing data 1→2 (needed 3 for your role)")."""
    role = (catalog.learners.get(learner_id) or {}).get("role")
    text = reason.replace(f" for {learner_id}'s target", " for your target")
    if role:
        text = re.sub(rf"for {re.escape(role)}(?![\w.-])", "for your role", text)
    ids = sorted((k for k in catalog.skills if k in text), key=len, reverse=True)
    if not ids:
        return text
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    return pattern.sub(lambda m: catalog.skill_name(m.group(1)), text)


# -- infeasibility -----------------------------------------------------------------------------
@dataclass
class DiagnosisWords:
    headline: str  # the first fix, or why no fix is known
    rules: list[str]  # each rule of the conflict, as a sentence fragment
    other_fixes: list[str]
    minimal: bool


class _Words:
    """Sentence fragments about one scenario, from the point of view of one learner."""

    def __init__(self, catalog: Catalog, constraints: dict, learner_id: str):
        self.catalog = catalog
        self.constraints = constraints or {}
        self.me = learner_id

    def whose(self, learner_id: str) -> str:
        return "your" if learner_id == self.me else f"{learner_id}'s"

    def who(self, learner_id: str) -> str:
        return "you" if learner_id == self.me else learner_id

    def course(self, course_id: str) -> str:
        title = (self.catalog.courses.get(course_id) or {}).get("title")
        return f"{course_id} “{title}”" if title else course_id

    def learner(self, learner_id: str) -> dict:
        return self.catalog.learners.get(learner_id) or {}

    def term(self, term_id: str) -> dict:
        return next((t for t in self.catalog.terms if t.get("id") == term_id), {})

    def limit(self, kind: str, ids: list[str]):
        """The current value of a numeric limit, as the solver saw it."""
        if kind == "learner_budget":
            return self.learner(ids[0]).get("budget")
        if kind == "learner_max_credits":
            return self.learner(ids[0]).get("max_credits")
        if kind == "budget":
            return self.constraints.get("budget")
        if kind in ("term_max_credits", "term_min_credits"):
            return self.term(ids[0]).get(kind.removeprefix("term_"))
        if kind == "max_sections":
            return (self.catalog.courses.get(ids[0]) or {}).get("max_sections", 1)
        return None

    def rule(self, label: str) -> str:
        """What the rule says ("your budget of 500")."""
        kind, *ids = label.split(":")
        value = _num(self.limit(kind, ids))
        texts = {
            "learner_budget": lambda: f"{self.whose(ids[0])} budget of {value}",
            "budget": lambda: f"the total budget of {value}",
            "learner_max_credits": lambda: f"{self.whose(ids[0])} limit of {value} credits a term",
            "term_max_credits": lambda: f"the limit of {value} credits in term {ids[0]}",
            "term_min_credits": lambda: f"the minimum of {value} credits in term {ids[0]}",
            "max_sections": lambda: f"the {value} section(s) {self.course(ids[0])} can run",
            "required": lambda: f"{self.who(ids[0])} must take {self.course(ids[1])}",
            "excluded": lambda: f"{self.who(ids[0])} may not take {self.course(ids[1])}",
            "pinned": lambda: (
                f"{self.course(ids[1])} is fixed to term "
                f"{self.learner(ids[0]).get('pinned', {}).get(ids[1], '?')}"
            ),
            "gap_closed": lambda: f"every gap of {self.whose(ids[0])} role must be closed",
            "offered": lambda: self._offered(ids[0]),
            "prerequisites": lambda: f"{self.course(ids[0])} has prerequisites to take first",
            "learner_terms": lambda: (
                f"{self.who(ids[0])} can study only in "
                + (", ".join(self.learner(ids[0]).get("terms") or []) or "no term")
            ),
        }
        return texts[kind]() if kind in texts else label

    def _offered(self, course_id: str) -> str:
        offered = (self.catalog.courses.get(course_id) or {}).get("offered")
        where = ", ".join(offered) if offered else "no term you can study in"
        return f"{self.course(course_id)} is offered only in {where}"

    def remedy(self, label: str, to) -> str:
        """The change, as a gerund phrase ("moving AI-02 to 2027-Q3")."""
        kind, ids = parse_label(label)
        if limit_of(label) is not None and to is not None:
            return f"changing {self.rule(label)} to {_num(to)}"
        texts = {
            "learner_budget": lambda: f"dropping {self.whose(ids[0])} budget limit",
            "budget": lambda: "dropping the total budget",
            "learner_max_credits": lambda: f"dropping {self.whose(ids[0])} credit limit per term",
            "term_max_credits": lambda: f"dropping the credit limit of term {ids[0]}",
            "term_min_credits": lambda: f"dropping the minimum credits of term {ids[0]}",
            "max_sections": lambda: f"running as many sections of {self.course(ids[0])} as needed",
            "required": lambda: f"not requiring {self.course(ids[1])}",
            "excluded": lambda: f"allowing {self.course(ids[1])}",
            "pinned": lambda: (
                f"moving {self.course(ids[1])} to term {to}"
                if to
                else f"unfixing the term of {self.course(ids[1])}"
            ),
            "gap_closed": lambda: "accepting that some gaps stay open",
            "offered": lambda: (
                f"also offering {self.course(ids[0])} in {to}"
                if to
                else f"offering {self.course(ids[0])} in every term"
            ),
            "prerequisites": lambda: f"waiving the prerequisites of {self.course(ids[0])}",
            "learner_terms": lambda: (
                f"letting {self.who(ids[0])} also study in {to}"
                if to
                else f"letting {self.who(ids[0])} study in any term"
            ),
        }
        return texts[kind]() if kind in texts else f"relaxing {label}"

    def fix(self, fix) -> str:
        """One fix as a sentence; a single tightened limit reads "X is too small: Y would…"."""
        if len(fix.changes) == 1:
            change = fix.changes[0]
            rule = RULES.get(kind_of(change.relax))
            if rule is not None and rule.limit is not None and change.to is not None:
                return _sentence(
                    f"{self.rule(change.relax)} {rule.tight}: "
                    f"{_num(change.to)} would make a plan possible"
                )
        steps = " and ".join(self.remedy(c.relax, c.to) for c in fix.changes)
        return _sentence(f"{steps} would make a plan possible")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def diagnosis_words(
    catalog: Catalog, constraints: dict, diagnosis: Diagnosis, learner_id: str
) -> DiagnosisWords:
    words = _Words(catalog, constraints, learner_id)
    fixes = [words.fix(f) for f in diagnosis.fixes]
    if fixes:
        headline = fixes[0]
    else:
        headline = "No single change that would make a plan possible was found in time."
    return DiagnosisWords(
        headline=headline,
        rules=[words.rule(label) for label in diagnosis.conflict],
        other_fixes=fixes[1:4],
        minimal=diagnosis.minimal,
    )
