"""JSON API for solving: start a run, poll it, cancel it, fetch a plan file.

    POST /api/v1/scenarios/<id>/solve   -> 202 {"run": {...}}, Location: /api/v1/runs/<run id>
    GET  /api/v1/runs/<id>              -> {"run": {...}} (status, progress, objective, bound)
    POST /api/v1/runs/<id>/cancel       -> 202 {"run": {...}}
    GET  /api/v1/plans/<id>             -> the planner-plan/1 document

Bearer-token auth (staff/admin); errors are {"errors": [{"path", "message"}]}.
"""

from __future__ import annotations

import math

from flask import Blueprint, Response, g, jsonify, url_for

from planner.db import get_session
from planner.models import SolveRun, iso_utc
from planner.security import token_required
from planner.services.planning import jobs
from planner.services.planning import plans as plan_svc
from planner.services.scenarios import editor as scenario_svc
from planner.views.api import BadBody, error, json_body
from planner.views.runners import solves

bp = Blueprint("api_solve", __name__, url_prefix="/api/v1")


def run_json(run: SolveRun) -> dict:
    return {
        "id": run.id,
        "scenario_id": run.scenario_id,
        "status": run.status,
        # "owner" (host:pid of the serving process) is internal bookkeeping, not for clients
        "progress": {k: v for k, v in (run.progress or {}).items() if k != jobs.OWNER_KEY},
        "best_objective": run.best_objective,
        "bound": run.bound,
        "elapsed_s": run.elapsed_s,
        "error": run.error,
        "plan_id": run.plan_id,
        "plan_url": url_for("api_solve.get_plan", plan_id=run.plan_id) if run.plan_id else None,
        "created_at": iso_utc(run.created_at),
        "started_at": iso_utc(run.started_at),
        "finished_at": iso_utc(run.finished_at),
        "url": url_for("api_solve.get_run", run_id=run.id),
    }


def _time_limit_problem(limit) -> str | None:
    """Seconds must be finite and in (0, MAX_TIME_LIMIT_S]: JSON 1e309 parses as inf."""
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0:
        return "must be a number greater than 0"
    if not math.isfinite(limit) or limit > scenario_svc.MAX_TIME_LIMIT_S:
        return f"must be a finite number of at most {scenario_svc.MAX_TIME_LIMIT_S} seconds"
    return None


@bp.post("/scenarios/<int:scenario_id>/solve")
@token_required
def start(scenario_id: int):
    if scenario_svc.get_header(get_session(), scenario_id) is None:
        return error(404, f"no scenario {scenario_id}")
    try:
        body = json_body(required=False) or {}
    except BadBody as exc:
        return exc.response
    if not isinstance(body, dict):
        return error(422, "the request body must be a JSON object")
    limit = body.get("time_limit_s")
    problem = None if limit is None else _time_limit_problem(limit)
    if problem:
        return error(422, problem, "time_limit_s")
    try:
        run_id = solves().submit(scenario_id, time_limit_s=limit, user_id=g.api_user.id)
    except jobs.LimitReached as exc:
        return error(429, str(exc))
    response = _run_response(run_id, 202)
    response.headers["Location"] = url_for("api_solve.get_run", run_id=run_id)
    return response


@bp.get("/runs/<int:run_id>")
@token_required
def get_run(run_id: int):
    return _run_response(run_id)


@bp.post("/runs/<int:run_id>/cancel")
@token_required
def cancel(run_id: int):
    run = jobs.get_run(get_session(), run_id)
    if run is None:
        return error(404, f"no solve run {run_id}")
    if run.status in jobs.FINISHED:
        return error(409, f"run {run_id} already finished ({run.status})")
    solves().cancel(run_id)
    return _run_response(run_id, 202)


def _run_response(run_id: int, status: int = 200):
    """The run as stored now, as {"run": {...}}; 404 when there is none."""
    run = jobs.get_run(get_session(), run_id)
    if run is None:
        return error(404, f"no solve run {run_id}")
    response = jsonify({"run": run_json(run)})
    response.status_code = status
    return response


@bp.get("/plans/<int:plan_id>")
@token_required
def get_plan(plan_id: int):
    session = get_session()
    if plan_svc.plan_header(session, plan_id) is None:
        return error(404, f"no plan {plan_id}")
    return Response(plan_svc.to_json(session, plan_id), mimetype="application/json")
