"""Large cohorts: plan patterns per learner group, column generation, integer master.

Why patterns: people of one profile are interchangeable, but under shared seats, session
costs or a scenario budget two of them may need different plans. The exact model counts
how many units of each group follow each *pattern* (a complete individual plan):

    x[g,k] ∈ ℕ, Σ_k x[g,k] = units(g)                       (every unit gets one plan)
    Σ_{g,k: (c,t) ∈ k} unit(g)·x[g,k] ≤ capacity(c)·y[c,t]  (seats, rule 6)
    y[c,t] ≤ max_sections(c)
    Σ unit(g)·cost(k)·x[g,k] + Σ session_cost·y ≤ budget    (rule 5)

Over *all* valid patterns this is the scenario itself (rules 1-4 and 7 live inside a
pattern). We generate patterns on demand: the LP relaxation of the master is solved with
GLOP; its duals price seats and money; each group's best pattern at those prices is found
by a small exact CP-SAT model (`PricingModel`). The Lagrangian bound
    z_LP(restricted) + Σ_g units(g) · min(0, best reduced cost of g)
is a valid lower bound at every round (it is the LP bound when no column prices out).
The integer master is then solved by CP-SAT over the generated patterns: a valid plan,
proven optimal when it meets the bound. Objectives are lexicographic, one stage per
component: a stage fixes the earlier components at their proven values (as master rows,
whose duals enter the pricing).

Pure: no Flask, no database.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping

from planner.scenario import Plan, Scenario
from planner.scenario.models import ObjectiveName
from planner.solver.cohort.master import PatternSolve, solve_patterns
from planner.solver.cohort.patterns import EPS, Pattern, evaluate_pattern, relevant_courses
from planner.solver.cohort.pricing import PricingModel
from planner.solver.diagnose import diagnose
from planner.solver.engine import engine_name
from planner.solver.grouping import (
    Grouping,
    assign_plans,
    group_learners,
    merge_is_exact,
    split_plan,
)
from planner.solver.plan import values_of
from planner.solver.search import ProgressFn, Stop, clamp_workers, stop_requested
from planner.solver.solve import solve

# learners × courses up to which the monolithic model backs up an unproven pattern plan
SMALL = 2_000
# learners × courses × terms up to which the monolithic model is also tried on a coupled
# cohort that patterns did not prove: it wins when pricing is too slow to converge
# (measured: 300 groups × 80 courses × 6 terms, 43 323 against the patterns' 48 683).
MEDIUM = 200_000
# CPU seconds to hand a plan back per group and per learner entry, pricing workers' exit
# included (measured, rounded up: 4,765 groups 0.83 s; 200,000 entries in 2,717 groups 2.5 s)
BUILD_S_PER_GROUP = 5e-4
BUILD_S_PER_ENTRY = 1.5e-5


def solve_cohort(
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
    progress: ProgressFn | None = None,
    stop: Stop = None,
    engine: str | None = None,
) -> Plan:
    """Solve a cohort: merge identical learners, then solve exactly or by patterns.

    - Nothing couples learners: the merged scenario goes to the monolithic solver and the
      answer (OPTIMAL stays OPTIMAL) is split back, every member getting its group's plan;
      past `MEDIUM` triples the groups are priced one profile at a time instead (one
      pricing round per stage proves it: nothing couples them).
    - Seats, session costs or a scenario budget couple them: pattern decomposition, which
      may hand members of one group different plans; OPTIMAL only with a matching bound.
      It starts from the greedy plan, so a valid plan is returned whenever greedy finds one.
    - No plan found that way (or a group with no valid plan at all): on cohorts small
      enough for it, the monolithic solver on the original scenario decides.

    The time limit covers everything, handing the plan back to every member included.

    `engine` (engine.py; default $PLANNER_ENGINE, else local): with `ray` pattern pricing
    runs in Ray actors; the masters and the monolithic model run in this process.
    """
    engine = engine_name(engine)
    time_limit_s = time_limit_s or scenario.options.time_limit_s
    workers = clamp_workers(workers or scenario.options.workers)
    started = time.perf_counter()
    # An exact merge goes to the monolithic model while that stays small; past that its
    # groups are independent pricing problems, which patterns solve one profile at a time.
    exact = merge_is_exact(scenario) and _size(scenario) <= MEDIUM
    grouping = group_learners(scenario, by_count=not exact)
    limit = time_limit_s - _handing_back(grouping, started)
    halt = Halt(stop, started + limit)
    try:
        plan = _solve_grouped(
            scenario, grouping, exact, started, limit, workers, progress, halt, engine
        )
    finally:
        halt.close()
    if engine != "local":
        plan.stats = {**(plan.stats or {}), "engine": engine}
    return plan


def _solve_grouped(
    scenario: Scenario,
    grouping: Grouping,
    exact: bool,
    started: float,
    limit: float,
    workers: int,
    progress: ProgressFn | None,
    stop: threading.Event,
    engine: str = "local",
) -> Plan:
    if exact:
        return _solve_merged(scenario, grouping, started, limit, workers, progress, stop)
    small = len(scenario.learners) * max(1, len(scenario.courses)) <= SMALL
    medium = small or _size(scenario) <= MEDIUM
    plan = solve_patterns(
        scenario,
        time_limit_s=_remaining(started, limit) * (0.4 if small else 0.5 if medium else 1.0),
        workers=workers,
        progress=progress,
        stop=stop,
        grouping=grouping,
        engine=engine,
    )
    if plan.status == "OPTIMAL" or not medium:
        return plan
    left = _remaining(started, limit)
    if plan.status == "UNKNOWN":
        return solve(scenario, time_limit_s=left, workers=workers, progress=progress, stop=stop)
    # The monolithic model may prove what the restricted master cannot (section rounding
    # leaves an integrality gap the pattern LP does not close), or find a better plan when
    # pricing converges slowly. Keep the better plan and the better proven first bound.
    other = solve(scenario, time_limit_s=left, workers=workers, progress=progress, stop=stop)
    if other.status == "OPTIMAL":
        other.stats["grouping"] = "monolithic (pattern plan not proven)"
        return other
    if other.status != "FEASIBLE":
        return plan
    best, rest = (
        (other, plan) if _better(scenario, values_of(other), values_of(plan)) else (plan, other)
    )
    best.stats["grouping"] = "better of patterns and monolithic"
    return _with_better_first_bound(scenario, best, rest)


class Halt(threading.Event):
    """Set when the caller cancels or the deadline passes. Every stage watches it (CP-SAT
    searches are interrupted, pricing stops within one solve), so a solve overrunning its
    share of the time cannot carry the whole run past the limit."""

    def __init__(self, caller_stop: Stop, deadline: float) -> None:
        super().__init__()
        self._caller, self._deadline = caller_stop, deadline
        self._closed = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self._closed.wait(0.02):
            if time.perf_counter() >= self._deadline or stop_requested(self._caller):
                self.set()
                return

    def close(self) -> None:
        self._closed.set()


def _size(scenario: Scenario) -> int:
    """Learner × course × term triples: the size of the monolithic model."""
    return len(scenario.learners) * max(1, len(scenario.courses)) * len(scenario.terms)


def _handing_back(grouping: Grouping, started: float) -> float:
    """Wall seconds kept back for building the plan of every member: its CPU cost,
    stretched by how busy the machine is (runnable processes per core)."""
    work = BUILD_S_PER_GROUP * len(grouping.groups)
    work += BUILD_S_PER_ENTRY * len(grouping.original.learners)
    return time.perf_counter() - started + _slowdown() * work


def _slowdown() -> float:
    try:
        load = os.getloadavg()[0]
    except OSError:  # not on this platform
        return 1.0
    return min(max((load + 1) / (os.cpu_count() or 1), 1.0), 8.0)


def _solve_merged(
    scenario: Scenario,
    grouping: Grouping,
    started: float,
    limit: float,
    workers: int,
    progress: ProgressFn | None,
    stop: threading.Event,
) -> Plan:
    """Nothing couples learners: solve the merged scenario, split the plan back."""
    plan = solve(
        grouping.merged,
        time_limit_s=_remaining(started, limit),
        workers=workers,
        progress=progress,
        stop=stop,
    )
    if plan.status == "INFEASIBLE":
        # The merge is exact, so the original is infeasible too. Its labels name every
        # member (a merged learner's would name one), so diagnose the original, with
        # the time left rather than after solving it again.
        return _diagnosed(scenario, plan, started, limit, workers, stop)
    if plan.status == "UNKNOWN":
        return plan
    plan = split_plan(grouping, plan)
    plan.stats["grouping"] = "exact merge"
    return plan


def _with_better_first_bound(scenario: Scenario, plan: Plan, other: Plan) -> Plan:
    """Both solves' bounds on the first objective component hold over all plans, so the
    larger one is a valid bound for `plan` too."""
    if not scenario.objective or not plan.bound or not other.bound:
        return plan
    first = scenario.objective[0]
    if first in plan.bound and first in other.bound:
        plan.bound[first] = min(max(plan.bound[first], other.bound[first]), values_of(plan)[first])
    return plan


def _diagnosed(
    scenario: Scenario,
    merged_plan: Plan,
    started: float,
    time_limit_s: float,
    workers: int,
    stop: threading.Event,
) -> Plan:
    """The INFEASIBLE plan of `scenario`, diagnosed with the time left (at least the
    floor `solve` gives its own diagnosis)."""
    left = max(time_limit_s - (time.perf_counter() - started), min(time_limit_s, 1.0))
    diagnosis = diagnose(scenario, time_limit_s=left, workers=workers, stop=stop)
    stats = {k: v for k, v in merged_plan.stats.items() if k != "solve_time_s"}
    stats["grouping"] = "exact merge (diagnosis on the original learners)"
    stats["solve_time_s"] = round(time.perf_counter() - started, 3)
    return Plan(scenario=scenario.name, status="INFEASIBLE", diagnosis=diagnosis, stats=stats)


def _remaining(started: float, time_limit_s: float) -> float:
    """Time left for a fallback solve; never more than 1% over the caller's limit."""
    return max(time_limit_s - (time.perf_counter() - started), 0.01 * time_limit_s)


def _better(
    s: Scenario, a: Mapping[ObjectiveName, float], b: Mapping[ObjectiveName, float]
) -> bool:
    for name in s.objective:
        if a[name] < b[name] - EPS:
            return True
        if a[name] > b[name] + EPS:
            return False
    return False


__all__ = [
    "Pattern",
    "PatternSolve",
    "PricingModel",
    "assign_plans",
    "evaluate_pattern",
    "relevant_courses",
    "solve_cohort",
    "solve_patterns",
]
