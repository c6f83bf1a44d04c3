"""The master problem: column generation over plan patterns (LP by GLOP, Lagrangian bound
at every complete pricing round), the integer master by CP-SAT, and `solve_patterns`,
one stage of the lexicographic objective at a time."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.scenario import OBJECTIVE_NAMES, Course, Learner, LearnerPlan, Plan, Scenario
from planner.scenario.models import ObjectiveName, Status
from planner.solver.check import sections_needed
from planner.solver.cohort.patterns import EPS, Pattern, evaluate_pattern
from planner.solver.cohort.pricing import Answer, PricerMeta, Prices, Pricing
from planner.solver.cohort.workers import PricingPool
from planner.solver.engine import RayPricingPool
from planner.solver.greedy import greedy_plan
from planner.solver.grouping import (
    Group,
    Grouping,
    Profile,
    count_sections,
    coupled_courses,
    group_learners,
)
from planner.solver.plan import plan_from_schedules
from planner.solver.scale import (
    SAFE_SUM,
    credit_scale,
    exact,
    money_scale,
    weight_scale,
)
from planner.solver.search import ProgressFn, Stop, stop_requested

# groups priced between two checks of the stop signal
PRICE_SLICE = 64
# groups from which pricing runs in worker processes (below, start-up costs more)
PARALLEL_GROUPS = 300
# share of the time limit the greedy start may take (it stops filling terms then)
GREEDY_SHARE = 0.3


@dataclass
class Column:
    group: int
    pattern: Pattern
    var: Any = None  # its variable in the current stage's LP (pywraplp is untyped)


@dataclass
class Progress:
    report: ProgressFn | None
    started: float
    stop: Stop = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def stopped(self) -> bool:
        return stop_requested(self.stop)

    def send(self, stage: str, objective: float | None = None, bound: float | None = None) -> None:
        if self.report is not None:
            self.report(
                {
                    "stage": stage,
                    "objective": objective,
                    "bound": bound,
                    "elapsed_s": round(self.elapsed(), 3),
                }
            )


@dataclass
class PatternSolve:
    """State of the pattern decomposition of one grouped scenario."""

    grouping: Grouping
    workers: int = 2
    columns: list[Column] = field(default_factory=list)
    # group -> {takes: column index}
    pool: list[dict[tuple[tuple[str, str], ...], int]] = field(default_factory=list)
    counts: dict[int, int] | None = None  # column -> units, the incumbent
    log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        s = self.grouping.merged
        self.s = s
        self.groups: list[Group] = self.grouping.groups
        self.learners = s.learners  # merged learner per group, same order
        self.pool = [dict() for _ in self.groups]
        self.meta: list[PricerMeta | None] = [None] * len(self.groups)
        self.lp_x: dict[int, float] = {}
        self.priced: list[int] = []
        self.total_people = sum(g.people for g in self.groups)
        coupled = coupled_courses(s)
        self.resources = sorted(
            {
                (c.id, t.id)
                for c in s.courses
                if c.id in coupled
                for t in s.terms
                if s.is_offered(c, t)
            }
        )
        self.budget = s.constraints.budget
        self.credit = credit_scale(s)
        self.money = money_scale(s)
        self.weight = weight_scale(s)
        self.pricing: Pricing = PricingPool(s, self.credit, self.money)  # see open_pricing
        self.scales = {"gap": self.weight, "cost": self.money, "credits": self.credit}
        self.factor: dict[str, Fraction | int] = {n: sc.factor for n, sc in self.scales.items()}
        self.factor["lateness"] = 1
        # Rounded usage (sums too large for exact scaling) restricts the pricing models
        # to a subset of the valid patterns: their bounds then prove nothing.
        self.exact = self.credit.exact and self.money.exact and self.weight.exact
        self.fixed_scaled: dict[str, int] = {}
        self._numbers: dict[int, tuple[dict[str, Fraction], dict[str, int]]] = {}
        self.term_pos = {t.id: i for i, t in enumerate(s.terms)}
        # group -> (the prices it was last priced at, the bound found then)
        self._price_cache: list[tuple[Prices, float] | None] = [None] * len(self.groups)
        # pricing does not depend on a group's count: one solve per profile
        first_of: dict[Profile, int] = {}
        self.profile_rep = [first_of.setdefault(g.profile, i) for i, g in enumerate(self.groups)]

    # ----- columns ------------------------------------------------------------------
    def open_pricing(self, processes: int, engine: str = "local") -> None:
        if engine == "ray":  # actors on the Ray cluster (as many as it has CPUs)
            self.pricing = RayPricingPool(self.s, self.credit, self.money, cpus=self.workers)
            return
        self.pricing = PricingPool(self.s, self.credit, self.money, processes)

    def add_column(self, g: int, pattern: Pattern) -> int | None:
        if pattern.takes in self.pool[g]:
            return None
        self.columns.append(Column(g, pattern))
        index = len(self.columns) - 1
        self.pool[g][pattern.takes] = index
        return index

    def seed(self, plan: Plan | None) -> None:
        """Start from a valid plan of the merged scenario (e.g. the greedy baseline)."""
        if plan is None or plan.status not in ("OPTIMAL", "FEASIBLE"):
            return
        by_id = {lp.id: lp for lp in plan.learners}
        counts: dict[int, int] = {}
        for g, group in enumerate(self.groups):
            lp = by_id[group.id]
            takes = [(c, t) for t, cs in lp.schedule.items() for c in cs]
            pattern = evaluate_pattern(self.s, self.learners[g], takes)
            self.add_column(g, pattern)
            counts[self.pool[g][pattern.takes]] = group.units
        self.counts = counts

    def seed_empty(self) -> bool:
        """Seed every group with the empty plan when that is valid for all of them: it
        uses no seats and no money, so the master starts feasible without a heuristic."""
        terms = {t.id: t for t in self.s.terms}
        for lr in self.learners:
            if (
                any(terms[t].min_credits > 0 for t in self.s.learner_terms(lr))
                or set(lr.required) - set(lr.completed)
                or lr.pinned
                or (self.s.gap_mode_of(lr) == "close" and self.s.needs(lr))
            ):
                return False
        empty = {}
        for g, group in enumerate(self.groups):
            pattern = evaluate_pattern(self.s, self.learners[g], [])
            if self.s.gap_mode_of(self.learners[g]) == "close" and pattern.gap > 0:
                return False
            self.add_column(g, pattern)
            empty[self.pool[g][pattern.takes]] = group.units
        self.counts = empty
        return True

    # ----- lexicographic stages -----------------------------------------------------
    def stage_cost(self, col: Column, name: str) -> float:
        return self.groups[col.group].unit * col.pattern.comp(name)

    def numbers(self, k: int) -> tuple[dict[str, Fraction], dict[str, int]]:
        """Column k's per-person components: exact, and scaled as the integer master
        counts them (Σ of per-course scaled values, never a scaled float sum)."""
        cached = self._numbers.get(k)
        if cached is not None:
            return cached
        col = self.columns[k]
        learner = self.learners[col.group]
        level = self.s.start_levels(learner)
        value: dict[str, Fraction] = {name: Fraction(0) for name in OBJECTIVE_NAMES}
        scaled: dict[str, int] = {name: 0 for name in OBJECTIVE_NAMES}
        for cid, tid in col.pattern.takes:
            course = self.s.course(cid)
            value["cost"] += exact(course.cost)
            scaled["cost"] += self.money.up(course.cost)
            value["credits"] += exact(course.credits)
            scaled["credits"] += self.credit.up(course.credits)
            value["lateness"] += self.term_pos[tid]
            scaled["lateness"] += self.term_pos[tid]
            for skill, lv in course.teaches.items():
                level[skill] = max(level.get(skill, 0), lv)
        for skill, (need, weight) in self.s.needs(learner).items():
            short = max(0, need - level.get(skill, 0))
            value["gap"] += exact(weight) * short
            scaled["gap"] += self.weight.up(weight) * short
        self._numbers[k] = (value, scaled)
        return value, scaled

    def plan_exact(self, counts: dict[int, int], name: str) -> Fraction:
        """The plan's component `name`, exactly (rule 8)."""
        total = sum(
            (
                self.numbers(k)[0][name] * n * self.groups[self.columns[k].group].unit
                for k, n in counts.items()
            ),
            Fraction(0),
        )
        if name == "cost":
            for (cid, _), sections in self.sections(counts).items():
                total += sections * exact(self.s.course(cid).session_cost)
        return total

    def plan_value(self, counts: dict[int, int], name: str) -> float:
        return float(self.plan_exact(counts, name))

    def plan_scaled(self, counts: dict[int, int], name: str) -> int:
        """The plan's component `name` as the integer master's expression counts it."""
        total = sum(
            self.numbers(k)[1][name] * n * self.groups[self.columns[k].group].unit
            for k, n in counts.items()
        )
        if name == "cost":
            for (cid, _), sections in self.sections(counts).items():
                total += sections * self.money.up(self.s.course(cid).session_cost)
        return total

    def capacity(self, course: Course) -> int:
        """Seats per section; one above everyone's count acts like everyone's count."""
        return min(course.capacity or self.total_people, self.total_people)

    def max_sections(self, course: Course) -> int:
        if course.capacity is None:
            return 1
        return min(course.max_sections, sections_needed(self.total_people, course.capacity))

    def enrolment(self, counts: dict[int, int]) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for k, n in counts.items():
            if n:
                col = self.columns[k]
                for ct in col.pattern.takes:
                    out[ct] = out.get(ct, 0) + n * self.groups[col.group].unit
        return out

    def sections(self, counts: dict[int, int]) -> dict[tuple[str, str], int]:
        """Sections each (course, term) opens under `counts` (rule 6)."""
        out = {}
        for (cid, tid), n in self.enrolment(counts).items():
            course = self.s.course(cid)
            out[cid, tid] = sections_needed(n, course.capacity)
        return out

    # ----- LP master and pricing ----------------------------------------------------
    def column_generation(
        self, stage: str, fixed: dict[str, float], deadline: float, progress: Progress
    ) -> float:
        """Column generation for one stage; returns a proven lower bound on it.

        Every round prices at the restricted master's duals and yields the Lagrangian
        bound at those prices (valid at any non-negative prices), even a round cut short
        by the deadline: a group it did not reach counts with its last bound lowered by
        the most the new prices can save, or with 0 (no pattern is worth less at
        non-negative prices). A complete round that finds no improving pattern proves
        the LP optimum itself.
        """
        started = time.perf_counter()
        lp = pywraplp.Solver.CreateSolver("GLOP")
        # Penalty on artificial seat/budget slack: above what one unit of slack can save.
        big = 10.0 * (1.0 + max((self.stage_cost(c, stage) for c in self.columns), default=1.0))
        conv = [lp.Constraint(g.units, g.units) for g in self.groups]
        seat_rows, sec_vars = {}, {}
        objective = lp.Objective()
        for ct in self.resources:
            course = self.s.course(ct[0])
            cap = self.capacity(course)
            y = lp.NumVar(0, self.max_sections(course), "")
            row = lp.Constraint(-lp.infinity(), 0)
            row.SetCoefficient(y, -cap)
            art = lp.NumVar(0, lp.infinity(), "")
            row.SetCoefficient(art, -1)
            objective.SetCoefficient(art, big)
            seat_rows[ct], sec_vars[ct] = row, y
            if stage == "cost":
                objective.SetCoefficient(y, course.session_cost)
        budget_row = None
        if self.budget is not None:
            budget_row = lp.Constraint(-lp.infinity(), self.budget)
            art = lp.NumVar(0, lp.infinity(), "")
            budget_row.SetCoefficient(art, -1)
            objective.SetCoefficient(art, big)
            for ct, y in sec_vars.items():
                budget_row.SetCoefficient(y, self.s.course(ct[0]).session_cost)
        fix_rows, fix_rhs = {}, {}
        for name, value in fixed.items():
            fix_rhs[name] = value + EPS * max(1.0, abs(value))
            row = lp.Constraint(-lp.infinity(), fix_rhs[name])
            if name == "cost":
                for ct, y in sec_vars.items():
                    row.SetCoefficient(y, self.s.course(ct[0]).session_cost)
            fix_rows[name] = row

        def attach(col: Column) -> None:
            unit = self.groups[col.group].unit
            var = lp.NumVar(0, lp.infinity(), "")
            col.var = var
            objective.SetCoefficient(var, unit * col.pattern.comp(stage))
            conv[col.group].SetCoefficient(var, 1)
            for ct in col.pattern.takes:
                if ct in seat_rows:
                    seat_rows[ct].SetCoefficient(var, unit)
            if budget_row is not None:
                budget_row.SetCoefficient(var, unit * col.pattern.cost)
            for name, row in fix_rows.items():
                row.SetCoefficient(var, unit * col.pattern.comp(name))

        for col in self.columns:
            attach(col)
        objective.SetMinimization()

        def rest_of_lagrangian(prices: Prices) -> float:
            """Terms of the Lagrangian bound outside the groups: sections, slack, rhs."""
            if prices.mu > big or any(p > big for p in prices.seat.values()):
                return -math.inf
            total = -prices.mu * (self.budget or 0.0)
            total -= sum(prices.fix.get(n, 0.0) * rhs for n, rhs in fix_rhs.items())
            for ct, y in sec_vars.items():
                course = self.s.course(ct[0])
                session = course.session_cost
                coef = (session if stage == "cost" else 0.0) + session * (
                    prices.mu + prices.fix.get("cost", 0.0)
                )
                coef -= prices.seat.get(ct, 0.0) * self.capacity(course)
                total += y.ub() * min(0.0, coef)
            return total

        self._price_cache = [None] * len(self.groups)
        self.priced = []
        best_bound = -math.inf
        rounds = 0
        while time.perf_counter() < deadline and not progress.stopped():
            rounds += 1
            missing = any(not pool for pool in self.pool)
            if missing:
                z, master, sigma = None, Prices.zero(stage), None
            else:
                if lp.Solve() != pywraplp.Solver.OPTIMAL:
                    break
                z = objective.Value()
                master = Prices(
                    stage,
                    {ct: max(0.0, -r.dual_value()) for ct, r in seat_rows.items()},
                    max(0.0, -budget_row.dual_value()) if budget_row else 0.0,
                    {n: max(0.0, -r.dual_value()) for n, r in fix_rows.items()},
                )
                sigma = [c.dual_value() for c in conv]
            value, patterns, complete = self._price_round(master, deadline, progress.stopped)
            best_bound = max(best_bound, value + rest_of_lagrangian(master))
            added = []
            for g, pattern in patterns:
                unit = self.groups[g].unit
                if sigma is not None:
                    reduced = unit * master.value(pattern) - sigma[g]
                    if reduced >= -EPS * max(1.0, abs(sigma[g])):
                        continue
                k = self.add_column(g, pattern)
                if k is not None:
                    added.append(k)
            for k in added:
                attach(self.columns[k])
            progress.send(f"{stage}: column generation round {rounds}", z, best_bound)
            if not complete:
                break  # the deadline or a cancel cut the round short
            if not added:
                if z is not None:
                    best_bound = max(best_bound, z)  # no pattern prices out: LP optimum
                break
            if z is not None and _proven(z, best_bound, self.factor[stage]):
                break  # the bound already rounds up to the LP value: no more to gain
        # The last LP solution guides the rounding heuristic of the integer master.
        self.lp_x = {}
        if not any(not pool for pool in self.pool) and lp.Solve() == pywraplp.Solver.OPTIMAL:
            self.lp_x = {k: col.var.solution_value() for k, col in enumerate(self.columns)}
        self.log.append(
            {
                "stage": stage,
                "rounds": rounds,
                "columns": len(self.columns),
                "priced": self.priced,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
        return best_bound

    def _price_round(
        self, at: Prices, deadline: float, stopped: Callable[[], bool]
    ) -> tuple[float, list[tuple[int, Pattern]], bool]:
        """(Σ_g units·unit·(a lower bound on g's least pattern value at `at`), the least
        patterns found, whether every group was priced or skipped as settled).

        A group is skipped when its last pricing value, lowered by the most any price
        drop since could save, already meets its best known pattern at the new prices:
        then that bound is exact enough and solving again cannot find a better pattern.
        Groups of one profile share one pricing solve (it does not depend on the count).
        """
        settled = [self._settled(g, at) for g in range(len(self.groups))]
        jobs = [g for g, low in enumerate(settled) if low is None]
        least = [0.0 if low is None else low for low in settled]  # jobs' are set below
        self.priced.append(len(jobs))
        answers = self._price_profiles(jobs, at, deadline, stopped)
        patterns: list[tuple[int, Pattern]] = []
        complete = True
        for g in jobs:
            pattern, bound, _ = answers.get(self.profile_rep[g], (None, -math.inf, None))
            if pattern is None:
                if bound == math.inf:
                    raise Infeasible(self.groups[g].id)
                complete = False  # not reached in time: what the last round proved
                least[g] = self._last_bound(g, at)
                continue
            self._price_cache[g] = (at, bound)
            least[g] = bound
            patterns.append((g, pattern))
        total = sum(grp.units * grp.unit * v for grp, v in zip(self.groups, least, strict=True))
        return total, patterns, complete

    def _last_bound(self, g: int, at: Prices) -> float:
        """A lower bound on g's least pattern value at `at` without pricing it: its last
        pricing bound lowered by the most the price changes can save, and never below 0
        (components and prices are non-negative)."""
        meta, cached = self.meta[self.profile_rep[g]], self._price_cache[g]
        if meta is None or cached is None:
            return 0.0
        return max(0.0, cached[1] + at.drop_bound(cached[0], meta))

    def _settled(self, g: int, at: Prices) -> float | None:
        """g's last bound when it already meets g's best known pattern (no need to price)."""
        if self._price_cache[g] is None or self.meta[self.profile_rep[g]] is None:
            return None
        low = self._last_bound(g, at)
        best = min(at.value(self.columns[k].pattern) for k in self.pool[g].values())
        return low if low >= best - 1e-9 * max(1.0, abs(best)) else None

    def _price_profiles(
        self, jobs: list[int], at: Prices, deadline: float, stopped: Callable[[], bool]
    ) -> dict[int, Answer]:
        """Price one group per profile among `jobs`, in slices so that a cancel or the
        deadline is noticed within one slice, not one round."""
        reps = list(dict.fromkeys(self.profile_rep[g] for g in jobs))
        coef = at.coef()
        answers: dict[int, Answer] = {}
        for first in range(0, len(reps), PRICE_SLICE):
            left = deadline - time.perf_counter()
            if left <= 0 or stopped():
                break
            chunk = reps[first : first + PRICE_SLICE]
            answers.update(self.pricing.price(chunk, coef, at.seat, left, stopped))
        for r, (_, _, meta) in answers.items():
            if meta is not None:
                self.meta[r] = meta
        return answers

    # ----- integer master -----------------------------------------------------------
    def integer_master(
        self,
        stage: str | None,
        fixed: dict[str, float],
        time_limit: float,
        progress: Progress,
        lower: dict[int, int] | None = None,
    ) -> dict[int, int] | None:
        """Best integer pattern counts for `stage` over the generated columns (at least
        `lower[k]` units on column k when given: a dive, not a proof)."""
        lower = lower or {}
        m = cp_model.CpModel()
        x = {}
        for k, col in enumerate(self.columns):
            x[k] = m.new_int_var(lower.get(k, 0), self.groups[col.group].units, f"x{k}")
        for g, group in enumerate(self.groups):
            m.add(sum(x[k] for k in self.pool[g].values()) == group.units)
        users: dict[tuple[str, str], list[tuple[int, cp_model.IntVar]]] = {}
        for k, col in enumerate(self.columns):
            for ct in col.pattern.takes:
                users.setdefault(ct, []).append((self.groups[col.group].unit, x[k]))
        sections = {}
        for ct in self.resources:
            if ct not in users:
                continue
            course = self.s.course(ct[0])
            enrolled = sum(u * v for u, v in users[ct])
            y = m.new_int_var(0, self.max_sections(course), "")
            m.add(enrolled <= self.capacity(course) * y)
            sections[ct] = y

        def expr(name: str) -> cp_model.LinearExpr | int:
            e: cp_model.LinearExpr | int = sum(
                self.groups[col.group].unit * self.numbers(k)[1][name] * x[k]
                for k, col in enumerate(self.columns)
                if self.numbers(k)[1][name]
            )
            if name == "cost":
                e += sum(
                    self.money.up(self.s.course(ct[0]).session_cost) * y
                    for ct, y in sections.items()
                )
            return e

        if self.budget is not None:
            # Every scaled cost sum stays near SAFE_SUM (scale.py): a budget above that
            # cannot bind and is clamped to stay inside int64.
            m.add(expr("cost") <= min(self.money.down(self.budget), 4 * SAFE_SUM))
        for name in fixed:
            m.add(expr(name) <= self.fixed_scaled[name])
        if stage is not None:
            m.minimize(expr(stage))
        if self.counts:
            for k, var in x.items():
                m.add_hint(var, self.counts.get(k, 0))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = self.workers
        solver.parameters.max_time_in_seconds = max(0.1, time_limit)
        status = solver.solve(m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        counts = {k: solver.value(v) for k, v in x.items() if solver.value(v)}
        progress.send(
            f"{stage or 'feasibility'}: integer master", self.plan_value(counts, stage or "gap")
        )
        return counts


def _round_and_solve(
    state: PatternSolve,
    stage: str,
    fixed: dict[str, float],
    stage_end: float,
    prog: Progress,
) -> dict[int, int] | None:
    """Integer master, started from a dive: every column keeps at least the whole units
    the last LP gave it, CP-SAT places the rest (small, fast, usually near the LP value);
    the full master then improves on it with that plan as a hint."""
    incumbent = state.counts
    lower = {k: math.floor(v + 1e-6) for k, v in state.lp_x.items() if v >= 1 - 1e-6}
    dive = None
    if lower:
        left = stage_end - time.perf_counter()
        dive = state.integer_master(stage, fixed, 0.6 * left, prog, lower=lower)
        better = incumbent is None or (
            dive is not None and state.plan_value(dive, stage) <= state.plan_value(incumbent, stage)
        )
        if dive is not None and better:
            state.counts = dive  # the full master's hint
    full = state.integer_master(stage, fixed, stage_end - time.perf_counter(), prog)
    # The incumbent (the greedy seed, or the last stage's plan) stays a candidate: a dive
    # that the full master could not improve on in time may be worse than it.
    found = [c for c in (dive, full, incumbent) if c is not None]
    return min(found, key=lambda c: state.plan_value(c, stage)) if found else None


class Infeasible(Exception):
    """A group has no valid individual plan at all, so the scenario is infeasible."""


def _proven(value: float, bound: float, factor: Fraction | int) -> bool:
    if bound == -math.inf:
        return False
    return value * factor <= math.ceil(bound * factor - 1e-6) + 1e-6


def solve_patterns(
    scenario: Scenario,
    *,
    time_limit_s: float = 60.0,
    workers: int = 2,
    progress: ProgressFn | None = None,
    stop: Stop = None,
    seed_plan: Plan | None = None,
    grouping: Grouping | None = None,
    engine: str = "local",
) -> Plan:
    """Pattern decomposition of a (possibly coupled) scenario; see the module docstring.

    Returns OPTIMAL when every objective stage met its column-generation bound, FEASIBLE
    with `bound` for the stages reached otherwise, UNKNOWN when no plan was found in time
    (the caller then falls back to the monolithic solver).
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    prog = Progress(progress, started, stop)
    grouping = grouping or group_learners(scenario)
    state = PatternSolve(grouping, workers=workers)
    if seed_plan is not None:
        state.seed(seed_plan)
    else:
        # The empty plan (when valid) and the greedy one (time-boxed) are the first
        # columns: the master starts feasible, and no answer is worse than greedy's.
        state.seed_empty()
        state.seed(greedy_plan(grouping.merged, deadline=started + GREEDY_SHARE * time_limit_s))
    stages = list(scenario.objective)
    fixed: dict[str, float] = {}
    bound: dict[ObjectiveName, float] = {}
    proven_all = True
    parallel = workers > 1 and len(state.groups) >= PARALLEL_GROUPS
    # pricing worker processes: one per core at most
    state.open_pricing(min(workers, os.cpu_count() or 1) if parallel else 1, engine)
    try:
        for i, stage in enumerate(stages):
            if prog.stopped():
                break  # cancelled: keep the plan of the stages done so far
            # The first stage matters most (and builds every pricing model): give it
            # most of the time; later stages share the rest evenly.
            left = deadline - time.perf_counter()
            share = left * (0.85 if i == 0 and len(stages) > 1 else 1 / (len(stages) - i))
            stage_end = time.perf_counter() + share
            lb, state.lp_x = -math.inf, {}
            if proven_all:
                lb = state.column_generation(stage, fixed, time.perf_counter() + share * 0.85, prog)
            counts = _round_and_solve(state, stage, fixed, stage_end, prog)
            if counts is None:
                if state.counts is None:
                    break
                counts = state.counts
            state.counts = counts
            value = state.plan_value(counts, stage)
            if proven_all and _proven(value, lb, state.factor[stage]):
                bound[stage] = value
            else:
                if proven_all and lb > -math.inf:
                    bound[stage] = max(lb, 0.0)  # every component is a sum of non-negatives
                proven_all = False
            fixed[stage] = value
            state.fixed_scaled[stage] = state.plan_scaled(counts, stage)
            prog.send(stage, value, bound.get(stage))
        if not stages:
            counts = state.integer_master(None, {}, deadline - time.perf_counter(), prog)
            state.counts = counts or state.counts
    except Infeasible:
        state.counts = None
        proven_all = False
    finally:
        state.pricing.close()
    stats: dict[str, Any] = {
        "solver": "cp-sat patterns",
        "solve_time_s": round(time.perf_counter() - started, 3),
        "groups": len(state.groups),
        "columns": len(state.columns),
        "column_generation": state.log,
    }
    if engine != "local":
        stats["engine"] = engine
    if not state.exact:
        # Rounded numbers: patterns are valid, but the pricing bounds prove nothing.
        proven_all, bound = False, {}
        stats["rounding"] = "values rounded to fit int64: optimality not claimed"
    if state.counts is None:
        return Plan(scenario=scenario.name, status="UNKNOWN", bound=bound or None, stats=stats)
    status: Status = "OPTIMAL" if proven_all and len(bound) == len(stages) else "FEASIBLE"
    return build_plan(state, state.counts, status, bound, stats)


def build_plan(
    state: PatternSolve,
    counts: dict[int, int],
    status: Status,
    bound: dict[ObjectiveName, float],
    stats: dict[str, Any],
) -> Plan:
    """Hand each member of a group one of the group's patterns, as the counts say.

    A learner entry is built once per (group, pattern) and copied per member under its
    own id: 100,000 members of a few hundred groups share a few thousand entries."""
    s = state.grouping.original
    member_plan: dict[str, LearnerPlan] = {}
    for g, group in enumerate(state.groups):
        queue: list[Pattern] = []
        for k in sorted(state.pool[g].values()):
            queue += [state.columns[k].pattern] * counts.get(k, 0)
        learner = state.learners[g].model_copy(update={"count": 1})
        alone = s.model_copy(update={"learners": [learner]})
        terms = s.learner_terms(learner)
        built: dict[tuple[tuple[str, str], ...], LearnerPlan] = {}
        for (member, _), pattern in zip(group.members, queue, strict=True):
            entry = built.get(pattern.takes)
            if entry is None:
                schedule: dict[str, list[str]] = {t: [] for t in terms}
                for cid, tid in pattern.takes:
                    schedule[tid].append(cid)
                one = plan_from_schedules(
                    alone,
                    {learner.id: schedule},
                    reasons={learner.id: _reasons(s, learner, pattern)},
                )
                entry = built[pattern.takes] = one.learners[0]
            member_plan[member] = entry.model_copy(update={"id": member})
    learners = [member_plan[lr.id] for lr in s.learners]
    objective = {name: state.plan_value(counts, name) for name in OBJECTIVE_NAMES}
    plan = Plan(
        scenario=s.name,
        status=status,
        objective=objective,
        learners=learners,
        sections=count_sections(s, learners),
        stats=stats,
    )
    plan.bound = dict(objective) if status == "OPTIMAL" else (bound or None)
    return plan


def _reasons(s: Scenario, learner: Learner, pattern: Pattern) -> dict[str, str]:
    level = s.start_levels(learner)
    needs = s.needs(learner)
    out = {}
    for cid, _ in pattern.takes:
        raised = []
        for skill, lv in sorted(s.course(cid).teaches.items()):
            before = level.get(skill, 0)
            if lv > before:
                level[skill] = lv
                if skill in needs:
                    raised.append(f"{skill} {before}→{lv} (needed {needs[skill][0]})")
        out[cid] = "raises " + ", ".join(raised) if raised else "prerequisite or credit filler"
    return out
