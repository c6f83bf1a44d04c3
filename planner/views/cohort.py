"""Cohort view for trainers: weighted skill gap per person, teams × skills, as a heatmap."""

from __future__ import annotations

from flask import Blueprint, render_template

from planner.db import get_session
from planner.security import staff_required
from planner.services import charts
from planner.services import plans as svc

bp = Blueprint("cohort", __name__, url_prefix="/cohort")


@bp.get("/")
@staff_required
def index():
    cohort = svc.cohort_gaps(get_session())
    chart = None
    if cohort.teams and cohort.skills:
        # skills down, teams across: dozens of skills stay readable, teams are few
        chart = charts.heatmap(
            [cohort.names[s] for s in cohort.skills],
            [f"{t} ({cohort.people[t]})" for t in cohort.teams],
            [list(col) for col in zip(*cohort.values, strict=True)],
            title="Weighted gap per person",
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
    return render_template("cohort/index.html", cohort=cohort, chart=chart, worst=worst)
