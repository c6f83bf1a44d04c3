"""Seats & sessions of a stored scenario: each course's capacity (seats per section),
max_sections and session_cost as the scenario holds them, beside the catalog's values.

A scenario is a copy of the catalog taken when it was built, so a seat change in the
catalog does not reach it; the editor shows where the two differ and can take the
catalog's values. Values are edited per page of courses (a scenario may hold 10,000).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from planner.models import Course, ScenarioRecord
from planner.scenario import Problem, ScenarioError
from planner.services import versions
from planner.services.caching import database_key
from planner.services.scenarios import editor as scenario_svc
from planner.services.scenarios.fields import parse_amount

FIELDS = ("capacity", "max_sections", "session_cost")
DEFAULTS = {"capacity": None, "max_sections": 1, "session_cost": 0}  # scenario-format.md
PER_PAGE = 50


@dataclass
class SeatRow:
    course: str
    title: str
    values: dict  # field -> the scenario's value (None capacity = unlimited)
    catalog: dict | None  # the catalog course's values; None when the catalog lacks it
    differs: tuple[str, ...] = ()


@dataclass
class SeatPage:
    rows: list[SeatRow]
    total: int
    page: int
    per_page: int
    differing: int  # courses (all pages) whose values differ from the catalog
    posted: dict = field(default_factory=dict)  # "field.course" -> text, after a failed save
    errors: dict = field(default_factory=dict)  # "field.course" -> message

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


_courses_cache: dict = {}


def _courses(session: Session, scenario_id: int) -> list[tuple[str, str, dict]]:
    """(id, title, values) of the scenario's courses, cached until the scenario changes:
    the editor page must not decode a 10,000-course body on every view."""
    stamp = session.exec(
        select(ScenarioRecord.updated_at).where(ScenarioRecord.id == scenario_id)
    ).one()
    key = (database_key(session), scenario_id, str(stamp))
    found = _courses_cache.get(key)
    if found is None:
        body = scenario_svc.stored_body(session, scenario_id)
        found = [(c["id"], c.get("title", ""), _values(c)) for c in body.get("courses", [])]
        if len(_courses_cache) > 16:
            _courses_cache.clear()
        _courses_cache[key] = found
    return found


def _values(course: dict) -> dict:
    return {f: course.get(f, DEFAULTS[f]) for f in FIELDS}


def _catalog(session: Session, ids: list[str]) -> dict[str, dict]:
    columns = select(Course.id, Course.capacity, Course.max_sections, Course.session_cost)
    # Many courses: one pass over the table beats chunks of IN (...).
    query = columns if len(ids) > 500 else columns.where(col(Course.id).in_(ids))
    wanted = set(ids)
    return {
        cid: {"capacity": capacity, "max_sections": sections, "session_cost": cost}
        for cid, capacity, sections, cost in session.exec(query).all()
        if cid in wanted
    }


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return float(a) == float(b)


def _rows(session: Session, courses: list[tuple[str, str, dict]]) -> list[SeatRow]:
    catalog = _catalog(session, [cid for cid, _, _ in courses])
    rows = []
    for cid, title, values in courses:
        theirs = catalog.get(cid)
        differs = tuple(f for f in FIELDS if theirs and not _same(values[f], theirs[f]))
        rows.append(SeatRow(cid, title, values, theirs, differs))
    return rows


def seat_page(session: Session, scenario_id: int, page: int = 1, per_page: int = PER_PAGE):
    """One page of courses, those that differ from the catalog first."""
    rows = _rows(session, _courses(session, scenario_id))
    rows.sort(key=lambda r: not r.differs)  # stable: the scenario's order within each part
    pages = max(1, math.ceil(len(rows) / per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return SeatPage(
        rows=rows[start : start + per_page],
        total=len(rows),
        page=page,
        per_page=per_page,
        differing=sum(1 for r in rows if r.differs),
    )


def _parse(text: str, name: str, where: str, problems: list[Problem]):
    text = text.strip()
    if text == "":
        if name != "capacity":  # an empty capacity is unlimited seats
            problems.append(Problem(where, "required"))
        return None
    value = parse_amount(text, where, problems)  # a finite number ≥ 0
    if value is None or name == "session_cost":
        return value
    low = 1 if name == "capacity" else 0
    if value != int(value) or value < low:
        problems.append(Problem(where, f"must be a whole number ≥ {low}"))
        return None
    return int(value)


def _set(course: dict, values: dict) -> None:
    for name, value in values.items():
        if value == DEFAULTS[name] or (value is None and name == "capacity"):
            course.pop(name, None)  # stored bodies leave defaults out
        else:
            course[name] = value


def save_seats(session: Session, record: ScenarioRecord, form, version=versions.ANY) -> int:
    """Apply posted `capacity.<course>`, `max_sections.<course>`, `session_cost.<course>`
    (only the courses posted; others keep theirs) if the scenario is still at edit
    `version` (versions.StaleEdit otherwise). ScenarioError names every bad field; nothing
    is changed then. Returns how many courses changed."""
    body = copy.deepcopy(record.body)
    problems: list[Problem] = []
    changed = 0
    for course in body.get("courses", []):
        cid = course["id"]
        if not any(f"{f}.{cid}" in form for f in FIELDS):
            continue
        values = {f: _parse(form.get(f"{f}.{cid}", ""), f, f"{f}.{cid}", problems) for f in FIELDS}
        if values != _values(course):
            _set(course, values)
            changed += 1
    if problems:
        raise ScenarioError(problems)
    if version is not versions.ANY and version != record.version:
        raise versions.StaleEdit(record.version, version)
    if changed:
        scenario_svc.save_body(session, record, body, version=version)
    return changed


def take_catalog(session: Session, record: ScenarioRecord) -> int:
    """Copy the catalog's seats, sections and session costs into every course that differs."""
    body = copy.deepcopy(record.body)
    courses = [(c["id"], c.get("title", ""), _values(c)) for c in body.get("courses", [])]
    by_id = {r.course: r for r in _rows(session, courses) if r.differs}
    for course in body.get("courses", []):
        row = by_id.get(course["id"])
        if row is not None and row.catalog is not None:
            _set(course, dict(row.catalog))
    if by_id:
        scenario_svc.save_body(session, record, body)
    return len(by_id)
