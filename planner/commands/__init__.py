"""Click commands of the `planner` CLI, one module per concern, named for its commands
(the table: planner/cli.py); options.py declares what several commands take alike.

Conventions shared by every command: bad input prints one line per problem to stderr and
exits 1, never a traceback — click's own usage errors included (click would exit 2, which
`planner solve` reserves for INFEASIBLE). A command opens its database with database() or
migrated_database()."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, NoReturn

import click

from planner import resources

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_launched: float | None = None  # perf_counter() at process start, for the console script


def launched() -> None:
    """Called by the console script: time limits then count from the process's start
    (interpreter start-up and imports too), as anyone timing the command would."""
    global _launched
    try:  # Linux: the process's age from /proc; elsewhere from now
        with open("/proc/self/stat") as stat, open("/proc/uptime") as up:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            age = max(0.0, float(up.read().split()[0]) - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        age = 0.0
    _launched = time.perf_counter() - age


def started_at() -> float:
    """When the running command's clock started (perf_counter)."""
    return _launched if _launched is not None else time.perf_counter()


def finish(code: int) -> NoReturn:
    """Exit with `code`. The console script skips the interpreter's teardown (freeing a
    large plan can take seconds) once its output is flushed; in-process callers (tests,
    CliRunner) get an ordinary SystemExit."""
    if _launched is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def db_help() -> str:
    """Which database a command uses; worked out when the help is shown (env may change)."""
    return (
        "Database: $DATABASE_URL (SQLite or PostgreSQL, e.g. "
        "postgresql+psycopg://USER:PASSWORD@HOST/DB), else the SQLite file "
        f"{resources.default_db_path()} (its folder: $PLANNER_DATA_DIR, else the per-user "
        "data folder)."
    )


def fail(problems: Iterable[object] | str) -> NoReturn:
    """Print each problem on its own line and exit 1 (bad input)."""
    for problem in [problems] if isinstance(problems, str) else problems:
        click.echo(str(problem), err=True)
    sys.exit(1)


def database() -> Engine:
    """The engine of the command's database; a malformed DATABASE_URL is bad input too."""
    from planner import db

    try:
        return db.make_engine(db.default_url())
    except Exception as exc:
        fail(f"bad DATABASE_URL: {exc}")


def migrated_database() -> Engine:
    """database(), created or upgraded to the newest schema first (so `planner import`
    works on a brand-new database)."""
    from sqlalchemy.exc import OperationalError

    from planner import db

    engine = database()
    try:
        db.upgrade(engine)
    except OperationalError as exc:
        fail(f"cannot open the database: {str(exc.orig).splitlines()[0]}")
    return engine


class _UsageErrorsExit1(click.Command):
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
