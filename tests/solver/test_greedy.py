"""The greedy baseline: valid plans, hard limits respected, honest statuses."""

import pytest

from planner.scenario import parse_scenario
from planner.scenario.generate import generate
from planner.solver.check import check_plan, compute_objective
from planner.solver.greedy import greedy_plan


def small(**extra):
    data = {
        "format": "planner-scenario/1",
        "name": "greedy",
        "skills": [{"id": "sql"}, {"id": "ai"}],
        "roles": [{"id": "analyst", "requires": {"sql": 3, "ai": 2}, "weights": {"sql": 2}}],
        "terms": [{"id": "T1", "season": "fall"}, {"id": "T2", "season": "spring"}],
        "courses": [
            {"id": "BASICS", "credits": 2, "cost": 100, "teaches": {"sql": 1}},
            {
                "id": "SQL",
                "credits": 3,
                "cost": 300,
                "teaches": {"sql": 3},
                "prerequisites": ["BASICS"],
            },
            {"id": "AI", "credits": 3, "cost": 200, "teaches": {"ai": 2}},
            {"id": "CHEAP-AI", "credits": 1, "cost": 50, "teaches": {"ai": 2}},
        ],
        "learners": [{"id": "ana", "role": "analyst"}],
    }
    for key, value in extra.items():
        data[key] = value
    return parse_scenario(data)


def test_greedy_closes_the_gap_cheaply_through_a_prerequisite_chain():
    s = small()
    plan = greedy_plan(s)
    assert plan.status == "FEASIBLE"
    assert check_plan(s, plan) == []
    schedule = plan.learners[0].schedule
    # BASICS pays off through SQL (look-ahead); CHEAP-AI beats AI per unit of money.
    assert schedule == {"T1": ["BASICS", "CHEAP-AI"], "T2": ["SQL"]}
    assert plan.objective == compute_objective(s, plan)
    assert plan.objective["gap"] == 0 and plan.objective["cost"] == 450
    assert plan.stats["solver"] == "greedy"
    assert set(plan.learners[0].reasons) == {"CHEAP-AI", "BASICS", "SQL"}


def test_greedy_respects_the_learner_budget():
    s = small(learners=[{"id": "ana", "role": "analyst", "budget": 200}])
    plan = greedy_plan(s)
    assert plan.status == "FEASIBLE" and check_plan(s, plan) == []
    assert plan.learners[0].cost <= 200
    assert plan.objective["gap"] > 0  # could not afford SQL


def test_greedy_respects_seats_and_the_scenario_budget_with_session_costs():
    courses = [
        {
            "id": "AI",
            "credits": 3,
            "cost": 100,
            "teaches": {"ai": 2},
            "capacity": 2,
            "max_sections": 1,
            "session_cost": 500,
        },
        {"id": "AI2", "credits": 3, "cost": 400, "teaches": {"ai": 2}},
    ]
    learners = [{"id": f"p{i}", "target": {"ai": 2}, "count": 1} for i in range(4)]
    s = small(courses=courses, learners=learners, constraints={"budget": 2000})
    plan = greedy_plan(s)
    assert plan.status == "FEASIBLE" and check_plan(s, plan) == []
    for section in plan.sections:
        assert section.sections <= s.course(section.course).max_sections
    assert plan.objective["cost"] <= 2000


def test_greedy_reports_unknown_not_infeasible_when_it_cannot_close_a_gap():
    s = small(learners=[{"id": "ana", "role": "analyst", "gap_mode": "close", "budget": 100}])
    plan = greedy_plan(s)
    assert plan.status == "UNKNOWN"
    assert plan.objective is None and plan.learners == [] and plan.sections == []
    assert any("must close its gap" in p for p in plan.stats["problems"])
    assert check_plan(s, plan) == []


def test_greedy_schedules_pinned_and_required_courses():
    s = small(
        learners=[
            {
                "id": "ana",
                "role": "analyst",
                "required": ["AI"],
                "pinned": {"BASICS": "T2"},
                "excluded": ["CHEAP-AI"],
            }
        ]
    )
    plan = greedy_plan(s)
    assert plan.status == "FEASIBLE" and check_plan(s, plan) == []
    schedule = plan.learners[0].schedule
    assert "BASICS" in schedule["T2"] and "AI" in schedule["T1"] + schedule["T2"]
    assert "CHEAP-AI" not in schedule["T1"] + schedule["T2"]


def test_greedy_tops_up_term_minimum_credits():
    terms = [{"id": "T1", "season": "fall", "min_credits": 3}, {"id": "T2", "season": "spring"}]
    plan = greedy_plan(s := small(terms=terms))
    assert plan.status == "FEASIBLE" and check_plan(s, plan) == []
    assert sum(s.course(c).credits for c in plan.learners[0].schedule["T1"]) >= 3


@pytest.mark.parametrize("seed", range(60))
def test_greedy_plans_on_generated_scenarios_are_valid_or_unknown(seed):
    s = generate(
        seed,
        learners=1 + seed % 4,
        courses=12,
        terms=4,
        staff_rules=seed % 2 == 0,
        capacities=seed % 3 == 0,
        groups_count=5,
        budget="tight" if seed % 5 == 0 else None,
        fractional=seed % 4 == 1,
    )
    plan = greedy_plan(s)
    assert plan.status in ("FEASIBLE", "UNKNOWN")
    assert check_plan(s, plan) == []
