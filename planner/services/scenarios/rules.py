"""Staff rules of a scenario: required, excluded and pinned courses, gap targets and
per-learner limits, for the whole program or for one learner.

The file contract (scenario-format.md) keeps these rules on each learner. A program-wide
rule is therefore stored on every learner, and shown as one program-wide rule when every
learner (of two or more) holds it. Each rule has a one-line form in the diagnosis' label
words, `kind:LEARNER:...`, with an empty LEARNER for the whole program:

    required:li.na:MKT210        excluded::MKT101 (every learner)
    pinned:li.na:MKT210:2027-1   target::ai.prompting:3
    learner_budget:li.na:1500    learner_max_credits:li.na:9    gap_mode:li.na:close

Ids never contain ":", which keeps the lines unambiguous. The editor lists the stored
rules, posts the lines of those ticked for removal plus one new rule from its pickers
(checked field by field here), and the result is validated as a scenario file. The API
and older forms may post every rule as `rules` lines instead.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from sqlmodel import select

from planner.models import ScenarioRecord
from planner.scenario import GAP_MODES, LEVEL_NAMES, TOP_LEVEL, Problem
from planner.services.caching import database_key
from planner.services.scenarios.fields import parse_amount, set_or_drop

# kind -> the picker's label, and the verb of a listed rule
KINDS = {
    "required": "Required course",
    "excluded": "Excluded course",
    "pinned": "Pinned course (in a term)",
    "target": "Gap target (skill level)",
    "learner_budget": "Budget per person",
    "learner_max_credits": "Max credits per term",
    "gap_mode": "Gap mode",
}
SAYS = {
    "required": "must take",
    "excluded": "may not take",
    "pinned": "must take, in a set term",
    "target": "must reach",
    "learner_budget": "budget per person",
    "learner_max_credits": "max credits per term",
    "gap_mode": "gap mode",
}
RULE_KINDS = tuple(KINDS)
# Budget, credit limit and gap mode for everyone have their own fields in the editor.
PROGRAM_KINDS = ("required", "excluded", "pinned", "target")
COURSE_KINDS = ("required", "excluded", "pinned")
NEW = "new_rule"  # prefix of the picker fields


@dataclass(frozen=True)
class Rule:
    kind: str
    learner: str  # "" = every learner
    course: str = ""
    term: str = ""
    skill: str = ""
    value: str = ""  # target level, amount or gap mode

    @property
    def program_wide(self) -> bool:
        return self.learner == ""

    def line(self) -> str:
        if self.kind in ("required", "excluded"):
            args = [self.course]
        elif self.kind == "pinned":
            args = [self.course, self.term]
        elif self.kind == "target":
            args = [self.skill, self.value]
        else:
            args = [self.value]
        return ":".join([self.kind, self.learner, *args])


def _num(value) -> str:
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else str(value)


# -- the body's rules ----------------------------------------------------------------------
def rules_of(body: dict, default_max=None, default_budget=None) -> list[Rule]:
    """Every rule the body holds; one shared by every learner (of 2+) is program-wide.

    `default_max`/`default_budget` are the editor's values for every learner: a learner
    whose limit differs gets its own rule (`none` when it has no limit)."""
    learners = body.get("learners", [])
    per: list[list[Rule]] = []
    for lr in learners:
        lid = lr["id"]
        own = [Rule("required", lid, course=c) for c in lr.get("required", [])]
        own += [Rule("excluded", lid, course=c) for c in lr.get("excluded", [])]
        own += [Rule("pinned", lid, course=c, term=t) for c, t in (lr.get("pinned") or {}).items()]
        own += [
            Rule("target", lid, skill=s, value=str(v)) for s, v in (lr.get("target") or {}).items()
        ]
        per.append(own)
    shared: list[Rule] = []
    if len(learners) > 1:
        # a rule with the learner left out, counted over learners
        common = {_wide(r) for r in per[0]}
        for own in per[1:]:
            common &= {_wide(r) for r in own}
        shared = [_wide(r) for r in per[0] if _wide(r) in common]
    out = list(shared)
    wide = set(shared)
    for lr, own in zip(learners, per, strict=True):
        out += [r for r in own if _wide(r) not in wide]
        lid = lr["id"]
        if lr.get("budget") != default_budget:
            out.append(Rule("learner_budget", lid, value=_num(lr.get("budget"))))
        if lr.get("max_credits") != default_max:
            out.append(Rule("learner_max_credits", lid, value=_num(lr.get("max_credits"))))
        if lr.get("gap_mode"):
            out.append(Rule("gap_mode", lid, value=lr["gap_mode"]))
    return out


def _wide(rule: Rule) -> Rule:
    return Rule(rule.kind, "", rule.course, rule.term, rule.skill, rule.value)


def rules_text(body: dict, default_max=None, default_budget=None) -> str:
    return "\n".join(r.line() for r in rules_of(body, default_max, default_budget))


def strip_rules(learner: dict) -> None:
    """Drop the rules the editor restates, before the posted ones are applied."""
    for key in ("required", "excluded", "pinned", "gap_mode", "target"):
        learner.pop(key, None)


# -- lines -> the body ---------------------------------------------------------------------
def apply_rules(body: dict, text: str) -> list[Problem]:
    """Apply `kind:learner:...` lines to the body's learners; return problems by line."""
    problems: list[Problem] = []
    learners = {lr["id"]: lr for lr in body.get("learners", [])}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"rules line {number}"
        parts = [p.strip() for p in line.split(":")]
        kind = parts[0]
        if kind not in RULE_KINDS:
            problems.append(Problem(where, f'unknown rule "{kind}" (use {", ".join(RULE_KINDS)})'))
            continue
        want = 4 if kind in ("pinned", "target") else 3
        if len(parts) != want:
            shape = {
                "pinned": "pinned:LEARNER:COURSE:TERM",
                "target": "target:LEARNER:SKILL:LEVEL",
            }.get(kind, f"{kind}:LEARNER:VALUE")
            problems.append(Problem(where, f"expected {shape}"))
            continue
        if parts[1] == "":
            if kind not in PROGRAM_KINDS:
                problems.append(Problem(where, f'"{kind}" needs a learner'))
                continue
            targets = list(learners.values())
        elif parts[1] in learners:
            targets = [learners[parts[1]]]
        else:
            problems.append(Problem(where, f'unknown learner "{parts[1]}"'))
            continue
        for learner in targets:
            _apply_rule(learner, kind, parts[2:], where, problems)
    return problems


