"""Tables, constraints and ON DELETE rules, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from planner import db
from planner.models import (
    Assessment,
    Course,
    CourseTeaches,
    Learner,
    LearnerLevel,
    PlanRecord,
    Role,
    RoleRequirement,
    ScenarioRecord,
    Skill,
    SkillArea,
    SolveRun,
    User,
)


def add_skill(session, skill_id="data.sql"):
    if session.get(SkillArea, "data-analysis") is None:
        session.add(SkillArea(id="data-analysis", name="Data analysis", name_zh="数据分析"))
        session.flush()  # no relationship()s: the unit of work needs parents flushed first
    session.add(Skill(id=skill_id, name="SQL", name_zh="SQL 查询", area_id="data-analysis"))
    session.commit()


def test_chinese_text_and_json_lists_round_trip(any_session):
    add_skill(any_session)
    skill = any_session.get(Skill, "data.sql")
    skill.onet = ["2.C.3.a"]
    any_session.commit()
    any_session.expunge_all()
    again = any_session.get(Skill, "data.sql")
    assert (again.name_zh, again.onet, again.esco) == ("SQL 查询", ["2.C.3.a"], [])


def test_deleting_a_skill_in_use_is_refused(any_session):
    add_skill(any_session)
    any_session.add(Course(id="C1", credits=3))
    any_session.flush()
    any_session.add(CourseTeaches(course_id="C1", skill_id="data.sql", level=3))
    any_session.commit()
    any_session.delete(any_session.get(Skill, "data.sql"))
    with pytest.raises(IntegrityError):
        any_session.commit()
    any_session.rollback()
    assert any_session.get(Skill, "data.sql") is not None


def test_deleting_a_course_cascades_to_what_it_teaches(any_engine):
    with db.session_scope(any_engine) as s:
        add_skill(s)
        s.add(Course(id="C1", credits=3))
        s.flush()
        s.add(CourseTeaches(course_id="C1", skill_id="data.sql", level=3))
    with db.session_scope(any_engine) as s:
        s.delete(s.get(Course, "C1"))
    with Session(any_engine) as s:
        assert s.scalar(select(func.count()).select_from(CourseTeaches)) == 0


@pytest.mark.parametrize("level", [-1, 5])
def test_levels_outside_0_to_4_are_refused_by_the_database(any_session, level):
    add_skill(any_session)
    any_session.add(Role(id="r"))
    any_session.flush()
    any_session.add(RoleRequirement(role_id="r", skill_id="data.sql", level=level))
    with pytest.raises(IntegrityError):
        any_session.commit()


def test_negative_credits_and_bad_status_are_refused(any_session):
    any_session.add(Course(id="C1", credits=-1))
    with pytest.raises(IntegrityError):
        any_session.commit()
    any_session.rollback()
    any_session.add(ScenarioRecord(name="s", body={}))
    any_session.flush()
    any_session.add(SolveRun(scenario_id=1, status="sleeping"))
    with pytest.raises(IntegrityError):
        any_session.commit()


def test_learner_deletion_cascades_and_keeps_the_account(any_engine):
    with db.session_scope(any_engine) as s:
        add_skill(s)
        s.add(Learner(id="li.na", name="Li Na"))
        s.flush()
        s.add(LearnerLevel(learner_id="li.na", skill_id="data.sql", level=2))
        s.add(Assessment(learner_id="li.na", skill_id="data.sql", source="self", level=3))
        s.flush()
        s.add(User(username="lina", email="li@example.com", password_hash="x", learner_id="li.na"))
    with db.session_scope(any_engine) as s:
        s.delete(s.get(Learner, "li.na"))
    with Session(any_engine) as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 0
        assert s.scalar(select(func.count()).select_from(LearnerLevel)) == 0
        user = s.scalars(select(User)).one()
        assert user.learner_id is None
        assert user.created_at.tzinfo is not None


def test_usernames_are_unique(any_session):
    any_session.add(User(username="a", password_hash="x", role="staff"))
    any_session.add(User(username="a", password_hash="y", role="staff"))
    with pytest.raises(IntegrityError):
        any_session.commit()


def test_solve_run_points_at_its_plan(any_engine):
    with db.session_scope(any_engine) as s:
        scenario = ScenarioRecord(name="s", body={"format": "planner-scenario/1"})
        s.add(scenario)
        s.flush()
        plan = PlanRecord(scenario_id=scenario.id, status="OPTIMAL", body={}, objective={"gap": 0})
        s.add(plan)
        s.flush()
        s.add(
            SolveRun(scenario_id=scenario.id, status="done", plan_id=plan.id, progress={"stage": 4})
        )
    with db.session_scope(any_engine) as s:
        s.delete(s.get(PlanRecord, 1))
    with db.session_scope(any_engine) as s:
        run = s.scalars(select(SolveRun)).one()
        assert (run.plan_id, run.progress) == (None, {"stage": 4})
        s.delete(s.get(ScenarioRecord, 1))
    with Session(any_engine) as s:
        assert s.scalar(select(func.count()).select_from(SolveRun)) == 0


def test_sqlite_enforces_foreign_keys_on_every_connection(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_postgres_urls_get_the_psycopg_driver():
    assert db.normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db.normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"


def test_flask_app_gets_an_engine_and_a_request_session(tmp_path):
    from planner import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "TESTING": True})
    db.upgrade(db.get_engine(app))
    with app.app_context():
        session = db.get_session()
        assert session is db.get_session()
        session.add(SkillArea(id="x", name="X"))
        session.commit()
    with app.app_context():
        assert db.get_session().get(SkillArea, "x").name == "X"
