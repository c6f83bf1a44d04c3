"""Plan patterns: one person's complete plan and its objective components, and the
courses a pattern of a learner ever needs to consider."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.scenario import Learner, Scenario

EPS = 1e-6


@dataclass(frozen=True)
class Pattern:
    """One person's plan: (course, term) pairs and its per-person objective components."""

    takes: tuple[tuple[str, str], ...]
    gap: float
    cost: float
    credits: float
    lateness: int

    def comp(self, name: str) -> float:
        """The component `name` (an objective component) of this pattern."""
        value: float = getattr(self, name)
        return value


def evaluate_pattern(
    scenario: Scenario, learner: Learner, takes: Sequence[tuple[str, str]]
) -> Pattern:
    term_pos = {t.id: i for i, t in enumerate(scenario.terms)}
    level = scenario.start_levels(learner)
    cost = credits = 0.0
    lateness = 0
    for cid, tid in takes:
        course = scenario.course(cid)
        cost += course.cost
        credits += course.credits
        lateness += term_pos[tid]
        for skill, lv in course.teaches.items():
            level[skill] = max(level.get(skill, 0), lv)
    gap = sum(
        w * max(0, need - level.get(s, 0)) for s, (need, w) in scenario.needs(learner).items()
    )
    ordered = tuple(sorted(takes, key=lambda ct: (term_pos[ct[1]], ct[0])))
    return Pattern(ordered, gap, cost, credits, lateness)


def relevant_courses(scenario: Scenario, learner: Learner) -> list[str]:
    """Courses some optimal plan of this learner may take.

    When no term of the learner has a credit minimum, a course that raises no needed skill
    and enables no such course only adds cost, credits, lateness and seat use; dropping it
    from any plan keeps the plan valid and no worse on every objective component and every
    price, so patterns never need it. With a credit minimum anything may fill the term.
    """
    terms = {t.id: t for t in scenario.terms}
    completed = set(learner.completed)
    usable = [
        c
        for c in scenario.courses
        if c.id not in completed and c.id not in learner.excluded and c.max_sections > 0
    ]
    if any(terms[t].min_credits > 0 for t in scenario.learner_terms(learner)):
        return [c.id for c in usable]
    start = scenario.start_levels(learner)
    needs = scenario.needs(learner)
    by_id = {c.id: c for c in usable}
    keep = {
        c.id
        for c in usable
        if any(
            lv > start.get(s, 0) and s in needs and needs[s][0] > start.get(s, 0)
            for s, lv in c.teaches.items()
        )
    }
    keep |= {c for c in learner.required if c in by_id} | {c for c in learner.pinned if c in by_id}
    frontier = list(keep)
    while frontier:
        course = by_id[frontier.pop()]
        more = set(course.prerequisites) | {p for g in course.prerequisites_any for p in g}
        for skill, lv in course.requires_skills.items():
            if start.get(skill, 0) < lv:
                more |= {c.id for c in usable if c.teaches.get(skill, 0) >= lv}
        for cid in more:
            if cid in by_id and cid not in keep:
                keep.add(cid)
                frontier.append(cid)
    return [c.id for c in usable if c.id in keep]
