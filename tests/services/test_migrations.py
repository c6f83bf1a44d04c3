"""Alembic: the migrated schema is exactly the models' schema, and it round-trips."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import planner.models
from planner import db


def schema_diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, planner.models.metadata)


def tables(engine):
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return request.getfixturevalue("pg_empty_database")


def test_migrations_match_the_models_and_round_trip(empty_url):
    engine = db.make_engine(empty_url)
    try:
        db.upgrade(engine)
        assert tables(engine) == set(planner.models.metadata.tables)
        assert schema_diff(engine) == []
        db.downgrade(engine, "base")
        assert tables(engine) == set()
        db.upgrade(engine)  # and up again, cleanly
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_upgrade_by_url_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    db.upgrade(url)
    db.upgrade(url)
    engine = db.make_engine(url)
    assert tables(engine) == set(planner.models.metadata.tables)
    engine.dispose()


def test_alembic_command_line_uses_database_url(tmp_path, monkeypatch):
    import subprocess
    import sys

    from tests import REPO

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini"), "upgrade", "head"],
        cwd=REPO,
        env={**__import__("os").environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(url)
    assert "skill" in tables(engine)
    engine.dispose()