def _apply_rule(learner: dict, kind: str, args: list[str], where: str, problems) -> None:
    if kind in ("required", "excluded"):
        items = learner.setdefault(kind, [])
        if args[0] not in items:
            items.append(args[0])
    elif kind == "pinned":
        learner.setdefault("pinned", {})[args[0]] = args[1]
    elif kind == "target":
        level = _level(args[1])
        if level is None:
            problems.append(Problem(where, "a target level is a whole number 1-4"))
        else:
            learner.setdefault("target", {})[args[0]] = level
    elif kind == "gap_mode":
        if args[0] not in GAP_MODES:
            problems.append(Problem(where, f"gap mode must be one of {', '.join(GAP_MODES)}"))
        else:
            learner["gap_mode"] = args[0]
    else:
        key = "budget" if kind == "learner_budget" else "max_credits"
        value = parse_amount(args[0], where, problems)
        set_or_drop(learner, key, value)


def _level(text: str) -> int | None:
    try:
        level = int(text)
    except ValueError:
        return None
    return level if 1 <= level <= TOP_LEVEL else None


# -- the editor's pickers -------------------------------------------------------------------
@dataclass
class NewRule:
    """The picker row as posted (all strings)."""

    scope: str = ""  # learner id, "" = every learner
    kind: str = ""
    course: str = ""
    term: str = ""
    skill: str = ""
    value: str = ""

    FIELDS = ("scope", "kind", "course", "term", "skill", "value")

    @classmethod
    def from_form(cls, form) -> NewRule:
        def get(name: str) -> str:
            return form.get(f"{NEW}.{name}", "").strip()

        kind = get("kind")
        if not kind:  # anything picked without a kind is reported, not dropped
            return cls(get("scope"), "", get("course"), get("term"), get("skill"), get("amount"))
        # one value box per kind of value; the rule's kind says which one counts
        box = {"target": "level", "gap_mode": "mode"}.get(kind, "amount")
        return cls(
            scope=get("scope"),
            kind=kind,
            course=get("course") if kind in COURSE_KINDS else "",
            term=get("term") if kind == "pinned" else "",
            skill=get("skill") if kind == "target" else "",
            value=get(box) if kind not in COURSE_KINDS else "",
        )


