"""Knowledge-check attempts: which questions a learner was given and how they answered.

An attempt is created when the check page is opened (`status` "open") and closed once by
submission ("submitted"); answers to questions that were not part of the attempt, or a
second submission, are refused by planner.services.assessment.records. The resulting level is
also written as an `Assessment` row (source "check"), linked by `assessment_id`.
"""

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from planner.models.base import choice_check, level_check, utcnow

ATTEMPT_STATUSES = ("open", "submitted")


class CheckAttempt(SQLModel, table=True):
    __tablename__ = "check_attempt"
    __table_args__ = (
        choice_check("status", ATTEMPT_STATUSES),
        level_check(nullable=True),
        Index("ix_check_attempt_learner_skill", "learner_id", "skill_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE")
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT")
    question_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    status: str = "open"
    # question id -> chosen option index, as submitted
    answers: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # level (as text: JSON keys) -> [correct, asked]
    results: dict[str, list[int]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    level: int | None = None  # demonstrated level once submitted
    capped: bool = False  # failed the level above `level`
    assessment_id: int | None = Field(
        default=None, foreign_key="assessment.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
