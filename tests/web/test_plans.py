"""Plan pages: grid, gaps, radar, diagnosis fixes, comparison, exports, cohort heatmap.

Plans are made by really solving through the app's worker pool."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from planner.db import get_engine
from planner.models import Learner, LearnerLevel, PlanRecord, ScenarioRecord, SolveRun
from planner.scenario import Plan, parse_scenario
from planner.services.planning import jobs
from planner.solver.check import check_plan
from tests.web.test_scenarios import store, tiny_scenario


def solve(app, sid) -> int:
    """Solve through the pool; return the new plan's id."""
    from planner.db import get_engine, session_scope

    runner = jobs.runner_for(get_engine(app))
    run_id = runner.submit(sid)
    assert runner.wait(run_id, 60)
    with session_scope(get_engine(app)) as session:
        run = session.get(SolveRun, run_id)
        assert run.status == "done", run.error
        return run.plan_id


@pytest.fixture
def solved(app):
    sid = store(app, tiny_scenario())
    return sid, solve(app, sid)


def test_plan_view_grid_gaps_radar(staff_client, solved):
    sid, pid = solved
    page = staff_client.get(f"/plans/{pid}").get_data(as_text=True)
    assert 'id="term-grid"' in page and 'data-course="SQL1"' in page
    assert "raises" in page  # the reason the course was chosen
    assert 'id="gap-table"' in page and "Prompt design" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'data-series="after plan"' in page and 'data-series="needed"' in page
    other = staff_client.get(
        f"/plans/{pid}?learner=wang.wei",
        headers={"HX-Request": "true", "HX-Target": "learner-plan"},
    ).get_data(as_text=True)
    assert "wang.wei" in other and "× 3 people" in other and "<html" not in other


def test_plan_view_404_and_auth(client, learner_client, staff_client, solved):
    _, pid = solved
    assert staff_client.get("/plans/99999").status_code == 404
    assert learner_client.get(f"/plans/{pid}").status_code == 403
    assert client.get(f"/plans/{pid}").status_code == 302


def test_plans_index_lists_saved_plans(staff_client, solved):
    _, pid = solved
    page = staff_client.get("/plans/").get_data(as_text=True)
    assert f"/plans/{pid}" in page and "Tiny 试点" in page


