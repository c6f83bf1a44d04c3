"""`planner solve` and `planner check`: the solver from the command line.

Exit codes (docs/scenario-format.md): 0 OPTIMAL/FEASIBLE (check: valid), 1 bad input,
2 INFEASIBLE, 3 invalid plan (check), 4 UNKNOWN. Bad input never shows a traceback.
"""

import sys
import time
from pathlib import Path

import click

from planner.commands import Command, fail, finish, options, started_at

EXIT = {"OPTIMAL": 0, "FEASIBLE": 0, "INFEASIBLE": 2, "UNKNOWN": 4}
WRITE_FLOOR_S = 0.3  # kept back for writing even a small plan
MIN_SOLVE_SHARE = 0.01  # the solve never gets less than this share of the limit


class _Progress:
    """One stderr line per improvement (at most 2 a second) once a solve passes 1 s."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.last = 0.0

    def __call__(self, info: dict) -> None:
        now = time.monotonic()
        if now - self.t0 < 1.0 or now - self.last < 0.5:
            return
        self.last = now
        click.echo(
            f"[{info['elapsed_s']:.1f}s] {info['stage']}: best {_number(info.get('objective'))}, "
            f"bound {_number(info.get('bound'))}",
            err=True,
        )


def _number(value) -> str:
    """A progress figure; early rounds have no plan or no bound yet."""
    return "?" if value is None or value != value or abs(value) == float("inf") else f"{value:g}"


SOLVE_EPILOG = """\b
Exit codes:
  0 OPTIMAL or FEASIBLE: a valid plan
  1 bad input: one line per problem, with its JSON path
  2 INFEASIBLE: no plan can exist; the conflict and fixes are printed
  4 UNKNOWN: time ran out before a plan or a proof was found
The plan is written whatever the status. File format: docs/scenario-format.md."""

CHECK_EPILOG = """\b
Exit codes:
  0 valid plan
  1 bad input: one line per problem, with its JSON path
  3 invalid plan: every violation is printed
