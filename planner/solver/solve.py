"""Lexicographic solving in stages: minimise each objective component in the scenario's
order, fix its optimum (or, if only feasible in time, its best value as an upper limit),
hint the solution to the next stage. Reports are recomputed exactly from the schedule."""

import math
import threading
import time
from collections.abc import Sequence
from typing import Any

from ortools.sat.python import cp_model

from planner.scenario import Plan, Scenario
from planner.scenario.models import ObjectiveName, Status
from planner.solver.check import sections_needed
from planner.solver.diagnose import diagnose
from planner.solver.greedy import greedy_plan
from planner.solver.model import Context
from planner.solver.objective import Expr, Fused, expressions, fuse
from planner.solver.plan import plan_from_schedules, values_of
from planner.solver.rules import add_all, lin
from planner.solver.search import (
    ProgressFn,
    clamp_workers,
    clear_hints,
    hint_solution,
    is_small,
    run_model,
)

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}


class _Watch(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions and stops the search when asked to."""

    def __init__(
        self,
        name: str | None,
        expr: Expr | Fused | None,
        t0: float,
        progress: ProgressFn | None,
        stop: threading.Event | None,
    ) -> None:
        super().__init__()
        self.name, self.expr, self.t0 = name, expr, t0
        self.progress, self.stop = progress, stop

    def on_solution_callback(self) -> None:
        if self.stop is not None and self.stop.is_set():
            self.stop_search()
        if self.progress is not None and self.expr is not None:
            units = self.expr.units
            self.progress(
                {
                    "stage": self.name,
                    "objective": units(self.objective_value),
                    "bound": units(self.best_objective_bound),
                    "elapsed_s": round(time.monotonic() - self.t0, 3),
                }
            )


def solve(
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> Plan:
    limit = time_limit_s if time_limit_s is not None else scenario.options.time_limit_s
    workers = clamp_workers(workers if workers is not None else scenario.options.workers)
    if len(scenario.learners) > 1 and independent(scenario):
        return _solve_apart(scenario, limit, workers, progress, stop)
    return _solve_joint(scenario, limit, workers, progress, stop)


def independent(scenario: Scenario) -> bool:
    """True when no rule ties one learner's plan to another's: no scenario budget, no
    session cost (sections are shared and paid once) and no section limit that the
    whole scenario's head count could reach. Then every rule is about one learner and
    each component is a sum over learners, so the lexicographic optimum is every
    learner's own lexicographic optimum (a learner worse on a component could be
    swapped for its own optimum without changing anyone else)."""
    if scenario.constraints.budget is not None:
        return False
    people = sum(lr.count for lr in scenario.learners)
    for course in scenario.courses:
        if course.session_cost:
            return False
        if course.max_sections < sections_needed(people, course.capacity):
            return False
    return True


def _solve_apart(
    scenario: Scenario,
    limit: float,
    workers: int,
    progress: ProgressFn | None,
    stop: threading.Event | None,
) -> Plan:
    """Each learner solved as its own scenario (see `independent`), in turn, sharing the
    time left evenly among those still to come; the plans are put together and their
    objective recomputed exactly."""
    t0 = time.monotonic()
    deadline = t0 + limit
    names = list(scenario.objective)
    subs: list[Plan] = []
    n = len(scenario.learners)
    for i, learner in enumerate(scenario.learners):
        left = max(deadline - time.monotonic(), 0.001)
        if stop is not None and stop.is_set():
            break
        sub = scenario.model_copy(update={"learners": [learner]})
        report: ProgressFn | None = None
        if progress is not None:

            def learner_progress(
                info: dict[str, Any],
                lid: str = learner.id,
                done: int = i,
                progress: ProgressFn = progress,
            ) -> None:
                # One learner's numbers are not the scenario's: say how far it got only.
                progress(
                    {
                        "stage": info.get("stage"),
                        "objective": None,
                        "bound": None,
                        "elapsed_s": round(time.monotonic() - t0, 3),
                        "learner": lid,
                        "learners_done": done,
                    }
                )

            report = learner_progress

        plan = _solve_joint(sub, left / (n - i), workers, report, stop, diagnose_it=False)
        if plan.status == "INFEASIBLE":  # then so is the whole scenario: diagnose it
            left = max(deadline - time.monotonic(), min(limit, 1.0))
            plan.diagnosis = diagnose(scenario, time_limit_s=left, workers=workers, stop=stop)
            plan.scenario = scenario.name
            plan.stats["solve_time_s"] = round(time.monotonic() - t0, 3)
            return plan
        if plan.status == "UNKNOWN":
            if stop is not None and stop.is_set():
                break
            # Out of time on this learner: the joint model (with its greedy start on large
            # models) decides what is returned, as without the split.
            return _solve_joint(scenario, deadline - time.monotonic(), workers, progress, stop)
        subs.append(plan)
    stats: dict[str, Any] = {
        "solve_time_s": None,
        "solver": "cp-sat",
        "learners_apart": n,
        "workers": workers,
        "time_limit_s": limit,
        "variables": sum(p.stats.get("variables", 0) for p in subs),
        "constraints": sum(p.stats.get("constraints", 0) for p in subs),
        "stages": _merged_stages(names, subs),
    }
    for p in subs:
        if "rounded_values" in p.stats:
            stats["rounded_values"] = stats.get("rounded_values", []) + p.stats["rounded_values"]
            stats["rounding"] = p.stats["rounding"]
    if len(subs) < n:  # stopped or out of time before every learner had a plan
        stats["solve_time_s"] = round(time.monotonic() - t0, 3)
        return Plan(scenario=scenario.name, status="UNKNOWN", stats=stats)
    plan = plan_from_schedules(scenario, {p.learners[0].id: p.learners[0].schedule for p in subs})
    plan.status = "OPTIMAL" if all(p.status == "OPTIMAL" for p in subs) else "FEASIBLE"
    plan.bound = _merged_bounds(names, subs, plan)
    stats["solve_time_s"] = round(time.monotonic() - t0, 3)
    plan.stats = stats
    if progress is not None:
        for name in names:
            progress(
                {
                    "stage": name,
                    "objective": values_of(plan)[name],
                    "bound": (plan.bound or {}).get(name),
                    "elapsed_s": stats["solve_time_s"],
                }
            )
    return plan


def _merged_bounds(
    names: list[ObjectiveName], subs: list[Plan], plan: Plan
) -> dict[ObjectiveName, float]:
    """Σ of the learners' bounds of a component, while every learner has proven each
    earlier one (otherwise plans equal on the earlier sums may differ per learner)."""
    out: dict[ObjectiveName, float] = {}
    bounds = [p.bound or {} for p in subs]
    for name in names:
        if not all(name in b for b in bounds):
            break
        out[name] = min(sum(b[name] for b in bounds), values_of(plan)[name])
        if not all(b[name] >= values_of(p)[name] for b, p in zip(bounds, subs, strict=True)):
            break
    return out


def _merged_stages(names: list[ObjectiveName], subs: list[Plan]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        rows = [st for p in subs for st in p.stats.get("stages", []) if st["objective"] == name]
        if len(rows) < len(subs):
            break
        statuses = {r["status"] for r in rows}
        out.append(
            {
                "objective": name,
                "status": statuses.pop() if len(statuses) == 1 else "FEASIBLE",
                "time_s": round(sum(r["time_s"] for r in rows), 3),
                "learners": len(rows),
            }
        )
    return out


def _solve_joint(
    scenario: Scenario,
    limit: float,
    workers: int,
    progress: ProgressFn | None,
    stop: threading.Event | None,
    diagnose_it: bool = True,
) -> Plan:
    t0 = time.monotonic()
    deadline = t0 + limit

    ctx = add_all(Context(scenario))
    exprs = expressions(ctx)
    start = _greedy_start(scenario, ctx)
    names = list(scenario.objective)
    # Consecutive components fused into one exactly lexicographic weighted sum when their
    # ranges allow (objective.fuse): one search instead of one per component.
    stages: list[Expr | Fused | None] = [*fuse(ctx, [exprs[n] for n in names])] or [None]
    small = is_small(ctx)
    solution: list[int] | None = None
    proven = True
    bounds: dict[ObjectiveName, int] = {}
    stage_stats: list[dict[str, Any]] = []
    final_status: Status | None = None

    for k, expr in enumerate(stages):
        name = expr.name if expr is not None else None
        parts = [] if expr is None else expr.parts if isinstance(expr, Fused) else [expr]
        bound: int | None
        remaining = deadline - time.monotonic()
        if (stop is not None and stop.is_set()) or remaining <= 0:
            proven = False
            break
        started = time.monotonic()
        if solution is not None and expr is not None and expr.value(solution) == expr.lower():
            # The previous plan already meets this component's trivial bound: optimal.
            status, bound = cp_model.OPTIMAL, expr.lower()
            skipped = True
        else:
            skipped = False
            if expr is None:
                ctx.m.clear_objective()  # type: ignore[no-untyped-call]  # unannotated in ortools
            else:
                ctx.m.minimize(lin(expr.pairs) + expr.constant)
            if solution is not None:
                hint_solution(ctx.m, solution)
            elif start is not None:
                _hint_plan(ctx, start)
            watch = _Watch(name, expr, t0, progress, stop)
            solver, status = run_model(
                ctx.m, time_s=remaining, workers=workers, stop=stop, callback=watch, small=small
            )
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                solution = list(solver.response_proto.solution)
            elif k == 0 and start is not None and status != cp_model.INFEASIBLE:
                proven = False  # out of time before any plan: the greedy one stands
                stage_stats.append(_stage_stat(name, status, None, None, started))
                if expr is not None:
                    raw = _int_bound(solver.best_objective_bound)
                    if raw is not None:
                        lead = parts[0]
                        if isinstance(expr, Fused):
                            raw = expr.first(raw)
                        bounds[lead.name] = max(raw, lead.lower())
                break
            elif k == 0:
                final_status = "INFEASIBLE" if status == cp_model.INFEASIBLE else "UNKNOWN"
                if status == cp_model.MODEL_INVALID:
                    raise RuntimeError(f"invalid CP-SAT model: {ctx.m.validate()}")
                stage_stats.append(_stage_stat(name, status, None, None, started))
                break
            bound = _int_bound(solver.best_objective_bound) if expr is not None else None
        if expr is None:
            stage_stats.append(_stage_stat(name, status, None, None, started))
            continue
        assert solution is not None  # a stage that did not stop the loop found a plan
        value = expr.value(solution)
        if bound is not None:
            bound = max(bound, expr.lower())  # CP-SAT may stop before its first LP
        if status == cp_model.OPTIMAL:
            # Every fused component is at its lexicographic optimum (the sum decodes
            # uniquely), so each is fixed on its own: tighter for the next stage.
            for part in parts:
                v = part.value(solution)
                bounds[part.name] = v
                ctx.m.add(lin(part.pairs) + part.constant == v)
        else:
            proven = False
            bound = min(bound, value) if bound is not None else None
            ctx.m.add(lin(expr.pairs) + expr.constant <= value)
            if bound is not None:  # only the first component's bound holds over all plans
                lead = parts[0]
                low = expr.first(bound) if isinstance(expr, Fused) else bound
                bounds[lead.name] = min(max(low, lead.lower()), lead.value(solution))
        elapsed = time.monotonic() - started
        for i, part in enumerate(parts):
            v = part.value(solution)
            stat = _stage_stat(part.name, status, v, bounds.get(part.name), started, part, skipped)
            if len(parts) > 1:
                stat["time_s"] = round(elapsed, 3) if i == 0 else 0.0
                stat["fused"] = name
            stage_stats.append(stat)
            if progress is not None:
                b = bounds.get(part.name)
                progress(
                    {
                        "stage": part.name,
                        "objective": part.units(v),
                        "bound": part.units(b) if b is not None else None,
                        "elapsed_s": round(time.monotonic() - t0, 3),
                    }
                )
            if status != cp_model.OPTIMAL:
                break  # later fused components: no bound, reported with the next stage
        if status != cp_model.OPTIMAL and stop is not None and stop.is_set():
            break

    stats: dict[str, Any] = {
        "solve_time_s": None,
        "solver": "cp-sat",
        "stages": stage_stats,
        "workers": workers,
        "time_limit_s": limit,
        "variables": len(ctx.m.proto.variables),
        "constraints": len(ctx.m.proto.constraints),
    }
    if ctx.rounded:
        # Sums too large for exact scaling: values rounded so every plan found is valid,
        # but the optimum may have moved (so never OPTIMAL, no bounds) and "infeasible"
        # may be the rounding's doing (so it is re-checked with outward rounding).
        stats["rounded_values"] = ctx.rounded
        stats["rounding"] = "values rounded to fit int64: optimality not claimed"
        if final_status == "INFEASIBLE" and not _outward_infeasible(
            scenario, deadline, workers, stop
        ):
            final_status = "UNKNOWN"
            stats["rounding"] = "infeasible only after rounding; the outward check found no proof"

    if final_status is None and solution is None and start is None:
        final_status = "UNKNOWN"  # stopped or out of time before the first stage ran
    if final_status is not None:
        diagnosis = None
        if final_status == "INFEASIBLE" and diagnose_it:
            left = max(deadline - time.monotonic(), min(limit, 1.0))
            diagnosis = diagnose(scenario, time_limit_s=left, workers=workers, stop=stop)
        stats["solve_time_s"] = round(time.monotonic() - t0, 3)
        return Plan(scenario=scenario.name, status=final_status, diagnosis=diagnosis, stats=stats)

    plan: Plan | None = None
    if solution is not None:
        plan = plan_from_schedules(scenario, schedules_from(ctx, solution))
    if start is not None and (plan is None or _lex(scenario, start) < _lex(scenario, plan)):
        # Out of time with a plan worse than the greedy one: return that instead. Only the
        # first component's bound holds over all plans, so only it is kept.
        plan = plan_from_schedules(scenario, {lp.id: lp.schedule for lp in start.learners})
        first = names[0]
        bounds = {first: bounds[first]} if first in bounds else {}
        proven = False
        stats["start"] = "greedy plan kept: the search found no better one in time"
    assert plan is not None  # the search found one, or the greedy one stands
    if ctx.rounded:
        proven = False
        bounds = {}  # a bound of the rounded model is not one of the scenario's
    plan.status = "OPTIMAL" if proven and len(stage_stats) == len(names or [None]) else "FEASIBLE"
    plan.bound = _bounds_in_units(plan, exprs, bounds)
    stats["solve_time_s"] = round(time.monotonic() - t0, 3)
    plan.stats = stats
    return plan


def _outward_infeasible(
    scenario: Scenario, deadline: float, workers: int, stop: threading.Event | None
) -> bool:
    """Is the scenario infeasible even with every rounding in its favour (a proof)?"""
    ctx = add_all(Context(scenario, outward=True))
    left = max(deadline - time.monotonic(), 1.0)
    _, status = run_model(ctx.m, time_s=left, workers=workers, stop=stop)
    return status == cp_model.INFEASIBLE


# From this many take variables on, the search may run out of time before its first plan
# (presolve alone takes seconds), so the greedy plan is computed first: it hints the first
# stage and is returned if the search ends with nothing better. Below it, CP-SAT is faster.
GREEDY_START_VARS = 5000


def _greedy_start(scenario: Scenario, ctx: Context) -> Plan | None:
    if not scenario.objective or sum(1 for _ in ctx.all_take_vars()) < GREEDY_START_VARS:
        return None
    plan = greedy_plan(scenario)
    if plan.status != "FEASIBLE":
        return None
    # Keep only the courses the model has variables for: the rest can be dropped from a
    # valid plan without breaking a rule or worsening any component (see
    # model._useful_courses), and then the plan is a complete hint for the model.
    schedules: dict[str, dict[str, list[str]]] = {}
    for info, lp in zip(ctx.learners, plan.learners, strict=True):
        schedules[lp.id] = {
            tid: [c for c in courses if tid in info.take.get(c, {})]
            for tid, courses in lp.schedule.items()
        }
    return plan_from_schedules(scenario, schedules)


def _hint_plan(ctx: Context, plan: Plan) -> None:
    """Hint every variable from a valid plan: a complete, feasible hint is taken as the
    first solution right after presolve (an incomplete one is mostly lost)."""
    clear_hints(ctx.m)
    by_id = {lp.id: lp for lp in plan.learners}
    for info in ctx.learners:
        lp = by_id[info.learner.id]
        chosen = {(cid, tid) for tid, courses in lp.schedule.items() for cid in courses}
        for cid, by_term in info.take.items():
            for tid, var in by_term.items():
                ctx.m.add_hint(var, (cid, tid) in chosen)
            ctx.m.add_hint(info.taken[cid], any((cid, t) in chosen for t in by_term))
        for (skill, level), lit in info.reach.items():
            ctx.m.add_hint(lit, lp.final_levels.get(skill, 0) >= level)
    opened = {(sp.course, sp.term): sp.sections for sp in plan.sections}
    for key, var in ctx.sections.items():
        ctx.m.add_hint(var, opened.get(key, 0))


def _lex(scenario: Scenario, plan: Plan) -> tuple[float, ...]:
    return tuple(values_of(plan)[n] for n in scenario.objective)


def _int_bound(raw: float | None) -> int | None:
    if raw is None or not math.isfinite(raw):
        return None
    return math.ceil(raw - 1e-6)  # objectives are integral, so round the bound up


def _stage_stat(
    name: str | None,
    status: cp_model.CpSolverStatus,
    value: int | None,
    bound: int | None,
    started: float,
    expr: Expr | None = None,
    skipped: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "objective": name,
        "status": STATUS_NAMES.get(status, str(status)),
        "time_s": round(time.monotonic() - started, 3),
    }
    if expr is not None and value is not None:
        out["value"] = expr.units(value)
        out["bound"] = expr.units(bound) if bound is not None else None
    if skipped:
        out["skipped"] = "the previous plan already meets the trivial bound"
    return out


def _bounds_in_units(
    plan: Plan, exprs: dict[ObjectiveName, Expr], bounds: dict[ObjectiveName, int]
) -> dict[ObjectiveName, float]:
    # An optimal stage's bound is the plan's exact value; a bound never exceeds the value.
    return {n: min(exprs[n].units(b), values_of(plan)[n]) for n, b in bounds.items()}


def schedules_from(ctx: Context, solution: Sequence[int]) -> dict[str, dict[str, list[str]]]:
    order = {c.id: i for i, c in enumerate(ctx.s.courses)}
    out = {}
    for info in ctx.learners:
        schedule = {}
        for tid in info.own_terms:
            taken = [cid for cid, var in info.in_term[tid].items() if solution[var.index]]
            schedule[tid] = sorted(taken, key=order.__getitem__)
        out[info.learner.id] = schedule
    return out
