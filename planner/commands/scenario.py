"""`planner scenario build | cohort`: make scenarios from curricula.

    planner scenario build ai-marketing-college --role mkt-data-analyst \
        --levels data.sql=1,ai.prompting=1 --terms Y1-fall,Y1-spring --out plan-me.json

CURRICULUM is a scenario file or the name of a curriculum shipped with planner
(ai-marketing-college, corporate-ai-upskilling). The file format: docs/scenario-format.md.
Bad input exits 1 with one line per problem, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planner.commands import Group, fail
from planner.commands.options import F, curriculum_path

if TYPE_CHECKING:
    from planner.scenario import Scenario


def parse_levels(values: tuple[str, ...]) -> dict[str, int]:
    """`skill=level` items, repeated or comma-separated; level an integer 0-4."""
    levels, problems = {}, []
    for value in values:
        for item in filter(None, (part.strip() for part in value.split(","))):
            skill, sep, level = item.partition("=")
            if not sep or not skill.strip():
                problems.append(f"--levels: {item!r} is not skill=level")
            elif not level.strip().isdigit() or not 0 <= int(level) <= 4:
                problems.append(f"--levels.{skill.strip()}: level must be 0-4, got {level!r}")
            else:
                levels[skill.strip()] = int(level)
    if problems:
        fail(problems)
    return levels


def _budget_option(help: str) -> Callable[[F], F]:
    return click.option("--budget", type=click.FloatRange(min=0), default=None, help=help)


_out_option = click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Scenario file to write (JSON).",
)


def _write(result: Scenario, out_path: str) -> None:
    from planner.scenario import dump_json

    try:
        Path(out_path).write_text(dump_json(result), encoding="utf-8")
    except OSError as exc:
        fail([f"--out: cannot write {out_path}: {exc.strerror}"])


@click.group(cls=Group)
def scenario():
    """Make scenario files (docs/scenario-format.md) from curricula, for `planner solve`.

    CURRICULUM is a scenario file or the name of a curriculum shipped with planner
    (see `planner program --help`)."""


@scenario.command()
@click.argument("curriculum")
@click.option("--role", "role_id", required=True, help="Target role id.")
@click.option("--learner-id", default=None, help="Id of the learner.  [default: ROLE-learner]")
@click.option(
    "--levels",
    multiple=True,
    metavar="SKILL=LEVEL[,...]",
    help="Current skill levels 0-4, e.g. data.sql=1,ai.prompting=2 (repeatable).  "
    "[default: 0 everywhere]",
)
@click.option(
    "--terms",
    default=None,
    metavar="T1,T2,...",
    help="Term ids the learner studies in.  [default: every term of the curriculum]",
)
@_budget_option("The learner's own total budget.  [default: no limit]")
@_out_option
def build(curriculum, role_id, learner_id, levels, terms, budget, out_path):
    """Write CURRICULUM with its learners replaced by one learner aiming at --role."""
    from planner.scenario import ScenarioError, load_scenario
    from planner.services.catalog.curricula import build_role_scenario

    try:
        base = load_scenario(curriculum_path(curriculum))
        result = build_role_scenario(
            base,
            role_id,
            learner_id=learner_id,
            levels=parse_levels(levels),
            terms=[t.strip() for t in terms.split(",") if t.strip()] if terms else None,
            budget=budget,
        )
    except ScenarioError as exc:
        fail(exc.problems)
    _write(result, out_path)
    learner = result.learners[0]
    click.echo(
        f"wrote {out_path}: {len(result.courses)} courses, learner {learner.id} "
        f"aiming at {role_id} over {len(result.learner_terms(learner))} terms",
        err=True,
    )


@scenario.command()
@click.argument("curriculum")
@click.argument("employees", type=click.Path(dir_okay=False))
@_budget_option("Budget of the whole cohort (constraints.budget).  [default: no limit]")
@_out_option
def cohort(curriculum, employees, budget, out_path):
    """Write CURRICULUM with its learners replaced by the people of an EMPLOYEES CSV.

    Columns: see docs/cohort.md. Every bad row is reported; nothing is written on error."""
    from planner.scenario import ScenarioError, load_scenario
    from planner.scenario.models import Constraints
    from planner.services.scenarios.employees import CohortImportError, read_employees

    try:
        base = load_scenario(curriculum_path(curriculum))
        result = read_employees(employees, base).scenario(base)
        if budget is not None:
            result = result.model_copy(update={"constraints": Constraints(budget=budget)})
    except (ScenarioError, CohortImportError) as exc:
        fail(exc.problems)
    _write(result, out_path)
    people = sum(learner.count for learner in result.learners)
    click.echo(
        f"wrote {out_path}: {people} people in {len(result.learners)} learner entries, "
        f"{len(result.courses)} courses",
        err=True,
    )
