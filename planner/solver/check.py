"""Independent plan checker: re-validates a plan against scenario-format.md, rules 1-8.

Written straight from the contract text, without the CP-SAT model, so that it can judge the
solver. `check_plan` lists every violation in plain English; `compute_objective` recomputes
the four objective components. `evaluate` is the shared arithmetic (levels, gaps, money,
seats) that the greedy baseline and the brute-force tests reuse.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from planner.scenario.errors import problems_from
from planner.scenario.models import (
    OBJECTIVE_NAMES,
    PLAN_FORMAT,
    Course,
    Diagnosis,
    Learner,
    Plan,
    Scenario,
    Term,
)
from planner.solver.labels import RULES, kind_of, parse_label

TOL = 1e-6
STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN")

Schedule = Mapping[str, list[str]]  # term -> courses
Schedules = Mapping[str, Schedule]  # learner -> term -> courses


def close(a: float, b: float) -> bool:
    """Equal within 1e-6 (relative for large sums of money)."""
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def at_most(a: float, b: float) -> bool:
    return a <= b + TOL * max(1.0, abs(b))


def num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


# --------------------------------------------------------------------------- evaluation


@dataclass
class LearnerOutcome:
    levels_before: dict[str, dict[str, int]]  # term -> levels at the start of that term
    final_levels: dict[str, int]
    gaps: dict[str, int]  # only > 0
    gap: float  # weighted, per person
    cost: float  # per person
    credits: float  # per person
    lateness: int  # per person
    term_credits: dict[str, float]


@dataclass
class Evaluation:
    learners: dict[str, LearnerOutcome] = field(default_factory=dict)
    enrolled: dict[tuple[str, str], int] = field(default_factory=dict)
    sections: dict[tuple[str, str], int] = field(default_factory=dict)
    session_cost: float = 0.0
    objective: dict[str, float] = field(default_factory=dict)


def sections_needed(enrolled: int, capacity: int | None) -> int:
    """Rule 6: 0 when nobody enrols, else ceil(enrolled / capacity), 1 if unlimited."""
    if enrolled <= 0:
        return 0
    return 1 if capacity is None else math.ceil(enrolled / capacity)


def evaluate(scenario: Scenario, schedules: Schedules) -> Evaluation:
    """Levels, gaps, money, seats and objective of the given schedules.

    Unknown learners, terms and courses are skipped (check_plan reports them); courses are
    applied in the scenario's term order whatever order the schedule lists its terms in.
    """
    courses = {c.id: c for c in scenario.courses}
    term_pos = {t.id: i for i, t in enumerate(scenario.terms)}
    result = Evaluation()
    people = {}
    for learner in scenario.learners:
        schedule = schedules.get(learner.id)
        if schedule is None:
            continue
        people[learner.id] = learner.count
        level = scenario.start_levels(learner)
        before: dict[str, dict[str, int]] = {}
        term_credits: dict[str, float] = {}
        cost = credits = 0.0
        lateness = 0
        for term in scenario.terms:
            before[term.id] = dict(level)
            taken = [courses[c] for c in schedule.get(term.id, []) or [] if c in courses]
            term_credits[term.id] = sum(c.credits for c in taken)
            for course in taken:
                cost += course.cost
                credits += course.credits
                lateness += term_pos[term.id]
                key = (course.id, term.id)
                result.enrolled[key] = result.enrolled.get(key, 0) + learner.count
                for skill, lv in course.teaches.items():
                    level[skill] = max(level.get(skill, 0), lv)
        gaps = {}
        gap = 0.0
        for skill, (need, weight) in scenario.needs(learner).items():
            short = need - level.get(skill, 0)
            if short > 0:
                gaps[skill] = short
                gap += weight * short
        result.learners[learner.id] = LearnerOutcome(
            levels_before=before,
            final_levels={s: v for s, v in level.items() if v > 0},
            gaps=gaps,
            gap=gap,
            cost=cost,
            credits=credits,
            lateness=lateness,
            term_credits=term_credits,
        )
    for (course_id, term_id), enrolled in result.enrolled.items():
        course = courses[course_id]
        n = sections_needed(enrolled, course.capacity)
        result.sections[(course_id, term_id)] = n
        result.session_cost += n * course.session_cost
    out: dict[str, float] = {name: 0.0 for name in OBJECTIVE_NAMES}
    for lid, o in result.learners.items():
        k = people[lid]
        out["gap"] += k * o.gap
        out["cost"] += k * o.cost
        out["credits"] += k * o.credits
        out["lateness"] += float(k * o.lateness)
    out["cost"] += result.session_cost
    result.objective = out
    return result


def schedules_of(plan: Plan) -> dict[str, dict[str, list[str]]]:
    """learner -> term -> courses; a learner listed twice keeps its first entry."""
    out: dict[str, dict[str, list[str]]] = {}
    for lp in plan.learners:
        out.setdefault(lp.id, lp.schedule)
    return out


def compute_objective(scenario: Scenario, plan: Plan) -> dict[str, float]:
    """Rule 8 recomputed from the plan's schedules (all four components, as floats)."""
    return evaluate(scenario, schedules_of(plan)).objective


