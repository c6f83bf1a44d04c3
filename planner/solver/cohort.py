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

import contextlib
import math
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.scenario import Learner, Plan, Scenario
from planner.solver.grouping import (
    Group,
    Grouping,
    assign_plans,
    count_sections,
    coupled_courses,
    group_learners,
    merge_is_exact,
    split_plan,
)
from planner.solver.scale import (
    SAFE_SUM,
    Scale,
    credit_scale,
    exact,
    money_scale,
    sections_upper,
    weight_scale,
)
from planner.solver.solve import clamp_workers

COMPONENTS = ("gap", "cost", "credits", "lateness")
# learners × courses up to which the monolithic model backs up an unproven pattern plan
SMALL = 2_000
# learners × courses × terms up to which the monolithic model is also tried on a coupled
# cohort that patterns did not prove: it wins when pricing is too slow to converge
# (measured: 300 groups × 80 courses × 6 terms, 43 323 against the patterns' 48 683).
MEDIUM = 200_000
# groups priced between two checks of the stop signal
PRICE_SLICE = 64
EPS = 1e-6
# Wentges smoothing: weight of the best-bound prices when mixing with the master's duals
SMOOTHING = 0.0
# groups from which pricing runs in worker processes (below, start-up costs more)
PARALLEL_GROUPS = 300


# --------------------------------------------------------------------------- numbers
# One scaling for both solvers (scale.py): exact decimal factors while the sums fit int64,
# limits clamped where they cannot bind, rounding (in the safe direction) only beyond that.


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class Pattern:
    """One person's plan: (course, term) pairs and its per-person objective components."""

    takes: tuple[tuple[str, str], ...]
    gap: float
    cost: float
    credits: float
    lateness: int

    def comp(self, name: str) -> float:
        return getattr(self, name)


def evaluate_pattern(scenario: Scenario, learner: Learner, takes) -> Pattern:
    term_pos = {t.id: i for i, t in enumerate(scenario.terms)}
    level = scenario.start_levels(learner)
    cost = credits = 0.0
    lateness = 0
    for cid, tid in takes:
        course = scenario.course(cid)
        cost += course.cost
        credits += course.credits
        lateness += term_pos[tid]
        for skill, lv in course.teaches.items():
            level[skill] = max(level.get(skill, 0), lv)
    gap = sum(
        w * max(0, need - level.get(s, 0)) for s, (need, w) in scenario.needs(learner).items()
    )
    ordered = tuple(sorted(takes, key=lambda ct: (term_pos[ct[1]], ct[0])))
    return Pattern(ordered, gap, cost, credits, lateness)


def relevant_courses(scenario: Scenario, learner: Learner) -> list[str]:
    """Courses some optimal plan of this learner may take.

    When no term of the learner has a credit minimum, a course that raises no needed skill
    and enables no such course only adds cost, credits, lateness and seat use; dropping it
    from any plan keeps the plan valid and no worse on every objective component and every
    price, so patterns never need it. With a credit minimum anything may fill the term.
    """
    terms = {t.id: t for t in scenario.terms}
    completed = set(learner.completed)
    usable = [
        c
        for c in scenario.courses
        if c.id not in completed and c.id not in learner.excluded and c.max_sections > 0
    ]
    if any(terms[t].min_credits > 0 for t in scenario.learner_terms(learner)):
        return [c.id for c in usable]
    start = scenario.start_levels(learner)
    needs = scenario.needs(learner)
    by_id = {c.id: c for c in usable}
    keep = {
        c.id
        for c in usable
        if any(
            lv > start.get(s, 0) and s in needs and needs[s][0] > start.get(s, 0)
            for s, lv in c.teaches.items()
        )
    }
    keep |= {c for c in learner.required if c in by_id} | {c for c in learner.pinned if c in by_id}
    frontier = list(keep)
    while frontier:
        course = by_id[frontier.pop()]
        more = set(course.prerequisites) | {p for g in course.prerequisites_any for p in g}
        for skill, lv in course.requires_skills.items():
            if start.get(skill, 0) < lv:
                more |= {c.id for c in usable if c.teaches.get(skill, 0) >= lv}
        for cid in more:
            if cid in by_id and cid not in keep:
                keep.add(cid)
                frontier.append(cid)
    return [c.id for c in usable if c.id in keep]


