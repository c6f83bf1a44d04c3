"""Assessment service against a real migrated SQLite database."""

import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner.models import Assessment, Course, CourseTeaches, Learner, LearnerLevel, utcnow
from planner.models.assess import CheckAttempt
from planner.services.assessment import (
    calibrated,
    checks,
    cohort,
    learner_data,
    profile,
    questions,
    ratings,
)
from planner.services.catalog.seeding import taxonomy_records
from planner.services.io.records import write_records
from tests import REPO


@pytest.fixture
def session(db_session):
    skills, roles = taxonomy_records(REPO / "seed")
    write_records(db_session, "skills", skills)
    write_records(db_session, "roles", roles)
    db_session.add(Learner(id="li.na", name="李娜", role_id="mkt-assistant"))
    db_session.add(Learner(id="wang.fang", name="Wang Fang", role_id="mkt-data-analyst"))
    db_session.commit()
    return db_session


def count(session, model, **where):
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    return session.scalar(q)


def answer_all(attempt, bank, right=True, wrong_levels=()):
    """Answers for an attempt: right ones, except wrong at the given levels."""
    out = {}
    for qid in attempt.question_ids:
        q = bank[qid]
        ok = right and q.level not in wrong_levels
        out[qid] = q.answer if ok else (q.answer + 1) % len(q.options)
    return out


# --- self-ratings --------------------------------------------------------------------


def test_self_ratings_are_saved_partially_and_replaced(session):
    assert ratings.save_self_ratings(session, "li.na", {"data.sql": 2}) == 1
    session.commit()
    ratings.save_self_ratings(session, "li.na", {"data.sql": "3", "ai.prompting": 1})
    session.commit()
    rows = session.scalars(select(Assessment).where(Assessment.learner_id == "li.na")).all()
    assert {(r.skill_id, r.level, r.source) for r in rows} == {
        ("data.sql", 3, "self"),
        ("ai.prompting", 1, "self"),
    }


@pytest.mark.parametrize("bad", [5, -1, "7", "two", 2.5, True, None])
def test_bad_levels_are_refused_and_nothing_is_saved(session, bad):
    with pytest.raises(ratings.AssessmentError) as err:
        ratings.save_self_ratings(session, "li.na", {"ai.prompting": 2, "data.sql": bad})
    assert any(p.startswith("data.sql:") for p in err.value.problems)
    session.rollback()
    assert count(session, Assessment) == 0


def test_unknown_skill_and_learner_are_named(session):
    with pytest.raises(ratings.AssessmentError, match=r"data\.nosuch: unknown skill"):
        ratings.save_self_ratings(session, "li.na", {"data.nosuch": 2})
    with pytest.raises(ratings.AssessmentError, match="unknown learner 'ghost'"):
        ratings.save_self_ratings(session, "ghost", {"data.sql": 2})


# --- knowledge checks ----------------------------------------------------------------


def test_check_questions_sent_to_the_browser_carry_no_answer(session):
    attempt = checks.start_check(session, "li.na", "data.sql", rng=random.Random(1))
    public = checks.attempt_questions(attempt)
    assert [q["level"] for q in public] == [1, 2, 3]
    for q in public:
        assert set(q) == {"id", "skill", "level", "prompt", "options"}
    assert "answer" not in json.dumps(public)


def test_reloading_an_open_check_keeps_the_same_questions(session):
    a = checks.start_check(session, "li.na", "data.sql", rng=random.Random(1))
    b = checks.start_check(session, "li.na", "data.sql", rng=random.Random(2))
    assert a.id == b.id


def test_skill_without_questions_is_a_clear_error(session):
    # Every seed skill has a check now: take one skill's questions out of the bank.
    bank = {k: q for k, q in questions.default_bank().items() if q.skill != "law.platform-ethics"}
    with pytest.raises(ratings.AssessmentError, match="no knowledge check for this skill"):
        checks.start_check(session, "li.na", "law.platform-ethics", bank=bank)


def test_scoring_is_server_side_and_writes_a_check_rating(session):
    bank = questions.default_bank()
    attempt = checks.start_check(session, "li.na", "data.sql")
    session.commit()
    out = checks.submit_check(
        session, "li.na", attempt.id, answer_all(attempt, bank, wrong_levels={3})
    )
    session.commit()
    assert (out.level, out.capped, out.correct, out.asked) == (2, True, 2, 3)
    row = session.get(Assessment, out.attempt.assessment_id)
    assert (row.source, row.level, row.confidence) == ("check", 2, pytest.approx(0.667))
    assert [f["correct"] for f in out.feedback] == [True, True, False]
    stored = session.get(CheckAttempt, attempt.id)
    assert stored.status == "submitted" and stored.results == {
        "1": [1, 1],
        "2": [1, 1],
        "3": [0, 1],
    }


