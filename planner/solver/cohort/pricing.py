"""Pricing: the exact CP-SAT model of one person of a group (`PricingModel`), the prices
of the master's rows (`Prices`), and pricing a batch of groups in one process."""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from ortools.sat.python import cp_model

from planner.scenario import OBJECTIVE_NAMES, Learner, Scenario
from planner.solver.cohort.patterns import Pattern, evaluate_pattern, relevant_courses
from planner.solver.scale import Scale, credit_scale, money_scale


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
        self.taken: dict[str, cp_model.IntVar] = {}  # course -> taken in some term
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
        by_course: dict[str, list[tuple[str, cp_model.IntVar]]] = {}
        for (cid, tid), var in self.take.items():
            by_course.setdefault(cid, []).append((tid, var))
        completed = set(lr.completed)
        start = s.start_levels(lr)

        def before(course_ids: list[str], tid: str) -> list[cp_model.IntVar]:
            return [v for c in course_ids for t2, v in by_course.get(c, []) if pos[t2] < pos[tid]]

        for cid, options in by_course.items():
            taken = self.taken[cid] = m.new_bool_var(f"taken[{cid}]")
            m.add_exactly_one([~taken, *(v for _, v in options)])
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
            m.add(sum(cost[c] * self.taken[c] for c in by_course) <= cap)
        for cid in lr.required:
            if cid not in completed:
                m.add_bool_or([v for _, v in by_course.get(cid, [])])
        for cid, tid in lr.pinned.items():
            pin = self.take.get((cid, tid))
            if pin is None:
                self.feasible_shape = False
            else:
                m.add(pin == 1)
        close = s.gap_mode_of(lr) == "close"
        for skill, (need, weight) in s.needs(lr).items():
            prev = None
            for k in range(start.get(skill, 0) + 1, need + 1):
                providers = [
                    v for c, v in self.taken.items() if course_of(c).teaches.get(skill, 0) >= k
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

# A group's pricing answer: its least pattern (None: none found), a lower bound on that
# pattern's value, and the model's PricerMeta on its first use.
Answer = tuple[Pattern | None, float, PricerMeta | None]
Coef = dict[str, float]  # objective component -> its weight in a pattern's value
SeatPrices = dict[tuple[str, str], float]  # (course, term) -> price of a seat
Stopped = Callable[[], bool] | None  # True when pricing must stop


class Pricing(Protocol):
    """Where groups are priced: workers.PricingPool (processes) or engine.RayPricingPool."""

    def price(
        self,
        jobs: list[int],
        coef: Coef,
        seat: SeatPrices,
        time_limit: float,
        stopped: Stopped = None,
    ) -> dict[int, Answer]: ...

    def close(self) -> None: ...


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
        coef: dict[str, float] = {name: self.fix.get(name, 0.0) for name in OBJECTIVE_NAMES}
        coef[self.stage] += 1.0
        coef["cost"] += self.mu
        return coef

    def value(self, pattern: Pattern) -> float:
        c = self.coef()
        seat = self.seat
        return sum(c[n] * pattern.comp(n) for n in OBJECTIVE_NAMES) + sum(
            seat.get(ct, 0.0) for ct in pattern.takes
        )

    def drop_bound(self, old: Prices, meta: PricerMeta) -> float:
        """A lower bound (≤ 0) on how much any pattern of the group got cheaper since `old`.

        Components are between 0 and `meta.top`; a course is taken at most once, so its
        seats save at most its largest price drop over its terms."""
        new_c, old_c = self.coef(), old.coef()
        total = sum(min(0.0, new_c[n] - old_c[n]) * meta.top[n] for n in OBJECTIVE_NAMES)
        seat, before = self.seat, old.seat
        for cid, terms in meta.per_course.items():
            total += min(
                0.0, min(seat.get((cid, t), 0.0) - before.get((cid, t), 0.0) for t in terms)
            )
        return total


def price_groups(
    models: dict[int, PricingModel],
    make: Callable[[int], PricingModel],
    jobs: Iterable[int],
    coef: Coef,
    seat: SeatPrices,
    time_limit: float,
    stopped: Stopped = None,
) -> dict[int, Answer]:
    """Price `jobs` with the models in `models` (built on first use by `make`); a group
    left out of the answer was not priced (time ran out or `stopped()`)."""
    end = time.perf_counter() + time_limit
    out: dict[int, Answer] = {}
    with _interrupting(stopped) as current:
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
def _interrupting(
    stopped: Callable[[], bool] | None,
) -> Iterator[list[PricingModel | None]]:
    """While pricing runs, stop the current model's search as soon as `stopped()` (an
    interrupted CP-SAT solve still reports a valid bound)."""
    current: list[PricingModel | None] = [None]
    if stopped is None:
        yield current
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            model = current[0]
            if stopped() and model is not None:
                model.solver.stop_search()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield current
    finally:
        done.set()
        watcher.join()
