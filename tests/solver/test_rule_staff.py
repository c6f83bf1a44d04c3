"""Rule 7: required, excluded, pinned, gap_mode close."""


def test_required_course_is_taken_although_useless(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "Ethics", "cost": 50}], learners=[{"id": "l1", "required": ["Ethics"]}]
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule["T1"] == ["Ethics"]
    assert plan.learners[0].reasons["Ethics"] == "required by staff"


def test_excluded_course_is_never_taken(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[
            {"id": "A", "cost": 1, "teaches": {"x": 3}},
            {"id": "B", "cost": 9, "teaches": {"x": 3}},
        ],
        learners=[{"id": "l1", "target": {"x": 3}, "excluded": ["A"]}],
    )
    assert solve_ok(s).learners[0].schedule["T1"] == ["B"]


def test_pinned_course_in_its_term(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "teaches": {"x": 3}}],
        learners=[{"id": "l1", "target": {"x": 3}, "pinned": {"A": "T3"}}],
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule == {"T1": [], "T2": [], "T3": ["A"]}
    assert "pinned to T3" in plan.learners[0].reasons["A"]


def test_gap_close_makes_the_scenario_infeasible_when_unreachable(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "teaches": {"x": 2}}],
        learners=[{"id": "l1", "target": {"x": 3}, "gap_mode": "close"}],
    )
    plan = solve_ok(s)
    assert plan.status == "INFEASIBLE"
    assert plan.diagnosis.conflict == ["gap_closed:l1"]


def test_gap_close_overrides_cost_first(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "cost": 100, "teaches": {"x": 3}}],
        objective=["cost", "gap"],
        gap_mode="close",
        learners=[{"id": "l1", "target": {"x": 3}}],
    )
    plan = solve_ok(s)
    assert plan.objective["gap"] == 0 and plan.objective["cost"] == 100
