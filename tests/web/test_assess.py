"""Assessment pages through the Flask test client: flow, authorisation and bad input;
starting a knowledge check is a POST (opening its page changes nothing)."""

import json
import re

import pytest
from sqlalchemy import func, select

from planner.models import Assessment
from planner.models.assess import CheckAttempt
from planner.services.assessment import questions
from tests.fixtures.web import sign_in_client


def ratings(web_session, learner_id, source=None):
    web_session.expire_all()
    q = select(Assessment).where(Assessment.learner_id == learner_id)
    if source:
        q = q.where(Assessment.source == source)
    return web_session.scalars(q).all()


def open_check(client, skill="data.sql"):
    page = client.post(f"/assess/check/{skill}", follow_redirects=True).get_data(as_text=True)
    attempt_id = int(re.search(r"/assess/check/attempt/(\d+)", page).group(1))
    qids = list(dict.fromkeys(re.findall(r'name="answer-([^"]+)"', page)))
    return attempt_id, qids, page


def right_answers(qids, wrong_levels=()):
    bank = questions.default_bank()
    out = {}
    for qid in qids:
        q = bank[qid]
        choice = q.answer if q.level not in wrong_levels else (q.answer + 1) % len(q.options)
        out[f"answer-{qid}"] = str(choice)
    return out


def test_self_assessment_page_shows_descriptor_cards_and_estimate(learner_client):
    page = learner_client.get("/assess/").get_data(as_text=True)
    # mkt-data-analyst needs 16 skills: 16 radio groups of five descriptor cards
    assert len(set(re.findall(r'name="level-([^"]+)"', page))) == 16
    assert page.count('class="levelcard"') == 16 * 5
    assert "Writes joins and GROUP BY queries" in page  # data.sql level-2 descriptor
    assert re.search(r"About <strong>\d+ min</strong> for 16 skills", page)


def test_partial_save_keeps_progress(learner_client, web_session):
    r = learner_client.post("/assess/", data={"level-data.sql": "3"})
    assert r.status_code == 302
    page = learner_client.get("/assess/").get_data(as_text=True)
    assert re.search(r'name="level-data.sql" value="3"\s+checked', page)
    assert [(a.skill_id, a.level) for a in ratings(web_session, "test.learner")] == [
        ("data.sql", 3)
    ]


@pytest.mark.parametrize("bad", ["5", "-1", "x", "2.5"])
def test_level_outside_0_to_4_is_rejected_and_nothing_saved(learner_client, web_session, bad):
    r = learner_client.post("/assess/", data={"level-ai.prompting": "2", "level-data.sql": bad})
    assert r.status_code == 400
    assert "data.sql: level must be" in r.get_data(as_text=True)
    assert ratings(web_session, "test.learner") == []


def test_check_page_never_sends_answers(learner_client):
    _, qids, page = open_check(learner_client)
    assert len(qids) == 3
    bank = questions.default_bank()
    for qid in qids:
        assert bank[qid].explanation not in page
    assert '"answer"' not in page and "correct" not in page.lower().replace("correctly", "")


def test_check_flow_flags_over_confidence_on_the_profile(learner_client, web_session):
    learner_client.post("/assess/", data={"level-data.sql": "4"})
    attempt_id, qids, _ = open_check(learner_client)
    r = learner_client.post(
        f"/assess/check/attempt/{attempt_id}", data=right_answers(qids, wrong_levels={2, 3})
    )
    assert r.status_code == 200
    assert "level 1 shown" in r.get_data(as_text=True)
    profile = learner_client.get("/assess/profile").get_data(as_text=True)
    assert "over-confident" in profile
    assert "<svg" in profile and 'data-series="Calibrated"' in profile
    assert ratings(web_session, "test.learner", "check")[0].level == 1


def test_tampered_question_ids_are_rejected(learner_client, web_session):
    attempt_id, qids, _ = open_check(learner_client)
    data = right_answers(qids)
    data["answer-q.law.data-protection.1a"] = "1"
    r = learner_client.post(f"/assess/check/attempt/{attempt_id}", data=data)
    assert r.status_code == 400
    assert "not part of this check: q.law.data-protection.1a" in r.get_data(as_text=True)
    assert ratings(web_session, "test.learner", "check") == []
    assert web_session.get(CheckAttempt, attempt_id).status == "open"


def test_double_submission_is_rejected_with_a_clear_message(learner_client, web_session):
    attempt_id, qids, _ = open_check(learner_client)
    first = learner_client.post(f"/assess/check/attempt/{attempt_id}", data=right_answers(qids))
    assert first.status_code == 200
    again = learner_client.post(f"/assess/check/attempt/{attempt_id}", data=right_answers(qids))
    assert again.status_code == 409
    assert "already submitted" in again.get_data(as_text=True)
    assert len(ratings(web_session, "test.learner", "check")) == 1


def test_learner_cannot_submit_or_see_another_learners_check(app, learner_client, web_session):
    other = sign_in_client(app, "other_learner")
    attempt_id, qids, _ = open_check(other)
    r = learner_client.post(f"/assess/check/attempt/{attempt_id}", data=right_answers(qids))
    assert r.status_code == 404
    assert web_session.get(CheckAttempt, attempt_id).status == "open"
    assert ratings(web_session, "test.other", "check") == []


