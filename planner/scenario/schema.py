"""JSON Schemas of the scenario and plan files, generated from the pydantic models, for
editors and outside tools (`planner schema scenario|plan`; docs/scenario-format.md).

A schema checks the shape of one file: keys, types, ranges, id syntax. The rules that
relate parts of a file to each other (ids that must exist, unique ids, prerequisite cycles,
pins inside the learner's terms) are checked by `planner check` and every loader, not here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from planner.scenario.models import PLAN_FORMAT, SCENARIO_FORMAT, Plan, Scenario

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "scenario": (Scenario, SCENARIO_FORMAT),
    "plan": (Plan, PLAN_FORMAT),
}
# pydantic writes a constraint it applies after a BeforeValidator (see models.Whole) under
# its own name; JSON Schema spells these so.
_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a "scenario" or "plan" file."""
    model, file_format = KINDS[kind]
    schema = _standard(model.model_json_schema(mode="validation"))
    schema = {
        "$schema": DIALECT,
        "$id": f"urn:planner:schema:{file_format}",
        **schema,
        "description": (
            f"A {file_format} file. The contract, with the rules a schema cannot express "
            "(ids that must exist, unique ids, no prerequisite cycles): docs/scenario-format.md."
        ),
    }
    if kind == "scenario":  # each objective name at most once
        schema["properties"]["objective"]["uniqueItems"] = True
    return schema


def _standard(node: Any) -> Any:
    """Rewrite pydantic's extras as JSON Schema keywords, recursively."""
    if isinstance(node, list):
        return [_standard(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {_KEYWORDS.get(key, key): _standard(value) for key, value in node.items()}
    # dict[Id, X]: pydantic states the id pattern as patternProperties, which lets a key
    # that breaks the pattern through unchecked; say it of every key instead.
    patterns = out.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1 and "additionalProperties" not in out:
        ((pattern, value),) = patterns.items()
        del out["patternProperties"]
        out["propertyNames"] = {**out.get("propertyNames", {}), "pattern": pattern}
        out["additionalProperties"] = value
    return out
