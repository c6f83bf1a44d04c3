"""`planner schema`: the JSON Schema of the scenario and plan files."""

import click

from planner.commands import Command


@click.command("schema", cls=Command)
@click.argument("kind", type=click.Choice(["scenario", "plan"]))
def schema(kind):
    """Print the JSON Schema (draft 2020-12) of a scenario or plan file.

    Generated from the same models that load files, so it checks keys, types and ranges;
    the rules that link parts of a file (ids that exist, no prerequisite cycles) are
    checked by `planner check` and every loader. The format: docs/scenario-format.md."""
    import json

    from planner.scenario.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))
