"""Plain words everywhere: run panel stages and elapsed time measured on the server,
plurals, UTC timestamps, empty states, the default New scenario form, navigation."""

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from planner.models import ScenarioRecord, SolveRun, iso_utc
from planner.services.planning import jobs
from planner.views.text import plural
from tests.web.test_plans import solve
from tests.web.test_scenarios import store, tiny_scenario


def test_stage_words_hide_solver_jargon():
    assert jobs.stage_words("gap: column generation round 3") == (
        "Closing as many skill gaps as it can (estimating the best possible, pass 3)"
    )
    assert jobs.stage_words("cost: integer master") == (
        "Keeping the cost down (turning the estimate into whole plans)"
    )
    assert jobs.stage_words("building") == "Preparing the data"
    assert jobs.stage_words("gap", "done") == "Finished"
    assert jobs.stage_words(None, "queued") == "Waiting for a free solver"
    assert jobs.stage_words("something new") == "Searching"


def test_elapsed_counts_from_the_start_on_the_server():
    start = datetime(2027, 1, 1, 9, 0, 0)  # naive, as SQLite returns it
    run = SolveRun(scenario_id=1, status="running", started_at=start, elapsed_s=0.4)
    now = datetime(2027, 1, 1, 9, 0, 12, tzinfo=UTC)
    assert jobs.elapsed_s(run, now) == 12.0  # not the solver's own 0.4 s
    run.status, run.finished_at = "done", start + timedelta(seconds=15)
    assert jobs.elapsed_s(run, now + timedelta(hours=1)) == 15.0  # stops at the end
    assert jobs.elapsed_s(SolveRun(scenario_id=1, status="queued"), now) is None


def test_run_panel_after_the_end(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    solve(app, sid)
    run = web_session.exec(select(SolveRun).where(SolveRun.scenario_id == sid)).one()
    panel = staff_client.get(f"/scenarios/runs/{run.id}").get_data(as_text=True)
    assert re.search(r'id="run-stage">Finished<', panel)
    seconds = float(re.search(r'id="run-elapsed">([\d.]+) s', panel).group(1))
    wall = (run.finished_at - run.started_at).total_seconds()
    # shown to 0.1 s: within rounding of the server's wall time, never below the solve's
    assert abs(seconds - wall) <= 0.06 and seconds >= (run.elapsed_s or 0) - 0.05
    # the editor's flash names an event that stays true, not a state that goes stale
    form = {"then": "solve"}
    from tests.web.test_scenarios import editor_form

    response = staff_client.post(
        f"/scenarios/{sid}", data=editor_form(tiny_scenario(), **form), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Saved, and started solving (run" in page and "Solving…" not in page


def test_plural_and_timestamps():
    assert plural(1, "person") == "1 person" and plural(3, "person") == "3 people"
    assert plural(1, "course") == "1 course" and plural(2500, "course") == "2,500 courses"
    assert plural(1.0, "credit") == "1 credit" and plural(4.5, "credit") == "4.5 credits"
    aware = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    assert iso_utc(aware) == "2027-03-01T09:30:00Z"
    assert iso_utc(aware.replace(tzinfo=None)) == "2027-03-01T09:30:00Z"


def test_one_person_scenario_says_person(app, staff_client):
    body = tiny_scenario()
    body["learners"] = body["learners"][:1]
    body["courses"] = body["courses"][:1]
    sid = store(app, body)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert "1 course · 2 terms · 1 learner group (1 person) · 1 role · 3 skills" in page


def test_assessment_export_timestamp_is_plain_utc(app, learner_client):
    learner_client.post("/assess/", data={"level-data.sql": "2"})
    data = learner_client.get("/assess/export.json").get_json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["exported_at"])
    for rating in data["ratings"]:
        assert rating["created_at"].endswith("Z") and "+00:00" not in rating["created_at"]


def test_search_without_match_says_so(app, staff_client):
    store(app, tiny_scenario("Alpha"))
    page = staff_client.get("/scenarios/?q=zzz-none").get_data(as_text=True)
    assert "No scenario name contains “zzz-none”" in page and "No scenarios yet" not in page
    page = staff_client.get("/catalog/courses/?q=zzz-none").get_data(as_text=True)
    assert "Nothing matches “zzz-none”" in page


def test_empty_scenario_says_what_to_add(app, staff_client):
    body = tiny_scenario("Empty")
    body["learners"] = []
    sid = store(app, body)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert 'id="scenario-empty"' in page and "has no learners" in page
    plan_id = solve(app, sid)
    page = staff_client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert 'id="plan-empty"' in page and "Nothing to plan" in page


def test_default_new_scenario_form_works(app, staff_client, web_session):
    """The form as the page first shows it (first curriculum selected) creates a scenario."""
    page = staff_client.get("/scenarios/").get_data(as_text=True)
    form = page[page.index('id="new-curriculum"') :]
    selected = re.search(r'<option value="([^"]*)" selected>', form).group(1)
    assert selected  # a curriculum, not "All courses"
    everyone = re.search(r'<input type="checkbox" name="everyone" value="yes" ?([a-z]*)>', form)
    assert everyone.group(1) == "checked"  # the whole curriculum, said in plain sight
    response = staff_client.post(
        "/scenarios/new",
        data={"name": "Default form", "curriculum": selected, "calendar": "", "everyone": "yes"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    record = web_session.exec(
        select(ScenarioRecord).where(ScenarioRecord.name == "Default form")
    ).one()
    assert record.body["terms"] and record.body["courses"]
    # "All courses" without a calendar explains what to choose
    response = staff_client.post(
        "/scenarios/new", data={"name": "No calendar", "curriculum": "", "everyone": "yes"}
    )
    assert response.status_code == 422
    assert "choose a curriculum (its calendar is used) or a term calendar" in response.get_data(
        as_text=True
    )


def test_navigation_links_program_and_calibration_and_favicon(staff_client, client):
    page = staff_client.get("/").get_data(as_text=True)
    assert 'href="/program/"' in page and 'href="/assess/report"' in page
    assert "data-nav-toggle" in page and 'rel="icon"' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon.headers["Location"].endswith("/static/favicon.svg")
    assert client.get("/static/favicon.svg").status_code == 200


def test_objective_parts_by_name_without_estimates():
    best = {"gap: column generation round 2": 7.5, "gap: integer master": 9, "cost": 300}
    assert jobs.objective_parts(best, plans_only=True) == [("gap", 9), ("cost", 300)]
    assert jobs.objective_parts({"gap: column generation round 2": 7.5}) == [("gap", 7.5)]
    assert jobs.objective_parts(None) == []