@dataclass
class Posted:
    """The rules part of the editor form."""

    kept: list[str] = field(default_factory=list)  # lines of the listed rules not removed
    new: NewRule = field(default_factory=NewRule)
    text: str = ""  # free lines (the API and older forms post `rules`)

    def lines(self) -> str:
        return "\n".join([*self.kept, *([self.text] if self.text else [])])


STORED = "stored"  # `rules_listed=stored`: the page listed the stored rules


def posted(form, stored_text: str) -> Posted:
    """The editor page posts which of the stored rules to drop (not every rule back, so a
    scenario with thousands of rules makes no giant form); `rules` lines replace them all."""
    dropped = set(form.getlist("drop_rule"))
    base = stored_text.splitlines() if form.get("rules_listed") == STORED else []
    return Posted(
        kept=[line for line in base if line.strip() and line not in dropped],
        new=NewRule.from_form(form),
        text=form.get("rules", "").strip(),
    )


def new_rule(body: dict, new: NewRule) -> tuple[Rule | None, list[Problem]]:
    """The picker row as a Rule, or the problems named by picker field."""
    if not (new.kind or new.course or new.term or new.skill or new.value):
        return None, []  # nothing picked: no new rule
    problems: list[Problem] = []

    def bad(name: str, message: str) -> None:
        problems.append(Problem(f"{NEW}.{name}", message))

    learners = {lr["id"]: lr for lr in body.get("learners", [])}
    courses = {c["id"] for c in body.get("courses", [])}
    terms = [t["id"] for t in body.get("terms", [])]
    skills = {s["id"] for s in body.get("skills", [])}
    if new.kind not in KINDS:
        bad("kind", "choose what the rule says")
        return None, problems
    if new.scope and new.scope not in learners:
        bad("scope", f'no learner "{new.scope}" in this scenario')
    if not new.scope and new.kind not in PROGRAM_KINDS:
        bad("scope", "choose a learner (use the fields above for every learner)")
    if not learners:
        bad("scope", "this scenario has no learners to apply a rule to")
    if problems:
        return None, problems
    rule = Rule(new.kind, new.scope)
    who = [learners[new.scope]] if new.scope else list(learners.values())
    if new.kind in COURSE_KINDS:
        if not new.course:
            bad("course", "choose a course")
        elif new.course not in courses:
            bad("course", f'no course "{new.course}" in this scenario')
        rule = Rule(new.kind, new.scope, course=new.course)
        for lr in who:
            clash = _clash(lr, new.kind, new.course)
            if clash:
                bad("course", f"{lr['id']} {clash} (remove that rule first)")
                break
    if new.kind == "pinned":
        if not new.term:
            bad("term", "choose a term")
        elif new.term not in terms:
            bad("term", f'no term "{new.term}" in this scenario')
        else:
            away = [lr["id"] for lr in who if new.term not in (lr.get("terms") or terms)]
            if away:
                bad("term", f"{', '.join(away[:3])} does not study in {new.term}")
        rule = Rule("pinned", new.scope, course=new.course, term=new.term)
    elif new.kind == "target":
        if not new.skill:
            bad("skill", "choose a skill")
        elif new.skill not in skills:
            bad("skill", f'no skill "{new.skill}" in this scenario')
        if _level(new.value) is None:
            bad("value", "choose a level 1-4")
        rule = Rule("target", new.scope, skill=new.skill, value=new.value)
    elif new.kind == "gap_mode":
        if new.value not in GAP_MODES:
            bad("value", f"choose {' or '.join(GAP_MODES)}")
        rule = Rule("gap_mode", new.scope, value=new.value)
    elif new.kind in ("learner_budget", "learner_max_credits"):
        found: list[Problem] = []
        if new.value == "":
            bad("value", "enter an amount (or none for no limit)")
        else:
            parse_amount(new.value, f"{NEW}.value", found)
        problems += found
        rule = Rule(new.kind, new.scope, value=new.value)
    return (None if problems else rule), problems


