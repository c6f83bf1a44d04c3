"""`planner solve` / `planner check` exit codes, output and bad input."""

import json

import pytest

from tests.fixtures.scenarios import hard_scenario

OK = {
    "format": "planner-scenario/1",
    "name": "营销团队",
    "skills": [{"id": "data.sql"}],
    "terms": [{"id": "T1"}, {"id": "T2"}],
    "courses": [{"id": "SQL", "credits": 3, "cost": 100, "teaches": {"data.sql": 3}}],
    "learners": [{"id": "李娜", "target": {"data.sql": 3}}],
}


def write(tmp_path, data, name="s.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_solve_optimal_to_stdout_and_check_valid(cli, tmp_path):
    scenario = write(tmp_path, OK)
    result = cli("solve", scenario)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["status"] == "OPTIMAL" and plan["learners"][0]["schedule"]["T1"] == ["SQL"]
    out = tmp_path / "plan.json"
    assert (
        cli("solve", scenario, "--out", out, "--time-limit", "5", "--workers", "1").exit_code == 0
    )
    assert cli("check", scenario, out).exit_code == 0


def test_check_reports_every_violation_with_exit_3(cli, tmp_path):
    scenario = write(tmp_path, OK)
    plan = json.loads(cli("solve", scenario).stdout)
    plan["learners"][0]["schedule"] = {"T1": ["SQL"], "T2": ["SQL"]}
    result = cli("check", scenario, write(tmp_path, plan, "bad.json"))
    assert result.exit_code == 3
    assert "violation" in result.stderr


def test_infeasible_exit_2_with_diagnosis_in_words(cli, tmp_path):
    data = json.loads(json.dumps(OK))
    data["courses"][0]["offered"] = ["T2"]
    data["learners"][0]["pinned"] = {"SQL": "T1"}
    result = cli("solve", write(tmp_path, data))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["status"] == "INFEASIBLE"
    assert "pinned:李娜:SQL" in result.stderr and "move SQL to T2" in result.stderr


def test_unknown_exit_4(cli, tmp_path):
    scenario = hard_scenario()
    path = tmp_path / "hard.json"
    path.write_text(scenario.model_dump_json(), encoding="utf-8")
    result = cli("solve", path, "--time-limit", "0.001", "--workers", "1")
    status = json.loads(result.stdout)["status"]
    assert result.exit_code == {"UNKNOWN": 4, "FEASIBLE": 0}[status]


def test_bad_input_exit_1_names_the_json_path(cli, tmp_path):
    data = json.loads(json.dumps(OK))
    data["courses"][0]["teaches"] = {"data.sq1": 3}
    out = tmp_path / "plan.json"
    result = cli("solve", write(tmp_path, data), "--out", out)
    assert result.exit_code == 1
    assert 'courses[0].teaches.data.sq1: unknown skill "data.sq1"' in result.stderr
    assert "Traceback" not in result.output and not out.exists()
    assert cli("solve", str(tmp_path / "missing.json")).exit_code == 1
    assert cli("solve", write(tmp_path, OK), "--time-limit", "soon").exit_code == 1
    assert cli("check", write(tmp_path, OK), str(tmp_path / "none.json")).exit_code == 1


def test_unwritable_plan_path_is_exit_1(cli, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "plan.json"
    result = cli("solve", write(tmp_path, OK), "--out", target)
    assert result.exit_code == 1 and str(target) in result.stderr


@pytest.mark.parametrize("args", [["import"], ["export"], ["bogus-command"], ["solve", "--nope"]])
def test_usage_errors_of_every_command_exit_1(cli, args):
    result = cli(*args)
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_absurd_worker_counts_are_clamped_not_crashed(cli, tmp_path):
    scenario = write(tmp_path, {**OK, "options": {"workers": 10**12}})
    result = cli("solve", scenario, "--workers", "100000000000")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "OPTIMAL"


@pytest.mark.parametrize("limit", ["nan", "inf", "-1", "0"])
def test_time_limit_must_be_a_positive_finite_number(cli, tmp_path, limit):
    result = cli("solve", write(tmp_path, OK), "--time-limit", limit)
    assert result.exit_code == 1 and "Traceback" not in result.output
