"""Cohort view for trainers: weighted skill gap per person, teams × every skill, as a
heatmap table that scrolls in its own box with sticky headers.

`?team=A&team=B` keeps only those teams, `?role=R` only learners of those roles (the two
filters are separate); `?plan=ID` shows the gap left after a saved plan (learners the plan
schedules get its final levels), with `view=before|after|difference`. `/cohort/gaps.csv`
exports the same team × skill table.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from planner.db import get_session
from planner.security import staff_required
from planner.services.analytics import gaps as analytics
from planner.services.catalog import queries as catalog
from planner.views.args import id_arg
from planner.views.downloads import download

bp = Blueprint("cohort", __name__, url_prefix="/cohort")


def _cohort(session):
    """The cohort for the request's filters; 404 for a plan that is missing or unsolved."""
    plan_id = id_arg("plan")
    plan = None
    if plan_id is not None:
        plan = analytics.usable_plan(session, plan_id)
        if plan is None:
            abort(404)
    view = request.args.get("view", "after")
    if view not in analytics.VIEWS:
        abort(400, description=f"view must be one of {', '.join(analytics.VIEWS)}.")
    filters = {
        "teams": [t for t in request.args.getlist("team") if t],
        "roles": request.args.getlist("role"),  # "" = learners without a role
    }
    cohort = analytics.cohort_view(session, view=view, plan=plan, plan_key=plan_id, **filters)
    return cohort, plan_id, filters


@bp.get("/")
@staff_required
def index():
    session = get_session()
    cohort, plan_id, filters = _cohort(session)
    return render_template(
        "cohort/index.html",
        cohort=cohort,
        heat=analytics.heat_rows(cohort),
        worst=analytics.largest_cells(cohort),
        chosen=set(filters["teams"]),
        chosen_roles=set(filters["roles"]),
        role_names=dict(catalog.role_choices(session)),
        plan_id=plan_id,
        plans=analytics.plan_choices(session),
        query=request.query_string.decode(),
    )


@bp.get("/gaps.csv")
@staff_required
def export_csv():
    cohort, plan_id, _ = _cohort(get_session())
    suffix = ""
    if plan_id:
        suffix = f"-plan-{plan_id}" + {"difference": "-difference", "before": "-before"}.get(
            cohort.view, ""
        )
    # A BOM lets spreadsheet programs read UTF-8 team names (品牌) correctly.
    return download("\ufeff" + analytics.cohort_csv(cohort), "text/csv", f"cohort-gaps{suffix}.csv")
