"""Background solves: a worker pool per database (`runner_for`), one `SolveRun` row per run.

A run moves queued -> running -> done | failed | cancelled. Only a run that finishes with a
plan writes anything besides its own row: it inserts a new `PlanRecord`. Failed and
cancelled runs never touch saved plans, so a bad edit cannot destroy earlier work.

Solves never run on a request thread: `submit` inserts the row, hands the work to the pool
and returns at once. The page (or API client) polls the row.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from planner.db import session_scope
from planner.models import ExportJob, PlanRecord, ScenarioRecord, SolveRun, utcnow
from planner.scenario import dump_json, parse_scenario
from planner.services.planning import exports as plan_exports

log = logging.getLogger(__name__)

PROGRESS_MIN_INTERVAL_S = 0.25  # at most 4 progress writes per second per run
DEFAULT_WORKERS = 2
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")
INTERRUPTED = "interrupted: the server restarted"
OWNER_KEY = "owner"  # progress[OWNER_KEY] = "<host>:<pid>:<runner>" of the pool running it


# Per-user limits (app config or environment, same names); None/0 = no limit.
LIMIT_DEFAULTS = {
    "PLANNER_MAX_ACTIVE_SOLVES_PER_USER": 3,  # queued + running solves of one account
    "PLANNER_MAX_ACTIVE_SOLVES": 50,  # queued + running solves of everyone together
    "PLANNER_MAX_ACTIVE_EXPORTS_PER_USER": 2,  # background exports being built
}
EXPORT_ACTIVE = ("queued", "running")


class Cancelled(Exception):
    """Raised inside a worker when its run was cancelled before or during the solve."""


class LimitReached(Exception):
    """Too much queued work: the message says which limit and what to do (web/API: 429)."""


def limits_from(config: Mapping[str, Any] | None = None) -> dict[str, int]:
    config = config or {}
    out = {}
    for key, default in LIMIT_DEFAULTS.items():
        value = config.get(key, os.environ.get(key))
        out[key] = default if value in (None, "") else int(value)
    return out


def _default_solve(scenario, **kwargs):
    # Imported late: the web app may start without OR-Tools. solve_cohort merges identical
    # learners and decomposes large cohorts; for one learner it is the plain CP-SAT solve.
    from planner.solver.cohort import solve_cohort

    return solve_cohort(scenario, **kwargs)


class Tracked:
    """Background work by key, from submit until done: its future and its stop event. The
    one home for what the solve runner and the sweep runner both keep, and how they cancel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stops: dict[int, threading.Event] = {}
        self._futures: dict[int, Future] = {}

    def start(
        self, key: int, submit: Callable[[], Future], stop: threading.Event | None = None
    ) -> Future:
        """Register what `submit()` queues (called under the lock, so the work is known
        before it can finish); it is forgotten once done."""
        with self._lock:
            if stop is not None:
                self._stops[key] = stop
            future = self._futures[key] = submit()
        future.add_done_callback(lambda _f: self._forget(key))
        return future

    def stop_event(self, key: int) -> threading.Event | None:
        with self._lock:
            return self._stops.get(key)

    def wait(self, key: int, timeout: float | None = None) -> bool:
        """Block until the work is done. True when it finished (or was never here)."""
        with self._lock:
            future = self._futures.get(key)
        if future is None:
            return True
        try:
            future.result(timeout)
        except TimeoutError:
            return False
        return True

    def cancel(
        self, key: int, engine: Engine, model: type[Any], finish: Callable[[Any], None]
    ) -> bool:
        """Stop the work `key` (its row is the `model` row of that id); False when the row
        had already finished. A row not started yet, or that no live pool of this process
        runs (a restart), is finished here by `finish(row)`: a worker that picks it up
        later sees it is no longer queued."""
        stop = self.stop_event(key)
        if stop is not None:
            stop.set()
        with session_scope(engine) as session:
            row = session.get(model, key)
            if row is None or row.status in FINISHED:
                return False
            if stop is None or row.status == "queued":
                finish(row)
        return True

    def ids(self) -> list[int]:
        with self._lock:
            return sorted(self._futures)

    def _forget(self, key: int) -> None:
        with self._lock:
            self._stops.pop(key, None)
            self._futures.pop(key, None)


