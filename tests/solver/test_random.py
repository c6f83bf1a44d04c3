"""Randomised correctness: the CP-SAT solver judged by the checker, brute force and greedy.

Hundreds of seeded scenarios from planner.scenario.generate:
- every plan the solver returns passes the independent checker;
- on tiny scenarios, OPTIMAL means the brute-force lexicographic optimum, and INFEASIBLE
  means brute force finds no plan either;
- the solver is never lexicographically worse than the greedy baseline;
- for infeasible scenarios, applying the diagnosis' first fix makes them solvable.
"""

import pytest

from planner.scenario.generate import generate
from planner.solver import apply_fix, solve
from planner.solver.check import check_plan
from planner.solver.greedy import greedy_plan
from planner.solver.plan import plan_from_schedules
from tests.solver.brute import TooBig, brute_force

TINY = 300
SMALL = 60


def key(scenario, objective):
    return tuple(round(objective[name], 6) for name in scenario.objective)


def tiny(seed):
    """≤ 2 learners, ≤ 6 courses, 3 terms, with every rule switched on by turns."""
    two = seed % 2 == 1
    return generate(
        seed,
        learners=2 if two else 1,
        courses=4 if two else 6,
        terms=3,
        skills=5,
        staff_rules=seed % 2 == 0,
        capacities=seed % 3 == 0,
        groups_count=3,
        budget="tight" if seed % 5 == 0 else None,
        fractional=seed % 4 == 0,
        tight=0.3 if seed % 7 == 0 else 0.0,
    )


def assert_valid(scenario, plan):
    problems = check_plan(scenario, plan)
    assert problems == [], "\n".join(problems)


def assert_no_worse_than_greedy(scenario, plan):
    greedy = greedy_plan(scenario)
    assert greedy.status in ("FEASIBLE", "UNKNOWN")
    if greedy.status == "FEASIBLE":
        assert_valid(scenario, greedy)
        assert plan.status in ("OPTIMAL", "FEASIBLE")
        assert key(scenario, plan.objective) <= key(scenario, greedy.objective)


def assert_first_fix_solves(scenario, plan):
    diagnosis = plan.diagnosis
    assert diagnosis is not None and diagnosis.conflict
    assert diagnosis.fixes, f"no fix offered for conflict {diagnosis.conflict}"
    fixed = apply_fix(scenario, diagnosis.fixes[0])
    again = solve(fixed, time_limit_s=5, workers=2)
    assert again.status in ("OPTIMAL", "FEASIBLE"), (
        f"first fix {diagnosis.fixes[0].model_dump()} leaves {again.status}"
    )
    assert_valid(fixed, again)


@pytest.mark.parametrize("seed", range(TINY))
def test_tiny_scenarios_agree_with_brute_force(seed):
    s = tiny(seed)
    try:
        truth = brute_force(s)
    except TooBig:
        pytest.skip("too many combinations for brute force")
    plan = solve(s, time_limit_s=5, workers=2)
    assert_valid(s, plan)
    if truth.feasible:
        # brute force's own optimum must also pass the checker (the two judge each other)
        assert_valid(s, plan_from_schedules(s, truth.schedules, status="FEASIBLE"))
        assert plan.status == "OPTIMAL", f"brute force found {truth.key}, solver says {plan.status}"
        assert key(s, plan.objective) == truth.key
        assert_no_worse_than_greedy(s, plan)
    else:
        assert plan.status == "INFEASIBLE"
        assert greedy_plan(s).status == "UNKNOWN"
        assert_first_fix_solves(s, plan)


@pytest.mark.parametrize("seed", range(SMALL))
def test_small_scenarios_are_valid_and_beat_greedy(seed):
    s = generate(
        10_000 + seed,
        learners=2 + seed % 4,
        courses=12,
        terms=4,
        skills=8,
        staff_rules=seed % 3 == 0,
        capacities=seed % 2 == 0,
        groups_count=6,
        budget="tight" if seed % 4 == 0 else None,
        fractional=seed % 5 == 0,
        tight=0.2 if seed % 6 == 0 else 0.0,
    )
    plan = solve(s, time_limit_s=5, workers=2)
    assert_valid(s, plan)
    assert plan.status != "UNKNOWN"
    if plan.status == "INFEASIBLE":
        assert greedy_plan(s).status == "UNKNOWN"
        assert_first_fix_solves(s, plan)
    else:
        assert_no_worse_than_greedy(s, plan)
