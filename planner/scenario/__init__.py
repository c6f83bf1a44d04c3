"""The scenario and plan file contract (docs/scenario-format.md)."""

from planner.scenario.load import (
    Problem,
    ScenarioError,
    dump_json,
    load_plan,
    load_scenario,
    parse_scenario,
    read_document,
)
from planner.scenario.models import (
    OBJECTIVE_NAMES,
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
    "OBJECTIVE_NAMES",
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
]
