"""Greedy baseline: term by term, take the course that closes most weighted gap per unit cost.

It respects every hard rule while it builds (offered, prerequisites, skill prerequisites,
credits, budgets, seats, staff rules) but never looks back, so on tight scenarios it can
fail: then the plan says UNKNOWN. It never claims OPTIMAL or INFEASIBLE. Benchmarks and
tests compare the CP-SAT solver against it; the cohort solver starts from it and falls back
on it, so it runs in near-linear time (learners × terms × candidate courses) and stops
filling terms at a deadline when it is given one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from planner.scenario import Course, Learner, Plan, Scenario, Term
from planner.solver.check import check_plan, sections_needed
from planner.solver.plan import plan_from_schedules

LOOKAHEAD = 0.5  # share of a follow-on course's value credited to the course that unlocks it


@dataclass
class _State:
    """One learner's progress while the greedy walks the terms."""

    learner: Learner
    levels: dict[str, int]  # at the start of the current term
    done: set[str]  # completed or taken in an earlier term
    needs: dict[str, tuple[int, float]] = field(default_factory=dict)
    paves: set[str] = field(default_factory=set)  # prerequisites of required/pinned courses
    candidates: list[Course] = field(default_factory=list)  # courses that may have a value
    taken: set[str] = field(default_factory=set)
    spent: float = 0.0
    schedule: dict[str, list[str]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


class _Greedy:
    def __init__(self, scenario: Scenario):
        self.s = scenario
        self.courses = scenario.courses
        self.order = {c.id: i for i, c in enumerate(scenario.courses)}
        self.enrolled: dict[tuple[str, str], int] = {}
        self.total = 0.0  # scenario-wide money spent so far
        self.reserve = 0.0  # money kept back for required and pinned courses not yet taken
        # course -> courses that list it as a prerequisite or need a skill it teaches
        self.unlocks: dict[str, list[Course]] = {c.id: [] for c in self.courses}
        self.unlockers: dict[str, list[str]] = {c.id: [] for c in self.courses}  # the reverse
        for c in self.courses:
            before = set(c.prerequisites) | {p for g in c.prerequisites_any for p in g}
            for d in self.courses:
                teaches_needed = any(d.teaches.get(k, 0) >= v for k, v in c.requires_skills.items())
                if d.id != c.id and (d.id in before or teaches_needed):
                    self.unlocks[d.id].append(c)
                    self.unlockers[c.id].append(d.id)

    # ---- rules, one small test each

    def _offered_and_new(self, st: _State, c: Course, term: Term) -> bool:
        lr = st.learner
        return (
            self.s.is_offered(c, term)
            and c.id not in st.done
            and c.id not in st.taken
            and c.id not in lr.excluded
            and lr.pinned.get(c.id, term.id) == term.id
        )

    def _prerequisites_met(self, st: _State, c: Course) -> bool:
        return (
            all(p in st.done for p in c.prerequisites)
            and all(any(p in st.done for p in g) for g in c.prerequisites_any)
            and all(st.levels.get(k, 0) >= v for k, v in c.requires_skills.items())
        )

    def _extra_cost(self, st: _State, c: Course, term: Term) -> float:
        """Money the scenario spends if this learner group joins course c in this term."""
        key = (c.id, term.id)
        now = self.enrolled.get(key, 0)
        k = st.learner.count
        more = sections_needed(now + k, c.capacity) - sections_needed(now, c.capacity)
        return k * c.cost + more * c.session_cost

    def _fits(self, st: _State, c: Course, term: Term, credits_now: float, reserve: float) -> bool:
        lr = st.learner
        cap = min(x for x in (term.max_credits, lr.max_credits, float("inf")) if x is not None)
        if credits_now + c.credits > cap + 1e-9:
            return False
        if lr.budget is not None and st.spent + c.cost > lr.budget + 1e-9:
            return False
        key = (c.id, term.id)
        if sections_needed(self.enrolled.get(key, 0) + lr.count, c.capacity) > c.max_sections:
            return False
        budget = self.s.constraints.budget
        return (
            budget is None or self.total + self._extra_cost(st, c, term) + reserve <= budget + 1e-9
        )

    def _take(self, st: _State, c: Course, term: Term, why: str) -> None:
        if self.s.constraints.budget is not None and c.id in self._reserved(st.learner):
            self.reserve -= st.learner.count * c.cost
        st.taken.add(c.id)
        st.spent += c.cost
        st.schedule[term.id].append(c.id)
        st.reasons[c.id] = why
        self.total += self._extra_cost(st, c, term)
        key = (c.id, term.id)
        self.enrolled[key] = self.enrolled.get(key, 0) + st.learner.count

    # ---- value of a course

    def _gain(self, st: _State, c: Course, pending: dict[str, int]) -> float:
        """Weighted gap closed by c on top of the levels this term already reaches."""
        gain = 0.0
        for skill, lv in c.teaches.items():
            if skill in st.needs:
                need, weight = st.needs[skill]
                gain += weight * max(0, min(need, lv) - pending.get(skill, 0))
        return gain

    def _value(
        self,
        st: _State,
        c: Course,
        pending: dict[str, int],
        memo: dict[tuple[str, int], float],
        depth: int = 2,
    ) -> float:
        """Own gain plus part of the best follow-on course it unlocks (two steps deep)."""
        key = (c.id, depth)
        if key in memo:
            return memo[key]
        value = self._gain(st, c, pending)
        if c.id in st.paves:
            value += 1.0  # the way to a required or pinned course
        if depth and self.unlocks[c.id]:
            follow = [
                self._value(st, d, pending, memo, depth - 1)
                for d in self.unlocks[c.id]
                if d.id not in st.done and d.id not in st.taken and d.id not in st.learner.excluded
            ]
            value += LOOKAHEAD * max(follow, default=0.0)
        memo[key] = value
        return value

    def _reason(self, st: _State, c: Course, pending: dict[str, int]) -> str:
        needs = self.s.needs(st.learner)
        parts = []
        for skill, lv in sorted(c.teaches.items()):
            if skill in needs and lv > pending.get(skill, 0):
                parts.append(
                    f"raises {skill} {pending.get(skill, 0)}→{lv} (needed {needs[skill][0]})"
                )
        return "; ".join(parts) or "prepares later courses"

    # ---- the walk

    @staticmethod
    def _reserved(lr: Learner) -> set[str]:
        """Courses whose money is kept back until they are taken: required and pinned."""
        return (set(lr.required) | set(lr.pinned)) - set(lr.completed)

    def _candidates(self, st: _State) -> list[Course]:
        """Courses `_value` may find worth something: those raising a needed skill above
        the start, those paving the way to a required or pinned course, and those that
        unlock such a course within the two steps `_value` looks ahead."""
        start = st.levels
        worth = {
            c.id
            for c in self.courses
            if c.id in st.paves
            or any(
                st.needs.get(k, (0, 0))[0] > start.get(k, 0) and lv > start.get(k, 0)
                for k, lv in c.teaches.items()
            )
        }
        for _ in range(2):
            worth |= {c for d in worth for c in self.unlockers[d]}
        return [c for c in self.courses if c.id in worth]

    def _paving(self, lr: Learner) -> set[str]:
        """All-of prerequisites (and the first of each any-of group) of required/pinned ones."""
        out: set[str] = set()
        todo = [c for c in set(lr.required) | set(lr.pinned) if c not in lr.completed]
        while todo:
            c = self.s.course(todo.pop())
            before = list(c.prerequisites)
            for group in c.prerequisites_any:
                if not any(p in lr.completed or p in out for p in group):
                    before.append(group[0])
            for p in before:
                if p not in lr.completed and p not in out and p not in lr.excluded:
                    out.add(p)
                    todo.append(p)
        return out

    def run(self, deadline: float | None = None) -> dict[str, _State]:
        """Walk the terms; past `deadline` leave the remaining terms empty (a plan that
        then breaks a rule is reported UNKNOWN by `greedy_plan`)."""
        states = []
        for lr in self.s.learners:
            st = _State(lr, self.s.start_levels(lr), set(lr.completed))
            st.needs = self.s.needs(lr)
            st.paves = self._paving(lr)
            st.candidates = self._candidates(st)
            st.schedule = {t: [] for t in self.s.learner_terms(lr)}
            if self.s.constraints.budget is not None:
                self.reserve += lr.count * sum(self.s.course(c).cost for c in self._reserved(lr))
            states.append(st)
        self.timed_out = False
        for term in self.s.terms:
            for st in states:
                if deadline is not None and time.perf_counter() > deadline:
                    self.timed_out = True
                    break
                if term.id in st.schedule:
                    self._fill_term(st, term)
            for st in states:  # levels and prerequisites move on only after the term
                for cid in st.schedule.get(term.id, []):
                    st.done.add(cid)
                    for skill, lv in self.s.course(cid).teaches.items():
                        st.levels[skill] = max(st.levels.get(skill, 0), lv)
        return {st.learner.id: st for st in states}

    def _fill_term(self, st: _State, term: Term) -> None:
        lr = st.learner
        pending = dict(st.levels)
        credits = 0.0

        def take(c: Course, why: str) -> None:
            nonlocal credits
            self._take(st, c, term, why)
            credits += c.credits
            for skill, lv in c.teaches.items():
                pending[skill] = max(pending.get(skill, 0), lv)

        def eligible(c: Course) -> bool:
            return self._offered_and_new(st, c, term) and self._prerequisites_met(st, c)

        # Pinned first (they must go here), then required ones as early as they can.
        for cid, tid in lr.pinned.items():
            c = self.s.course(cid)
            if tid == term.id and eligible(c) and self._fits(st, c, term, credits, 0.0):
                take(c, "pinned to this term")
        for cid in lr.required:
            c = self.s.course(cid)
            if cid in lr.pinned or cid in st.done or cid in st.taken:
                continue
            if eligible(c) and self._fits(st, c, term, credits, 0.0):
                take(c, "required")
        # Then the best value per unit of money until nothing helps.
        while True:
            reserve = self.reserve
            best, best_key = None, None
            memo: dict[tuple[str, int], float] = {}
            for c in st.candidates:
                if not eligible(c) or not self._fits(st, c, term, credits, reserve):
                    continue
                value = self._value(st, c, pending, memo)
                if value <= 0:
                    continue
                money = self._extra_cost(st, c, term)
                per = value / money if money > 0 else float("inf")
                key = (-per, -value, c.credits, self.order[c.id])
                if best_key is None or key < best_key:
                    best, best_key = c, key
            if best is None:
                break
            take(best, self._reason(st, best, pending))
        # Top up to the term's minimum credits with the cheapest eligible courses.
        while credits < term.min_credits - 1e-9:
            reserve = self.reserve
            fill = [
                c for c in self.courses if eligible(c) and self._fits(st, c, term, credits, reserve)
            ]
            if not fill:
                break
            c = min(
                fill, key=lambda c: (self._extra_cost(st, c, term), c.credits, self.order[c.id])
            )
            take(c, f"fills the {term.id} minimum of {term.min_credits:g} credits")


def greedy_plan(scenario: Scenario, *, deadline: float | None = None) -> Plan:
    """FEASIBLE plan from the greedy walk, or UNKNOWN when the walk breaks a rule.

    `deadline` (time.perf_counter()) time-boxes the walk: terms not reached stay empty."""
    started = time.perf_counter()
    walk = _Greedy(scenario)
    states = walk.run(deadline)
    schedules = {lid: st.schedule for lid, st in states.items()}
    reasons = {lid: st.reasons for lid, st in states.items()}
    plan = plan_from_schedules(scenario, schedules, reasons=reasons)
    problems = check_plan(scenario, plan)
    stats = {"solve_time_s": round(time.perf_counter() - started, 4), "solver": "greedy"}
    if walk.timed_out:
        stats["time_boxed"] = "stopped filling terms at the deadline"
    if problems:
        stats["problems"] = problems
        return Plan(scenario=scenario.name, status="UNKNOWN", stats=stats)
    plan.stats = stats
    return plan
