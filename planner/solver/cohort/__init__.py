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

import time
from collections.abc import Callable

from planner.scenario import Plan, Scenario
from planner.solver.cohort.master import PatternSolve, solve_patterns
from planner.solver.cohort.patterns import EPS, Pattern, evaluate_pattern, relevant_courses
from planner.solver.cohort.pricing import PricingModel
from planner.solver.grouping import assign_plans, group_learners, merge_is_exact, split_plan
from planner.solver.solve import clamp_workers

# learners × courses up to which the monolithic model backs up an unproven pattern plan
SMALL = 2_000
# learners × courses × terms up to which the monolithic model is also tried on a coupled
# cohort that patterns did not prove: it wins when pricing is too slow to converge
# (measured: 300 groups × 80 courses × 6 terms, 43 323 against the patterns' 48 683).
MEDIUM = 200_000


def _exact_solver():
    try:
        from planner.solver.solve import solve
    except ImportError:
        return None
    return solve


def solve_cohort(
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
    progress: Callable[[dict], None] | None = None,
    stop=None,
) -> Plan:
    """Solve a cohort: merge identical learners, then solve exactly or by patterns.

    - Nothing couples learners: the merged scenario goes to the monolithic solver and the
      answer (OPTIMAL stays OPTIMAL) is split back, every member getting its group's plan.
    - Seats, session costs or a scenario budget couple them: pattern decomposition, which
      may hand members of one group different plans; OPTIMAL only with a matching bound.
    - No plan found that way (or a group with no valid plan at all): the monolithic
      solver on the original scenario decides, with what time is left.
    """
    time_limit_s = time_limit_s or scenario.options.time_limit_s
    workers = clamp_workers(workers or scenario.options.workers)
    started = time.perf_counter()
    mono = _exact_solver()
    if merge_is_exact(scenario) and mono is not None:
        grouping = group_learners(scenario, by_count=False)
        plan = mono(
            grouping.merged,
            time_limit_s=time_limit_s,
            workers=workers,
            progress=progress,
            stop=stop,
        )
        if plan.status == "INFEASIBLE":
            # The merge is exact, so the original is infeasible too. Its labels name every
            # member (a merged learner's would name one), so diagnose the original, with
            # the time left rather than after solving it again.
            return _diagnosed(scenario, plan, started, time_limit_s, workers, stop)
        if plan.status == "UNKNOWN":
            return mono(
                scenario,
                time_limit_s=_remaining(started, time_limit_s),
                workers=workers,
                progress=progress,
                stop=stop,
            )
        plan = split_plan(grouping, plan)
        plan.stats["grouping"] = "exact merge"
        return plan
    small = len(scenario.learners) * max(1, len(scenario.courses)) <= SMALL
    medium = small or len(scenario.learners) * len(scenario.courses) * len(scenario.terms) <= MEDIUM
    plan = solve_patterns(
        scenario,
        time_limit_s=time_limit_s * (0.4 if small else 0.5 if medium else 1.0),
        workers=workers,
        progress=progress,
        stop=stop,
    )
    if mono is None or plan.status == "OPTIMAL":
        return plan
    left = _remaining(started, time_limit_s)
    if plan.status == "UNKNOWN":
        return mono(scenario, time_limit_s=left, workers=workers, progress=progress, stop=stop)
    if not medium:
        return plan
    # The monolithic model may prove what the restricted master cannot (section rounding
    # leaves an integrality gap the pattern LP does not close), or find a better plan when
    # pricing converges slowly. Keep the better plan and the better proven first bound.
    other = mono(scenario, time_limit_s=left, workers=workers, progress=progress, stop=stop)
    if other.status == "OPTIMAL":
        other.stats["grouping"] = "monolithic (pattern plan not proven)"
        return other
    if other.status != "FEASIBLE":
        return plan
    best, rest = (
        (other, plan) if _better(scenario, other.objective, plan.objective) else (plan, other)
    )
    best.stats["grouping"] = "better of patterns and monolithic"
    return _with_better_first_bound(scenario, best, rest)


def _with_better_first_bound(scenario: Scenario, plan: Plan, other: Plan) -> Plan:
    """Both solves' bounds on the first objective component hold over all plans, so the
    larger one is a valid bound for `plan` too."""
    if not scenario.objective or not plan.bound or not other.bound:
        return plan
    first = scenario.objective[0]
    if first in plan.bound and first in other.bound:
        plan.bound[first] = min(max(plan.bound[first], other.bound[first]), plan.objective[first])
    return plan


def _diagnosed(scenario, merged_plan, started, time_limit_s, workers, stop) -> Plan:
    """The INFEASIBLE plan of `scenario`, diagnosed with the time left (at least the
    floor `solve` gives its own diagnosis)."""
    from planner.solver.diagnose import diagnose

    left = max(time_limit_s - (time.perf_counter() - started), min(time_limit_s, 1.0))
    diagnosis = diagnose(scenario, time_limit_s=left, workers=workers, stop=stop)
    stats = {k: v for k, v in merged_plan.stats.items() if k != "solve_time_s"}
    stats["grouping"] = "exact merge (diagnosis on the original learners)"
    stats["solve_time_s"] = round(time.perf_counter() - started, 3)
    return Plan(scenario=scenario.name, status="INFEASIBLE", diagnosis=diagnosis, stats=stats)


def _remaining(started: float, time_limit_s: float) -> float:
    """Time left for a fallback solve; never more than 1% over the caller's limit."""
    return max(time_limit_s - (time.perf_counter() - started), 0.01 * time_limit_s)


def _better(s: Scenario, a: dict, b: dict) -> bool:
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
