"""Catalog rows <-> plain records, one dict per skill / role / term / course / learner.

Records are the one shape the importer, exporter, seeding and scenario builder share:
field names follow the scenario file (`teaches`, `prerequisites_any`, ...) plus the
catalog's extras (`name_zh`, `curriculum`, ...). Writing is an upsert by id that touches
only the keys a record has: a key missing from a record keeps its stored value and its
stored child rows (so `id,team` keeps a learner's levels, and a scenario file, which has
no `name_zh`, does not wipe the taxonomy's). Defaults fill in only for new rows.
Every updated row's edit `version` goes up, so an editor opened before the import refuses
to save over it.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnExpressionArgument, delete, select
from sqlmodel import Session, SQLModel, col

from planner.models import (
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
)
from planner.scenario import LEVEL_NAMES

KINDS = ("skills", "roles", "terms", "courses", "learners")

# Every field of a record, in export column order.
FIELDS = {
    "skills": [
        "id", "area", "area_name", "area_name_zh", "name", "name_zh", "descriptors", "onet", "esco",
    ],
    "roles": ["id", "name", "name_zh", "soc", "esco", "requires", "weights"],
    "terms": ["calendar", "id", "season", "max_credits", "min_credits"],
    "courses": [
        "id", "title", "curriculum", "credits", "hours", "cost", "capacity", "max_sections",
        "session_cost", "offered", "teaches", "requires_skills", "prerequisites",
        "prerequisites_any",
    ],
    "learners": [
        "id", "name", "role", "team", "curriculum", "count", "budget", "max_credits", "gap_mode",
        "terms", "levels", "target", "completed", "required", "excluded", "pinned",
    ],
}  # fmt: skip
# Columns every file of a kind must have (the row's key).
KEYS = {"skills": ["id"], "roles": ["id"], "terms": ["calendar", "id"], "courses": ["id"],
        "learners": ["id"]}  # fmt: skip
# Fields a new row must give, and no row may empty (others keep their stored value or
# take their default).
REQUIRED = {"skills": ["name"], "roles": [], "terms": [], "courses": ["credits"],
            "learners": []}  # fmt: skip


# --- reading ------------------------------------------------------------------------------


def read_records(session: Session, kind: str, **filters: Any) -> list[dict]:
    return READERS[kind](session, **filters)


def _rows(
    session: Session,
    model: Any,
    order: Sequence[ColumnExpressionArgument[Any]],
    ids: Iterable[str] | None = None,
    **equal: str | None,
) -> list[Any]:
    """The rows of `model` in `order`: only `ids` when given, and only those whose columns
    equal the `equal` values that are not None (`curriculum_id=None`: every curriculum)."""
    query = select(model).order_by(*order)
    if ids is not None:
        query = query.where(col(model.id).in_(list(ids)))
    for column, value in equal.items():
        if value is not None:
            query = query.where(col(getattr(model, column)) == value)
    return list(session.scalars(query).all())


def _children(
    session: Session,
    model: type[SQLModel],
    parent: str,
    *order: ColumnExpressionArgument[Any],
    parents: list[str] | None = None,
) -> defaultdict[Any, list[Any]]:
    """The rows of a child table grouped by their `parent` column, each group in `order`;
    only the children of `parents` when given."""
    query = select(model).order_by(*order)
    if parents is not None:
        query = query.where(col(getattr(model, parent)).in_(parents))
    out: defaultdict[Any, list[Any]] = defaultdict(list)
    for row in session.scalars(query).all():
        out[getattr(row, parent)].append(row)
    return out


def read_skills(session: Session, ids: Iterable[str] | None = None) -> list[dict]:
    skills = _rows(session, Skill, [col(Skill.id)], ids)
    areas = {a.id: a for a in session.scalars(select(SkillArea)).all()}
    descriptors = _children(session, LevelDescriptor, "skill_id", col(LevelDescriptor.level))
    out = []
    for skill in skills:
        area = areas.get(skill.area_id) if skill.area_id is not None else None
        texts = {d.level: d.text for d in descriptors.get(skill.id, [])}
        out.append(
            {
                "id": skill.id,
                "area": skill.area_id,
                "area_name": area.name if area else "",
                "area_name_zh": area.name_zh if area else "",
                "name": skill.name,
                "name_zh": skill.name_zh,
                "descriptors": [texts.get(level, "") for level in range(len(LEVEL_NAMES))]
                if texts
                else [],
                "onet": list(skill.onet),
                "esco": list(skill.esco),
            }
        )
    return out


def read_roles(session: Session, ids: Iterable[str] | None = None) -> list[dict]:
    roles = _rows(session, Role, [col(Role.id)], ids)
    needs = _children(session, RoleRequirement, "role_id", col(RoleRequirement.skill_id))
    return [
        {
            "id": role.id,
            "name": role.name,
            "name_zh": role.name_zh,
            "soc": list(role.soc),
            "esco": list(role.esco),
            # Level 0 rows exist only to carry a weight; weight 1 is the default.
            "requires": {r.skill_id: r.level for r in needs.get(role.id, []) if r.level > 0},
            "weights": {
                r.skill_id: _number(r.weight) for r in needs.get(role.id, []) if r.weight != 1
            },
        }
        for role in roles
    ]


def read_terms(session: Session, calendar: str | None = None) -> list[dict]:
    order = [col(Term.calendar_id), col(Term.position), col(Term.pk)]
    return [
        {
            "calendar": t.calendar_id,
            "id": t.term_id,
            "season": t.season,
            "max_credits": _number(t.max_credits),
            "min_credits": _number(t.min_credits),
        }
        for t in _rows(session, Term, order, calendar_id=calendar)
    ]


def read_courses(
    session: Session, ids: Iterable[str] | None = None, curriculum: str | None = None
) -> list[dict]:
    order = [col(Course.curriculum_id).asc().nulls_first(), col(Course.position), col(Course.id)]
    courses = _rows(session, Course, order, ids, curriculum_id=curriculum)
    teaches = _children(session, CourseTeaches, "course_id")
    requires = _children(session, CourseRequiresSkill, "course_id")
    prereqs = _children(session, Prerequisite, "course_id", col(Prerequisite.position))
    groups = _children(session, PrerequisiteGroup, "course_id", col(PrerequisiteGroup.position))
    options = _children(session, PrerequisiteOption, "group_pk", col(PrerequisiteOption.position))
    return [
        {
            "id": c.id,
            "title": c.title,
            "curriculum": c.curriculum_id,
            "credits": _number(c.credits),
            "hours": _number(c.hours),
            "cost": _number(c.cost),
            "capacity": c.capacity,
            "max_sections": c.max_sections,
            "session_cost": _number(c.session_cost),
            "offered": list(c.offered) if c.offered is not None else None,
            "teaches": {t.skill_id: t.level for t in sorted(teaches[c.id], key=_skill)},
            "requires_skills": {t.skill_id: t.level for t in sorted(requires[c.id], key=_skill)},
            "prerequisites": [p.prerequisite_id for p in prereqs[c.id]],
            "prerequisites_any": [[o.prerequisite_id for o in options[g.pk]] for g in groups[c.id]],
        }
        for c in courses
    ]


def read_learners(
    session: Session, ids: Iterable[str] | None = None, curriculum: str | None = None
) -> list[dict]:
    learners = _rows(session, Learner, [col(Learner.id)], ids, curriculum_id=curriculum)
    levels = _children(session, LearnerLevel, "learner_id")
    targets = _children(session, LearnerTarget, "learner_id")
    return [
        {
            "id": lr.id,
            "name": lr.name,
            "role": lr.role_id,
            "team": lr.team,
            "curriculum": lr.curriculum_id,
            "count": lr.count,
            "budget": _number(lr.budget),
            "max_credits": _number(lr.max_credits),
            "gap_mode": lr.gap_mode,
            "terms": list(lr.terms) if lr.terms is not None else None,
            "levels": {v.skill_id: v.level for v in sorted(levels[lr.id], key=_skill)},
            "target": {v.skill_id: v.level for v in sorted(targets[lr.id], key=_skill)},
            "completed": list(lr.completed),
            "required": list(lr.required),
            "excluded": list(lr.excluded),
            "pinned": dict(lr.pinned),
        }
        for lr in learners
    ]


READERS = {
    "skills": read_skills,
    "roles": read_roles,
    "terms": read_terms,
    "courses": read_courses,
    "learners": read_learners,
}


def _skill(row) -> str:
    return row.skill_id


def _number(value):
    """Whole floats read back as ints, so exports show 3 rather than 3.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- writing ------------------------------------------------------------------------------


