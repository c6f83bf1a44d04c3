"""`planner solve` and `planner check`: the solver from the command line.

Exit codes (docs/scenario-format.md): 0 OPTIMAL/FEASIBLE (check: valid), 1 bad input,
2 INFEASIBLE, 3 invalid plan (check), 4 UNKNOWN. Bad input never shows a traceback.
"""

import sys
import time
from pathlib import Path

import click

from planner.commands import SECONDS, Command, fail, finish, started_at

EXIT = {"OPTIMAL": 0, "FEASIBLE": 0, "INFEASIBLE": 2, "UNKNOWN": 4}
WRITE_FLOOR_S = 0.3  # kept back for writing even a small plan
MIN_SOLVE_SHARE = 0.01  # the solve never gets less than this share of the limit


def _load(path: str):
    from planner.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail(exc.problems)


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
@click.argument("scenario")
@click.option("--out", "out", default=None, help="Plan file to write.  [default: standard output]")
@click.option(
    "--time-limit",
    type=SECONDS,
    default=None,
    help="Seconds to search.  [default: the scenario's options.time_limit_s, 10 if unset]",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="CP-SAT search workers.  [default: the scenario's options.workers, 2 if unset]",
)
def solve(scenario, out, time_limit, workers):
    """Solve SCENARIO (a JSON or YAML scenario file) and write the plan (JSON)."""
    from planner.scenario import dump_json
    from planner.solver.cohort import solve_cohort
    from planner.solver.diagnose import describe

    started = started_at()
    reading = time.perf_counter()
    loaded = _load(scenario)
    reading = time.perf_counter() - reading
    if out is not None and Path(out).is_dir():
        fail([f"cannot write plan to {out}: it is a directory"])
    # The limit covers the whole command: reading, solving and writing, which costs about
    # what reading did (measured: 200,000 people, read 5.1 s, write 1.7 s of CPU; up to
    # the same again in wall time on a busy machine).
    limit = time_limit or loaded.options.time_limit_s
    left = limit - (time.perf_counter() - started) - max(reading, WRITE_FLOOR_S)
    left = max(left, MIN_SOLVE_SHARE * limit)
    # solve_cohort merges identical learners and decomposes large coupled cohorts; with a
    # single learner it is the plain CP-SAT solve.
    plan = solve_cohort(loaded, time_limit_s=left, workers=workers, progress=_Progress())
    text = dump_json(plan)
    if out is None:
        click.echo(text, nl=False)
    else:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail([f"cannot write plan to {out}: {exc.strerror or exc}"])
    if plan.status == "INFEASIBLE" and plan.diagnosis is not None:
        click.echo(describe(plan.diagnosis), err=True)
    elif plan.status == "UNKNOWN":
        click.echo(
            "No plan found and no proof that none exists: try a longer --time-limit.", err=True
        )
    else:
        click.echo(
            f"{plan.status}: " + ", ".join(f"{k} {v:g}" for k, v in (plan.objective or {}).items()),
            err=True,
        )
    finish(EXIT[plan.status])


@click.command("check", cls=Command, epilog=CHECK_EPILOG)
@click.argument("scenario")
@click.argument("plan")
def check(scenario, plan):
    """Check that PLAN is a valid plan for SCENARIO, independently of the solver: the
    rules 1-8 of docs/scenario-format.md and the reported objective."""
    from planner.scenario import ScenarioError, read_document
    from planner.solver.check import check_plan

    loaded = _load(scenario)
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