def name_learners(body: dict, problems: list[Problem]) -> list[Problem]:
    """Contract problems about `learners[i]` also name the learner (the page lists rules
    by learner id, not by position in the file)."""
    learners = body.get("learners", [])
    out = []
    for p in problems:
        m = re.match(r"learners\[(\d+)\]", p.path)
        if m and int(m.group(1)) < len(learners):
            p = Problem(p.path, f"learner {learners[int(m.group(1))]['id']}: {p.message}")
        out.append(p)
    return out


def _clash(learner: dict, kind: str, course: str) -> str | None:
    """Why the learner cannot also have this course rule, if it cannot."""
    required = course in (learner.get("required") or [])
    excluded = course in (learner.get("excluded") or [])
    pinned = course in (learner.get("pinned") or {})
    if kind == "excluded" and (required or pinned):
        return f"must already take {course}"
    if kind in ("required", "pinned") and excluded:
        return f"may already not take {course}"
    if kind == "pinned" and course in (learner.get("completed") or []):
        return f"has already completed {course}"
    return None


def with_lines(body: dict, text: str) -> dict:
    """A copy of the body with its learners' rules replaced by these lines (for checks)."""
    new = copy.deepcopy(body)
    for lr in new.get("learners", []):
        strip_rules(lr)
    apply_rules(new, text)
    return new


# -- what the page shows ----------------------------------------------------------------------
@dataclass
class Choices:
    """Picker options, from the scenario itself."""

    learners: list[tuple[str, str]]  # id, label
    courses: list[tuple[str, str]]
    terms: list[tuple[str, str]]
    skills: list[tuple[str, str]]
    kinds: list[tuple[str, str]]


def choices(body: dict) -> Choices:
    roles = {r["id"]: r.get("name") or r["id"] for r in body.get("roles", [])}

    def person(lr: dict) -> str:
        n = lr.get("count", 1)
        role = roles.get(lr.get("role") or "", "no role")
        return f"{lr['id']} — {role} ({n} {'person' if n == 1 else 'people'})"

    return Choices(
        learners=[(lr["id"], person(lr)) for lr in body.get("learners", [])],
        courses=[
            (c["id"], f"{c['id']} — {c['title']}" if c.get("title") else c["id"])
            for c in body.get("courses", [])
        ],
        terms=[
            (t["id"], f"{t['id']} ({t['season']})" if t.get("season") else t["id"])
            for t in body.get("terms", [])
        ],
        skills=[
            (s["id"], f"{s.get('name') or s['id']} ({s['id']})") for s in body.get("skills", [])
        ],
        kinds=list(KINDS.items()),
    )