def write_records(session: Session, kind: str, records: list[dict]) -> int:
    """Upsert records of one kind (already validated); returns how many were written."""
    if records:
        WRITERS[kind](session, records)
        session.flush()
    return len(records)


def _chunks(ids: Iterable[Any]) -> Iterable[list[Any]]:
    """`ids` 500 at a time, so an IN (...) stays under the database's bind-parameter limit."""
    ids = list(ids)
    for start in range(0, len(ids), 500):
        yield ids[start : start + 500]


def _existing(session: Session, model: Any, ids: Iterable[str]) -> dict:
    found = {}
    for chunk in _chunks(ids):
        found.update(
            {row.id: row for row in session.scalars(select(model).where(model.id.in_(chunk)))}
        )
    return found


def _upsert(
    session: Session, model, records: list[dict], columns: dict[str, str], defaults=None
) -> dict:
    """Create or update one row per record; `columns` maps record keys to attributes.

    A new row gets `defaults` for the keys its record lacks; an existing row changes only
    the keys its record has (and its edit version goes up)."""
    rows = _existing(session, model, (r["id"] for r in records))
    for record in records:
        row = rows.get(record["id"])
        if row is None:
            values = {**(defaults or {}), **record}
            row = model(**{attr: values[key] for key, attr in columns.items() if key in values})
            session.add(row)
            rows[record["id"]] = row
        else:
            for key, attr in columns.items():
                if key in record:
                    setattr(row, attr, record[key])
            if hasattr(row, "version"):
                row.version = (row.version or 1) + 1
    return rows


