"""Rule 3: offerings, the learner's own terms, take-once, never retake a completed course."""


def test_course_taken_only_in_an_offered_season(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "teaches": {"x": 2}, "offered": ["spring"]}],
        learners=[{"id": "l1", "target": {"x": 2}}],
    )
    plan = solve_ok(s)
    assert plan.status == "OPTIMAL"
    assert plan.learners[0].schedule == {"T1": [], "T2": ["A"], "T3": []}


def test_offered_by_term_id(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "teaches": {"x": 2}, "offered": ["T3"]}],
        learners=[{"id": "l1", "target": {"x": 2}}],
    )
    assert solve_ok(s).learners[0].schedule["T3"] == ["A"]


def test_only_the_learners_terms_in_calendar_order(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[{"id": "A", "teaches": {"x": 2}}],
        learners=[{"id": "l1", "target": {"x": 2}, "terms": ["T3", "T2"]}],
    )
    plan = solve_ok(s)
    assert list(plan.learners[0].schedule) == ["T2", "T3"]
    assert plan.learners[0].schedule["T2"] == ["A"]


def test_course_taken_once_and_completed_course_never_again(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[
            {"id": "A", "teaches": {"x": 2}},
            {"id": "B", "teaches": {"y": 1}},
        ],
        terms=[{"id": "T1", "min_credits": 3}, {"id": "T2", "min_credits": 3}],
        learners=[{"id": "l1", "target": {"x": 2}, "completed": ["B"]}],
    )
    plan = solve_ok(s)
    # A is the only course left, so the second term's minimum cannot be met twice over
    assert plan.status == "INFEASIBLE"
    assert "term_min_credits:T1" in plan.diagnosis.conflict or (
        "term_min_credits:T2" in plan.diagnosis.conflict
    )


def test_a_season_may_contain_a_colon(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=[{"id": "T1", "season": "s:1"}, "T2"],
        courses=[{"id": "A1", "teaches": {"a": 3}, "offered": ["s:1"]}],
        learners=[{"id": "L", "target": {"a": 3}}],
    )
    plan = solve_ok(s)
    assert plan.status == "OPTIMAL" and plan.learners[0].schedule["T1"] == ["A1"]
