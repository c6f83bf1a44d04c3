"""Curricula, their term calendars and courses with skills and prerequisites."""

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from planner.models.base import level_check, non_negative, version_field


class TermCalendar(SQLModel, table=True):
    __tablename__ = "term_calendar"

    id: str = Field(primary_key=True)
    name: str = ""
    version: int = version_field()


class Term(SQLModel, table=True):
    """A term of one calendar; `position` keeps calendar order."""

    __tablename__ = "term"
    __table_args__ = (
        UniqueConstraint("calendar_id", "term_id", name="uq_term_calendar_term"),
        *non_negative("max_credits", "min_credits"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    calendar_id: str = Field(foreign_key="term_calendar.id", ondelete="CASCADE", index=True)
    term_id: str  # the id scenario files use, e.g. "2027-1"
    season: str | None = None
    max_credits: float | None = None
    min_credits: float = 0
    position: int = 0


class Curriculum(SQLModel, table=True):
    __tablename__ = "curriculum"

    id: str = Field(primary_key=True)
    name: str = ""
    description: str = ""
    calendar_id: str | None = Field(
        default=None, foreign_key="term_calendar.id", ondelete="SET NULL"
    )


class Course(SQLModel, table=True):
    __tablename__ = "course"
    __table_args__ = (
        *non_negative("credits", "hours", "cost", "session_cost", "max_sections"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
    )

    id: str = Field(primary_key=True)
    title: str = ""
    credits: float
    hours: float = 0
    cost: float = 0
    capacity: int | None = None  # None = unlimited seats
    max_sections: int = 1
    session_cost: float = 0
    # Term ids or seasons; None = every term (as in the scenario file).
    offered: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    curriculum_id: str | None = Field(
        default=None, foreign_key="curriculum.id", ondelete="SET NULL", index=True
    )
    position: int = 0  # keeps a curriculum's course order stable
    version: int = version_field()


class CourseTeaches(SQLModel, table=True):
    __tablename__ = "course_teaches"
    __table_args__ = (level_check(),)

    course_id: str = Field(foreign_key="course.id", ondelete="CASCADE", primary_key=True)
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT", primary_key=True)
    level: int


class CourseRequiresSkill(SQLModel, table=True):
    __tablename__ = "course_requires_skill"
    __table_args__ = (level_check(),)

    course_id: str = Field(foreign_key="course.id", ondelete="CASCADE", primary_key=True)
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT", primary_key=True)
    level: int


class Prerequisite(SQLModel, table=True):
    """All-of: `course_id` needs `prerequisite_id` first."""

    __tablename__ = "prerequisite"

    course_id: str = Field(foreign_key="course.id", ondelete="CASCADE", primary_key=True)
    # A course others depend on cannot be deleted silently.
    prerequisite_id: str = Field(foreign_key="course.id", ondelete="RESTRICT", primary_key=True)
    position: int = 0


class PrerequisiteGroup(SQLModel, table=True):
    """Any-of: one course of the group is enough."""

    __tablename__ = "prerequisite_group"

    pk: int | None = Field(default=None, primary_key=True)
    course_id: str = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    position: int = 0


class PrerequisiteOption(SQLModel, table=True):
    __tablename__ = "prerequisite_option"

    group_pk: int = Field(foreign_key="prerequisite_group.pk", ondelete="CASCADE", primary_key=True)
    prerequisite_id: str = Field(foreign_key="course.id", ondelete="RESTRICT", primary_key=True)
    position: int = 0