Rules 1-8 are listed in docs/scenario-format.md."""


@click.command("solve", cls=Command, epilog=SOLVE_EPILOG)
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
@click.option("--out", "out", default=None, help="Plan file to write.  [default: standard output]")
@click.option(
    "--out-dir",
    default=None,
    help="Write one plan per scenario here, as NAME.plan.json (needed for several scenarios).",
)
@options.time_limit_option(
    "Seconds to search.  [default: the scenario's options.time_limit_s, 10 if unset]"
)
@options.workers_option(
    "CP-SAT search workers; with --engine ray, the local Ray's CPUs.  "
    "[default: the scenario's options.workers, 2 if unset]"
)
@options.engine_option
def solve(scenarios, out, out_dir, time_limit, workers, engine):
    """Solve SCENARIO (a JSON or YAML scenario file) and write the plan (JSON). Several
    scenarios (a batch) need --out-dir and give one plan each; with --engine ray they are
    solved side by side as Ray tasks."""
    from planner.solver.cohort import solve_cohort
    from planner.solver.engine import EngineError, stop_ray

    engine = options.engine_name(engine)
    if len(scenarios) > 1 or out_dir is not None:
        _solve_batch(scenarios, out, out_dir, time_limit, workers, engine)
    started = started_at()
    reading = time.perf_counter()
    loaded = options.read_scenario(scenarios[0])
    reading = time.perf_counter() - reading
    if out is not None and Path(out).is_dir():
        fail([f"cannot write plan to {out}: it is a directory"])
    ray_started = options.start_engine(engine, workers or loaded.options.workers)
    # The limit covers the whole command: reading, solving and writing, which costs about
    # what reading did (measured: 200,000 people, read 5.1 s, write 1.7 s of CPU; up to
    # the same again in wall time on a busy machine).
    limit = time_limit or loaded.options.time_limit_s
    left = limit - (time.perf_counter() - started) - max(reading, WRITE_FLOOR_S)
    left = max(left, MIN_SOLVE_SHARE * limit)
    # solve_cohort merges identical learners and decomposes large coupled cohorts; with a
    # single learner it is the plain CP-SAT solve.
    try:
        plan = solve_cohort(
            loaded, time_limit_s=left, workers=workers, progress=_Progress(), engine=engine
        )
    except EngineError as exc:
        fail([str(exc)])
    finally:
        if ray_started:
            stop_ray()
    _write_plan(plan, out)
    _report(plan)
    finish(EXIT[plan.status])


def _write_plan(plan, out: str | None) -> None:
    """Streamed (write_plan): a plan of a million learners is never one string."""
    from planner.scenario import write_plan

    if out is None:
        stream = click.get_text_stream("stdout", encoding="utf-8")
        write_plan(plan, stream)
        stream.flush()
        return
    try:
        with open(out, "w", encoding="utf-8") as f:
            write_plan(plan, f)
    except OSError as exc:
        fail([f"cannot write plan to {out}: {exc.strerror or exc}"])


def _report(plan, prefix: str = "") -> None:
    from planner.solver.diagnose import describe

    if plan.status == "INFEASIBLE" and plan.diagnosis is not None:
        click.echo(prefix + describe(plan.diagnosis), err=True)
    elif plan.status == "UNKNOWN":
        click.echo(
            prefix + "No plan found and no proof that none exists: try a longer --time-limit.",
            err=True,
        )
    else:
        click.echo(
            f"{prefix}{plan.status}: "
            + ", ".join(f"{k} {v:g}" for k, v in (plan.objective or {}).items()),
            err=True,
        )


def _solve_batch(paths, out, out_dir, time_limit, workers, engine) -> None:
    """Every scenario is read and checked first (all or nothing), then solved; each plan
    is written as it arrives. Exits with the worst code of the plans. The time limit is
    per scenario."""
    from planner.scenario import ScenarioError, load_scenario
    from planner.solver.engine import EngineError, solve_many, stop_ray

    if out is not None:
        fail(["--out writes one plan: give --out-dir for several scenarios"])
    if out_dir is None:
        fail([f"{len(paths)} scenarios: give --out-dir for their plans"])
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        fail([f"--out-dir {out_dir}: exists and is not a directory"])
    names: dict[str, str] = {}
    for path in paths:
        name = Path(path).stem + ".plan.json"
        if name in names:
            fail([f"{path} and {names[name]} would both write {name}: rename one"])
        names[name] = path
    problems, loaded = [], []
    for path in paths:
        try:
            loaded.append(load_scenario(path))
        except ScenarioError as exc:
            problems += [f"{path}: {problem}" for problem in exc.problems]
    if problems:
        fail(problems)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail([f"cannot create --out-dir {out_dir}: {exc.strerror or exc}"])
    files = list(names)
    codes: list[int] = []

    def arrived(i: int, plan, done: int) -> None:
        _write_plan(plan, str(target / files[i]))
        _report(plan, f"[{done}/{len(paths)}] {paths[i]}: ")
        codes.append(EXIT[plan.status])

    ray_started = options.start_engine(engine, workers or max(s.options.workers for s in loaded))
    try:
        solve_many(
            loaded, engine=engine, time_limit_s=time_limit, workers=workers, progress=arrived
        )
    except EngineError as exc:
        fail([str(exc)])
    except KeyboardInterrupt:
        click.echo(f"interrupted: {len(codes)} of {len(paths)} plans written", err=True)
        sys.exit(130)
    finally:
        if ray_started:
            stop_ray()
    finish(max(codes, default=0))


@click.command("check", cls=Command, epilog=CHECK_EPILOG)
@click.argument("scenario")
@click.argument("plan")
def check(scenario, plan):
    """Check that PLAN is a valid plan for SCENARIO, independently of the solver: the
    rules 1-8 of docs/scenario-format.md and the reported objective."""
    from planner.scenario import ScenarioError, read_document
    from planner.solver.check import check_plan

    loaded = options.read_scenario(scenario)
    try:
        document = read_document(plan)
    except ScenarioError as exc:
        fail(exc.problems)
    violations = check_plan(loaded, document)
    if violations:
        for line in violations:
            click.echo(line, err=True)
        click.echo(f"invalid plan: {len(violations)} violation(s)", err=True)
        sys.exit(3)
    click.echo("valid plan", err=True)
