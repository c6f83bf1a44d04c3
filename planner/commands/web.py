"""`planner demo | serve | create-user`: run the web app and manage its accounts."""

from __future__ import annotations

import sys

import click

from planner import db
from planner.commands import DbCommand, database, fail, migrated_database

SERVE_HELP = (
    "Environment: SECRET_KEY signs sessions (default: a random key kept in the data folder; "
    "set it when several machines serve one site), PLANNER_SOLVE_WORKERS solves at once per "
    "process (default 2), PLANNER_SECURE_COOKIES=1 behind HTTPS."
)

DEMO_STAFF = "staff@demo"
DEMO_LEARNER = "learner@demo"
DEMO_LEARNER_ID = "demo.learner"
DEMO_ROLE = "digital-mkt-specialist"
DEMO_LEVELS = {
    "data.spreadsheets": 2,
    "ai.prompting": 1,
    "mkt.stp": 2,
}  # kept only where the skill exists


def _serve(host: str, port: int, workers: int, threads: int, server: str) -> None:
    """The production WSGI server (planner/serving.py): gunicorn on Unix, else waitress."""
    from planner import create_app
    from planner.serving import serve

    url = db.default_url()
    sys.stdout.flush()  # what was printed (demo logins) must reach a log before workers fork
    serve(
        lambda: create_app({"DATABASE_URL": url}),
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        server=server,
        announce=lambda line: click.echo(line, err=True),
    )


def server_options(command):
    """--host, --port, --workers, --threads and --server, shared by `serve` and `demo`."""
    from planner.serving import SERVERS

    for option in reversed(
        [
            click.option("--host", default="127.0.0.1", show_default=True,
                         help="Address to listen on (0.0.0.0: every interface)."),
            click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
                         help="TCP port to listen on."),
            click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
                         help="Server processes (gunicorn; waitress runs one)."),
            click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
                         help="Request threads per process."),
            click.option("--server", type=click.Choice(SERVERS), default="auto",
                         show_default=True,
                         help="WSGI server; auto = gunicorn on Unix, else waitress."),
        ]
    ):  # fmt: skip
        command = option(command)
    return command


def _demo_learner(session) -> str:
    """A learner row for the demo learner account (created once, kept on later runs)."""
    from sqlmodel import select

    from planner.models import Learner, LearnerLevel, Role, Skill

    if session.get(Learner, DEMO_LEARNER_ID) is None:
        role = DEMO_ROLE if session.get(Role, DEMO_ROLE) else None
        if role is None:
            role = session.exec(select(Role.id).order_by(Role.id)).first()
        session.add(Learner(id=DEMO_LEARNER_ID, name="Demo learner 演示学员", role_id=role))
        session.flush()
        for skill, level in DEMO_LEVELS.items():
            if session.get(Skill, skill):
                session.add(LearnerLevel(learner_id=DEMO_LEARNER_ID, skill_id=skill, level=level))
    return DEMO_LEARNER_ID


def _demo_account(session, username: str, role: str, learner_id: str | None = None) -> str:
    """Create the account or reset its password; return the new password."""
    from planner.services.accounts import users as accounts

    password = accounts.generate_password()
    user = accounts.find_user(session, username)
    if user is None:
        accounts.create_user(session, username, password, role=role, learner_id=learner_id)
    else:
        accounts.set_password(session, user, password)
        user.role = role
        if learner_id and user.learner_id != learner_id:
            user.learner_id = learner_id
    return password


@click.command("demo", cls=DbCommand)
@server_options
@click.option("--no-serve", is_flag=True, help="Prepare the database and accounts, then stop.")
def demo(host, port, workers, threads, server, no_serve):
    """Create/upgrade the database, seed it, create demo accounts and serve the app."""
    from planner.services.catalog.seeding import seed

    engine = migrated_database()
    with db.session_scope(engine) as session:
        report = seed(session)
        learner_id = _demo_learner(session)
        staff_pw = _demo_account(session, DEMO_STAFF, "staff")
        learner_pw = _demo_account(session, DEMO_LEARNER, "learner", learner_id)
    engine.dispose()
    click.echo(f"database: {db.display_url()}")
    click.echo(str(report))
    click.echo("")
    click.echo(f"Open http://{host}:{port}/ and sign in as")
    click.echo(f"  staff    {DEMO_STAFF:<14} password {staff_pw}")
    click.echo(f"  learner  {DEMO_LEARNER:<14} password {learner_pw}")
    click.echo("(passwords are new on every run of `planner demo`)")
    if not no_serve:
        _serve(host, port, workers, threads, server)


