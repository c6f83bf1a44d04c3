"""Finding 3 replayed: after "Delete my assessment" no copy of the ratings is left —
not the personal plan scenario, its plans and runs, the levels "Plan my path" derived
from the ratings, nor cached parses. The whole database is searched afterwards; an audit
entry records who deleted how much (never the data), and nobody else's data changes.
"""

from __future__ import annotations

import json
import re

from sqlmodel import Session, select

from planner import db
from planner.db import get_engine
from planner.models import (
    Assessment,
    AuditEntry,
    LearnerLevel,
    PlanRecord,
    ScenarioRecord,
    SolveRun,
)
from planner.models.assess import CheckAttempt
from planner.services.analytics import gaps as analytics
from planner.services.planning import jobs, personal, plans
from planner.services.scenarios import editor as scenarios
from tests.fixtures.web import USERS, sign_in_client, user_id
from tests.security.dbdump import dump, text_hits
from tests.web.test_learner_plan import Gate

ME = USERS["learner"].learner_id  # "test.learner"
NAME = f"personal plan: {ME}"
# Tables the deletion may touch; every other table must be byte-for-byte the same.
TOUCHED = ("assessment", "check_attempt", "learner_level", "scenario", "plan", "solve_run",
           "audit_log")  # fmt: skip


def url_of(app) -> str:
    return str(db.get_engine(app).url)


def rate_check_and_plan(app, client):
    """Self-ratings, one knowledge check and a finished personal plan."""
    client.post("/assess/", data={"level-data.sql": "3", "level-data.spreadsheets": "2"})
    page = client.post("/assess/check/data.sql", follow_redirects=True).get_data(as_text=True)
    attempt = re.search(r'action="/assess/check/attempt/(\d+)"', page).group(1)
    client.post(f"/assess/check/attempt/{attempt}", data={})  # unanswered: level 0 evidence
    assert client.post("/assess/plan").status_code == 302
    with Session(db.get_engine(app)) as s:
        run = personal.latest_run(s, ME)
    assert jobs.runner_for(get_engine(app)).wait(run.id, 60)
    with Session(db.get_engine(app)) as s:
        run = s.get(SolveRun, run.id)
        assert run.status == "done", run.error
        return run.scenario_id, run.plan_id


