"""Scenario editor: list, build from the catalogue, edit constraints, copy, import/export,
and the solve panel (queue a run, poll its progress with HTMX, cancel)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from planner.db import get_session
from planner.models import ScenarioRecord
from planner.scenario import OBJECTIVE_NAMES, ScenarioError
from planner.security import current_user, staff_required
from planner.services import versions
from planner.services.catalog import queries as catalog
from planner.services.planning import jobs
from planner.services.planning import plans as plan_svc
from planner.services.scenarios import editor as svc
from planner.services.scenarios import rules as scenario_rules
from planner.services.scenarios import seats as seat_svc
from planner.views import or_404
from planner.views.args import page_arg
from planner.views.downloads import download
from planner.views.plans import plan_context
from planner.views.runners import solve_saved, solves

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")

PER_PAGE = 25


def _record_or_404(scenario_id: int) -> ScenarioRecord:
    return or_404(
        svc.get_record(get_session(), scenario_id), f"There is no scenario {scenario_id}."
    )


def _header_or_404(scenario_id: int) -> ScenarioRecord:
    return or_404(
        svc.get_header(get_session(), scenario_id), f"There is no scenario {scenario_id}."
    )


@bp.get("/")
@staff_required
def index():
    q = request.args.get("q", "").strip()
    page_no = page_arg()
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render_template("scenarios/_list.html", page=_page(page_no, q))
    return _index_page(page_no, q)


def _page(page_no: int, q: str) -> catalog.Page:
    rows, total = svc.list_scenarios(get_session(), page=page_no, per_page=PER_PAGE, q=q)
    return catalog.Page(rows, total, page_no, PER_PAGE, q)


def _index_page(page_no: int = 1, q: str = "", **refused):
    """The list with the build and import forms; with `refused` (what a create or an
    import got wrong) the page answers 422."""
    page = render_template(
        "scenarios/index.html",
        page=_page(page_no, q),
        **refused,
        **svc.build_choices(get_session()),
    )
    return (page, 422) if refused else page


@bp.post("/new")
@staff_required
def create():
    """Build a scenario from the catalogue: curriculum, calendar, roles, learners by team."""
    session = get_session()
    try:
        record = svc.new_from_form(session, request.form)
    except ScenarioError as exc:
        session.rollback()
        return _index_page(build_problems=exc.problems, build_form=request.form)
    session.commit()
    flash(f"Scenario “{record.name}” created.", "success")
    return redirect(url_for("scenarios.edit", scenario_id=record.id))


@bp.post("/import")
@staff_required
def import_file():
    session = get_session()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a scenario JSON file to import.", "error")
        return redirect(url_for("scenarios.index"))
    try:
        record = svc.import_json(session, upload.read(), request.form.get("name") or None)
    except ScenarioError as exc:
        session.rollback()
        return _index_page(import_problems=exc.problems, import_name=upload.filename)
    session.commit()
    flash(f"Imported “{record.name}”.", "success")
    return redirect(url_for("scenarios.edit", scenario_id=record.id))


def _editor_context(record, values=None, problems=(), seats=None):
    session = get_session()
    snap = svc.snapshot(session, record)
    by_field: dict[str, list[str]] = {}
    for p in problems:
        by_field.setdefault(_field_of(p.path), []).append(str(p))
    values = values or snap.values
    return {
        "record": record,
        "values": values,
        # the stored rules, with those this post dropped still ticked (nothing was saved)
        "rules": scenario_rules.section(
            session,
            record,
            snap.values.rules,
            show_all=request.args.get("rules") == "all",
            dropped=set(request.form.getlist("drop_rule")),
        ),
        "problems": list(problems),
        "errors": by_field,
        "terms": snap.terms,
        "objective_names": OBJECTIVE_NAMES,
        "counts": snap.counts,
        "people": snap.people,
        "plans": plan_svc.list_plans(session, record.id)[:20],
        "run": jobs.latest_run(session, record.id),
        "seats": seats or seat_svc.seat_page(session, record.id, page_arg("seats_page")),
    }


def _field_of(path: str) -> str:
    """Which form field a problem belongs beside (form names, or the scenario JSON path)."""
    if path.startswith("rules line") or path.startswith("learners[") or path == "rules":
        return "rules"
    if path.startswith("terms["):
        return "terms"
    if path.startswith("constraints"):
        return "budget"
    if path.startswith("options"):
        return "time_limit_s"
    head = path.split("[")[0]
    return head if head else "_"


@bp.get("/<int:scenario_id>")
@staff_required
def edit(scenario_id: int):
    return render_template("scenarios/edit.html", **_editor_context(_header_or_404(scenario_id)))


@bp.get("/<int:scenario_id>/rules/pickers")
@staff_required
def rule_pickers(scenario_id: int):
    """The "Add a rule" select lists of a large scenario, fetched after the editor page."""
    record = _header_or_404(scenario_id)
    picked = scenario_rules.NewRule(
        **{k: request.args.get(f"new_rule.{k}", "") for k in scenario_rules.NewRule.FIELDS}
    )
    return render_template(
        "scenarios/_rule_pickers.html",
        rules=scenario_rules.section(get_session(), record, ""),
        values=svc.EditorValues(new_rule=picked),
        errors={},
        typed=False,
    )


def _stale_page(session, scenario_id: int, values):
    """Refuse a save from an editor opened before someone else's save: say what differs;
    the re-rendered form keeps the user's values and carries the stored version."""
    session.rollback()
    record = _record_or_404(scenario_id)
    diffs = svc.editor_differences(values, record.body)
    context = _editor_context(record, values)
    context["stale"] = versions.stale_message("scenario", diffs)
    return render_template("scenarios/edit.html", **context), 409


