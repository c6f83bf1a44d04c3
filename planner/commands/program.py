"""`planner program`: the program-design report of a curriculum (role tracks, coverage,
uncovered skills, prerequisite metrics).

Exit codes as for `planner solve`: 0 done, 1 bad input (one line per problem).
"""

import sys
from pathlib import Path

import click

from planner.commands import Command, fail
from planner.commands.options import (
    curriculum_path,
    read_scenario,
    time_limit_option,
    workers_option,
)


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
@time_limit_option(
    "Seconds per role track solve.  [default: the curriculum's options.time_limit_s]"
)
@workers_option("CP-SAT search workers per solve.  [default: the curriculum's options.workers]")
def program(curriculum, roles, out, time_limit, workers):
    """Program-design report of CURRICULUM (a scenario file, or the name of a curriculum
    shipped with planner: ai-marketing-college, corporate-ai-upskilling): role tracks,
    course x skill coverage, uncovered skills, prerequisite metrics."""
    from planner.scenario import ScenarioError
    from planner.services.planning.program import design_program

    loaded = read_scenario(curriculum_path(curriculum))
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
