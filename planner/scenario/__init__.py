"""The scenario and plan file contract (docs/scenario-format.md)."""

from planner.scenario.errors import Problem, ScenarioError
from planner.scenario.load import (
    dump_json,
    load_plan,
    load_scenario,
    parse_scenario,
    read_document,
    write_plan,
)
from planner.scenario.models import (
    GAP_MODES,
    LEVEL_NAMES,
    OBJECTIVE_NAMES,
    TOP_LEVEL,
    Course,
    Diagnosis,
    Learner,
    LearnerPlan,
    Plan,
    Role,
    Scenario,
    SectionPlan,
    Skill,
    Term,
)

__all__ = [
    "GAP_MODES",
    "LEVEL_NAMES",
    "OBJECTIVE_NAMES",
    "TOP_LEVEL",
    "Course",
    "Diagnosis",
    "Learner",
    "LearnerPlan",
    "Plan",
    "Problem",
    "Role",
    "Scenario",
    "ScenarioError",
    "SectionPlan",
    "Skill",
    "Term",
    "dump_json",
    "load_plan",
    "load_scenario",
    "parse_scenario",
    "read_document",
    "write_plan",
]
