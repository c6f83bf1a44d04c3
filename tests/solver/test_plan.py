"""A plan file from schedules (planner/solver/plan.py): the one builder every solver uses."""

from planner.solver.check import check_plan
from planner.solver.plan import plan_from_schedules, values_of


def test_a_plan_from_schedules_is_valid_and_exact(scenario_factory):
    s = scenario_factory(
        courses=[
            {
                "id": "A",
                "teaches": {"x": 1},
                "cost": 0.1,
                "capacity": 1,
                "max_sections": 2,
                "session_cost": 0.2,
            },
            {"id": "B", "teaches": {"x": 2}, "cost": 0.2, "prerequisites": ["A"]},
        ],
        learners=[{"id": "l1", "target": {"x": 2}, "count": 2}],
    )
    plan = plan_from_schedules(s, {"l1": {"T1": ["A"], "T2": ["B"]}})
    assert check_plan(s, plan) == []
    assert plan.status == "FEASIBLE" and plan.learners[0].schedule["T3"] == []
    # exact decimals: 2 × (0.1 + 0.2) + 2 sections × 0.2, not a float sum's 1.0000000000000002
    assert values_of(plan) == {"gap": 0.0, "cost": 1.0, "credits": 12.0, "lateness": 2.0}
    assert [(sp.course, sp.sections) for sp in plan.sections] == [("A", 2), ("B", 1)]
    assert plan.learners[0].reasons["A"].startswith("raises x")  # explain.reasons_for


def test_given_reasons_are_kept(scenario_factory):
    s = scenario_factory(courses=[{"id": "A", "teaches": {"x": 1}}])
    plan = plan_from_schedules(
        s, {"l1": {"T1": ["A"]}}, status="OPTIMAL", reasons={"l1": {"A": "because"}}
    )
    assert plan.status == "OPTIMAL" and plan.learners[0].reasons == {"A": "because"}
