"""Stored scenario files, plans and solve runs (the job queue's rows)."""

from datetime import datetime

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from planner.models.base import choice_check, utcnow, version_field
from planner.scenario.models import PLAN_STATUSES

RUN_STATUSES = ("queued", "running", "done", "failed", "cancelled")
EXPORT_STATUSES = ("queued", "running", "done", "failed")


class ScenarioRecord(SQLModel, table=True):
    """A scenario file as stored: `body` is the planner-scenario/1 document."""

    __tablename__ = "scenario"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", index=True)
    body: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = version_field()


class PlanRecord(SQLModel, table=True):
    """A plan file (planner-plan/1) computed for a stored scenario."""

    __tablename__ = "plan"
    __table_args__ = (choice_check("status", PLAN_STATUSES),)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", ondelete="CASCADE", index=True)
    status: str
    body: dict = Field(sa_column=Column(JSON, nullable=False))
    objective: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class SolveRun(SQLModel, table=True):
    __tablename__ = "solve_run"
    __table_args__ = (choice_check("status", RUN_STATUSES),)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", ondelete="CASCADE", index=True)
    status: str = Field(default="queued", index=True)
    progress: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    best_objective: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    bound: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    elapsed_s: float | None = None
    error: str | None = None
    plan_id: int | None = Field(default=None, foreign_key="plan.id", ondelete="SET NULL")
    # Who asked for it (None: the CLI or an older row): per-user limits count active runs.
    user_id: int | None = Field(
        default=None, foreign_key="account.id", ondelete="SET NULL", index=True
    )
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class ExportJob(SQLModel, table=True):
    """A large plan export built in the background; `data` holds the file once done."""

    __tablename__ = "export_job"
    __table_args__ = (choice_check("status", EXPORT_STATUSES),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    format: str
    status: str = Field(default="queued")
    owner: str = ""  # the worker pool building it ("<host>:<pid>:<runner>"), as SolveRun
    filename: str = ""
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
