"""Audit log: who did what and when, with counts only (never the data itself)."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from planner.models.base import utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    # The account that acted; the entry outlives the account (no foreign key).
    actor_id: int | None = None
    action: str  # e.g. "assessment.delete"
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
