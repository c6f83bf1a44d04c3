"""planner: marketing-education curriculum and skills-gap planner."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import resources

# The folder of the files shipped with planner (templates/, seed/, curricula/, migrations/):
# kept for older code; new code asks planner.resources (seed_dir(), templates_dir(), ...).
ROOT = resources.data_dir()

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory (the flaskr pattern): config, database, blueprints.

    Configuration from the environment (docs/deploy.md): SECRET_KEY (or PLANNER_SECRET_KEY),
    DATABASE_URL, PLANNER_DATA_DIR, PLANNER_SOLVE_WORKERS, PLANNER_SOLVER_THREADS,
    PLANNER_PROXY_COUNT; `config` overrides them.
    """
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(resources.data_home()),
        template_folder=str(resources.templates_dir()),
        static_folder=str(resources.static_dir()),
    )
    config = dict(config or {})
    # solves at once per process, and CP-SAT threads per solve (default: the scenario's)
    for name in ("PLANNER_SOLVE_WORKERS", "PLANNER_SOLVER_THREADS"):
        text = os.environ.get(name, "").strip()
        if text and name not in config:
            config[name] = _positive_int(name, text)
    secret = (
        config.get("SECRET_KEY")
        or os.environ.get("SECRET_KEY")
        or os.environ.get("PLANNER_SECRET_KEY")
    )
    if not secret:  # only then is the per-user data folder written to
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        secret = _instance_secret(app.instance_path)
    app.config.from_mapping(
        SECRET_KEY=secret,
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{resources.default_db_path()}",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(config)

    from planner import db

    db.init_app(app)
    _start_background_work(app)

    from planner import security

    security.init_app(app)

    from planner import hardening

    hardening.init_app(app)

    from planner import views

    views.register(app)
    _trust_proxies(app)
    return app


def _start_background_work(app: Flask) -> None:
    """The database's solve and sweep runners (reaping the work a previous server left
    running), and the write watch that keeps the cohort page's cache current."""
    from planner import db
    from planner.services.analytics import gaps
    from planner.services.planning import jobs, tradeoff

    engine = db.get_engine(app)
    gaps.watch_writes(engine)
    jobs.runner_for(engine, app.config)
    tradeoff.runner_for(engine)


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (PLANNER_PROXY_COUNT=N), take the client address, scheme,
    host and path prefix from their X-Forwarded-* headers (docs/deploy.md). Without it
    those headers are ignored: a client could forge them."""
    hops = app.config.get("PROXY_COUNT")
    if hops is None:
        text = os.environ.get("PLANNER_PROXY_COUNT", "").strip()
        hops = _positive_int("PLANNER_PROXY_COUNT", text) if text and text != "0" else 0
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )


def _positive_int(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {text!r}")
    return value


def _instance_secret(instance_path: str) -> str:
    """A random session-signing key kept in the data folder (never a known default)."""
    import secrets

    path = Path(instance_path) / "secret_key"
    if not path.exists():
        # write aside, then link into place: atomic, and the first process to start wins
        spare = path.with_name(f"secret_key.{os.getpid()}")
        spare.write_text(secrets.token_hex(32), encoding="utf-8")
        spare.chmod(0o600)
        try:
            os.link(spare, path)
        except FileExistsError:
            pass
        finally:
            spare.unlink()
    return path.read_text(encoding="utf-8").strip()
