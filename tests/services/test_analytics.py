"""Gap analytics: weighted per-team/per-skill aggregation, before and after a plan."""

from planner.scenario import parse_scenario
from planner.services.analytics import gap_frame, gap_reduction, skill_ranking, team_gaps
from planner.solver.cohort import solve_cohort

S = {
    "format": "planner-scenario/1",
    "skills": [{"id": "sql", "area": "data"}, {"id": "ai", "area": "ai"}, {"id": "law"}],
    "roles": [
        {"id": "analyst", "requires": {"sql": 3, "ai": 2}, "weights": {"sql": 2}},
        {"id": "writer", "requires": {"ai": 3, "law": 1}},
    ],
    "terms": [{"id": "T1"}],
    "courses": [{"id": "AI", "credits": 1, "teaches": {"ai": 3}}],
    "learners": [
        {"id": "a", "role": "analyst", "levels": {"sql": 1}},
        {"id": "b", "role": "analyst", "levels": {"sql": 3, "ai": 2}, "count": 2},
        {"id": "c", "role": "writer", "levels": {"ai": 1}},
    ],
}


def test_weighted_gaps_by_team_and_skill():
    s = parse_scenario(S)
    teams = {"a": "Growth", "b": "Growth", "c": "Brand"}
    df = gap_frame(s, teams=teams)
    assert df.loc[(df.learner == "a") & (df.skill == "sql"), "weighted_gap"].item() == 4
    matrix = team_gaps(s, teams=teams)
    assert matrix.loc["Growth", "sql"] == 4  # a: weight 2 × 2 levels; b has none
    assert matrix.loc["Growth", "ai"] == 2
    assert matrix.loc["Brand", "ai"] == 2 and matrix.loc["Brand", "law"] == 1
    assert list(matrix.columns) == ["ai", "sql", "law"]  # largest total first
    per_person = team_gaps(s, teams=teams, per_person=True)
    assert per_person.loc["Growth", "sql"] == 4 / 3
    ranking = skill_ranking(s, teams=teams)
    assert ranking.iloc[0].skill == "ai" and ranking.iloc[0].weighted_gap == 4
    assert ranking.set_index("skill").loc["sql", "people_short"] == 1


def test_gap_after_plan_and_reduction():
    s = parse_scenario(S)
    plan = solve_cohort(s, time_limit_s=10, workers=2)
    after = team_gaps(s, plan)  # teams default to roles
    assert after.loc["analyst", "ai"] == 0 and after.loc["analyst", "sql"] == 4
    assert after.loc["writer", "law"] == 1  # no course teaches law
    red = gap_reduction(s, plan)
    assert red.loc["writer", "before"] == 3 and red.loc["writer", "after"] == 1
