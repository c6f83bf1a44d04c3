"""A learner's calibrated levels: every rating, check, badge and completed course as
evidence, weighed by planner.services.assessment.calibration. `calibrated_levels` is what
the scenario builder should use."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from planner.models import Assessment, CourseTeaches, LearnerLevel, utcnow
from planner.models.assess import CheckAttempt
from planner.services.assessment.calibration import Calibrated, Evidence, calibrate
from planner.services.assessment.ratings import known_learner


def learner_evidence(session: Session, learner_id: str) -> dict[str, list[Evidence]]:
    """Every rating of the learner as calibration evidence, by skill. Completed courses
    (Learner.completed) count as course evidence of the level each one teaches."""
    learner = known_learner(session, learner_id)
    rows = session.exec(select(Assessment).where(Assessment.learner_id == learner_id)).all()
    capped = {
        a.assessment_id: a.capped
        for a in session.exec(
            select(CheckAttempt).where(
                CheckAttempt.learner_id == learner_id, col(CheckAttempt.assessment_id).is_not(None)
            )
        ).all()
    }
    out: dict[str, list[Evidence]] = defaultdict(list)
    for a in rows:
        # An imported badge keeps its quality (verified 1.0, else less) in `confidence`.
        quality = a.confidence if a.source == "badge" and a.confidence is not None else 1.0
        out[a.skill_id].append(
            Evidence(a.source, a.level, a.created_at, capped=capped.get(a.id, False),
                     quality=quality)
        )  # fmt: skip
    if learner.completed:
        # No completion date is stored: course evidence is dated now (no recency decay).
        now = utcnow()
        for t in session.exec(
            select(CourseTeaches).where(col(CourseTeaches.course_id).in_(learner.completed))
        ).all():
            out[t.skill_id].append(Evidence("course", t.level, now))
    return dict(out)


def calibrate_learner(
    session: Session, learner_id: str, now: datetime | None = None
) -> dict[str, Calibrated]:
    now = now or utcnow()
    return {
        skill: calibrate(items, now)
        for skill, items in sorted(learner_evidence(session, learner_id).items())
    }


def calibrated_levels(session: Session, learner_id: str) -> dict[str, int]:
    """{skill: calibrated level} for every skill the learner has any rating of: the
    levels the planner should start from (instead of raw self-ratings)."""
    return {s: c.level for s, c in calibrate_learner(session, learner_id).items()}


def sync_learner_levels(session: Session, learner_id: str) -> dict[str, int]:
    """Write the calibrated levels into the learner's stated levels (LearnerLevel), which
    the scenario builder reads, and return them. Skills without ratings are kept."""
    levels = calibrated_levels(session, learner_id)
    stored = {
        r.skill_id: r
        for r in session.exec(
            select(LearnerLevel).where(LearnerLevel.learner_id == learner_id)
        ).all()
    }
    for skill_id, level in levels.items():
        if skill_id in stored:
            stored[skill_id].level = level
        else:
            session.add(LearnerLevel(learner_id=learner_id, skill_id=skill_id, level=level))
    session.flush()
    return levels