class PricingModel:
    """Exact CP-SAT model of one person of a group: rules 1-4, 5 (own budget) and 7.

    Built once per group; each pricing call only replaces the objective.
    """

    def __init__(
        self,
        scenario: Scenario,
        learner: Learner,
        credits: Scale | None = None,
        money: Scale | None = None,
    ):
        self.s = scenario
        self.courses = {c.id: c for c in scenario.courses}
        self.credits = credits or credit_scale(scenario)
        self.money = money or money_scale(scenario)
        self.learner = learner
        self.m = cp_model.CpModel()
        self.take: dict[tuple[str, str], cp_model.IntVar] = {}
        self.reach: list[tuple[float, cp_model.IntVar]] = []
        self.gap_constant = 0.0
        self.feasible_shape = True
        self._build()
        self.solver = cp_model.CpSolver()
        params = self.solver.parameters
        params.num_workers = 1
        params.max_time_in_seconds = 5.0
        # Tiny models: probing and symmetry detection cost more than they save.
        params.cp_model_probing_level = 0
        params.symmetry_level = 0
        # No LP relaxation: on these models it halves the solve time (measured).
        params.linearization_level = 0

    def _build(self) -> None:
        s, lr, m = self.s, self.learner, self.m
        course_of = self.courses.__getitem__
        terms = s.learner_terms(lr)
        pos = {t: i for i, t in enumerate(terms)}
        term_obj = {t.id: t for t in s.terms}
        courses = relevant_courses(s, lr)
        for cid in courses:
            course = course_of(cid)
            for tid in terms:
                if s.is_offered(course, term_obj[tid]):
                    self.take[cid, tid] = m.new_bool_var(f"x[{cid},{tid}]")
        by_course: dict[str, list] = {}
        for (cid, tid), var in self.take.items():
            by_course.setdefault(cid, []).append((tid, var))
        completed = set(lr.completed)
        start = s.start_levels(lr)

        def before(course_ids, tid):
            return [v for c in course_ids for t2, v in by_course.get(c, []) if pos[t2] < pos[tid]]

        for cid, options in by_course.items():
            m.add_at_most_one(v for _, v in options)
            course = course_of(cid)
            groups = [[p] for p in course.prerequisites if p not in completed]
            groups += [g for g in course.prerequisites_any if not completed.intersection(g)]
            for skill, lv in course.requires_skills.items():
                if start.get(skill, 0) < lv:
                    groups.append([c.id for c in s.courses if c.teaches.get(skill, 0) >= lv])
            for tid, var in options:
                for group in groups:
                    m.add_bool_or(before(group, tid)).only_enforce_if(var)
        # Scaled like the monolithic model: usage rounded up against a maximum and down
        # against a minimum (only an inexact family rounds), limits clamped to fit int64.
        credits, money = self.credits, self.money
        cr_hi = {c: credits.up(course_of(c).credits) for c in by_course}
        cr_lo = (
            cr_hi if credits.exact else {c: credits.down(course_of(c).credits) for c in by_course}
        )
        cr_upper = sum(cr_hi.values())
        for tid in terms:
            term = term_obj[tid]
            here = [(c, v) for (c, t), v in self.take.items() if t == tid]
            limits = [x for x in (term.max_credits, lr.max_credits) if x is not None]
            if limits:
                cap = min(credits.down(min(limits)), cr_upper + 1)
                m.add(sum(cr_hi[c] * v for c, v in here) <= cap)
            if term.min_credits > 0:
                least = min(credits.up(term.min_credits), cr_upper + 1)
                m.add(sum(cr_lo[c] * v for c, v in here) >= least)
        if lr.budget is not None:
            cost = {c: money.up(course_of(c).cost) for c in by_course}
            cap = min(money.down(lr.budget), sum(cost.values()) + 1)
            m.add(sum(cost[c] * v for (c, _), v in self.take.items()) <= cap)
        for cid in lr.required:
            if cid not in completed:
                m.add_bool_or([v for _, v in by_course.get(cid, [])])
        for cid, tid in lr.pinned.items():
            var = self.take.get((cid, tid))
            if var is None:
                self.feasible_shape = False
            else:
                m.add(var == 1)
        close = s.gap_mode_of(lr) == "close"
        for skill, (need, weight) in s.needs(lr).items():
            prev = None
            for k in range(start.get(skill, 0) + 1, need + 1):
                providers = [
                    v for (c, _), v in self.take.items() if course_of(c).teaches.get(skill, 0) >= k
                ]
                if not providers:
                    self.gap_constant += weight * (need - k + 1)
                    if close:
                        self.feasible_shape = False
                    break
                lit = m.new_bool_var(f"reach[{skill},{k}]")
                m.add_bool_or(providers).only_enforce_if(lit)
                if prev is not None:
                    m.add_implication(lit, prev)
                if close:
                    m.add(lit == 1)
                self.reach.append((weight, lit))
                prev = lit
        self.gap_full = self.gap_constant + sum(w for w, _ in self.reach)

    def price(
        self, coef: dict[str, float], seat_price: dict[tuple[str, str], float], time_limit: float
    ) -> tuple[Pattern | None, float]:
        """Best pattern for Σ coef·component − Σ seat_price·uses; returns (pattern, bound).

        `bound` is a proven lower bound on that minimum (None pattern: infeasible)."""
        if not self.feasible_shape:
            return None, math.inf
        s = self.s
        course_of = self.courses.__getitem__
        term_pos = {t.id: i for i, t in enumerate(s.terms)}
        variables, coefs = [], []
        for (cid, tid), var in self.take.items():
            c = course_of(cid)
            w = (
                coef.get("cost", 0) * c.cost
                + coef.get("credits", 0) * c.credits
                + coef.get("lateness", 0) * term_pos[tid]
                - seat_price.get((cid, tid), 0.0)
            )
            if w:
                variables.append(var)
                coefs.append(w)
        g = coef.get("gap", 0)
        if g:
            variables += [lit for _, lit in self.reach]
            coefs += [-g * w for w, _ in self.reach]
        # The prices are floats, so the objective is too. CP-SAT would scale it to integers
        # with a precision (~1e-6 of its range) coarser than decimal data can differ by
        # (0.1000009 vs 2 x 0.0500001), and its bound would then be off by more than any
        # slack: scale it ourselves to about 2^40 and account for every rounding error.
        total = 1.0 + sum(abs(c) for c in coefs)
        factor = 2.0**40 / total
        scaled = [round(c * factor) for c in coefs]
        error = sum(abs(q - c * factor) for q, c in zip(scaled, coefs, strict=True))
        self.m.minimize(cp_model.LinearExpr.weighted_sum(variables, scaled))
        self.solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        status = self.solver.solve(self.m)
        if status == cp_model.INFEASIBLE:
            return None, math.inf
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, -math.inf
        takes = [ct for ct, v in self.take.items() if self.solver.boolean_value(v)]
        # Σ c·x ≥ (Σ round(c·f)·x − Σ |rounding errors|) / f, minus float noise.
        bound = (self.solver.best_objective_bound - error - 1.0) / factor - 1e-12 * total
        return evaluate_pattern(s, self.learner, takes), bound + g * self.gap_full

    def meta(self) -> PricerMeta:
        """What the master needs to bound this group's pricing value at new prices."""
        term_pos = {t.id: i for i, t in enumerate(self.s.terms)}
        per_course: dict[str, list[str]] = {}
        for cid, tid in self.take:
            per_course.setdefault(cid, []).append(tid)
        cost = sum(self.courses[c].cost for c in per_course)
        if self.learner.budget is not None:
            cost = min(cost, self.learner.budget)
        top = {
            "gap": self.gap_full,
            "cost": cost,
            "credits": sum(self.courses[c].credits for c in per_course),
            "lateness": sum(max(term_pos[t] for t in ts) for c, ts in per_course.items()),
        }
        return PricerMeta(per_course, top, self.feasible_shape)


