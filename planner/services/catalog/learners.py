"""Learners: a person or a group of alike people (`count`), their role or personal targets,
stated skill levels, courses done/required/excluded/pinned, terms, budget and credit limits."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from planner.models import (
    Assessment,
    Course,
    Curriculum,
    Learner,
    LearnerLevel,
    LearnerTarget,
    Role,
    Skill,
    User,
)
from planner.scenario import GAP_MODES
from planner.services.catalog.calendars import terms_in_order
from planner.services.catalog.edits import (
    add_scenario_problems,
    all_ids,
    commit,
    level_rows,
    non_negative,
    refuse_if_referenced,
    row_to_save,
    scenario_problems,
    start_edit,
    stored,
)

# What the edit form shows besides the level rows, in its order.
LEARNER_FIELDS = (
    "id", "name", "role_id", "curriculum_id", "team", "count", "budget", "max_credits",
    "gap_mode", "terms", "completed", "required", "excluded", "pinned",
)  # fmt: skip


def all_learners(session: Session) -> list[Learner]:
    return list(session.exec(select(Learner).order_by(col(Learner.id))))


def learner_levels(session: Session, learner_id: str) -> tuple[dict[str, int], dict[str, int]]:
    levels = session.exec(select(LearnerLevel).where(LearnerLevel.learner_id == learner_id))
    targets = session.exec(select(LearnerTarget).where(LearnerTarget.learner_id == learner_id))
    return (
        {r.skill_id: r.level for r in levels},
        {r.skill_id: r.level for r in targets},
    )


def learner_data(session: Session, learner: Learner) -> dict:
    """The learner as its edit form takes it (what `save_learner` accepts)."""
    data = {f: getattr(learner, f) for f in LEARNER_FIELDS}
    data["levels"], data["target"] = learner_levels(session, learner.id)
    return data


def _learner_scenario(session: Session, learner: dict) -> dict:
    """Only what the learner names, so the check stays small on a 10,000-course catalog."""
    named_courses = set(learner.get("completed", [])) | set(learner.get("required", []))
    named_courses |= set(learner.get("excluded", [])) | set(learner.get("pinned", {}))
    known = set(session.exec(select(Course.id).where(col(Course.id).in_(named_courses))).all())
    terms: dict[str, dict] = {}
    for t in terms_in_order(session):
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
    errors, data = start_edit(session, Learner, "learner", data, existing_id)
    non_negative(data, ("budget", "max_credits"), errors)
    count = data.get("count")
    if not isinstance(count, int) or count < 1:
        errors.add("count", "must be a whole number of at least 1")
        count = 0  # never stored: the errors are raised below
    if (data.get("gap_mode") or None) not in (None, *GAP_MODES):
        errors.add("gap_mode", 'must be "minimise" or "close"')
    skills = all_ids(session, Skill)
    given_levels = list(data.get("levels") or [])
    given_targets = list(data.get("target") or [])
    levels = {s: lv for _, s, lv, _ in level_rows(given_levels, "levels", errors, skills)}
    target = {s: lv for _, s, lv, _ in level_rows(given_targets, "target", errors, skills)}
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
    problems = scenario_problems(_learner_scenario(session, learner), "learners[0]")
    rows = {"levels": given_levels, "target": given_targets}
    add_scenario_problems(errors, problems, rows, renamed={"role": "role_id"})
    if data.get("curriculum_id") and session.get(Curriculum, data["curriculum_id"]) is None:
        errors.add("curriculum_id", f'unknown curriculum "{data["curriculum_id"]}"')
    errors.raise_if_any()

    row = row_to_save(session, Learner, existing_id, data["id"])
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
    session.exec(delete(LearnerLevel).where(col(LearnerLevel.learner_id) == row.id))
    session.exec(delete(LearnerTarget).where(col(LearnerTarget.learner_id) == row.id))
    for skill, level in levels.items():
        session.add(LearnerLevel(learner_id=row.id, skill_id=skill, level=level))
    for skill, level in target.items():
        session.add(LearnerTarget(learner_id=row.id, skill_id=skill, level=level))
    commit(session)
    return row


def delete_learner(session: Session, learner_id: str) -> None:
    learner = stored(session, Learner, learner_id)
    accounts = session.exec(select(User.username).where(User.learner_id == learner_id)).all()
    refuse_if_referenced(f'learner "{learner_id}"', [("the sign-in account", list(accounts))])
    for model in (LearnerLevel, LearnerTarget, Assessment):
        session.exec(delete(model).where(col(model.learner_id) == learner_id))
    session.delete(learner)
    commit(session)
