"""Program design (staff): coverage matrix, role skills no course teaches, prerequisite
chain and blocking metrics, per-role tracks, for a catalogue curriculum or a stored
scenario; exports as CSV or XLSX. The report is `planner program`'s (services/planning/program.py)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from planner.db import get_session
from planner.scenario import ScenarioError
from planner.security import staff_required
from planner.services.planning import program as svc
from planner.views import or_404
from planner.views.downloads import download

bp = Blueprint("program", __name__, url_prefix="/program")

METRIC_ROWS = 60  # the most blocking courses on the page (the CSV has every course)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@staff_required
def index():
    return render_template("program/index.html", curricula=svc.curricula(get_session()))


@bp.get("/scenario/<int:scenario_id>")
@staff_required
def scenario(scenario_id: int):
    page = svc.page_for_scenario(get_session(), scenario_id)
    return _show(or_404(page, f"There is no scenario {scenario_id}."))


@bp.get("/curriculum/<path:curriculum_id>")
@staff_required
def curriculum(curriculum_id: str):
    try:
        page = svc.page_for_curriculum(get_session(), curriculum_id)
    except (ScenarioError, ValueError) as exc:  # the catalogue cannot make a valid program
        problems = getattr(exc, "problems", None) or [str(exc)]
        return render_template(
            "program/index.html",
            curricula=svc.curricula(get_session()),
            problems=[f"{curriculum_id}: {p}" for p in problems],
        ), 422
    return _show(or_404(page, f"There is no curriculum {curriculum_id}."))


def _show(page: svc.ProgramPage):
    export = request.args.get("export", "")
    stem = f"program-{page.source}-{page.ident}"
    if export in ("xlsx", "plans"):
        page.tracks()
    if request.args.get("part") == "tracks":  # the tracks of a large program, by HTMX
        return render_template("program/_tracks.html", page=page, tracks=page.tracks())
    if export == "xlsx":
        return download(page.report.xlsx(), XLSX, f"{stem}.xlsx")
    if export:
        if export not in page.report.frames():
            abort(404, description=f"No table “{export}” to export.")
        return download(
            "\ufeff" + page.report.csv(export), "text/csv; charset=utf-8", f"{stem}-{export}.csv"
        )
    sort = request.args.get("sort", "course")
    ascending = {"asc": True, "desc": False}.get(request.args.get("dir", ""))
    inline = page.tracks_with_page or request.args.get("tracks") == "1"
    return render_template(
        "program/view.html",
        page=page,
        report=page.report,
        tracks=page.tracks() if inline else None,
        sort=sort,
        ascending=ascending,
        coverage=page.coverage_rows(sort, ascending, limit=svc.MATRIX_MAX_ROWS),
        coverage_total=len(page.report.coverage),
        metrics=page.metric_rows(request.args.get("metric", "complexity"), limit=METRIC_ROWS),
        metric_total=len(page.report.metrics),
    )
