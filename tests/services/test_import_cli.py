"""`planner init-db | seed | import | export` through the real command line entry."""

import functools
import json

import pytest


@pytest.fixture
def run(cli, tmp_path):
    """The command on this test's own database file."""
    return functools.partial(cli, db=tmp_path / "cli.db")


def test_import_export_cycle(run, tmp_path, catalog_data):
    assert run("init-db").exit_code == 0
    scenario = tmp_path / "demo.json"
    scenario.write_text(json.dumps(catalog_data, ensure_ascii=False), "utf-8")
    result = run("import", scenario)
    assert result.exit_code == 0, result.output
    assert "imported 3 skills, 2 terms, 1 roles, 4 courses, 2 learners, 1 scenario" in result.output
    out = tmp_path / "courses.xlsx"
    result = run("export", "courses", "--format", "xlsx", "--out", out)
    assert result.exit_code == 0 and out.stat().st_size > 0
    result = run("export", "learners", "--format", "csv")
    assert result.exit_code == 0 and "li.na,,analyst,,demo,2,1500,9,close" in result.output
    result = run("import", out)
    assert result.exit_code == 0 and "imported 4 courses" in result.output


def test_bad_file_prints_one_line_per_problem_and_exits_1(run, tmp_path):
    bad = tmp_path / "skills.csv"
    bad.write_text("id,name,colour\n,x,red\n", "utf-8")
    result = run("import", bad)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("skills.csv: row 1, column colour: unknown column")
    assert lines[-1] == "nothing imported (1 problem(s))"
    assert "Traceback" not in result.output


def test_missing_file_and_bad_export(run, tmp_path):
    result = run("import", tmp_path / "nope.csv")
    assert result.exit_code == 1 and "cannot read" in result.output
    result = run("export", "skills", "--format", "xlsx")
    assert result.exit_code == 1 and "--out is required" in result.output
    result = run("export", "scenario", "--format", "csv")
    assert result.exit_code == 1 and "a scenario exports as json or yaml" in result.output


def test_seed_twice(run, tmp_path):
    first = run("seed")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("seeded ")
    assert run("seed").output == first.output
