"""Read scenario and plan files, collecting every problem with its JSON path."""

import json
import re
from functools import partial
from pathlib import Path
from typing import Any, TextIO, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from planner.limits import JSONLimitError, check_nesting, loads_json
from planner.scenario.errors import Problem, ScenarioError, problems_from
from planner.scenario.models import Learner, LearnerPlan, Plan, Scenario
from planner.scenario.validate import semantic_problems

M = TypeVar("M", bound=BaseModel)


def read_document(source: str | Path) -> dict[str, Any]:
    """Parse a JSON or YAML file into a dict, raising ScenarioError with line numbers."""
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(
            [Problem("", f"cannot read {path}: {exc.strerror}")], str(path)
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem("", f"{path}: not UTF-8 (bad byte at offset {exc.start})")], str(path)
        ) from None
    if not text.strip():
        raise ScenarioError([Problem("", f"{path}: empty file")], str(path))
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text)
            check_nesting(data)
        else:
            data = loads_json(text)
    except (JSONLimitError, RecursionError) as exc:
        why = str(exc) if isinstance(exc, JSONLimitError) else "nested too deep"
        raise ScenarioError([Problem("", f"{path}: {why}")], str(path)) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [
                Problem(
                    "", f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                )
            ],
            str(path),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScenarioError([Problem("", f"{path}: invalid YAML{where}")], str(path)) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", f"{path}: the top level must be an object")], str(path))
    return data


def parse(model: type[M], data: dict[str, Any], source: str | None = None) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from(exc), source) from None


def parse_scenario(data: dict[str, Any], source: str | None = None) -> Scenario:
    """Validate a scenario dict structurally and semantically; raise ScenarioError."""
    scenario = parse(Scenario, data, source)
    problems = semantic_problems(scenario)
    if problems:
        raise ScenarioError(problems, source)
    return scenario


def load_scenario(source: str | Path) -> Scenario:
    path = Path(source)
    try:
        large = path.suffix.lower() not in (".yaml", ".yml") and (
            path.stat().st_size >= STREAM_FROM_BYTES
        )
    except OSError:
        large = False  # read_document reports it
    if large:
        scenario = _load_streaming(path)
        if scenario is not None:
            return scenario
    return parse_scenario(read_document(source), str(source))


# From this size a JSON scenario's learners are decoded and validated one at a time, so the
# decoded document of a million learners never sits in memory next to their models.
STREAM_FROM_BYTES = 32 * 2**20
_SPACE = re.compile(r"[ \t\n\r]*")


def _load_streaming(path: Path) -> Scenario | None:
    """load_scenario for a large JSON file, with the same result and the same problems;
    None when the file is not plain well-formed JSON (the normal path then reports it)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    decode = json.JSONDecoder().raw_decode
    body: dict[str, Any] = {}
    learners: list[Learner | None] = []
    problems: list[Problem] = []

    def skip(i: int) -> int:
        space = _SPACE.match(text, i)  # always matches, perhaps the empty string
        return space.end() if space else i

    try:
        i = skip(0)
        if text[i] != "{":
            return None
        i = skip(i + 1)
        while text[i] != "}":
            key, i = decode(text, i)
            i = skip(i)
            if text[i] != ":":
                return None
            i = skip(i + 1)
            if key == "learners" and text[i] == "[" and "learners" not in body:
                body["learners"] = None  # its place in the key order
                i = skip(i + 1)
                while text[i] != "]":
                    item, i = decode(text, i)
                    try:
                        learners.append(Learner.model_validate(item))
                    except ValidationError as exc:
                        problems += problems_from(exc, at=("learners", len(learners)))
                        learners.append(None)
                    i = skip(i)
                    if text[i] == ",":
                        i = skip(i + 1)
                    elif text[i] != "]":
                        return None
                i += 1
            else:
                body[key], i = decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
            elif text[i] != "}":
                return None
        if text[skip(i + 1) :]:
            return None
    except (json.JSONDecodeError, IndexError):
        return None
    text = ""  # the decoded file is no longer needed
    try:
        scenario = parse(Scenario, {**body, "learners": []}, str(path))
    except ScenarioError as exc:
        raise ScenarioError(exc.problems + problems, str(path)) from None
    if problems:
        raise ScenarioError(problems, str(path))
    scenario = scenario.model_copy(update={"learners": learners})
    problems = semantic_problems(scenario)
    if problems:
        raise ScenarioError(problems, str(path))
    return scenario


def load_plan(source: str | Path) -> Plan:
    return parse(Plan, read_document(source), str(source))


# Indented JSON goes through json's pure-Python encoder: fine for a person reading a file,
# most of a minute for 100,000 learners. Past this many learners a plan is written compact.
COMPACT_FROM = 1000
_compact = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))  # C encoder


def dump_json(model: BaseModel) -> str:
    """Stable JSON with whole numbers written without a fraction; indented, except plans
    too large to read by eye, which are the same document written compact (C encoder)."""
    if isinstance(model, Plan) and len(model.learners) >= COMPACT_FROM:
        return _compact(_plan_document(model)) + "\n"
    return json.dumps(_tidy(model.model_dump(mode="json")), ensure_ascii=False, indent=2) + "\n"


def _learner_entry(lp: LearnerPlan) -> dict[str, Any]:
    return {
        "id": lp.id,
        "schedule": lp.schedule,
        "final_levels": lp.final_levels,
        "gaps": lp.gaps,
        "cost": _tidy(lp.cost),
        "credits": _tidy(lp.credits),
        "reasons": lp.reasons,
    }


def write_plan(plan: Plan, out: TextIO, chunk: int = 2000) -> None:
    """Write dump_json(plan) to `out` without building it in memory: a large plan's
    learners are encoded a chunk at a time (1,000,000 learners are ~1.5 GB of text).
    The bytes are those of dump_json."""
    if len(plan.learners) < COMPACT_FROM:
        out.write(dump_json(plan))
        return
    head = _compact(_plan_document(plan, learners=_SLOT))
    before, after = head.split(_compact(_SLOT))
    out.write(before)
    out.write("[")
    for first in range(0, len(plan.learners), chunk):
        part = [_learner_entry(lp) for lp in plan.learners[first : first + chunk]]
        text = _compact(part)
        out.write(("," if first else "") + text[1:-1])
    out.write("]")
    out.write(after + "\n")


_SLOT = "\x00learners\x00"  # stands in for the learner list in write_plan's header


def _plan_document(plan: Plan, learners: object = None) -> dict[str, Any]:
    """plan.model_dump(mode="json"), tidied, with learner entries built directly (fast)."""
    if learners is None:
        learners = [_learner_entry(lp) for lp in plan.learners]
    body: dict[str, Any] = {}
    for key, value in _tidy(plan.model_dump(mode="json", exclude={"learners"})).items():
        body[key] = value
        if key == "bound":  # learners follow bound in the plan's field order
            body["learners"] = learners
    return body


def _tidy(value: Any) -> Any:
    """JSON data with whole floats written as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value
