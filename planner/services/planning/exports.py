"""Plan exports as files (CSV, XLSX): built on the request for small plans, in the
background (jobs.JobRunner.submit_export) for large ones.

A plan is "large" when its schedule has more than `inline_max_rows()` rows (one row per
course a learner takes; default 20,000, `PLANNER_EXPORT_INLINE_ROWS` to change). A
20,000-learner plan took 112 s and ~750 MB to write as XLSX; that must not hold a request
thread. docs/deploy.md ("Security") documents the threshold.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from planner.models import ExportJob
from planner.scenario import Plan
from planner.services.planning import plans as svc

DEFAULT_INLINE_MAX_ROWS = 20_000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def inline_max_rows(config: Mapping[str, Any] | None = None) -> int:
    value = (config or {}).get("PLANNER_EXPORT_INLINE_ROWS") or os.environ.get(
        "PLANNER_EXPORT_INLINE_ROWS"
    )
    return int(value) if value not in (None, "") else DEFAULT_INLINE_MAX_ROWS


def schedule_rows(plan: Plan) -> int:
    """How many rows the Schedule sheet / CSV will have."""
    return sum(len(courses) for lp in plan.learners for courses in lp.schedule.values())


def filename(plan_id: int, fmt: str) -> str:
    return f"plan-{plan_id}.{fmt}"


def build(session: Session, plan_id: int, fmt: str) -> bytes:
    """The export file's bytes (CSV with a BOM so spreadsheet programs read UTF-8 names)."""
    header = svc.plan_header(session, plan_id)
    if header is None:
        raise LookupError(f"no plan {plan_id}")
    catalog = svc.catalog_for(session, header.scenario_id)
    if catalog is None:
        raise LookupError(f"no scenario {header.scenario_id}")
    plan = svc.plan_model(session, plan_id)
    people = svc.people_of(session, (lp.id for lp in plan.learners))  # names and teams
    if fmt == "csv":
        return ("\ufeff" + svc.to_csv(catalog, plan, people)).encode("utf-8")
    if fmt == "xlsx":
        return svc.to_xlsx(catalog, plan, people)
    raise ValueError(f"unknown export format {fmt!r}")


# -- background export jobs (the file itself stays unloaded until it is downloaded) ------------
WITHOUT_FILE = defer(ExportJob.data)  # type: ignore[arg-type]  # SQLModel types columns as values


def job_header(session: Session, job_id: int) -> ExportJob | None:
    return session.exec(
        select(ExportJob).options(WITHOUT_FILE).where(ExportJob.id == job_id)
    ).first()


def recent_jobs(session: Session, plan_id: int, user_id: int, fmt: str) -> list[ExportJob]:
    """The user's last five exports of this plan in this format, newest first."""
    return list(
        session.exec(
            select(ExportJob)
            .options(WITHOUT_FILE)
            .where(ExportJob.plan_id == plan_id, ExportJob.user_id == user_id)
            .where(ExportJob.format == fmt)
            .order_by(col(ExportJob.id).desc())
            .limit(5)
        ).all()
    )


def job_data(session: Session, job_id: int) -> bytes | None:
    return session.exec(select(ExportJob.data).where(ExportJob.id == job_id)).one()
