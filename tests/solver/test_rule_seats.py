"""Rule 6: sections = ceil(enrolled / capacity) ≤ max_sections, with session costs."""


def test_seat_cap_splits_a_group_into_two_sections(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=["T1"],
        courses=[
            {
                "id": "A",
                "cost": 10,
                "capacity": 20,
                "max_sections": 2,
                "session_cost": 300,
                "teaches": {"x": 2},
            }
        ],
        learners=[{"id": "team", "target": {"x": 2}, "count": 25}],
    )
    plan = solve_ok(s)
    assert [x.model_dump() for x in plan.sections] == [
        {"course": "A", "term": "T1", "enrolled": 25, "sections": 2}
    ]
    assert plan.objective["cost"] == 25 * 10 + 2 * 300


def test_max_sections_pushes_groups_into_different_terms(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=["T1", "T2"],
        objective=["gap", "cost", "lateness"],
        courses=[{"id": "A", "capacity": 10, "max_sections": 1, "teaches": {"x": 2}}],
        learners=[
            {"id": "g1", "target": {"x": 2}, "count": 6},
            {"id": "g2", "target": {"x": 2}, "count": 6},
        ],
    )
    plan = solve_ok(s)
    assert plan.objective["gap"] == 0
    assert sorted((x.term, x.enrolled) for x in plan.sections) == [("T1", 6), ("T2", 6)]


def test_zero_max_sections_means_the_course_does_not_run(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "max_sections": 0, "teaches": {"x": 2}}],
        learners=[{"id": "l1", "target": {"x": 2}}],
    )
    plan = solve_ok(s)
    assert plan.sections == [] and plan.objective["gap"] == 2


def test_shared_section_session_cost_paid_once(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=["T1", "T2"],
        courses=[{"id": "A", "session_cost": 1000, "teaches": {"x": 2}}],
        learners=[{"id": "a", "target": {"x": 2}}, {"id": "b", "target": {"x": 2}}],
    )
    plan = solve_ok(s)
    assert plan.objective["cost"] == 1000
    assert [(x.enrolled, x.sections) for x in plan.sections] == [(2, 1)]
