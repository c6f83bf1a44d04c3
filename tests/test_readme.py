"""Every line of the README's "Command line" block does what it says: each runs in a shell,
from an empty folder, against a fresh database, and exits 0 (`planner serve` is started,
asked for /healthz and a page, and stopped)."""

import json
import os
import re
import shutil
import subprocess

import pytest

from tests import REPO
from tests.live_process import Browser, free_port, server_process

pytestmark = pytest.mark.slow


def readme_command_lines() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Command line\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    # a trailing "# comment" explains the line; it is not part of the command
    return [re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def test_the_block_has_the_commands_a_newcomer_needs():
    lines = readme_command_lines()
    used = {line.split("planner ", 1)[1].split()[0] for line in lines}
    assert {"init-db", "seed", "import", "export", "scenario", "solve", "check", "program",
            "sweep", "schema", "create-user", "serve"} <= used  # fmt: skip


def test_every_readme_command_line_exits_0(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    planner = shutil.which("planner")
    assert planner, "the planner console script is not installed"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}",
           "PLANNER_DATA_DIR": str(tmp_path / "data"),
           "PATH": f"{os.path.dirname(planner)}{os.pathsep}{os.environ.get('PATH', '')}"}  # fmt: skip
    outputs = {}
    for line in readme_command_lines():
        if line.startswith("planner serve"):
            port = free_port()
            with server_process(
                ["bash", "-c", f"exec {line} --port {port}"], env=env, cwd=work, port=port
            ) as base:
                assert Browser(base).get("/login")[0] == 200
            continue
        done = subprocess.run(["bash", "-o", "pipefail", "-c", line], env=env, cwd=work,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=300)  # fmt: skip
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        outputs[line] = done.stdout + done.stderr

    # what the comments promise
    assert json.loads((work / "plan.json").read_text("utf-8"))["status"] == "OPTIMAL"
    assert (work / "report" / "report.md").is_file()
    assert (work / "curve.csv").read_text("utf-8").count("\n") == 4  # header + 3 budgets
    assert (work / "curve.svg").read_text("utf-8").lstrip().startswith("<svg")
    assert json.loads((work / "scenario.schema.json").read_text("utf-8"))["title"] == "Scenario"
    assert any("API token (shown once)" in out for out in outputs.values())
