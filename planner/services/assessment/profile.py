"""A learner's profile: per skill the role (or personal target) needs, the self-rating,
the calibrated level, the gap and what to verify next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from planner.models import Learner, LearnerTarget, RoleRequirement, Skill, utcnow
from planner.scenario import LEVEL_NAMES
from planner.services.assessment.calibrated import calibrate_learner
from planner.services.assessment.calibration import calibrate
from planner.services.assessment.questions import skills_with_checks
from planner.services.assessment.ratings import known_learner

VERIFY_FROM = 3  # self-ratings from "proficient" up are worth confirming with a check


def target_levels(session: Session, learner_id: str) -> dict[str, int]:
    """The learner's role requirements, raised by any personal targets."""
    learner = known_learner(session, learner_id)
    targets: dict[str, int] = {}
    if learner.role_id:
        for r in session.exec(
            select(RoleRequirement).where(RoleRequirement.role_id == learner.role_id)
        ).all():
            targets[r.skill_id] = r.level
    for t in session.exec(
        select(LearnerTarget).where(LearnerTarget.learner_id == learner_id)
    ).all():
        targets[t.skill_id] = max(targets.get(t.skill_id, 0), t.level)
    return targets


@dataclass
class ProfileRow:
    skill_id: str
    name: str
    name_zh: str
    area: str
    target: int
    self_level: int | None
    level: int  # calibrated
    confidence: float
    evidence_level: int | None
    flag: str | None
    conflict: bool
    reasons: tuple[str, ...]
    has_check: bool

    @property
    def rated(self) -> bool:
        """Any rating at all (self or evidence); unrated is "unknown", not level 0."""
        return self.self_level is not None or self.evidence_level is not None

    @property
    def gap(self) -> int:
        return max(0, self.target - self.level)

    def sentence(self) -> str:
        """The gap in plain words."""
        now = f"{LEVEL_NAMES[self.level]} ({self.level})"
        need = f"{LEVEL_NAMES[self.target]} ({self.target})"
        if self.gap == 0:
            return f"{self.name}: you are at {now}; the role needs {need}. No gap."
        steps = "1 level" if self.gap == 1 else f"{self.gap} levels"
        return f"{self.name}: you are at {now}; the role needs {need}. {steps} to go."


@dataclass
class Profile:
    learner: Learner
    rows: list[ProfileRow] = field(default_factory=list)

    @property
    def gaps(self) -> list[ProfileRow]:
        """Rated skills below target, biggest gap first."""
        return sorted(
            (r for r in self.rows if r.gap and r.rated), key=lambda r: (-r.gap, r.skill_id)
        )

    @property
    def unrated(self) -> list[ProfileRow]:
        return [r for r in self.rows if r.target and not r.rated]

    @property
    def flagged(self) -> list[ProfileRow]:
        return [r for r in self.rows if r.flag]

    @property
    def rated(self) -> int:
        return sum(1 for r in self.rows if r.self_level is not None)

    @property
    def to_verify(self) -> list[ProfileRow]:
        """High self-ratings (≥ VERIFY_FROM) that no check or staff rating backs yet."""
        return [
            r
            for r in self.rows
            if r.self_level is not None and r.self_level >= VERIFY_FROM and r.evidence_level is None
        ]


def learner_profile(session: Session, learner_id: str, now: datetime | None = None) -> Profile:
    """One row per skill the learner's role (or personal target) needs, plus any other
    skill the learner has rated."""
    learner = known_learner(session, learner_id)
    targets = target_levels(session, learner_id)
    calibrated = calibrate_learner(session, learner_id, now)
    ids = sorted(set(targets) | set(calibrated))
    skills = {s.id: s for s in session.exec(select(Skill).where(col(Skill.id).in_(ids))).all()}
    checks = skills_with_checks()
    rows = []
    for sid in ids:
        c = calibrated.get(sid) or calibrate([], now or utcnow())
        s = skills.get(sid)
        rows.append(
            ProfileRow(
                skill_id=sid, name=s.name if s and s.name else sid, name_zh=s.name_zh if s else "",
                area=(s.area_id or "") if s else "", target=targets.get(sid, 0),
                self_level=c.self_level, level=c.level, confidence=c.confidence,
                evidence_level=c.evidence_level, flag=c.flag, conflict=c.conflict,
                reasons=c.reasons, has_check=sid in checks,
            )
        )  # fmt: skip
    return Profile(learner=learner, rows=rows)
