"""Catalog queries and edits: skill areas, skills, roles, courses, term calendars, learners.

Views hand over plain dicts and get back rows or a `CatalogError` whose `errors` map a field
path ("credits", "teaches[2].skill", "prerequisites") to messages, so every message can be
shown beside its field. Rules shared with scenario files (value ranges, unknown ids,
prerequisite cycles, learner pin conflicts) are checked by building a small scenario and
running `planner.scenario.parse_scenario` on it, so the web app and the file format can
never disagree about what is valid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from planner.limits import ID_RE, ID_RULE, id_problem
from planner.models import (
    Assessment,
    Course,
    CourseRequiresSkill,
    CourseTeaches,
    Curriculum,
    Learner,
    LearnerLevel,
    LearnerTarget,
    LevelDescriptor,
    Prerequisite,
    PrerequisiteGroup,
    PrerequisiteOption,
    Role,
    RoleRequirement,
    Skill,
    SkillArea,
    Term,
    TermCalendar,
    User,
)
from planner.scenario import GAP_MODES, LEVEL_NAMES, ScenarioError, parse_scenario
from planner.services import versions

LEVELS = range(len(LEVEL_NAMES))
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
SHOWN_REFERENCES = 5  # name this many referencing ids, then "and N more"


class CatalogError(ValueError):
    """Invalid input or a refused change; `errors` maps field paths to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k or 'form'}: {' '.join(v)}" for k, v in errors.items()))


class NotFound(LookupError):
    pass


# --- lists with search and paging -----------------------------------------------------


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    q: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# kind -> (model, searched columns, order column). Ordering by the primary key keeps
# LIMIT/OFFSET on an index however large the table grows.
LISTS = {
    "areas": (SkillArea, ("id", "name", "name_zh"), "id"),
    "skills": (Skill, ("id", "name", "name_zh", "area_id"), "id"),
    "roles": (Role, ("id", "name", "name_zh"), "id"),
    "courses": (Course, ("id", "title"), "id"),
    "calendars": (TermCalendar, ("id", "name"), "id"),
    "learners": (Learner, ("id", "name", "team"), "id"),
}


