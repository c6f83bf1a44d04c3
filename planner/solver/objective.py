"""The four objective components: scaled CP-SAT expressions, and the exact values of a
finished schedule in the file's units (rule 8), which is what a plan reports."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ortools.sat.python import cp_model

from planner.scenario import OBJECTIVE_NAMES, Scenario, SectionPlan
from planner.scenario.models import ObjectiveName
from planner.solver.check import Schedules, sections_needed
from planner.solver.model import Context
from planner.solver.scale import exact


@dataclass
class Expr:
    """constant + Σ coef × var, in integer units of `factor` per file unit."""

    name: ObjectiveName
    constant: int
    pairs: list[tuple[int, cp_model.IntVar]]  # (coef, var)
    factor: Fraction  # 10^k, k < 0 possible for astronomically large sums
    exact: bool = True  # False: coefficients were rounded (scale.py), the optimum may move

    def units(self, scaled: float | int) -> float:
        """A scaled value or bound in file units."""
        if isinstance(scaled, int):
            return float(Fraction(scaled) / self.factor)
        return float(scaled) / float(self.factor)

    def value(self, solution: Sequence[int]) -> int:
        return self.constant + sum(c * solution[v.index] for c, v in self.pairs)

    def lower(self) -> int:
        """A trivial bound: every coefficient of gap is negative on a 0/1 literal whose
        best value is 1, every other coefficient is positive on a variable ≥ 0."""
        return self.constant + sum(min(0, c) for c, _ in self.pairs)


# The largest range a fused objective may span: integers up to 2^53 are exact in the
# doubles CP-SAT reports objective values and bounds in, so decoding stays exact.
FUSE_LIMIT = 2**53


@dataclass
class Fused:
    """Consecutive components minimised as one sum Σ w_i × f_i that is exactly
    lexicographic.

    Each f_i is an integer in [lo_i, lo_i + R_i] over all plans (R_i from the take-once
    groups: at most one take literal per learner and course is true). With
    w_last = 1 and w_i = 1 + Σ_{j>i} w_j × R_j, a plan better by one unit in f_i and
    worse by everything in the later ones still lowers the sum by at least
    w_i − Σ_{j>i} w_j R_j = 1, so an optimum of the sum is a lexicographic optimum, and
    the shifted sum Σ w_j (f_j − lo_j) is a mixed-radix number whose leading digit is
    f_1 − lo_1: a bound B on the sum gives f_1 ≥ lo_1 + ⌊(B − Σ w_j lo_j) / w_1⌋."""

    parts: list[Expr]
    weights: list[int]
    lows: list[int]

    @property
    def name(self) -> str:
        return "+".join(p.name for p in self.parts)

    @property
    def constant(self) -> int:
        return sum(w * p.constant for w, p in zip(self.weights, self.parts, strict=True))

    @property
    def pairs(self) -> list[tuple[int, cp_model.IntVar]]:
        merged: dict[int, tuple[int, cp_model.IntVar]] = {}
        for w, part in zip(self.weights, self.parts, strict=True):
            for c, v in part.pairs:
                total, _ = merged.get(v.index, (0, v))
                merged[v.index] = (total + w * c, v)
        return [(c, v) for c, v in merged.values() if c]

    def value(self, solution: Sequence[int]) -> int:
        return sum(w * p.value(solution) for w, p in zip(self.weights, self.parts, strict=True))

    def lower(self) -> int:
        return sum(w * p.lower() for w, p in zip(self.weights, self.parts, strict=True))

    def first(self, scaled: float) -> int:
        """The least f_1 of any plan whose sum is at least `scaled` (exact for a plan's
        own sum)."""
        base = sum(w * lo for w, lo in zip(self.weights, self.lows, strict=True))
        return self.lows[0] + math.floor((scaled - base) / self.weights[0])

    def units(self, scaled: float) -> float:
        """A sum (or a bound on it) as the first component in file units."""
        return self.parts[0].units(self.first(round(scaled)))


def ranges(ctx: Context, exprs: list[Expr]) -> list[tuple[int, int]]:
    """(lo, R) per component: f lies in [lo, lo + R] in every plan."""
    group = {}
    for info in ctx.learners:
        for cid, by_term in info.take.items():
            for var in by_term.values():
                group[var.index] = (info.index, cid)
    out = []
    for e in exprs:
        lo = e.lower()
        best: dict[tuple[int, str], tuple[int, int]] = {}
        spread = 0
        for c, v in e.pairs:
            key = group.get(v.index)
            if key is None:
                spread += abs(c) * ctx.upper_of([(1, v)])
            else:  # take-once: one literal of the group at most
                low, high = best.get(key, (0, 0))
                best[key] = (min(low, c), max(high, c))
        spread += sum(high - low for low, high in best.values())
        out.append((lo, spread))
    return out


def fuse(ctx: Context, exprs: list[Expr], limit: int = FUSE_LIMIT) -> list[Expr | Fused]:
    """Consecutive components grouped greedily into exactly lexicographic weighted sums
    whose range stays within `limit`; a group of one is the Expr itself."""
    spans = ranges(ctx, exprs)
    groups: list[list[int]] = []
    for i in range(len(exprs)):
        if groups and _weights([spans[j] for j in groups[-1] + [i]])[1] <= limit:
            groups[-1].append(i)
        else:
            groups.append([i])
    out: list[Expr | Fused] = []
    for g in groups:
        if len(g) == 1:
            out.append(exprs[g[0]])
            continue
        weights, _ = _weights([spans[j] for j in g])
        out.append(Fused([exprs[j] for j in g], weights, [spans[j][0] for j in g]))
    return out


def _weights(spans: list[tuple[int, int]]) -> tuple[list[int], int]:
    """Weights w_i = 1 + Σ_{j>i} w_j R_j (last first), and the sum's whole range."""
    weights, acc = [], 0
    for _, r in reversed(spans):
        w = 1 + acc
        weights.append(w)
        acc += w * r
    return weights[::-1], acc


