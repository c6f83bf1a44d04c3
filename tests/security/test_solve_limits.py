"""Finding 12: one token queued 100 solves; a 20,000-learner XLSX export ran 112 s in the
request thread. Now each account has a limit on queued + running solves (429 in the web and
the API), and large plan exports are built in the background and downloaded when ready.
A solve's time limit is capped (MAX_TIME_LIMIT_S) wherever it is set: API, editor, stored
scenario."""

from __future__ import annotations

import io
import threading
import time

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from planner import db
from planner.db import get_engine
from planner.models import ExportJob, SolveRun, User
from planner.services.accounts import users as accounts
from planner.services.planning import exports as plan_exports
from planner.services.planning import jobs
from planner.services.scenarios.editor import MAX_TIME_LIMIT_S
from tests.fixtures.web import USERS, bearer, sign_in_client
from tests.web.test_plans import solve
from tests.web.test_scenarios import body_of, editor_form, scenario_names, store, tiny_scenario


@pytest.fixture
def held(app):
    """The app's real worker pool, with a solver that waits until the test lets it go:
    queued and running runs stay active as long as needed."""
    runner = jobs.runner_for(get_engine(app))
    gate = threading.Event()
    real = runner._solve

    def slow_solve(scenario, **kwargs):
        stop = kwargs["stop"]
        while not (gate.is_set() or stop.is_set()):  # like the solver, it obeys cancel
            stop.wait(0.01)
        return real(scenario, **kwargs)

    runner._solve = slow_solve
    yield runner
    gate.set()
    for run_id in runner.active_ids():
        runner.cancel(run_id)
        runner.wait(run_id, 30)
    runner._solve = real


def token_of(app, key: str) -> str:
    with Session(db.get_engine(app)) as session:
        user = session.exec(select(User).where(User.username == USERS[key].username)).one()
        token = accounts.issue_token(session, user)
        session.commit()
    return token


def active_runs(app) -> int:
    with Session(db.get_engine(app)) as session:
        query = select(func.count()).select_from(SolveRun).where(SolveRun.status.in_(jobs.ACTIVE))
        return session.exec(query).one()


def test_api_token_cannot_queue_more_than_three(app, client, held):
    sid = store(app, tiny_scenario())
    staff = {"Authorization": f"Bearer {token_of(app, 'staff')}"}
    answers = [client.post(f"/api/v1/scenarios/{sid}/solve", headers=staff) for _ in range(10)]
    codes = [a.status_code for a in answers]
    assert codes == [202, 202, 202] + [429] * 7
    message = answers[3].get_json()["errors"][0]["message"]
    assert "already have 3 solves queued or running" in message
    assert active_runs(app) == 3
    # The limit is per account: another account still gets its turn.
    admin = {"Authorization": f"Bearer {token_of(app, 'admin')}"}
    assert client.post(f"/api/v1/scenarios/{sid}/solve", headers=admin).status_code == 202
    # Cancelling one frees a place.
    first = answers[0].get_json()["run"]["id"]
    assert client.post(f"/api/v1/runs/{first}/cancel", headers=staff).status_code == 202
    assert held.wait(first, 30)
    assert client.post(f"/api/v1/scenarios/{sid}/solve", headers=staff).status_code == 202


def test_web_solve_button_is_refused_with_429(app, staff_client, held):
    sid = store(app, tiny_scenario())
    for _ in range(3):
        assert staff_client.post(f"/scenarios/{sid}/solve").status_code == 302
    page = staff_client.post(f"/scenarios/{sid}/solve")
    assert page.status_code == 429
    assert "already have 3 solves queued or running" in page.get_data(as_text=True)
    fragment = staff_client.post(f"/scenarios/{sid}/solve", headers={"HX-Request": "true"})
    assert fragment.status_code == 429
    html = fragment.get_data(as_text=True)
    assert 'class="run-panel"' in html and "<html" not in html
    assert active_runs(app) == 3


def test_trade_off_sweeps_count_as_solves(app, client, staff_client, held):
    """Two solves and a sweep fill the account's three places: the next solve is refused,
    and so is the next sweep; nothing more is queued."""
    from planner.models.sweeps import SweepRun
    from planner.services.planning import tradeoff

    sid = store(app, tiny_scenario())
    staff = {"Authorization": f"Bearer {token_of(app, 'staff')}"}
    for _ in range(2):
        assert client.post(f"/api/v1/scenarios/{sid}/solve", headers=staff).status_code == 202
    form = {"parameter": "budget", "values": "0:2000:500", "time_limit_s": "5"}
    started = staff_client.post(f"/tradeoff/scenarios/{sid}", data=form)
    assert started.status_code == 302
    assert client.post(f"/api/v1/scenarios/{sid}/solve", headers=staff).status_code == 429
    refused = staff_client.post(f"/tradeoff/scenarios/{sid}", data=form)
    assert refused.status_code == 429
    assert "already have 3 solves queued or running" in refused.get_data(as_text=True)
    with Session(db.get_engine(app)) as session:
        sweeps = session.exec(select(SweepRun)).all()
    assert len(sweeps) == 1 and active_runs(app) == 2
    # queued behind the held solves
    assert tradeoff.runner_for(get_engine(app)).cancel(sweeps[0].id)