# --------------------------------------------------------------------------- the checker


def check_plan(scenario: Scenario, plan: Plan | Mapping[str, Any]) -> list[str]:
    """Every violation of rules 1-8 and of the plan format; empty when the plan is valid.
    A plan given as a mapping (a parsed plan file) is validated first."""
    try:
        checked = plan if isinstance(plan, Plan) else Plan.model_validate(plan)
    except ValidationError as exc:
        return [
            f"plan is malformed at {p.path or 'top level'}: {p.message}" for p in problems_from(exc)
        ]
    try:
        return list(_violations(scenario, checked))
    except Exception as exc:  # a checker must report, never crash
        return [f"plan could not be checked: {type(exc).__name__}: {exc}"]


def _violations(s: Scenario, plan: Plan) -> Iterator[str]:
    if plan.format != PLAN_FORMAT:
        yield f'plan format is "{plan.format}", expected "{PLAN_FORMAT}"'
    if plan.status not in STATUSES:
        yield f'unknown status "{plan.status}"'
    if plan.scenario != s.name:
        yield f"plan names scenario {plan.scenario!r} but the scenario is {s.name!r}"
    if plan.status in ("INFEASIBLE", "UNKNOWN"):
        yield from _no_plan_shape(s, plan)
        return
    if plan.diagnosis is not None:
        yield f"status {plan.status} but a diagnosis is given"
    yield from _learner_entries(s, plan)
    schedules = schedules_of(plan)
    ev = evaluate(s, schedules)
    for learner in s.learners:
        schedule = schedules.get(learner.id)
        if schedule is None:
            continue
        yield from _schedule_shape(s, learner, schedule)
        yield from _taking_rules(s, learner, schedule, ev.learners[learner.id])
        yield from _credit_rules(s, learner, ev.learners[learner.id])
        yield from _learner_money(learner, ev.learners[learner.id])
        yield from _staff_rules(s, learner, schedule, ev.learners[learner.id])
    yield from _scenario_budget(s, ev)
    yield from _seats(s, ev)
    yield from _objective_and_bound(s, plan, ev)
    yield from _learner_reports(s, plan, ev)
    yield from _section_entries(s, plan, ev)


# ---- statuses without a plan


def _no_plan_shape(s: Scenario, plan: Plan) -> Iterator[str]:
    if plan.objective is not None:
        yield f"status {plan.status} but objective is not null"
    if plan.learners:
        yield f"status {plan.status} but learners is not empty"
    if plan.sections:
        yield f"status {plan.status} but sections is not empty"
    if plan.status == "INFEASIBLE":
        if plan.diagnosis is None:
            yield "status INFEASIBLE but no diagnosis"
        else:
            yield from _diagnosis(s, plan.diagnosis)


def _diagnosis(s: Scenario, diagnosis: Diagnosis) -> Iterator[str]:
    if not diagnosis.conflict:
        yield "diagnosis conflict is empty"
    for label in diagnosis.conflict:
        for problem in label_problems(s, label):
            yield f'diagnosis conflict label "{label}": {problem}'
    conflict = set(diagnosis.conflict)
    for i, fix in enumerate(diagnosis.fixes):
        if not fix.changes:
            yield f"diagnosis fix {i + 1} has no changes"
        if not any(ch.relax in conflict for ch in fix.changes):
            yield f"diagnosis fix {i + 1} changes no label of the conflict"
        for ch in fix.changes:
            for problem in label_problems(s, ch.relax):
                yield f'diagnosis fix {i + 1} label "{ch.relax}": {problem}'
            for problem in _change_value_problems(s, ch.relax, ch.to):
                yield f'diagnosis fix {i + 1} change of "{ch.relax}": {problem}'