def expressions(ctx: Context) -> dict[ObjectiveName, Expr]:
    gap_pairs, gap_constant = [], 0
    for info in ctx.learners:
        gap_constant += info.gap_constant
        for (skill, _), lit in info.reach.items():
            w = ctx.weights.up(info.needs[skill][1]) * info.learner.count
            gap_constant += w
            gap_pairs.append((-w, lit))
    credit_pairs, late_pairs = [], []
    for info in ctx.learners:
        n = info.learner.count
        for cid, by_term in info.take.items():
            cr = ctx.course_credits[cid]
            for tid, var in by_term.items():
                if cr:
                    credit_pairs.append((n * cr, var))
                if ctx.term_index[tid]:
                    late_pairs.append((n * ctx.term_index[tid], var))
    return {
        "gap": Expr("gap", gap_constant, gap_pairs, ctx.weights.factor, ctx.weights.exact),
        "cost": Expr("cost", 0, ctx.cost_terms(), ctx.money.factor, ctx.money.exact),
        "credits": Expr("credits", 0, credit_pairs, ctx.credits.factor, ctx.credits.exact),
        "lateness": Expr("lateness", 0, late_pairs, Fraction(1)),
    }


@dataclass
class LearnerValues:
    """One learner's exact outcome, per person (rule 8's inputs)."""

    final_levels: dict[str, int]
    gaps: dict[str, int]
    cost: float
    credits: float


@dataclass
class Values:
    objective: dict[ObjectiveName, float]
    learners: dict[str, LearnerValues]
    sections: list[SectionPlan]  # in term order, then course order


def evaluate(scenario: Scenario, schedules: Schedules) -> Values:
    """Exact rule-8 values of `schedules` (learner id -> term -> courses), plus each
    learner's final levels, gaps, per-person cost and credits, and the sections."""
    term_index = {t.id: i for i, t in enumerate(scenario.terms)}
    totals = {name: Fraction(0) for name in OBJECTIVE_NAMES}
    learners = {}
    enrolled: dict[tuple[str, str], int] = {}
    for learner in scenario.learners:
        schedule = schedules.get(learner.id, {})
        levels = dict(scenario.start_levels(learner))
        cost = credits = Fraction(0)
        lateness = 0
        for tid, courses in schedule.items():
            for cid in courses:
                course = scenario.course(cid)
                for skill, level in course.teaches.items():
                    levels[skill] = max(levels.get(skill, 0), level)
                cost += exact(course.cost)
                credits += exact(course.credits)
                lateness += term_index[tid]
                enrolled[(cid, tid)] = enrolled.get((cid, tid), 0) + learner.count
        gaps, gap = {}, Fraction(0)
        for skill, (need, weight) in scenario.needs(learner).items():
            short = max(0, need - levels.get(skill, 0))
            if short:
                gaps[skill] = short
                gap += exact(weight) * short
        n = learner.count
        totals["gap"] += n * gap
        totals["cost"] += n * cost
        totals["credits"] += n * credits
        totals["lateness"] += n * lateness
        learners[learner.id] = LearnerValues(
            final_levels={k: v for k, v in sorted(levels.items()) if v > 0},
            gaps=dict(sorted(gaps.items())),
            cost=float(cost),
            credits=float(credits),
        )
    sections = []
    order = {c.id: i for i, c in enumerate(scenario.courses)}
    for (cid, tid), count in sorted(
        enrolled.items(), key=lambda kv: (term_index[kv[0][1]], order[kv[0][0]])
    ):
        course = scenario.course(cid)
        n_sections = sections_needed(count, course.capacity)
        totals["cost"] += n_sections * exact(course.session_cost)
        sections.append(SectionPlan(course=cid, term=tid, enrolled=count, sections=n_sections))
    objective = {k: float(v) for k, v in totals.items()}
    return Values(objective, learners, sections)
