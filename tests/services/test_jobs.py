"""Background solve runs: lifecycle, progress, failure and cancel, on a real SQLite file."""

import threading
import time

import pytest
from sqlmodel import select

from planner import db
from planner.models import PlanRecord, ScenarioRecord, SolveRun
from planner.scenario import Plan
from planner.scenario.generate import sized_body
from planner.services.planning import jobs
from planner.services.scenarios import editor as scenarios


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


def store(engine, body) -> int:
    with db.session_scope(engine) as session:
        return scenarios.save_new(session, body).id


def get_run(engine, run_id) -> SolveRun:
    with db.session_scope(engine) as session:
        return session.get(SolveRun, run_id)


def plans_of(engine, scenario_id):
    with db.session_scope(engine) as session:
        rows = session.exec(
            select(PlanRecord).where(PlanRecord.scenario_id == scenario_id).order_by(PlanRecord.id)
        ).all()
        return [(r.id, r.status, r.body) for r in rows]


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


class GatedSolve:
    """A stand-in solver whose finish the test controls (for exact lifecycle states)."""

    def __init__(self):
        self.gate = threading.Event()
        self.fail = False

    def __call__(self, scenario, *, progress=None, stop=None, **_):
        for i in range(20):
            progress(
                {
                    "stage": "gap",
                    "objective": {"gap": 20 - i},
                    "bound": {"gap": 0},
                    "elapsed_s": i * 0.01,
                }
            )
        while not self.gate.wait(0.01):
            if stop.is_set():
                return Plan(status="UNKNOWN", scenario=scenario.name)
        if self.fail:
            raise RuntimeError("solver exploded on purpose")
        learners = [
            {"id": lr.id, "schedule": {t: [] for t in scenario.learner_terms(lr)}}
            for lr in scenario.learners
        ]
        return Plan(
            status="OPTIMAL",
            scenario=scenario.name,
            objective={"gap": 0, "cost": 0, "credits": 0, "lateness": 0},
            learners=learners,
        )


def test_lifecycle_queued_running_done(engine):
    solver = GatedSolve()
    runner = jobs.JobRunner(engine, workers=1, solve_fn=solver)
    sid = store(engine, sized_body(courses=5, learners=2))
    first = runner.submit(sid)
    second = runner.submit(sid)  # the single worker is busy: this one waits in the queue
    assert wait_for(lambda: get_run(engine, first).status == "running")
    assert get_run(engine, second).status == "queued"
    run = get_run(engine, first)
    assert run.progress["stage"] in ("building", "gap")
    solver.gate.set()
    assert runner.wait(first, 5) and runner.wait(second, 5)
    for run_id in (first, second):
        run = get_run(engine, run_id)
        assert run.status == "done", run.error
        assert run.plan_id is not None and run.finished_at is not None
        assert run.best_objective == {"gap": 0, "cost": 0, "credits": 0, "lateness": 0}
    assert [p[1] for p in plans_of(engine, sid)] == ["OPTIMAL", "OPTIMAL"]
    runner.shutdown()


def running_run(engine) -> int:
    """A run marked running, with no progress yet, of a small stored scenario."""
    sid = store(engine, sized_body(courses=5, learners=2))
    with db.session_scope(engine) as session:
        run = SolveRun(scenario_id=sid, status="running", progress={})
        session.add(run)
        session.flush()
        return run.id


def test_progress_writes_are_throttled(engine):
    run_id = running_run(engine)
    writer = jobs.ProgressWriter(engine, run_id)
    for i in range(200):  # a burst far faster than 4/s
        writer({"stage": "gap", "objective": {"gap": 200 - i}, "elapsed_s": 0.001 * i})
    assert writer.writes == 1
    assert writer.last["objective"] == {"gap": 1}
    time.sleep(0.3)
    writer({"stage": "cost", "objective": {"gap": 0, "cost": 5}, "bound": {"gap": 0}})
    assert writer.writes == 2
    run = get_run(engine, run_id)
    assert run.progress["stage"] == "cost" and run.best_objective == {"gap": 0, "cost": 5}


