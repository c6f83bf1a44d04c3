"""Lexicographic solving in stages: minimise each objective component in the scenario's
order, fix its optimum (or, if only feasible in time, its best value as an upper limit),
hint the solution to the next stage. Reports are recomputed exactly from the schedule."""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.scenario import LearnerPlan, Plan, Scenario, SectionPlan
from planner.solver.explain import reasons_for
from planner.solver.model import Context
from planner.solver.objective import Expr, evaluate, expressions
from planner.solver.rules import add_all, lin

ProgressFn = Callable[[dict], None]
STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}


@dataclass
class StageResult:
    status: int
    solution: list | None
    bound: float | None  # scaled lower bound reported by CP-SAT
    time_s: float


class _Watch(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions and stops the search when asked to."""

    def __init__(self, name, expr, t0, progress, stop):
        super().__init__()
        self.name, self.expr, self.t0 = name, expr, t0
        self.progress, self.stop = progress, stop

    def on_solution_callback(self):
        if self.stop is not None and self.stop.is_set():
            self.stop_search()
        if self.progress is not None and self.expr is not None:
            f = self.expr.factor
            self.progress(
                {
                    "stage": self.name,
                    "objective": self.objective_value / f,
                    "bound": self.best_objective_bound / f,
                    "elapsed_s": round(time.monotonic() - self.t0, 3),
                }
            )


# Full-problem subsolvers for small worker counts, best first (CP-SAT takes the first
# ones that fit). The LP with every constraint linearised ("max_lp") is what proves the
# gap bound of covering-under-credit-knapsack models; CP-SAT's own portfolio only picks
# it from 8 workers on, so with 2 workers the bound would stall (60 s vs 0.3 s proven).
PORTFOLIO = ("max_lp", "core", "default_lp", "no_lp", "quick_restart", "reduced_costs")


def configure(params, workers: int) -> None:
    """Search parameters for `workers` threads."""
    params.num_workers = workers
    if workers <= 1:
        params.linearization_level = 2  # the single search gets the full LP
    elif workers < 8:
        params.subsolvers.extend(PORTFOLIO)


def run_model(
    model: cp_model.CpModel,
    *,
    time_s: float,
    workers: int,
    stop: threading.Event | None = None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> tuple[cp_model.CpSolver, int]:
    """Solve once with a hard time limit; `stop` interrupts promptly from any thread."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_s, 0.001)
    configure(solver.parameters, workers)
    done = threading.Event()
    watcher = None
    if stop is not None:

        def watch():
            while not done.wait(0.02):
                if stop.is_set():
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        status = solver.solve(model, callback)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    return solver, status


def _hint(model: cp_model.CpModel, solution: list) -> None:
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(solution)))
    hint.values.extend(solution)


