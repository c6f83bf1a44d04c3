"""Scenario editor logic: stored scenarios, form edits -> a validated scenario, copies, JSON.

The editor changes a scenario's constraints, never its catalogue: terms' credit limits,
learners' limits and staff rules, the budget, gap mode, objective order and time limit.
Staff rules (required / excluded / pinned courses, gap targets, per-learner limits) are
read and applied by services/scenarios/rules.py, in the diagnosis' label words.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from planner.limits import JSONLimitError, loads_json
from planner.models import (
    Curriculum,
    Learner,
    PlanRecord,
    Role,
    ScenarioRecord,
    SolveRun,
    Term,
    TermCalendar,
    utcnow,
)
from planner.models.sweeps import SweepRun
from planner.scenario import (
    GAP_MODES,
    OBJECTIVE_NAMES,
    Problem,
    Scenario,
    ScenarioError,
    parse_scenario,
)
from planner.scenario.load import dump_json
from planner.services import versions
from planner.services.caching import database_key
from planner.services.scenarios import build as scenario_build
from planner.services.scenarios.build import BuildError
from planner.services.scenarios.fields import parse_amount, set_or_drop
from planner.services.scenarios.rules import (
    NewRule,
    apply_rules,
    name_learners,
    new_rule,
    posted,
    rules_text,
    strip_rules,
)

MAX_IMPORT_BYTES = 20 * 1024 * 1024
# Learners' own scenarios are found by this name prefix (services/planning/personal.py), so no
# staff save path may use it: the learner's next plan would overwrite that scenario.
PERSONAL_PREFIX = "personal plan: "
# The longest solve anyone may ask for (editor, API, imported files): a run holds a worker.
MAX_TIME_LIMIT_S = 3600


# -- stored scenarios -----------------------------------------------------------------------
# The record without its body (which may hold 10,000 courses).
_HEADER_COLUMNS = (
    ScenarioRecord.id,
    ScenarioRecord.name,
    ScenarioRecord.created_at,
    ScenarioRecord.updated_at,
    ScenarioRecord.version,
)
HEADER = load_only(*_HEADER_COLUMNS)  # type: ignore[arg-type]  # SQLModel types columns as values


def list_scenarios(
    session: Session, *, page: int = 1, per_page: int = 25, q: str = ""
) -> tuple[list[ScenarioRecord], int]:
    """One page of scenarios (bodies are not loaded) and the total count."""
    query = select(ScenarioRecord).options(HEADER)
    count = select(func.count()).select_from(ScenarioRecord)
    if q:
        query = query.where(col(ScenarioRecord.name).contains(q))
        count = count.where(col(ScenarioRecord.name).contains(q))
    total = session.exec(count).one()
    rows = session.exec(
        query.order_by(col(ScenarioRecord.updated_at).desc(), col(ScenarioRecord.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def get_record(session: Session, scenario_id: int) -> ScenarioRecord | None:
    return session.get(ScenarioRecord, scenario_id)


def stored_body(session: Session, scenario_id: int | None) -> dict[str, Any]:
    """A stored scenario's document, without the rest of its row."""
    query = select(ScenarioRecord.body).where(ScenarioRecord.id == scenario_id)
    return dict(session.exec(query).one())


def get_header(session: Session, scenario_id: int) -> ScenarioRecord | None:
    """The record without its body."""
    return session.exec(
        select(ScenarioRecord).options(HEADER).where(ScenarioRecord.id == scenario_id)
    ).first()


@dataclass
class Snapshot:
    """What the editor page shows of a stored body, computed once per change."""

    values: EditorValues
    terms: list[dict]
    counts: dict[str, int]
    people: int


_snapshots: dict = {}


def snapshot(session: Session, record: ScenarioRecord) -> Snapshot:
    key = (database_key(session), record.id, str(record.updated_at))
    found = _snapshots.get(key)
    if found is None:
        body = stored_body(session, record.id)
        found = Snapshot(
            values=editor_values(body),
            terms=list(body.get("terms", [])),
            counts={k: len(body.get(k, [])) for k in ("skills", "roles", "courses", "learners")},
            people=sum(lr.get("count", 1) for lr in body.get("learners", [])),
        )
        if len(_snapshots) > 32:
            _snapshots.clear()
        _snapshots[key] = found
    return found


def parsed(record: ScenarioRecord) -> Scenario:
    """The record's body as a validated Scenario (cached by id and last change)."""
    return _parse_cached(record.id, str(record.updated_at), json.dumps(record.body))


@lru_cache(maxsize=16)
def _parse_cached(_id, _stamp, text: str) -> Scenario:
    return parse_scenario(json.loads(text))


