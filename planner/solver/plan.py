"""A plan file from schedules: what every solver (CP-SAT, greedy, patterns) hands back.

The numbers are recomputed exactly from the schedules (objective.evaluate, rule 8), so a
plan reports the same values whichever solver chose its courses.
"""

from collections.abc import Mapping

from planner.scenario import LearnerPlan, Plan, Scenario
from planner.scenario.models import ObjectiveName, Status
from planner.solver.explain import reasons_for
from planner.solver.objective import evaluate

Schedules = Mapping[str, Mapping[str, list[str]]]  # learner -> term -> courses


def plan_from_schedules(
    scenario: Scenario,
    schedules: Schedules,
    *,
    status: Status = "FEASIBLE",
    reasons: Mapping[str, Mapping[str, str]] | None = None,
    stats: dict[str, object] | None = None,
) -> Plan:
    """A complete plan (levels, gaps, money, sections, objective) for every learner's
    schedule over its own terms; `reasons` (learner -> course -> why) where the caller
    knows them, else explain.reasons_for's."""
    result = evaluate(scenario, schedules)
    learners = []
    for learner in scenario.learners:
        given = schedules[learner.id]
        schedule = {t: list(given.get(t, [])) for t in scenario.learner_terms(learner)}
        detail = result.learners[learner.id]
        if reasons is not None and learner.id in reasons:
            why = reasons[learner.id]
            said = {c: why.get(c, "chosen") for courses in schedule.values() for c in courses}
        else:
            said = reasons_for(scenario, learner, schedule)
        learners.append(
            LearnerPlan(
                id=learner.id,
                schedule=schedule,
                final_levels=detail.final_levels,
                gaps=detail.gaps,
                cost=detail.cost,
                credits=detail.credits,
                reasons=said,
            )
        )
    return Plan(
        scenario=scenario.name,
        status=status,
        objective=result.objective,
        learners=learners,
        sections=result.sections,
        stats=dict(stats or {}),
    )


def values_of(plan: Plan) -> dict[ObjectiveName, float]:
    """The objective of a plan that has schedules (every such plan reports one)."""
    assert plan.objective is not None
    return plan.objective
