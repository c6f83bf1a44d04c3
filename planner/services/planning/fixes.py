"""Applying a ranked fix of an infeasible plan's diagnosis: a COPY of its scenario with the
fix applied is stored (the original stays as it was), ready to be solved."""

from __future__ import annotations

import json

from sqlmodel import Session

from planner.models import ScenarioRecord
from planner.scenario import dump_json, parse_scenario
from planner.scenario.models import Fix
from planner.services.planning import plans
from planner.services.planning.jobs import JobRunner, inserted_id
from planner.services.scenarios import editor


def fix_of(session: Session, plan_id: int, index: int) -> Fix | None:
    """The plan's fix number `index` (from 0); None when its diagnosis has no such fix."""
    plan = plans.plan_model(session, plan_id)
    fixes = plan.diagnosis.fixes if plan.diagnosis else []
    return fixes[index] if 0 <= index < len(fixes) else None


def fixed_copy(
    session: Session, scenario_id: int, fix: Fix, runner: JobRunner, user_id: int | None
) -> int:
    """Store a copy of the scenario with `fix` applied, named "<name> — <what it changes>";
    its id.

    The user's solve limits are checked first (LimitReached), so a copy that could not be
    solved is never stored; ScenarioError when the fixed copy is not a valid scenario. The
    caller commits, then solves the copy."""
    from planner.solver.diagnose import apply_fix, clip, fix_title  # late: needs OR-Tools

    runner.check_solve_limits(user_id)
    record = session.get(ScenarioRecord, scenario_id)
    if record is None:
        raise LookupError(f"no scenario with id {scenario_id}")
    original = parse_scenario(record.body)
    body = json.loads(dump_json(apply_fix(original, fix)))
    # "<name> — credits per term 12": short, readable, never cut mid-word.
    base = clip(editor.unreserved(record.name), 60)
    body["name"] = f"{base} — {fix_title(original, fix)}"
    return inserted_id(session, editor.save_new(session, body))
