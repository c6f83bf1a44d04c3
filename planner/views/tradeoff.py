"""Trade-off page: sweep a scenario's budget (or per-term credits) in the background, draw
the budget → remaining-gap curve, and open the plan behind any point."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from planner.db import get_session
from planner.models import ScenarioRecord
from planner.models.sweeps import SweepRun
from planner.scenario import ScenarioError
from planner.security import current_user, staff_required
from planner.services.planning import jobs, tradeoff
from planner.services.scenarios import editor as scenario_svc
from planner.views import or_404
from planner.views.runners import sweeps

bp = Blueprint("tradeoff", __name__, url_prefix="/tradeoff")


def _scenario_or_404(scenario_id: int) -> ScenarioRecord:
    return or_404(
        scenario_svc.get_header(get_session(), scenario_id), f"There is no scenario {scenario_id}."
    )


def _sweep_or_404(sweep_id: int) -> SweepRun:
    return or_404(tradeoff.get(get_session(), sweep_id), f"There is no sweep {sweep_id}.")


def _page(record, form=None, error=None, status=200):
    session = get_session()
    sweeps = tradeoff.latest(session, record.id)
    chosen = request.args.get("sweep", type=int)
    current = next((s for s in sweeps if s.id == chosen), sweeps[0] if sweeps else None)
    return render_template(
        "tradeoff/index.html",
        record=record,
        sweeps=sweeps,
        current=current,
        form=form or tradeoff.suggested_form(session, record.id),
        error=error,
        labels=tradeoff.LABELS,
        max_points=tradeoff.MAX_POINTS,
        **(_panel_context(current) if current else {}),
    ), status


def _panel_context(run) -> dict:
    record = _scenario_or_404(run.scenario_id)
    chart = None
    if any(p["gap"] is not None for p in run.points):
        chart = tradeoff.chart(
            run,
            f"{record.name}: remaining gap by {tradeoff.LABELS[run.parameter]}",
            lambda i: url_for("tradeoff.point", sweep_id=run.id, index=i),
        )
    return {"run": run, "chart": chart}


@bp.get("/scenarios/<int:scenario_id>")
@staff_required
def page(scenario_id: int):
    return _page(_scenario_or_404(scenario_id))


@bp.post("/scenarios/<int:scenario_id>")
@staff_required
def start(scenario_id: int):
    record = _scenario_or_404(scenario_id)
    form = {k: request.form.get(k, "") for k in ("parameter", "values", "time_limit_s")}
    try:
        wanted = tradeoff.parse_request(form["parameter"], form["values"], form["time_limit_s"])
    except tradeoff.SweepError as exc:
        return _page(record, form, exc, 422)
    try:
        sweep_id = sweeps().submit(scenario_id, wanted, user_id=current_user.id)
    except jobs.LimitReached as exc:
        abort(429, description=str(exc))
    return redirect(url_for("tradeoff.page", scenario_id=record.id, sweep=sweep_id))


@bp.get("/sweeps/<int:sweep_id>")
@staff_required
def panel(sweep_id: int):
    run = _sweep_or_404(sweep_id)
    get_session().refresh(run)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("tradeoff.page", scenario_id=run.scenario_id, sweep=run.id))
    return render_template("tradeoff/_panel.html", **_panel_context(run))


@bp.post("/sweeps/<int:sweep_id>/cancel")
@staff_required
def cancel(sweep_id: int):
    _sweep_or_404(sweep_id)
    sweeps().cancel(sweep_id)
    get_session().expire_all()
    run = _sweep_or_404(sweep_id)
    if request.headers.get("HX-Request"):
        return render_template("tradeoff/_panel.html", **_panel_context(run))
    flash("Sweep cancelled; the points found so far are kept.", "success")
    return redirect(url_for("tradeoff.page", scenario_id=run.scenario_id, sweep=run.id))


@bp.get("/sweeps/<int:sweep_id>/points/<int:index>")
@staff_required
def point(sweep_id: int, index: int):
    """A point of the curve: its plan if already opened, else what opening it does."""
    run = _sweep_or_404(sweep_id)
    if not 0 <= index < len(run.points):
        abort(404, description=f"Sweep {sweep_id} has no point {index + 1}.")
    entry = run.points[index]
    if entry.get("plan_id") and tradeoff.plan_exists(get_session(), entry["plan_id"]):
        return redirect(url_for("plans.view", plan_id=entry["plan_id"]))
    record = _scenario_or_404(run.scenario_id)
    return render_template(
        "tradeoff/point.html", run=run, index=index, entry=entry, record=record,
        labels=tradeoff.LABELS,
    )  # fmt: skip


@bp.post("/sweeps/<int:sweep_id>/points/<int:index>")
@staff_required
def open_point(sweep_id: int, index: int):
    session = get_session()
    run = _sweep_or_404(sweep_id)
    try:
        plan_id = tradeoff.open_point(session, run, index)
    except IndexError:
        abort(404, description=f"Sweep {sweep_id} has no point {index + 1}.")
    except ScenarioError as exc:
        session.rollback()
        flash("The plan could not be stored: " + "; ".join(map(str, exc.problems)), "error")
        return redirect(url_for("tradeoff.page", scenario_id=run.scenario_id, sweep=run.id))
    session.commit()
    return redirect(url_for("plans.view", plan_id=plan_id))
