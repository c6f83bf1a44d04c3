"""Skills and their level descriptors (what each level 0-4 of a skill means)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from planner.models import (
    Assessment,
    CourseRequiresSkill,
    CourseTeaches,
    LearnerLevel,
    LearnerTarget,
    LevelDescriptor,
    RoleRequirement,
    Skill,
    SkillArea,
)
from planner.services.catalog.edits import (
    LEVELS,
    commit,
    id_name_choices,
    refuse_if_referenced,
    row_to_save,
    start_edit,
    stored,
)


def skill_choices(session: Session) -> list[tuple[str, str]]:
    return id_name_choices(session, Skill)


def all_skills(session: Session) -> list[Skill]:
    return list(session.exec(select(Skill).order_by(col(Skill.id))))


def level_descriptors(session: Session, skill_ids: list[str]) -> dict[str, list[str]]:
    """Per skill, the five descriptor texts, level 0 first ("" where none is stored)."""
    texts = {s: [""] * len(LEVELS) for s in skill_ids}
    rows = session.exec(select(LevelDescriptor).where(col(LevelDescriptor.skill_id).in_(skill_ids)))
    for row in rows:
        texts[row.skill_id][row.level] = row.text
    return texts


def descriptors(session: Session, skill_id: str) -> list[str]:
    """The five descriptor texts of one skill, level 0 first."""
    return level_descriptors(session, [skill_id])[skill_id]


def skill_data(session: Session, skill: Skill) -> dict:
    """The skill as its edit form takes it (what `save_skill` accepts)."""
    return {
        "id": skill.id,
        "name": skill.name,
        "name_zh": skill.name_zh,
        "area_id": skill.area_id,
        "descriptors": descriptors(session, skill.id),
    }


def save_skill(session: Session, data: dict, existing_id: str | None = None) -> Skill:
    errors, data = start_edit(session, Skill, "skill", data, existing_id)
    area_id = data.get("area_id") or None
    if area_id and session.get(SkillArea, area_id) is None:
        errors.add("area_id", f'unknown skill area "{area_id}"')
    texts = list(data.get("descriptors") or [])
    if len(texts) != len(LEVELS):
        errors.add("descriptors", "give one descriptor per level 0-4")
    errors.raise_if_any()
    skill = row_to_save(session, Skill, existing_id, data["id"])
    skill.name = (data.get("name") or "").strip()
    skill.name_zh = (data.get("name_zh") or "").strip()
    skill.area_id = area_id
    session.add(skill)
    session.flush()
    session.exec(delete(LevelDescriptor).where(col(LevelDescriptor.skill_id) == skill.id))
    for level, text in enumerate(texts):
        if text and text.strip():
            session.add(LevelDescriptor(skill_id=skill.id, level=level, text=text.strip()))
    commit(session)
    return skill


def skill_references(session: Session, skill_id: str) -> list[tuple[str, list[str]]]:
    def ids(owner: Any, skill: Any) -> list[str]:
        return list(dict.fromkeys(session.exec(select(owner).where(skill == skill_id)).all()))

    return [
        ("roles", ids(RoleRequirement.role_id, RoleRequirement.skill_id)),
        ("courses teaching it", ids(CourseTeaches.course_id, CourseTeaches.skill_id)),
        ("courses requiring it", ids(CourseRequiresSkill.course_id, CourseRequiresSkill.skill_id)),
        ("learner levels of", ids(LearnerLevel.learner_id, LearnerLevel.skill_id)),
        ("learner targets of", ids(LearnerTarget.learner_id, LearnerTarget.skill_id)),
        ("assessments of", ids(Assessment.learner_id, Assessment.skill_id)),
    ]


def delete_skill(session: Session, skill_id: str) -> None:
    skill = stored(session, Skill, skill_id)
    refuse_if_referenced(f'skill "{skill_id}"', skill_references(session, skill_id))
    session.exec(delete(LevelDescriptor).where(col(LevelDescriptor.skill_id) == skill_id))
    session.delete(skill)
    commit(session)
