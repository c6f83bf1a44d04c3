"""`planner schema scenario|plan`: JSON Schemas generated from the models, which accept
every shipped curriculum and example and reject what the loader rejects."""

import copy
import json
import re

import jsonschema
import pytest

from planner import resources
from planner.scenario import ScenarioError, parse_scenario
from planner.solver.cohort import solve_cohort
from tests import REPO

EXAMPLES = REPO / "docs" / "examples"
DOC = REPO / "docs" / "scenario-format.md"


def cli_schema(cli, kind: str) -> dict:
    result = cli("schema", kind)
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def scenario_validator(cli):
    return jsonschema.Draft202012Validator(cli_schema(cli, "scenario"))


@pytest.fixture(scope="module")
def plan_validator(cli):
    return jsonschema.Draft202012Validator(cli_schema(cli, "plan"))


def doc_blocks() -> list[dict]:
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)```", DOC.read_text("utf-8"), re.S)]


def test_schemas_name_their_format_and_point_to_the_doc(cli):
    for kind, fmt in (("scenario", "planner-scenario/1"), ("plan", "planner-plan/1")):
        schema = cli_schema(cli, kind)
        assert schema["$schema"].endswith("/draft/2020-12/schema")
        assert fmt in schema["$id"] and "docs/scenario-format.md" in schema["description"]
        assert '"ge"' not in json.dumps(schema)  # pydantic's names rewritten as JSON Schema's


def test_unknown_kind_is_bad_input(cli):
    result = cli("schema", "course")
    assert result.exit_code == 1 and "'course' is not one of" in result.output


def test_every_curriculum_and_example_scenario_is_valid(scenario_validator):
    files = sorted(resources.curricula_dir().glob("*.json")) + sorted(
        EXAMPLES.glob("scenario*.json")
    )
    assert len(files) >= 4
    for path in files:
        errors = list(scenario_validator.iter_errors(json.loads(path.read_text("utf-8"))))
        assert errors == [], (path.name, [e.message for e in errors])


def test_example_plans_and_fresh_solver_plans_are_valid(plan_validator):
    for path in sorted(EXAMPLES.glob("plan*.json")):
        assert list(plan_validator.iter_errors(json.loads(path.read_text("utf-8")))) == []
    for path in sorted(EXAMPLES.glob("scenario*.json")):
        plan = solve_cohort(parse_scenario(json.loads(path.read_text("utf-8"))), time_limit_s=10)
        assert list(plan_validator.iter_errors(plan.model_dump(mode="json"))) == []


def test_the_doc_shows_the_example_files(scenario_validator, plan_validator):
    scenario, plan, diagnosis = doc_blocks()
    assert scenario == json.loads((EXAMPLES / "scenario.json").read_text("utf-8"))
    assert plan == json.loads((EXAMPLES / "plan.json").read_text("utf-8"))
    infeasible = json.loads((EXAMPLES / "plan-infeasible.json").read_text("utf-8"))
    assert diagnosis == infeasible["diagnosis"]
    scenario_validator.validate(scenario)
    plan_validator.validate(plan)


BAD = {
    "level above 4": lambda d: d["courses"][2]["teaches"].update({"data.sql": 5}),
    "unknown key": lambda d: d["courses"][0].update({"credit": 3}),
    "colon in a skill key": lambda d: d["roles"][0]["requires"].update({"data:sql": 2}),
    "objective name twice": lambda d: d.update({"objective": ["gap", "gap"]}),
    "unknown objective": lambda d: d.update({"objective": ["speed"]}),
    "negative credits": lambda d: d["courses"][0].update({"credits": -1}),
    "credits missing": lambda d: d["courses"][0].pop("credits"),
    "boolean cost": lambda d: d["courses"][0].update({"cost": True}),
    "count 0": lambda d: d["learners"][0].update({"count": 0}),
    "fractional level": lambda d: d["learners"][0]["levels"].update({"data.sql": 1.5}),
    "bad gap_mode": lambda d: d.update({"gap_mode": "maximise"}),
    "zero time limit": lambda d: d["options"].update({"time_limit_s": 0}),
    "wrong format": lambda d: d.update({"format": "planner-scenario/2"}),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_schema_and_loader_reject_the_same_mistakes(name, scenario_validator):
    data = json.loads((EXAMPLES / "scenario.json").read_text("utf-8"))
    BAD[name](data)
    assert list(scenario_validator.iter_errors(data)), f"schema accepted: {name}"
    with pytest.raises(ScenarioError):
        parse_scenario(data)


def test_whole_floats_pass_both(scenario_validator):
    data = json.loads((EXAMPLES / "scenario.json").read_text("utf-8"))
    changed = copy.deepcopy(data)
    changed["courses"][2]["teaches"]["data.sql"] = 3.0
    changed["learners"][0]["count"] = 1.0
    scenario_validator.validate(changed)
    assert parse_scenario(changed).courses[2].teaches["data.sql"] == 3