class JobRunner:
    """Runs solves for one database on a thread pool.

    Threads suit CP-SAT: it releases the GIL while it searches, and a `threading.Event`
    reaches the solver directly, so cancel stops it within the solver's own polling delay.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        workers: int = DEFAULT_WORKERS,
        solve_fn: Callable | None = None,
        solver_workers: int | None = None,
        solve_engine: str | None = None,
        limits: dict[str, int] | None = None,
    ):
        self.engine = engine
        self.limits = limits or limits_from()
        self._admit = threading.Lock()  # count-then-insert is atomic within this process
        self._export_pool: ThreadPoolExecutor | None = None
        self.workers = workers
        self.solver_workers = solver_workers
        # "local" or "ray" (solver/engine.py); None: $PLANNER_ENGINE, read at each solve
        self.solve_engine = solve_engine
        self._solve = solve_fn or _default_solve
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()  # the pools
        self._tracked = Tracked()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        with _owners_lock:
            _live_owners.add(self.owner)

    # -- public ----------------------------------------------------------------------------
    def submit(
        self, scenario_id: int, *, time_limit_s: float | None = None, user_id: int | None = None
    ) -> int:
        """Queue a solve of the stored scenario; return the new run's id.

        With `user_id` (web and API) the per-user and overall limits apply: LimitReached."""
        with self._admit, session_scope(self.engine) as session:
            if session.get(ScenarioRecord, scenario_id) is None:
                raise LookupError(f"no scenario with id {scenario_id}")
            if user_id is not None:
                self._check_solve_limits(session, user_id)
            run = SolveRun(
                scenario_id=scenario_id,
                status="queued",
                progress={OWNER_KEY: self.owner},
                user_id=user_id,
            )
            run_id = inserted_id(session, run)
        stop = threading.Event()
        with self._lock:
            self._tracked.start(
                run_id,
                lambda: self._executor().submit(self._run, run_id, scenario_id, stop, time_limit_s),
                stop,
            )
        return run_id

    def check_solve_limits(self, user_id: int | None) -> None:
        """Raise LimitReached when `user_id` may not queue another solve now."""
        if user_id is None:
            return
        with session_scope(self.engine) as session:
            self._check_solve_limits(session, user_id)

    def _check_solve_limits(self, session, user_id: int) -> None:
        from planner.models.sweeps import SweepRun  # a trade-off sweep is solves too

        def active(user: int | None = None) -> int:
            total = 0
            for model in (SolveRun, SweepRun):
                query = select(func.count()).select_from(model)
                query = query.where(col(model.status).in_(ACTIVE))
                if user is not None:
                    query = query.where(model.user_id == user)
                total += session.exec(query).one()
            return total

        mine = self.limits["PLANNER_MAX_ACTIVE_SOLVES_PER_USER"]
        if mine and active(user_id) >= mine:
            raise LimitReached(
                f"You already have {mine} solves queued or running (the limit per person). "
                "Wait for one to finish, or cancel one, then try again."
            )
        everyone = self.limits["PLANNER_MAX_ACTIVE_SOLVES"]
        if everyone and active() >= everyone:
            raise LimitReached(
                f"The solve queue is full ({everyone} solves queued or running). "
                "Try again in a few minutes."
            )

    # -- background exports ----------------------------------------------------------------
    def submit_export(self, plan_id: int, fmt: str, user_id: int) -> int:
        """Build a plan export (csv/xlsx) off the request thread; return the ExportJob id."""
        if fmt not in plan_exports.FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        with self._admit, session_scope(self.engine) as session:
            if session.get(PlanRecord, plan_id) is None:
                raise LookupError(f"no plan with id {plan_id}")
            limit = self.limits["PLANNER_MAX_ACTIVE_EXPORTS_PER_USER"]
            query = (
                select(func.count())
                .select_from(ExportJob)
                .where(ExportJob.user_id == user_id, col(ExportJob.status).in_(EXPORT_ACTIVE))
            )
            if limit and session.exec(query).one() >= limit:
                raise LimitReached(
                    f"You already have {limit} exports being prepared (the limit per person). "
                    "Wait for one to finish, then try again."
                )
            job = ExportJob(
                user_id=user_id,
                plan_id=plan_id,
                format=fmt,
                owner=self.owner,
                filename=plan_exports.filename(plan_id, fmt),
            )
            job_id = inserted_id(session, job)
        with self._lock:
            if self._export_pool is None:  # one thread: exports queue behind each other
                self._export_pool = ThreadPoolExecutor(1, thread_name_prefix="planner-export")
            pool = self._export_pool
            # negative keys: exports beside solve runs
            self._tracked.start(-job_id, lambda: pool.submit(self._run_export, job_id))
        return job_id

    def wait_export(self, job_id: int, timeout: float | None = None) -> bool:
        return self.wait(-job_id, timeout)

    def _run_export(self, job_id: int) -> None:
        try:
            with session_scope(self.engine) as session:
                job = session.get(ExportJob, job_id)
                if job is None or job.status != "queued":
                    return
                job.status = "running"
                plan_id, fmt = job.plan_id, job.format
            with session_scope(self.engine) as session:
                data = plan_exports.build(session, plan_id, fmt)
            with session_scope(self.engine) as session:
                job = session.get(ExportJob, job_id)
                if job is not None:
                    job.data, job.status, job.finished_at = data, "done", utcnow()
        except Exception as exc:  # the job row carries the reason; the pool goes on
            log.exception("export job %s failed", job_id)
            try:
                with session_scope(self.engine) as session:
                    job = session.get(ExportJob, job_id)
                    if job is not None:
                        job.status, job.error = "failed", _describe(exc)
                        job.finished_at = utcnow()
            except Exception:
                log.exception("could not record the end of export job %s", job_id)

    def cancel(self, run_id: int) -> bool:
        """Stop a queued or running run. Returns False when it had already finished."""
        return self._tracked.cancel(
            run_id, self.engine, SolveRun, lambda run: _finish(run, "cancelled", error="cancelled")
        )

    def wait(self, run_id: int, timeout: float | None = None) -> bool:
        """Block until the run's worker is done (tests, CLI). True when it finished."""
        return self._tracked.wait(run_id, timeout)

    def active_ids(self) -> list[int]:
        return [k for k in self._tracked.ids() if k > 0]

    def shutdown(self, *, cancel: bool = True, wait: bool = True) -> None:
        if cancel:
            for run_id in self.active_ids():
                self.cancel(run_id)
        with self._lock:
            pool, self._pool = self._pool, None
            export_pool, self._export_pool = self._export_pool, None
        for each in (pool, export_pool):
            if each is not None:
                each.shutdown(wait=wait, cancel_futures=False)
        with _owners_lock:
            _live_owners.discard(self.owner)

    def fail_stale_runs(self) -> list[int]:
        """Mark failed every queued/running run whose pool is gone (its server exited).

        Called when the runner starts. A run is stale when its recorded owner is absent
        (rows from before owners were recorded), is a dead process on this host, or is
        this process but no live runner in it. Runs owned by another host are left alone:
        whether that process lives cannot be told from here.
        """
        with session_scope(self.engine) as session:
            runs = session.exec(select(SolveRun).where(col(SolveRun.status).in_(ACTIVE))).all()
            stale = [run for run in runs if _is_stale((run.progress or {}).get(OWNER_KEY))]
            for run in stale:
                _finish(run, "failed", error=INTERRUPTED)
            ids = [run.id for run in stale if run.id is not None]
            exports = session.exec(
                select(ExportJob).where(col(ExportJob.status).in_(EXPORT_ACTIVE))
            ).all()
            for job in exports:
                if _is_stale(job.owner):
                    job.status, job.error, job.finished_at = "failed", INTERRUPTED, utcnow()
        if ids:
            log.warning("marked %d interrupted solve run(s) failed: %s", len(ids), ids)
        return ids

    # -- worker side -------------------------------------------------------------------------
    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:  # created on first use: apps that never solve start no threads
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="planner-solve")
        return self._pool

    def _run(self, run_id: int, scenario_id: int, stop: threading.Event, time_limit_s) -> None:
        try:
            scenario = self._start(run_id, scenario_id, stop)
            reporter = ProgressWriter(self.engine, run_id, owner=self.owner)
            kwargs = {"progress": reporter, "stop": stop}
            if time_limit_s is not None:
                kwargs["time_limit_s"] = time_limit_s
            if self.solver_workers is not None:
                kwargs["workers"] = self.solver_workers
            engine = _engine(self.solve_engine)
            if engine != "local":  # a custom solve_fn of the local engine need not know it
                kwargs["engine"] = engine
            plan = self._solve(scenario, **kwargs)
            if stop.is_set():
                raise Cancelled()
            self._store_plan(run_id, scenario_id, plan, reporter)
        except Cancelled:
            self._end(run_id, "cancelled", error="cancelled")
        except Exception as exc:  # any solver or data error becomes the run's message
            log.exception("solve run %s failed", run_id)
            self._end(run_id, "failed", error=_describe(exc))

    def _start(self, run_id: int, scenario_id: int, stop: threading.Event):
        with session_scope(self.engine) as session:
            run = session.get(SolveRun, run_id)
            if stop.is_set() or run is None or run.status != "queued":
                raise Cancelled()
            record = session.get(ScenarioRecord, scenario_id)
            if record is None:
                raise LookupError(f"scenario {scenario_id} was deleted")
            run.status = "running"
            run.started_at = utcnow()
            run.progress = {"stage": "building", OWNER_KEY: self.owner}
            body = record.body
        return parse_scenario(body, f"scenario {scenario_id}")

    def _store_plan(self, run_id, scenario_id, plan, reporter: ProgressWriter) -> None:
        body = json.loads(dump_json(plan))
        with session_scope(self.engine) as session:
            run = session.get(SolveRun, run_id)
            if run is None or run.status != "running":  # cancelled elsewhere meanwhile
                return
            record = PlanRecord(
                scenario_id=scenario_id, status=plan.status, body=body, objective=plan.objective
            )
            run.plan_id = inserted_id(session, record)
            run.best_objective = plan.objective
            run.bound = plan.bound
            run.elapsed_s = (plan.stats or {}).get("solve_time_s", reporter.last_elapsed)
            run.progress = {
                **reporter.last,
                "stage": "done",
                "status": plan.status,
                OWNER_KEY: self.owner,
            }
            _finish(run, "done")

    def _end(self, run_id: int, status: str, error: str | None) -> None:
        try:
            with session_scope(self.engine) as session:
                run = session.get(SolveRun, run_id)
                if run is not None and run.status in ACTIVE:
                    _finish(run, status, error=error)
        except Exception:  # the database itself is gone; nothing more we can record
            log.exception("could not record the end of solve run %s", run_id)


