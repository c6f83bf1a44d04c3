"""Gap analytics: weighted per-team/per-skill aggregation, before and after a plan.

The vectorised rules are checked against the canonical Scenario helpers (needs,
start_levels) on generated scenarios, both from a Scenario and from the database rows the
scenario was stored as; the cohort cache is checked to follow every kind of write."""

import csv
import io
import random
import sqlite3

import pytest
from sqlmodel import select

from planner.models import Learner
from planner.scenario import Plan, parse_scenario
from planner.scenario.generate import generate
from planner.services.analytics.gaps import (
    COLUMNS,
    NO_TEAM,
    TABLE_COLUMNS,
    cohort_csv,
    cohort_gaps,
    gap_frame,
    gap_reduction,
    gap_table,
    inputs_from_db,
    skill_ranking,
    team_gaps,
    watch_writes,
)
from planner.services.scenarios.build import store_scenario
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


# -- one implementation of the rules: equal to the Scenario helpers ------------------------------
def expected_rows(scenario, final=None, teams=None):
    """(learner, skill) -> (team, people, need, weight, level, weighted gap), straight from
    Scenario.needs() / Scenario.start_levels(), the canonical rule 1 and rule 2."""
    final, teams = final or {}, teams or {}
    out = {}
    for lr in scenario.learners:
        levels = scenario.start_levels(lr)
        for skill, level in final.get(lr.id, {}).items():
            levels[skill] = max(levels.get(skill, 0), level)
        for skill, (need, weight) in scenario.needs(lr).items():
            level = levels.get(skill, 0)
            team = teams.get(lr.id) or (NO_TEAM if teams else lr.role) or NO_TEAM
            gap = lr.count * weight * max(0, need - level)
            out[lr.id, skill] = (team, lr.count, need, float(weight), level, float(gap))
    return out


def actual_rows(df):
    return {
        (r.learner, r.skill): (r.team, r.people, r.need, r.weight, r.level, r.weighted_gap)
        for r in df.itertuples(index=False)
    }


def generated(seed):
    return generate(seed, learners=40, courses=16, skills=8, roles=3, groups_count=4)


@pytest.mark.parametrize("seed", range(8))
def test_gap_table_equals_the_scenario_rules(seed):
    s = generated(seed)
    # the data exercises every rule input: completed courses that raise levels, targets
    assert any(lr.completed for lr in s.learners) and any(lr.target for lr in s.learners)
    teams = {lr.id: ["Brand", "Growth", ""][i % 3] for i, lr in enumerate(s.learners)}
    df = gap_frame(s, teams=teams)
    assert list(df.columns) == COLUMNS and len(df) == len(
        set(zip(df.learner, df.skill, strict=True))
    )
    assert actual_rows(df) == expected_rows(s, teams=teams)
    # the totals agree with the objective's gap term for the empty plan (rule 8)
    assert df["weighted_gap"].sum() == sum(v[-1] for v in expected_rows(s).values())


@pytest.mark.parametrize("seed", range(4))
def test_gap_after_a_plan_equals_the_scenario_rules(seed):
    s = generated(seed)
    rng = random.Random(seed)
    final = {}
    for lr in s.learners[::2]:  # half the learners are in the plan, with raised levels
        levels = {k: v for k, v in s.start_levels(lr).items() if v > 0}
        for skill in rng.sample([k.id for k in s.skills], 3):
            levels[skill] = max(levels.get(skill, 0), rng.randint(1, 4))
        final[lr.id] = levels
    plan = Plan(
        status="FEASIBLE",
        learners=[
            {"id": lid, "schedule": {}, "final_levels": levels} for lid, levels in final.items()
        ],
    )
    assert actual_rows(gap_frame(s, plan)) == expected_rows(s, final)
    # an infeasible plan has no schedule: the gap stays the start gap
    infeasible = Plan(status="INFEASIBLE", learners=[])
    assert actual_rows(gap_frame(s, infeasible)) == expected_rows(s)


def test_target_takes_its_weight_from_the_role_and_completed_courses_count():
    s = parse_scenario(
        {
            **S,
            "roles": [{"id": "analyst", "requires": {"sql": 3}, "weights": {"sql": 2, "ai": 5}}],
            "learners": [
                {"id": "a", "role": "analyst", "target": {"ai": 2, "sql": 4}},
                {"id": "b", "target": {"law": 2}, "levels": {"ai": 4}, "completed": ["AI"]},
                {"id": "c", "role": "analyst", "levels": {"sql": 1}, "completed": ["AI"]},
            ],
        }
    )
    rows = actual_rows(gap_frame(s))
    assert rows["a", "ai"] == ("analyst", 1, 2, 5.0, 0, 10.0)  # weight 5 from the role
    assert rows["a", "sql"] == ("analyst", 1, 4, 2.0, 0, 8.0)  # target above the role
    assert rows["b", "law"] == (NO_TEAM, 1, 2, 1.0, 0, 2.0)  # no role: weight 1
    assert ("b", "ai") not in rows and ("c", "ai") not in rows  # nobody needs ai there
    assert rows == expected_rows(s)


def test_empty_scenario_gives_empty_tables():
    s = parse_scenario({**S, "learners": []})
    assert gap_frame(s).empty and team_gaps(s).empty and skill_ranking(s).empty