@dataclass(frozen=True)
class PricerMeta:
    per_course: dict[str, list[str]]  # course -> terms this group may take it in
    top: dict[str, float]  # an upper bound on each component of any of its patterns
    feasible_shape: bool


# --------------------------------------------------------------------------- pricing


@dataclass(frozen=True)
class Prices:
    """Non-negative prices of the master's rows: seats, the budget, fixed earlier stages.

    A pattern's value at these prices is its stage component plus what its seats and money
    and earlier components cost: Σ coef·component + Σ seat prices of what it takes."""

    stage: str
    seat: dict[tuple[str, str], float]
    mu: float = 0.0
    fix: dict[str, float] = field(default_factory=dict)

    @classmethod
    def zero(cls, stage: str) -> Prices:
        return cls(stage, {})

    def coef(self) -> dict[str, float]:
        coef = {name: self.fix.get(name, 0.0) for name in COMPONENTS}
        coef[self.stage] += 1.0
        coef["cost"] += self.mu
        return coef

    def value(self, pattern: Pattern) -> float:
        c = self.coef()
        seat = self.seat
        return sum(c[n] * pattern.comp(n) for n in COMPONENTS) + sum(
            seat.get(ct, 0.0) for ct in pattern.takes
        )

    def mix(self, other: Prices, alpha: float) -> Prices:
        """alpha·self + (1 − alpha)·other."""
        keys = set(self.seat) | set(other.seat)
        return Prices(
            self.stage,
            {k: alpha * self.seat.get(k, 0.0) + (1 - alpha) * other.seat.get(k, 0.0) for k in keys},
            alpha * self.mu + (1 - alpha) * other.mu,
            {
                n: alpha * self.fix.get(n, 0.0) + (1 - alpha) * other.fix.get(n, 0.0)
                for n in set(self.fix) | set(other.fix)
            },
        )

    def drop_bound(self, old: Prices, meta: PricerMeta) -> float:
        """A lower bound (≤ 0) on how much any pattern of the group got cheaper since `old`.

        Components are between 0 and `meta.top`; a course is taken at most once, so its
        seats save at most its largest price drop over its terms."""
        new_c, old_c = self.coef(), old.coef()
        total = sum(min(0.0, new_c[n] - old_c[n]) * meta.top[n] for n in COMPONENTS)
        seat, before = self.seat, old.seat
        for cid, terms in meta.per_course.items():
            total += min(
                0.0, min(seat.get((cid, t), 0.0) - before.get((cid, t), 0.0) for t in terms)
            )
        return total


