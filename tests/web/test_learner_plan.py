"""The learner's own plan: curriculum fallback, live run panel, the plan in words,
infeasibility explained, who may see which run, and the "personal plan: " names kept for
learners' own scenarios."""

import io
import json
import re
import threading

import pytest
from sqlalchemy import select

from planner import db
from planner.db import get_engine
from planner.models import Curriculum, Learner, PlanRecord, ScenarioRecord, SolveRun
from planner.scenario import Plan
from planner.services.planning import jobs, personal
from tests.fixtures.web import bearer, sign_in_client
from tests.web.test_scenarios import body_of, editor_form, scenario_names, store, tiny_scenario

HX = {"HX-Request": "true"}
COLLEGE = "ai-marketing-college"
CORPORATE = "corporate-ai-upskilling"


def latest_run(app, learner_id="test.learner") -> SolveRun:
    with db.session_scope(db.get_engine(app)) as s:
        run = personal.latest_run(s, learner_id)
        s.expunge(run)
        return run


def plan_my_path(app, client, learner_id="test.learner") -> SolveRun:
    r = client.post("/assess/plan")
    assert r.status_code == 302 and r.headers["Location"].endswith("/assess/plan")
    run = latest_run(app, learner_id)
    assert jobs.runner_for(get_engine(app)).wait(run.id, 60)
    return latest_run(app, learner_id)


def set_learner(app, learner_id="test.learner", **fields):
    with db.session_scope(db.get_engine(app)) as s:
        learner = s.get(Learner, learner_id)
        for key, value in fields.items():
            setattr(learner, key, value)


# -- which curriculum -------------------------------------------------------------------------
def test_unenrolled_learner_is_planned_in_the_curriculum_of_their_role(web_session):
    learner = web_session.get(Learner, "test.learner")  # data analyst, no curriculum
    choice = personal.choose_curriculum(web_session, learner)
    # Both seeded curricula plan a data analyst and teach every level the role needs:
    # the tie goes to the first id, so repeated clicks plan in the same place.
    assert (choice.curriculum_id, choice.enrolled) == (COLLEGE, False)
    assert choice.coverage == pytest.approx(1.0)
    assert "not enrolled" in choice.why and "3-year vocational-college" in choice.why


def test_own_curriculum_wins_and_role_peers_narrow_the_fallback(web_session):
    learner = web_session.get(Learner, "test.learner")
    learner.curriculum_id = CORPORATE
    choice = personal.choose_curriculum(web_session, learner)
    assert (choice.curriculum_id, choice.enrolled) == (CORPORATE, True)
    learner.curriculum_id = None
    # Only the corporate catalog plans data analysts now: the fallback follows them.
    for peer in web_session.scalars(
        select(Learner).where(Learner.role_id == learner.role_id, Learner.id != learner.id)
    ):
        peer.curriculum_id = CORPORATE if peer.curriculum_id else None
    web_session.flush()
    assert personal.choose_curriculum(web_session, learner).curriculum_id == CORPORATE


def test_no_curriculum_at_all_and_no_role_are_explained(app, learner_client, web_session):
    set_learner(app, role_id=None)
    r = learner_client.post("/assess/plan", follow_redirects=True)
    assert "Cannot plan yet: you have no target role yet" in r.get_data(as_text=True)
    web_session.execute(Curriculum.__table__.delete())
    web_session.commit()
    with pytest.raises(personal.PlanError, match="no curriculum"):
        personal.choose_curriculum(web_session, web_session.get(Learner, "test.learner"))


