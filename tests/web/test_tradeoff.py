"""Trade-off page: a budget sweep solved in the background through the app's pool, the
curve with hover values, cancel, and opening the plan behind a point."""

import re

import pytest
from sqlmodel import select

from planner.db import get_engine
from planner.models import PlanRecord, ScenarioRecord
from planner.models.sweeps import SweepRun
from planner.scenario import Plan, parse_scenario
from planner.services.planning import tradeoff
from planner.solver.check import check_plan
from tests.web.test_scenarios import store, tiny_scenario


@pytest.fixture
def sid(app):
    return store(app, tiny_scenario())


def start(client, sid, values="0:2000:500", parameter="budget", seconds="5"):
    return client.post(
        f"/tradeoff/scenarios/{sid}",
        data={"parameter": parameter, "values": values, "time_limit_s": seconds},
    )


def sweep_row(web_session, sweep_id) -> SweepRun:
    web_session.expire_all()
    return web_session.get(SweepRun, sweep_id)


def test_a_budget_sweep_runs_in_the_background_and_draws_the_curve(
    app, staff_client, web_session, sid
):
    page = staff_client.get(f"/tradeoff/scenarios/{sid}").get_data(as_text=True)
    assert 'id="sweep-form"' in page and 'id="no-sweep"' in page
    r = start(staff_client, sid)
    assert r.status_code == 302
    sweep_id = int(re.search(r"sweep=(\d+)", r.headers["Location"]).group(1))
    assert tradeoff.runner_for(get_engine(app)).wait(sweep_id, 120)
    run = sweep_row(web_session, sweep_id)
    assert run.status == "done", run.error
    assert [p["value"] for p in run.points] == [0, 500, 1000, 1500, 2000]
    gaps = [p["gap"] for p in run.points]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] > gaps[-1]  # money closes gap
    assert run.points[0]["cost"] == 0 and run.points[0]["pareto"]
    panel = staff_client.get(f"/tradeoff/sweeps/{sweep_id}", headers={"HX-Request": "true"})
    html = panel.get_data(as_text=True)
    assert "<html" not in html and 'data-status="done"' in html and "hx-trigger" not in html
    assert "5 of 5 points solved" in html
    # hover values and a link per point
    assert f"<title>budget 2000: gap {gaps[-1]:g}, cost" in html
    assert html.count('<a href="/tradeoff/sweeps/') == 5


def test_opening_a_point_stores_its_plan_with_a_scenario_at_that_value(
    app, staff_client, web_session, sid
):
    scenarios_before = len(web_session.exec(select(ScenarioRecord)).all())
    r = start(staff_client, sid, values="300,1200")
    sweep_id = int(re.search(r"sweep=(\d+)", r.headers["Location"]).group(1))
    assert tradeoff.runner_for(get_engine(app)).wait(sweep_id, 120)
    page = staff_client.get(f"/tradeoff/sweeps/{sweep_id}/points/1").get_data(as_text=True)
    assert "Total budget 1200" in page and "Open the plan" in page
    assert web_session.exec(select(PlanRecord)).all() == []  # a GET changes nothing
    r = staff_client.post(f"/tradeoff/sweeps/{sweep_id}/points/1")
    assert r.status_code == 302
    plan_id = int(r.headers["Location"].rsplit("/", 1)[1])
    web_session.expire_all()
    record = web_session.get(PlanRecord, plan_id)
    copy = web_session.get(ScenarioRecord, record.scenario_id)
    assert copy.id != sid and copy.body["constraints"] == {"budget": 1200}
    assert copy.name == "Tiny 试点 — budget 1200"
    assert check_plan(parse_scenario(copy.body), Plan.model_validate(record.body)) == []
    assert staff_client.get(f"/plans/{plan_id}").status_code == 200
    # once: the second open (GET or POST) goes to the same plan
    again = staff_client.get(f"/tradeoff/sweeps/{sweep_id}/points/1")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/plans/{plan_id}")
    assert (
        staff_client.post(f"/tradeoff/sweeps/{sweep_id}/points/1")
        .headers["Location"]
        .endswith(f"/plans/{plan_id}")
    )
    assert len(web_session.exec(select(ScenarioRecord)).all()) == scenarios_before + 1
    assert staff_client.get(f"/tradeoff/sweeps/{sweep_id}/points/7").status_code == 404