def _price_groups(models, make, jobs, coef, seat, time_limit, stopped=None):
    """Price `jobs` with the models in `models` (built on first use by `make`); a group
    left out of the answer was not priced (time ran out or `stopped()`)."""
    end = time.perf_counter() + time_limit
    out = {}
    with _interrupting(models, stopped) as current:
        for g in jobs:
            if stopped is not None and stopped():
                break
            meta = None
            model = models.get(g)
            if model is None:
                model = models[g] = make(g)
                meta = model.meta()
            prices = {ct: -seat[ct] for ct in model.take if seat.get(ct)}
            left = end - time.perf_counter()
            if left <= 0:
                break
            current[0] = model
            pattern, bound = model.price(coef, prices, left)
            out[g] = (pattern, bound, meta)
    return out


@contextlib.contextmanager
def _interrupting(models, stopped):
    """While pricing runs, stop the current model's search as soon as `stopped()` (an
    interrupted CP-SAT solve still reports a valid bound)."""
    current = [None]
    if stopped is None:
        yield current
        return
    done = threading.Event()

    def watch():
        while not done.wait(0.02):
            if stopped() and current[0] is not None:
                current[0].solver.stop_search()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield current
    finally:
        done.set()
        watcher.join()


def _serve() -> None:
    """A pricing worker process (see PricingPool): owns the models of the groups it is
    sent and answers one request per round, until its input closes."""
    import os
    import pickle
    import sys
    from multiprocessing.connection import Connection

    # Our answers go to the original stdout; anything printed goes to stderr instead.
    out = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    inp = Connection(0, writable=False)
    scenario, credits, money = pickle.loads(inp.recv_bytes())
    models: dict[int, PricingModel] = {}

    def make(g):
        return PricingModel(scenario, scenario.learners[g], credits, money)

    while True:
        try:
            request = inp.recv()
        except EOFError:
            return
        if request is None:
            return
        out.send(_price_groups(models, make, *request))


