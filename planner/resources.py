"""Where planner's own files are, and where it keeps the user's data.

Every caller finds templates, static files, seed data, curricula, migrations and the Alembic
config here, through `importlib.resources` — never relative to a source checkout — so an
installed wheel works from any folder.

How the files get into the package: the repository keeps them at the top level
(templates/, seed/, curricula/, migrations/, alembic.ini) and `planner/_data/` holds
relative symbolic links to them. An editable install reads through the links; building a
wheel (`pip wheel .`) copies the linked files into `planner/_data/` of the wheel
(`[tool.setuptools.package-data]` in pyproject.toml).

The user's data (the default SQLite database, the generated session key) lives in
`data_home()`: $PLANNER_DATA_DIR, else the per-user data folder
(~/.local/share/planner, $XDG_DATA_HOME/planner, or %LOCALAPPDATA%\\planner on Windows).
"""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

DATA_HOME_ENV = "PLANNER_DATA_DIR"


def package_dir() -> Path:
    """The installed `planner` package as a real folder (Flask and Alembic need paths)."""
    root = files("planner")
    if not isinstance(root, Path):  # e.g. a zip import: the files are not on disk
        raise RuntimeError(f"planner must be installed as files, not from {root}")
    return root


def data_dir() -> Path:
    return package_dir() / "_data"


def templates_dir() -> Path:
    return data_dir() / "templates"


def static_dir() -> Path:
    return package_dir() / "static"


def seed_dir() -> Path:
    """Taxonomy, roles, competence mix and question bank (YAML)."""
    return data_dir() / "seed"


def reference_dir() -> Path:
    """The committed O*NET / ESCO slices the cross-walk is checked against."""
    return seed_dir() / "reference"


def curricula_dir() -> Path:
    """The committed curricula (NAME.json), each a scenario file."""
    return data_dir() / "curricula"


def migrations_dir() -> Path:
    return data_dir() / "migrations"


def alembic_ini() -> Path:
    return data_dir() / "alembic.ini"


def data_home() -> Path:
    """The folder for the user's data: $PLANNER_DATA_DIR, else the per-user data folder."""
    explicit = os.environ.get(DATA_HOME_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "planner"


def default_db_path() -> Path:
    """The SQLite file used when DATABASE_URL is not set."""
    return data_home() / "planner.db"
