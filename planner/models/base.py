"""Shared pieces of the table definitions: naming convention, timestamps and the check
constraints that restate a Python rule (a level, a fixed list of words) in the database."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from planner.scenario import TOP_LEVEL

# Named constraints let Alembic's batch mode (SQLite) find and alter them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Aware UTC (SQLModel's datetime columns refuse naive values)."""
    return datetime.now(UTC)


def iso_utc(moment: datetime | None, timespec: str = "seconds") -> str | None:
    """ISO 8601 in UTC ending in "Z" (2027-03-01T09:30:00Z). Naive values are UTC (SQLite
    hands stored datetimes back naive)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec=timespec) + "Z"


def version_field() -> Any:
    """Edit counter for optimistic concurrency: every save checks and bumps it, so a save
    from a form opened before someone else's save is refused (planner.services.versions)."""
    return Field(default=1, sa_column_kwargs={"server_default": "1"})


def level_check(column: str = "level", *, nullable: bool = False) -> CheckConstraint:
    """The column holds a skill level (0 to TOP_LEVEL)."""
    rule = f"{column} BETWEEN 0 AND {TOP_LEVEL}"
    return CheckConstraint(_or_null(column, rule, nullable), name=f"{column}_range")


def choice_check(column: str, values: Iterable[str], *, nullable: bool = False) -> CheckConstraint:
    """The column holds one of `values` (the module's tuple of them, written once)."""
    listed = ", ".join(f"'{v}'" for v in values)
    rule = f"{column} IN ({listed})"
    return CheckConstraint(_or_null(column, rule, nullable), name=column)


def _or_null(column: str, rule: str, nullable: bool) -> str:
    return f"{column} IS NULL OR {rule}" if nullable else rule


def non_negative(*columns: str) -> list[CheckConstraint]:
    return [
        CheckConstraint(_or_null(c, f"{c} >= 0", True), name=f"{c}_non_negative") for c in columns
    ]