def _replace_children(session: Session, model: Any, parent: str, ids: list[str]) -> None:
    column = getattr(model, parent)
    for chunk in _chunks(ids):
        session.execute(delete(model).where(column.in_(chunk)))


def ensure_areas(session: Session, records: list[dict]) -> None:
    wanted: dict[str, dict[str, str]] = {}
    for r in records:
        if r.get("area"):
            entry = wanted.setdefault(r["area"], {})
            for key in ("area_name", "area_name_zh"):
                if r.get(key):
                    entry[key] = r[key]
    existing = {a.id: a for a in session.scalars(select(SkillArea)).all()}
    for area_id, names in wanted.items():
        area = existing.get(area_id)
        if area is None:
            area = SkillArea(id=area_id, name=area_id)
            session.add(area)
        area.name = names.get("area_name", area.name)
        area.name_zh = names.get("area_name_zh", area.name_zh)
    session.flush()


def ensure_curricula(session: Session, ids) -> None:
    """Courses and learners name a curriculum by id; a new id makes a bare curriculum."""
    ids = {i for i in ids if i}
    existing = {c.id: c for c in session.scalars(select(Curriculum)).all()}
    calendars = set(session.scalars(select(col(TermCalendar.id))).all())
    for cid in sorted(ids - set(existing)):
        session.add(Curriculum(id=cid, name=cid, calendar_id=cid if cid in calendars else None))
    session.flush()


