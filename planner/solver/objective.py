"""The four objective components: scaled CP-SAT expressions, and the exact values of a
finished schedule in the file's units (rule 8), which is what a plan reports."""

import math
from dataclasses import dataclass
from fractions import Fraction

from planner.scenario import Scenario
from planner.solver.model import Context
from planner.solver.scale import exact


@dataclass
class Expr:
    """constant + Σ coef × var, in integer units of `factor` per file unit."""

    name: str
    constant: int
    pairs: list  # (coef, var)
    factor: Fraction  # 10^k, k < 0 possible for astronomically large sums
    exact: bool = True  # False: coefficients were rounded (scale.py), the optimum may move

    def units(self, scaled: float | int) -> float:
        """A scaled value or bound in file units."""
        if isinstance(scaled, int):
            return float(Fraction(scaled) / self.factor)
        return float(scaled) / float(self.factor)

    def value(self, solution) -> int:
        return self.constant + sum(c * solution[v.index] for c, v in self.pairs)

    def lower(self) -> int:
        """A trivial bound: every coefficient of gap is negative on a 0/1 literal whose
        best value is 1, every other coefficient is positive on a variable ≥ 0."""
        return self.constant + sum(min(0, c) for c, _ in self.pairs)


def expressions(ctx: Context) -> dict[str, Expr]:
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


def _num(value: Fraction) -> float:
    return float(value)


def evaluate(scenario: Scenario, schedules: dict[str, dict[str, list[str]]]) -> dict:
    """Exact rule-8 values of `schedules` (learner id -> term -> courses), plus each
    learner's final levels, gaps, per-person cost and credits, and the sections."""
    term_index = {t.id: i for i, t in enumerate(scenario.terms)}
    totals = {"gap": Fraction(0), "cost": Fraction(0), "credits": Fraction(0), "lateness": 0}
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
        learners[learner.id] = {
            "final_levels": {k: v for k, v in sorted(levels.items()) if v > 0},
            "gaps": dict(sorted(gaps.items())),
            "cost": _num(cost),
            "credits": _num(credits),
        }
    sections = []
    order = {c.id: i for i, c in enumerate(scenario.courses)}
    for (cid, tid), count in sorted(
        enrolled.items(), key=lambda kv: (term_index[kv[0][1]], order[kv[0][0]])
    ):
        course = scenario.course(cid)
        n_sections = 1 if course.capacity is None else math.ceil(count / course.capacity)
        totals["cost"] += n_sections * exact(course.session_cost)
        sections.append({"course": cid, "term": tid, "enrolled": count, "sections": n_sections})
    objective = {k: _num(Fraction(v)) for k, v in totals.items()}
    return {"objective": objective, "learners": learners, "sections": sections}