@click.command("serve", cls=DbCommand, epilog=SERVE_HELP)
@server_options
@click.option(
    "--engine",
    "solve_engine",
    type=click.Choice(["local", "ray"], case_sensitive=False),
    default=None,
    help="Where web and API solves run (docs/scale.md); with several --workers and ray, "
    "set RAY_ADDRESS to a running cluster.  [default: $PLANNER_ENGINE, else local]",
)
def serve(host, port, workers, threads, server, solve_engine):
    """Serve the web app on an existing database with a production WSGI server.

    Needs a migrated database (`planner init-db`, or `planner demo`). GET /healthz answers
    200 while the database is reachable. Deployment: docs/deploy.md."""
    import os

    from sqlalchemy import inspect

    if solve_engine:  # the solve runners of every server process read it at each solve
        os.environ["PLANNER_ENGINE"] = solve_engine.lower()
    from sqlalchemy.exc import SQLAlchemyError

    engine = database()
    try:
        ready = inspect(engine).has_table("account")
    except SQLAlchemyError as exc:
        fail(f"cannot open the database: {str(getattr(exc, 'orig', exc)).splitlines()[0]}")
    finally:
        engine.dispose()
    if not ready:
        fail("the database has no tables yet: run `planner init-db` (or `planner demo`) first")
    click.echo(f"serving http://{host}:{port}/ (database: {db.display_url()})", err=True)
    _serve(host, port, workers, threads, server)


@click.command("create-user", cls=DbCommand)
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["admin", "staff", "learner"]),
    default="staff",
    show_default=True,
    help="staff and admin edit the catalog and plan; a learner sees its own skills and plan.",
)
@click.option(
    "--password",
    default=None,
    help="The password (visible in the process list: prefer --password-stdin).  "
    "[default: asked for in a terminal]",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@click.option("--email", default=None, help="E-mail address of the account.  [default: none]")
@click.option(
    "--learner",
    "learner_id",
    default=None,
    help="Link a learner account to this learner id.  [default: none]",
)
@click.option("--token", is_flag=True, help="Also issue an API token (printed once).")
def create_user(username, role, password, password_stdin, email, learner_id, token):
    """Create an account. For an existing USERNAME, --password / --password-stdin reset it
    and --token issues a new API token.

    Without a terminal and without a password, an account created with --token signs in
    only with its API token (its password is random and never shown)."""
    import sys

    from planner.services.accounts import users as accounts

    if password_stdin:
        if password is not None:
            fail("give --password or --password-stdin, not both")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin: standard input has no password line")
    engine = migrated_database()
    with db.session_scope(engine) as session:
        user = accounts.find_user(session, username)
        if user is not None and not (password or token):
            fail(
                f'user "{username}" exists (use --password-stdin to reset its password '
                "or --token for a token)"
            )
        if user is None and password is None:
            if token and not sys.stdin.isatty():
                password = accounts.generate_password()  # an API-only account
            else:
                try:
                    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
                except click.Abort:  # end of input: a script without a password
                    fail("no password given: pipe it in with --password-stdin")
        try:
            if user is None:
                user = accounts.create_user(session, username, password, role, email, learner_id)
                click.echo(f'created {role} "{user.username}"')
            elif password:
                accounts.set_password(session, user, password)
                click.echo(f'password of "{user.username}" reset')
        except accounts.AccountError as exc:
            fail(f"{exc.field}: {exc.message}")
        if token:
            click.echo(f"API token (shown once): {accounts.issue_token(session, user)}")
    engine.dispose()
