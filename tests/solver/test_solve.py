"""The staged lexicographic solve: objectives, statuses, bounds, progress, stop."""

import threading

from planner.solver import solve
from planner.solver.check import check_plan
from tests.fixtures.scenarios import hard_scenario

COURSES = [
    {"id": "Fast", "cost": 900, "credits": 2, "teaches": {"x": 3}},
    {"id": "Slow1", "cost": 100, "credits": 3, "teaches": {"x": 2}},
    {"id": "Slow2", "cost": 100, "credits": 3, "teaches": {"x": 3}, "prerequisites": ["Slow1"]},
]


def test_gap_first_then_cost(scenario_factory, solve_ok):
    s = scenario_factory(courses=COURSES, learners=[{"id": "l1", "target": {"x": 3}}])
    plan = solve_ok(s)
    assert plan.status == "OPTIMAL"
    assert plan.objective == {"gap": 0, "cost": 200, "credits": 6, "lateness": 1}
    assert plan.bound == plan.objective


def test_changing_the_order_changes_the_plan(scenario_factory, solve_ok):
    base = {"courses": COURSES, "learners": [{"id": "l1", "target": {"x": 3}}]}
    by_credits = solve_ok(scenario_factory(objective=["gap", "credits", "cost"], **base))
    taken = [c for courses in by_credits.learners[0].schedule.values() for c in courses]
    assert taken == ["Fast"]
    by_cost_only = solve_ok(scenario_factory(objective=["cost"], **base))
    assert by_cost_only.objective["cost"] == 0 and by_cost_only.objective["gap"] == 3
    assert by_cost_only.bound == {"cost": 0}  # components not optimised are left out


def test_empty_objective_gives_any_valid_plan(scenario_factory, solve_ok):
    s = scenario_factory(courses=COURSES, objective=[], learners=[{"id": "l1"}])
    plan = solve_ok(s)
    assert plan.status == "OPTIMAL" and set(plan.objective) == {
        "gap",
        "cost",
        "credits",
        "lateness",
    }


def test_lateness_prefers_early_terms(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "teaches": {"x": 1}}],
        learners=[{"id": "l1", "target": {"x": 1}, "count": 3}],
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule["T1"] == ["A"] and plan.objective["lateness"] == 0


def test_fractional_numbers_are_exact(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=[{"id": "T1", "max_credits": 4.5}],
        roles=[{"id": "r", "requires": {"x": 2, "y": 2}, "weights": {"x": 0.5, "y": 0.25}}],
        courses=[
            {"id": "A", "credits": 1.5, "cost": 99.99, "teaches": {"x": 2}},
            {"id": "B", "credits": 3.1, "cost": 0.01, "teaches": {"y": 2}},
        ],
        learners=[{"id": "l1", "role": "r", "count": 3}],
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule["T1"] == ["A"]  # 1.5 + 3.1 > 4.5
    assert plan.objective == {"gap": 1.5, "cost": 299.97, "credits": 4.5, "lateness": 0}
    assert plan.learners[0].cost == 99.99


def test_utf8_ids(scenario_factory, solve_ok):
    s = scenario_factory(
        name="营销 AI 2027",
        terms=["第一学期"],
        courses=[{"id": "数据分析", "teaches": {"数据.sql": 2}}],
        learners=[{"id": "李娜", "target": {"数据.sql": 2}}],
    )
    plan = solve_ok(s)
    assert plan.scenario == "营销 AI 2027"
    assert plan.learners[0].schedule == {"第一学期": ["数据分析"]}


def hard():
    return hard_scenario(objective=["gap", "cost", "credits"])


def test_tiny_time_limit_claims_optimal_only_when_proven():
    s = hard()
    plan = solve(s, time_limit_s=0.05, workers=1)
    assert check_plan(s, plan) == []
    if plan.status == "OPTIMAL":  # a quiet machine sometimes proves it that fast
        assert plan.objective == solve(s, time_limit_s=60, workers=2).objective
        return
    assert plan.status in ("FEASIBLE", "UNKNOWN")
    if plan.status == "FEASIBLE":
        for name, value in plan.bound.items():
            assert value <= plan.objective[name] + 1e-9


def test_progress_reports_and_stop_returns_promptly():
    s = hard()
    stop = threading.Event()
    seen = []

    def progress(info):
        seen.append(info)
        stop.set()  # cancel as soon as anything is reported

    plan = solve(s, time_limit_s=30, workers=2, progress=progress, stop=stop)
    assert plan.stats["solve_time_s"] < 5
    assert plan.status in ("FEASIBLE", "UNKNOWN", "OPTIMAL")
    assert seen and {"stage", "objective", "bound", "elapsed_s"} <= set(seen[0])
    assert check_plan(s, plan) == []


def test_stop_set_before_start_gives_unknown(scenario_factory):
    stop = threading.Event()
    stop.set()
    plan = solve(scenario_factory(courses=COURSES), stop=stop)
    assert plan.status == "UNKNOWN" and plan.objective is None and plan.learners == []


def test_stats_and_plan_shape(scenario_factory, solve_ok):
    s = scenario_factory(courses=COURSES, learners=[{"id": "l1", "target": {"x": 3}}])
    plan = solve_ok(s, time_limit_s=3, workers=1)
    assert plan.stats["solver"] == "cp-sat" and plan.stats["workers"] == 1
    assert [st["objective"] for st in plan.stats["stages"]] == [
        "gap",
        "cost",
        "credits",
        "lateness",
    ]
    assert plan.learners[0].final_levels == {"x": 3} and plan.learners[0].gaps == {}
