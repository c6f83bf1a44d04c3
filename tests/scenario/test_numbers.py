"""Inputs an outside tool may well write, and limits that must not crash the solver."""

import json

import pytest

from planner.scenario import ScenarioError, parse_scenario
from planner.solver import solve
from planner.solver.check import check_plan

BASE = {
    "format": "planner-scenario/1",
    "skills": [{"id": "a"}, {"id": "extra"}],
    "terms": [{"id": "T1", "season": "s:1"}, {"id": "T2"}],
    "courses": [{"id": "A1", "credits": 3, "cost": 10, "teaches": {"a": 3}, "offered": ["s:1"]}],
    "learners": [{"id": "L", "target": {"a": 3}}],
}


def scenario(**changes):
    data = json.loads(json.dumps(BASE))
    for path, value in changes.items():
        *parents, key = path.split("__")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[key] = value
    return data


def test_whole_numbers_written_as_floats_are_integers():
    s = parse_scenario(
        scenario(
            learners__0__target={"a": 3.0},
            learners__0__count=2.0,
            courses__0__capacity=30.0,
            courses__0__max_sections=1.0,
            options={"workers": 2.0},
        )
    )
    assert s.learners[0].target == {"a": 3} and s.learners[0].count == 2
    assert s.courses[0].capacity == 30 and s.options.workers == 2


@pytest.mark.parametrize(
    "changes, path",
    [
        ({"learners__0__target": {"a": 2.5}}, "learners[0].target.a"),
        ({"learners__0__count": True}, "learners[0].count"),
        ({"learners__0__count": 10**19}, "learners[0].count"),
        ({"options": {"time_limit_s": "5"}}, "options.time_limit_s"),
        ({"options": {"time_limit_s": True}}, "options.time_limit_s"),
    ],
)
def test_fractions_booleans_strings_and_absurd_counts_are_bad_input(changes, path):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(scenario(**changes))
    assert any(p.path == path for p in info.value.problems)


def test_a_season_may_contain_a_colon():
    plan = solve(parse_scenario(scenario()))
    assert plan.status == "OPTIMAL" and plan.learners[0].schedule["T1"] == ["A1"]


def test_absurd_worker_counts_are_clamped_not_crashed(cli, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario(options={"workers": 10**12})), encoding="utf-8")
    result = cli("solve", path, "--workers", "100000000000")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "OPTIMAL"


@pytest.mark.parametrize("limit", ["nan", "inf", "-1", "0"])
def test_time_limit_must_be_a_positive_finite_number(cli, tmp_path, limit):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario()), encoding="utf-8")
    result = cli("solve", path, "--time-limit", limit)
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_checker_refuses_level_zero_in_final_levels():
    s = parse_scenario(scenario())
    plan = solve(s)
    plan.learners[0].final_levels["extra"] = 0
    assert any('final_levels lists "extra" at level 0' in v for v in check_plan(s, plan))


def test_malformed_plan_problems_name_json_paths():
    s = parse_scenario(scenario())
    found = check_plan(
        s,
        {"format": "planner-plan/1", "status": "OPTIMAL", "learners": [{"id": "L", "foo": 1}]},
    )
    assert "plan is malformed at learners[0].foo: unknown key" in found