def test_the_overall_queue_has_a_limit_too(app, client, held):
    held.limits = {**held.limits, "PLANNER_MAX_ACTIVE_SOLVES": 2}
    sid = store(app, tiny_scenario())
    staff = {"Authorization": f"Bearer {token_of(app, 'staff')}"}
    admin = {"Authorization": f"Bearer {token_of(app, 'admin')}"}
    assert client.post(f"/api/v1/scenarios/{sid}/solve", headers=staff).status_code == 202
    assert client.post(f"/api/v1/scenarios/{sid}/solve", headers=admin).status_code == 202
    refused = client.post(f"/api/v1/scenarios/{sid}/solve", headers=admin)
    assert refused.status_code == 429 and "queue is full" in refused.get_data(as_text=True)


def test_limits_come_from_the_configuration():
    assert (
        jobs.limits_from({"PLANNER_MAX_ACTIVE_SOLVES_PER_USER": "5"})[
            "PLANNER_MAX_ACTIVE_SOLVES_PER_USER"
        ]
        == 5
    )
    assert jobs.limits_from({})["PLANNER_MAX_ACTIVE_SOLVES_PER_USER"] == 3


# --- background exports ------------------------------------------------------------------------


def exports(app) -> int:
    with Session(db.get_engine(app)) as session:
        return session.exec(select(func.count()).select_from(ExportJob)).one()


def test_a_large_plan_export_runs_in_the_background(app, staff_client):
    sid = store(app, tiny_scenario())
    pid = solve(app, sid)
    app.config["PLANNER_EXPORT_INLINE_ROWS"] = 1  # this plan counts as large
    offer = staff_client.get(f"/plans/{pid}/export.xlsx")
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    assert "prepared in the background" in offer.get_data(as_text=True)
    assert exports(app) == 0  # a GET starts nothing
    view = staff_client.get(f"/plans/{pid}").get_data(as_text=True)
    assert f'href="/plans/{pid}/export.xlsx">Excel' in view  # no download attribute

    started = staff_client.post(f"/plans/{pid}/export/xlsx")
    assert started.status_code == 302
    job_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    assert jobs.runner_for(get_engine(app)).wait_export(job_id, 60)
    status = staff_client.get(f"/plans/exports/{job_id}").get_data(as_text=True)
    assert 'data-status="done"' in status and "Download plan-" in status
    file = staff_client.get(f"/plans/exports/{job_id}/download")
    assert file.status_code == 200
    assert load_workbook(io.BytesIO(file.get_data())).sheetnames[1] == "Schedule"
    # Only its owner sees an export.
    admin = sign_in_client(app, "admin")
    assert admin.get(f"/plans/exports/{job_id}").status_code == 404
    assert admin.get(f"/plans/exports/{job_id}/download").status_code == 404


def test_small_plans_still_download_at_once(app, staff_client):
    pid = solve(app, store(app, tiny_scenario()))
    direct = staff_client.get(f"/plans/{pid}/export.csv")
    assert direct.status_code == 200 and direct.mimetype == "text/csv"
    assert exports(app) == 0


def test_background_exports_are_limited_per_user(app, staff_client, monkeypatch):
    pid = solve(app, store(app, tiny_scenario()))
    gate = threading.Event()
    real = plan_exports.build

    def slow_build(*args):
        gate.wait(30)
        return real(*args)

    monkeypatch.setattr(plan_exports, "build", slow_build)
    try:
        codes = [staff_client.post(f"/plans/{pid}/export/csv").status_code for _ in range(3)]
        assert codes == [302, 302, 429]
        refused = staff_client.post(f"/plans/{pid}/export/xlsx")
        assert "already have 2 exports being prepared" in refused.get_data(as_text=True)
        assert exports(app) == 2
    finally:
        gate.set()
    runner = jobs.runner_for(get_engine(app))
    with Session(db.get_engine(app)) as session:
        ids = session.exec(select(ExportJob.id)).all()
    assert all(runner.wait_export(i, 60) for i in ids)


