"""Finding 9: a read-only database gave "Server error (500)" on every write. Now every write
answers 503 with a maintenance message (HTML or JSON), reads keep working, nothing changes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event
from sqlalchemy.exc import InternalError, OperationalError
from sqlmodel import Session, func, select

from planner import db
from planner.hardening import READ_ONLY_MESSAGE, is_read_only
from planner.models import Assessment, Course, ScenarioRecord
from tests.web.test_catalog import course_form
from tests.web.test_scenarios import tiny_scenario


@pytest.fixture
def read_only(app, web_db_path):
    """Switch the app's engine to read-only connections (PRAGMA query_only: SQLite answers
    'attempt to write a readonly database', as for a read-only file or mount)."""
    form = course_form(app, "AI101", title="Changed while read-only")  # read before the switch
    engine = db.get_engine(app)
    engine.dispose()

    def query_only(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", query_only)
    yield form
    event.remove(engine, "connect", query_only)
    engine.dispose()


def snapshot(web_db_path):
    engine = db.make_engine(f"sqlite:///{web_db_path}")
    with Session(engine) as session:
        state = (
            session.get(Course, "AI101").title,
            session.exec(select(func.count()).select_from(ScenarioRecord)).one(),
            session.exec(select(func.count()).select_from(Assessment)).one(),
        )
    engine.dispose()
    return state


def test_writes_get_a_503_maintenance_page(read_only, staff_client, learner_client, web_db_path):
    before = snapshot(web_db_path)
    response = staff_client.post("/catalog/courses/AI101/edit", data=read_only)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "read-only maintenance" in page.lower() and "try again later" in page
    assert response.headers["Retry-After"]
    answer = learner_client.post("/assess/", data={"level-data.sql": "2"})
    assert answer.status_code == 503
    assert snapshot(web_db_path) == before


def test_reads_still_work(read_only, staff_client):
    assert staff_client.get("/catalog/courses/AI101/edit").status_code == 200
    assert staff_client.get("/scenarios/").status_code == 200


def test_api_write_is_503_json(app, web_db_path, client):
    from planner.models import User
    from planner.services.accounts import users as accounts
    from tests.fixtures.web import USERS

    with Session(db.get_engine(app)) as session:  # the token is issued before the switch
        user = session.exec(select(User).where(User.username == USERS["staff"].username)).one()
        token = accounts.issue_token(session, user)
        session.commit()
    engine = db.get_engine(app)
    engine.dispose()
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA query_only = ON"))
    before = snapshot(web_db_path)
    response = client.post(
        "/api/v1/scenarios",
        data=json.dumps(tiny_scenario()),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 503
    assert response.get_json()["errors"][0]["message"] == READ_ONLY_MESSAGE
    assert snapshot(web_db_path) == before
    engine.dispose()


class _PgReadOnly(Exception):
    sqlstate = "25006"


def test_postgres_read_only_transactions_are_recognised():
    pg = InternalError(
        "INSERT ...", {}, _PgReadOnly("cannot execute INSERT in a read-only transaction")
    )
    assert is_read_only(pg)
    other = OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert not is_read_only(other)
