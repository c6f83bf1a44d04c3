"""Scenario editor pages: list, build, edit with validation messages, copy, import/export,
and the solve panel going through the real worker pool."""

import io
import json
import time

from sqlmodel import select

from planner.db import get_engine
from planner.models import PlanRecord, ScenarioRecord, SolveRun
from planner.scenario.generate import sized_body
from planner.services.planning import jobs
from planner.services.scenarios import editor as scenarios


def tiny_scenario(name="Tiny 试点"):
    """Two learners, four courses, two terms: solves in well under a second."""
    return {
        "format": "planner-scenario/1",
        "name": name,
        "skills": [
            {"id": "data.sql", "name": "SQL"},
            {"id": "ai.prompt", "name": "Prompt design"},
            {"id": "mkt.seg", "name": "Segmentation"},
        ],
        "roles": [
            {"id": "analyst", "name": "Analyst", "requires": {"data.sql": 3, "ai.prompt": 2, "mkt.seg": 2},
             "weights": {"data.sql": 2}},
        ],
        "terms": [
            {"id": "2027-1", "season": "spring", "max_credits": 6},
            {"id": "2027-2", "season": "fall", "max_credits": 6},
        ],
        "courses": [
            {"id": "SQL1", "title": "SQL basics", "credits": 3, "cost": 300,
             "teaches": {"data.sql": 2}},
            {"id": "SQL2", "title": "Marketing SQL", "credits": 3, "cost": 500,
             "teaches": {"data.sql": 3}, "prerequisites": ["SQL1"]},
            {"id": "AI1", "title": "Prompting for marketers", "credits": 2, "cost": 200,
             "teaches": {"ai.prompt": 2}},
            {"id": "MKT1", "title": "Segmentation", "credits": 3, "cost": 100,
             "teaches": {"mkt.seg": 2}},
        ],
        "learners": [
            {"id": "li.na", "role": "analyst", "levels": {"data.sql": 1}},
            {"id": "wang.wei", "role": "analyst", "count": 3},
        ],
        "options": {"time_limit_s": 10, "workers": 2},
    }  # fmt: skip


def store(app, body) -> int:
    from planner.db import get_engine, session_scope

    with session_scope(get_engine(app)) as session:
        return scenarios.save_new(session, body).id


def body_of(web_session, sid) -> dict:
    web_session.expire_all()
    return web_session.get(ScenarioRecord, sid).body


def editor_form(body, **changes) -> dict:
    values = scenarios.editor_values(body)
    form = {
        "name": values.name,
        "learner_max_credits": values.learner_max_credits,
        "learner_budget": values.learner_budget,
        "budget": values.budget,
        "gap_mode": values.gap_mode,
        "time_limit_s": values.time_limit_s,
        "rules": values.rules,
    }
    for i, name in enumerate(values.objective, start=1):
        form[f"objective_{i}"] = name
    for term, v in values.term_max.items():
        form[f"term_max.{term}"] = v
    for term, v in values.term_min.items():
        form[f"term_min.{term}"] = v
    form["version"] = "1"  # the page's hidden edit version of a freshly stored scenario
    form.update(changes)
    return form


def test_list_needs_staff(client, learner_client):
    assert client.get("/scenarios/").status_code == 302
    assert learner_client.get("/scenarios/").status_code == 403


def test_list_search_and_htmx_partial(app, staff_client):
    store(app, tiny_scenario("Alpha plan"))
    store(app, tiny_scenario("Beta plan"))
    page = staff_client.get("/scenarios/?q=Alpha").get_data(as_text=True)
    assert "Alpha plan" in page and "Beta plan" not in page
    partial = staff_client.get(
        "/scenarios/?q=Beta", headers={"HX-Request": "true", "HX-Target": "results"}
    ).get_data(as_text=True)
    assert "Beta plan" in partial and "<html" not in partial


def test_editor_shows_values(app, staff_client):
    body = tiny_scenario()
    body["learners"][0]["pinned"] = {"AI1": "2027-2"}
    sid = store(app, body)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert "Tiny 试点" in page
    assert 'name="term_max.2027-1"' in page and 'value="6"' in page
    assert "pinned:li.na:AI1:2027-2" in page


