"""The app factory: a random, persistent session key unless one is configured."""

from planner import create_app


def test_session_key_is_random_and_kept_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("PLANNER_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first = create_app({"DATABASE_URL": url}).config["SECRET_KEY"]
    again = create_app({"DATABASE_URL": url}).config["SECRET_KEY"]
    assert first == again and len(first) == 64 and first != "dev-only-change-me"


def test_configured_session_key_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_SECRET_KEY", "from-the-environment")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
