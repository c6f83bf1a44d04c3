"""One entry point per catalog kind, for the catalog pages and the API: a row as its edit
form takes it, save (with the stale-edit check), delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from sqlmodel import Session, SQLModel

from planner.services import versions
from planner.services.catalog import areas, calendars, courses, learners, roles, skills
from planner.services.catalog.search import KINDS


class Entry(NamedTuple):
    """How one kind is loaded into its form, saved and deleted."""

    data: Callable[[Session, Any], dict]
    save: Callable[[Session, dict, str | None], SQLModel]
    delete: Callable[[Session, str], None]


ENTRIES = {
    "areas": Entry(areas.area_data, areas.save_area, areas.delete_area),
    "skills": Entry(skills.skill_data, skills.save_skill, skills.delete_skill),
    "roles": Entry(roles.role_data, roles.save_role, roles.delete_role),
    "courses": Entry(courses.course_dict, courses.save_course, courses.delete_course),
    "calendars": Entry(calendars.calendar_data, calendars.save_calendar, calendars.delete_calendar),
    "learners": Entry(learners.learner_data, learners.save_learner, learners.delete_learner),
}


def form_data(session: Session, kind: str, row: Any) -> dict:
    """`row` as its edit form takes it: what `save` accepts back."""
    return ENTRIES[kind].data(session, row)


def reload(session: Session, row: Any) -> Any:
    """`row` as stored now (another editor may have saved it meanwhile)."""
    session.refresh(row)
    return row


def save(
    session: Session,
    kind: str,
    data: dict,
    existing_id: str | None = None,
    version: object = versions.ANY,
) -> Any:
    """Create, or update `existing_id` if its edit version is still `version` (the one the
    editor was opened at; raises versions.StaleEdit otherwise, before anything is written)."""
    if existing_id is not None:
        versions.claim(session, KINDS[kind][0], existing_id, version)
    return ENTRIES[kind].save(session, data, existing_id)


def remove(session: Session, kind: str, item_id: str) -> None:
    ENTRIES[kind].delete(session, item_id)
