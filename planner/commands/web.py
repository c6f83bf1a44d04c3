"""`planner demo | serve | create-user`: run the web app and manage its accounts."""

from __future__ import annotations

import click

from planner import db
from planner.commands import fail

DEMO_STAFF = "staff@demo"
DEMO_LEARNER = "learner@demo"
DEMO_LEARNER_ID = "demo.learner"
DEMO_ROLE = "digital-mkt-specialist"
DEMO_LEVELS = {
    "data.spreadsheets": 2,
    "ai.prompting": 1,
    "mkt.stp": 2,
}  # kept only where the skill exists


def _engine():
    try:
        return db.make_engine(db.default_url())
    except Exception as exc:
        fail(f"bad DATABASE_URL: {exc}")


def _serve(host: str, port: int, engine: str | None = None) -> None:
    """A threaded server: the pages stay responsive while solves run in the background."""
    from werkzeug.serving import run_simple

    from planner import create_app

    config = {"DATABASE_URL": db.default_url()}
    if engine:  # else $PLANNER_ENGINE, read at each solve
        config["PLANNER_ENGINE"] = engine.lower()
    app = create_app(config)
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


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
    from planner.services import accounts

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


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the database and accounts, then stop.")
def demo(host, port, no_serve):
    """Create/upgrade the database, seed it, create demo accounts and serve the app."""
    from planner.services.seeding import seed

    engine = _engine()
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        report = seed(session)
        learner_id = _demo_learner(session)
        staff_pw = _demo_account(session, DEMO_STAFF, "staff")
        learner_pw = _demo_account(session, DEMO_LEARNER, "learner", learner_id)
    engine.dispose()
    click.echo(f"database: {db.default_url()}")
    click.echo(str(report))
    click.echo("")
    click.echo(f"Open http://{host}:{port}/ and sign in as")
    click.echo(f"  staff    {DEMO_STAFF:<14} password {staff_pw}")
    click.echo(f"  learner  {DEMO_LEARNER:<14} password {learner_pw}")
    click.echo("(passwords are new on every run of `planner demo`)")
    if not no_serve:
        _serve(host, port)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--engine",
    "solve_engine",
    type=click.Choice(["local", "ray"], case_sensitive=False),
    default=None,
    help="Where web and API solves run (default: $PLANNER_ENGINE, else local).",
)
def serve(host, port, solve_engine):
    """Serve the web app on an existing database (see `planner init-db` / `planner demo`)."""
    from sqlalchemy import inspect

    engine = _engine()
    try:
        ready = inspect(engine).has_table("account")
    finally:
        engine.dispose()
    if not ready:
        fail("the database has no tables yet: run `planner init-db` (or `planner demo`) first")
    click.echo(f"serving http://{host}:{port}/ (database: {db.default_url()})")
    _serve(host, port, solve_engine)


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["admin", "staff", "learner"]), default="staff", show_default=True
)
@click.option("--password", default=None, help="Prompted for when not given.")
@click.option("--email", default=None)
@click.option(
    "--learner", "learner_id", default=None, help="Link a learner account to this learner id."
)
@click.option("--token", is_flag=True, help="Also issue an API token (printed once).")
def create_user(username, role, password, email, learner_id, token):
    """Create an account. For an existing USERNAME, --password resets it and --token issues
    a new API token."""
    from planner.services import accounts

    engine = _engine()
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        user = accounts.find_user(session, username)
        if user is not None and not (password or token):
            fail(f'user "{username}" exists (use --password to reset it or --token for a token)')
        if user is None and password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
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
