"""planner: marketing-education curriculum and skills-gap planner."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project root: templates/, seed/, curricula/


def create_app(config: dict | None = None):
    """Application factory (the flaskr pattern): config, database, blueprints."""
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",  # planner/static
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("PLANNER_SECRET_KEY") or _instance_secret(app.instance_path),
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or f"sqlite:///{ROOT / 'instance' / 'planner.db'}",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if config:
        app.config.update(config)

    from planner import db

    db.init_app(app)

    from planner import security

    security.init_app(app)

    from planner import hardening

    hardening.init_app(app)

    from planner import views

    views.register(app)
    return app


def _instance_secret(instance_path: str) -> str:
    """A random session-signing key kept in instance/ (never a known default)."""
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
