"""Database tables (SQLModel), one module per concern; import from here."""

from sqlmodel import SQLModel

from planner.models.accounts import USER_ROLES, User
from planner.models.audit import AuditEntry
from planner.models.base import iso_utc, utcnow
from planner.models.catalog import (
    Course,
    CourseRequiresSkill,
    CourseTeaches,
    Curriculum,
    Prerequisite,
    PrerequisiteGroup,
    PrerequisiteOption,
    Term,
    TermCalendar,
)
from planner.models.people import Assessment, Learner, LearnerLevel, LearnerTarget
from planner.models.planning import ExportJob, PlanRecord, ScenarioRecord, SolveRun
from planner.models.taxonomy import LevelDescriptor, Role, RoleRequirement, Skill, SkillArea


def _import_all_modules() -> None:
    """Import every module of this package, so `metadata` (what Alembic compares and
    migrates against) holds every table, also those other modules add."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_import_all_modules()
metadata = SQLModel.metadata

__all__ = [
    "USER_ROLES",
    "Assessment",
    "AuditEntry",
    "Course",
    "CourseRequiresSkill",
    "CourseTeaches",
    "ExportJob",
    "Curriculum",
    "Learner",
    "LearnerLevel",
    "LearnerTarget",
    "LevelDescriptor",
    "PlanRecord",
    "Prerequisite",
    "PrerequisiteGroup",
    "PrerequisiteOption",
    "Role",
    "RoleRequirement",
    "ScenarioRecord",
    "Skill",
    "SkillArea",
    "SolveRun",
    "Term",
    "TermCalendar",
    "User",
    "metadata",
    "iso_utc",
    "utcnow",
]