# -- the plan page ----------------------------------------------------------------------------
def test_plan_my_path_without_curriculum_gives_a_real_plan(app, learner_client):
    learner_client.post("/assess/", data={"level-data.sql": "1", "level-data.spreadsheets": "2"})
    run = plan_my_path(app, learner_client)
    assert run.status == "done", run.error
    with db.session_scope(db.get_engine(app)) as s:
        body = s.get(ScenarioRecord, run.scenario_id).body
        plan = Plan.model_validate(s.get(PlanRecord, run.plan_id).body)
    assert body["name"] == "personal plan: test.learner"
    assert [lr["id"] for lr in body["learners"]] == ["test.learner"]
    assert body["learners"][0]["levels"]["data.sql"] == 1
    taken = [c for courses in plan.learners[0].schedule.values() for c in courses]
    assert taken and {c["id"] for c in body["courses"]} >= set(taken)

    page = learner_client.get("/assess/plan").get_data(as_text=True)
    assert "You are not enrolled in a curriculum, so this plan uses" in page
    cards = re.findall(r'class="course-card" data-course="([^"]+)"', page)
    assert sorted(cards) == sorted(taken)
    assert 'id="plan-gaps"' in page and 'id="plan-radar"' in page
    assert page.count('class="series"') == 3  # needed, current, after plan
    assert "hx-trigger" not in page  # finished: no more polling
    # every needed skill is said in words, in one of the three lists
    needed = len(re.findall(r"<li>[^<]*your role needs", page)) + len(
        re.findall(r"<li>[^<]*the \w+ level your role needs", page)
    )
    assert needed > 0 or 'id="gaps-already"' in page
    assert re.search(r"Latest plan run #\d+: <strong>done</strong>", learner_client.get(
        "/assess/profile"
    ).get_data(as_text=True))  # fmt: skip


class Gate:
    """Stands in for the solver so the test sees the run queued/running, then cancels."""

    def __init__(self):
        self.started = threading.Event()

    def __call__(self, scenario, *, progress=None, stop=None, **_):
        progress({"stage": "gap", "objective": {"gap": 9}, "elapsed_s": 0.1})
        self.started.set()
        stop.wait(30)
        return Plan(status="UNKNOWN", scenario=scenario.name)


def test_run_panel_polls_shows_elapsed_and_cancel_stops_it(app, learner_client):
    runner = jobs.runner_for(get_engine(app))
    gate = Gate()
    runner._solve = gate
    learner_client.post("/assess/plan")
    run = latest_run(app)
    assert gate.started.wait(10)
    page = learner_client.get("/assess/plan").get_data(as_text=True)
    assert f'hx-get="/assess/plan/runs/{run.id}"' in page and 'hx-trigger="every 1s"' in page
    panel = learner_client.get(f"/assess/plan/runs/{run.id}", headers=HX).get_data(as_text=True)
    assert "working out your plan: closing as many skill gaps" in panel
    assert re.search(r'id="run-elapsed">\d+\.\d s', panel)
    assert ">Cancel</button>" in panel
    again = learner_client.post("/assess/plan", follow_redirects=True).get_data(as_text=True)
    assert "still being computed" in again and latest_run(app).id == run.id  # one at a time
    r = learner_client.post(f"/assess/plan/runs/{run.id}/cancel", headers=HX)
    assert r.status_code == 200
    assert jobs.runner_for(get_engine(app)).wait(run.id, 10)
    assert latest_run(app).status == "cancelled"
    panel = learner_client.get(f"/assess/plan/runs/{run.id}", headers=HX).get_data(as_text=True)
    assert 'data-status="cancelled"' in panel and "hx-trigger" not in panel


def test_infeasible_plan_is_explained_in_plain_words(app, learner_client):
    # Close every gap on 100 of budget: impossible; the first fix names the budget needed.
    set_learner(app, curriculum_id=CORPORATE, budget=100, gap_mode="close")
    run = plan_my_path(app, learner_client)
    with db.session_scope(db.get_engine(app)) as s:
        plan = Plan.model_validate(s.get(PlanRecord, run.plan_id).body)
    assert plan.status == "INFEASIBLE"
    first = plan.diagnosis.fixes[0].changes[0]
    assert first.relax == "learner_budget:test.learner"
    page = learner_client.get("/assess/plan").get_data(as_text=True)
    expected = f"Your budget of 100 is too small: {first.to:,.0f} would make a plan possible."
    assert expected in page
    assert "Every gap of your role must be closed" in page
    assert "learner_budget:" not in page  # no rule labels for learners
    assert "This plan uses your curriculum, Corporate AI upskilling catalog 2027." in page