# --- in a real browser (htmx under the strict CSP) ---------------------------------------------


@pytest.mark.e2e
def test_browser_background_export_and_refused_solve(page, live_server, tmp_path):
    """The export page polls itself (htmx) until the file is ready; the fourth Solve click
    shows the refusal in the run panel (htmx swaps the 429). The `page` fixture fails the
    test on any Content-Security-Policy violation."""
    from tests.fixtures.web import browser_sign_in

    app = live_server.app
    sid = store(app, tiny_scenario(name="Limits in the browser"))
    pid = solve(app, sid)
    runner = jobs.runner_for(get_engine(app))
    app.config["PLANNER_EXPORT_INLINE_ROWS"] = 1
    gate = threading.Event()
    real_build, real_solve = plan_exports.build, runner._solve

    def slow_build(*args):
        gate.wait(10)
        return real_build(*args)

    def held_solve(scenario, **kwargs):
        while not (gate.is_set() or kwargs["stop"].is_set()):
            kwargs["stop"].wait(0.01)
        return real_solve(scenario, **kwargs)

    plan_exports.build, runner._solve = slow_build, held_solve
    try:
        browser_sign_in(page, "staff")
        page.goto(f"/plans/{pid}/export.xlsx")
        page.get_by_role("button", name="Prepare the XLSX file").click()
        page.locator(
            '#export-job[data-status="queued"], #export-job[data-status="running"]'
        ).wait_for()
        gate.set()  # let the export finish: the page updates by itself
        link = page.locator("#export-download")
        link.wait_for(timeout=20_000)
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / "plan.xlsx"
        download.value.save_as(saved)
        assert load_workbook(saved).sheetnames[1] == "Schedule"

        gate.clear()
        page.goto(f"/scenarios/{sid}")
        for expected in range(1, 4):
            page.get_by_role("button", name="Solve", exact=True).click()
            page.locator(".run-panel[data-status]").first.wait_for()
            deadline = time.monotonic() + 10
            while active_runs(app) < expected and time.monotonic() < deadline:
                time.sleep(0.05)
            assert active_runs(app) == expected
        page.get_by_role("button", name="Solve", exact=True).click()
        refused = page.locator("#run-refused")
        refused.wait_for()
        assert "already have 3 solves queued or running" in refused.inner_text()
    finally:
        gate.set()
        plan_exports.build, runner._solve = real_build, real_solve
        app.config.pop("PLANNER_EXPORT_INLINE_ROWS", None)
        for run_id in runner.active_ids():
            runner.cancel(run_id)
            runner.wait(run_id, 30)


def run_count(web_session) -> int:
    web_session.expire_all()
    return len(web_session.exec(select(SolveRun)).all())


@pytest.mark.parametrize("raw", ["1e309", "NaN", "Infinity", "1e9", str(MAX_TIME_LIMIT_S + 1)])
def test_api_refuses_infinite_nan_or_huge_time_limit(app, client, staff_token, web_session, raw):
    sid = store(app, tiny_scenario())
    response = client.post(
        f"/api/v1/scenarios/{sid}/solve",
        headers={**bearer(staff_token), "Content-Type": "application/json"},
        data='{"time_limit_s": ' + raw + "}",
    )
    assert response.status_code == 422
    [problem] = response.get_json()["errors"]
    assert problem["path"] == "time_limit_s" and str(MAX_TIME_LIMIT_S) in problem["message"]
    assert run_count(web_session) == 0


def test_api_accepts_the_cap_itself(app, client, staff_token):
    from planner.services.planning import jobs

    sid = store(app, tiny_scenario())
    response = client.post(
        f"/api/v1/scenarios/{sid}/solve",
        headers=bearer(staff_token),
        json={"time_limit_s": MAX_TIME_LIMIT_S},
    )
    assert response.status_code == 202
    assert jobs.runner_for(get_engine(app)).wait(response.get_json()["run"]["id"], 30)


def test_editor_caps_the_time_limit(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    body = body_of(web_session, sid)
    form = editor_form(body, time_limit_s=str(MAX_TIME_LIMIT_S * 10))
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 422
    assert f"at most {MAX_TIME_LIMIT_S} seconds" in response.get_data(as_text=True)
    assert body_of(web_session, sid) == body  # nothing saved


def test_stored_scenarios_cap_the_time_limit(client, staff_token, web_session):
    body = tiny_scenario()
    body["options"]["time_limit_s"] = 1e9
    response = client.post("/api/v1/scenarios", headers=bearer(staff_token), json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "options.time_limit_s"
    assert scenario_names(web_session).count(body["name"]) == 0
