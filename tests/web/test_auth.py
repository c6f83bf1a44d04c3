"""Sign-in, sign-out, `next` after sign-in, cookies, CSRF, profile tokens and the
create-user command."""

import re

import pytest
from sqlmodel import Session, select

from planner import db
from planner.models import User
from planner.services.accounts import users as accounts
from tests.fixtures.web import USERS


def _login(client, login, password, next_=None):
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"login": login, "password": password})


def test_login_with_right_password_signs_in_and_redirects_home(client):
    response = _login(client, USERS["staff"].username, USERS["staff"].password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "staff@test" in home.get_data(as_text=True)


def test_wrong_password_is_refused_beside_the_field(client):
    response = _login(client, USERS["staff"].username, "not-the-password")
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous


def test_unknown_user_gets_the_same_message(client):
    response = _login(client, "nobody@test", "whatever-password")
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_next_is_followed_only_for_local_paths(client):
    ok = _login(client, USERS["staff"].username, USERS["staff"].password, "/catalog/courses/")
    assert ok.headers["Location"] == "/catalog/courses/"
    client.post("/logout")
    evil = _login(client, USERS["staff"].username, USERS["staff"].password, "//evil.example/x")
    assert evil.headers["Location"] == "/"


def test_logout_is_a_post_and_ends_the_session(staff_client):
    assert staff_client.get("/logout").status_code == 405
    assert staff_client.post("/logout").status_code == 302
    assert staff_client.get("/catalog/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = _login(client, USERS["staff"].username, USERS["staff"].password)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # off by default so the demo works on plain http


def test_secure_cookies_can_be_switched_on(web_db_path):
    from planner import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{web_db_path}", "SECURE_COOKIES": True})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    db.get_engine(app).dispose()


def test_forms_without_csrf_token_are_rejected(csrf_app):
    client = csrf_app.test_client()
    response = client.post(
        "/login", data={"login": USERS["staff"].username, "password": USERS["staff"].password}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_login_with_csrf_token_from_the_form_works(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={
            "login": USERS["staff"].username,
            "password": USERS["staff"].password,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302


def test_profile_issues_a_token_shown_once_and_stores_only_its_hash(staff_client, web_session):
    page = staff_client.post("/profile/token").get_data(as_text=True)
    token = re.search(r'<pre class="token" id="api-token">([^<]+)</pre>', page).group(1)
    user = web_session.exec(select(User).where(User.username == USERS["staff"].username)).one()
    assert user.api_token_hash == accounts.token_digest(token)
    assert token not in (user.api_token_hash or "")
    api = staff_client.get("/api/v1/skills", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert token not in staff_client.get("/profile").get_data(as_text=True)


def test_learner_cannot_create_api_tokens(learner_client, web_session):
    assert learner_client.post("/profile/token").status_code == 403
    user = web_session.exec(select(User).where(User.username == USERS["learner"].username)).one()
    assert user.api_token_hash is None


def test_password_change_needs_the_current_password(staff_client, app):
    wrong = staff_client.post(
        "/profile", data={"current": "nope-nope", "new": "brand-new-pw", "confirm": "brand-new-pw"}
    )
    assert "That is not your current password." in wrong.get_data(as_text=True)
    ok = staff_client.post(
        "/profile",
        data={
            "current": USERS["staff"].password,
            "new": "brand-new-pw",
            "confirm": "brand-new-pw",
        },
    )
    assert ok.status_code == 302
    with Session(db.get_engine(app)) as session:
        assert accounts.authenticate(session, USERS["staff"].username, "brand-new-pw")


def test_create_user_command_creates_account_and_token(cli, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    result = cli("create-user", "王芳", "--role", "staff", "--password", "s3cret-pass", "--token")
    assert result.exit_code == 0, result.output
    token = re.search(r"API token \(shown once\): (\S+)", result.output).group(1)
    engine = db.make_engine(url)
    with Session(engine) as session:
        user = accounts.user_for_token(session, token)
        assert user is not None and user.username == "王芳" and user.role == "staff"
        assert accounts.authenticate(session, "王芳", "s3cret-pass") is not None
    engine.dispose()

    again = cli("create-user", "王芳", "--role", "staff")
    assert again.exit_code == 1
    assert "exists" in again.output

    prompted = cli("create-user", "li", "--role", "learner", input="short\nshort\n")
    assert prompted.exit_code == 1
    assert "password: must be at least 8 characters" in prompted.output


def test_create_user_for_scripts_reads_stdin_and_needs_no_terminal(cli, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    piped = cli("create-user", "ops", "--password-stdin", input="piped-pass-1\nignored\n")
    assert piped.exit_code == 0, piped.output
    bot = cli("create-user", "bot", "--token", input="")  # no terminal
    assert bot.exit_code == 0, bot.output
    token = re.search(r"API token \(shown once\): (\S+)", bot.output).group(1)
    nothing = cli("create-user", "nobody", input="")
    assert nothing.exit_code == 1
    assert "--password-stdin" in nothing.output and "Aborted" not in nothing.output
    empty = cli("create-user", "empty", "--password-stdin", input="\n")
    assert empty.exit_code == 1 and "no password line" in empty.output
    both = cli("create-user", "x", "--password", "a", "--password-stdin")
    assert both.exit_code == 1 and "not both" in both.output
    engine = db.make_engine(url)
    with Session(engine) as session:
        assert accounts.authenticate(session, "ops", "piped-pass-1") is not None
        assert accounts.user_for_token(session, token).username == "bot"
        assert accounts.find_user(session, "nobody") is None
        assert accounts.find_user(session, "empty") is None
    engine.dispose()


def test_demo_command_prepares_database_and_accounts(cli, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    result = cli("demo", "--no-serve", "--port", "5055")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5055/" in result.output
    staff_pw = re.search(r"staff\s+staff@demo\s+password (\S+)", result.output).group(1)
    learner_pw = re.search(r"learner\s+learner@demo\s+password (\S+)", result.output).group(1)
    engine = db.make_engine(url)
    with Session(engine) as session:
        staff = accounts.authenticate(session, "staff@demo", staff_pw)
        learner = accounts.authenticate(session, "learner@demo", learner_pw)
        assert staff.role == "staff"
        assert learner.role == "learner" and learner.learner_id == "demo.learner"
    engine.dispose()


@pytest.mark.parametrize("target", ["/%0d%0aX:y", "/a%0Ab", "/a%09b", "/a%7Fb", "/%5Cevil.example"])
def test_login_next_with_control_characters_goes_home(staff_client, target):
    response = staff_client.get(f"/login?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_keeps_a_plain_path(staff_client):
    response = staff_client.get("/login?next=/plans/%3Fpage%3D2")
    assert response.headers["Location"] == "/plans/?page=2"
