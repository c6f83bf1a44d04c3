"""Seeding the taxonomy, roles and curricula: real files, small files, idempotence."""

import json

import pytest
from sqlalchemy import func, select

from planner.models import (
    Course,
    Curriculum,
    Learner,
    LevelDescriptor,
    Role,
    RoleRequirement,
    ScenarioRecord,
    Skill,
    SkillArea,
    Term,
)
from planner.scenario import load_scenario
from planner.services.catalog.seeding import seed
from planner.services.scenarios.build import scenario_from_db
from tests import REPO

TABLES = (SkillArea, Skill, LevelDescriptor, Role, RoleRequirement, Curriculum, Term, Course,
          Learner, ScenarioRecord)  # fmt: skip


def table_counts(session):
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}


@pytest.fixture
def small_seed(tmp_path):
    seed_dir, curricula = tmp_path / "seed", tmp_path / "curricula"
    seed_dir.mkdir()
    curricula.mkdir()
    (seed_dir / "taxonomy.yaml").write_text(
        'source: "test"\n'
        "areas: [{id: data-analysis, name: Data analysis, name_zh: 数据分析}]\n"
        "skills:\n"
        "  - {id: data.sql, area: data-analysis, name: SQL, name_zh: SQL 查询,\n"
        "     descriptors: [a, b, c, d, e], onet: [2.C.3.a], esco: []}\n",
        "utf-8",
    )
    (seed_dir / "roles.yaml").write_text(
        "roles:\n  - {id: analyst, name: Analyst, name_zh: 分析师, soc: [13-1161.00], esco: [],\n"
        "     requires: {data.sql: 3}, weights: {data.sql: 2}}\n",
        "utf-8",
    )
    (curricula / "mini.json").write_text(
        json.dumps({
            "format": "planner-scenario/1", "name": "Mini",
            "skills": [{"id": "data.sql", "name": "curriculum's own name"}],
            "roles": [{"id": "analyst", "requires": {"data.sql": 1}}],
            "terms": [{"id": "T1"}],
            "courses": [{"id": "C1", "credits": 3, "teaches": {"data.sql": 3}}],
            "learners": [{"id": "s1", "role": "analyst"}],
        }),
        "utf-8",
    )  # fmt: skip
    return seed_dir, curricula


def test_small_seed_is_idempotent_and_taxonomy_wins(any_session, small_seed):
    seed(any_session, *small_seed)
    any_session.commit()
    first = table_counts(any_session)
    seed(any_session, *small_seed)
    any_session.commit()
    assert table_counts(any_session) == first
    assert first["Skill"] == 1 and first["LevelDescriptor"] == 5 and first["Course"] == 1
    assert any_session.get(Skill, "data.sql").name_zh == "SQL 查询"
    assert any_session.get(Skill, "data.sql").name == "SQL"  # not the curriculum's copy
    requirement = any_session.get(RoleRequirement, ("analyst", "data.sql"))
    assert (requirement.level, requirement.weight) == (3, 2)


def test_real_seed_files(any_session):
    report = seed(any_session)
    any_session.commit()
    counts = table_counts(any_session)
    assert counts["SkillArea"] == 8
    assert 50 <= counts["Skill"] <= 70
    assert counts["LevelDescriptor"] == 5 * counts["Skill"]
    assert counts["Role"] >= 9
    curricula = sorted(p.stem for p in (REPO / "curricula").glob("*.json"))
    assert sorted(report.curricula) == curricula
    expected_courses = sum(
        len(load_scenario(REPO / "curricula" / f"{c}.json").courses) for c in curricula
    )
    assert counts["Course"] == expected_courses
    assert counts["ScenarioRecord"] == len(curricula)
    seed(any_session)
    any_session.commit()
    assert table_counts(any_session) == counts
    for curriculum in curricula:  # each curriculum builds back into a valid scenario
        original = load_scenario(REPO / "curricula" / f"{curriculum}.json")
        built = scenario_from_db(any_session, curriculum_id=curriculum)
        assert [c.id for c in built.courses] == [c.id for c in original.courses]
        assert [t.id for t in built.terms] == [t.id for t in original.terms]
        assert [lr.id for lr in built.learners] == [lr.id for lr in original.learners]
