"""`planner sweep`: the trade-off curve of a scenario across budgets or credit limits.

Exit codes as for `planner solve`: 0 done, 1 bad input (one line per problem).
"""

import sys
from collections.abc import Callable
from pathlib import Path

import click

from planner.commands import Command, fail, options


def _values_option(name: str, what: str) -> Callable[[options.F], options.F]:
    """The values of the swept parameter."""
    return click.option(
        name, default=None, metavar="RANGE", help=f'{what} to try: "start:stop:step" or "a,b,c".'
    )


@click.command("sweep", cls=Command)
@click.argument("scenario")
@_values_option("--budget", "Scenario budgets")
@_values_option("--max-credits", "Per-term credit limits")
@click.option(
    "--out-csv", default=None, help="Also write the points to this CSV file.  [default: none]"
)
@click.option(
    "--out-svg", default=None, help="Also draw the curve into this SVG file.  [default: none]"
)
@options.time_limit_option("Seconds per point.  [default: the scenario's options.time_limit_s]")
@options.workers_option(
    "CP-SAT search workers per point; with --engine ray, the local Ray's CPUs (points "
    "solved at once).  [default: the scenario's options.workers]"
)
@options.engine_option
def sweep(scenario, budget, max_credits, out_csv, out_svg, time_limit, workers, engine):
    """Residual gap of SCENARIO (a scenario file, or the name of a curriculum shipped with
    planner) across budgets (or credit limits): the trade-off curve.

    Give exactly one of --budget and --max-credits. One line per point goes to standard
    output; --out-csv and --out-svg save the points and the chart. With --engine ray every
    point is a Ray task, reported on stderr as it finishes. Exit 0 done, 1 bad input."""
    from planner.services.planning.sweep import parse_range, render_svg, write_csv
    from planner.services.planning.sweep import sweep as run
    from planner.solver.engine import EngineError, stop_ray

    engine = options.engine_name(engine)

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
    loaded = options.read_scenario(options.curriculum_path(scenario))

    def arrived(value, plan, done: int) -> None:
        click.echo(f"[{done}/{len(values)}] {parameter} {value:g}: {plan.status}", err=True)

    started = options.start_engine(engine, workers or loaded.options.workers)
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