def label_problems(s: Scenario, label: str) -> list[str]:
    """Why a rule label is not one of the contract's labels for a rule of this scenario."""
    kind, ids = parse_label(label)
    rule = RULES.get(kind)
    if rule is None:
        return [f'unknown rule kind "{kind}"']
    if len(ids) != len(rule.names):
        return [f"expected {len(rule.names)} id(s) after {kind}, got {len(ids)}"]
    known: dict[str, dict[str, Term | Learner | Course]] = {
        "term": {t.id: t for t in s.terms},
        "learner": {x.id: x for x in s.learners},
        "course": {c.id: c for c in s.courses},
    }
    found: dict[str, Term | Learner | Course] = {}
    for what, ident in zip(rule.names, ids, strict=True):
        if ident not in known[what]:
            return [f'unknown {what} "{ident}"']
        found[what] = known[what][ident]
    if not _states(s, kind, found):
        return ["the scenario has no such rule"]
    return []


def _states(s: Scenario, kind: str, found: Mapping[str, Term | Learner | Course]) -> bool:
    """Does the scenario state the rule of `kind` about what the label names (a label
    can name a limit that is not set, or a course that is not required)?"""
    term, learner, course = found.get("term"), found.get("learner"), found.get("course")
    match kind:
        case "budget":
            return s.constraints.budget is not None
        case "term_max_credits" if isinstance(term, Term):
            return term.max_credits is not None
        case "term_min_credits" if isinstance(term, Term):
            return bool(term.min_credits)
        case "learner_max_credits" if isinstance(learner, Learner):
            return learner.max_credits is not None
        case "learner_budget" if isinstance(learner, Learner):
            return learner.budget is not None
        case "gap_closed" if isinstance(learner, Learner):
            return s.gap_mode_of(learner) == "close"
        case "required" | "excluded" | "pinned" if isinstance(course, Course):
            return course.id in getattr(learner, kind)
        case "offered" if isinstance(course, Course):
            return course.offered is not None
        case "prerequisites" if isinstance(course, Course):
            return bool(course.prerequisites or course.prerequisites_any or course.requires_skills)
    return True  # every course has a section limit, every learner its terms


def _change_value_problems(s: Scenario, label: str, to: float | str | None) -> list[str]:
    rule = RULES.get(kind_of(label))
    if rule is None or to is None:
        return []
    terms = {t.id for t in s.terms}
    if rule.to == "number":
        if isinstance(to, str) or to < 0:
            return [f"`to` must be a number ≥ 0, got {to!r}"]
    elif rule.to == "count":
        if isinstance(to, str) or to < 0 or float(to) != int(to):
            return [f"`to` must be an integer ≥ 0, got {to!r}"]
    elif rule.to == "term":
        if to not in terms:
            return [f"`to` must be a term id, got {to!r}"]
    elif rule.to == "term or season":
        seasons = {t.season for t in s.terms if t.season}
        if to not in terms | seasons:
            return [f"`to` must be a term id or season, got {to!r}"]
    else:
        return [f"`to` must be null for {rule.kind}, got {to!r}"]
    return []


# ---- learners and schedules


def _learner_entries(s: Scenario, plan: Plan) -> Iterator[str]:
    known = {x.id for x in s.learners}
    seen: dict[str, int] = {}
    for lp in plan.learners:
        seen[lp.id] = seen.get(lp.id, 0) + 1
        if lp.id not in known:
            yield f'plan has a learner "{lp.id}" that is not in the scenario'
    for lid, n in seen.items():
        if n > 1 and lid in known:
            yield f'learner "{lid}" appears {n} times in the plan'
    for learner in s.learners:
        if learner.id not in seen:
            yield f'learner "{learner.id}" is missing from the plan'


def _schedule_shape(s: Scenario, learner: Learner, schedule: Schedule) -> Iterator[str]:
    own = s.learner_terms(learner)
    all_terms = {t.id for t in s.terms}
    courses = {c.id for c in s.courses}
    who = f'learner "{learner.id}"'
    for term_id in schedule:
        if term_id not in all_terms:
            yield f'{who}: schedule has unknown term "{term_id}"'
        elif term_id not in own:
            yield f'{who}: schedule has term "{term_id}", which is not one of its terms'
    for term_id in own:
        if term_id not in schedule:
            yield f'{who}: schedule has no entry for its term "{term_id}"'
    for term_id, listed in schedule.items():
        for course_id in listed:
            if course_id not in courses:
                yield f'{who}: unknown course "{course_id}" in term "{term_id}"'