@bp.post("/<int:scenario_id>")
@staff_required
def save(scenario_id: int):
    session = get_session()
    record = _record_or_404(scenario_id)
    values = svc.values_from_form(request.form, record.body)
    given = versions.parse_version(request.form.get("version"))
    if given != record.version:
        return _stale_page(session, scenario_id, values)
    body, problems = svc.apply_values(record.body, values)
    if problems:
        return render_template(
            "scenarios/edit.html", **_editor_context(record, values, problems)
        ), 422
    try:
        svc.save_body(session, record, body, version=given)
    except versions.StaleEdit:  # saved by someone else between the check and the write
        return _stale_page(session, scenario_id, values)
    except ScenarioError as exc:  # e.g. a reserved name: shown beside its field
        session.rollback()
        return render_template(
            "scenarios/edit.html", **_editor_context(record, values, exc.problems)
        ), 422
    session.commit()
    if request.form.get("then") == "solve":
        run_id = solve_saved(scenario_id, "The scenario")
        flash(f"Saved, and started solving (run {run_id}).", "success")
        return redirect(url_for("scenarios.edit", scenario_id=record.id, run=run_id))
    flash("Rule added." if request.form.get("then") == "add" else "Scenario saved.", "success")
    return redirect(url_for("scenarios.edit", scenario_id=record.id))


@bp.post("/<int:scenario_id>/seats")
@staff_required
def save_seats(scenario_id: int):
    """Seats, sections and session costs of the courses on one page of the editor."""
    session = get_session()
    record = _record_or_404(scenario_id)
    page_no = page_arg("seats_page")
    given = versions.parse_version(request.form.get("version"))
    try:
        changed = seat_svc.save_seats(session, record, request.form, version=given)
    except versions.StaleEdit:  # another save since this page was opened: keep theirs
        session.rollback()
        flash(
            "Someone saved this scenario after you opened it; your seat changes were not "
            "saved. The values below are the current ones.",
            "error",
        )
        return redirect(
            url_for("scenarios.edit", scenario_id=scenario_id, seats_page=page_no) + "#seats"
        )
    except ScenarioError as exc:
        session.rollback()
        record = _record_or_404(scenario_id)
        seats = seat_svc.seat_page(session, scenario_id, page_no)
        seats.posted = request.form
        seats.errors = {p.path: p.message for p in exc.problems}
        return render_template(
            "scenarios/edit.html", **_editor_context(record, None, exc.problems, seats)
        ), 422
    session.commit()
    flash(
        f"Seats & sessions saved ({changed} course{'s' if changed != 1 else ''} changed).",
        "success",
    )
    return redirect(url_for("scenarios.edit", scenario_id=record.id, seats_page=page_no) + "#seats")


