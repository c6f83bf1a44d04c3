"""Rule 5: the learner's budget (per person) and the scenario budget."""


def test_learner_budget_prevents_the_expensive_course(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[
            {"id": "Pricey", "cost": 900, "teaches": {"x": 3}},
            {"id": "Cheap", "cost": 200, "teaches": {"x": 2}},
        ],
        learners=[{"id": "l1", "target": {"x": 3}, "budget": 500, "count": 4}],
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule["T1"] == ["Cheap"]
    assert plan.learners[0].cost == 200  # per person
    assert plan.objective["cost"] == 800  # count × cost
    assert plan.objective["gap"] == 4


def test_scenario_budget_counts_people_and_sessions(scenario_factory, solve_ok):
    course = {"id": "A", "cost": 100, "session_cost": 50, "teaches": {"x": 2}}
    learners = [{"id": "g", "target": {"x": 2}, "count": 3}]
    ok = solve_ok(
        scenario_factory(courses=[course], learners=learners, constraints={"budget": 350})
    )
    assert ok.objective == {"gap": 0, "cost": 350, "credits": 9, "lateness": 0}
    short = solve_ok(
        scenario_factory(courses=[course], learners=learners, constraints={"budget": 349.99})
    )
    assert short.learners[0].schedule["T1"] == []
    assert short.objective["gap"] == 6
