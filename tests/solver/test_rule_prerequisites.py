"""Rule 3: all-of and any-of prerequisites, and requires_skills, strictly earlier."""


def test_prerequisite_taken_in_an_earlier_term(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[
            {"id": "A", "teaches": {"x": 1}},
            {"id": "B", "teaches": {"x": 3}, "prerequisites": ["A"]},
        ],
        learners=[{"id": "l1", "target": {"x": 3}}],
    )
    plan = solve_ok(s)
    assert plan.status == "OPTIMAL"
    assert plan.learners[0].schedule == {"T1": ["A"], "T2": ["B"], "T3": []}


def test_completed_prerequisite_counts(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[
            {"id": "A", "teaches": {"x": 1}},
            {"id": "B", "teaches": {"x": 3}, "prerequisites": ["A"]},
        ],
        learners=[{"id": "l1", "target": {"x": 3}, "completed": ["A"]}],
    )
    assert solve_ok(s).learners[0].schedule["T1"] == ["B"]


def test_any_of_group_uses_the_cheaper_option(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[
            {"id": "P1", "cost": 500},
            {"id": "P2", "cost": 100},
            {"id": "B", "teaches": {"x": 3}, "prerequisites_any": [["P1", "P2"]]},
        ],
        learners=[{"id": "l1", "target": {"x": 3}}],
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule == {"T1": ["P2"], "T2": ["B"], "T3": []}
    assert plan.objective["cost"] == 100


def test_skill_prerequisite_reached_strictly_earlier(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=["T1", "T2"],
        courses=[
            {"id": "Intro", "teaches": {"sql": 2}},
            {"id": "Adv", "teaches": {"sql": 4}, "requires_skills": {"sql": 2}},
        ],
        learners=[{"id": "l1", "target": {"sql": 4}}],
    )
    plan = solve_ok(s)
    assert plan.learners[0].schedule == {"T1": ["Intro"], "T2": ["Adv"]}
    # with a single term the skill cannot be reached in time
    one = scenario_factory(
        terms=["T1"],
        courses=s.model_dump()["courses"],
        learners=[{"id": "l1", "target": {"sql": 4}}],
    )
    plan = solve_ok(one)
    assert plan.learners[0].gaps == {"sql": 2}


def test_start_level_satisfies_skill_prerequisite(scenario_factory, solve_ok):
    s = scenario_factory(
        terms=["T1"],
        courses=[{"id": "Adv", "teaches": {"sql": 4}, "requires_skills": {"sql": 2}}],
        learners=[{"id": "l1", "target": {"sql": 4}, "levels": {"sql": 2}}],
    )
    assert solve_ok(s).learners[0].schedule == {"T1": ["Adv"]}