def test_failure_keeps_earlier_plans(engine):
    solver = GatedSolve()
    solver.gate.set()
    runner = jobs.JobRunner(engine, workers=1, solve_fn=solver)
    sid = store(engine, sized_body(courses=5, learners=2))
    ok = runner.submit(sid)
    runner.wait(ok, 5)
    before = plans_of(engine, sid)
    assert len(before) == 1

    solver.fail = True  # the solver raises
    bad = runner.submit(sid)
    runner.wait(bad, 5)
    run = get_run(engine, bad)
    assert run.status == "failed" and "solver exploded on purpose" in run.error
    assert run.plan_id is None

    with db.session_scope(engine) as session:  # a body broken behind the editor's back
        record = session.get(ScenarioRecord, sid)
        record.body = {**record.body, "gap_mode": "sometimes"}
    broken = runner.submit(sid)
    runner.wait(broken, 5)
    run = get_run(engine, broken)
    assert run.status == "failed" and "gap_mode" in run.error
    assert plans_of(engine, sid) == before
    runner.shutdown()


def test_cancel_queued_run_never_starts(engine):
    solver = GatedSolve()
    runner = jobs.JobRunner(engine, workers=1, solve_fn=solver)
    sid = store(engine, sized_body(courses=5, learners=2))
    first = runner.submit(sid)
    second = runner.submit(sid)
    assert runner.cancel(second)
    assert get_run(engine, second).status == "cancelled"
    solver.gate.set()
    runner.wait(first, 5)
    runner.wait(second, 5)
    assert get_run(engine, second).status == "cancelled"
    assert get_run(engine, second).started_at is None
    assert not runner.cancel(first)  # already done
    assert len(plans_of(engine, sid)) == 1
    runner.shutdown()


def test_cancel_of_unknown_run_is_false(engine):
    assert not jobs.JobRunner(engine).cancel(999)


def test_submit_unknown_scenario(engine):
    with pytest.raises(LookupError):
        jobs.JobRunner(engine).submit(12345)


def test_real_solve_stores_a_checked_plan(engine):
    from planner.solver.check import check_plan

    runner = jobs.JobRunner(engine)
    body = sized_body(courses=12, learners=3, terms=4, seed=3)
    sid = store(engine, body)
    run_id = runner.submit(sid, time_limit_s=10)
    assert runner.wait(run_id, 30)
    run = get_run(engine, run_id)
    assert run.status == "done", run.error
    with db.session_scope(engine) as session:
        plan = Plan.model_validate(session.get(PlanRecord, run.plan_id).body)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert check_plan(scenarios.parse_scenario(body), plan) == []
    runner.shutdown()


@pytest.mark.slow
def test_cancel_stops_a_long_real_solve_promptly(engine):
    runner = jobs.JobRunner(engine)
    sid = store(engine, sized_body(courses=5, learners=2))
    keep = runner.submit(sid)
    runner.wait(keep, 30)
    before = plans_of(engine, sid)
    big = store(
        engine,
        sized_body(courses=60, learners=40, terms=6, skills=60, capacity=25, seed=11),
    )
    run_id = runner.submit(big, time_limit_s=120)
    assert wait_for(lambda: get_run(engine, run_id).status == "running", 30)
    time.sleep(1.0)  # let the search get going
    started = time.monotonic()
    assert runner.cancel(run_id)
    assert runner.wait(run_id, 5)
    took = time.monotonic() - started
    assert took < 2.0, f"cancel took {took:.2f}s"
    run = get_run(engine, run_id)
    assert run.status == "cancelled" and run.plan_id is None
    assert plans_of(engine, sid) == before
    assert plans_of(engine, big) == []
    runner.shutdown()


# -- runs interrupted by a server that exited ---------------------------------------------------
def dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def add_run(engine, sid, status, owner=None) -> int:
    with db.session_scope(engine) as session:
        progress = {"stage": "gap"} | ({jobs.OWNER_KEY: owner} if owner else {})
        run = SolveRun(scenario_id=sid, status=status, progress=progress)
        session.add(run)
        session.flush()
        return run.id


