"""Learner self-assessment, knowledge checks and profile; staff calibration report.

Learner pages never take a learner id from the URL: they act on the signed-in account's
own learner, so one learner cannot reach another's data by editing a link. Check attempts
are addressed by id but belong to a learner; someone else's id answers 404.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from planner.db import get_session
from planner.models import Skill
from planner.security import current_user, learner_required, staff_required
from planner.services.assessment import checks, cohort, learner_data, ratings
from planner.services.assessment.charts import calibration_bars, profile_radar
from planner.services.assessment.profile import learner_profile
from planner.services.catalog.learners import all_learners
from planner.services.catalog.skills import all_skills, level_descriptors
from planner.services.planning import jobs, personal
from planner.views import or_404
from planner.views.downloads import download
from planner.views.runners import solves

bp = Blueprint("assess", __name__, url_prefix="/assess")

LEVEL_FIELD = "level-"  # radio group name prefix: level-<skill id>
ANSWER_FIELD = "answer-"  # radio group name prefix: answer-<question id>


def _me() -> str:
    return current_user.learner_id


def _prefixed(form: MultiDict[str, str], prefix: str) -> dict[str, str]:
    """{rest: value} for the form fields named `prefix` + rest (one radio group each)."""
    return {key[len(prefix) :]: value for key, value in form.items() if key.startswith(prefix)}


def _skill_or_404(session, skill_id: str) -> Skill:
    return or_404(checks.skill_of(session, skill_id), f"Unknown skill {skill_id!r}.")


# --- self-assessment ----------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@learner_required
def index():
    session = get_session()
    problems: list[str] = []
    if request.method == "POST":
        try:
            saved = ratings.save_self_ratings(session, _me(), _prefixed(request.form, LEVEL_FIELD))
            session.commit()
        except ratings.AssessmentError as exc:
            session.rollback()
            problems = exc.problems
        else:
            flash(f"Saved {saved} rating{'s' if saved != 1 else ''}.", "success")
            if request.form.get("next") == "profile":
                return redirect(url_for("assess.profile"))
            return redirect(url_for("assess.index"))
    prof = learner_profile(session, _me())
    rows = [r for r in prof.rows if r.target]
    descriptors = level_descriptors(session, [r.skill_id for r in rows])
    status = 400 if problems else 200
    return (
        render_template(
            "assess/index.html",
            profile=prof,
            rows=rows,
            descriptors=descriptors,
            minutes=ratings.estimate_minutes(len(rows)),
            seconds_per_rating=ratings.SECONDS_PER_RATING,
            problems=problems,
            posted=request.form if problems else {},
        ),
        status,
    )


@bp.post("/rating")
@learner_required
def save_rating():
    """One self-rating, saved as it is chosen (static/selfrate.js posts each change)."""
    session = get_session()
    skill_id = request.form.get("skill", "")
    try:
        ratings.save_self_ratings(session, _me(), {skill_id: request.form.get("level", "")})
        session.commit()
    except ratings.AssessmentError as exc:
        session.rollback()
        return jsonify(saved=False, problems=exc.problems), 400
    prof = learner_profile(session, _me())
    row = next((r for r in prof.rows if r.skill_id == skill_id), None)
    return jsonify(
        saved=True,
        skill=skill_id,
        rated=prof.rated,
        verify=bool(row and row in prof.to_verify),
        check_url=url_for("assess.check", skill_id=skill_id) if row and row.has_check else None,
    )


# --- knowledge checks ---------------------------------------------------------------------


@bp.get("/check/<skill_id>")
@learner_required
def check(skill_id: str):
    """What the check is; starting it is a POST (a GET never changes anything)."""
    skill = _skill_or_404(get_session(), skill_id)
    return render_template("assess/check.html", skill=skill, attempt=None, questions=[])


@bp.post("/check/<skill_id>")
@learner_required
def start(skill_id: str):
    session = get_session()
    _skill_or_404(session, skill_id)
    try:
        attempt = checks.start_check(session, _me(), skill_id)  # reuses an open attempt
        session.commit()
    except ratings.AssessmentError as exc:
        session.rollback()
        flash(exc.problems[0], "error")
        return redirect(url_for("assess.profile"))
    return redirect(url_for("assess.attempt", attempt_id=attempt.id))


@bp.get("/check/attempt/<int:attempt_id>")
@learner_required
def attempt(attempt_id: int):
    session = get_session()
    attempt = _attempt_or_404(session, attempt_id)
    skill = _skill_or_404(session, attempt.skill_id)
    if attempt.status != "open":
        flash("That check was already submitted; start a new one.", "error")
        return redirect(url_for("assess.check", skill_id=skill.id))
    return render_template(
        "assess/check.html",
        skill=skill,
        attempt=attempt,
        questions=checks.attempt_questions(attempt),
        minutes=max(1, round(len(attempt.question_ids) * checks.SECONDS_PER_QUESTION / 60)),
    )


@bp.post("/check/attempt/<int:attempt_id>")
@learner_required
def submit(attempt_id: int):
    session = get_session()
    answers = _prefixed(request.form, ANSWER_FIELD)
    attempt = _attempt_or_404(session, attempt_id)
    skill = _skill_or_404(session, attempt.skill_id)
    try:
        outcome = checks.submit_check(session, _me(), attempt_id, answers)
        session.commit()
    except checks.AlreadySubmitted as exc:
        session.rollback()
        return render_template(
            "assess/check.html", skill=skill, attempt=attempt, questions=[],
            problems=exc.problems, minutes=0,
        ), 409  # fmt: skip
    except ratings.AssessmentError as exc:
        session.rollback()
        return render_template(
            "assess/check.html", skill=skill, attempt=attempt,
            questions=checks.attempt_questions(attempt), problems=exc.problems,
            posted=answers, minutes=0,
        ), 400  # fmt: skip
    return render_template("assess/result.html", skill=skill, outcome=outcome)


def _attempt_or_404(session, attempt_id: int):
    try:
        return checks.get_attempt(session, _me(), attempt_id)
    except ratings.AssessmentError:
        abort(404, description="No such check.")


# --- profile, export, delete, plan --------------------------------------------------------


@bp.get("/profile")
@learner_required
def profile():
    session = get_session()
    prof = learner_profile(session, _me())
    return render_template(
        "assess/profile.html",
        profile=prof,
        radar=profile_radar(prof),
        run=personal.latest_run(session, _me()),
    )


@bp.get("/export.json")
@learner_required
def export():
    data = learner_data.export_learner(get_session(), _me())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return download(body, "application/json", f"assessment-{_me()}.json")


@bp.post("/delete")
@learner_required
def delete():
    session = get_session()
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm deleting your assessment.", "error")
        return redirect(url_for("assess.profile"))
    _stop_personal_runs(session)
    counts = learner_data.delete_assessment(session, _me(), actor_id=current_user.id)
    session.commit()
    flash(f"Deleted your assessment: {learner_data.deletion_sentence(counts)}.", "success")
    return redirect(url_for("assess.profile"))


def _stop_personal_runs(session) -> None:
    """A run still solving would store a plan from the ratings being deleted."""
    for run_id in learner_data.personal_runs_in_progress(session, _me()):
        solves().cancel(run_id)
        solves().wait(run_id, timeout=30)
    session.expire_all()


@bp.post("/plan")
@learner_required
def plan():
    """Queue a personal solve from the calibrated levels; the plan page then polls it."""
    session = get_session()
    current = personal.latest_run(session, _me())
    if current is not None and current.status in ("queued", "running"):
        # One run at a time per learner: a second click neither queues more work nor
        # rewrites the scenario a queued run is about to read.
        flash("Your plan is still being computed; cancel it first to start again.", "error")
        return redirect(url_for("assess.my_plan"))
    try:
        solves().check_solve_limits(current_user.id)
    except jobs.LimitReached as exc:
        abort(429, description=str(exc))
    try:
        record, _choice = personal.store_personal_scenario(session, _me())
        session.commit()
        assert record.id is not None  # committed
    except personal.PlanError as exc:
        session.rollback()
        flash(f"Cannot plan yet: {exc}", "error")
        return redirect(url_for("assess.profile"))
    try:
        run_id = solves().submit(record.id, user_id=current_user.id)
    except jobs.LimitReached as exc:
        abort(429, description=str(exc))
    flash(f"Started planning your path (run {run_id}).", "success")
    return redirect(url_for("assess.my_plan"))


def _run_context(session, run) -> dict:
    result = personal.personal_result(session, _me(), run) if run is not None else None
    return {
        "run": run,
        "active": run is not None and run.status in ("queued", "running"),
        "elapsed": jobs.elapsed_s(run) if run is not None else None,
        "stage": jobs.stage_words((run.progress or {}).get("stage"), run.status) if run else None,
        "result": result,
    }


def _choice(session):
    try:
        return personal.choose_curriculum(session, ratings.known_learner(session, _me())), None
    except personal.PlanError as exc:
        return None, str(exc)


@bp.get("/plan")
@learner_required
def my_plan():
    """The learner's latest personal run: live progress while it runs, then the plan."""
    session = get_session()
    choice, problem = _choice(session)
    return render_template(
        "assess/plan.html",
        choice=choice,
        problem=problem,
        **_run_context(session, personal.latest_run(session, _me())),
    )