class PricingPool:
    """Prices groups in this process or, for large cohorts, in worker processes.

    CP-SAT releases the GIL while it solves, but building and driving thousands of small
    models is Python work, so threads would not scale: each worker process owns a fixed
    share of the groups (g mod processes) and keeps their models between rounds.
    Workers are fresh interpreters (not forks) so that neither a web worker pool's locks
    nor the caller's __main__ module are carried into them.
    """

    def __init__(self, scenario: Scenario, credits: Scale, money: Scale, processes: int = 1):
        self.s, self.credits, self.money = scenario, credits, money
        self.models: dict[int, PricingModel] = {}
        self.procs, self.sends, self.recvs = [], [], []
        if processes > 1:
            try:
                self._start(processes)
            except OSError:
                self.close()

    def _start(self, processes: int) -> None:
        import os
        import pickle
        import sys
        from multiprocessing.connection import Connection
        from pathlib import Path

        import planner

        root = str(Path(planner.__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        payload = pickle.dumps((self.s, self.credits, self.money))
        for _ in range(processes):
            proc = subprocess.Popen(
                [sys.executable, "-c", "from planner.solver.cohort import _serve; _serve()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
            self.procs.append(proc)
            self.sends.append(Connection(os.dup(proc.stdin.fileno()), readable=False))
            self.recvs.append(Connection(os.dup(proc.stdout.fileno()), writable=False))
            proc.stdin.close()
            proc.stdout.close()
            self.sends[-1].send_bytes(payload)

    def _make(self, g: int) -> PricingModel:
        return PricingModel(self.s, self.s.learners[g], self.credits, self.money)

    def price(self, jobs, coef, seat, time_limit, stopped=None) -> dict:
        """g -> (pattern or None, lower bound, PricerMeta on a model's first use)."""
        if self.procs:
            try:
                n = len(self.procs)
                for i, conn in enumerate(self.sends):
                    conn.send(([g for g in jobs if g % n == i], coef, seat, time_limit))
                out = {}
                for conn in self.recvs:
                    out.update(conn.recv())
                return out
            except (EOFError, OSError):
                # A worker died: carry on in this process (its models rebuild on use).
                self.close()
        return _price_groups(self.models, self._make, jobs, coef, seat, time_limit, stopped)

    def close(self) -> None:
        for conn in self.sends + self.recvs:
            with contextlib.suppress(OSError):
                conn.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:  # a stuck worker must not outlive the solve
                proc.kill()
                proc.wait()
        self.procs, self.sends, self.recvs = [], [], []


# --------------------------------------------------------------------------- the master


@dataclass
class Column:
    group: int
    pattern: Pattern
    var: object = None


@dataclass
class Progress:
    report: Callable[[dict], None] | None
    started: float
    stop: object = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def stopped(self) -> bool:
        if self.stop is None:
            return False
        return self.stop.is_set() if hasattr(self.stop, "is_set") else bool(self.stop())

    def send(self, stage: str, objective=None, bound=None) -> None:
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
    pool: list[dict] = field(default_factory=list)  # group -> {takes: column index}
    counts: dict[int, int] | None = None  # column -> units, the incumbent
    log: list[dict] = field(default_factory=list)

    def __post_init__(self):
        s = self.grouping.merged
        self.s = s
        self.groups: list[Group] = self.grouping.groups
        self.learners = s.learners  # merged learner per group, same order
        self.pool = [dict() for _ in self.groups]
        self.meta: list[PricerMeta | None] = [None] * len(self.groups)
        self.pricing: PricingPool | None = None
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
        self.scales = {"gap": self.weight, "cost": self.money, "credits": self.credit}
        self.factor = {name: sc.factor for name, sc in self.scales.items()}
        self.factor["lateness"] = 1
        # Rounded usage (sums too large for exact scaling) restricts the pricing models
        # to a subset of the valid patterns: their bounds then prove nothing.
        self.exact = self.credit.exact and self.money.exact and self.weight.exact
        self.fixed_scaled: dict[str, int] = {}
        self._numbers: dict[int, tuple[dict, dict]] = {}
        self.term_pos = {t.id: i for i, t in enumerate(s.terms)}
        self._price_cache: list[tuple | None] = [None] * len(self.groups)

    # ----- columns ------------------------------------------------------------------
    def open_pricing(self, processes: int, engine: str = "local") -> None:
        if engine == "ray":  # actors on the Ray cluster (as many as it has CPUs)
            from planner.solver.engine import RayPricingPool

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
        names = ("gap", "cost", "credits", "lateness")
        value = dict.fromkeys(names, Fraction(0))
        scaled = dict.fromkeys(names, 0)
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

    def capacity(self, course) -> int:
        """Seats per section; one above everyone's count acts like everyone's count."""
        return min(course.capacity or self.total_people, self.total_people)

    def max_sections(self, course) -> int:
        if course.capacity is None:
            return 1
        return min(course.max_sections, sections_upper(course, self.total_people))

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
            out[cid, tid] = 1 if course.capacity is None else -(-n // course.capacity)
        return out

    # ----- LP master and pricing ----------------------------------------------------
    def column_generation(
        self, stage: str, fixed: dict[str, float], deadline: float, progress: Progress
    ) -> float:
        """Column generation for one stage; returns a proven lower bound on it.

        Duals are smoothed (Wentges): pricing happens at a mix of the best-bound duals so
        far and the restricted master's duals, which damps the oscillation that otherwise
        costs many rounds. Every complete round yields the Lagrangian bound at the prices
        it used (valid at any non-negative prices); a round at the master's own duals that
        finds no improving pattern proves the LP optimum itself.
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
        best_bound, centre = -math.inf, None
        rounds, at_master = 0, True
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
            at = master if (at_master or centre is None) else centre.mix(master, SMOOTHING)
            result = self._price_round(at, deadline, progress.stopped)
            if result is None:  # time ran out mid-round: no bound from this round
                break
            value, patterns = result
            bound = value + rest_of_lagrangian(at)
            if bound > best_bound:
                best_bound, centre = bound, at
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
            if not added:
                if at is master and z is not None:
                    best_bound = max(best_bound, z)  # no pattern prices out: LP optimum
                    break
                at_master = True  # mispricing at smoothed prices: price at the master's
                continue
            at_master = False
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

    def _price_round(self, at: Prices, deadline: float, stopped: Callable[[], bool]):
        """Σ_g units·unit·(least pattern value at `at`) as a proven lower bound, and the
        least patterns found; None when time ran out before every group was bounded.

        A group is skipped when its last pricing value, lowered by the most any price
        drop since could save, already meets its best known pattern at the new prices:
        then that bound is exact enough and solving again cannot find a better pattern.
        """
        coef = at.coef()
        jobs, least = [], [0.0] * len(self.groups)
        for g in range(len(self.groups)):
            meta, cached = self.meta[g], self._price_cache[g]
            if meta is None or cached is None:
                jobs.append(g)
                continue
            low = cached[1] + at.drop_bound(cached[0], meta)
            best = min(at.value(self.columns[k].pattern) for k in self.pool[g].values())
            if low >= best - 1e-9 * max(1.0, abs(best)):
                least[g] = low
            else:
                jobs.append(g)
        patterns = []
        self.priced.append(len(jobs))
        # Price in slices so that a cancel is noticed within one slice, not one round.
        answers = {}
        for first in range(0, len(jobs), PRICE_SLICE):
            left = deadline - time.perf_counter()
            if left <= 0 or stopped():
                return None
            chunk = jobs[first : first + PRICE_SLICE]
            answers.update(self.pricing.price(chunk, coef, at.seat, left, stopped))
        if jobs:
            for g in jobs:
                answer = answers.get(g)
                if answer is None:
                    return None
                pattern, bound, meta = answer
                if meta is not None:
                    self.meta[g] = meta
                if pattern is None:
                    if bound == math.inf:
                        raise Infeasible(self.groups[g].id)
                    return None
                self._price_cache[g] = (at, bound)
                least[g] = bound
                patterns.append((g, pattern))
        total = sum(grp.units * grp.unit * v for grp, v in zip(self.groups, least, strict=True))
        return total, patterns

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
        users: dict[tuple[str, str], list] = {}
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

        def expr(name: str):
            e = sum(
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


def _round_and_solve(state, stage, fixed, stage_end, prog) -> dict[int, int] | None:
    """Integer master, started from a dive: every column keeps at least the whole units
    the last LP gave it, CP-SAT places the rest (small, fast, usually near the LP value);
    the full master then improves on it with that plan as a hint."""
    lower = {k: math.floor(v + 1e-6) for k, v in state.lp_x.items() if v >= 1 - 1e-6}
    dive = None
    if lower:
        left = stage_end - time.perf_counter()
        dive = state.integer_master(stage, fixed, 0.6 * left, prog, lower=lower)
        if dive is not None:
            state.counts = dive  # the full master's hint
    full = state.integer_master(stage, fixed, stage_end - time.perf_counter(), prog)
    found = [c for c in (dive, full) if c is not None]
    return min(found, key=lambda c: state.plan_value(c, stage)) if found else None


class Infeasible(Exception):
    """A group has no valid individual plan at all, so the scenario is infeasible."""


# --------------------------------------------------------------------------- entry points


def _proven(value: float, bound: float, factor: int) -> bool:
    if bound == -math.inf:
        return False
    return value * factor <= math.ceil(bound * factor - 1e-6) + 1e-6


def solve_patterns(
    scenario: Scenario,
    *,
    time_limit_s: float = 60.0,
    workers: int = 2,
    progress: Callable[[dict], None] | None = None,
    stop=None,
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
    elif not state.seed_empty():
        state.seed(_greedy(grouping.merged))
    stages = list(scenario.objective)
    fixed: dict[str, float] = {}
    bound: dict[str, float] = {}
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
    stats = {
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
    status = "OPTIMAL" if proven_all and len(bound) == len(stages) else "FEASIBLE"
    return build_plan(state, status, bound, stats)


def build_plan(state: PatternSolve, status: str, bound: dict, stats: dict) -> Plan:
    """Hand each member of a group one of the group's patterns, as the counts say.

    A learner entry is built once per (group, pattern) and copied per member under its
    own id: 100,000 members of a few hundred groups share a few thousand entries."""
    from planner.solver.greedy import plan_from_schedules

    s = state.grouping.original
    member_plan: dict[str, object] = {}
    for g, group in enumerate(state.groups):
        queue = []
        for k in sorted(state.pool[g].values()):
            queue += [state.columns[k].pattern] * state.counts.get(k, 0)
        learner = state.learners[g].model_copy(update={"count": 1})
        alone = s.model_copy(update={"learners": [learner]})
        terms = s.learner_terms(learner)
        built: dict[tuple, object] = {}
        for (member, _), pattern in zip(group.members, queue, strict=True):
            entry = built.get(pattern.takes)
            if entry is None:
                schedule = {t: [] for t in terms}
                for cid, tid in pattern.takes:
                    schedule[tid].append(cid)
                one = plan_from_schedules(
                    alone,
                    {learner.id: schedule},
                    status="FEASIBLE",
                    reasons={learner.id: _reasons(s, learner, pattern)},
                )
                entry = built[pattern.takes] = one.learners[0]
            member_plan[member] = entry.model_copy(update={"id": member})
    learners = [member_plan[lr.id] for lr in s.learners]
    objective = {name: state.plan_value(state.counts, name) for name in COMPONENTS}
    plan = Plan(
        scenario=s.name,
        status=status,
        objective=objective,
        learners=learners,
        sections=count_sections(s, learners),
        stats=stats,
    )
    plan.bound = dict(plan.objective) if status == "OPTIMAL" else (bound or None)
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


def _greedy(scenario: Scenario) -> Plan | None:
    try:
        from planner.solver.greedy import greedy_plan
    except ImportError:  # pragma: no cover - the baseline ships with the solver
        return None
    return greedy_plan(scenario)


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
    engine: str | None = None,
) -> Plan:
    """Solve a cohort: merge identical learners, then solve exactly or by patterns.

    - Nothing couples learners: the merged scenario goes to the monolithic solver and the
      answer (OPTIMAL stays OPTIMAL) is split back, every member getting its group's plan.
    - Seats, session costs or a scenario budget couple them: pattern decomposition, which
      may hand members of one group different plans; OPTIMAL only with a matching bound.
    - No plan found that way (or a group with no valid plan at all): the monolithic
      solver on the original scenario decides, with what time is left.

    `engine` (engine.py; default $PLANNER_ENGINE, else local): with `ray` pattern pricing
    runs in Ray actors; the masters and the monolithic model run in this process.
    """
    from planner.solver.engine import engine_name

    engine = engine_name(engine)
    plan = _solve_cohort(scenario, time_limit_s, workers, progress, stop, engine)
    if engine != "local":
        plan.stats = {**(plan.stats or {}), "engine": engine}
    return plan


def _solve_cohort(scenario, time_limit_s, workers, progress, stop, engine) -> Plan:
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
        engine=engine,
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