def test_save_changes_constraints(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    form = editor_form(
        tiny_scenario(),
        **{
            "term_max.2027-1": "9",
            "budget": "2500",
            "learner_budget": "800",
            "gap_mode": "close",
            "objective_1": "cost",
            "objective_2": "gap",
            "objective_3": "",
            "objective_4": "",
            "time_limit_s": "5",
            "rules": "required:li.na:MKT1\nexcluded:wang.wei:AI1\npinned:li.na:SQL1:2027-1\n"
            "learner_max_credits:wang.wei:4",
        },
    )
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 302
    body = body_of(web_session, sid)
    assert body["terms"][0]["max_credits"] == 9
    assert body["constraints"] == {"budget": 2500}
    assert body["gap_mode"] == "close"
    assert body["objective"] == ["cost", "gap"]
    assert body["options"]["time_limit_s"] == 5
    li, wang = body["learners"]
    assert li["required"] == ["MKT1"] and li["pinned"] == {"SQL1": "2027-1"}
    assert li["budget"] == 800 and wang["budget"] == 800
    assert wang["excluded"] == ["AI1"] and wang["max_credits"] == 4
    scenarios.parse_scenario(body)  # still a valid scenario file


def test_save_reports_every_problem_beside_its_field(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    before = body_of(web_session, sid)
    form = editor_form(
        tiny_scenario(),
        **{
            "term_max.2027-2": "lots",
            "term_min.2027-1": "8",
            "budget": "-5",
            "objective_1": "gap",
            "objective_2": "gap",
            "name": "",
            "rules": "required:nobody:SQL1\npinned:li.na:SQL1:2099-9\nrequired:li.na:NOPE\n"
            "excluded:li.na:SQL1\nrequired:li.na:SQL1\nfrobnicate:li.na:x",
        },
    )
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for text in (
        "term_max.2027-2",
        "not a number: &#39;lots&#39;",
        "min credits 8 exceed max 6",
        "must be ≥ 0",
        "&#34;gap&#34; chosen 2 times",
        "a scenario needs a name",
        "rules line 1",
        "unknown learner &#34;nobody&#34;",
        "rules line 6",
        "unknown rule &#34;frobnicate&#34;",
        "learners[0].pinned.SQL1",  # contract problems carry their JSON path
        "learners[0].required[0]",
    ):
        assert text in page, text
    assert body_of(web_session, sid) == before  # nothing saved


def test_duplicate_export_import_roundtrip(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    response = staff_client.post(f"/scenarios/{sid}/duplicate", data={})
    assert response.status_code == 302
    copy_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert copy_id != sid
    assert body_of(web_session, copy_id)["name"] == "Tiny 试点 (copy)"

    exported = staff_client.get(f"/scenarios/{sid}/export.json")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(exported.get_data(as_text=True))
    assert data["format"] == "planner-scenario/1" and data["name"] == "Tiny 试点"

    upload = {"file": (io.BytesIO(json.dumps(data).encode()), "x.json"), "name": "Imported"}
    response = staff_client.post("/scenarios/import", data=upload)
    assert response.status_code == 302
    new_id = int(response.headers["Location"].split("/")[-1])
    assert body_of(web_session, new_id)["courses"] == body_of(web_session, sid)["courses"]


def test_import_lists_problems_with_paths(staff_client, web_session):
    bad = tiny_scenario()
    bad["courses"][0]["teaches"] = {"data.sq1": 2}
    bad["learners"][0]["colour"] = "blue"
    before = len(web_session.exec(select(ScenarioRecord.id)).all())
    upload = {"file": (io.BytesIO(json.dumps(bad).encode()), "bad.json")}
    response = staff_client.post("/scenarios/import", data=upload)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "learners[0].colour" in page and "unknown key" in page
    broken = {"file": (io.BytesIO(b'{"format": '), "broken.json")}
    page = staff_client.post("/scenarios/import", data=broken).get_data(as_text=True)
    assert "invalid JSON at line 1" in page
    assert len(web_session.exec(select(ScenarioRecord.id)).all()) == before


def test_create_from_catalog(staff_client, web_session):
    from planner.models import Curriculum

    curriculum = web_session.exec(select(Curriculum).order_by(Curriculum.id)).first()
    response = staff_client.post(
        "/scenarios/new",
        data={"name": "From catalogue", "curriculum": curriculum.id, "everyone": "yes"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    record = web_session.exec(
        select(ScenarioRecord).where(ScenarioRecord.name == "From catalogue")
    ).one()
    assert response.location == f"/scenarios/{record.id}"
    assert record.body["courses"] and record.body["learners"]
    missing = staff_client.post("/scenarios/new", data={"name": ""})
    assert missing.status_code == 422 and "a scenario needs a name" in missing.get_data(
        as_text=True
    )


def wait_run(app, run_id, timeout=30):
    assert jobs.runner_for(get_engine(app)).wait(run_id, timeout)


def test_solve_panel_runs_through_the_pool(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    response = staff_client.post(f"/scenarios/{sid}/solve", headers={"HX-Request": "true"})
    assert response.status_code == 200
    panel = response.get_data(as_text=True)
    assert 'hx-trigger="every' in panel and "Cancel" in panel
    run = web_session.exec(select(SolveRun).where(SolveRun.scenario_id == sid)).one()
    wait_run(app, run.id)
    panel = staff_client.get(f"/scenarios/runs/{run.id}").get_data(as_text=True)
    assert 'data-status="done"' in panel
    assert 'hx-trigger="every' not in panel  # polling stops
    assert 'id="term-grid"' in panel and "OPTIMAL" in panel  # the plan appears in place
    plan = web_session.exec(select(PlanRecord).where(PlanRecord.scenario_id == sid)).one()
    assert f"/plans/{plan.id}" in panel


def test_save_and_solve_then_cancel(app, staff_client, web_session):
    body = sized_body(courses=60, learners=40, skills=60, capacity=25, seed=11)
    sid = store(app, body)
    form = editor_form(body, then="solve", time_limit_s="60")
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 302
    run = web_session.exec(select(SolveRun).where(SolveRun.scenario_id == sid)).one()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        web_session.expire_all()
        if web_session.get(SolveRun, run.id).status == "running":
            break
        time.sleep(0.05)
    started = time.monotonic()
    panel = staff_client.post(
        f"/scenarios/runs/{run.id}/cancel", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "Cancel" in panel or "cancelled" in panel
    wait_run(app, run.id, 5)
    assert time.monotonic() - started < 3
    web_session.expire_all()
    assert web_session.get(SolveRun, run.id).status == "cancelled"
    panel = staff_client.get(f"/scenarios/runs/{run.id}").get_data(as_text=True)
    assert "Earlier plans are unchanged" in panel


def test_delete_scenario(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    assert staff_client.post(f"/scenarios/{sid}/delete").status_code == 302
    web_session.expire_all()
    assert web_session.get(ScenarioRecord, sid) is None
    assert staff_client.get(f"/scenarios/{sid}").status_code == 404


def scenario_names(web_session) -> list[str]:
    web_session.expire_all()
    return list(web_session.exec(select(ScenarioRecord.name)).all())
