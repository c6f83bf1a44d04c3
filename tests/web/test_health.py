"""GET /healthz: 200 JSON while the database answers, 503 when it does not; no sign-in."""

import shutil

import pytest

from planner import create_app, db


def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "sqlite"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    missing = tmp_path / "no-such-folder" / "x.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{missing}"})
    shutil.rmtree(missing.parent)  # without its folder SQLite cannot open the file
    db.get_engine(app).dispose()  # drop pooled connections opened at start
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_forwarded_headers_count_only_behind_a_configured_proxy(monkeypatch, tmp_path):
    from flask import request

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "planner.example.org",
               "X-Forwarded-For": "203.0.113.9"}  # fmt: skip
    url = f"sqlite:///{tmp_path / 'p.db'}"

    def seen(app):
        app.add_url_rule("/_probe", "probe", lambda: f"{request.host_url} {request.remote_addr}")
        return app.test_client().get("/_probe", headers=headers).get_data(as_text=True)

    monkeypatch.delenv("PLANNER_PROXY_COUNT", raising=False)
    plain = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
    assert seen(plain) == "http://localhost/ 127.0.0.1"
    monkeypatch.setenv("PLANNER_PROXY_COUNT", "1")
    proxied = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
    assert seen(proxied) == "https://planner.example.org/ 203.0.113.9"
    monkeypatch.setenv("PLANNER_PROXY_COUNT", "many")
    with pytest.raises(ValueError, match="PLANNER_PROXY_COUNT must be a whole number"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