def _taking_rules(
    s: Scenario, learner: Learner, schedule: Schedule, outcome: LearnerOutcome
) -> Iterator[str]:
    """Rule 3, for every course the schedule lists."""
    who = f'learner "{learner.id}"'
    courses = {c.id: c for c in s.courses}
    terms = {t.id: t for t in s.terms}
    pos = {t.id: i for i, t in enumerate(s.terms)}
    completed = set(learner.completed)
    taken_at: dict[str, list[str]] = {}
    for term_id in sorted((t for t in schedule if t in pos), key=pos.__getitem__):
        for course_id in schedule[term_id]:
            if course_id in courses:
                taken_at.setdefault(course_id, []).append(term_id)
    for course_id, when in taken_at.items():
        if len(when) > 1:
            yield f'{who} takes course "{course_id}" {len(when)} times ({", ".join(when)})'
    for course_id, when in taken_at.items():
        course = courses[course_id]
        for term_id in when:
            at = f'{who}: course "{course_id}" in term "{term_id}"'
            if not s.is_offered(course, terms[term_id]):
                yield f"{at} is not offered then"
            if course_id in completed:
                yield f"{at} was already completed"

            def done_before(pre: str, term_id: str = term_id) -> bool:
                return pre in completed or any(pos[t] < pos[term_id] for t in taken_at.get(pre, []))

            for pre in course.prerequisites:
                if not done_before(pre):
                    yield f'{at} lacks prerequisite "{pre}" (completed or taken in an earlier term)'
            for group in course.prerequisites_any:
                if not any(done_before(pre) for pre in group):
                    yield f"{at} lacks one of the prerequisites {' / '.join(group)}"
            level = outcome.levels_before[term_id]
            for skill, need in course.requires_skills.items():
                have = level.get(skill, 0)
                if have < need:
                    yield (
                        f'{at} requires skill "{skill}" at level {need} but the learner has '
                        f"{have} at the start of that term"
                    )


def _credit_rules(s: Scenario, learner: Learner, outcome: LearnerOutcome) -> Iterator[str]:
    """Rule 4: in every term of the learner's terms, also an empty one."""
    terms = {t.id: t for t in s.terms}
    for term_id in s.learner_terms(learner):
        term = terms[term_id]
        got = outcome.term_credits.get(term_id, 0.0)
        caps = [x for x in (term.max_credits, learner.max_credits) if x is not None]
        at = f'learner "{learner.id}" in term "{term_id}"'
        if not at_most(term.min_credits, got):
            yield f"{at} takes {num(got)} credits, below the term minimum {num(term.min_credits)}"
        if caps and not at_most(got, min(caps)):
            yield f"{at} takes {num(got)} credits, above the maximum {num(min(caps))}"


def _learner_money(learner: Learner, outcome: LearnerOutcome) -> Iterator[str]:
    if learner.budget is not None and not at_most(outcome.cost, learner.budget):
        yield (
            f'learner "{learner.id}" courses cost {num(outcome.cost)} per person, over its '
            f"budget {num(learner.budget)}"
        )


def _staff_rules(
    s: Scenario, learner: Learner, schedule: Schedule, outcome: LearnerOutcome
) -> Iterator[str]:
    """Rule 7."""
    who = f'learner "{learner.id}"'
    where: dict[str, set[str]] = {}
    for term_id, listed in schedule.items():
        for course_id in listed:
            where.setdefault(course_id, set()).add(term_id)
    for course_id in learner.required:
        if course_id not in where and course_id not in learner.completed:
            yield f'{who} does not take required course "{course_id}"'
    for course_id in learner.excluded:
        if course_id in where:
            yield f'{who} takes excluded course "{course_id}"'
    for course_id, term_id in learner.pinned.items():
        if where.get(course_id) != {term_id}:
            got = ", ".join(sorted(where.get(course_id, ()))) or "never"
            yield f'{who}: pinned course "{course_id}" must be taken in "{term_id}" (taken: {got})'
    if s.gap_mode_of(learner) == "close" and outcome.gaps:
        left = ", ".join(f"{k} by {v}" for k, v in sorted(outcome.gaps.items()))
        yield f"{who} must close its gap (gap_mode close) but falls short: {left}"


def _scenario_budget(s: Scenario, ev: Evaluation) -> Iterator[str]:
    budget = s.constraints.budget
    if budget is not None and not at_most(ev.objective["cost"], budget):
        yield (
            f"total cost {num(ev.objective['cost'])} (courses × count + session costs) is over "
            f"the scenario budget {num(budget)}"
        )