# -- who may see what -------------------------------------------------------------------------
def test_a_learner_cannot_reach_another_learners_run_or_plan(app, learner_client):
    jobs.runner_for(get_engine(app))._solve = Gate()
    learner_client.post("/assess/plan")
    mine = latest_run(app)
    other = sign_in_client(app, "other_learner")
    assert other.get(f"/assess/plan/runs/{mine.id}", headers=HX).status_code == 404
    assert other.get(f"/assess/plan/runs/{mine.id}").status_code == 404
    assert other.post(f"/assess/plan/runs/{mine.id}/cancel", headers=HX).status_code == 404
    assert latest_run(app).status in ("queued", "running")  # untouched by the other learner
    assert "You have not planned yet" in other.get("/assess/plan").get_data(as_text=True)
    learner_client.post(f"/assess/plan/runs/{mine.id}/cancel")
    assert jobs.runner_for(get_engine(app)).wait(mine.id, 10)


def test_staff_plan_pages_stay_closed_to_learners(app, learner_client):
    run = plan_my_path(app, learner_client)
    assert run.plan_id is not None
    for url in (
        f"/plans/{run.plan_id}",
        f"/plans/{run.plan_id}/export.json",
        "/plans/",
        f"/scenarios/{run.scenario_id}",
        f"/scenarios/runs/{run.id}",
    ):
        assert learner_client.get(url).status_code == 403, url
    # and staff pages see the learner's plan as any other
    staff = sign_in_client(app, "staff")
    assert staff.get(f"/plans/{run.plan_id}").status_code == 200


def test_plan_pages_need_a_learner_and_csrf(client, staff_client, csrf_app):
    anonymous = client.get("/assess/plan")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")
    assert staff_client.get("/assess/plan").status_code == 403
    learner = sign_in_client(csrf_app, "learner")
    assert learner.post("/assess/plan").status_code == 400


