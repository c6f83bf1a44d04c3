"""Scenario files <-> catalog rows, so the web app and CLI never hand-build scenario dicts.

`store_scenario` files a scenario's skills, roles, terms, courses and learners into the
catalog under one curriculum (its terms become that curriculum's calendar) and keeps the
file itself as a `ScenarioRecord`. `scenario_from_db` goes the other way: it picks
courses, terms, learners and roles from the catalog and returns a validated `Scenario`.
"""

import json
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from planner.models import Curriculum, Role, ScenarioRecord, Skill, Term, TermCalendar, utcnow
from planner.scenario import Scenario, dump_json, parse_scenario
from planner.services import versions
from planner.services.io.records import read_records, write_records


@dataclass
class StoredScenario:
    record: ScenarioRecord
    curriculum: Curriculum
    counts: dict[str, int]


def slug(text: str) -> str:
    """A curriculum id from a name: lowercase words joined by "-" (Unicode letters kept)."""
    return re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-_") or "scenario"


def scenario_records(scenario: Scenario, curriculum_id: str) -> dict[str, list[dict]]:
    """The scenario's parts as catalog records; empty names do not overwrite stored ones."""
    skills = [
        {"id": k.id, **({"name": k.name} if k.name else {}), **({"area": k.area} if k.area else {})}
        for k in scenario.skills
    ]
    roles = [
        {"id": r.id, **({"name": r.name} if r.name else {}), "requires": dict(r.requires),
         "weights": dict(r.weights)}
        for r in scenario.roles
    ]  # fmt: skip
    terms = [{"calendar": curriculum_id, **t.model_dump()} for t in scenario.terms]
    courses = [
        {**c.model_dump(), "curriculum": curriculum_id, "position": i}
        for i, c in enumerate(scenario.courses)
    ]
    learners = [{**lr.model_dump(), "curriculum": curriculum_id} for lr in scenario.learners]
    return {"skills": skills, "terms": terms, "roles": roles, "courses": courses,
            "learners": learners}  # fmt: skip


def store_scenario(
    session: Session,
    scenario: Scenario,
    *,
    curriculum_id: str | None = None,
    description: str | None = None,
    update_taxonomy: bool = True,
) -> StoredScenario:
    """Write the scenario's catalog rows and the scenario itself (upsert by name); flushes.

    With `update_taxonomy=False` skills and roles that already exist are left as stored
    (seeding: the taxonomy files, not a curriculum's copy, define them).
    """
    curriculum_id = curriculum_id or slug(scenario.name or "scenario")
    name = scenario.name or curriculum_id
    if session.get(TermCalendar, curriculum_id) is None:
        session.add(TermCalendar(id=curriculum_id, name=name))
    curriculum = session.get(Curriculum, curriculum_id)
    if curriculum is None:
        curriculum = Curriculum(id=curriculum_id, name=name)
        session.add(curriculum)
    curriculum.name = name
    curriculum.calendar_id = curriculum_id
    if description is not None:
        curriculum.description = description
    session.flush()
    counts = {}
    parts = scenario_records(scenario, curriculum_id)
    if not update_taxonomy:
        for kind, model in (("skills", Skill), ("roles", Role)):
            stored = set(session.scalars(select(col(model.id))))
            parts[kind] = [r for r in parts[kind] if r["id"] not in stored]
    for kind, records in parts.items():
        counts[kind] = write_records(session, kind, records)
    body = json.loads(dump_json(scenario))
    record = session.scalars(select(ScenarioRecord).where(col(ScenarioRecord.name) == name)).first()
    if record is None:
        record = ScenarioRecord(name=name, body=body)
        session.add(record)
    else:
        versions.claim(session, ScenarioRecord, record.id)  # open editors are now stale
        record.body = body
        record.updated_at = utcnow()
    session.flush()
    return StoredScenario(record=record, curriculum=curriculum, counts=counts)


class BuildError(ValueError):
    """The selection cannot make a scenario (e.g. no term calendar to use)."""


def scenario_from_db(
    session: Session,
    *,
    curriculum_id: str | None = None,
    role_ids: list[str] | None = None,
    learner_ids: list[str] | None = None,
    terms: list | None = None,
    constraints: dict | None = None,
    options: dict | None = None,
    name: str | None = None,
    gap_mode: str | None = None,
    objective: list[str] | None = None,
) -> Scenario:
    """Build and validate a scenario from the catalog (raises ScenarioError if inconsistent).

    - courses: the curriculum's (all courses without one), plus any course they or the
      chosen learners refer to;
    - terms: given ids (or term dicts), else the curriculum's calendar, else the only one;
    - learners: `learner_ids`, else the curriculum's (all learners without one);
    - roles: `role_ids` plus the chosen learners' roles; skills: everything referred to;
    - constraints, options, gap_mode, objective: as given, else the curriculum's stored
      scenario file's, else the format's defaults.
    """
    curriculum = session.get(Curriculum, curriculum_id) if curriculum_id else None
    if curriculum_id and curriculum is None:
        raise BuildError(f'unknown curriculum "{curriculum_id}"')
    term_records = _pick_terms(session, curriculum, terms)
    learners = read_records(
        session, "learners", ids=learner_ids,
        curriculum=curriculum_id if learner_ids is None else None,
    )  # fmt: skip
    if learner_ids is not None:
        _require_all("learner", learner_ids, learners)
    courses = _pick_courses(session, curriculum_id, learners)
    wanted_roles = set(role_ids or []) | {lr["role"] for lr in learners if lr["role"]}
    roles = read_records(session, "roles", ids=sorted(wanted_roles))
    _require_all("role", role_ids or [], roles)

    stored = _stored_settings(session, curriculum)
    constraints = constraints if constraints is not None else stored.get("constraints")
    options = options if options is not None else stored.get("options")
    gap_mode = gap_mode or stored.get("gap_mode") or "minimise"
    objective = objective if objective is not None else stored.get("objective")
    term_ids = [t["id"] for t in term_records]
    offer_keys = set(term_ids) | {t["season"] for t in term_records if t.get("season")}
    skill_ids = _referenced_skills(roles, courses, learners)
    skills = read_records(session, "skills", ids=sorted(skill_ids))
    data = {
        "format": "planner-scenario/1",
        "name": name or (curriculum.name if curriculum else None),
        "skills": [{"id": k["id"], "name": k["name"], "area": k["area"] or ""} for k in skills],
        "roles": [{k: r[k] for k in ("id", "name", "requires", "weights")} for r in roles],
        "terms": [{k: v for k, v in t.items() if k != "calendar"} for t in term_records],
        "courses": [_scenario_course(c, offer_keys) for c in courses],
        "learners": [_scenario_learner(lr, term_ids) for lr in learners],
        "constraints": constraints or {},
        "gap_mode": gap_mode,
        "objective": list(objective)
        if objective is not None
        else ["gap", "cost", "credits", "lateness"],
        "options": options or {},
    }
    return parse_scenario(_without_nones(data))


