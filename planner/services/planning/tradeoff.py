"""The trade-off page's work: budget (or per-term credit) sweeps in the background.

A sweep is `planner.services.planning.sweep.sweep` (the same code as `planner sweep`) run on the
solve pool of `planner.services.planning.jobs` — never on a request thread. Its row (`SweepRun`)
records each point as it is settled, so the page draws the curve while it grows; cancel
stops the solver through the same stop event the solve runs use, and keeps the points
already found. Opening a point stores its plan with a copy of the scenario at that value
(the plan is valid for that scenario, not for the original), once.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from planner.db import session_scope
from planner.models import PlanRecord, ScenarioRecord, utcnow
from planner.models.sweeps import SWEEP_PARAMETERS, SweepRun
from planner.scenario import Plan, dump_json, parse_scenario
from planner.services.planning import jobs
from planner.services.planning.sweep import SweepPoint, parse_range, render_svg, sweep, with_value
from planner.services.scenarios import editor as scenario_svc

log = logging.getLogger(__name__)

MAX_POINTS = 40  # a web sweep holds a solve worker for points × time limit
DEFAULT_POINT_LIMIT_S = 10.0
LABELS = {"budget": "total budget", "max_credits": "credits per term (every learner)"}


class SweepError(ValueError):
    """Bad sweep request; `field` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SweepRequest:
    parameter: str
    values: list[float]
    time_limit_s: float


def parse_request(parameter: str, text: str, seconds: str) -> SweepRequest:
    """The form's three fields, checked; SweepError names the first bad one."""
    if parameter not in SWEEP_PARAMETERS:
        raise SweepError("parameter", f"choose one of {', '.join(SWEEP_PARAMETERS)}")
    try:
        values = parse_range(text.strip(), "values")
    except ValueError as exc:
        raise SweepError("values", str(exc)) from None
    values = sorted(set(values))
    if len(values) > MAX_POINTS:
        raise SweepError("values", f"{len(values)} points; at most {MAX_POINTS} on the web")
    try:
        limit = float(seconds) if seconds.strip() else DEFAULT_POINT_LIMIT_S
    except ValueError:
        raise SweepError("time_limit_s", f"not a number: {seconds!r}") from None
    if not 0 < limit <= scenario_svc.MAX_TIME_LIMIT_S:
        raise SweepError("time_limit_s", f"between 0 and {scenario_svc.MAX_TIME_LIMIT_S} seconds")
    return SweepRequest(parameter, values, limit)


