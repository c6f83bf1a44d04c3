"""Finding 10 and 11 (throttling) replayed: sign-out and a password change end every
session and "keep me signed in" cookie of the account; repeated wrong passwords are
answered 429 for that account and that address, even when the right password follows.
Each attack also checks that the attacker's requests changed nothing.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from planner import db
from planner.models import User
from planner.services.accounts import users as accounts
from planner.services.accounts.throttle import LoginThrottle
from tests.fixtures.web import USERS, _make_app
from tests.security.dbdump import dump

STAFF_PAGE = "/catalog/"
REMEMBER = "remember_token"


def login(client, key="staff", password=None, remember=False, **kwargs):
    user = USERS[key]
    data = {"login": user.username, "password": password or user.password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, **kwargs)


def remember_cookie(client) -> str:
    cookie = client.get_cookie(REMEMBER)
    assert cookie is not None and cookie.value
    return cookie.value


def with_cookie(app, value: str):
    """A fresh browser holding only a copied remember cookie (the stolen-device case)."""
    thief = app.test_client()
    thief.set_cookie(REMEMBER, value)
    return thief


def signed_in(client) -> bool:
    response = client.get(STAFF_PAGE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def db_url(app) -> str:
    return str(db.get_engine(app).url)


def test_a_remember_cookie_dies_with_sign_out(app):
    browser = app.test_client()
    assert login(browser, remember=True).status_code == 302
    stolen = remember_cookie(browser)
    assert signed_in(with_cookie(app, stolen))  # the cookie alone signs in before logout
    assert browser.post("/logout").status_code == 302
    assert not signed_in(browser)
    before = dump(db_url(app))
    replay = with_cookie(app, stolen)
    assert not signed_in(replay)  # the attack: reuse the cookie after sign-out
    assert replay.post("/catalog/areas/new", data={"id": "x-area"}).status_code == 302
    assert dump(db_url(app)) == before  # the refused requests changed nothing


def test_sign_out_ends_the_other_sessions_too(app):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone, remember=True)
    phone_cookie = remember_cookie(phone)
    assert signed_in(laptop) and signed_in(phone)
    laptop.post("/logout")
    assert not signed_in(phone)
    assert not signed_in(with_cookie(app, phone_cookie))


def test_a_password_change_ends_every_other_session_and_cookie(app):
    me, other, thief_source = app.test_client(), app.test_client(), app.test_client()
    login(me)
    login(other)
    login(thief_source, remember=True)
    stolen = remember_cookie(thief_source)
    response = me.post(
        "/profile",
        data={
            "current": USERS["staff"].password,
            "new": "a-Fresh-pass-42",
            "confirm": "a-Fresh-pass-42",
        },
    )
    assert response.status_code == 302
    assert signed_in(me)  # the browser that changed it stays signed in
    before = dump(db_url(app))
    assert not signed_in(other)
    assert not signed_in(with_cookie(app, stolen))
    assert dump(db_url(app)) == before


def test_an_old_style_session_id_is_not_accepted(app):
    """A cookie carrying only the account id (no session version) signs nobody in."""
    from tests.fixtures.web import user_id

    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id(app, USERS["staff"].username))
    assert not signed_in(client)


def test_guessing_passwords_is_stopped_with_429_even_for_the_right_one(app):
    attacker = app.test_client()
    for _ in range(5):
        assert login(attacker, password="wrong-guess-123").status_code == 401
    before = dump(db_url(app))
    blocked = login(attacker)  # the right password, after five wrong ones
    assert blocked.status_code == 429
    text = blocked.get_data(as_text=True)
    assert "Too many failed sign-ins for this account" in text
    assert int(blocked.headers["Retry-After"]) > 0
    assert not signed_in(attacker)
    # The same account from another address is blocked too (per account) ...
    elsewhere = app.test_client()
    assert login(elsewhere, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429
    # ... by username or by e-mail alike; other accounts are not.
    assert (
        login(elsewhere, key="admin", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 302
    )
    assert dump(db_url(app), skip=()) == before


def test_one_address_spraying_many_accounts_is_stopped(web_db_path):
    app = _make_app(web_db_path, WTF_CSRF_ENABLED=False, LOGIN_MAX_FAILURES_PER_ADDRESS=3)
    try:
        attacker = app.test_client()
        for name in ("a@x", "b@x", "c@x"):
            response = attacker.post("/login", data={"login": name, "password": "guess-guess-1"})
            assert response.status_code == 401
        blocked = login(attacker, key="learner")
        assert blocked.status_code == 429
        assert "Too many failed sign-ins for your network address" in blocked.get_data(as_text=True)
        other = app.test_client()
        assert (
            login(other, key="learner", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 302
        )
    finally:
        db.get_engine(app).dispose()


def test_throttling_can_be_turned_off(web_db_path):
    app = _make_app(web_db_path, WTF_CSRF_ENABLED=False, LOGIN_THROTTLE=False)
    try:
        client = app.test_client()
        for _ in range(7):
            assert login(client, password="wrong-guess-123").status_code == 401
        assert login(client).status_code == 302
    finally:
        db.get_engine(app).dispose()


def test_failures_expire_after_the_window():
    now = [1000.0]
    throttle = LoginThrottle(2, 10, 60, clock=lambda: now[0])
    throttle.failed("user:1", "1.2.3.4")
    throttle.failed("user:1", "1.2.3.4")
    assert throttle.blocked("user:1", "1.2.3.4") == ("account", 60)
    now[0] += 30
    assert throttle.blocked("user:1", "1.2.3.4") == ("account", 30)
    now[0] += 31
    assert throttle.blocked("user:1", "1.2.3.4") is None
    throttle.failed("user:1", "1.2.3.4")
    throttle.succeeded("user:1")  # a right password clears the account's count
    assert throttle.blocked("user:1", "1.2.3.4") is None


@pytest.mark.parametrize("key", ["staff", "learner"])
def test_session_version_goes_up_once_per_sign_out(app, key):
    client = app.test_client()
    login(client, key=key)
    with Session(db.get_engine(app)) as session:
        user = session.exec(select(User).where(User.username == USERS[key].username)).one()
        version = user.session_version
    client.post("/logout")
    with Session(db.get_engine(app)) as session:
        user = session.exec(select(User).where(User.username == USERS[key].username)).one()
        assert user.session_version == version + 1
        assert accounts.authenticate(session, USERS[key].username, USERS[key].password)