def _stored_settings(session: Session, curriculum) -> dict:
    """The scenario-wide settings of the file a curriculum was stored from, if any."""
    if curriculum is None:
        return {}
    record = session.scalars(
        select(ScenarioRecord).where(ScenarioRecord.name == curriculum.name)
    ).first()
    return record.body if record else {}


def _require_all(what: str, wanted, found: list[dict]) -> None:
    missing = sorted(set(wanted) - {r["id"] for r in found})
    if missing:
        raise BuildError(f"unknown {what}: " + ", ".join(missing))


def _pick_terms(session: Session, curriculum, terms) -> list[dict]:
    if terms is not None and all(isinstance(t, dict) for t in terms):
        return [dict(t) for t in terms]
    if terms is not None and any(hasattr(t, "model_dump") for t in terms):
        return [t.model_dump() for t in terms]
    calendar = curriculum.calendar_id if curriculum else None
    if calendar is None:
        calendars = session.scalars(select(col(TermCalendar.id))).all()
        with_terms = [
            c
            for c in calendars
            if session.scalars(select(Term).where(col(Term.calendar_id) == c)).first()
        ]
        if terms is None and len(with_terms) > 1:
            raise BuildError(
                "several term calendars exist: choose a curriculum (its calendar is used) "
                "or a term calendar"
            )
        calendar = with_terms[0] if len(with_terms) == 1 else None
    records = read_records(session, "terms", calendar=calendar) if calendar else []
    if terms is None:
        return records
    by_id = {t["id"]: t for t in records}
    if len(by_id) < len(set(terms)):  # look in every calendar for ids not in this one
        for t in read_records(session, "terms"):
            by_id.setdefault(t["id"], t)
    _require_all("term", terms, list(by_id.values()))
    return [by_id[t] for t in terms]


def _pick_courses(session: Session, curriculum_id, learners) -> list[dict]:
    chosen = (
        read_records(session, "courses", curriculum=curriculum_id)
        if curriculum_id
        else read_records(session, "courses")
    )
    have = {c["id"] for c in chosen}
    wanted = _course_refs(chosen, learners) - have
    while wanted:  # pull in referenced courses of other curricula, transitively
        extra = read_records(session, "courses", ids=sorted(wanted))
        if not extra:
            break  # unknown ids: validation names them
        chosen.extend(extra)
        have |= {c["id"] for c in extra}
        wanted = _course_refs(extra, []) - have
    return chosen


def _course_refs(courses, learners) -> set[str]:
    refs = set()
    for c in courses:
        refs |= set(c["prerequisites"])
        for group in c["prerequisites_any"]:
            refs |= set(group)
    for lr in learners:
        refs |= set(lr["completed"]) | set(lr["required"]) | set(lr["excluded"]) | set(lr["pinned"])
    return refs


def _referenced_skills(roles, courses, learners) -> set[str]:
    skills = set()
    for r in roles:
        skills |= set(r["requires"]) | set(r["weights"])
    for c in courses:
        skills |= set(c["teaches"]) | set(c["requires_skills"])
    for lr in learners:
        skills |= set(lr["levels"]) | set(lr["target"])
    return skills


def _scenario_course(c: dict, offer_keys: set[str]) -> dict:
    keep = ("id", "title", "credits", "hours", "cost", "teaches", "requires_skills",
            "prerequisites", "prerequisites_any", "offered", "capacity", "max_sections",
            "session_cost")  # fmt: skip
    out = {k: c[k] for k in keep}
    if out["offered"] is not None:  # only offerings that exist among the chosen terms
        out["offered"] = [key for key in out["offered"] if key in offer_keys]
    return out


def _scenario_learner(lr: dict, term_ids: list[str]) -> dict:
    keep = ("id", "role", "target", "levels", "completed", "count", "terms", "max_credits",
            "budget", "gap_mode", "required", "excluded", "pinned")  # fmt: skip
    out = {k: lr[k] for k in keep}
    if out["terms"] is not None:
        out["terms"] = [t for t in out["terms"] if t in term_ids]
    return out


def _without_nones(value):
    """Absent and null mean the same in the file; drop nulls so defaults apply."""
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nones(v) for v in value]
    return value
