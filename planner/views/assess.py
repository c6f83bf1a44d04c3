"""Learner self-assessment, knowledge checks and profile; staff calibration report.

Learner pages never take a learner id from the URL: they act on the signed-in account's
own learner, so one learner cannot reach another's data by editing a link. Check attempts
are addressed by id but belong to a learner; someone else's id answers 404.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from planner.db import get_session
from planner.models import Learner, LevelDescriptor, ScenarioRecord, Skill, SolveRun
from planner.security import current_user, learner_required, staff_required
from planner.services import assessment as svc
from planner.services.charts_radar import calibration_bars, profile_radar

bp = Blueprint("assess", __name__, url_prefix="/assess")

LEVEL_FIELD = "level-"  # radio group name prefix: level-<skill id>
ANSWER_FIELD = "answer-"  # radio group name prefix: answer-<question id>
PERSONAL_SCENARIO = "personal plan: {}"


def _me() -> str:
    return current_user.learner_id


def _descriptors(session, skill_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {s: [""] * 5 for s in skill_ids}
    rows = session.scalars(
        select(LevelDescriptor).where(LevelDescriptor.skill_id.in_(skill_ids))
    ).all()
    for d in rows:
        out[d.skill_id][d.level] = d.text
    return out


# --- self-assessment ----------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@learner_required
def index():
    session = get_session()
    problems: list[str] = []
    if request.method == "POST":
        ratings = {
            key[len(LEVEL_FIELD) :]: value
            for key, value in request.form.items()
            if key.startswith(LEVEL_FIELD)
        }
        try:
            saved = svc.save_self_ratings(session, _me(), ratings)
            session.commit()
        except svc.AssessmentError as exc:
            session.rollback()
            problems = exc.problems
        else:
            flash(f"Saved {saved} rating{'s' if saved != 1 else ''}.", "success")
            if request.form.get("next") == "profile":
                return redirect(url_for("assess.profile"))
            return redirect(url_for("assess.index"))
    prof = svc.profile(session, _me())
    rows = [r for r in prof.rows if r.target]
    descriptors = _descriptors(session, [r.skill_id for r in rows])
    status = 400 if problems else 200
    return (
        render_template(
            "assess/index.html",
            profile=prof,
            rows=rows,
            descriptors=descriptors,
            level_names=svc.LEVEL_NAMES,
            minutes=svc.estimate_minutes(len(rows)),
            seconds_per_rating=svc.SECONDS_PER_RATING,
            problems=problems,
            posted=request.form if problems else {},
        ),
        status,
    )


# --- knowledge checks ---------------------------------------------------------------------


@bp.get("/check/<skill_id>")
@learner_required
def check(skill_id: str):
    session = get_session()
    skill = session.get(Skill, skill_id)
    if skill is None:
        abort(404, description=f"Unknown skill {skill_id!r}.")
    try:
        attempt = svc.start_check(session, _me(), skill_id)
        session.commit()
    except svc.AssessmentError as exc:
        session.rollback()
        flash(exc.problems[0], "error")
        return redirect(url_for("assess.profile"))
    return render_template(
        "assess/check.html",
        skill=skill,
        attempt=attempt,
        questions=svc.attempt_questions(attempt),
        minutes=max(1, round(len(attempt.question_ids) * svc.SECONDS_PER_QUESTION / 60)),
    )


@bp.post("/check/attempt/<int:attempt_id>")
@learner_required
def submit(attempt_id: int):
    session = get_session()
    answers = {
        key[len(ANSWER_FIELD) :]: value
        for key, value in request.form.items()
        if key.startswith(ANSWER_FIELD)
    }
    try:
        attempt = svc.get_attempt(session, _me(), attempt_id)
    except svc.AssessmentError:
        abort(404, description="No such check.")
    skill = session.get(Skill, attempt.skill_id)
    try:
        outcome = svc.submit_check(session, _me(), attempt_id, answers)
        session.commit()
    except svc.AlreadySubmitted as exc:
        session.rollback()
        return render_template(
            "assess/check.html", skill=skill, attempt=attempt, questions=[],
            problems=exc.problems, minutes=0,
        ), 409  # fmt: skip
    except svc.AssessmentError as exc:
        session.rollback()
        return render_template(
            "assess/check.html", skill=skill, attempt=attempt,
            questions=svc.attempt_questions(attempt), problems=exc.problems,
            posted=answers, minutes=0,
        ), 400  # fmt: skip
    return render_template("assess/result.html", skill=skill, outcome=outcome)


# --- profile, export, delete, plan --------------------------------------------------------


def _personal_run(session, learner_id: str):
    record = session.scalars(
        select(ScenarioRecord).where(ScenarioRecord.name == PERSONAL_SCENARIO.format(learner_id))
    ).first()
    if record is None:
        return None
    return session.scalars(
        select(SolveRun).where(SolveRun.scenario_id == record.id).order_by(SolveRun.id.desc())
    ).first()


@bp.get("/profile")
@learner_required
def profile():
    session = get_session()
    prof = svc.profile(session, _me())
    return render_template(
        "assess/profile.html",
        profile=prof,
        radar=profile_radar(prof),
        level_names=svc.LEVEL_NAMES,
        run=_personal_run(session, _me()),
    )


@bp.get("/export.json")
@learner_required
def export():
    data = svc.export_learner(get_session(), _me())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="assessment-{_me()}.json"'},
    )


@bp.post("/delete")
@learner_required
def delete():
    session = get_session()
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm deleting your assessment.", "error")
        return redirect(url_for("assess.profile"))
    removed = svc.delete_assessment(session, _me())
    session.commit()
    flash(f"Deleted your assessment ({removed} records).", "success")
    return redirect(url_for("assess.profile"))


@bp.post("/plan")
@learner_required
def plan():
    """Queue a personal solve from the calibrated levels (planning-web's job runner)."""
    from planner.scenario import ScenarioError, dump_json
    from planner.services import jobs
    from planner.services.scenario_build import BuildError, scenario_from_db

    session = get_session()
    learner = session.get(Learner, _me())
    if learner.curriculum_id is None:
        flash("Cannot plan yet: you are not enrolled in a curriculum; ask a staff member.", "error")
        return redirect(url_for("assess.profile"))
    svc.sync_learner_levels(session, learner.id)
    try:
        scenario = scenario_from_db(
            session, curriculum_id=learner.curriculum_id, learner_ids=[learner.id],
            name=PERSONAL_SCENARIO.format(learner.id),
        )  # fmt: skip
    except (BuildError, ScenarioError) as exc:
        session.rollback()
        flash(f"Cannot plan yet: {exc}", "error")
        return redirect(url_for("assess.profile"))
    name = PERSONAL_SCENARIO.format(learner.id)
    record = session.scalars(select(ScenarioRecord).where(ScenarioRecord.name == name)).first()
    body = json.loads(dump_json(scenario))
    if record is None:
        record = ScenarioRecord(name=name, body=body)
        session.add(record)
    else:
        record.body = body
    session.commit()
    run_id = jobs.submit(current_app._get_current_object(), record.id)
    flash(f"Your personal plan is being computed (run {run_id}).", "success")
    return redirect(url_for("assess.profile"))


# --- staff --------------------------------------------------------------------------------


@bp.get("/report")
@staff_required
def report():
    session = get_session()
    rep = svc.cohort_report(session)
    learners = session.scalars(select(Learner).order_by(Learner.id)).all()
    return render_template(
        "assess/report.html", report=rep, chart=calibration_bars(rep), learners=learners
    )


@bp.get("/report.csv")
@staff_required
def report_csv():
    text = svc.cohort_report_csv(svc.cohort_report(get_session()))
    return Response(
        "\ufeff" + text,  # BOM: spreadsheet programs then read Chinese names as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="calibration-report.csv"'},
    )


@bp.route("/staff/<learner_id>", methods=["GET", "POST"])
@staff_required
def staff_rate(learner_id: str):
    session = get_session()
    learner = session.get(Learner, learner_id)
    if learner is None:
        abort(404, description=f"Unknown learner {learner_id!r}.")
    problems: list[str] = []
    if request.method == "POST":
        try:
            svc.record_staff_rating(
                session, learner_id, request.form.get("skill", ""), request.form.get("level", "")
            )
            session.commit()
        except svc.AssessmentError as exc:
            session.rollback()
            problems = exc.problems
        else:
            flash("Rating saved.", "success")
            return redirect(url_for("assess.staff_rate", learner_id=learner_id))
    prof = svc.profile(session, learner_id)
    skills = session.scalars(select(Skill).order_by(Skill.id)).all()
    return render_template(
        "assess/staff.html", learner=learner, profile=prof, skills=skills,
        radar=profile_radar(prof), problems=problems, level_names=svc.LEVEL_NAMES,
    ), (400 if problems else 200)  # fmt: skip