def test_tampered_question_ids_are_rejected_and_nothing_saved(session):
    bank = questions.default_bank()
    attempt = checks.start_check(session, "li.na", "data.sql")
    session.commit()
    answers = answer_all(attempt, bank)
    answers["q.law.data-protection.1a"] = 1  # not part of this check
    with pytest.raises(
        ratings.AssessmentError, match="not part of this check: q.law.data-protection.1a"
    ):
        checks.submit_check(session, "li.na", attempt.id, answers)
    session.rollback()
    assert session.get(CheckAttempt, attempt.id).status == "open"
    assert count(session, Assessment, source="check") == 0


def test_swapped_question_ids_and_bad_choices_are_rejected(session):
    bank = questions.default_bank()
    attempt = checks.start_check(session, "li.na", "data.sql")
    session.commit()
    answers = answer_all(attempt, bank)
    dropped = attempt.question_ids[0]
    del answers[dropped]
    answers[attempt.question_ids[1]] = 9
    with pytest.raises(ratings.AssessmentError) as err:
        checks.submit_check(session, "li.na", attempt.id, answers)
    assert f"{dropped}: not answered" in err.value.problems
    assert any("choice 9 is not one of the" in p for p in err.value.problems)


def test_double_submission_is_rejected_and_the_first_result_stands(session):
    bank = questions.default_bank()
    attempt = checks.start_check(session, "li.na", "data.sql")
    session.commit()
    checks.submit_check(session, "li.na", attempt.id, answer_all(attempt, bank, right=False))
    session.commit()
    with pytest.raises(checks.AlreadySubmitted, match="already submitted"):
        checks.submit_check(session, "li.na", attempt.id, answer_all(attempt, bank))
    session.rollback()
    assert count(session, Assessment, source="check") == 1
    assert session.get(CheckAttempt, attempt.id).level == 0


def test_racing_double_submission_scores_once(session, engine):
    """Two sessions load the open attempt, then both submit: the second must lose."""
    from sqlmodel import Session

    bank = questions.default_bank()
    attempt = checks.start_check(session, "li.na", "data.sql")
    session.commit()
    answers = answer_all(attempt, bank)
    with Session(engine) as s1, Session(engine) as s2:
        a1 = checks.get_attempt(s1, "li.na", attempt.id)
        a2 = checks.get_attempt(s2, "li.na", attempt.id)
        assert a1.status == a2.status == "open"
        checks.submit_check(s1, "li.na", attempt.id, answers)
        s1.commit()
        with pytest.raises(checks.AlreadySubmitted):
            checks.submit_check(s2, "li.na", attempt.id, answers)
        s2.rollback()
    assert count(session, Assessment, source="check") == 1


def test_another_learners_attempt_looks_missing(session):
    attempt = checks.start_check(session, "li.na", "data.sql")
    session.commit()
    with pytest.raises(ratings.AssessmentError, match=f"check {attempt.id} not found"):
        checks.submit_check(session, "wang.fang", attempt.id, {})


# --- calibration through the DB ------------------------------------------------------


def test_over_confident_self_rating_is_calibrated_down_by_a_check(session):
    bank = questions.default_bank()
    ratings.save_self_ratings(session, "li.na", {"data.sql": 4, "ai.prompting": 2})
    attempt = checks.start_check(session, "li.na", "data.sql")
    checks.submit_check(
        session, "li.na", attempt.id, answer_all(attempt, bank, wrong_levels={2, 3})
    )
    session.commit()
    cal = calibrated.calibrate_learner(session, "li.na")
    assert cal["data.sql"].level == 1 and cal["data.sql"].flag == "over"
    assert cal["ai.prompting"].level == 2 and cal["ai.prompting"].flag is None
    assert calibrated.calibrated_levels(session, "li.na") == {"data.sql": 1, "ai.prompting": 2}


def test_staff_rating_and_completed_course_count_as_evidence(session):
    session.add(Course(id="SQL200", credits=3))
    session.add(CourseTeaches(course_id="SQL200", skill_id="data.sql", level=3))
    learner = session.get(Learner, "wang.fang")
    learner.completed = ["SQL200"]
    session.commit()
    ratings.save_self_ratings(session, "wang.fang", {"data.sql": 0, "data.python": 4})
    ratings.record_staff_rating(session, "wang.fang", "data.python", 1)
    session.commit()
    cal = calibrated.calibrate_learner(session, "wang.fang")
    assert cal["data.sql"].evidence_level == 3 and cal["data.sql"].flag == "under"
    assert cal["data.python"].level == 1 and cal["data.python"].flag == "over"
    with pytest.raises(ratings.AssessmentError, match="between 0 and 4"):
        ratings.record_staff_rating(session, "wang.fang", "data.python", 9)


