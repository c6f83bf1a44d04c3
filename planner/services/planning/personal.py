"""A learner's own plan ("Plan my path"): which curriculum to plan in, the personal
scenario, and which solve runs belong to whom.

Each learner has one stored scenario named `personal plan: <learner id>`; every click on
"Plan my path" rewrites its body from the learner's calibrated levels and queues a run.
A run belongs to a learner exactly when its scenario carries that name, so ownership needs
no extra column and a run id from someone else's URL never matches.

A learner without a curriculum still gets a plan: see `choose_curriculum`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlmodel import Session, col

from planner.models import (
    Course,
    CourseTeaches,
    Curriculum,
    Learner,
    PlanRecord,
    Role,
    RoleRequirement,
    ScenarioRecord,
    SolveRun,
    utcnow,
)
from planner.scenario import ScenarioError, dump_json
from planner.services import versions
from planner.services.assessment.calibrated import sync_learner_levels
from planner.services.assessment.profile import target_levels
from planner.services.planning import plans, words
from planner.services.scenarios.build import BuildError, scenario_from_db
from planner.services.scenarios.editor import PERSONAL_PREFIX

if TYPE_CHECKING:
    from markupsafe import Markup

    from planner.scenario import Plan
    from planner.services.planning.plans import GapRow, TermColumn
    from planner.services.planning.words import DiagnosisWords, GapWords

SCENARIO_NAME = PERSONAL_PREFIX + "{}"  # staff save paths refuse this prefix


class PlanError(ValueError):
    """The learner cannot be planned yet; the message says why, in plain words."""


def scenario_name(learner_id: str) -> str:
    return SCENARIO_NAME.format(learner_id)


# -- which curriculum -------------------------------------------------------------------------
@dataclass(frozen=True)
class CurriculumChoice:
    curriculum_id: str
    name: str
    enrolled: bool  # the learner's own curriculum (else a fallback, explained by `why`)
    coverage: float  # share of the role's weighted needed levels the courses can teach
    why: str


def choose_curriculum(session: Session, learner: Learner) -> CurriculumChoice:
    """The learner's own curriculum; without one, a fallback a learner can understand:

    1. candidates are the curricula where learners of the same role are planned (the
       seeded example learners, e.g. "entrant-digital"); if none, every curriculum;
    2. among them, the one whose courses can teach most of what the role needs
       (Σ weight·min(taught, needed) / Σ weight·needed);
    3. ties go to the first curriculum id, so the choice is stable between clicks.
    """
    needs = _weighted_needs(session, learner)
    cur = session.get(Curriculum, learner.curriculum_id) if learner.curriculum_id else None
    if cur is not None:
        return CurriculumChoice(
            cur.id, cur.name or cur.id, True, _coverage(session, cur.id, needs),
            f"your curriculum, {cur.name or cur.id}",
        )  # fmt: skip
    curricula = {c.id: c for c in session.scalars(select(Curriculum).order_by(col(Curriculum.id)))}
    if not curricula:
        raise PlanError("there is no curriculum to plan in yet; ask a staff member to add one.")
    peers = _role_curricula(session, learner) & set(curricula)
    candidates = sorted(peers or curricula)
    scored = [(-_coverage(session, cid, needs), cid) for cid in candidates]
    best = min(scored)[1]
    coverage = -min(scored)[0]
    cur = curricula[best]
    role = session.get(Role, learner.role_id) if learner.role_id else None
    role_name = (role.name or role.id) if role else "your role"
    where = (
        f"it is the programme learners in your role ({role_name}) are planned in"
        if peers
        else "no programme plans learners of your role yet"
    )
    why = (
        f"You are not enrolled in a curriculum, so this plan uses “{cur.name or cur.id}”: "
        f"{where}, and its courses can teach {round(100 * coverage)}% of the skill levels "
        f"your role needs"
        + (
            f" (of the {len(candidates)} that qualify it covers the most; ties go to the "
            "first by id)"
            if len(candidates) > 1
            else ""
        )
        + ". Ask a staff member to enrol you if you study elsewhere."
    )
    return CurriculumChoice(cur.id, cur.name or cur.id, False, coverage, why)


def _weighted_needs(session: Session, learner: Learner) -> dict[str, tuple[int, float]]:
    weights: dict[str, float] = {}
    if learner.role_id:
        weights = dict(
            session.execute(
                select(col(RoleRequirement.skill_id), col(RoleRequirement.weight)).where(
                    col(RoleRequirement.role_id) == learner.role_id
                )
            ).all()
        )
    targets = target_levels(session, learner.id)
    return {s: (level, weights.get(s, 1.0)) for s, level in targets.items() if level > 0}


def _role_curricula(session: Session, learner: Learner) -> set[str]:
    if not learner.role_id:
        return set()
    rows = session.scalars(
        select(col(Learner.curriculum_id)).where(
            col(Learner.role_id) == learner.role_id,
            col(Learner.curriculum_id).is_not(None),
            col(Learner.id) != learner.id,
        )
    ).all()
    return {cid for cid in rows if cid is not None}


def _coverage(session: Session, curriculum_id: str, needs: dict[str, tuple[int, float]]) -> float:
    if not needs:
        return 0.0
    taught = dict(
        session.execute(
            select(col(CourseTeaches.skill_id), func.max(CourseTeaches.level))
            .join(Course, col(Course.id) == CourseTeaches.course_id)
            .where(
                col(Course.curriculum_id) == curriculum_id,
                col(CourseTeaches.skill_id).in_(list(needs)),
            )
            .group_by(col(CourseTeaches.skill_id))
        ).all()
    )
    total = sum(w * level for level, w in needs.values())
    got = sum(w * min(taught.get(s, 0), level) for s, (level, w) in needs.items())
    return got / total if total else 0.0


# -- the personal scenario --------------------------------------------------------------------
def store_personal_scenario(
    session: Session, learner_id: str
) -> tuple[ScenarioRecord, CurriculumChoice]:
    """Write the learner's calibrated levels, build the one-learner scenario in the chosen
    curriculum and store it under the learner's personal name (flushes; caller commits)."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise PlanError(f"there is no learner {learner_id!r}.")
    if not learner.role_id and not target_levels(session, learner_id):
        raise PlanError("you have no target role yet; ask a staff member to set your role.")
    choice = choose_curriculum(session, learner)
    sync_learner_levels(session, learner_id)
    name = scenario_name(learner_id)
    try:
        scenario = scenario_from_db(
            session, curriculum_id=choice.curriculum_id, learner_ids=[learner_id], name=name
        )
    except (BuildError, ScenarioError) as exc:
        raise PlanError(str(exc)) from exc
    body = json.loads(dump_json(scenario))
    record = session.scalars(
        select(ScenarioRecord)
        .where(col(ScenarioRecord.name) == name)
        .order_by(col(ScenarioRecord.id))
    ).first()
    if record is None:
        record = ScenarioRecord(name=name, body=body)
        session.add(record)
    else:
        versions.claim(session, ScenarioRecord, record.id)  # a staff editor open on it is stale
        record.body = body
        record.updated_at = utcnow()  # plan pages cache a scenario by this stamp
    session.flush()
    return record, choice