def inserted_id(session: Session, row: Any) -> int:
    """Add `row` and flush it: the id the database gave it."""
    session.add(row)
    session.flush()
    row_id: int = row.id
    return row_id


def _engine(name: str | None) -> str:
    from planner.solver.engine import engine_name  # late: needs OR-Tools

    return engine_name(name)


def _finish(run: SolveRun, status: str, error: str | None = None) -> None:
    run.status = status
    run.error = error
    run.finished_at = utcnow()
    if run.elapsed_s is None and run.started_at is not None:
        started = run.started_at
        if started.tzinfo is None:  # SQLite hands datetimes back naive
            started = started.replace(tzinfo=run.finished_at.tzinfo)
        run.elapsed_s = round((run.finished_at - started).total_seconds(), 3)


def _is_stale(owner: str | None) -> bool:
    """True when no live pool can still be running a run with this owner."""
    if not owner or owner.count(":") < 2:
        return True
    host, pid_text, _runner = owner.rsplit(":", 2)
    if host != socket.gethostname():
        return False
    try:
        pid = int(pid_text)
    except ValueError:
        return True
    if pid == os.getpid():
        with _owners_lock:
            return owner not in _live_owners
    return not _pid_alive(pid)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    except OSError:
        return False
    return True


def _describe(exc: Exception) -> str:
    problems = getattr(exc, "problems", None)
    if problems:  # ScenarioError: every problem, one per line, with its JSON path
        return "invalid scenario:\n" + "\n".join(str(p) for p in problems)
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:4000]