def clear_caches() -> None:
    """Forget every parsed scenario and editor snapshot (after deleting personal data)."""
    _parse_cached.cache_clear()
    _snapshots.clear()


def save_new(session: Session, body: dict, name: str | None = None) -> ScenarioRecord:
    """Validate and store a scenario body; raises ScenarioError listing every problem."""
    body = dict(body)
    if name is not None:
        body["name"] = name
    scenario = parse_scenario(body)
    check_storable(scenario)
    record = ScenarioRecord(name=scenario.name or "(unnamed)", body=canonical(scenario))
    session.add(record)
    session.flush()
    return record


def save_body(
    session: Session, record: ScenarioRecord, body: dict, version=versions.ANY
) -> ScenarioRecord:
    """Validate and store a new body, if the record is still at edit `version` (raises
    versions.StaleEdit otherwise; ScenarioError on a bad body), and bump the version."""
    scenario = parse_scenario(body)
    check_storable(scenario, current_name=record.name)
    versions.claim(session, ScenarioRecord, record.id, version)
    record.body = canonical(scenario)
    record.name = scenario.name or "(unnamed)"
    record.updated_at = utcnow()
    session.add(record)
    session.flush()
    return record


def check_storable(scenario: Scenario, current_name: str | None = None) -> None:
    """Rules for a stored scenario beyond the file contract; raises ScenarioError.

    `current_name` is the stored record's name: keeping it (a learner's own scenario edited
    by staff) is allowed, taking a reserved one is not."""
    problems = []
    if scenario.options.time_limit_s > MAX_TIME_LIMIT_S:
        problems.append(Problem("options.time_limit_s", f"at most {MAX_TIME_LIMIT_S} seconds"))
    name = scenario.name or ""
    if is_reserved_name(name) and name != current_name:
        problems.append(
            Problem(
                "name",
                f"names starting with “{PERSONAL_PREFIX.strip()}” are kept for learners' own plans",
            )
        )
    if problems:
        raise ScenarioError(problems)


def is_reserved_name(name: str) -> bool:
    return name.strip().casefold().startswith(PERSONAL_PREFIX.casefold())


def unreserved(name: str) -> str:
    """A default name for a staff copy: a copy of a learner's plan is no longer theirs."""
    return f"copy of {name}" if is_reserved_name(name) else name


def canonical(scenario: Scenario) -> dict:
    """The body as stored: the scenario's own JSON form (defaults left out)."""
    return json.loads(
        json.dumps(scenario.model_dump(mode="json", exclude_defaults=True, exclude_none=False))
    ) | {"format": "planner-scenario/1"}


def duplicate(session: Session, record: ScenarioRecord, name: str | None = None) -> ScenarioRecord:
    body = copy.deepcopy(record.body)
    body["name"] = name or unreserved(f"{record.name} (copy)")
    return save_new(session, body)


def delete(session: Session, record: ScenarioRecord) -> None:
    # Runs and plans go with it (ON DELETE CASCADE), but delete them explicitly so that
    # SQLite connections without the foreign-key pragma behave the same.

    for model in (SweepRun, SolveRun, PlanRecord):
        for row in session.exec(select(model).where(model.scenario_id == record.id)).all():
            session.delete(row)
    session.flush()
    session.delete(record)
    session.flush()


def export_json(record: ScenarioRecord) -> str:
    return dump_json(parse_scenario(record.body))


def import_json(session: Session, raw: bytes, name: str | None = None) -> ScenarioRecord:
    """Store an uploaded scenario file; every problem is reported with its JSON path."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ScenarioError([Problem("", f"file larger than {MAX_IMPORT_BYTES // 2**20} MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem("", f"not UTF-8 (bad byte at offset {exc.start})")]) from None
    try:
        data = loads_json(text)
    except JSONLimitError as exc:
        raise ScenarioError([Problem("", str(exc))]) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [Problem("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", "the top level must be an object")])
    return save_new(session, data, name=name or None)


EDITOR_LABELS = {
    "name": "Name", "term_max": "Term credit limits (max)", "term_min": "Term credit minimums",
    "learner_max_credits": "Max credits per term (every learner)",
    "learner_budget": "Budget per person", "budget": "Total budget", "gap_mode": "Gap mode",
    "objective": "Objective order", "time_limit_s": "Time limit (s)", "rules": "Learner rules",
}  # fmt: skip


def editor_differences(yours: EditorValues, body: dict) -> list:
    """Where the posted editor values differ from the stored body's (stale-save message)."""
    stored = asdict(editor_values(body))
    mine = asdict(yours)
    mine["rules"] = [line.strip() for line in mine["rules"].splitlines() if line.strip()]
    stored["rules"] = [line.strip() for line in stored["rules"].splitlines() if line.strip()]
    return versions.differences(mine, stored, EDITOR_LABELS)