def test_runner_start_fails_runs_of_exited_servers_only(engine):
    import os
    import socket

    host = socket.gethostname()
    sid = store(engine, sized_body(courses=3, learners=1))
    live = jobs.JobRunner(engine, workers=1, solve_fn=GatedSolve())  # this process, alive
    kept_live = live.submit(sid)
    assert wait_for(lambda: get_run(engine, kept_live).status == "running")
    gone = jobs.JobRunner(engine)  # this process, but shut down: its runs are orphans
    gone.shutdown()
    runs = {
        "dead process": add_run(engine, sid, "running", f"{host}:{dead_pid()}:abc"),
        "queued, dead process": add_run(engine, sid, "queued", f"{host}:{dead_pid()}:abc"),
        "no owner recorded": add_run(engine, sid, "queued"),
        "shut-down runner": add_run(engine, sid, "running", gone.owner),
    }
    other_host = add_run(engine, sid, "running", f"elsewhere.example:{os.getpid()}:abc")
    finished = add_run(engine, sid, "done", f"{host}:{dead_pid()}:abc")

    started = jobs.runner_for(engine)  # a runner starting on this database reaps on start
    for what, run_id in runs.items():
        run = get_run(engine, run_id)
        assert (run.status, run.error) == ("failed", jobs.INTERRUPTED), what
        assert run.finished_at is not None
    assert get_run(engine, other_host).status == "running"  # cannot tell: left alone
    assert get_run(engine, finished).status == "done"
    assert get_run(engine, kept_live).status == "running"
    assert started.fail_stale_runs() == []  # idempotent
    live.shutdown()
    assert get_run(engine, kept_live).status == "cancelled"


def test_runs_record_their_owner_while_active(engine):
    solver = GatedSolve()
    runner = jobs.JobRunner(engine, workers=1, solve_fn=solver)
    run_id = runner.submit(store(engine, sized_body(courses=3, learners=1)))
    assert wait_for(lambda: get_run(engine, run_id).progress.get("stage") == "gap")
    assert get_run(engine, run_id).progress[jobs.OWNER_KEY] == runner.owner
    assert jobs.JobRunner(engine).fail_stale_runs() == []  # owned by a live pool: kept
    solver.gate.set()
    assert runner.wait(run_id, 5) and get_run(engine, run_id).status == "done"
    runner.shutdown()


def test_app_start_marks_interrupted_runs_failed(engine):
    from planner import create_app

    sid = store(engine, sized_body(courses=3, learners=1))
    run_id = add_run(engine, sid, "running", "old-host-format")
    app = create_app({"TESTING": True, "DATABASE_URL": str(engine.url)})
    try:
        run = get_run(engine, run_id)
        assert (run.status, run.error) == ("failed", "interrupted: the server restarted")
    finally:
        db.get_engine(app).dispose()


def test_progress_without_objective_or_bound_keeps_what_is_known(engine):
    """Early cohort rounds report no plan and no bound yet (objective/bound None)."""
    run_id = running_run(engine)
    writer = jobs.ProgressWriter(engine, run_id)
    writer({"stage": "gap", "objective": 7, "bound": 3, "elapsed_s": 1.0})
    time.sleep(0.3)
    writer({"stage": "gap: pricing", "objective": None, "bound": None, "elapsed_s": 2.0})
    run = get_run(engine, run_id)
    assert run.progress["stage"] == "gap: pricing" and run.elapsed_s == 2.0
    assert run.best_objective == {"gap": 7} and run.bound == {"gap": 3}


@pytest.mark.slow
def test_a_coupled_cohort_solves_in_the_background_through_column_generation(engine):
    """The web and API path of a cohort that reaches column generation: the real solver,
    progress written as it goes, the plan stored."""
    from benchmarks.shapes import shape

    sid = store(engine, shape(120, 20, 4, seats="tight", money=True, seed=8))
    runner = jobs.JobRunner(engine, workers=1)
    run_id = runner.submit(sid, time_limit_s=6)
    assert runner.wait(run_id, 60)
    run = get_run(engine, run_id)
    assert run.status == "done", run.error
    assert run.plan_id is not None and "gap" in run.best_objective
    assert [p[1] for p in plans_of(engine, sid)][-1] in ("OPTIMAL", "FEASIBLE")
    runner.shutdown()