# -- runs and plans the learner may see ------------------------------------------------------
def _record_id(session: Session, learner_id: str) -> int | None:
    return session.scalars(
        select(col(ScenarioRecord.id))
        .where(col(ScenarioRecord.name) == scenario_name(learner_id))
        .order_by(col(ScenarioRecord.id))
    ).first()


def personal_scenario_id(session: Session, learner_id: str) -> int | None:
    return _record_id(session, learner_id)


def latest_run(session: Session, learner_id: str) -> SolveRun | None:
    record_id = _record_id(session, learner_id)
    if record_id is None:
        return None
    return session.scalars(
        select(SolveRun)
        .where(col(SolveRun.scenario_id) == record_id)
        .order_by(col(SolveRun.id).desc())
    ).first()


def own_run(session: Session, learner_id: str, run_id: int) -> SolveRun | None:
    """The run, only if it is one of this learner's personal runs (else None: a 404)."""
    run = session.get(SolveRun, run_id)
    if run is None or run.scenario_id != _record_id(session, learner_id):
        return None
    return run


def own_plan_id(session: Session, learner_id: str, run: SolveRun) -> int | None:
    """The plan the run stored, if the run is the learner's and produced one."""
    if run.plan_id is None or run.scenario_id != _record_id(session, learner_id):
        return None
    scenario_id = session.scalars(
        select(col(PlanRecord.scenario_id)).where(col(PlanRecord.id) == run.plan_id)
    ).first()
    return run.plan_id if scenario_id == run.scenario_id else None


# -- the learner's view of a finished run --------------------------------------------------
@dataclass
class PersonalResult:
    """What the learner's plan page shows for a run that stored a plan."""

    plan: Plan
    grid: list[TermColumn]
    gaps: list[GapRow]
    words: GapWords
    radar: Markup | None
    diagnosis: DiagnosisWords | None
    cost: float
    credits: float


def personal_result(session: Session, learner_id: str, run: SolveRun) -> PersonalResult | None:
    """Grid, gaps, radar and (when infeasible) the diagnosis in words — built with the
    same services as the staff plan page, for this learner's own run only."""
    plan_id = own_plan_id(session, learner_id, run)
    if plan_id is None:
        return None
    plan = plans.plan_model(session, plan_id)
    catalog = plans.catalog_for(session, run.scenario_id)
    if catalog is None:  # the scenario was deleted meanwhile
        return None
    rows = plans.gap_rows(catalog, plan, learner_id)
    diagnosis = None
    if plan.diagnosis is not None:
        constraints = (
            session.scalars(
                select(col(ScenarioRecord.body)).where(col(ScenarioRecord.id) == run.scenario_id)
            )
            .one()
            .get("constraints", {})
        )
        diagnosis = words.diagnosis_words(catalog, constraints, plan.diagnosis, learner_id)
    mine = plan.learner(learner_id)
    grid = plans.term_grid(catalog, plan, learner_id)  # fresh objects: safe to reword
    for column in grid:
        for card in column.cards:
            card.reason = words.learner_reason(card.reason, catalog, learner_id)
    return PersonalResult(
        plan=plan,
        grid=grid,
        gaps=rows,
        words=words.gap_words(rows),
        radar=plans.radar_svg(catalog, rows) if len(rows) >= 1 else None,
        diagnosis=diagnosis,
        cost=mine.cost if mine else 0.0,
        credits=mine.credits if mine else 0.0,
    )
