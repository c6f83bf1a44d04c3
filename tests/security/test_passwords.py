"""Finding 11 (passwords) replayed: common and trivial passwords are refused wherever a
password is set (CLI create-user and reset, the profile page), and nothing changes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from planner import db
from planner.models import User
from planner.services.accounts import users as accounts
from tests.fixtures.web import USERS
from tests.security.dbdump import dump

WEAK = [
    ("password", "one of the most common passwords"),
    ("12345678", "one of the most common passwords"),
    ("        ", "cannot be only spaces"),
    ("PassWord1", "one of the most common passwords"),
    ("aaaaaaaa", "too simple"),
    ("12121212", "too simple"),
    ("short", "at least 8 characters"),
]


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_cli_refuses_weak_passwords_and_creates_nothing(
    cli, web_db_path, monkeypatch, password, why
):
    url = f"sqlite:///{web_db_path}"
    monkeypatch.setenv("DATABASE_URL", url)
    before = dump(url)
    result = cli("create-user", "new.person", "--role", "staff", "--password", password)
    assert result.exit_code == 1
    assert why in result.output
    # resetting an existing account's password to a weak one is refused the same way
    reset = cli("create-user", USERS["staff"].username, "--password", password)
    assert reset.exit_code == 1 and why in reset.output
    assert dump(url) == before


def test_cli_refuses_the_username_as_password(cli, web_db_path, monkeypatch):
    url = f"sqlite:///{web_db_path}"
    monkeypatch.setenv("DATABASE_URL", url)
    before = dump(url)
    result = cli("create-user", "marketing.lead", "--password", "Marketing.Lead")
    assert result.exit_code == 1 and "cannot be your username" in result.output
    assert dump(url) == before


@pytest.mark.parametrize(("password", "why"), [*WEAK[:5], (USERS["staff"].username, "username")])
def test_profile_refuses_weak_new_passwords_and_keeps_the_old_one(app, staff_client, password, why):
    url = str(db.get_engine(app).url)
    before = dump(url)
    response = staff_client.post(
        "/profile",
        data={"current": USERS["staff"].password, "new": password, "confirm": password},
    )
    assert response.status_code == 200
    assert why in response.get_data(as_text=True)
    assert dump(url) == before  # same hash, same session version
    with Session(db.get_engine(app)) as session:
        assert accounts.authenticate(session, USERS["staff"].username, USERS["staff"].password)
    assert staff_client.get("/catalog/").status_code == 200  # still signed in


def test_a_strong_password_is_accepted(db_session):
    user = accounts.create_user(db_session, "strong.one", "correct horse battery", "staff")
    assert accounts.authenticate(db_session, "strong.one", "correct horse battery") == user
    stored = db_session.exec(select(User).where(User.username == "strong.one")).one()
    assert stored.session_version == 1