def rule_from_line(line: str) -> Rule | None:
    parts = line.split(":")
    kind = parts[0]
    if kind not in KINDS or len(parts) < 3:
        return None
    if kind in ("required", "excluded") and len(parts) == 3:
        return Rule(kind, parts[1], course=parts[2])
    if kind == "pinned" and len(parts) == 4:
        return Rule(kind, parts[1], course=parts[2], term=parts[3])
    if kind == "target" and len(parts) == 4:
        return Rule(kind, parts[1], skill=parts[2], value=parts[3])
    if len(parts) == 3:
        return Rule(kind, parts[1], value=parts[2])
    return None


@dataclass
class Row:
    line: str  # what the page posts back
    who: str
    says: str
    what: str
    program_wide: bool
    dropped: bool = False  # ticked for removal in a post that was not saved


# Up to this many options in all, the pickers come with the page; beyond it (10,000
# courses) the page shows id boxes and fetches the select lists in a second request.
INLINE_MAX_OPTIONS = 1500


@dataclass
class Section:
    """The editor's rules section: every rule listed, and the pickers' options."""

    rows: list[Row]
    choices: Choices
    people: int
    total: int = 0  # every rule, listed or not

    @property
    def inline(self) -> bool:
        c = self.choices
        return len(c.learners) + len(c.courses) + len(c.skills) + len(c.terms) <= INLINE_MAX_OPTIONS


_sections: dict = {}


RULES_SHOWN = 300  # rule rows on the page unless asked for all


def section(
    session, record, text: str, show_all: bool = False, dropped: AbstractSet[str] = frozenset()
) -> Section:
    """Rows for the rule lines `text` (as saved or as just posted) of a stored scenario:
    the first RULES_SHOWN unless `show_all`; `total` counts them all."""
    key = (database_key(session), record.id, str(record.updated_at))
    found = _sections.get(key)
    if found is None:
        body = session.exec(select(ScenarioRecord.body).where(ScenarioRecord.id == record.id)).one()
        picks = choices(body)
        found = (
            picks,
            _names(body, picks),
            sum(lr.get("count", 1) for lr in body.get("learners", [])),
        )
        if len(_sections) > 32:
            _sections.clear()
        _sections[key] = found
    picks, names, people = found
    lines = [raw.strip() for raw in text.splitlines() if raw.strip() and not raw.startswith("#")]
    rows = []
    for line in lines if show_all else lines[:RULES_SHOWN]:
        rule = rule_from_line(line)
        if rule is None:
            rows.append(Row(line, "?", "unreadable rule", line, False, line in dropped))
            continue
        rows.append(_row(rule, line, names, people, line in dropped))
    return Section(rows=rows, choices=picks, people=people, total=len(lines))


def _names(body: dict, picks: Choices) -> dict:
    return {
        "learners": dict(picks.learners),
        "courses": {c["id"]: c.get("title", "") for c in body.get("courses", [])},
        "skills": {s["id"]: s.get("name", "") for s in body.get("skills", [])},
    }


def _row(rule: Rule, line: str, names: dict, people: int, dropped: bool) -> Row:
    if rule.program_wide:
        who = f"Every learner ({people} {'person' if people == 1 else 'people'})"
    else:
        who = names["learners"].get(rule.learner, rule.learner)
    if rule.kind in COURSE_KINDS:
        title = names["courses"].get(rule.course, "")
        what = f"{rule.course} — {title}" if title else rule.course
        if rule.kind == "pinned":
            what += f", in {rule.term}"
    elif rule.kind == "target":
        level = _level(rule.value)
        skill = names["skills"].get(rule.skill) or rule.skill
        what = f"{skill} at level {rule.value}" + (f" ({LEVEL_NAMES[level]})" if level else "")
    elif rule.kind == "gap_mode":
        what = "close every gap" if rule.value == "close" else "minimise the remaining gap"
    else:
        what = "no limit" if rule.value == "none" else rule.value
    return Row(line, who, SAYS[rule.kind], what, rule.program_wide, dropped)
