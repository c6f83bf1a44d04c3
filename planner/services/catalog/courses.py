"""Courses: credits, costs, seats, terms offered, the skills they teach and need, and
their prerequisites (all of / any of); plus the curricula courses belong to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from planner.models import (
    Course,
    CourseRequiresSkill,
    CourseTeaches,
    Curriculum,
    Prerequisite,
    PrerequisiteGroup,
    PrerequisiteOption,
    Skill,
)
from planner.services.catalog.calendars import terms_in_order
from planner.services.catalog.edits import (
    add_scenario_problems,
    all_ids,
    commit,
    id_name_choices,
    learners_naming,
    level_rows,
    non_negative,
    refuse_if_referenced,
    row_to_save,
    scenario_problems,
    start_edit,
    stored,
)

COURSE_NUMBERS = ("credits", "hours", "cost", "session_cost")


def curriculum_choices(session: Session) -> list[tuple[str, str]]:
    return id_name_choices(session, Curriculum)


def course_links(session: Session, course_id: str) -> dict:
    """teaches, requires_skills, prerequisites and prerequisites_any of one course."""

    def rows(model: Any, key: Any, value: object, order: Any) -> list[Any]:
        return list(session.exec(select(model).where(key == value).order_by(order)))

    teaches = rows(CourseTeaches, CourseTeaches.course_id, course_id, CourseTeaches.skill_id)
    requires = rows(
        CourseRequiresSkill, CourseRequiresSkill.course_id, course_id, CourseRequiresSkill.skill_id
    )
    prereqs = rows(Prerequisite, Prerequisite.course_id, course_id, Prerequisite.position)
    groups = rows(
        PrerequisiteGroup, PrerequisiteGroup.course_id, course_id, PrerequisiteGroup.position
    )
    any_of = [
        [
            o.prerequisite_id
            for o in rows(
                PrerequisiteOption, PrerequisiteOption.group_pk, g.pk, PrerequisiteOption.position
            )
        ]
        for g in groups
    ]
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
    for t in terms_in_order(session):
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


def save_course(session: Session, data: dict, existing_id: str | None = None) -> Course:
    """Create or update a course and all its links, or raise CatalogError."""
    errors, data = start_edit(session, Course, "course", data, existing_id)
    if data.get("credits") is None:
        errors.add("credits", "required")
    non_negative(data, (*COURSE_NUMBERS, "max_sections"), errors)
    if data.get("capacity") is not None and data["capacity"] < 1:
        errors.add("capacity", "must be at least 1 (leave empty for unlimited)")
    if data.get("curriculum_id") and session.get(Curriculum, data["curriculum_id"]) is None:
        errors.add("curriculum_id", f'unknown curriculum "{data["curriculum_id"]}"')
    skills = all_ids(session, Skill)
    teach_rows = list(data.get("teaches") or [])
    require_rows = list(data.get("requires_skills") or [])
    teaches = {s: lv for _, s, lv, _ in level_rows(teach_rows, "teaches", errors, skills)}
    requires = {
        s: lv for _, s, lv, _ in level_rows(require_rows, "requires_skills", errors, skills)
    }
    if data["id"] in (data.get("prerequisites") or []):
        errors.add("prerequisites", "a course cannot be its own prerequisite")
    errors.raise_if_any()

    graph = _prerequisite_graph(session)
    course = _scenario_course(data, teaches, requires)
    problems = scenario_problems(_course_scenario(session, course, graph), "courses[0]")
    add_scenario_problems(
        errors, problems, {"teaches": teach_rows, "requires_skills": require_rows}
    )
    errors.raise_if_any()

    row = row_to_save(session, Course, existing_id, data["id"], credits=0)
    for key in ("title", *COURSE_NUMBERS, "capacity", "max_sections", "offered"):
        setattr(row, key, course.get(key))
    row.curriculum_id = data.get("curriculum_id") or None
    session.add(row)
    session.flush()
    _replace_course_links(session, row.id, course)
    commit(session)
    return row


def _replace_course_links(session: Session, course_id: str, course: dict) -> None:
    for model in (CourseTeaches, CourseRequiresSkill, Prerequisite):
        session.exec(delete(model).where(col(model.course_id) == course_id))
    old_groups = session.exec(
        select(PrerequisiteGroup.pk).where(PrerequisiteGroup.course_id == course_id)
    ).all()
    if old_groups:
        option_groups = col(PrerequisiteOption.group_pk).in_(old_groups)
        session.exec(delete(PrerequisiteOption).where(option_groups))
        session.exec(delete(PrerequisiteGroup).where(col(PrerequisiteGroup.pk).in_(old_groups)))
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
        assert group.pk is not None  # the flush gave the new group its key
        for i, pre in enumerate(dict.fromkeys(options)):
            session.add(PrerequisiteOption(group_pk=group.pk, prerequisite_id=pre, position=i))


def course_references(session: Session, course_id: str) -> list[tuple[str, list[str]]]:
    all_of = session.exec(
        select(Prerequisite.course_id).where(Prerequisite.prerequisite_id == course_id)
    ).all()
    any_of = session.exec(
        select(PrerequisiteGroup.course_id)
        .join(PrerequisiteOption, col(PrerequisiteOption.group_pk) == PrerequisiteGroup.pk)
        .where(PrerequisiteOption.prerequisite_id == course_id)
    ).all()
    return [
        ("courses that need it as a prerequisite", list(dict.fromkeys([*all_of, *any_of]))),
        (
            "learners that completed, require, exclude or pin it",
            learners_naming(session, ("completed", "required", "excluded", "pinned"), course_id),
        ),
    ]


def delete_course(session: Session, course_id: str) -> None:
    course = stored(session, Course, course_id)
    refuse_if_referenced(f'course "{course_id}"', course_references(session, course_id))
    _replace_course_links(
        session,
        course_id,
        {"teaches": {}, "requires_skills": {}, "prerequisites": [], "prerequisites_any": []},
    )
    session.delete(course)
    commit(session)