def solve(
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> Plan:
    t0 = time.monotonic()
    limit = time_limit_s if time_limit_s is not None else scenario.options.time_limit_s
    workers = workers if workers is not None else scenario.options.workers
    deadline = t0 + limit

    ctx = add_all(Context(scenario))
    exprs = expressions(ctx)
    stages = list(scenario.objective) or [None]
    solution = None
    proven = True
    bounds: dict[str, int] = {}
    stage_stats = []
    final_status = None

    for k, name in enumerate(stages):
        expr = exprs[name] if name else None
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
                ctx.m.clear_objective()
            else:
                ctx.m.minimize(lin(expr.pairs) + expr.constant)
            if solution is not None:
                _hint(ctx.m, solution)
            watch = _Watch(name, expr, t0, progress, stop)
            solver, status = run_model(
                ctx.m, time_s=remaining, workers=workers, stop=stop, callback=watch
            )
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                solution = list(solver.response_proto.solution)
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
        value = expr.value(solution)
        if status == cp_model.OPTIMAL:
            bound = value
            ctx.m.add(lin(expr.pairs) + expr.constant == value)
        else:
            proven = False
            bound = min(bound, value) if bound is not None else None
            ctx.m.add(lin(expr.pairs) + expr.constant <= value)
        if bound is not None:
            bounds[name] = bound
        stage_stats.append(_stage_stat(name, status, value, bound, started, expr, skipped))
        if progress is not None:
            progress(
                {
                    "stage": name,
                    "objective": value / expr.factor,
                    "bound": (bound / expr.factor) if bound is not None else None,
                    "elapsed_s": round(time.monotonic() - t0, 3),
                }
            )
        if status != cp_model.OPTIMAL and stop is not None and stop.is_set():
            break

    stats = {
        "solve_time_s": None,
        "solver": "cp-sat",
        "stages": stage_stats,
        "workers": workers,
        "time_limit_s": limit,
        "variables": len(ctx.m.proto.variables),
        "constraints": len(ctx.m.proto.constraints),
    }
    if ctx.rounded:
        stats["rounded_values"] = ctx.rounded  # more than 6 decimals: scaled conservatively

    if final_status is None and solution is None:
        final_status = "UNKNOWN"  # stopped or out of time before the first stage ran
    if final_status is not None:
        diagnosis = None
        if final_status == "INFEASIBLE":
            from planner.solver.diagnose import diagnose

            left = max(deadline - time.monotonic(), min(limit, 1.0))
            diagnosis = diagnose(scenario, time_limit_s=left, workers=workers, stop=stop)
        stats["solve_time_s"] = round(time.monotonic() - t0, 3)
        return Plan(scenario=scenario.name, status=final_status, diagnosis=diagnosis, stats=stats)

    plan = build_plan(scenario, ctx, solution)
    plan.status = "OPTIMAL" if proven and len(stage_stats) == len(stages) else "FEASIBLE"
    plan.bound = _bounds_in_units(plan, exprs, bounds)
    stats["solve_time_s"] = round(time.monotonic() - t0, 3)
    plan.stats = stats
    return plan


def _int_bound(raw: float) -> int | None:
    if raw is None or not math.isfinite(raw):
        return None
    return math.ceil(raw - 1e-6)  # objectives are integral, so round the bound up


def _stage_stat(name, status, value, bound, started, expr=None, skipped=False):
    out = {
        "objective": name,
        "status": STATUS_NAMES.get(status, str(status)),
        "time_s": round(time.monotonic() - started, 3),
    }
    if expr is not None and value is not None:
        out["value"] = value / expr.factor
        out["bound"] = bound / expr.factor if bound is not None else None
    if skipped:
        out["skipped"] = "the previous plan already meets the trivial bound"
    return out


def _bounds_in_units(plan: Plan, exprs: dict[str, Expr], bounds: dict[str, int]) -> dict:
    # An optimal stage's bound is the plan's exact value; a bound never exceeds the value.
    return {n: min(b / exprs[n].factor, plan.objective[n]) for n, b in bounds.items()}


def schedules_from(ctx: Context, solution: list) -> dict[str, dict[str, list[str]]]:
    order = {c.id: i for i, c in enumerate(ctx.s.courses)}
    out = {}
    for info in ctx.learners:
        schedule = {}
        for tid in info.own_terms:
            taken = [cid for cid, var in info.in_term[tid].items() if solution[var.index]]
            schedule[tid] = sorted(taken, key=order.__getitem__)
        out[info.learner.id] = schedule
    return out


def build_plan(scenario: Scenario, ctx: Context, solution: list) -> Plan:
    schedules = schedules_from(ctx, solution)
    result = evaluate(scenario, schedules)
    learners = []
    for learner in scenario.learners:
        detail = result["learners"][learner.id]
        learners.append(
            LearnerPlan(
                id=learner.id,
                schedule=schedules[learner.id],
                final_levels=detail["final_levels"],
                gaps=detail["gaps"],
                cost=detail["cost"],
                credits=detail["credits"],
                reasons=reasons_for(scenario, learner, schedules[learner.id]),
            )
        )
    return Plan(
        scenario=scenario.name,
        status="FEASIBLE",
        objective=result["objective"],
        learners=learners,
        sections=[SectionPlan(**s) for s in result["sections"]],
    )
