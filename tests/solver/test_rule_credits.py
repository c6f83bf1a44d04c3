"""Rule 4: credit limits per term (also empty terms) and per learner."""


def test_min_credits_forces_a_filler_course_even_with_no_needs(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=[{"id": "T1", "min_credits": 2}, {"id": "T2"}],
        courses=[
            {"id": "Big", "credits": 4, "cost": 10},
            {"id": "Small", "credits": 2, "cost": 10},
        ],
        learners=[{"id": "l1"}],
    )
    plan = solve_ok(s)
    assert plan.status == "OPTIMAL"
    assert plan.learners[0].schedule == {"T1": ["Small"], "T2": []}
    assert "fills term minimum credits" in plan.learners[0].reasons["Small"]


def test_min_credits_applies_in_every_term_of_the_learner(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=[{"id": "T1", "min_credits": 1}, {"id": "T2", "min_credits": 1}],
        courses=[{"id": "A", "credits": 1}],
        learners=[{"id": "l1"}],
    )
    plan = solve_ok(s)
    assert plan.status == "INFEASIBLE"  # one course cannot fill two terms
    # a learner who skips T2 leaves it out of its terms
    s2 = scenario_factory(
        terms=s.model_dump()["terms"],
        courses=[{"id": "A", "credits": 1}],
        learners=[{"id": "l1", "terms": ["T1"]}],
    )
    assert solve_ok(s2).learners[0].schedule == {"T1": ["A"]}


def test_term_max_credits_spreads_courses(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=[{"id": "T1", "max_credits": 3}, {"id": "T2", "max_credits": 3}],
        courses=[{"id": "A", "teaches": {"x": 2}}, {"id": "B", "teaches": {"y": 2}}],
        learners=[{"id": "l1", "target": {"x": 2, "y": 2}}],
    )
    schedule = solve_ok(s).learners[0].schedule
    assert sorted(schedule["T1"] + schedule["T2"]) == ["A", "B"]
    assert len(schedule["T1"]) == len(schedule["T2"]) == 1


def test_learner_max_credits_leaves_a_gap(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=["T1"],
        courses=[{"id": "A", "teaches": {"x": 2}}, {"id": "B", "teaches": {"y": 2}}],
        roles=[{"id": "r", "requires": {"x": 2, "y": 2}, "weights": {"x": 3}}],
        learners=[{"id": "l1", "role": "r", "max_credits": 4}],
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule == {"T1": ["A"]}  # x weighs more
    assert plan.objective["gap"] == 2