class ProgressWriter:
    """The solver's progress callback: keeps the latest report, writes it at most 4x/s."""

    def __init__(
        self,
        engine: Engine,
        run_id: int,
        interval_s: float = PROGRESS_MIN_INTERVAL_S,
        owner: str | None = None,
    ):
        self.engine = engine
        self.run_id = run_id
        self.interval_s = interval_s
        self.owner = owner
        self.last: dict = {}
        self.last_elapsed: float | None = None
        self.writes = 0
        self._written_at = 0.0
        self._lock = threading.Lock()

    def __call__(self, report: dict) -> None:
        report = {k: _jsonable(v) for k, v in (report or {}).items()}
        with self._lock:
            self.last = report
            self.last_elapsed = report.get("elapsed_s", self.last_elapsed)
            now = time.monotonic()
            if now - self._written_at < self.interval_s:
                return
            self._written_at = now
        self._write(report)

    def _write(self, report: dict) -> None:
        try:
            with session_scope(self.engine) as session:
                run = session.get(SolveRun, self.run_id)
                if run is None or run.status != "running":
                    return
                run.progress = {**report, OWNER_KEY: self.owner} if self.owner else report
                stage = report.get("stage") or "objective"
                if report.get("objective") is not None:
                    run.best_objective = _merge(run.best_objective, stage, report["objective"])
                if report.get("bound") is not None:
                    run.bound = _merge(run.bound, stage, report["bound"])
                if report.get("elapsed_s") is not None:
                    run.elapsed_s = float(report["elapsed_s"])
            self.writes += 1
        except Exception:  # progress is best effort; the solve itself must go on
            log.warning("progress write for run %s failed", self.run_id, exc_info=True)