# -- running ---------------------------------------------------------------------------------
class SweepRunner:
    """Sweeps on a JobRunner's pool, with their own stop events (one runner per engine)."""

    def __init__(self, jobs_runner: jobs.JobRunner):
        self.jobs = jobs_runner
        self.engine = jobs_runner.engine
        self._tracked = jobs.Tracked()

    def submit(self, scenario_id: int, request: SweepRequest, user_id: int | None = None) -> int:
        """With `user_id` the solve limits of jobs.py apply (jobs.LimitReached)."""
        with self.jobs._admit, session_scope(self.engine) as session:
            if session.get(ScenarioRecord, scenario_id) is None:
                raise LookupError(f"no scenario with id {scenario_id}")
            if user_id is not None:
                self.jobs._check_solve_limits(session, user_id)
            run = SweepRun(
                user_id=user_id,
                scenario_id=scenario_id,
                parameter=request.parameter,
                values=list(request.values),
                time_limit_s=request.time_limit_s,
                progress={"done": 0, "total": len(request.values), jobs.OWNER_KEY: self.jobs.owner},
            )
            sweep_id = jobs.inserted_id(session, run)
        stop = threading.Event()
        self._tracked.start(
            sweep_id, lambda: self.jobs._executor().submit(self._run, sweep_id, stop), stop
        )
        return sweep_id

    def cancel(self, sweep_id: int) -> bool:
        return self._tracked.cancel(
            sweep_id, self.engine, SweepRun, lambda run: _finish(run, "cancelled")
        )

    def wait(self, sweep_id: int, timeout: float | None = None) -> bool:
        return self._tracked.wait(sweep_id, timeout)

    def fail_stale(self) -> None:
        """Sweeps whose server went away stay "running" otherwise (as solve runs would)."""
        with session_scope(self.engine) as session:
            rows = session.exec(select(SweepRun).where(col(SweepRun.status).in_(jobs.ACTIVE))).all()
            for run in rows:
                if jobs._is_stale((run.progress or {}).get(jobs.OWNER_KEY)):
                    _finish(run, "failed", jobs.INTERRUPTED)

    def _run(self, sweep_id: int, stop: threading.Event) -> None:
        try:
            with session_scope(self.engine) as session:
                run = session.get(SweepRun, sweep_id)
                if stop.is_set() or run is None or run.status != "queued":
                    return
                record = session.get(ScenarioRecord, run.scenario_id)
                if record is None:
                    raise LookupError(f"scenario {run.scenario_id} was deleted")
                run.status, run.started_at = "running", utcnow()
                body, parameter = record.body, run.parameter
                values, limit = list(run.values), run.time_limit_s
            scenario = parse_scenario(body, f"scenario {run.scenario_id}")
            order = sorted(values)
            solved = [0]

            def solve(s, **kwargs):
                if stop.is_set():
                    raise jobs.Cancelled()
                self._progress(sweep_id, solved[0], len(order), order[solved[0]])
                kwargs["stop"] = stop
                if self.jobs.solver_workers is not None:
                    kwargs["workers"] = self.jobs.solver_workers
                plan = self.jobs._solve(s, **kwargs)
                if stop.is_set():
                    raise jobs.Cancelled()
                solved[0] += 1
                return plan

            points = sweep(
                scenario, order, parameter=parameter, time_limit_s=limit, solve=solve,
                on_point=lambda point: self._add_point(sweep_id, point),
            )  # fmt: skip
            self._end(sweep_id, "done", points=points)
        except jobs.Cancelled:
            self._end(sweep_id, "cancelled")
        except Exception as exc:  # any solver or data error becomes the sweep's message
            log.exception("sweep %s failed", sweep_id)
            self._end(sweep_id, "failed", error=jobs._describe(exc))

    def _progress(self, sweep_id: int, done: int, total: int, value) -> None:
        with session_scope(self.engine) as session:
            run = session.get(SweepRun, sweep_id)
            if run is not None and run.status == "running":
                run.progress = {
                    "done": done, "total": total, "value": value, jobs.OWNER_KEY: self.jobs.owner,
                }  # fmt: skip

    def _add_point(self, sweep_id: int, point: SweepPoint) -> None:
        with session_scope(self.engine) as session:
            run = session.get(SweepRun, sweep_id)
            if run is None:
                return
            run.points = [*run.points, _point_entry(point)]
            flag_modified(run, "points")

    def _end(self, sweep_id: int, status: str, error: str | None = None, points=None) -> None:
        try:
            with session_scope(self.engine) as session:
                run = session.get(SweepRun, sweep_id)
                if run is None or run.status not in jobs.ACTIVE:
                    return
                if points is not None:  # the front is known only once every point is in
                    pareto = {p.value for p in points if p.pareto}
                    run.points = [
                        {**entry, "pareto": entry["value"] in pareto} for entry in run.points
                    ]
                    flag_modified(run, "points")
                run.progress = {**run.progress, "done": len(run.points)}
                _finish(run, status, error)
        except Exception:  # the database itself is gone; nothing more we can record
            log.exception("could not record the end of sweep %s", sweep_id)


def _finish(run: SweepRun, status: str, error: str | None = None) -> None:
    run.status = status
    run.error = error
    run.finished_at = utcnow()


