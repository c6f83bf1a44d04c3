"""Grouping: identical learners merge, split back losslessly, exact when uncoupled."""

from planner.scenario import parse_scenario
from planner.solver import solve
from planner.solver.check import check_plan
from planner.solver.cohort import solve_cohort
from planner.solver.grouping import group_learners, merge_is_exact, profile_key


def _scenario(learners, courses=None, budget=None):
    data = {
        "format": "planner-scenario/1",
        "skills": [{"id": "sql"}, {"id": "ai"}],
        "roles": [{"id": "analyst", "requires": {"sql": 3, "ai": 2}}],
        "terms": [{"id": "T1"}, {"id": "T2"}],
        "courses": courses
        or [
            {"id": "SQL1", "credits": 3, "cost": 100, "teaches": {"sql": 2}},
            {
                "id": "SQL2",
                "credits": 3,
                "cost": 200,
                "teaches": {"sql": 3},
                "prerequisites": ["SQL1"],
            },
            {"id": "AI1", "credits": 2, "cost": 150, "teaches": {"ai": 2}},
        ],
        "learners": learners,
    }
    if budget is not None:
        data["constraints"] = {"budget": budget}
    return parse_scenario(data)


def test_identical_profiles_merge_and_order_does_not_matter():
    s = _scenario(
        [
            {"id": "a", "role": "analyst", "levels": {"sql": 1, "ai": 0}, "completed": []},
            {"id": "b", "role": "analyst", "levels": {"sql": 1}},
            {"id": "c", "role": "analyst", "levels": {"sql": 2}},
            {"id": "d", "role": "analyst", "levels": {"sql": 1}, "terms": ["T1", "T2"]},
        ]
    )
    grouping = group_learners(s)
    assert [g.members for g in grouping.groups] == [[("a", 1), ("b", 1), ("d", 1)], [("c", 1)]]
    assert [lr.count for lr in grouping.merged.learners] == [3, 1]
    assert profile_key(s, s.learners[0]) == profile_key(s, s.learners[3])


def test_counts_stay_separate_units_when_grouping_by_count():
    s = _scenario(
        [
            {"id": "a", "role": "analyst", "count": 2},
            {"id": "b", "role": "analyst", "count": 5},
            {"id": "c", "role": "analyst", "count": 2},
        ]
    )
    by_count = group_learners(s)
    assert [(g.unit, g.units, g.people) for g in by_count.groups] == [(2, 2, 4), (5, 1, 5)]
    merged = group_learners(s, by_count=False)
    assert [g.people for g in merged.groups] == [9]


def test_exact_merge_keeps_optimal_and_every_member_gets_its_group_plan():
    learners = [{"id": f"e{i}", "role": "analyst", "levels": {"sql": i % 2}} for i in range(12)]
    s = _scenario(learners)
    assert merge_is_exact(s)
    plan = solve_cohort(s, time_limit_s=10, workers=2)
    assert plan.status == "OPTIMAL"
    assert check_plan(s, plan) == []
    assert [lp.id for lp in plan.learners] == [lr["id"] for lr in learners]
    by_id = {lp.id: lp.schedule for lp in plan.learners}
    for g in group_learners(s, by_count=False).groups:
        schedules = {str(by_id[m]) for m, _ in g.members}
        assert len(schedules) == 1  # lossless: one plan per profile
    assert plan.stats["grouping"] == "exact merge"
    assert plan.objective["gap"] == 0
    assert plan.objective["cost"] == 12 * 450 - 6 * 0  # everyone takes all three


def test_seats_split_a_profile_across_patterns_and_are_respected():
    # 10 identical people, SQL1 holds 4 per section with 1 section per term: a single
    # group plan cannot close everyone's gap; split patterns reach 8 of 10 for SQL1.
    courses = [
        {
            "id": "SQL1",
            "credits": 3,
            "cost": 100,
            "teaches": {"sql": 3},
            "capacity": 4,
            "max_sections": 1,
            "session_cost": 50,
        },
        {"id": "AI1", "credits": 2, "cost": 150, "teaches": {"ai": 2}},
    ]
    learners = [{"id": f"p{i}", "role": "analyst"} for i in range(10)]
    s = _scenario(learners, courses)
    assert not merge_is_exact(s)
    plan = solve_cohort(s, time_limit_s=20, workers=2)
    assert check_plan(s, plan) == []
    assert plan.status == "OPTIMAL"
    # 8 people take SQL1 (4 in T1, 4 in T2); two are left with a sql gap of 3.
    assert plan.objective["gap"] == 2 * 3
    assert sorted(
        (x.term, x.enrolled, x.sections) for x in plan.sections if x.course == "SQL1"
    ) == [
        ("T1", 4, 1),
        ("T2", 4, 1),
    ]
    assert plan.bound == plan.objective


def test_scenario_budget_couples_and_the_split_plan_is_valid():
    learners = [{"id": f"p{i}", "role": "analyst", "levels": {"sql": 2}} for i in range(6)]
    s = _scenario(learners, budget=1650)
    plan = solve_cohort(s, time_limit_s=20, workers=2)
    assert check_plan(s, plan) == []
    assert plan.status == "OPTIMAL"
    # AI1 for all six (900), then SQL1+SQL2 (300 each) for two: gap 4 sql levels left.
    assert plan.objective["gap"] == 4
    exact = solve(s, time_limit_s=20, workers=2)  # the monolithic model, unmerged
    assert exact.status == "OPTIMAL"
    assert plan.objective == exact.objective
