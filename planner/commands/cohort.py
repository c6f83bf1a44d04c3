"""`planner sweep` (trade-off curve) and `planner program` (program-design report).

Exit codes as for `planner solve`: 0 done, 1 bad input (one line per problem).
"""

import sys
from pathlib import Path

import click

from planner.commands import SECONDS, Command, fail
from planner.commands.solve import ENGINE, ENGINE_HELP, _engine, _load, _start_engine


@click.command("sweep", cls=Command)
@click.argument("scenario")
@click.option(
    "--budget",
    "budget",
    default=None,
    metavar="RANGE",
    help='Scenario budgets to try: "start:stop:step" or "a,b,c".',
)
@click.option(
    "--max-credits",
    "max_credits",
    default=None,
    metavar="RANGE",
    help='Per-term credit limits to try: "start:stop:step" or "a,b,c".',
)
@click.option(
    "--out-csv", default=None, help="Also write the points to this CSV file.  [default: none]"
)
@click.option(
    "--out-svg", default=None, help="Also draw the curve into this SVG file.  [default: none]"
)
@click.option(
    "--time-limit",
    type=SECONDS,
    default=None,
    help="Seconds per point.  [default: the scenario's options.time_limit_s]",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="CP-SAT search workers per point; with --engine ray, the local Ray's CPUs (points "
    "solved at once).  [default: the scenario's options.workers]",
)
@click.option("--engine", type=ENGINE, default=None, help=ENGINE_HELP)
def sweep(scenario, budget, max_credits, out_csv, out_svg, time_limit, workers, engine):
    """Residual gap of SCENARIO (a scenario file, or the name of a curriculum shipped with
    planner) across budgets (or credit limits): the trade-off curve.

    Give exactly one of --budget and --max-credits. One line per point goes to standard
    output; --out-csv and --out-svg save the points and the chart. With --engine ray every
    point is a Ray task, reported on stderr as it finishes. Exit 0 done, 1 bad input."""
    from planner.services.planning.sweep import parse_range, render_svg, write_csv
    from planner.services.planning.sweep import sweep as run
    from planner.solver.engine import EngineError, stop_ray

    engine = _engine(engine)

    if (budget is None) == (max_credits is None):
        fail(["give exactly one of --budget and --max-credits"])
    parameter, text = ("budget", budget) if budget is not None else ("max_credits", max_credits)
    try:
        values = parse_range(text, f"--{parameter.replace('_', '-')}")
    except ValueError as exc:
        fail([str(exc)])
    for path in (out_csv, out_svg):
        if path is not None and Path(path).is_dir():
            fail([f"cannot write to {path}: it is a directory"])
    from planner.commands.scenario import resolve_curriculum

    loaded = _load(resolve_curriculum(scenario))

    def arrived(value, plan, done: int) -> None:
        click.echo(f"[{done}/{len(values)}] {parameter} {value:g}: {plan.status}", err=True)

    started = _start_engine(engine, workers or loaded.options.workers)
    try:
        points = run(
            loaded,
            values,
            parameter=parameter,
            time_limit_s=time_limit,
            workers=workers,
            engine=engine,
            progress=arrived if engine == "ray" else None,
        )
    except EngineError as exc:
        fail([str(exc)])
    except KeyboardInterrupt:
        click.echo("interrupted: no points written", err=True)
        sys.exit(130)
    finally:
        if started:
            stop_ray()
    for p in points:
        gap = "-" if p.gap is None else f"{p.gap:g}"
        flag = "" if p.proven else " (not proven)"
        click.echo(f"{parameter} {p.value:g}: {p.status} gap {gap}{flag} {p.note}".rstrip())
    try:
        if out_csv:
            write_csv(points, out_csv, parameter)
        if out_svg:
            Path(out_svg).write_text(
                render_svg(points, parameter, loaded.name or ""), encoding="utf-8"
            )
    except OSError as exc:
        fail([f"cannot write output: {exc.strerror or exc}"])
    sys.exit(0)


@click.command("program", cls=Command)
@click.argument("curriculum")
@click.option(
    "--roles",
    default=None,
    metavar="R1,R2,...",
    help="Role ids to design tracks for.  [default: the roles of the curriculum's learners]",
)
@click.option(
    "--out",
    "out",
    default=None,
    help="Folder for the CSVs and report.md.  [default: print the report to standard output]",
)
@click.option(
    "--time-limit",
    type=SECONDS,
    default=None,
    help="Seconds per role track solve.  [default: the curriculum's options.time_limit_s]",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="CP-SAT search workers per solve.  [default: the curriculum's options.workers]",
)
def program(curriculum, roles, out, time_limit, workers):
    """Program-design report of CURRICULUM (a scenario file, or the name of a curriculum
    shipped with planner: ai-marketing-college, corporate-ai-upskilling): role tracks,
    course x skill coverage, uncovered skills, prerequisite metrics."""
    from planner.commands.scenario import resolve_curriculum
    from planner.scenario import ScenarioError
    from planner.services.planning.program import design_program

    loaded = _load(resolve_curriculum(curriculum))
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        fail([f"--out {out}: exists and is not a directory"])
    wanted = [r.strip() for r in roles.split(",") if r.strip()] if roles else None
    try:
        report = design_program(loaded, wanted, time_limit_s=time_limit, workers=workers)
    except ScenarioError as exc:
        fail(exc.problems)
    if out is None:
        click.echo(report.markdown(), nl=False)
    else:
        try:
            files = report.write(out)
        except OSError as exc:
            fail([f"cannot write to {out}: {exc.strerror or exc}"])
        for path in files:
            click.echo(str(path))
    sys.exit(0)