def _point_entry(point: SweepPoint) -> dict:
    objective = point.plan.objective or {}
    return {
        "value": point.value,
        "status": point.status,
        "proven": point.proven,
        "gap": point.gap,
        "gap_bound": (point.plan.bound or {}).get("gap"),
        "cost": objective.get("cost"),
        "credits": objective.get("credits"),
        "pareto": False,
        "note": point.note or ("" if point.proven else "not proven optimal"),
        "plan": json.loads(dump_json(point.plan)),
        "plan_id": None,
    }


_runners: dict[int, SweepRunner] = {}
_runners_lock = threading.Lock()


def runner_for(engine: Engine) -> SweepRunner:
    """The sweep runner of a database (on its solve runner's pool), started on first use;
    starting it reaps the sweeps a previous server left running."""
    base = jobs.runner_for(engine)
    with _runners_lock:
        found = _runners.get(id(base))
        runner = found if found is not None and found.jobs is base else SweepRunner(base)
        _runners[id(base)] = runner
    if runner is not found:
        try:
            runner.fail_stale()
        except Exception:  # a database without the table yet has nothing to reap
            log.info("no stale-sweep check (database not ready)")
    return runner


# -- reading ----------------------------------------------------------------------------------
def get(session: Session, sweep_id: int) -> SweepRun | None:
    return session.get(SweepRun, sweep_id)


def latest(session: Session, scenario_id: int, limit: int = 10) -> list[SweepRun]:
    return list(
        session.exec(
            select(SweepRun)
            .where(SweepRun.scenario_id == scenario_id)
            .order_by(col(SweepRun.id).desc())
            .limit(limit)
        ).all()
    )


def plan_exists(session: Session, plan_id: int) -> bool:
    return session.get(PlanRecord, plan_id) is not None


def suggested_form(session: Session, scenario_id: int) -> dict:
    """Form defaults: budgets from 0 to twice the scenario's (or 10,000), in 8 steps."""
    body = scenario_svc.stored_body(session, scenario_id)
    budget = (body.get("constraints") or {}).get("budget")
    top = 2 * budget if budget else 10000
    step = top / 8
    return {
        "parameter": "budget",
        "values": f"0:{top:g}:{step:g}",
        "time_limit_s": f"{min(DEFAULT_POINT_LIMIT_S, (body.get('options') or {}).get('time_limit_s', 10)):g}",
    }


def chart(run: SweepRun, title: str, link) -> str:
    """The budget → remaining-gap curve (sweep.render_svg), each point a link `link(i)`."""
    points = [
        SweepPoint(p["value"], Plan.model_validate(p["plan"]), p.get("note", ""), p["pareto"])
        for p in run.points
    ]
    return render_svg(points, run.parameter, title, links=[link(i) for i in range(len(points))])


def open_point(session: Session, run: SweepRun, index: int) -> int:
    """The plan id behind point `index`: stored on first open with a scenario copy at that
    value (name says which), reused afterwards. IndexError for a point that does not exist."""
    if not 0 <= index < len(run.points):
        raise IndexError(index)
    entry = run.points[index]
    if entry.get("plan_id") and session.get(PlanRecord, entry["plan_id"]) is not None:
        return entry["plan_id"]
    record = session.get(ScenarioRecord, run.scenario_id)
    if record is None:
        raise LookupError(f"scenario {run.scenario_id} was deleted")
    scenario = with_value(parse_scenario(record.body), run.parameter, entry["value"])
    body = json.loads(dump_json(scenario))
    body["name"] = scenario_svc.unreserved(
        f"{record.name} — {run.parameter.replace('_', ' ')} {entry['value']:g}"
    )[:200]
    copy = scenario_svc.save_new(session, body)  # ScenarioError if the copy is not storable
    plan = PlanRecord(
        scenario_id=jobs.inserted_id(session, copy), status=entry["status"],
        body={**entry["plan"], "scenario": copy.name}, objective=entry["plan"].get("objective"),
    )  # fmt: skip
    plan_id = jobs.inserted_id(session, plan)
    run.points = [{**p, "plan_id": plan_id} if i == index else p for i, p in enumerate(run.points)]
    flag_modified(run, "points")
    session.flush()
    return plan_id