def _merge(previous: dict | None, stage: str, value) -> dict:
    """The solver reports one number per stage (or a dict); keep every stage's latest."""
    if isinstance(value, dict):
        return dict(value)
    return {**(previous or {}), stage: value}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


# -- one runner per database ----------------------------------------------------------------
_runners: dict[int, JobRunner] = {}
_runners_lock = threading.Lock()
_live_owners: set[str] = set()  # owners of this process's runners not shut down
_owners_lock = threading.Lock()  # separate: runner_for builds runners under _runners_lock


def runner_for(engine: Engine, settings: Mapping[str, Any] | None = None) -> JobRunner:
    """The runner of a database, started on first use with `settings` (the app's config:
    PLANNER_SOLVE_WORKERS, PLANNER_SOLVER_THREADS, PLANNER_ENGINE and the LIMIT_DEFAULTS
    names); starting it reaps the runs a previous server left queued or running."""
    settings = settings or {}
    with _runners_lock:
        runner = _runners.get(id(engine))
        created = runner is None
        if runner is None:
            runner = _runners[id(engine)] = JobRunner(
                engine,
                workers=settings.get("PLANNER_SOLVE_WORKERS", DEFAULT_WORKERS),
                solver_workers=settings.get("PLANNER_SOLVER_THREADS"),
                solve_engine=settings.get("PLANNER_ENGINE"),
                limits=limits_from(settings),
            )
    if created:
        _fail_stale_quietly(runner)
    return runner