# -- words ------------------------------------------------------------------------------------
def words_catalog():
    from planner.services.planning.plans import Catalog

    return Catalog.of(
        {
            "skills": [{"id": "data.sql", "name": "SQL for marketing data"}],
            "roles": [{"id": "mkt-data-analyst", "requires": {"data.sql": 3}}],
            "terms": [{"id": "2027-Q1", "max_credits": 6}, {"id": "2027-Q2"}],
            "courses": [{"id": "DA-02", "title": "SQL 入门", "credits": 1, "offered": ["q2"]}],
            "learners": [
                {
                    "id": "li.na",
                    "role": "mkt-data-analyst",
                    "budget": 500,
                    "max_credits": 2.5,
                    "pinned": {"DA-02": "2027-Q1"},
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("relax", "to", "sentence"),
    [
        ("learner_budget:li.na", 650, "Your budget of 500 is too small: 650 would make a plan possible."),
        ("budget", 12000.5, "The total budget of 9,000 is too small: 12,000.5 would make a plan possible."),
        ("learner_max_credits:li.na", 3, "Your limit of 2.5 credits a term is too low: 3 would make a plan possible."),
        ("term_max_credits:2027-Q1", 8, "The limit of 6 credits in term 2027-Q1 is too low: 8 would make a plan possible."),
        ("pinned:li.na:DA-02", "2027-Q2", "Moving DA-02 “SQL 入门” to term 2027-Q2 would make a plan possible."),
        ("offered:DA-02", "2027-Q1", "Also offering DA-02 “SQL 入门” in 2027-Q1 would make a plan possible."),
        ("gap_closed:li.na", None, "Accepting that some gaps stay open would make a plan possible."),
        ("required:li.na:DA-02", None, "Not requiring DA-02 “SQL 入门” would make a plan possible."),
        ("learner_budget:li.na", None, "Dropping your budget limit would make a plan possible."),
    ],
)  # fmt: skip
def test_first_fix_in_a_learners_words(relax, to, sentence):
    from planner.scenario import Diagnosis
    from planner.services.planning.words import diagnosis_words

    diagnosis = Diagnosis(
        conflict=[relax, "offered:DA-02"], minimal=True, fixes=[{"changes": [{"relax": relax, "to": to}]}]
    )  # fmt: skip
    words = diagnosis_words(words_catalog(), {"budget": 9000}, diagnosis, "li.na")
    assert words.headline == sentence
    assert words.rules[1] == "DA-02 “SQL 入门” is offered only in q2"


def test_course_reasons_name_skills_and_say_your_role():
    from planner.services.planning.words import learner_reason

    reason = "raises data.sql 1→2 (needed 3 for mkt-data-analyst); prerequisite of DA-03 (2027-Q2)"
    assert learner_reason(reason, words_catalog(), "li.na") == (
        "raises SQL for marketing data 1→2 (needed 3 for your role); prerequisite of DA-03 (2027-Q2)"
    )


RESERVED = "personal plan: test.learner"


def test_staff_cannot_take_a_personal_plan_name(
    app, client, staff_client, staff_token, web_session
):
    from sqlmodel import select  # the ORM object, not a row

    sid = store(app, tiny_scenario("Staff pilot"))
    before = scenario_names(web_session)

    api = client.post(
        "/api/v1/scenarios", headers=bearer(staff_token), json=tiny_scenario(RESERVED)
    )
    assert api.status_code == 422 and api.get_json()["errors"][0]["path"] == "name"

    rename = staff_client.post(
        f"/scenarios/{sid}", data=editor_form(body_of(web_session, sid), name=RESERVED)
    )
    assert rename.status_code == 422
    assert "kept for learners" in rename.get_data(as_text=True)

    copy = staff_client.post(f"/scenarios/{sid}/duplicate", data={"name": RESERVED})
    assert copy.status_code == 422 and "kept for learners" in copy.get_data(as_text=True)

    raw = json.dumps(tiny_scenario()).encode()
    upload = {"file": (io.BytesIO(raw), "x.json"), "name": "Personal plan: test.learner"}
    assert staff_client.post("/scenarios/import", data=upload).status_code == 422

    curriculum = web_session.exec(select(Curriculum)).first()
    built = staff_client.post(
        "/scenarios/new", data={"name": RESERVED, "curriculum": curriculum.id, "everyone": "yes"}
    )
    assert built.status_code == 422 and "kept for learners" in built.get_data(as_text=True)

    assert scenario_names(web_session) == before  # nothing saved


def test_copying_a_learners_plan_gets_a_staff_name(app, staff_client, learner_client, web_session):
    run = plan_my_path(app, learner_client)
    response = staff_client.post(f"/scenarios/{run.scenario_id}/duplicate", data={})
    assert response.status_code == 302
    assert f"copy of {RESERVED} (copy)" in scenario_names(web_session)
    # staff may still edit the learner's own scenario under its own name
    body = body_of(web_session, run.scenario_id)
    saved = staff_client.post(f"/scenarios/{run.scenario_id}", data=editor_form(body))
    assert saved.status_code == 302


def test_a_learners_plan_never_touches_a_staff_scenario(app, learner_client, web_session):
    sid = store(app, tiny_scenario("Staff pilot"))
    staff_body = body_of(web_session, sid)
    run = plan_my_path(app, learner_client)
    assert run.scenario_id != sid
    assert body_of(web_session, run.scenario_id)["name"] == RESERVED
    assert body_of(web_session, sid) == staff_body