@bp.post("/<int:scenario_id>/seats/from-catalog")
@staff_required
def seats_from_catalog(scenario_id: int):
    session = get_session()
    record = _record_or_404(scenario_id)
    try:
        n = seat_svc.take_catalog(session, record)
    except ScenarioError as exc:
        session.rollback()
        flash(
            "The catalog's values could not be taken: " + "; ".join(map(str, exc.problems)), "error"
        )
        return redirect(url_for("scenarios.edit", scenario_id=scenario_id) + "#seats")
    session.commit()
    flash(f"Took the catalog's seats & sessions for {n} course{'s' if n != 1 else ''}.", "success")
    return redirect(url_for("scenarios.edit", scenario_id=record.id) + "#seats")


@bp.post("/<int:scenario_id>/duplicate")
@staff_required
def duplicate(scenario_id: int):
    session = get_session()
    record = _record_or_404(scenario_id)
    try:
        copy = svc.duplicate(session, record, request.form.get("name") or None)
    except ScenarioError as exc:
        session.rollback()
        record = _record_or_404(scenario_id)
        return render_template(
            "scenarios/edit.html", **_editor_context(record, None, exc.problems)
        ), 422
    session.commit()
    flash(f"Copied to “{copy.name}”.", "success")
    return redirect(url_for("scenarios.edit", scenario_id=copy.id))


@bp.post("/<int:scenario_id>/delete")
@staff_required
def delete(scenario_id: int):
    session = get_session()
    record = _record_or_404(scenario_id)
    name = record.name
    svc.delete(session, record)
    session.commit()
    flash(f"Deleted “{name}” and its plans.", "success")
    return redirect(url_for("scenarios.index"))


@bp.get("/<int:scenario_id>/export.json")
@staff_required
def export(scenario_id: int):
    record = _record_or_404(scenario_id)
    filename = f"scenario-{record.id}.json"
    return download(svc.export_json(record), "application/json", filename)


# -- solve panel ------------------------------------------------------------------------------
@bp.post("/<int:scenario_id>/solve")
@staff_required
def solve(scenario_id: int):
    _header_or_404(scenario_id)
    try:
        run_id = solves().submit(scenario_id, user_id=current_user.id)
    except jobs.LimitReached as exc:
        if request.headers.get("HX-Request"):  # htmx swaps 429 answers (base.html config)
            return render_template("scenarios/_refused.html", message=str(exc)), 429
        abort(429, description=str(exc))
    if request.headers.get("HX-Request"):
        return _run_panel(run_id)
    return redirect(url_for("scenarios.edit", scenario_id=scenario_id))


@bp.get("/runs/<int:run_id>")
@staff_required
def run_status(run_id: int):
    return _run_panel(run_id)


@bp.post("/runs/<int:run_id>/cancel")
@staff_required
def cancel(run_id: int):
    run = or_404(jobs.get_run(get_session(), run_id), f"There is no solve run {run_id}.")
    solves().cancel(run_id)
    if request.headers.get("HX-Request"):
        return _run_panel(run_id)
    return redirect(url_for("scenarios.edit", scenario_id=run.scenario_id))


def _run_panel(run_id: int):
    session = get_session()
    run = or_404(jobs.get_run(session, run_id), f"There is no solve run {run_id}.")
    context = {
        "run": run,
        "elapsed": jobs.elapsed_s(run),
        "stage": jobs.stage_words((run.progress or {}).get("stage"), run.status),
        "best": jobs.objective_parts(run.best_objective, plans_only=True),
        "bound": jobs.objective_parts(run.bound),
    }
    if run.status == "done" and run.plan_id:
        context.update(plan_context(session, run.plan_id, learner_id=None, embedded=True))
    return render_template("scenarios/_run.html", **context)
