"""Learners (one person or a group of identical people), their levels and assessments."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from planner.models.base import choice_check, level_check, non_negative, utcnow, version_field
from planner.scenario import GAP_MODES

ASSESSMENT_SOURCES = ("self", "check", "staff", "course", "badge")


class Learner(SQLModel, table=True):
    __tablename__ = "learner"
    __table_args__ = (
        CheckConstraint("count >= 1", name="count_positive"),
        choice_check("gap_mode", GAP_MODES, nullable=True),
        *non_negative("budget", "max_credits"),
    )

    id: str = Field(primary_key=True)
    name: str = ""
    role_id: str | None = Field(
        default=None, foreign_key="role.id", ondelete="RESTRICT", index=True
    )
    curriculum_id: str | None = Field(
        default=None, foreign_key="curriculum.id", ondelete="SET NULL", index=True
    )
    team: str | None = Field(default=None, index=True)
    count: int = 1
    budget: float | None = None  # per person, total; None = unlimited
    max_credits: float | None = None  # per term; None = unlimited
    gap_mode: str | None = None  # None = the scenario's
    # Course and term ids, in the scenario file's shape; checked on import.
    terms: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    completed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    required: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    excluded: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pinned: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = version_field()


class LearnerLevel(SQLModel, table=True):
    """The learner's current (stated) level of a skill."""

    __tablename__ = "learner_level"
    __table_args__ = (level_check(),)

    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE", primary_key=True)
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT", primary_key=True)
    level: int


class LearnerTarget(SQLModel, table=True):
    """A personal target on top of the role's requirements."""

    __tablename__ = "learner_target"
    __table_args__ = (level_check(),)

    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE", primary_key=True)
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT", primary_key=True)
    level: int


class Assessment(SQLModel, table=True):
    """One rating of one skill: self-assessed, from a check, by staff, from a course, or
    from an imported Open Badge (its `confidence` holds the badge's quality 0-1)."""

    __tablename__ = "assessment"
    __table_args__ = (
        level_check(),
        choice_check("source", ASSESSMENT_SOURCES),
        CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"
        ),
        Index("ix_assessment_learner_skill", "learner_id", "skill_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE")
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT")
    source: str
    level: int
    confidence: float | None = None  # 0..1
    created_at: datetime = Field(default_factory=utcnow)