def test_bad_requests_are_refused_by_field_and_nothing_runs(staff_client, web_session, sid):
    for values, parameter, seconds, text in [
        ("5:1", "budget", "5", "stop ≥ start"),
        ("0:1000:10", "budget", "5", "101 points; at most 40"),
        ("1,2", "hours", "5", "choose one of budget, max_credits"),
        ("1,2", "budget", "0", "between 0 and 3600 seconds"),
    ]:
        r = start(staff_client, sid, values, parameter, seconds)
        assert r.status_code == 422 and text in r.get_data(as_text=True), text
    assert web_session.exec(select(SweepRun)).all() == []


def test_cancel_keeps_the_points_found(app, staff_client, web_session, sid):
    import threading

    from planner.services.planning import jobs

    gate, release = threading.Event(), threading.Event()
    runner = jobs.runner_for(get_engine(app))
    real = runner._solve

    def slow(scenario, **kwargs):  # the second point waits until the test has cancelled
        if gate.is_set():
            release.wait(30)
        gate.set()
        return real(scenario, **kwargs)

    runner._solve = slow
    try:
        r = start(staff_client, sid, values="0,1000,2000")
        sweep_id = int(re.search(r"sweep=(\d+)", r.headers["Location"]).group(1))
        assert gate.wait(30)
        for _ in range(300):
            if sweep_row(web_session, sweep_id).points:
                break
            threading.Event().wait(0.05)
        panel = staff_client.post(
            f"/tradeoff/sweeps/{sweep_id}/cancel", headers={"HX-Request": "true"}
        ).get_data(as_text=True)
        release.set()
        assert tradeoff.runner_for(get_engine(app)).wait(sweep_id, 60)
    finally:
        runner._solve = real
        release.set()
    run = sweep_row(web_session, sweep_id)
    assert run.status == "cancelled" and len(run.points) == 1
    assert 'data-status="cancelled"' in panel or "Cancel" in panel
    page = staff_client.get(f"/tradeoff/scenarios/{sid}?sweep={sweep_id}").get_data(as_text=True)
    assert "Cancelled; the 1 point found so far are kept." in page


def test_tradeoff_is_staff_only(learner_client, client, sid):
    assert learner_client.get(f"/tradeoff/scenarios/{sid}").status_code == 403
    assert client.get(f"/tradeoff/scenarios/{sid}").status_code == 302
    assert learner_client.post(f"/tradeoff/scenarios/{sid}", data={}).status_code == 403


def test_a_sweep_left_running_by_a_dead_server_is_marked_failed(app, web_session, sid):
    import socket
    import subprocess

    from planner.services.planning import jobs

    dead = subprocess.Popen(["true"])
    dead.wait()
    owner = f"{socket.gethostname()}:{dead.pid}:gone"
    row = SweepRun(
        scenario_id=sid, parameter="budget", values=[0, 100], status="running",
        progress={"done": 1, "total": 2, jobs.OWNER_KEY: owner},
    )  # fmt: skip
    web_session.add(row)
    web_session.commit()
    tradeoff.SweepRunner(jobs.runner_for(get_engine(app))).fail_stale()
    run = sweep_row(web_session, row.id)
    assert run.status == "failed" and run.error == jobs.INTERRUPTED


def test_a_credit_limit_sweep(app, staff_client, web_session, sid):
    r = start(staff_client, sid, values="0,3,6", parameter="max_credits")
    sweep_id = int(re.search(r"sweep=(\d+)", r.headers["Location"]).group(1))
    assert tradeoff.runner_for(get_engine(app)).wait(sweep_id, 120)
    run = sweep_row(web_session, sweep_id)
    assert run.status == "done" and [p["value"] for p in run.points] == [0, 3, 6]
    assert run.points[0]["cost"] == 0  # no credits: nothing can be taken
    assert run.points[-1]["gap"] < run.points[0]["gap"]
    r = staff_client.post(f"/tradeoff/sweeps/{sweep_id}/points/1")
    copy = web_session.get(PlanRecord, int(r.headers["Location"].rsplit("/", 1)[1]))
    body = web_session.get(ScenarioRecord, copy.scenario_id).body
    assert {lr.get("max_credits") for lr in body["learners"]} == {3}
