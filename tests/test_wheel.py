"""The built wheel works from any folder: build it, install it into a fresh venv, and run
the documented commands from an unrelated folder (issue: templates, migrations, seed data
and curricula missing from the wheel; the database written into site-packages).

The venv borrows the dependencies from this interpreter (--system-site-packages: installing
OR-Tools and pandas again would take minutes) but planner itself is the wheel's: the test
proves `planner.__file__` and the console script are the venv's."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import REPO
from tests.live_process import Browser, free_port, server_process

pytestmark = pytest.mark.slow

# What a source checkout has and a built distribution must not depend on.
SKIP = shutil.ignore_patterns(
    ".git", "__pycache__", "*.pyc", "build", "dist", "*.egg-info", "instance", ".*_cache", "tmp"
)


def run(args, *, env, cwd, timeout=300, ok=True):
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if ok:
        assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy, so the checkout gets no build/ or egg-info (symlinks stay links).
    src = tmp_path_factory.mktemp("src") / "planner"
    shutil.copytree(REPO, src, symlinks=True, ignore=SKIP)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        env=os.environ, cwd=src)  # fmt: skip
    (built,) = out.glob("planner-*.whl")
    shutil.rmtree(src)  # nothing installed may read the tree it was built from
    return built


def test_wheel_holds_every_runtime_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in [
        "planner/_data/alembic.ini",
        "planner/_data/migrations/env.py",
        "planner/_data/migrations/script.py.mako",
        "planner/_data/templates/base.html",
        "planner/_data/templates/auth/login.html",
        "planner/_data/seed/taxonomy.yaml",
        "planner/_data/seed/roles.yaml",
        "planner/_data/seed/questions.yaml",
        "planner/_data/curricula/ai-marketing-college.json",
        "planner/_data/curricula/corporate-ai-upskilling.json",
        "planner/static/planner.css",
        "planner/static/vendor/htmx.min.js",
    ]:
        assert needed in names, needed
    migrations = {p.name for p in (REPO / "migrations" / "versions").glob("*.py")}
    shipped = {Path(n).name for n in names if n.startswith("planner/_data/migrations/versions/")}
    assert migrations and shipped == migrations
    templates = {str(p.relative_to(REPO / "templates")) for p in (REPO / "templates").rglob("*")
                 if p.is_file()}  # fmt: skip
    assert {f"planner/_data/templates/{t}" for t in templates} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_installed_wheel_works_from_an_unrelated_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], env=os.environ,
        cwd=tmp_path)  # fmt: skip
    python, planner = venv / "bin" / "python", venv / "bin" / "planner"
    run([python, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
         str(wheel)], env=os.environ, cwd=tmp_path)  # fmt: skip

    home, work = tmp_path / "home", tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DATABASE_URL", "PLANNER_DATA_DIR", "XDG_DATA_HOME")}  # fmt: skip
    env |= {"HOME": str(home), "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"}

    where = run([python, "-c", "import planner, sys; print(planner.__file__)"], env=env, cwd=work)
    package = Path(where.stdout.strip())
    assert package.is_relative_to(venv), f"planner imported from {package}, not the venv"
    assert not package.parent.joinpath("_data", "templates").is_symlink()

    def planner_cmd(*args, ok=True):
        return run([planner, *args], env=env, cwd=work, ok=ok)

    db_file = home / ".local" / "share" / "planner" / "planner.db"
    assert str(db_file) in planner_cmd("init-db").stdout
    assert db_file.is_file()
    assert "65 skills, 9 roles" in planner_cmd("seed").stdout
    planner_cmd("scenario", "build", "ai-marketing-college", "--role", "mkt-data-analyst",
                "--out", "analyst.json")  # fmt: skip
    solved = planner_cmd("solve", "analyst.json", "--out", "plan.json", "--time-limit", "20")
    assert json.loads((work / "plan.json").read_text())["status"] in ("OPTIMAL", "FEASIBLE")
    assert solved.returncode == 0
    planner_cmd("check", "analyst.json", "plan.json")
    planner_cmd("program", "ai-marketing-college", "--out", "report", "--time-limit", "20")
    assert (work / "report" / "report.md").is_file()
    schema = json.loads(planner_cmd("schema", "scenario").stdout)
    assert schema["title"] == "Scenario"
    # `planner demo` seeds, makes demo accounts and serves: sign in as its staff user
    port = free_port()
    with server_process([str(planner), "demo", "--port", str(port)], env=env, cwd=work,
                        port=port) as base:  # fmt: skip
        printed = (work / f"server-{port}.log").read_text(encoding="utf-8")
        password = re.search(r"staff\s+staff@demo\s+password (\S+)", printed).group(1)
        browser = Browser(base)
        status, page = browser.get("/login")
        assert status == 200 and "Password" in page
        assert browser.get("/static/planner.css")[0] == 200
        status, page = browser.sign_in("staff@demo", password)
        assert status == 200 and "staff@demo" in page
        assert browser.get("/scenarios/")[0] == 200

    port = free_port()
    with server_process([str(planner), "serve", "--port", str(port), "--workers", "2"],
                        env=env, cwd=work, port=port) as base:  # fmt: skip
        assert Browser(base).get("/login")[0] == 200

    site = venv / "lib"
    assert not list(site.rglob("*.db")), "a database was written into the venv"
    assert not list(site.rglob("secret_key"))
