"""The learner's own assessment data: a data-access copy (`export_learner`) and deletion
with everything derived from it (`delete_assessment`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from planner.models import (
    Assessment,
    AuditEntry,
    LearnerLevel,
    PlanRecord,
    ScenarioRecord,
    SolveRun,
    iso_utc,
    utcnow,
)
from planner.models.assess import CheckAttempt
from planner.models.badges import BadgeCredential
from planner.services.analytics import gaps as analytics
from planner.services.assessment.calibrated import calibrate_learner
from planner.services.assessment.ratings import known_learner
from planner.services.planning import personal as personal_plan
from planner.services.planning import plans
from planner.services.scenarios import editor as scenarios


def _rows_of(session: Session, model: Any, learner_id: str, *order: Any) -> list[Any]:
    """The learner's rows of `model` in `order`."""
    stmt = select(model).where(model.learner_id == learner_id).order_by(*order)
    return list(session.exec(stmt).all())


def export_learner(session: Session, learner_id: str) -> dict:
    """All assessment data held about the learner, JSON-ready (a data-access copy)."""
    learner = known_learner(session, learner_id)
    ratings = _rows_of(session, Assessment, learner_id, Assessment.created_at, Assessment.id)
    attempts = _rows_of(session, CheckAttempt, learner_id, CheckAttempt.id)
    calibrated = calibrate_learner(session, learner_id)
    held = _rows_of(
        session, BadgeCredential, learner_id, BadgeCredential.created_at, BadgeCredential.id
    )
    return {
        "format": "planner-assessment-export/1",
        "exported_at": iso_utc(utcnow()),
        "learner": {"id": learner.id, "name": learner.name, "role": learner.role_id},
        "ratings": [
            {"skill": a.skill_id, "source": a.source, "level": a.level,
             "confidence": a.confidence, "created_at": iso_utc(a.created_at)}
            for a in ratings
        ],
        "checks": [
            {"id": t.id, "skill": t.skill_id, "status": t.status, "questions": t.question_ids,
             "answers": t.answers, "results": t.results, "level": t.level, "capped": t.capped,
             "created_at": iso_utc(t.created_at),
             "submitted_at": iso_utc(t.submitted_at)}
            for t in attempts
        ],
        "badges": [
            {"id": b.id, "skill": b.skill_id, "level": b.level, "issuer": b.issuer,
             "verified": b.verified, "imported_at": b.created_at.isoformat()}
            for b in held
        ],
        "calibrated": {
            s: {"level": c.level, "confidence": c.confidence, "self": c.self_level,
                "evidence": c.evidence_level, "flag": c.flag, "conflict": c.conflict,
                "reasons": list(c.reasons)}
            for s, c in calibrated.items()
        },
    }  # fmt: skip


def delete_assessment(
    session: Session, learner_id: str, actor_id: int | None = None
) -> dict[str, int]:
    """Delete every rating, check attempt and imported badge of the learner and every copy made from
    them: the personal plan scenario ("personal plan: <id>") with its plans and runs, the
    levels "Plan my path" wrote from the ratings into the learner's stated levels, and the
    cached parses of all of those. The learner row, its role and staff-entered levels stay.
    An audit entry records who deleted how many of what (never the data). Flushes; the
    caller commits. Stop the personal plan's runs first (`personal_runs_in_progress`)."""
    known_learner(session, learner_id)
    counts = dict.fromkeys(
        ("ratings", "checks", "badges", "derived_levels", "personal_scenarios", "plans", "runs"),
        0,
    )
    rated = set(
        session.exec(select(Assessment.skill_id).where(Assessment.learner_id == learner_id))
    )
    personal = session.exec(
        select(ScenarioRecord).where(ScenarioRecord.name == personal_plan.scenario_name(learner_id))
    ).all()
    if personal and rated:
        # "Plan my path" copied the calibrated levels of the rated skills into LearnerLevel.
        derived = col(LearnerLevel.skill_id).in_(rated)
        counts["derived_levels"] = _delete(session, LearnerLevel, learner_id, derived)
    for record in personal:
        for model, key in ((PlanRecord, "plans"), (SolveRun, "runs")):
            counts[key] += len(
                session.exec(select(model.id).where(model.scenario_id == record.id)).all()
            )
        scenarios.delete(session, record)
        counts["personal_scenarios"] += 1
    counts["checks"] = _delete(session, CheckAttempt, learner_id)
    counts["badges"] = _delete(session, BadgeCredential, learner_id)
    counts["ratings"] = _delete(session, Assessment, learner_id)
    session.add(AuditEntry(actor_id=actor_id, action="assessment.delete", counts=counts))
    session.flush()
    # Parsed scenarios, plans and cohort tables built from the deleted data leave memory too.
    plans.clear_caches()
    scenarios.clear_caches()
    analytics.clear_cache()
    return counts


def _delete(session: Session, model: Any, learner_id: str, *where: Any) -> int:
    """Delete the learner's rows of `model` (those matching `where` too); how many went."""
    result = session.execute(delete(model).where(model.learner_id == learner_id, *where))
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DELETE gives a CursorResult


def personal_runs_in_progress(session: Session, learner_id: str) -> list[int]:
    """Queued or running solves of the learner's personal plan: a run still solving would
    store a plan from the ratings being deleted."""
    record_id = personal_plan.personal_scenario_id(session, learner_id)
    if record_id is None:
        return []
    stmt = select(SolveRun.id).where(
        SolveRun.scenario_id == record_id, col(SolveRun.status).in_(("queued", "running"))
    )
    return [run_id for run_id in session.exec(stmt) if run_id is not None]


def deletion_sentence(counts: Mapping[str, int]) -> str:
    """What went, in words, for the learner's confirmation message."""

    def n(key: str, word: str) -> str:
        value = counts.get(key, 0)
        return f"{value} {word}{'' if value == 1 else 's'}"

    parts = [n("ratings", "rating"), n("checks", "knowledge check")]
    if counts.get("badges"):
        parts.append(n("badges", "imported badge"))
    if counts.get("personal_scenarios"):
        parts.append(f"your personal plan ({n('plans', 'plan')}, {n('runs', 'run')})")
    if counts.get("derived_levels"):
        parts.append(f"{n('derived_levels', 'skill level')} worked out from your ratings")
    return ", ".join(parts[:-1]) + " and " + parts[-1]
