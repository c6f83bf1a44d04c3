"""Roles: the skill levels (and their weights) a job needs."""

from __future__ import annotations

import math

from sqlalchemy import delete
from sqlmodel import Session, col, select

from planner.models import Learner, Role, RoleRequirement, Skill
from planner.services.catalog.edits import (
    all_ids,
    commit,
    id_name_choices,
    level_rows,
    refuse_if_referenced,
    row_to_save,
    start_edit,
    stored,
)


def role_choices(session: Session) -> list[tuple[str, str]]:
    return id_name_choices(session, Role)


def requirements(session: Session, role_id: str) -> list[RoleRequirement]:
    stmt = select(RoleRequirement).where(RoleRequirement.role_id == role_id)
    return list(session.exec(stmt.order_by(col(RoleRequirement.skill_id))))


def role_data(session: Session, role: Role) -> dict:
    """The role as its edit form takes it (what `save_role` accepts)."""
    return {
        "id": role.id,
        "name": role.name,
        "name_zh": role.name_zh,
        "requirements": [
            {"skill": r.skill_id, "level": r.level, "weight": r.weight}
            for r in requirements(session, role.id)
        ],
    }


def save_role(session: Session, data: dict, existing_id: str | None = None) -> Role:
    errors, data = start_edit(session, Role, "role", data, existing_id)
    skills = all_ids(session, Skill)
    rows = []
    given = data.get("requirements") or []
    for i, skill, level, row in level_rows(given, "requirements", errors, skills):
        weight = row.get("weight")
        weight = 1.0 if weight in (None, "") else weight
        if not isinstance(weight, int | float) or weight < 0 or not math.isfinite(weight):
            errors.add(f"requirements[{i}].weight", "weight cannot be negative")
            continue
        rows.append((skill, level, float(weight)))
    errors.raise_if_any()
    role = row_to_save(session, Role, existing_id, data["id"])
    role.name = (data.get("name") or "").strip()
    role.name_zh = (data.get("name_zh") or "").strip()
    session.add(role)
    session.flush()
    session.exec(delete(RoleRequirement).where(col(RoleRequirement.role_id) == role.id))
    for skill, level, weight in rows:
        session.add(RoleRequirement(role_id=role.id, skill_id=skill, level=level, weight=weight))
    commit(session)
    return role


def delete_role(session: Session, role_id: str) -> None:
    role = stored(session, Role, role_id)
    learners = session.exec(select(Learner.id).where(Learner.role_id == role_id)).all()
    refuse_if_referenced(f'role "{role_id}"', [("learners", list(learners))])
    session.exec(delete(RoleRequirement).where(col(RoleRequirement.role_id) == role_id))
    session.delete(role)
    commit(session)
