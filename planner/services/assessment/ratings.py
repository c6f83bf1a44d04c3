"""Self-ratings and staff ratings: stored as `Assessment` rows; bad input raises
`AssessmentError` with one message per problem and nothing is written.

Everything takes a SQLModel `Session` and flushes; the caller commits (views, CLI, tests).
Every function takes the learner id explicitly: deciding *which* learner a user may touch
is the view's job (a learner only ever passes its own id).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, col, select

from planner.models import Assessment, Learner, Skill, utcnow
from planner.scenario import TOP_LEVEL

SECONDS_PER_RATING = 20  # reading five descriptors and choosing one


class AssessmentError(ValueError):
    """Bad input for an assessment action; `problems` are shown to the user verbatim."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class AlreadySubmitted(AssessmentError):
    """The check attempt was scored before; a second submission changes nothing."""


def known_learner(session: Session, learner_id: str) -> Learner:
    """The learner row; AssessmentError if there is none."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise AssessmentError(f"unknown learner {learner_id!r}")
    return learner


def parse_level(value: object, where: str) -> int:
    """A level 0-4 from a form value or JSON number; AssessmentError naming `where`."""
    if isinstance(value, bool):
        raise AssessmentError(f"{where}: level must be a whole number 0-4, got {value!r}")
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("-").isdigit():
            raise AssessmentError(f"{where}: level must be a whole number 0-4, got {value!r}")
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= TOP_LEVEL:
        raise AssessmentError(f"{where}: level must be between 0 and 4, got {value!r}")
    return value


def _check_levels(session: Session, ratings: Mapping[str, object]) -> dict[str, int]:
    problems: list[str] = []
    levels: dict[str, int] = {}
    known = set(session.exec(select(Skill.id).where(col(Skill.id).in_(list(ratings)))).all())
    for skill_id, raw in ratings.items():
        if skill_id not in known:
            problems.append(f"{skill_id}: unknown skill")
            continue
        try:
            levels[skill_id] = parse_level(raw, skill_id)
        except AssessmentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise AssessmentError(problems)
    return levels


def save_self_ratings(session: Session, learner_id: str, ratings: Mapping[str, object]) -> int:
    """Store self-ratings {skill: level}; partial sets are fine (progress is kept).
    One self row per skill: a new rating replaces the old one. All-or-nothing on bad input."""
    known_learner(session, learner_id)
    levels = _check_levels(session, ratings)
    existing = {
        a.skill_id: a
        for a in session.exec(
            select(Assessment).where(
                Assessment.learner_id == learner_id, Assessment.source == "self"
            )
        ).all()
    }
    now = utcnow()
    for skill_id, level in levels.items():
        row = existing.get(skill_id)
        if row is None:
            session.add(
                Assessment(
                    learner_id=learner_id, skill_id=skill_id, source="self", level=level,
                    created_at=now,
                )
            )  # fmt: skip
        else:
            row.level, row.created_at = level, now
    session.flush()
    return len(levels)


def record_staff_rating(
    session: Session,
    learner_id: str,
    skill_id: str,
    level: object,
    confidence: float | None = None,
) -> Assessment:
    """A teacher's or manager's rating; kept as history (the newest one counts)."""
    known_learner(session, learner_id)
    levels = _check_levels(session, {skill_id: level})
    row = Assessment(
        learner_id=learner_id, skill_id=skill_id, source="staff", level=levels[skill_id],
        confidence=confidence,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def estimate_minutes(n_skills: int) -> int:
    """Time to self-rate n skills (rounded up), shown next to the form."""
    return max(1, -(-n_skills * SECONDS_PER_RATING // 60))
