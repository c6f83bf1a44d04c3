"""Solve API: start a run (202), poll it, cancel it, fetch the plan file; token auth."""

import json

from planner.db import get_engine
from planner.scenario import Plan, parse_scenario
from planner.scenario.generate import sized_body
from planner.services.planning import jobs
from planner.solver.check import check_plan
from tests.fixtures.web import bearer
from tests.web.test_scenarios import store, tiny_scenario


def test_solve_poll_and_fetch_plan(app, client, staff_token):
    sid = store(app, tiny_scenario())
    response = client.post(f"/api/v1/scenarios/{sid}/solve", headers=bearer(staff_token))
    assert response.status_code == 202
    run = response.get_json()["run"]
    assert run["status"] in ("queued", "running", "done")
    assert response.headers["Location"].endswith(f"/api/v1/runs/{run['id']}")
    assert jobs.runner_for(get_engine(app)).wait(run["id"], 30)

    polled = client.get(f"/api/v1/runs/{run['id']}", headers=bearer(staff_token)).get_json()["run"]
    assert polled["status"] == "done" and polled["plan_id"]
    assert polled["best_objective"]["gap"] >= 0
    assert "owner" not in polled["progress"]  # the serving process's host:pid stays internal

    plan_response = client.get(polled["plan_url"], headers=bearer(staff_token))
    assert plan_response.status_code == 200 and plan_response.mimetype == "application/json"
    plan = Plan.model_validate(json.loads(plan_response.get_data(as_text=True)))
    assert check_plan(parse_scenario(tiny_scenario()), plan) == []


def test_solve_api_errors_are_json(app, client, staff_token):
    sid = store(app, tiny_scenario())
    for method, url in (
        ("post", f"/api/v1/scenarios/{sid}/solve"),
        ("get", "/api/v1/runs/1"),
        ("get", "/api/v1/plans/1"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 401
        assert response.get_json()["errors"][0]["message"].startswith("missing bearer token")
    assert (
        client.post("/api/v1/scenarios/9999/solve", headers=bearer(staff_token)).status_code == 404
    )
    assert client.get("/api/v1/runs/9999", headers=bearer(staff_token)).status_code == 404
    assert client.get("/api/v1/plans/9999", headers=bearer(staff_token)).status_code == 404
    bad = client.post(
        f"/api/v1/scenarios/{sid}/solve", headers=bearer(staff_token), json={"time_limit_s": -1}
    )
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [
        {"path": "time_limit_s", "message": "must be a number greater than 0"}
    ]


def test_cancel_via_api(app, client, staff_token):
    body = sized_body(courses=60, learners=40, skills=60, capacity=25, seed=11)
    sid = store(app, body)
    run = client.post(
        f"/api/v1/scenarios/{sid}/solve", headers=bearer(staff_token), json={"time_limit_s": 60}
    ).get_json()["run"]
    response = client.post(f"/api/v1/runs/{run['id']}/cancel", headers=bearer(staff_token))
    assert response.status_code == 202
    assert jobs.runner_for(get_engine(app)).wait(run["id"], 5)
    polled = client.get(f"/api/v1/runs/{run['id']}", headers=bearer(staff_token)).get_json()["run"]
    assert polled["status"] == "cancelled" and polled["plan_id"] is None
    again = client.post(f"/api/v1/runs/{run['id']}/cancel", headers=bearer(staff_token))
    assert again.status_code == 409
