"""Cohort view for trainers: weighted skill gap per person, teams × skills, as a heatmap.

`?team=A&team=B` keeps only those teams; `?plan=ID` shows the gap left after a saved plan
(learners the plan schedules get its final levels). `/cohort/gaps.csv` exports the same
team × skill table with every needed skill.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from planner.db import get_session
from planner.security import staff_required
from planner.services import analytics, charts
from planner.services import plans as plan_svc
from planner.views.args import id_arg
from planner.views.downloads import download

bp = Blueprint("cohort", __name__, url_prefix="/cohort")


def _cohort(session):
    """The cohort for the request's filters; 404 for a plan that is missing or unsolved."""
    plan_id = id_arg("plan")
    plan = None
    if plan_id is not None:
        header = plan_svc.plan_header(session, plan_id)
        if header is None or header.status not in analytics.USABLE:
            abort(404)
        plan = plan_svc.plan_model(session, plan_id)
    teams = [t for t in request.args.getlist("team") if t]
    cohort = analytics.cohort_gaps(session, teams=teams, plan=plan, plan_key=plan_id)
    return cohort, plan_id, teams


@bp.get("/")
@staff_required
def index():
    session = get_session()
    cohort, plan_id, teams = _cohort(session)
    chart = None
    if cohort.teams and cohort.skills:
        # skills down, teams across: dozens of skills stay readable, teams are few
        chart = charts.heatmap(
            [cohort.names[s] for s in cohort.skills],
            [f"{t} ({cohort.people[t]})" for t in cohort.teams],
            [list(col) for col in zip(*cohort.values, strict=True)],
            title="Weighted gap per person" + (" after the plan" if plan_id else ""),
            cell=44,
        )
    worst = sorted(
        (
            (value, team, cohort.names[skill])
            for team, row in zip(cohort.teams, cohort.values, strict=True)
            for skill, value in zip(cohort.skills, row, strict=True)
            if value
        ),
        reverse=True,
    )[:8]
    return render_template(
        "cohort/index.html",
        cohort=cohort,
        chart=chart,
        worst=worst,
        chosen=set(teams),
        plan_id=plan_id,
        plans=analytics.plan_choices(session),
        query=request.query_string.decode(),
    )


@bp.get("/gaps.csv")
@staff_required
def export_csv():
    cohort, plan_id, _ = _cohort(get_session())
    name = f"cohort-gaps-plan-{plan_id}.csv" if plan_id else "cohort-gaps.csv"
    # A BOM lets spreadsheet programs read UTF-8 team names (品牌) correctly.
    return download("\ufeff" + analytics.cohort_csv(cohort), "text/csv", name)
