"""The app factory: a random, persistent session key unless one is configured."""

from planner import create_app, db
from planner.services.planning import jobs


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


def test_deployment_settings_come_from_the_environment(monkeypatch, tmp_path):
    """docs/deploy.md: SECRET_KEY, DATABASE_URL, PLANNER_SOLVE_WORKERS, PLANNER_DATA_DIR."""
    import pytest

    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.delenv("PLANNER_SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY", "from-SECRET_KEY")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PLANNER_SOLVE_WORKERS", "3")
    monkeypatch.setenv("PLANNER_SOLVER_THREADS", "1")
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-SECRET_KEY"
    assert app.config["DATABASE_URL"] == url
    runner = jobs.runner_for(db.get_engine(app))
    assert runner.workers == 3
    assert runner.solver_workers == 1
    assert not (tmp_path / "data").exists()  # a given key needs no data folder
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.delenv("DATABASE_URL")
    keyed = create_app()
    assert (tmp_path / "data" / "secret_key").read_text().strip() == keyed.config["SECRET_KEY"]
    assert keyed.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'data' / 'planner.db'}"
    monkeypatch.setenv("PLANNER_SOLVE_WORKERS", "0")
    with pytest.raises(ValueError, match="PLANNER_SOLVE_WORKERS"):
        create_app()