def search(
    session: Session, kind: str, q: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Page:
    """One page of `kind`, filtered by a case-insensitive substring of its text columns."""
    model, columns, order = LISTS[kind]
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    q = (q or "").strip()
    stmt = select(model)
    count = select(func.count()).select_from(model)
    if q:
        needle = q.lower()
        where = or_(
            *(func.lower(getattr(model, c)).contains(needle, autoescape=True) for c in columns)
        )
        stmt = stmt.where(where)
        count = count.where(where)
    total = session.exec(count).one()
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    items = session.exec(
        stmt.order_by(getattr(model, order)).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(list(items), total, page, per_page, q)


def counts(session: Session) -> dict[str, int]:
    return {
        kind: session.exec(select(func.count()).select_from(model)).one()
        for kind, (model, _, _) in LISTS.items()
    }


def get(session: Session, kind: str, item_id: str):
    model = LISTS[kind][0]
    row = session.get(model, item_id)
    if row is None:
        raise NotFound(f'no {kind[:-1]} "{item_id}"')
    return row


# --- choices for forms ----------------------------------------------------------------


def skill_choices(session: Session) -> list[tuple[str, str]]:
    return [(s.id, s.name or s.id) for s in session.exec(select(Skill).order_by(Skill.id))]


def area_choices(session: Session) -> list[tuple[str, str]]:
    return [(a.id, a.name or a.id) for a in session.exec(select(SkillArea).order_by(SkillArea.id))]


def role_choices(session: Session) -> list[tuple[str, str]]:
    return [(r.id, r.name or r.id) for r in session.exec(select(Role).order_by(Role.id))]


def curriculum_choices(session: Session) -> list[tuple[str, str]]:
    rows = session.exec(select(Curriculum).order_by(Curriculum.id))
    return [(c.id, c.name or c.id) for c in rows]


def term_keys(session: Session) -> tuple[list[str], list[str]]:
    """(term ids, seasons) known in any calendar, for `offered` hints and checks."""
    terms = session.exec(select(Term).order_by(Term.calendar_id, Term.position)).all()
    ids = list(dict.fromkeys(t.term_id for t in terms))
    seasons = list(dict.fromkeys(t.season for t in terms if t.season))
    return ids, seasons


# --- shared checks ----------------------------------------------------------------------

# The id rule lives in planner.limits (shared with imports, the API and scenario files).
_ID_RE, _ID_RULE = ID_RE, ID_RULE


class Errors(dict):
    """field path -> [messages]; `add` keeps the first-seen order."""

    def add(self, path: str, message: str) -> None:
        self.setdefault(path, [])
        if message not in self[path]:
            self[path].append(message)

    def raise_if_any(self) -> None:
        if self:
            raise CatalogError(dict(self))


def _check_new_id(session: Session, model, item_id: str, errors: Errors, label: str) -> None:
    if not item_id or not item_id.strip():
        errors.add("id", "required")
    elif id_problem(item_id):
        errors.add("id", id_problem(item_id))
    elif session.get(model, item_id) is not None:
        errors.add("id", f'a {label} with id "{item_id}" already exists')


def _level_rows(rows: Iterable[dict], field: str, errors: Errors, skills: set[str]):
    """Yield (index, skill, level, row) for filled rows, recording errors as `field[i].…`."""
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        skill = (row.get("skill") or "").strip()
        level = row.get("level")
        if not skill and level in (None, ""):
            continue  # a blank row of the form
        here = f"{field}[{i}]"
        if not skill:
            errors.add(f"{here}.skill", "choose a skill")
            continue
        if skill not in skills:
            errors.add(f"{here}.skill", f'unknown skill "{skill}"')
            continue
        if skill in seen:
            errors.add(f"{here}.skill", f'"{skill}" is already in row {seen[skill] + 1}')
            continue
        seen[skill] = i
        if level is None or level == "" or not isinstance(level, int) or level not in LEVELS:
            errors.add(f"{here}.level", "level must be a whole number from 0 to 4")
            continue
        yield i, skill, level, row


def _non_negative(data: dict, fields: Iterable[str], errors: Errors) -> None:
    for name in fields:
        value = data.get(name)
        if value is not None and (not isinstance(value, int | float) or value < 0):
            errors.add(name, "cannot be negative")


def _all_ids(session: Session, model) -> set[str]:
    return set(session.exec(select(model.id)).all())


def _scenario_problems(body: dict, prefix: str) -> list[tuple[str, str]]:
    """Run the scenario file rules on `body`; return (path below `prefix`, message)."""
    try:
        parse_scenario(body)
    except ScenarioError as exc:
        out = []
        for p in exc.problems:
            if p.path.startswith(prefix):
                out.append((p.path[len(prefix) :].lstrip("."), p.message))
            elif "prerequisite cycle" in p.message:
                out.append(("prerequisites", p.message))
        return out
    return []


def _shorten(ids: list[str]) -> str:
    ids = sorted(ids)
    shown = ", ".join(ids[:SHOWN_REFERENCES])
    more = len(ids) - SHOWN_REFERENCES
    return shown + (f" and {more} more" if more > 0 else "")


def _refuse_if_referenced(label: str, references: list[tuple[str, list[str]]]) -> None:
    used = [(what, ids) for what, ids in references if ids]
    if used:
        reasons = "; ".join(f"{what} {_shorten(ids)}" for what, ids in used)
        raise CatalogError({"": [f"Cannot delete {label}: it is still used by {reasons}."]})


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise CatalogError({"": [f"the database refused the change: {exc.orig}"]}) from None


# --- skill areas ----------------------------------------------------------------------


def save_area(session: Session, data: dict, existing_id: str | None = None) -> SkillArea:
    errors = Errors()
    if existing_id is None:
        _check_new_id(session, SkillArea, data.get("id", ""), errors, "skill area")
    errors.raise_if_any()
    area = session.get(SkillArea, existing_id) if existing_id else SkillArea(id=data["id"])
    if area is None:
        raise NotFound(existing_id)
    area.name = (data.get("name") or "").strip()
    area.name_zh = (data.get("name_zh") or "").strip()
    session.add(area)
    _commit(session)
    return area


def delete_area(session: Session, area_id: str) -> None:
    area = get(session, "areas", area_id)
    skills = session.exec(select(Skill.id).where(Skill.area_id == area_id)).all()
    _refuse_if_referenced(f'skill area "{area_id}"', [("skills", list(skills))])
    session.delete(area)
    _commit(session)


# --- skills and their level descriptors -----------------------------------------------


def descriptors(session: Session, skill_id: str) -> list[str]:
    """The five descriptor texts, level 0 first ("" where none is stored)."""
    texts = [""] * len(LEVELS)
    rows = session.exec(select(LevelDescriptor).where(LevelDescriptor.skill_id == skill_id))
    for row in rows:
        texts[row.level] = row.text
    return texts


def save_skill(session: Session, data: dict, existing_id: str | None = None) -> Skill:
    errors = Errors()
    if existing_id is None:
        _check_new_id(session, Skill, data.get("id", ""), errors, "skill")
    area_id = data.get("area_id") or None
    if area_id and session.get(SkillArea, area_id) is None:
        errors.add("area_id", f'unknown skill area "{area_id}"')
    texts = list(data.get("descriptors") or [])
    if len(texts) != len(LEVELS):
        errors.add("descriptors", "give one descriptor per level 0-4")
    errors.raise_if_any()
    skill = session.get(Skill, existing_id) if existing_id else Skill(id=data["id"])
    if skill is None:
        raise NotFound(existing_id)
    skill.name = (data.get("name") or "").strip()
    skill.name_zh = (data.get("name_zh") or "").strip()
    skill.area_id = area_id
    session.add(skill)
    session.flush()
    session.exec(delete(LevelDescriptor).where(LevelDescriptor.skill_id == skill.id))
    for level, text in enumerate(texts):
        if text and text.strip():
            session.add(LevelDescriptor(skill_id=skill.id, level=level, text=text.strip()))
    _commit(session)
    return skill


def skill_references(session: Session, skill_id: str) -> list[tuple[str, list[str]]]:
    def ids(column, model, where):
        return list(dict.fromkeys(session.exec(select(column).where(where)).all()))

    return [
        ("roles", ids(RoleRequirement.role_id, RoleRequirement, RoleRequirement.skill_id == skill_id)),
        ("courses teaching it", ids(CourseTeaches.course_id, CourseTeaches, CourseTeaches.skill_id == skill_id)),
        (
            "courses requiring it",
            ids(CourseRequiresSkill.course_id, CourseRequiresSkill, CourseRequiresSkill.skill_id == skill_id),
        ),
        ("learner levels of", ids(LearnerLevel.learner_id, LearnerLevel, LearnerLevel.skill_id == skill_id)),
        ("learner targets of", ids(LearnerTarget.learner_id, LearnerTarget, LearnerTarget.skill_id == skill_id)),
        ("assessments of", ids(Assessment.learner_id, Assessment, Assessment.skill_id == skill_id)),
    ]  # fmt: skip


def delete_skill(session: Session, skill_id: str) -> None:
    skill = get(session, "skills", skill_id)
    _refuse_if_referenced(f'skill "{skill_id}"', skill_references(session, skill_id))
    session.exec(delete(LevelDescriptor).where(LevelDescriptor.skill_id == skill_id))
    session.delete(skill)
    _commit(session)


# --- roles ------------------------------------------------------------------------------


def requirements(session: Session, role_id: str) -> list[RoleRequirement]:
    stmt = select(RoleRequirement).where(RoleRequirement.role_id == role_id)
    return list(session.exec(stmt.order_by(RoleRequirement.skill_id)))


def save_role(session: Session, data: dict, existing_id: str | None = None) -> Role:
    errors = Errors()
    if existing_id is None:
        _check_new_id(session, Role, data.get("id", ""), errors, "role")
    skills = _all_ids(session, Skill)
    rows = []
    given = data.get("requirements") or []
    for i, skill, level, row in _level_rows(given, "requirements", errors, skills):
        weight = row.get("weight")
        weight = 1.0 if weight in (None, "") else weight
        if not isinstance(weight, int | float) or weight < 0 or not math.isfinite(weight):
            errors.add(f"requirements[{i}].weight", "weight cannot be negative")
            continue
        rows.append((skill, level, float(weight)))
    errors.raise_if_any()
    role = session.get(Role, existing_id) if existing_id else Role(id=data["id"])
    if role is None:
        raise NotFound(existing_id)
    role.name = (data.get("name") or "").strip()
    role.name_zh = (data.get("name_zh") or "").strip()
    session.add(role)
    session.flush()
    session.exec(delete(RoleRequirement).where(RoleRequirement.role_id == role.id))
    for skill, level, weight in rows:
        session.add(RoleRequirement(role_id=role.id, skill_id=skill, level=level, weight=weight))
    _commit(session)
    return role


def delete_role(session: Session, role_id: str) -> None:
    role = get(session, "roles", role_id)
    learners = session.exec(select(Learner.id).where(Learner.role_id == role_id)).all()
    _refuse_if_referenced(f'role "{role_id}"', [("learners", list(learners))])
    session.exec(delete(RoleRequirement).where(RoleRequirement.role_id == role_id))
    session.delete(role)
    _commit(session)


# --- courses ----------------------------------------------------------------------------

COURSE_NUMBERS = ("credits", "hours", "cost", "session_cost")


def course_links(session: Session, course_id: str) -> dict:
    """teaches, requires_skills, prerequisites and prerequisites_any of one course."""
    teaches = session.exec(
        select(CourseTeaches)
        .where(CourseTeaches.course_id == course_id)
        .order_by(CourseTeaches.skill_id)
    ).all()
    requires = session.exec(
        select(CourseRequiresSkill)
        .where(CourseRequiresSkill.course_id == course_id)
        .order_by(CourseRequiresSkill.skill_id)
    ).all()
    prereqs = session.exec(
        select(Prerequisite)
        .where(Prerequisite.course_id == course_id)
        .order_by(Prerequisite.position)
    ).all()
    groups = session.exec(
        select(PrerequisiteGroup)
        .where(PrerequisiteGroup.course_id == course_id)
        .order_by(PrerequisiteGroup.position)
    ).all()
    any_of = []
    for group in groups:
        options = session.exec(
            select(PrerequisiteOption)
            .where(PrerequisiteOption.group_pk == group.pk)
            .order_by(PrerequisiteOption.position)
        ).all()
        any_of.append([o.prerequisite_id for o in options])
    return {
        "teaches": {t.skill_id: t.level for t in teaches},
        "requires_skills": {r.skill_id: r.level for r in requires},
        "prerequisites": [p.prerequisite_id for p in prereqs],
        "prerequisites_any": any_of,
    }


def course_dict(session: Session, course: Course) -> dict:
    """The course in the scenario file's shape (plus `curriculum_id`)."""
    out = {
        "id": course.id,
        "title": course.title,
        "credits": course.credits,
        "hours": course.hours,
        "cost": course.cost,
        "capacity": course.capacity,
        "max_sections": course.max_sections,
        "session_cost": course.session_cost,
        "offered": course.offered,
        "curriculum_id": course.curriculum_id,
    }
    out.update(course_links(session, course.id))
    return out


def _prerequisite_graph(session: Session) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {cid: [] for cid in session.exec(select(Course.id))}
    for course_id, pre in session.exec(
        select(Prerequisite.course_id, Prerequisite.prerequisite_id)
    ):
        graph[course_id].append(pre)
    return graph


def _course_scenario(session: Session, course: dict, graph: dict[str, list[str]]) -> dict:
    """A scenario holding the edited course first and every other course's all-of
    prerequisites, so the file rules find unknown ids, bad `offered` keys and cycles."""
    terms: dict[str, dict] = {}
    for t in session.exec(select(Term).order_by(Term.calendar_id, Term.position)):
        terms.setdefault(t.term_id, {"id": t.term_id, "season": t.season})
    others = [
        {"id": cid, "credits": 0, "prerequisites": pres}
        for cid, pres in graph.items()
        if cid != course["id"]
    ]
    return {
        "format": "planner-scenario/1",
        "skills": [{"id": s} for s in session.exec(select(Skill.id))],
        "terms": list(terms.values()),
        "courses": [course, *others],
    }


def _scenario_course(data: dict, teaches: dict, requires: dict) -> dict:
    """The form's course as a scenario-file course (absent optional keys left out)."""
    course = {
        "id": data["id"],
        "title": data.get("title") or "",
        "credits": data.get("credits"),
        "teaches": teaches,
        "requires_skills": requires,
        "prerequisites": list(data.get("prerequisites") or []),
        "prerequisites_any": [list(g) for g in data.get("prerequisites_any") or []],
        "max_sections": 1 if data.get("max_sections") is None else data["max_sections"],
    }
    for key in ("hours", "cost", "session_cost"):
        course[key] = data.get(key) or 0
    if data.get("capacity") is not None:
        course["capacity"] = data["capacity"]
    if data.get("offered") is not None:
        course["offered"] = list(data["offered"])
    # The file format is strict about types; forms give floats for whole numbers too.
    for key in ("credits", "hours", "cost", "session_cost"):
        if isinstance(course[key], int):
            course[key] = float(course[key])
    return course


def _row_path(field: str, rows: list[dict], skill: str) -> str:
    for i, row in enumerate(rows):
        if (row.get("skill") or "").strip() == skill:
            return f"{field}[{i}].skill"
    return field


def save_course(session: Session, data: dict, existing_id: str | None = None) -> Course:
    """Create or update a course and all its links, or raise CatalogError."""
    errors = Errors()
    if existing_id is None:
        _check_new_id(session, Course, data.get("id", ""), errors, "course")
    else:
        data = {**data, "id": existing_id}
    if data.get("credits") is None:
        errors.add("credits", "required")
    _non_negative(data, (*COURSE_NUMBERS, "max_sections"), errors)
    if data.get("capacity") is not None and data["capacity"] < 1:
        errors.add("capacity", "must be at least 1 (leave empty for unlimited)")
    if data.get("curriculum_id") and session.get(Curriculum, data["curriculum_id"]) is None:
        errors.add("curriculum_id", f'unknown curriculum "{data["curriculum_id"]}"')
    skills = _all_ids(session, Skill)
    teach_rows = list(data.get("teaches") or [])
    require_rows = list(data.get("requires_skills") or [])
    teaches = {s: lv for _, s, lv, _ in _level_rows(teach_rows, "teaches", errors, skills)}
    requires = {
        s: lv for _, s, lv, _ in _level_rows(require_rows, "requires_skills", errors, skills)
    }
    if data["id"] in (data.get("prerequisites") or []):
        errors.add("prerequisites", "a course cannot be its own prerequisite")
    errors.raise_if_any()

    graph = _prerequisite_graph(session)
    course = _scenario_course(data, teaches, requires)
    for path, message in _scenario_problems(_course_scenario(session, course, graph), "courses[0]"):
        field = re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""
        if field in ("teaches", "requires_skills") and path.startswith(field + "."):
            rows = teach_rows if field == "teaches" else require_rows
            errors.add(_row_path(field, rows, path[len(field) + 1 :]), message)
        else:
            errors.add(field, message)
    errors.raise_if_any()

    row = session.get(Course, existing_id) if existing_id else Course(id=data["id"], credits=0)
    if row is None:
        raise NotFound(existing_id)
    for key in ("title", *COURSE_NUMBERS, "capacity", "max_sections", "offered"):
        setattr(row, key, course.get(key))
    row.curriculum_id = data.get("curriculum_id") or None
    session.add(row)
    session.flush()
    _replace_course_links(session, row.id, course)
    _commit(session)
    return row


def _replace_course_links(session: Session, course_id: str, course: dict) -> None:
    for model in (CourseTeaches, CourseRequiresSkill, Prerequisite):
        session.exec(delete(model).where(model.course_id == course_id))
    old_groups = session.exec(
        select(PrerequisiteGroup.pk).where(PrerequisiteGroup.course_id == course_id)
    ).all()
    if old_groups:
        session.exec(delete(PrerequisiteOption).where(PrerequisiteOption.group_pk.in_(old_groups)))
        session.exec(delete(PrerequisiteGroup).where(PrerequisiteGroup.pk.in_(old_groups)))
    for skill, level in course["teaches"].items():
        session.add(CourseTeaches(course_id=course_id, skill_id=skill, level=level))
    for skill, level in course["requires_skills"].items():
        session.add(CourseRequiresSkill(course_id=course_id, skill_id=skill, level=level))
    for i, pre in enumerate(dict.fromkeys(course["prerequisites"])):
        session.add(Prerequisite(course_id=course_id, prerequisite_id=pre, position=i))
    for g, options in enumerate(course["prerequisites_any"]):
        group = PrerequisiteGroup(course_id=course_id, position=g)
        session.add(group)
        session.flush()
        for i, pre in enumerate(dict.fromkeys(options)):
            session.add(PrerequisiteOption(group_pk=group.pk, prerequisite_id=pre, position=i))


def _learners_naming(session: Session, fields: tuple[str, ...], value: str) -> list[str]:
    """Learners whose JSON list/dict columns mention `value` (scanned: JSON is not indexed)."""
    columns = [getattr(Learner, f) for f in fields]
    out = []
    for learner_id, *values in session.exec(select(Learner.id, *columns)):
        if any(v and value in v for v in values):
            out.append(learner_id)
    return out


def course_references(session: Session, course_id: str) -> list[tuple[str, list[str]]]:
    all_of = session.exec(
        select(Prerequisite.course_id).where(Prerequisite.prerequisite_id == course_id)
    ).all()
    any_of = session.exec(
        select(PrerequisiteGroup.course_id)
        .join(PrerequisiteOption, PrerequisiteOption.group_pk == PrerequisiteGroup.pk)
        .where(PrerequisiteOption.prerequisite_id == course_id)
    ).all()
    return [
        ("courses that need it as a prerequisite", list(dict.fromkeys([*all_of, *any_of]))),
        (
            "learners that completed, require, exclude or pin it",
            _learners_naming(session, ("completed", "required", "excluded", "pinned"), course_id),
        ),
    ]


def delete_course(session: Session, course_id: str) -> None:
    course = get(session, "courses", course_id)
    _refuse_if_referenced(f'course "{course_id}"', course_references(session, course_id))
    _replace_course_links(
        session,
        course_id,
        {"teaches": {}, "requires_skills": {}, "prerequisites": [], "prerequisites_any": []},
    )
    session.delete(course)
    _commit(session)


# --- term calendars ---------------------------------------------------------------------


def calendar_terms(session: Session, calendar_id: str) -> list[Term]:
    stmt = select(Term).where(Term.calendar_id == calendar_id).order_by(Term.position)
    return list(session.exec(stmt))


def _term_users(session: Session, term_id: str) -> list[tuple[str, list[str]]]:
    offered = [
        cid
        for cid, keys in session.exec(select(Course.id, Course.offered))
        if keys and term_id in keys
    ]
    learners = _learners_naming(session, ("terms",), term_id)
    pinned = [
        lid
        for lid, pins in session.exec(select(Learner.id, Learner.pinned))
        if term_id in (pins or {}).values()
    ]
    return [
        ("courses offered in it", offered),
        ("learners studying in it", learners),
        ("learners with a course pinned to it", pinned),
    ]


def save_calendar(session: Session, data: dict, existing_id: str | None = None) -> TermCalendar:
    """Create or update a calendar with its ordered terms (rows with an empty id are skipped)."""
    errors = Errors()
    if existing_id is None:
        _check_new_id(session, TermCalendar, data.get("id", ""), errors, "term calendar")
    rows = []
    seen: dict[str, int] = {}
    for i, row in enumerate(data.get("terms") or []):
        term_id = (row.get("term_id") or "").strip()
        if not term_id:
            continue
        here = f"terms[{i}]"
        if not _ID_RE.match(term_id):
            errors.add(f"{here}.term_id", _ID_RULE)
        elif term_id in seen:
            errors.add(f"{here}.term_id", f'"{term_id}" is already in row {seen[term_id] + 1}')
        seen[term_id] = i
        _non_negative(row, ("max_credits", "min_credits"), _Prefixed(errors, here))
        rows.append((term_id, row))
    cal_id = existing_id or data.get("id", "")
    if existing_id:
        # A term removed here must not be one courses or learners still name, unless
        # another calendar keeps a term with the same id.
        elsewhere = set(
            session.exec(select(Term.term_id).where(Term.calendar_id != existing_id)).all()
        )
        for term in calendar_terms(session, existing_id):
            if term.term_id in seen or term.term_id in elsewhere:
                continue
            used = [(w, ids) for w, ids in _term_users(session, term.term_id) if ids]
            if used:
                reasons = "; ".join(f"{w} {_shorten(ids)}" for w, ids in used)
                errors.add("terms", f'term "{term.term_id}" cannot be removed: used by {reasons}')
    errors.raise_if_any()
    calendar = session.get(TermCalendar, existing_id) if existing_id else TermCalendar(id=cal_id)
    if calendar is None:
        raise NotFound(existing_id)
    calendar.name = (data.get("name") or "").strip()
    session.add(calendar)
    session.flush()
    session.exec(delete(Term).where(Term.calendar_id == calendar.id))
    for position, (term_id, row) in enumerate(rows):
        session.add(
            Term(
                calendar_id=calendar.id,
                term_id=term_id,
                season=(row.get("season") or "").strip() or None,
                max_credits=row.get("max_credits"),
                min_credits=row.get("min_credits") or 0,
                position=position,
            )
        )
    _commit(session)
    return calendar


class _Prefixed:
    """Errors view that prefixes paths (for per-row checks)."""

    def __init__(self, errors: Errors, prefix: str):
        self.errors, self.prefix = errors, prefix

    def add(self, path: str, message: str) -> None:
        self.errors.add(f"{self.prefix}.{path}", message)


def delete_calendar(session: Session, calendar_id: str) -> None:
    calendar = get(session, "calendars", calendar_id)
    curricula = session.exec(
        select(Curriculum.id).where(Curriculum.calendar_id == calendar_id)
    ).all()
    _refuse_if_referenced(f'term calendar "{calendar_id}"', [("curricula", list(curricula))])
    session.exec(delete(Term).where(Term.calendar_id == calendar_id))
    session.delete(calendar)
    _commit(session)


# --- learners ---------------------------------------------------------------------------

LEARNER_LISTS = ("terms", "completed", "required", "excluded")


def learner_levels(session: Session, learner_id: str) -> tuple[dict[str, int], dict[str, int]]:
    levels = session.exec(select(LearnerLevel).where(LearnerLevel.learner_id == learner_id))
    targets = session.exec(select(LearnerTarget).where(LearnerTarget.learner_id == learner_id))
    return (
        {r.skill_id: r.level for r in levels},
        {r.skill_id: r.level for r in targets},
    )


def _learner_scenario(session: Session, learner: dict) -> dict:
    """Only what the learner names, so the check stays small on a 10,000-course catalog."""
    named_courses = set(learner.get("completed", [])) | set(learner.get("required", []))
    named_courses |= set(learner.get("excluded", [])) | set(learner.get("pinned", {}))
    known = set(session.exec(select(Course.id).where(Course.id.in_(named_courses))).all())
    terms: dict[str, dict] = {}
    for t in session.exec(select(Term).order_by(Term.calendar_id, Term.position)):
        terms.setdefault(t.term_id, {"id": t.term_id})
    return {
        "format": "planner-scenario/1",
        "skills": [{"id": s} for s in session.exec(select(Skill.id))],
        "roles": [{"id": r} for r in session.exec(select(Role.id))],
        "terms": list(terms.values()),
        "courses": [{"id": c, "credits": 0.0} for c in sorted(known)],
        "learners": [learner],
    }


def save_learner(session: Session, data: dict, existing_id: str | None = None) -> Learner:
    errors = Errors()
    if existing_id is None:
        _check_new_id(session, Learner, data.get("id", ""), errors, "learner")
    else:
        data = {**data, "id": existing_id}
    _non_negative(data, ("budget", "max_credits"), errors)
    count = data.get("count")
    if count is None or not isinstance(count, int) or count < 1:
        errors.add("count", "must be a whole number of at least 1")
    if (data.get("gap_mode") or None) not in (None, *GAP_MODES):
        errors.add("gap_mode", 'must be "minimise" or "close"')
    skills = _all_ids(session, Skill)
    level_rows = list(data.get("levels") or [])
    target_rows = list(data.get("target") or [])
    levels = {s: lv for _, s, lv, _ in _level_rows(level_rows, "levels", errors, skills)}
    target = {s: lv for _, s, lv, _ in _level_rows(target_rows, "target", errors, skills)}
    errors.raise_if_any()

    learner = {
        "id": data["id"],
        "target": target,
        "levels": levels,
        "count": count,
        "completed": list(data.get("completed") or []),
        "required": list(data.get("required") or []),
        "excluded": list(data.get("excluded") or []),
        "pinned": dict(data.get("pinned") or {}),
    }
    for key in ("role", "terms", "max_credits", "budget", "gap_mode"):
        value = data.get("role_id") if key == "role" else data.get(key)
        if value not in (None, ""):
            learner[key] = float(value) if key in ("max_credits", "budget") else value
    for path, message in _scenario_problems(_learner_scenario(session, learner), "learners[0]"):
        field = re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""
        field = "role_id" if field == "role" else field
        if field in ("levels", "target") and path.startswith(field + "."):
            rows = level_rows if field == "levels" else target_rows
            errors.add(_row_path(field, rows, path[len(field) + 1 :]), message)
        else:
            errors.add(field, message)
    if data.get("curriculum_id") and session.get(Curriculum, data["curriculum_id"]) is None:
        errors.add("curriculum_id", f'unknown curriculum "{data["curriculum_id"]}"')
    errors.raise_if_any()

    row = session.get(Learner, existing_id) if existing_id else Learner(id=data["id"])
    if row is None:
        raise NotFound(existing_id)
    row.name = (data.get("name") or "").strip()
    row.role_id = data.get("role_id") or None
    row.curriculum_id = data.get("curriculum_id") or None
    row.team = (data.get("team") or "").strip() or None
    row.count = count
    row.budget = data.get("budget")
    row.max_credits = data.get("max_credits")
    row.gap_mode = data.get("gap_mode") or None
    row.terms = learner.get("terms")
    for key in ("completed", "required", "excluded", "pinned"):
        setattr(row, key, learner[key])
    session.add(row)
    session.flush()
    session.exec(delete(LearnerLevel).where(LearnerLevel.learner_id == row.id))
    session.exec(delete(LearnerTarget).where(LearnerTarget.learner_id == row.id))
    for skill, level in levels.items():
        session.add(LearnerLevel(learner_id=row.id, skill_id=skill, level=level))
    for skill, level in target.items():
        session.add(LearnerTarget(learner_id=row.id, skill_id=skill, level=level))
    _commit(session)
    return row


def delete_learner(session: Session, learner_id: str) -> None:
    learner = get(session, "learners", learner_id)
    accounts = session.exec(select(User.username).where(User.learner_id == learner_id)).all()
    _refuse_if_referenced(f'learner "{learner_id}"', [("the sign-in account", list(accounts))])
    for model in (LearnerLevel, LearnerTarget, Assessment):
        session.exec(delete(model).where(model.learner_id == learner_id))
    session.delete(learner)
    _commit(session)


# --- one entry point per kind, for views and the API ----------------------------------

SAVERS = {
    "areas": save_area,
    "skills": save_skill,
    "roles": save_role,
    "courses": save_course,
    "calendars": save_calendar,
    "learners": save_learner,
}
DELETERS = {
    "areas": delete_area,
    "skills": delete_skill,
    "roles": delete_role,
    "courses": delete_course,
    "calendars": delete_calendar,
    "learners": delete_learner,
}


def save(
    session: Session, kind: str, data: dict, existing_id: str | None = None, version=versions.ANY
):
    """Create, or update `existing_id` if its edit version is still `version` (the one the
    editor was opened at; raises versions.StaleEdit otherwise, before anything is written)."""
    if existing_id is not None:
        versions.claim(session, LISTS[kind][0], existing_id, version)
    return SAVERS[kind](session, data, existing_id)


def remove(session: Session, kind: str, item_id: str) -> None:
    DELETERS[kind](session, item_id)
