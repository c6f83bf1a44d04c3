"""`planner serve` as installed (the console script in a subprocess): a production WSGI
server with several worker processes answers /healthz, pages and a real sign-in."""

import os
import shutil

import pytest

from planner import db
from planner.services.accounts import users as accounts
from tests.live_process import Browser, free_port, server_process

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_console_script_serves_pages_health_and_sign_in(tmp_path, server):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        accounts.create_user(session, "ops@example.org", "serve-pass-1", "staff")
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "PLANNER_DATA_DIR": str(tmp_path / "data")}
    port = free_port()
    command = [shutil.which("planner"), "serve", "--port", str(port), "--server", server,
               "--workers", "2", "--threads", "2"]  # fmt: skip
    with server_process(command, env=env, cwd=tmp_path, port=port) as base:
        browser = Browser(base)
        status, body = browser.get("/healthz")
        assert status == 200 and '"status":"ok"' in body.replace(" ", "")
        status, page = browser.get("/login")
        assert status == 200 and "Password" in page
        # two gunicorn processes share the session key: signing in on one, the next
        # request may land on the other
        status, page = browser.sign_in("ops@example.org", "serve-pass-1")
        assert status == 200 and "ops@example.org" in page
        for _ in range(4):
            status, page = browser.get("/")
            assert status == 200 and "ops@example.org" in page
    log = (tmp_path / f"server-{port}.log").read_text(encoding="utf-8")
    assert ("gunicorn: 2 worker process(es)" if server == "gunicorn" else "waitress:") in log


def test_serve_refuses_an_empty_database(cli, tmp_path):

    result = cli("serve", db=tmp_path / "empty.db")
    assert result.exit_code == 1
    assert "planner init-db" in result.output
