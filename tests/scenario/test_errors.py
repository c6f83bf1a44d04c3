"""planner/scenario/errors.py: the problems of bad input, where load and validate report."""

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

import planner.scenario
from planner.scenario import Learner, Problem, ScenarioError
from planner.scenario.errors import json_path, problems_from


def test_problems_name_the_json_path_under_where_the_value_sits():
    with pytest.raises(ValidationError) as caught:
        Learner.model_validate({"id": "a", "levels": {"s": 9}, "colour": "red"})
    problems = problems_from(caught.value, at=("learners", 3))
    assert Problem("learners[3].levels.s", "input should be less than or equal to 4 (got 9)") in (
        problems
    )
    assert Problem("learners[3].colour", "unknown key") in problems
    assert json_path(("roles", 0, "requires", "[key]")) == "roles[0].requires"


def test_a_scenario_error_prints_every_problem_and_keeps_its_source():
    error = ScenarioError(
        [Problem("", "empty file"), Problem("skills[0].id", "required")], "f.json"
    )
    assert str(error) == "empty file\nskills[0].id: required"
    assert error.source == "f.json" and len(error.problems) == 2


@pytest.mark.parametrize("module", ["errors", "validate", "models"])
def test_the_checks_do_not_import_the_loader(module):
    """load.py calls validate.py; neither the checks nor the error types reach back."""
    source = Path(planner.scenario.__file__).with_name(f"{module}.py").read_text()
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "planner.scenario.load" not in imported