def _fail_stale_quietly(runner: JobRunner) -> None:
    """Reap interrupted runs at start; a database without tables yet has none to reap."""
    try:
        runner.fail_stale_runs()
    except SQLAlchemyError as exc:
        log.info("no stale-run check (database not ready): %s", exc.__class__.__name__)


# -- reading runs --------------------------------------------------------------------------
def get_run(session: Session, run_id: int) -> SolveRun | None:
    """The run as stored now (a worker thread may have moved it since the session read it)."""
    run = session.get(SolveRun, run_id)
    if run is not None:
        session.refresh(run)
    return run


def latest_run(session: Session, scenario_id: int) -> SolveRun | None:
    """The scenario's newest run (for the editor's solve panel)."""
    return session.exec(
        select(SolveRun)
        .where(SolveRun.scenario_id == scenario_id)
        .order_by(col(SolveRun.id).desc())
        .limit(1)
    ).first()


# -- a run in words (the staff and learner run panels) -------------------------------------
def elapsed_s(run: SolveRun, now: datetime | None = None) -> float | None:
    """Wall-clock seconds since the run started on the server (to its end once it ended):
    building the model and storing the plan count too, not only the solver's own time.
    None while it waits for a worker."""
    start = run.started_at
    if start is None:
        return None
    end = run.finished_at if run.status not in ACTIVE else None
    end = end or now or utcnow()
    if start.tzinfo is None:  # SQLite hands datetimes back naive (they are UTC)
        start = start.replace(tzinfo=UTC)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    return max(0.0, (end - start).total_seconds())


# Objective stages (the solver's names) and what they mean to a planner.
STAGE_WORDS = {
    "building": "Preparing the data",
    "feasibility": "Looking for any valid plan",
    "gap": "Closing as many skill gaps as it can",
    "cost": "Keeping the cost down",
    "credits": "Keeping the workload down",
    "lateness": "Finishing as early as possible",
    "done": "Finished",
}


def stage_words(stage: str | None, status: str = "running") -> str:
    """A solver stage label in plain words: "gap: column generation round 3" ->
    "Closing as many skill gaps as it can (estimating the best possible, pass 3)"."""
    if status == "queued":
        return "Waiting for a free solver"
    if status in ("done", "failed", "cancelled"):
        return {"done": "Finished", "failed": "Stopped by an error", "cancelled": "Cancelled"}[
            status
        ]
    if not stage:
        return "Starting"
    head, _, detail = str(stage).partition(": ")
    words = STAGE_WORDS.get(head.strip(), "Searching")
    detail = detail.strip()
    if detail.startswith("column generation round"):
        words += f" (estimating the best possible, pass {detail.rsplit(' ', 1)[-1]})"
    elif detail == "integer master":
        words += " (turning the estimate into whole plans)"
    return words


def objective_parts(values: dict | None, *, plans_only: bool = False) -> list[tuple[str, float]]:
    """A run's best objective or bound by objective name, latest value per name. The
    solver keys some reports by stage ("gap: column generation round 2"); with
    `plans_only`, estimates from column generation (not yet a plan) are left out."""
    out: dict[str, float] = {}
    for key, value in (values or {}).items():
        head, _, detail = str(key).partition(": ")
        if plans_only and detail.startswith("column generation"):
            continue
        if head in ("gap", "cost", "credits", "lateness") and isinstance(value, int | float):
            out[head] = value
    return list(out.items())
