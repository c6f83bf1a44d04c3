"""The app's background runners for the views: one solve runner and one sweep runner per
database, started by the app factory (planner.create_app)."""

from __future__ import annotations

from flask import abort

from planner.db import get_engine
from planner.security import current_user
from planner.services.planning import jobs, tradeoff


def solves() -> jobs.JobRunner:
    return jobs.runner_for(get_engine())


def sweeps() -> tradeoff.SweepRunner:
    return tradeoff.runner_for(get_engine())


def solve_saved(scenario_id: int, what: str) -> int:
    """Queue a solve of a scenario just saved, for the signed-in user; past a solve limit,
    429 saying that `what` ("The scenario") was saved but not solved."""
    try:
        return solves().submit(scenario_id, user_id=current_user.id)
    except jobs.LimitReached as exc:
        abort(429, description=f"{what} was saved, but not solved. {exc}")
