"""Exact brute force for tiny scenarios (≤ 2 learners, ≤ 6 courses, ≤ 3 terms).

Written from the rules of scenario-format.md, separately from both the solver and
planner.solver.check, so that the three can judge one another: each learner's valid
schedules are enumerated term by term (every subset of the courses it may take), the
learners' schedules are combined, coupled rules (seats, scenario budget, session costs)
are applied, and the lexicographic optimum of the scenario's objective is kept.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from planner.scenario.models import Scenario

EPS = 1e-9
MAX_COMBINATIONS = 300_000


class TooBig(Exception):
    """The instance has too many combinations to enumerate quickly."""


@dataclass(frozen=True)
class Option:
    schedule: dict  # term -> tuple of courses
    gap: float
    cost: float  # course cost per person
    credits: float
    lateness: int


@dataclass
class Result:
    feasible: bool
    objective: dict | None = None  # all four components
    schedules: dict | None = None  # learner -> term -> list of courses
    key: tuple | None = None  # the optimised components, in the scenario's order


def _cap(*limits):
    values = [x for x in limits if x is not None]
    return min(values) if values else math.inf


def learner_options(s: Scenario, lr) -> list[Option]:
    """Every schedule of one learner that obeys the rules that concern it alone."""
    terms = {t.id: t for t in s.terms}
    pos = {t.id: i for i, t in enumerate(s.terms)}
    own = s.learner_terms(lr)
    needs = s.needs(lr)
    out: list[Option] = []

    def recurse(k, done, levels, spent, schedule):
        if k == len(own):
            finish(done, levels, spent, schedule)
            return
        term = terms[own[k]]
        cands = []
        for c in s.courses:
            if c.id in done or c.id in lr.excluded or not s.is_offered(c, term):
                continue
            if lr.pinned.get(c.id, term.id) != term.id:
                continue
            if not all(p in done for p in c.prerequisites):
                continue
            if not all(any(p in done for p in g) for g in c.prerequisites_any):
                continue
            if any(levels.get(sk, 0) < lv for sk, lv in c.requires_skills.items()):
                continue
            cands.append(c)
        must = {cid for cid, tid in lr.pinned.items() if tid == term.id}
        cap = _cap(term.max_credits, lr.max_credits)
        for r in range(len(cands) + 1):
            for combo in itertools.combinations(cands, r):
                ids = {c.id for c in combo}
                if not must <= ids:
                    continue
                credits = sum(c.credits for c in combo)
                if credits < term.min_credits - EPS or credits > cap + EPS:
                    continue
                cost = spent + sum(c.cost for c in combo)
                if lr.budget is not None and cost > lr.budget + EPS:
                    continue
                after = dict(levels)
                for c in combo:
                    for sk, lv in c.teaches.items():
                        after[sk] = max(after.get(sk, 0), lv)
                schedule[term.id] = tuple(c.id for c in combo)
                recurse(k + 1, done | ids, after, cost, schedule)
                del schedule[term.id]

    def finish(done, levels, spent, schedule):
        if any(c not in done for c in lr.required):
            return
        if any(cid not in done for cid in lr.pinned):
            return
        shortfall = {sk: need - levels.get(sk, 0) for sk, (need, _) in needs.items()}
        if s.gap_mode_of(lr) == "close" and any(v > 0 for v in shortfall.values()):
            return
        gap = sum(w * max(0, shortfall[sk]) for sk, (_, w) in needs.items())
        taken = [(cid, tid) for tid, cs in schedule.items() for cid in cs]
        out.append(
            Option(
                schedule=dict(schedule),
                gap=gap,
                cost=sum(s.course(c).cost for c, _ in taken),
                credits=sum(s.course(c).credits for c, _ in taken),
                lateness=sum(pos[t] for _, t in taken),
            )
        )

    recurse(0, frozenset(lr.completed), s.start_levels(lr), 0.0, {})
    return out


def brute_force(s: Scenario) -> Result:
    """The lexicographic optimum over every valid plan, or infeasible."""
    options = [learner_options(s, lr) for lr in s.learners]
    if any(not opts for opts in options):
        return Result(feasible=False)
    if math.prod(len(o) for o in options) > MAX_COMBINATIONS:
        raise TooBig(f"{[len(o) for o in options]} options per learner")
    best: Result | None = None
    for combo in itertools.product(*options):
        objective = _combined(s, combo)
        if objective is None:
            continue
        key = tuple(round(objective[n], 6) for n in s.objective)
        if best is None or key < best.key:
            schedules = {
                lr.id: {t: list(cs) for t, cs in opt.schedule.items()}
                for lr, opt in zip(s.learners, combo, strict=True)
            }
            best = Result(True, objective, schedules, key)
    return best or Result(feasible=False)


def _combined(s: Scenario, combo) -> dict | None:
    """Objective of one schedule per learner, or None if seats or the budget break."""
    enrolled: dict[tuple[str, str], int] = {}
    total = {"gap": 0.0, "cost": 0.0, "credits": 0.0, "lateness": 0.0}
    for lr, opt in zip(s.learners, combo, strict=True):
        k = lr.count
        total["gap"] += k * opt.gap
        total["cost"] += k * opt.cost
        total["credits"] += k * opt.credits
        total["lateness"] += k * opt.lateness
        for t, cs in opt.schedule.items():
            for c in cs:
                enrolled[(c, t)] = enrolled.get((c, t), 0) + k
    for (cid, _), n in enrolled.items():
        course = s.course(cid)
        sections = 1 if course.capacity is None else -(-n // course.capacity)
        if sections > course.max_sections:
            return None
        total["cost"] += sections * course.session_cost
    budget = s.constraints.budget
    if budget is not None and total["cost"] > budget + EPS * max(1.0, budget):
        return None
    return total
