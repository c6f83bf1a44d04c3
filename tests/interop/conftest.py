"""Interop fixtures: a database with the seed taxonomy and roles (no curricula), copied per
test; run the `planner` command on one with `cli(*args, db=path)` (tests/fixtures/cli.py)."""

import shutil
from pathlib import Path

import pytest

from planner import db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory, migrated_sqlite_template):
    from planner.services.catalog.seeding import seed

    path = shutil.copyfile(
        migrated_sqlite_template, tmp_path_factory.mktemp("interop-seeded") / "seeded.db"
    )
    engine = db.make_engine(f"sqlite:///{path}")
    with db.session_scope(engine) as session:
        seed(session, curricula_dir=tmp_path_factory.mktemp("no-curricula"))
    engine.dispose()
    return path


@pytest.fixture
def seeded_db(tmp_path, seeded_template) -> Path:
    return shutil.copyfile(seeded_template, tmp_path / "seeded.db")


@pytest.fixture
def empty_db(tmp_path, migrated_sqlite_template) -> Path:
    return shutil.copyfile(migrated_sqlite_template, tmp_path / "empty.db")


@pytest.fixture
def session_of():
    """session_of(db_path) -> a SQLModel session on that file (closed after the test)."""
    from sqlmodel import Session

    opened = []

    def make(path: Path):
        engine = db.make_engine(f"sqlite:///{path}")
        session = Session(engine, expire_on_commit=False)
        opened.append((engine, session))
        return session

    yield make
    for engine, session in opened:
        session.close()
        engine.dispose()


def session_of_path(path: Path):
    """A session on a database file; the caller commits (engine left to the GC)."""
    from sqlmodel import Session

    return Session(db.make_engine(f"sqlite:///{path}"), expire_on_commit=False)


def assert_skills_carried(source: Path, target: Path, fields) -> None:
    """The skills of `target` (after an import) are those of `source`, field by field."""
    before, after = skills_of(source), skills_of(target)
    assert before.keys() == after.keys()
    for skill_id, record in before.items():
        assert {k: after[skill_id][k] for k in fields} == {k: record[k] for k in fields}


def skills_of(path: Path) -> dict[str, dict]:
    from sqlmodel import Session

    from planner.services.io.records import read_records

    engine = db.make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        out = {r["id"]: r for r in read_records(session, "skills")}
    engine.dispose()
    return out
