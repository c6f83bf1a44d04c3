"""Trade-off sweeps run in the background: one row per sweep, its points as they finish."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from planner.models.base import choice_check, utcnow
from planner.models.planning import RUN_STATUSES

SWEEP_PARAMETERS = ("budget", "max_credits")


class SweepRun(SQLModel, table=True):
    """A budget (or per-term credit) sweep of a stored scenario.

    `points` holds one entry per solved value, in increasing order: the value, the plan's
    status and objective, and the plan file itself; `plan_id` is set once someone opens
    the point (its plan is then stored with a copy of the scenario at that value)."""

    __tablename__ = "sweep_run"
    __table_args__ = (
        choice_check("status", RUN_STATUSES),
        choice_check("parameter", SWEEP_PARAMETERS),
    )

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", ondelete="CASCADE", index=True)
    parameter: str = "budget"
    values: list = Field(sa_column=Column(JSON, nullable=False))
    time_limit_s: float | None = None
    status: str = Field(default="queued", index=True)
    points: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    progress: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # Who asked for it: a sweep counts as one of the account's active solves (jobs.py limits).
    user_id: int | None = Field(
        default=None, foreign_key="account.id", ondelete="SET NULL", index=True
    )
