"""scripts/pg-server ensure: in CI a PostgreSQL that cannot start fails the test run
(scripts/test), instead of letting the PostgreSQL tests skip unnoticed."""

import os
import subprocess

from tests import REPO


def ensure(tmp_path, ci: str):
    env = {**os.environ, "CI": ci, "PG_BIN": str(tmp_path / "no-postgres"),
           "PG_STATE_DIR": str(tmp_path / "state")}  # fmt: skip
    return subprocess.run([REPO / "scripts" / "pg-server", "ensure"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_ci_fails_when_postgresql_cannot_start(tmp_path):
    done = ensure(tmp_path, "true")
    assert done.returncode == 1 and done.stdout == ""
    assert "ERROR" in done.stderr and "CI=true" in done.stderr


def test_outside_ci_it_warns_and_the_tests_skip(tmp_path):
    done = ensure(tmp_path, "")
    assert done.returncode == 0 and done.stdout == ""
    assert "WARNING" in done.stderr


def test_scripts_test_stops_on_a_failed_ensure():
    script = (REPO / "scripts" / "test").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script and "line=$(scripts/pg-server ensure)" in script