def _seats(s: Scenario, ev: Evaluation) -> Iterator[str]:
    for (course_id, term_id), n in sorted(ev.sections.items()):
        limit = s.course(course_id).max_sections
        if n > limit:
            yield (
                f'course "{course_id}" in term "{term_id}": {ev.enrolled[(course_id, term_id)]} '
                f"enrolled need {n} section(s), more than max_sections {limit}"
            )


# ---- reported numbers


def _objective_and_bound(s: Scenario, plan: Plan, ev: Evaluation) -> Iterator[str]:
    if plan.objective is None:
        yield f"status {plan.status} but objective is null"
    else:
        for name in OBJECTIVE_NAMES:
            if name not in plan.objective:
                yield f'objective lacks component "{name}"'
            elif not close(plan.objective[name], ev.objective[name]):
                yield (
                    f"objective {name} is {num(plan.objective[name])} but the plan's schedules "
                    f"give {num(ev.objective[name])}"
                )
    for name, value in (plan.bound or {}).items():
        actual = ev.objective[name]
        if not at_most(value, actual):
            yield f"bound {name} {num(value)} is above the plan's own value {num(actual)}"
        elif plan.status == "OPTIMAL" and name in s.objective and not close(value, actual):
            yield f"status OPTIMAL but bound {name} {num(value)} differs from {num(actual)}"


def _learner_reports(s: Scenario, plan: Plan, ev: Evaluation) -> Iterator[str]:
    known = {x.id for x in s.learners}
    skills = {k.id for k in s.skills}
    done: set[str] = set()
    for lp in plan.learners:
        if lp.id not in known or lp.id in done:
            continue
        done.add(lp.id)
        o = ev.learners[lp.id]
        who = f'learner "{lp.id}"'
        for skill in sorted(set(lp.final_levels) | set(o.final_levels)):
            if skill not in skills:
                yield f'{who}: final_levels names unknown skill "{skill}"'
                continue
            level, want = lp.final_levels.get(skill, 0), o.final_levels.get(skill, 0)
            if level == want == 0:
                yield f'{who}: final_levels lists "{skill}" at level 0 (only levels > 0 are listed)'
            elif level != want:
                yield f'{who}: final level of "{skill}" reported {level}, actually {want}'
        for skill in sorted(set(lp.gaps) | set(o.gaps)):
            got, want = lp.gaps.get(skill), o.gaps.get(skill, 0)
            if got is None:
                yield f'{who}: gaps omits "{skill}" (gap {want})'
            elif want == 0 and skill not in skills:
                yield f'{who}: gaps names unknown skill "{skill}"'
            elif got == want == 0:
                yield f'{who}: gaps lists "{skill}" with gap 0 (only gaps > 0 are listed)'
            elif got != want:
                yield f'{who}: gap of "{skill}" reported {got}, actually {want}'
        if not close(lp.cost, o.cost):
            yield f"{who}: cost reported {num(lp.cost)}, actually {num(o.cost)} per person"
        if not close(lp.credits, o.credits):
            yield f"{who}: credits reported {num(lp.credits)}, actually {num(o.credits)}"
        taken = {c for listed in lp.schedule.values() for c in listed}
        for course_id in sorted(taken - set(lp.reasons)):
            yield f'{who}: no reason given for course "{course_id}"'
        for course_id in sorted(set(lp.reasons) - taken):
            yield f'{who}: reason given for course "{course_id}", which it does not take'
        for course_id, text in lp.reasons.items():
            if course_id in taken and not str(text).strip():
                yield f'{who}: empty reason for course "{course_id}"'


def _section_entries(s: Scenario, plan: Plan, ev: Evaluation) -> Iterator[str]:
    seen: set[tuple[str, str]] = set()
    for sp in plan.sections:
        key = (sp.course, sp.term)
        at = f'sections entry for course "{sp.course}" in term "{sp.term}"'
        if key in seen:
            yield f"{at} is listed twice"
            continue
        seen.add(key)
        if key not in ev.enrolled:
            yield f"{at}, where nobody enrols"
            continue
        if sp.enrolled != ev.enrolled[key]:
            yield f"{at}: enrolled reported {sp.enrolled}, actually {ev.enrolled[key]}"
        if sp.sections != ev.sections[key]:
            yield f"{at}: sections reported {sp.sections}, actually {ev.sections[key]}"
    for course_id, term_id in sorted(set(ev.enrolled) - seen):
        yield f'sections has no entry for course "{course_id}" in term "{term_id}"'
