"""GET /healthz: 200 JSON while the database answers, 503 when it does not; no sign-in."""

import shutil

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