def test_old_staff_rating_counts_less_than_a_fresh_check(session):
    bank = questions.default_bank()
    old = Assessment(
        learner_id="li.na", skill_id="data.sql", source="staff", level=1,
        created_at=utcnow() - timedelta(days=3 * 365),
    )  # fmt: skip
    session.add(old)
    attempt = checks.start_check(session, "li.na", "data.sql")
    checks.submit_check(session, "li.na", attempt.id, answer_all(attempt, bank))
    session.commit()
    assert calibrated.calibrated_levels(session, "li.na")["data.sql"] == 3


def test_sync_writes_calibrated_levels_for_the_scenario_builder(session):
    ratings.save_self_ratings(session, "li.na", {"data.sql": 2})
    ratings.record_staff_rating(session, "li.na", "data.sql", 1)
    calibrated.sync_learner_levels(session, "li.na")
    session.commit()
    row = session.get(LearnerLevel, ("li.na", "data.sql"))
    assert row.level == 1


# --- profile, export, delete ---------------------------------------------------------


def test_profile_lists_role_skills_gaps_and_flags(session):
    ratings.save_self_ratings(session, "li.na", {"ai.prompting": 4})
    ratings.record_staff_rating(session, "li.na", "ai.prompting", 1)
    session.commit()
    prof = profile.learner_profile(session, "li.na")
    assert len(prof.rows) == 13  # the marketing assistant role's skills
    row = next(r for r in prof.rows if r.skill_id == "ai.prompting")
    assert (row.target, row.level, row.flag, row.gap) == (2, 1, "over", 1)
    assert row.sentence() == (
        "Prompt design: you are at aware (1); the role needs working (2). 1 level to go."
    )
    assert prof.flagged == [row]
    assert ratings.estimate_minutes(13) == 5


def test_export_is_json_and_delete_removes_only_that_learner(session):
    bank = questions.default_bank()
    ratings.save_self_ratings(session, "li.na", {"data.sql": 3})
    ratings.save_self_ratings(session, "wang.fang", {"data.sql": 1})
    attempt = checks.start_check(session, "li.na", "data.sql")
    checks.submit_check(session, "li.na", attempt.id, answer_all(attempt, bank))
    session.commit()
    data = json.loads(json.dumps(learner_data.export_learner(session, "li.na"), ensure_ascii=False))
    assert data["learner"] == {"id": "li.na", "name": "李娜", "role": "mkt-assistant"}
    assert {r["source"] for r in data["ratings"]} == {"self", "check"}
    assert data["checks"][0]["answers"] and data["calibrated"]["data.sql"]["level"] == 3
    counts = learner_data.delete_assessment(session, "li.na")
    assert (counts["ratings"], counts["checks"], counts["personal_scenarios"]) == (2, 1, 0)
    session.commit()
    assert count(session, Assessment, learner_id="li.na") == 0
    assert count(session, CheckAttempt) == 0
    assert count(session, Assessment, learner_id="wang.fang") == 1
    assert session.get(Learner, "li.na") is not None


# --- cohort report -------------------------------------------------------------------


def test_cohort_report_shares_and_biggest_gaps(session):
    session.add(Learner(id="=cmd", name="=HYPERLINK(1)"))
    session.commit()
    ratings.save_self_ratings(session, "li.na", {"data.sql": 4, "ai.prompting": 2})
    ratings.record_staff_rating(session, "li.na", "data.sql", 1)
    ratings.record_staff_rating(session, "li.na", "ai.prompting", 2)
    ratings.save_self_ratings(session, "wang.fang", {"data.python": 3})
    ratings.record_staff_rating(session, "wang.fang", "data.python", 3)
    ratings.save_self_ratings(session, "=cmd", {"law.data-protection": 0})
    ratings.record_staff_rating(session, "=cmd", "law.data-protection", 2)
    ratings.save_self_ratings(session, "wang.fang", {"crea.copywriting": 3})  # no evidence
    session.commit()
    report = cohort.cohort_report(session)
    by_area = {a.area: a for a in report.areas}
    assert by_area["data-analysis"].compared == 2 and by_area["data-analysis"].over == 1
    assert by_area["data-analysis"].over_share == 0.5
    assert by_area["law-compliance"].under == 1
    assert "creativity" not in by_area  # a self-rating without evidence is not compared
    assert (report.compared, report.over) == (4, 1)
    top = report.biggest_gaps[0]
    assert (top.learner_id, top.skill_id, top.gap) == ("li.na", "data.sql", 3)
    text = cohort.cohort_report_csv(report)
    assert "area,data-analysis,Data analysis,2,1,0,0.500" in text
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