def write_skills(session: Session, records: list[dict]) -> None:
    ensure_areas(session, records)
    columns = {"id": "id", "area": "area_id", "name": "name", "name_zh": "name_zh",
               "onet": "onet", "esco": "esco"}  # fmt: skip
    _upsert(session, Skill, records, columns)
    session.flush()
    with_texts = [r for r in records if "descriptors" in r]
    _replace_children(session, LevelDescriptor, "skill_id", [r["id"] for r in with_texts])
    for r in with_texts:
        for level, text in enumerate(r["descriptors"]):
            session.add(LevelDescriptor(skill_id=r["id"], level=level, text=text))


def write_roles(session: Session, records: list[dict]) -> None:
    columns = {"id": "id", "name": "name", "name_zh": "name_zh", "soc": "soc", "esco": "esco"}
    _upsert(session, Role, records, columns)
    session.flush()
    changed = [r for r in records if "requires" in r or "weights" in r]
    stored = _children(session, RoleRequirement, "role_id", parents=[r["id"] for r in changed])
    # A file with only `requires` keeps the stored weights, and the other way round.
    merged = []
    for r in changed:
        old = stored.get(r["id"], [])
        requires = (
            r["requires"] if "requires" in r else {q.skill_id: q.level for q in old if q.level > 0}
        )
        weights = (
            r["weights"] if "weights" in r else {q.skill_id: q.weight for q in old if q.weight != 1}
        )
        merged.append((r["id"], requires, weights))
    _replace_children(session, RoleRequirement, "role_id", [r["id"] for r in changed])
    for role_id, requires, weights in merged:
        for skill in sorted(set(requires) | set(weights)):
            session.add(
                RoleRequirement(
                    role_id=role_id,
                    skill_id=skill,
                    level=requires.get(skill, 0),
                    weight=weights.get(skill, 1),
                )
            )


TERM_VALUES: dict[str, Any] = {"season": None, "max_credits": None, "min_credits": 0}


def write_terms(session: Session, records: list[dict]) -> None:
    """A calendar is an ordered list: the file's terms replace each calendar they name.
    A term the calendar already had keeps its stored values for columns the file lacks."""
    by_calendar: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_calendar[r["calendar"]].append(r)
    for calendar_id, terms in by_calendar.items():
        calendar = session.get(TermCalendar, calendar_id)
        if calendar is None:
            session.add(TermCalendar(id=calendar_id, name=calendar_id))
            session.flush()
        else:
            calendar.version = (calendar.version or 1) + 1
        stored = {
            t.term_id: t
            for t in session.scalars(select(Term).where(col(Term.calendar_id) == calendar_id)).all()
        }
        session.execute(delete(Term).where(col(Term.calendar_id) == calendar_id))
        for position, r in enumerate(terms):
            old = stored.get(r["id"])
            values = {
                key: r[key] if key in r else (getattr(old, key) if old else default)
                for key, default in TERM_VALUES.items()
            }
            session.add(
                Term(
                    calendar_id=calendar_id,
                    term_id=r["id"],
                    season=values["season"],
                    max_credits=values["max_credits"],
                    min_credits=values["min_credits"] or 0,
                    position=position,
                )
            )
        curriculum = session.get(Curriculum, calendar_id)
        if curriculum is not None and curriculum.calendar_id is None:
            curriculum.calendar_id = calendar_id


COURSE_LINKS = {
    "teaches": (CourseTeaches,),
    "requires_skills": (CourseRequiresSkill,),
    "prerequisites": (Prerequisite,),
    "prerequisites_any": (PrerequisiteGroup,),  # its options go with it (ON DELETE CASCADE)
}
COURSE_DEFAULTS = {"hours": 0, "cost": 0, "max_sections": 1, "session_cost": 0,
                   "capacity": None, "offered": None, "title": ""}  # fmt: skip


