"""Engines, sessions and migrations.

Services and the CLI take a Session (use `session_scope(engine)`); only `init_app` and
`get_session` know about Flask. The schema is owned by Alembic (`migrations/`): `upgrade()`
brings any database to the newest revision.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from planner import resources

SQLITE_BUSY_TIMEOUT_S = 30  # writers wait for each other instead of failing at once


def default_url() -> str:
    """`DATABASE_URL` from the environment, else planner.db in the per-user data folder
    (`planner.resources.default_db_path()`: $PLANNER_DATA_DIR or ~/.local/share/planner)."""
    import os

    return os.environ.get("DATABASE_URL") or f"sqlite:///{resources.default_db_path()}"


def display_url(url: str | None = None) -> str:
    """The database URL for messages: the password hidden."""
    return make_url(normalise_url(url or default_url())).render_as_string(hide_password=True)


def normalise_url(url: str) -> str:
    """Plain postgres:// URLs (as hosting services hand them out) get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = normalise_url(url or default_url())
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        # Worker threads of the solve queue share the engine.
        kwargs["connect_args"].setdefault("check_same_thread", False)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", 10)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite ignores foreign keys unless told so on each connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None):
    from alembic.config import Config

    # The packaged migrations, wherever planner is installed.
    config = Config(str(resources.alembic_ini()))
    config.set_main_option("script_location", str(resources.migrations_dir()))
    if url:
        # ConfigParser treats % as interpolation; escape it in passwords.
        config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Run Alembic migrations up to `revision` (default: head)."""
    _run_alembic("upgrade", engine_or_url, revision)


def downgrade(engine_or_url: Engine | str | None = None, revision: str = "base") -> None:
    _run_alembic("downgrade", engine_or_url, revision)


def _run_alembic(command_name: str, engine_or_url, revision: str) -> None:
    from alembic import command

    if isinstance(engine_or_url, Engine):
        config = alembic_config()
        with engine_or_url.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, command_name)(config, revision)
        return
    engine = make_engine(engine_or_url)
    try:
        _run_alembic(command_name, engine, revision)
    finally:
        engine.dispose()


# --- Flask glue -------------------------------------------------------------------------


def init_app(app) -> None:
    """Store an engine on the app and close the request's session when the request ends."""
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'planner.db'}"
    app.extensions["planner.engine"] = make_engine(url)
    app.teardown_appcontext(_close_session)


def get_engine(app=None) -> Engine:
    from flask import current_app

    return (app or current_app).extensions["planner.engine"]


def get_session() -> Session:
    """The request's session (created on first use; committed by the caller)."""
    from flask import g

    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def _close_session(exc=None) -> None:
    from flask import g

    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
