"""Fixtures live in tests/fixtures/, one module per concern."""

import pytest

pytest_plugins = [
    "tests.fixtures.cli",
    "tests.fixtures.db",
    "tests.fixtures.scenarios",
    "tests.fixtures.web",
]


@pytest.fixture(autouse=True, scope="session")
def _private_data_home(tmp_path_factory):
    """Keep the default database and session key out of the tester's own data folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PLANNER_DATA_DIR", str(tmp_path_factory.mktemp("data-home")))
    yield
    mp.undo()