def write_courses(session: Session, records: list[dict]) -> None:
    ensure_curricula(session, (r.get("curriculum") for r in records))
    columns = {"id": "id", "title": "title", "curriculum": "curriculum_id", "credits": "credits",
               "hours": "hours", "cost": "cost", "capacity": "capacity",
               "max_sections": "max_sections", "session_cost": "session_cost",
               "offered": "offered", "position": "position"}  # fmt: skip
    existing = set(_existing(session, Course, (r["id"] for r in records)))
    prepared = []
    for r in records:
        # An empty cell is the field's default; `position` only places new courses.
        r = {k: COURSE_DEFAULTS.get(k) if v is None else v for k, v in r.items()}
        if r["id"] in existing:
            r.pop("position", None)
        prepared.append(r)
    _upsert(session, Course, prepared, columns, defaults=COURSE_DEFAULTS)
    session.flush()  # prerequisites may point at courses of this same batch
    for key, models in COURSE_LINKS.items():
        ids = [r["id"] for r in records if key in r]
        for model in models:
            if model is PrerequisiteGroup:
                _delete_groups(session, ids)
            else:
                _replace_children(session, model, "course_id", ids)
    for r in records:
        for skill, level in r.get("teaches", {}).items():
            session.add(CourseTeaches(course_id=r["id"], skill_id=skill, level=level))
        for skill, level in r.get("requires_skills", {}).items():
            session.add(CourseRequiresSkill(course_id=r["id"], skill_id=skill, level=level))
        for position, pre in enumerate(dict.fromkeys(r.get("prerequisites", []))):
            session.add(Prerequisite(course_id=r["id"], prerequisite_id=pre, position=position))
        for position, group in enumerate(r.get("prerequisites_any", [])):
            row = PrerequisiteGroup(course_id=r["id"], position=position)
            session.add(row)
            session.flush()
            assert row.pk is not None  # the flush gave the group its key
            for at, pre in enumerate(dict.fromkeys(group)):
                session.add(PrerequisiteOption(group_pk=row.pk, prerequisite_id=pre, position=at))


def _delete_groups(session: Session, course_ids: list[str]) -> None:
    """Any-of groups and their options (explicitly: SQLite may run without FK cascades)."""
    for chunk in _chunks(course_ids):
        groups = list(
            session.scalars(
                select(col(PrerequisiteGroup.pk)).where(col(PrerequisiteGroup.course_id).in_(chunk))
            )
        )
        if groups:
            session.execute(
                delete(PrerequisiteOption).where(col(PrerequisiteOption.group_pk).in_(groups))
            )
            session.execute(delete(PrerequisiteGroup).where(col(PrerequisiteGroup.pk).in_(groups)))


LEARNER_DEFAULTS = {"count": 1, "completed": [], "required": [], "excluded": [], "pinned": {}}


def write_learners(session: Session, records: list[dict]) -> None:
    ensure_curricula(session, (r.get("curriculum") for r in records))
    columns = {"id": "id", "name": "name", "role": "role_id", "team": "team",
               "curriculum": "curriculum_id", "count": "count", "budget": "budget",
               "max_credits": "max_credits", "gap_mode": "gap_mode", "terms": "terms",
               "completed": "completed", "required": "required", "excluded": "excluded",
               "pinned": "pinned"}  # fmt: skip
    # An empty cell is the field's default (budget, terms, ...: None means unlimited / all).
    prepared = [
        {k: LEARNER_DEFAULTS.get(k) if v is None else v for k, v in r.items()} for r in records
    ]
    _upsert(session, Learner, prepared, columns, defaults=LEARNER_DEFAULTS)
    session.flush()
    for key, model in (("levels", LearnerLevel), ("target", LearnerTarget)):
        _replace_children(session, model, "learner_id", [r["id"] for r in records if key in r])
    for r in records:
        for skill, level in r.get("levels", {}).items():
            session.add(LearnerLevel(learner_id=r["id"], skill_id=skill, level=level))
        for skill, level in r.get("target", {}).items():
            session.add(LearnerTarget(learner_id=r["id"], skill_id=skill, level=level))


WRITERS = {
    "skills": write_skills,
    "roles": write_roles,
    "terms": write_terms,
    "courses": write_courses,
    "learners": write_learners,
}
