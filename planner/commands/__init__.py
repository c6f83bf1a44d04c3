"""Click commands of the `planner` CLI, one module per concern (see planner/cli.py).

Conventions shared by every command: bad input prints one line per problem to stderr and
exits 1, never a traceback — click's own usage errors included (click would exit 2, which
`planner solve` reserves for INFEASIBLE)."""

import sys
from collections.abc import Iterable

import click

from planner import resources


def db_help() -> str:
    """Which database a command uses; worked out when the help is shown (env may change)."""
    return (
        "Database: $DATABASE_URL (SQLite or PostgreSQL, e.g. "
        "postgresql+psycopg://USER:PASSWORD@HOST/DB), else the SQLite file "
        f"{resources.default_db_path()} (its folder: $PLANNER_DATA_DIR, else the per-user "
        "data folder)."
    )


def fail(problems: Iterable | str) -> None:
    """Print each problem on its own line and exit 1 (bad input)."""
    for problem in [problems] if isinstance(problems, str) else problems:
        click.echo(str(problem), err=True)
    sys.exit(1)


class _UsageErrorsExit1:
    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a subcommand's own usage error
            exc.exit_code = 1
            raise


class Command(_UsageErrorsExit1, click.Command):
    """A click command whose usage errors exit 1."""


class Group(_UsageErrorsExit1, click.Group):
    """A click group whose (and whose subcommands') usage errors exit 1."""


class DbCommand(Command):
    """A command that opens the database: its help ends by saying which one."""

    def format_epilog(self, ctx, formatter):
        formatter.write_paragraph()
        formatter.write_text(db_help())
        super().format_epilog(ctx, formatter)


class _Seconds(click.FloatRange):
    """A positive, finite number of seconds (click's FloatRange lets nan and inf through)."""

    name = "seconds"

    def convert(self, value, param, ctx):
        import math

        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return seconds


SECONDS = _Seconds(min=0, min_open=True)
