"""The `planner` command line.

Each command lives in the module of its concern and is imported only when run,
so `planner solve` never pays for Flask or the database.
"""

import importlib

import click

from planner.commands import Group, db_help, launched

# command name -> "module:attribute" of a click.Command
COMMANDS = {
    "init-db": "planner.commands.data:init_db",
    "seed": "planner.commands.data:seed",
    "import": "planner.commands.data:import_file",
    "export": "planner.commands.data:export",
    "scenario": "planner.commands.scenario:scenario",
    "schema": "planner.commands.schema:schema",
    "solve": "planner.commands.solve:solve",
    "check": "planner.commands.solve:check",
    "sweep": "planner.commands.sweep:sweep",
    "program": "planner.commands.program:program",
    "demo": "planner.commands.web:demo",
    "serve": "planner.commands.web:serve",
    "create-user": "planner.commands.web:create_user",
    "role": "planner.commands.roles:role",
    "badges": "planner.commands.badges:badges",
}


class LazyGroup(Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def format_epilog(self, ctx, formatter):
        formatter.write_paragraph()
        formatter.write_text(
            "Start with `planner demo` (database, seed data, demo logins, web app). "
            "`planner COMMAND --help` shows every option with its default. Scenario and "
            "plan files: docs/scenario-format.md; running a server: docs/deploy.md."
        )
        formatter.write_paragraph()
        formatter.write_text(db_help())


@click.group(cls=LazyGroup)
@click.version_option(package_name="planner")
def cli():
    """Marketing-education curriculum and skills-gap planner."""


def main() -> None:
    """The console script (`planner`): its time limits count from the process's start."""
    launched()
    cli()
