"""Plan pages: the term grid, residual gaps and radar per learner, the infeasibility
diagnosis with its fixes, side-by-side comparison, and exports (CSV, XLSX, JSON, print)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from planner.db import get_session
from planner.models import ExportJob, PlanRecord
from planner.scenario import ScenarioError
from planner.security import current_user, staff_required
from planner.services.catalog.search import Page
from planner.services.planning import exports as plan_exports
from planner.services.planning import fixes, jobs
from planner.services.planning import plans as svc
from planner.solver.labels import rule_words
from planner.views import or_404
from planner.views.args import id_arg, page_arg
from planner.views.downloads import download
from planner.views.runners import solve_saved, solves

bp = Blueprint("plans", __name__, url_prefix="/plans")

LEARNERS_PER_PAGE = 40
PER_PAGE = 30


@bp.get("/")
@staff_required
def index():
    """Every saved plan, newest first (bodies are not loaded)."""
    session = get_session()
    page_no = page_arg()
    rows, total = svc.all_plans(session, page_no, PER_PAGE)
    page = Page(rows, total, page_no, PER_PAGE, "")
    return render_template("plans/index.html", page=page)


def _header_or_404(session, plan_id: int) -> PlanRecord:
    return or_404(svc.plan_header(session, plan_id), f"There is no plan {plan_id}.")


def plan_context(session, plan_id: int, learner_id: str | None, embedded=False, page_no=1):
    """Everything the plan view shows for one learner (the first one by default)."""
    header = _header_or_404(session, plan_id)
    catalog_ = svc.catalog_for(session, header.scenario_id)
    plan = svc.plan_model(session, plan_id)
    ids = [lp.id for lp in plan.learners]
    if learner_id not in ids:
        learner_id = ids[0] if ids else None
    start = (page_no - 1) * LEARNERS_PER_PAGE
    learner_page = Page(
        ids[start : start + LEARNERS_PER_PAGE], len(ids), page_no, LEARNERS_PER_PAGE
    )
    context = {
        "export_in_background": plan_exports.schedule_rows(plan)
        > plan_exports.inline_max_rows(current_app.config),
        # names and teams of the listed page and the shown learner (not all 5,000)
        "people": svc.people_of(session, [*learner_page.items, learner_id or ""]),
        "header": header,
        "plan": plan,
        "catalog": catalog_,
        "learner_id": learner_id,
        "learner_page": learner_page,
        "embedded": embedded,
        "scenario_name": catalog_.name if catalog_ else "",
        "totals": {
            "people": sum(catalog_.count(i) for i in ids) if catalog_ else len(ids),
            "sections": sum(s.sections for s in plan.sections),
        },
    }
    if learner_id is not None and catalog_ is not None:
        rows = svc.gap_rows(catalog_, plan, learner_id)
        learner = catalog_.learners.get(learner_id, {})
        context.update(
            grid=svc.term_grid(catalog_, plan, learner_id),
            gaps=rows,
            radar=svc.radar_svg(catalog_, rows) if rows else None,
            learner=learner,
            learner_plan=plan.learner(learner_id),
            role_name=(catalog_.roles.get(learner.get("role") or "") or {}).get("name")
            or learner.get("role"),
        )
    return context


@bp.get("/<int:plan_id>")
@staff_required
def view(plan_id: int):
    page_no = page_arg()
    context = plan_context(get_session(), plan_id, request.args.get("learner"), page_no=page_no)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "learner-plan":
        return render_template("plans/_learner.html", **context)
    return render_template("plans/view.html", **context)


@bp.get("/<int:plan_id>/print")
@staff_required
def printable(plan_id: int):
    session = get_session()
    header = _header_or_404(session, plan_id)
    catalog_ = or_404(
        svc.catalog_for(session, header.scenario_id), f"There is no scenario {header.scenario_id}."
    )
    plan = svc.plan_model(session, plan_id)
    people = svc.people_of(session, (lp.id for lp in plan.learners[:200]))
    learners = [
        {
            "id": lp.id,
            "person": people.get(lp.id),
            "plan": lp,
            "grid": svc.term_grid(catalog_, plan, lp.id),
            "gaps": svc.gap_rows(catalog_, plan, lp.id),
        }
        for lp in plan.learners[:200]  # a printout of thousands of pages helps nobody
    ]
    return render_template(
        "plans/print.html",
        header=header,
        plan=plan,
        catalog=catalog_,
        learners=learners,
        truncated=len(plan.learners) > 200,
    )


# -- exports ----------------------------------------------------------------------------------


@bp.get("/<int:plan_id>/export.csv")
@staff_required
def export_csv(plan_id: int):
    return _export(plan_id, "csv")


@bp.get("/<int:plan_id>/export.xlsx")
@staff_required
def export_xlsx(plan_id: int):
    return _export(plan_id, "xlsx")


def _export(plan_id: int, fmt: str):
    """Small plans download at once; large ones are offered as a background export (a GET
    changes nothing, so starting one is the POST below)."""
    session = get_session()
    header = _header_or_404(session, plan_id)
    rows = plan_exports.schedule_rows(svc.plan_model(session, plan_id))
    if rows > plan_exports.inline_max_rows(current_app.config):
        recent = plan_exports.recent_jobs(session, plan_id, current_user.id, fmt)
        return render_template(
            "plans/export.html", header=header, fmt=fmt, rows=rows, job=None, recent=recent
        )
    data = plan_exports.build(session, plan_id, fmt)
    return download(data, plan_exports.FORMATS[fmt], plan_exports.filename(plan_id, fmt))


@bp.post("/<int:plan_id>/export/<any(csv, xlsx):fmt>")
@staff_required
def start_export(plan_id: int, fmt: str):
    session = get_session()
    _header_or_404(session, plan_id)
    try:
        job_id = solves().submit_export(plan_id, fmt, current_user.id)
    except jobs.LimitReached as exc:
        abort(429, description=str(exc))
    return redirect(url_for("plans.export_job", job_id=job_id))


def _job_or_404(job_id: int) -> ExportJob:
    job = plan_exports.job_header(get_session(), job_id)
    if job is None or job.user_id != current_user.id:  # only its owner sees an export
        abort(404, description=f"There is no export {job_id}.")
    return job


@bp.get("/exports/<int:job_id>")
@staff_required
def export_job(job_id: int):
    job = _job_or_404(job_id)
    header = _header_or_404(get_session(), job.plan_id)
    return render_template(
        "plans/export.html", header=header, fmt=job.format, rows=None, job=job, recent=[]
    )


@bp.get("/exports/<int:job_id>/download")
@staff_required
def export_download(job_id: int):
    job = _job_or_404(job_id)
    if job.status != "done":
        abort(409, description=f"Export {job_id} is not ready ({job.status}).")
    data = plan_exports.job_data(get_session(), job_id)
    return download(data, plan_exports.FORMATS[job.format], job.filename)


@bp.get("/<int:plan_id>/export.json")
@staff_required
def export_json(plan_id: int):
    session = get_session()
    _header_or_404(session, plan_id)
    return download(svc.to_json(session, plan_id), "application/json", f"plan-{plan_id}.json")


# -- infeasibility fixes ------------------------------------------------------------------------
@bp.post("/<int:plan_id>/fixes/<int:index>")
@staff_required
def apply_fix(plan_id: int, index: int):
    """Apply a ranked fix to a COPY of the scenario, store the copy and solve it."""
    session = get_session()
    header = _header_or_404(session, plan_id)
    fix = or_404(
        fixes.fix_of(session, plan_id, index), f"Plan {plan_id} has no fix number {index + 1}."
    )
    runner = solves()
    try:  # the limits are checked before the copy is stored: a refused solve leaves nothing
        copy_id = fixes.fixed_copy(session, header.scenario_id, fix, runner, current_user.id)
    except jobs.LimitReached as exc:
        abort(429, description=str(exc))
    except ScenarioError as exc:
        session.rollback()
        flash("The fix could not be applied: " + "; ".join(map(str, exc.problems)), "error")
        return redirect(url_for("plans.view", plan_id=plan_id))
    session.commit()
    run_id = solve_saved(copy_id, "The fixed copy")  # the queue may have filled up meanwhile
    flash(f"Applied “{fix.note}” to a copy of the scenario and started solving it.", "success")
    return redirect(url_for("scenarios.edit", scenario_id=copy_id, run=run_id))


# -- comparison ---------------------------------------------------------------------------------
@bp.get("/compare")
@staff_required
def compare():
    """Two plans of any scenarios: ?a=&b= (a scenario's A/B radios) or two ?plan= (the Plans
    list's check boxes)."""
    session = get_session()
    picked = request.args.getlist("plan")
    if picked and not (request.args.get("a") or request.args.get("b")):
        if len(picked) != 2 or not all(p.isdigit() for p in picked):
            flash(f"Tick exactly two plans to compare (you ticked {len(picked)}).", "error")
            return redirect(url_for("plans.index"))
        older, newer = sorted(int(p) for p in picked)
        return redirect(url_for("plans.compare", a=older, b=newer))
    a_id, b_id = id_arg("a"), id_arg("b")
    if a_id is None or b_id is None:
        abort(400, description="Choose two plans to compare (?a=<plan id>&b=<plan id>).")
    _header_or_404(session, a_id), _header_or_404(session, b_id)
    page = svc.comparison_page(session, a_id, b_id, request.args.get("learner"))
    return render_template("plans/compare.html", **vars(page))


# -- rule labels in words (planner/solver/labels.py) -------------------------------------------
bp.add_app_template_filter(rule_words, "rule_words")