def test_exports(staff_client, web_session, solved):
    sid, pid = solved
    scenario = parse_scenario(web_session.get(ScenarioRecord, sid).body)

    response = staff_client.get(f"/plans/{pid}/export.json")
    assert response.headers["Content-Disposition"] == f'attachment; filename="plan-{pid}.json"'
    plan = Plan.model_validate(json.loads(response.get_data(as_text=True)))
    assert check_plan(scenario, plan) == []

    text = staff_client.get(f"/plans/{pid}/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    taken = sorted((lp.id, c) for lp in plan.learners for cs in lp.schedule.values() for c in cs)
    assert sorted((r["learner"], r["course"]) for r in rows) == taken
    assert all(r["reason"] for r in rows)

    data = staff_client.get(f"/plans/{pid}/export.xlsx").get_data()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Summary", "Schedule", "Gaps", "Sections"]
    assert wb["Schedule"].max_row == len(taken) + 1

    page = staff_client.get(f"/plans/{pid}/print").get_data(as_text=True)
    assert "plans.css" in page and "wang.wei" in page  # styles are static files (CSP)
    assert "@media print" in staff_client.get("/static/plans.css").get_data(as_text=True)


def test_compare_two_plans(app, staff_client, web_session, solved):
    sid, first = solved
    record = web_session.get(ScenarioRecord, sid)
    body = dict(record.body)
    body["terms"] = [{**t, "max_credits": 3} for t in body["terms"]]  # tighter: less learnt
    record.body = body
    web_session.add(record)
    web_session.commit()
    second = solve(app, sid)
    page = staff_client.get(f"/plans/compare?a={first}&b={second}").get_data(as_text=True)
    assert 'id="objective-table"' in page and 'id="changes-table"' in page
    assert "removed from" in page or "added in" in page or "→" in page
    assert 'id="gap-compare"' in page and "SQL" in page
    a = Plan.model_validate(web_session.get(PlanRecord, first).body)
    b = Plan.model_validate(web_session.get(PlanRecord, second).body)
    assert b.objective["gap"] > a.objective["gap"]
    assert staff_client.get("/plans/compare?a=x").status_code == 400


def test_infeasible_plan_offers_fixes_that_solve_a_copy(app, staff_client, web_session):
    body = tiny_scenario("Needs a fix")
    body["courses"][2]["offered"] = ["fall"]
    body["learners"][0]["pinned"] = {"AI1": "2027-1"}  # 2027-1 is spring: impossible
    sid = store(app, body)
    pid = solve(app, sid)
    page = staff_client.get(f"/plans/{pid}").get_data(as_text=True)
    assert "INFEASIBLE" in page and 'id="diagnosis"' in page
    assert "li.na must take AI1 in its pinned term" in page or "pinned:li.na:AI1" in page
    assert "Apply &amp; re-solve" in page
    original = web_session.get(ScenarioRecord, sid).body

    response = staff_client.post(f"/plans/{pid}/fixes/0")
    assert response.status_code == 302
    copy_id = int(response.headers["Location"].split("/scenarios/")[1].split("?")[0])
    assert copy_id != sid
    run = web_session.exec(select(SolveRun).where(SolveRun.scenario_id == copy_id)).one()
    assert jobs.runner_for(get_engine(app)).wait(run.id, 60)
    web_session.expire_all()
    run = web_session.get(SolveRun, run.id)
    assert run.status == "done"
    fixed = web_session.get(PlanRecord, run.plan_id)
    assert fixed.status in ("OPTIMAL", "FEASIBLE")
    assert web_session.get(ScenarioRecord, sid).body == original  # the original is untouched
    assert staff_client.post(f"/plans/{pid}/fixes/99").status_code == 404


def test_cohort_heatmap(staff_client, web_session):
    learners = web_session.exec(select(Learner).where(Learner.role_id.is_not(None))).all()
    for i, learner in enumerate(learners[:6]):
        learner.team = ["Brand 品牌", "Growth"][i % 2]
        web_session.add(learner)
    web_session.commit()
    page = staff_client.get("/cohort/").get_data(as_text=True)
    assert 'id="heatmap"' in page and "Brand 品牌" in page and "Growth" in page
    assert 'class="cell heat-' in page
    # a level raised to the need removes that cell's gap
    web_session.add(LearnerLevel(learner_id=learners[0].id, skill_id="data.sql", level=4))
    web_session.commit()
    assert staff_client.get("/cohort/").status_code == 200


def test_numeric_fix_applies_only_itself_with_a_short_name(app, staff_client, web_session):
    """Credits per term far too low with "close every gap": the first fix raises that one
    field to the least value that works; the copy keeps every other rule (the staff-
    required course, the gap mode), the editor shows the real state, the name is short."""
    body = tiny_scenario("Credits far too low")
    body["gap_mode"] = "close"
    for learner in body["learners"]:
        learner["max_credits"] = 2
    body["learners"][0]["required"] = ["MKT1"]
    sid = store(app, body)
    pid = solve(app, sid)
    plan = Plan.model_validate(web_session.get(PlanRecord, pid).body)
    assert plan.status == "INFEASIBLE"
    first = plan.diagnosis.fixes[0]
    assert {c.relax for c in first.changes} == {
        "learner_max_credits:li.na",
        "learner_max_credits:wang.wei",
    }
    assert {c.to for c in first.changes} == {6}  # 5 is too few for li.na's 11 credits

    response = staff_client.post(f"/plans/{pid}/fixes/0")
    assert response.status_code == 302
    copy_id = int(response.headers["Location"].split("/scenarios/")[1].split("?")[0])
    web_session.expire_all()
    copy = web_session.get(ScenarioRecord, copy_id)
    assert copy.name == "Credits far too low — credits per term 6"
    assert copy.body["gap_mode"] == "close"
    assert copy.body["learners"][0]["required"] == ["MKT1"]
    assert all("gap_mode" not in lr for lr in copy.body["learners"])
    page = staff_client.get(f"/scenarios/{copy_id}").get_data(as_text=True)
    assert 'name="learner_max_credits" value="6"' in page
    rules = page.split('id="rules-table"')[1].split("</table>")[0]
    assert 'value="required:li.na:MKT1"' in rules and "gap_mode" not in rules
    assert 'value="close" selected' in page
