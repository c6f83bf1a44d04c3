"""Skill areas: the groups skills belong to."""

from __future__ import annotations

from sqlmodel import Session, select

from planner.models import Skill, SkillArea
from planner.services.catalog.edits import (
    commit,
    id_name_choices,
    refuse_if_referenced,
    row_to_save,
    start_edit,
    stored,
)


def area_choices(session: Session) -> list[tuple[str, str]]:
    return id_name_choices(session, SkillArea)


def area_data(session: Session, area: SkillArea) -> dict:
    """The area as its edit form takes it (what `save_area` accepts)."""
    return {"id": area.id, "name": area.name, "name_zh": area.name_zh}


def save_area(session: Session, data: dict, existing_id: str | None = None) -> SkillArea:
    errors, data = start_edit(session, SkillArea, "skill area", data, existing_id)
    errors.raise_if_any()
    area = row_to_save(session, SkillArea, existing_id, data["id"])
    area.name = (data.get("name") or "").strip()
    area.name_zh = (data.get("name_zh") or "").strip()
    session.add(area)
    commit(session)
    return area


def delete_area(session: Session, area_id: str) -> None:
    area = stored(session, SkillArea, area_id)
    skills = session.exec(select(Skill.id).where(Skill.area_id == area_id)).all()
    refuse_if_referenced(f'skill area "{area_id}"', [("skills", list(skills))])
    session.delete(area)
    commit(session)