def test_deleting_the_assessment_leaves_no_copy_anywhere(app, learner_client, staff_client):
    other = sign_in_client(app, "other_learner")
    other.post("/assess/", data={"level-data.sql": "1"})  # someone else's data must stay
    scenario_id, plan_id = rate_check_and_plan(app, learner_client)
    # The copies exist before: staff see the personal scenario, its export holds my levels.
    assert NAME in staff_client.get("/scenarios/?q=personal").get_data(as_text=True)
    export = staff_client.get(f"/scenarios/{scenario_id}/export.json").get_data(as_text=True)
    assert '"data.sql": 3' in export or '"data.sql":3' in export
    assert staff_client.get(f"/plans/{plan_id}").status_code == 200
    assert 'class="course-card"' in learner_client.get("/assess/plan").get_data(as_text=True)
    url = url_of(app)
    assert any(t == "scenario" for t, _c, _n in text_hits(url, [ME]))
    untouched_before = dump(url, skip=TOUCHED)
    with Session(db.get_engine(app)) as s:
        others_before = sorted(
            (a.skill_id, a.level, a.source)
            for a in s.exec(select(Assessment).where(Assessment.learner_id != ME))
        )

    assert staff_client.get("/cohort/").status_code == 200  # cohort tables cached
    assert any(cache.items for cache in (analytics._inputs, analytics._tables, analytics._cohorts))

    response = learner_client.post("/assess/delete", data={"confirm": "yes"})
    assert not any(
        cache.items for cache in (analytics._inputs, analytics._tables, analytics._cohorts)
    )
    text = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Deleted your assessment: 2 ratings, 1 knowledge check, your personal plan "
        "(1 plan, 1 run) and 2 skill levels worked out from your ratings." in text
    )

    # Nothing derived is reachable ...
    assert 'class="course-card"' not in learner_client.get("/assess/plan").get_data(as_text=True)
    assert "Latest plan run" not in learner_client.get("/assess/profile").get_data(as_text=True)
    assert NAME not in staff_client.get("/scenarios/?q=personal").get_data(as_text=True)
    assert staff_client.get(f"/scenarios/{scenario_id}/export.json").status_code == 404
    assert staff_client.get(f"/plans/{plan_id}").status_code == 404
    # ... nor stored: search every text and JSON cell of every table for my id and name.
    hits = {(table, column) for table, column, _n in text_hits(url, [ME, NAME])}
    assert hits == {("learner", "id"), ("account", "learner_id")}
    with Session(db.get_engine(app)) as s:
        for model in (Assessment, CheckAttempt, LearnerLevel):
            assert s.exec(select(model).where(model.learner_id == ME)).all() == []
        assert s.get(ScenarioRecord, scenario_id) is None and s.get(PlanRecord, plan_id) is None
        assert s.exec(select(SolveRun).where(SolveRun.scenario_id == scenario_id)).all() == []
        # the audit entry: who, what, when, how many — and no data
        entry = s.exec(select(AuditEntry)).one()
        assert entry.actor_id == user_id(app, USERS["learner"].username)
        assert entry.action == "assessment.delete" and entry.at is not None
        assert entry.counts == {"ratings": 2, "checks": 1, "badges": 0, "derived_levels": 2,
                                "personal_scenarios": 1, "plans": 1, "runs": 1}  # fmt: skip
        assert "data." not in json.dumps(entry.counts)
        others_after = sorted(
            (a.skill_id, a.level, a.source)
            for a in s.exec(select(Assessment).where(Assessment.learner_id != ME))
        )
    assert others_after == others_before and others_after
    assert dump(url, skip=TOUCHED) == untouched_before
    # caches hold no parse of the deleted scenario or plan
    for cache in (plans._plans, plans._catalogs, plans._comparisons):
        assert not any(scenario_id in key or plan_id in key for key in cache.items)
    assert scenarios._parse_cached.cache_info().currsize == 0


def test_a_running_personal_plan_is_stopped_and_stores_nothing(app, learner_client):
    gate = Gate()
    jobs.runner_for(get_engine(app))._solve = gate
    learner_client.post("/assess/", data={"level-data.sql": "3"})
    learner_client.post("/assess/plan")
    assert gate.started.wait(10)
    learner_client.post("/assess/delete", data={"confirm": "yes"})
    url = url_of(app)
    assert {(t, c) for t, c, _n in text_hits(url, [ME, NAME])} == {
        ("learner", "id"),
        ("account", "learner_id"),
    }
    with Session(db.get_engine(app)) as s:
        assert s.exec(select(SolveRun)).all() == []  # the run was stopped, then deleted
        assert s.exec(select(PlanRecord)).all() == []
        assert s.exec(select(ScenarioRecord).where(ScenarioRecord.name == NAME)).all() == []


def test_staff_levels_of_a_learner_who_never_planned_are_kept(app, learner_client, web_session):
    """Only levels derived from the ratings go: without a personal plan none were derived."""
    web_session.add(LearnerLevel(learner_id=ME, skill_id="data.sql", level=2))
    web_session.commit()
    learner_client.post("/assess/", data={"level-data.sql": "4"})
    learner_client.post("/assess/delete", data={"confirm": "yes"})
    web_session.expire_all()
    assert web_session.get(LearnerLevel, (ME, "data.sql")).level == 2


def test_another_learner_cannot_delete_my_assessment(app, learner_client):
    learner_client.post("/assess/", data={"level-data.sql": "3"})
    url = url_of(app)
    before = dump(url)
    other = sign_in_client(app, "other_learner")
    # the other learner's delete acts on their own (empty) assessment only
    other.post("/assess/delete", data={"confirm": "yes", "learner_id": ME})
    after = dump(url, skip=("audit_log",))
    assert after == {k: v for k, v in before.items() if k != "audit_log"}
    staff = sign_in_client(app, "staff")
    assert staff.post("/assess/delete", data={"confirm": "yes"}).status_code == 403