def _own_run_or_404(session, run_id: int):
    run = personal.own_run(session, _me(), run_id)
    if run is None:  # someone else's run looks exactly like a missing one
        abort(404, description="No such plan run.")
    return run


@bp.get("/plan/runs/<int:run_id>")
@learner_required
def plan_run(run_id: int):
    """The run panel (HTMX polls it); once the run is done it carries the plan too."""
    session = get_session()
    run = _own_run_or_404(session, run_id)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("assess.my_plan"))
    return render_template("assess/_plan_run.html", **_run_context(session, run))


@bp.post("/plan/runs/<int:run_id>/cancel")
@learner_required
def cancel_plan(run_id: int):
    session = get_session()
    run = _own_run_or_404(session, run_id)
    stopped = solves().cancel(run.id)
    session.expire_all()
    run = _own_run_or_404(session, run_id)
    if request.headers.get("HX-Request"):
        return render_template("assess/_plan_run.html", **_run_context(session, run))
    if stopped:
        flash("Planning cancelled; your earlier plans are unchanged.", "success")
    return redirect(url_for("assess.my_plan"))


# --- staff --------------------------------------------------------------------------------


@bp.get("/report")
@staff_required
def report():
    session = get_session()
    rep = cohort.cohort_report(session)
    return render_template(
        "assess/report.html",
        report=rep,
        chart=calibration_bars(rep),
        learners=all_learners(session),
    )


@bp.get("/report.csv")
@staff_required
def report_csv():
    text = cohort.cohort_report_csv(cohort.cohort_report(get_session()))
    # BOM: spreadsheet programs then read Chinese names as UTF-8
    return download("\ufeff" + text, "text/csv", "calibration-report.csv")


@bp.route("/staff/<learner_id>", methods=["GET", "POST"])
@staff_required
def staff_rate(learner_id: str):
    session = get_session()
    try:
        learner = ratings.known_learner(session, learner_id)
    except ratings.AssessmentError:
        abort(404, description=f"Unknown learner {learner_id!r}.")
    problems: list[str] = []
    if request.method == "POST":
        try:
            ratings.record_staff_rating(
                session, learner_id, request.form.get("skill", ""), request.form.get("level", "")
            )
            session.commit()
        except ratings.AssessmentError as exc:
            session.rollback()
            problems = exc.problems
        else:
            flash("Rating saved.", "success")
            return redirect(url_for("assess.staff_rate", learner_id=learner_id))
    prof = learner_profile(session, learner_id)
    return render_template(
        "assess/staff.html", learner=learner, profile=prof, skills=all_skills(session),
        radar=profile_radar(prof), problems=problems,
    ), (400 if problems else 200)  # fmt: skip
