"""Reasons: one short English explanation per course taken."""


def test_reasons_name_gap_prerequisite_and_staff_rule(scenario_factory, solve_ok):
    s = scenario_factory(
        roles=[{"id": "mkt-analyst", "requires": {"data.sql": 3}}],
        courses=[
            {"id": "SQL1", "teaches": {"data.sql": 1}},
            {"id": "SQL3", "teaches": {"data.sql": 3}, "prerequisites": ["SQL1"]},
            {"id": "Law", "cost": 5},
        ],
        learners=[
            {"id": "li.na", "role": "mkt-analyst", "levels": {"data.sql": 1}, "required": ["Law"]}
        ],
    )
    plan = solve_ok(s)
    reasons = plan.learners[0].reasons
    assert set(reasons) == {"SQL1", "SQL3", "Law"}
    assert reasons["SQL3"] == "raises data.sql 1→3 (needed 3 for mkt-analyst)"
    assert reasons["SQL1"] == "prerequisite of SQL3 (T2)"
    assert reasons["Law"] == "required by staff"


def test_skill_enabler_and_target_reason(scenario_factory, solve_ok):
    s = scenario_factory(
        courses=[
            {"id": "Intro", "teaches": {"sql": 2}},
            {"id": "Adv", "teaches": {"sql": 4}, "requires_skills": {"sql": 2}},
        ],
        learners=[{"id": "l1", "target": {"sql": 4}}],
    )
    reasons = solve_ok(s).learners[0].reasons
    assert "gives sql 2 needed by Adv (T2)" in reasons["Intro"]
    assert reasons["Adv"] == "raises sql 2→4 (needed 4 for l1's target)"