# -- the database path: the same table as the scenario it was stored from -----------------------
def store_generated(session, seed):
    s = generated(seed)
    store_scenario(session, s, curriculum_id=f"gen-{seed}")
    teams = {}
    for i, learner in enumerate(session.exec(select(Learner)).all()):
        learner.team = ["Brand 品牌", "Growth", None][i % 3]
        teams[learner.id] = learner.team
        session.add(learner)
    session.commit()
    return s, teams


@pytest.mark.parametrize("seed", [1, 5])
def test_database_gap_table_equals_the_scenario(db_session, seed):
    s, teams = store_generated(db_session, seed)
    df = gap_table(inputs_from_db(db_session))
    assert actual_rows(df) == expected_rows(s, teams=teams)


def test_cohort_values_are_gap_per_person_of_each_team(db_session):
    s, teams = store_generated(db_session, 3)
    cohort = cohort_gaps(db_session, max_skills=100)
    matrix = team_gaps(s, teams=teams, per_person=True)
    assert cohort.teams == sorted(matrix.index) == cohort.all_teams
    assert set(cohort.skills) == {k for k in matrix.columns if matrix[k].sum() > 0}
    for team, row in zip(cohort.teams, cohort.values, strict=True):
        for skill, value in zip(cohort.skills, row, strict=True):
            assert value == pytest.approx(matrix.loc[team, skill], abs=0.005)
    assert sum(cohort.people.values()) == sum(lr.count for lr in s.learners)
    only = cohort_gaps(db_session, teams=["Growth", "nope"], max_skills=100)
    assert only.teams == ["Growth"] and only.all_teams == cohort.all_teams
    assert set(only.table["team"]) == {"Growth"}


def test_cohort_after_a_plan_uses_its_final_levels(db_session):
    s, teams = store_generated(db_session, 2)
    lr = next(lr for lr in s.learners if s.needs(lr))
    closed = {skill: need for skill, (need, _) in s.needs(lr).items()}
    plan = Plan(status="OPTIMAL", learners=[{"id": lr.id, "schedule": {}, "final_levels": closed}])
    before = cohort_gaps(db_session, max_skills=100).table
    after = cohort_gaps(db_session, plan=plan, plan_key=1, max_skills=100)
    assert after.plan_learners == 1
    expected = sum(v[-1] for v in expected_rows(s, {lr.id: closed}).values())
    assert after.table["weighted_gap"].sum() == pytest.approx(expected)
    assert after.table["weighted_gap"].sum() < before["weighted_gap"].sum()


def test_cohort_csv_has_one_row_per_team_and_needed_skill(db_session):
    s, teams = store_generated(db_session, 4)
    cohort = cohort_gaps(db_session)
    rows = list(csv.reader(io.StringIO(cohort_csv(cohort))))
    assert rows[0] == TABLE_COLUMNS
    assert len(rows) - 1 == len(cohort.table)
    total = sum(float(r[TABLE_COLUMNS.index("weighted_gap")]) for r in rows[1:])
    assert total == pytest.approx(sum(v[-1] for v in expected_rows(s, teams=teams).values()))
    assert any(r[0] == "Brand 品牌" for r in rows[1:])


# -- the cache follows the database ----------------------------------------------------------
def test_cache_is_reused_until_a_learner_changes(db_session, engine):
    watch_writes(engine)  # as the app factory does for its engine
    store_generated(db_session, 6)
    first = cohort_gaps(db_session)
    assert cohort_gaps(db_session) is first  # nothing changed: the cached result
    learner = db_session.exec(select(Learner).where(Learner.team == "Growth")).first()
    learner.team = "Retail"  # as long as "Growth", same counts: only the write counter sees it
    db_session.add(learner)
    db_session.commit()
    second = cohort_gaps(db_session)
    assert second is not first and "Retail" in second.teams
    assert second.people["Retail"] == learner.count


def test_only_watched_engines_count_writes_and_watching_twice_counts_once(db_session, engine):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from planner.services.analytics import gaps

    assert not event.contains(Engine, "after_cursor_execute", gaps._note_write)  # no import hook
    store_generated(db_session, 6)
    learner = db_session.exec(select(Learner)).first()

    def bumps_of_one_write() -> int:
        before = gaps._generation[0]
        learner.count += 1
        db_session.add(learner)
        db_session.commit()
        return gaps._generation[0] - before

    assert bumps_of_one_write() == 0
    watch_writes(engine)
    watch_writes(engine)
    assert bumps_of_one_write() == 2  # the write, and its commit


def test_cache_sees_writes_from_another_process(db_session, engine):
    """A write that bypasses this process (sqlite3 directly) is caught by the stamp."""
    s, _ = store_generated(db_session, 7)
    first = cohort_gaps(db_session)
    db_session.commit()  # end the read transaction, as a request does
    lr, skill, need = next(
        (lr, skill, need)
        for lr in s.learners
        for skill, (need, _) in s.needs(lr).items()
        if skill not in lr.levels and s.start_levels(lr).get(skill, 0) < need
    )
    with sqlite3.connect(engine.url.database) as conn:
        conn.execute(
            "INSERT INTO learner_level (learner_id, skill_id, level) VALUES (?, ?, ?)",
            (lr.id, skill, need),
        )
    second = cohort_gaps(db_session)
    assert second is not first
    _, weight = s.needs(lr)[skill]
    closed = lr.count * weight * (need - s.start_levels(lr).get(skill, 0))
    total = second.table["weighted_gap"].sum()
    assert total == pytest.approx(first.table["weighted_gap"].sum() - closed)
