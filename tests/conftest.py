"""Fixtures live in tests/fixtures/, one module per concern."""

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.scenarios",
    "tests.fixtures.web",
]