# -- the editor form ------------------------------------------------------------------------
@dataclass
class EditorValues:
    """What the editor form shows and posts back (all strings, as typed)."""

    name: str = ""
    term_max: dict[str, str] = field(default_factory=dict)
    term_min: dict[str, str] = field(default_factory=dict)
    learner_max_credits: str = ""  # default per-term limit for every learner
    learner_budget: str = ""  # default total budget per person
    budget: str = ""  # scenario total
    gap_mode: str = "minimise"
    objective: list[str] = field(default_factory=lambda: list(OBJECTIVE_NAMES))
    time_limit_s: str = "10"
    rules: str = ""  # one rule a line (services/scenarios/rules.py)
    new_rule: NewRule = field(default_factory=NewRule)  # the editor's picker row


def _num(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _common(values: list):
    """The value shared by every learner, else None (then each line states its own)."""
    return values[0] if values and all(v == values[0] for v in values) else None


def editor_values(body: dict) -> EditorValues:
    terms = body.get("terms", [])
    learners = body.get("learners", [])
    default_max = _common([lr.get("max_credits") for lr in learners])
    default_budget = _common([lr.get("budget") for lr in learners])
    return EditorValues(
        name=body.get("name") or "",
        term_max={t["id"]: _num(t.get("max_credits")) for t in terms},
        term_min={t["id"]: _num(t.get("min_credits") or None) for t in terms},
        learner_max_credits=_num(default_max),
        learner_budget=_num(default_budget),
        budget=_num((body.get("constraints") or {}).get("budget")),
        gap_mode=body.get("gap_mode", "minimise"),
        objective=list(body.get("objective", OBJECTIVE_NAMES)),
        time_limit_s=_num((body.get("options") or {}).get("time_limit_s", 10)),
        rules=rules_text(body, default_max, default_budget),
    )


def values_from_form(form, body: dict) -> EditorValues:
    """Read the posted form (a MultiDict); term fields are named term_max.<id>/term_min.<id>."""
    terms = [t["id"] for t in body.get("terms", [])]
    objective = [form.get(f"objective_{i}", "") for i in range(1, len(OBJECTIVE_NAMES) + 1)]
    return EditorValues(
        name=form.get("name", "").strip(),
        term_max={t: form.get(f"term_max.{t}", "").strip() for t in terms},
        term_min={t: form.get(f"term_min.{t}", "").strip() for t in terms},
        learner_max_credits=form.get("learner_max_credits", "").strip(),
        learner_budget=form.get("learner_budget", "").strip(),
        budget=form.get("budget", "").strip(),
        gap_mode=form.get("gap_mode", "minimise"),
        objective=[o for o in objective if o],
        time_limit_s=form.get("time_limit_s", "").strip(),
        rules=posted(form, editor_values(body).rules).lines(),
        new_rule=NewRule.from_form(form),
    )


def apply_values(body: dict, values: EditorValues) -> tuple[dict, list[Problem]]:
    """The scenario body with the editor's values applied, and every problem found.

    Form problems are named by form field (`term_max.2027-1`, `rules line 3`); the result is
    then validated as a scenario file so contract problems come with their JSON path.
    """
    problems: list[Problem] = []
    new = copy.deepcopy(body)
    if not values.name:
        problems.append(Problem("name", "a scenario needs a name"))
    new["name"] = values.name or body.get("name")
    for term in new.get("terms", []):
        tid = term["id"]
        high = parse_amount(values.term_max.get(tid, ""), f"term_max.{tid}", problems)
        low = parse_amount(values.term_min.get(tid, ""), f"term_min.{tid}", problems)
        set_or_drop(term, "max_credits", high)
        set_or_drop(term, "min_credits", low)
        if high is not None and low is not None and low > high:
            problems.append(Problem(f"term_min.{tid}", f"min credits {low} exceed max {high}"))
    default_max = parse_amount(values.learner_max_credits, "learner_max_credits", problems)
    default_budget = parse_amount(values.learner_budget, "learner_budget", problems)
    budget = parse_amount(values.budget, "budget", problems)
    new["constraints"] = {k: v for k, v in {"budget": budget}.items() if v is not None}
    if values.gap_mode not in GAP_MODES:
        problems.append(Problem("gap_mode", f"choose one of {', '.join(GAP_MODES)}"))
    new["gap_mode"] = values.gap_mode
    for name, n in Counter(values.objective).items():
        if n > 1:
            problems.append(Problem("objective", f'"{name}" chosen {n} times'))
    new["objective"] = values.objective
    limit = parse_amount(values.time_limit_s, "time_limit_s", problems, positive=True)
    if values.time_limit_s == "":
        problems.append(Problem("time_limit_s", "required"))
    elif limit is not None and limit > MAX_TIME_LIMIT_S:
        problems.append(Problem("time_limit_s", f"at most {MAX_TIME_LIMIT_S} seconds"))
        limit = None
    new.setdefault("options", {})["time_limit_s"] = limit if limit is not None else 10
    for learner in new.get("learners", []):
        strip_rules(learner)
        set_or_drop(learner, "max_credits", default_max)
        set_or_drop(learner, "budget", default_budget)
    problems += apply_rules(new, values.rules)
    added, picker_problems = new_rule(new, values.new_rule)
    problems += picker_problems
    if added is not None:
        problems += apply_rules(new, added.line())
    try:
        parse_scenario(new)
    except ScenarioError as exc:
        problems += name_learners(new, exc.problems)
    return new, problems


# -- building a new scenario from the catalogue ---------------------------------------------
def build_choices(session: Session) -> dict[str, list]:
    """The "new scenario" form's lists: curricula, calendars and roles as (id, name), and
    teams as (team, people)."""

    def choices(model) -> list:
        return list(session.exec(select(model.id, model.name).order_by(model.id)).all())

    return {
        "curricula": choices(Curriculum),
        "calendars": choices(TermCalendar),
        "roles": choices(Role),
        "teams": team_choices(session),
    }


def new_from_form(session: Session, form) -> ScenarioRecord:
    """Store the scenario the "new scenario" form asks for: a name, a curriculum, a
    calendar, roles, and learners (typed ids, whole teams, or every learner of the
    curriculum only when ticked). ScenarioError lists every problem of the form."""
    name = form.get("name", "").strip()
    problems: list[Problem] = []
    if not name:
        problems.append(Problem("name", "a scenario needs a name"))
    selection: dict = {
        "curriculum_id": form.get("curriculum") or None,
        "role_ids": form.getlist("roles") or None,
    }
    calendar = form.get("calendar")
    if calendar:
        selection["terms"] = list(
            session.exec(
                select(Term.term_id)
                .where(Term.calendar_id == calendar)
                .order_by(col(Term.position))
            ).all()
        )
    ids = [i.strip() for i in form.get("learners", "").replace(",", "\n").splitlines() if i.strip()]
    try:
        ids += learners_of_teams(session, form.getlist("team"))
    except ScenarioError as exc:
        problems += exc.problems
    if ids:
        selection["learner_ids"] = sorted(set(ids))
    elif form.get("everyone") != "yes":  # an empty choice must not quietly mean everybody
        problems.append(
            Problem(
                "learners",
                "choose one or more teams, type learner ids, or tick “every learner of the "
                "curriculum”",
            )
        )
    if problems:
        raise ScenarioError(problems)
    try:
        return new_from_catalog(session, name=name, **selection)
    except BuildError as exc:
        raise ScenarioError([Problem("", str(exc))]) from None


def learners_of_teams(session: Session, teams: list[str]) -> list[str]:
    """Ids of every learner in any of `teams`; ScenarioError names a team nobody is in."""
    teams = [t for t in dict.fromkeys(teams) if t]
    if not teams:
        return []
    rows = session.exec(select(Learner.id, Learner.team).where(col(Learner.team).in_(teams))).all()
    found = {team for _, team in rows}
    missing = [t for t in teams if t not in found]
    if missing:
        raise ScenarioError([Problem("team", f'no learners in team "{t}"') for t in missing])
    return [lid for lid, _ in rows]


def team_choices(session: Session) -> list[tuple[str, int]]:
    """Every team with its number of people, for the multi-select."""
    rows = session.exec(
        select(col(Learner.team), func.sum(Learner.count))
        .where(col(Learner.team).is_not(None), Learner.team != "")
        .group_by(col(Learner.team))
        .order_by(col(Learner.team))
    ).all()
    return [(team, people) for team, people in rows if team is not None]


def new_from_catalog(session: Session, *, name: str, **selection) -> ScenarioRecord:
    """Build a scenario from DB rows (curriculum, roles, learners, calendar) and store it."""
    scenario = scenario_build.scenario_from_db(session, name=name, **selection)
    check_storable(scenario)
    record = ScenarioRecord(name=name, body=canonical(scenario))
    session.add(record)
    session.flush()
    return record
