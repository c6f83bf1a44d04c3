"""The words of the format, each written once in planner/scenario/models.py: skill levels
and their names, gap modes, objective names. Files, tables and pages all take them from there."""

import pytest
from sqlalchemy import CheckConstraint

from planner.models import Learner
from planner.models.assess import CheckAttempt
from planner.models.sweeps import SweepRun
from planner.scenario import (
    GAP_MODES,
    LEVEL_NAMES,
    OBJECTIVE_NAMES,
    TOP_LEVEL,
    ScenarioError,
    parse_scenario,
)
from planner.scenario.models import Scenario


def scenario(**learner) -> dict:
    return {
        "format": "planner-scenario/1",
        "skills": [{"id": "s"}],
        "learners": [{"id": "a", **learner}],
    }


def test_levels_run_from_none_to_expert():
    assert LEVEL_NAMES == ("none", "aware", "working", "proficient", "expert")
    assert TOP_LEVEL == 4


def test_a_file_takes_every_named_level_and_no_other():
    for level in range(len(LEVEL_NAMES)):
        parse_scenario(scenario(target={"s": level}))
    with pytest.raises(ScenarioError):
        parse_scenario(scenario(target={"s": TOP_LEVEL + 1}))


def test_a_file_takes_every_gap_mode_and_no_other():
    assert GAP_MODES == ("minimise", "close")
    for mode in GAP_MODES:
        assert parse_scenario(scenario(gap_mode=mode)).learners[0].gap_mode == mode
    with pytest.raises(ScenarioError):
        parse_scenario(scenario(gap_mode="sometimes"))
    assert Scenario.model_fields["gap_mode"].default == "minimise"


def test_the_default_objective_is_every_name_in_order():
    assert OBJECTIVE_NAMES == ("gap", "cost", "credits", "lateness")
    assert parse_scenario(scenario()).objective == list(OBJECTIVE_NAMES)


def checks(table) -> dict[str, str]:
    return {
        c.name: str(c.sqltext)
        for c in table.__table__.constraints
        if isinstance(c, CheckConstraint)
    }


def test_the_tables_check_the_same_words():
    assert checks(Learner)["ck_learner_gap_mode"] == (
        "gap_mode IS NULL OR gap_mode IN ('minimise', 'close')"
    )
    assert checks(CheckAttempt)["ck_check_attempt_level_range"] == (
        "level IS NULL OR level BETWEEN 0 AND 4"
    )
    assert checks(SweepRun)["ck_sweep_run_status"] == (
        "status IN ('queued', 'running', 'done', 'failed', 'cancelled')"
    )
