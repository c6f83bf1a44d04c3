"""Merge learners with identical profiles into groups, and split a group plan back.

A *profile* is everything rules 1-7 read from a learner except its id and count. Two
learners with the same profile are interchangeable: any plan valid for one is valid for the
other. Merging them into one scenario learner (count summed) is exact when nothing couples
people of the profile (no seats, no session costs, no scenario budget on anything they may
take): each person's best plan is then independent of everyone else's, so one plan for the
whole group is as good as individual plans. Under coupling a merged solve is still valid
but not a proof; `planner.solver.cohort` handles that case with plan patterns.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planner.scenario import Learner, LearnerPlan, Plan, Scenario, SectionPlan
from planner.solver.check import sections_needed

Profile = tuple[Any, ...]  # hashable: role, levels, terms, limits, staff rules


def profile_key(scenario: Scenario, learner: Learner) -> Profile:
    """A hashable, order-insensitive key of what rules 1-7 read from a learner."""
    levels = tuple(sorted((s, v) for s, v in learner.levels.items() if v > 0))
    return (
        learner.role,
        tuple(sorted((s, v) for s, v in learner.target.items() if v > 0)),
        levels,
        tuple(sorted(set(learner.completed))),
        tuple(scenario.learner_terms(learner)),
        learner.max_credits,
        learner.budget,
        scenario.gap_mode_of(learner),
        tuple(sorted(set(learner.required))),
        tuple(sorted(set(learner.excluded))),
        tuple(sorted(learner.pinned.items())),
    )


@dataclass
class Group:
    """One merged learner: `members` are (original id, count) in scenario order."""

    id: str
    profile: Profile
    unit: int  # people per member when the group is split by plan pattern
    members: list[tuple[str, int]] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(count for _, count in self.members)

    @property
    def units(self) -> int:
        return len(self.members)


@dataclass
class Grouping:
    original: Scenario
    merged: Scenario
    groups: list[Group]


def group_learners(scenario: Scenario, *, by_count: bool = True) -> Grouping:
    """Merge learners with identical profiles.

    With `by_count` (the default) learners are grouped by profile *and* count, so every
    member of a group is a unit of `unit` people. That keeps a later split by plan pattern
    exact: a scenario learner with count 5 is five people who must share one plan, so it
    can only be swapped with another learner of count 5.
    """
    index: dict[tuple[Profile, int], Group] = {}
    groups: list[Group] = []
    first_learner: dict[str, Learner] = {}
    for learner in scenario.learners:
        profile = profile_key(scenario, learner)
        key = (profile, learner.count if by_count else 0)
        group = index.get(key)
        if group is None:
            group = Group(id=learner.id, profile=profile, unit=learner.count if by_count else 1)
            index[key] = group
            groups.append(group)
            first_learner[group.id] = learner
        group.members.append((learner.id, learner.count))
    learners = [first_learner[g.id].model_copy(update={"count": g.people}) for g in groups]
    merged = scenario.model_copy(update={"learners": learners})
    return Grouping(original=scenario, merged=merged, groups=groups)


def coupled_courses(scenario: Scenario) -> set[str]:
    """Courses whose seats or session costs make one person's choice matter to another's.

    With unlimited capacity a course runs at most one section, so `max_sections` >= 1
    never binds; `max_sections` 0 forbids the course for everyone alike (no coupling).
    """
    return {
        c.id
        for c in scenario.courses
        if c.max_sections > 0 and (c.capacity is not None or c.session_cost > 0)
    }


def merge_is_exact(scenario: Scenario) -> bool:
    """True when a solve of the merged scenario is a solve of the original one.

    Conservative: any scenario budget or any coupled course counts as coupling, even if
    the profile could never take that course.
    """
    if scenario.constraints.budget is not None:
        return False
    return not coupled_courses(scenario)


def split_plan(grouping: Grouping, plan: Plan) -> Plan:
    """Give every original learner exactly its group's plan (one plan per group)."""
    by_id = {lp.id: lp for lp in plan.learners}
    assignment = {
        g.id: [(member_id, by_id[g.id]) for member_id, _ in g.members]
        for g in grouping.groups
        if g.id in by_id
    }
    return assign_plans(grouping, plan, assignment)


def assign_plans(
    grouping: Grouping, plan: Plan, assignment: dict[str, list[tuple[str, LearnerPlan]]]
) -> Plan:
    """Build the original-scenario plan from per-member plans, in scenario order.

    `assignment` maps a group id to (member id, plan) pairs. Sections are recounted from
    the per-member plans, so they are right whatever way the group was split.
    """
    if plan.status in ("INFEASIBLE", "UNKNOWN"):
        return plan
    member_plan: dict[str, LearnerPlan] = {}
    for pairs in assignment.values():
        for member_id, lp in pairs:
            member_plan[member_id] = lp.model_copy(update={"id": member_id})
    learners = [member_plan[learner.id] for learner in grouping.original.learners]
    sections = count_sections(grouping.original, learners)
    stats = dict(plan.stats)
    stats.update(groups=len(grouping.groups), learners=len(grouping.original.learners))
    return plan.model_copy(update={"learners": learners, "sections": sections, "stats": stats})


def count_sections(scenario: Scenario, learners: list[LearnerPlan]) -> list[SectionPlan]:
    """Rule 6: enrolment per course and term, and the sections it needs."""
    count = {lr.id: lr.count for lr in scenario.learners}
    enrolled: dict[tuple[str, str], int] = {}
    for lp in learners:
        for term, courses in lp.schedule.items():
            for course in courses:
                enrolled[course, term] = enrolled.get((course, term), 0) + count[lp.id]
    term_order = {t.id: i for i, t in enumerate(scenario.terms)}
    course_order = {c.id: i for i, c in enumerate(scenario.courses)}
    out = []
    for (course, term), n in sorted(
        enrolled.items(), key=lambda kv: (term_order[kv[0][1]], course_order[kv[0][0]])
    ):
        sections = sections_needed(n, scenario.course(course).capacity)
        out.append(SectionPlan(course=course, term=term, enrolled=n, sections=sections))
    return out