def test_learner_pages_act_only_on_the_signed_in_learner(app, learner_client, web_session):
    other = sign_in_client(app, "other_learner")
    other.post("/assess/", data={"level-ai.prompting": "2"})
    # No learner page takes a learner id; staff pages that do are closed to learners.
    assert learner_client.get("/assess/staff/test.other").status_code == 403
    assert (
        learner_client.post(
            "/assess/staff/test.other", data={"skill": "ai.prompting", "level": "4"}
        ).status_code
        == 403
    )
    assert learner_client.get("/assess/report").status_code == 403
    assert learner_client.get("/assess/report.csv").status_code == 403
    exported = json.loads(learner_client.get("/assess/export.json").get_data(as_text=True))
    assert exported["learner"]["id"] == "test.learner" and exported["ratings"] == []
    learner_client.post("/assess/delete", data={"confirm": "yes"})
    assert len(ratings(web_session, "test.other")) == 1  # B's data untouched


def test_staff_cannot_use_learner_pages_and_anonymous_is_sent_to_sign_in(client, staff_client):
    assert staff_client.get("/assess/").status_code == 403
    r = client.get("/assess/profile")
    assert r.status_code == 302 and r.location.startswith("/login")


def test_export_and_delete_own_assessment(learner_client, web_session):
    learner_client.post("/assess/", data={"level-data.sql": "2", "level-ai.prompting": "1"})
    r = learner_client.get("/assess/export.json")
    assert r.mimetype == "application/json"
    assert "attachment" in r.headers["Content-Disposition"]
    data = json.loads(r.get_data(as_text=True))
    assert data["learner"]["name"] == "李娜"
    assert {x["skill"] for x in data["ratings"]} == {"data.sql", "ai.prompting"}
    unconfirmed = learner_client.post("/assess/delete", data={})
    assert unconfirmed.status_code == 302 and len(ratings(web_session, "test.learner")) == 2
    learner_client.post("/assess/delete", data={"confirm": "yes"})
    assert ratings(web_session, "test.learner") == []


def test_staff_rating_report_and_csv(staff_client, learner_client, web_session):
    learner_client.post("/assess/", data={"level-data.sql": "4"})
    r = staff_client.post("/assess/staff/test.learner", data={"skill": "data.sql", "level": "1"})
    assert r.status_code == 302
    bad = staff_client.post("/assess/staff/test.learner", data={"skill": "data.sql", "level": "7"})
    assert bad.status_code == 400 and "between 0 and 4" in bad.get_data(as_text=True)
    assert len(ratings(web_session, "test.learner", "staff")) == 1
    page = staff_client.get("/assess/report").get_data(as_text=True)
    assert "Data analysis" in page and "<svg" in page and "李娜" in page
    csv_text = staff_client.get("/assess/report.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffsection,area")
    assert "gap,test.learner,李娜,data.sql,SQL for marketing data,4,1,3" in csv_text
    assert staff_client.get("/assess/staff/nobody").status_code == 404


def test_forms_need_the_csrf_token(csrf_app, web_session):
    client = sign_in_client(csrf_app, "learner")
    r = client.post("/assess/", data={"level-data.sql": "2"})
    assert r.status_code == 400
    web_session.expire_all()
    assert web_session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_plan_my_path_without_curriculum_says_which_one_it_uses(learner_client):
    r = learner_client.post("/assess/plan", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.request.path == "/assess/plan"
    assert "You are not enrolled in a curriculum, so this plan uses" in page


def test_plan_my_path_queues_a_personal_solve_from_calibrated_levels(app, learner_client):
    from planner import db
    from planner.models import Learner, LearnerLevel, ScenarioRecord, SolveRun
    from planner.services.planning import jobs

    with db.session_scope(db.get_engine(app)) as s:
        s.get(Learner, "test.learner").curriculum_id = "corporate-ai-upskilling"
    learner_client.post("/assess/", data={"level-data.sql": "4"})
    staff = sign_in_client(app, "staff")
    staff.post("/assess/staff/test.learner", data={"skill": "data.sql", "level": "1"})
    r = learner_client.post("/assess/plan", follow_redirects=True)
    assert "Started planning your path" in r.get_data(as_text=True)
    with db.session_scope(db.get_engine(app)) as s:
        run = s.scalars(select(SolveRun)).one()
        record = s.get(ScenarioRecord, run.scenario_id)
        assert record.name == "personal plan: test.learner"
        (learner,) = record.body["learners"]
        assert learner["levels"]["data.sql"] == 1  # calibrated, not the self-rating of 4
        assert s.get(LearnerLevel, ("test.learner", "data.sql")).level == 1
    assert jobs.runner_for(db.get_engine(app)).wait(run.id, 60)
    page = learner_client.get("/assess/profile").get_data(as_text=True)
    assert re.search(r"Latest plan run #\d+: <strong>done</strong>", page)


def attempts(web_session) -> int:
    from planner.models.assess import CheckAttempt

    web_session.expire_all()
    return len(web_session.exec(select(CheckAttempt)).all())


def test_opening_a_check_page_creates_nothing(learner_client, web_session):
    page = learner_client.get("/assess/check/data.sql")
    assert page.status_code == 200 and b"Start the check" in page.data
    assert attempts(web_session) == 0


def test_starting_a_check_posts_then_shows_the_attempt(app, learner_client, web_session):
    from tests.fixtures.web import sign_in_client

    started = learner_client.post("/assess/check/data.sql")
    assert started.status_code == 302 and "/assess/check/attempt/" in started.location
    page = learner_client.get(started.location)
    assert page.status_code == 200 and b'name="answer-' in page.data
    assert attempts(web_session) == 1
    again = learner_client.post("/assess/check/data.sql")  # an open attempt is reused
    assert again.location == started.location and attempts(web_session) == 1
    other = sign_in_client(app, "other_learner")
    assert other.get(started.location).status_code == 404
