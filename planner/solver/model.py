"""The CP-SAT variables of a scenario and the context the rules add constraints to.

Three ways to build it:
- plain (solving): every rule is hard, so impossible take-variables are pruned away;
- labelled (diagnosis): every labelled rule is enforced only if its assumption literal is
  true, and no variable is pruned by a labelled rule (so dropping the rule can help);
- relaxed (fix search): one limit label (or a set of them) becomes a variable the caller
  optimises.

Numbers are scaled exactly (scale.py). Only when a family's sums would not fit int64 are
values rounded, and then `outward` picks the direction: by default rounding never admits an
invalid plan (usage up against maxima, down against minima, limits inward), so a plan found
is valid; with outward=True it never excludes a valid plan, so "infeasible" is a proof.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.scenario import Course, Learner, Scenario, Term
from planner.solver.labels import label_of, limit_of
from planner.solver.scale import Scale, credit_scale, money_scale, weight_scale


@dataclass
class LearnerInfo:
    index: int
    learner: Learner
    own_terms: list[str]  # the learner's terms, calendar order
    terms: list[str]  # terms modelled: own terms, or every term when labelled
    needs: dict[str, tuple[int, float]]
    start: dict[str, int]
    completed: set[str]
    # course -> {term: take literal}, term -> {course: take literal}
    take: dict[str, dict[str, cp_model.IntVar]] = field(default_factory=lambda: defaultdict(dict))
    taken: dict[str, cp_model.IntVar] = field(default_factory=dict)  # "taken in some term"
    in_term: dict[str, dict[str, cp_model.IntVar]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    # (skill, level) -> literal "level reached by the end of the plan"
    reach: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)
    gap_constant: int = 0  # scaled gap no course can ever close


class Context:
    def __init__(
        self,
        scenario: Scenario,
        *,
        labelled: bool = False,
        relax: str | frozenset[str] | set[str] | None = None,
        outward: bool = False,
    ) -> None:
        self.s = scenario
        self.m = cp_model.CpModel()
        self.labelled = labelled
        self.relax = relax
        self.relaxed = {relax} if isinstance(relax, str) else set(relax or ())
        self.assumptions: dict[str, cp_model.IntVar] = {}  # label -> assumption literal
        # the relaxed limit's variable, when relax is one label
        self.limit_var: cp_model.IntVar | None = None
        self.limit_vars: dict[str, cp_model.IntVar] = {}  # every relaxed limit's variable
        self.limit_values: dict[str, int] = {}  # ... and its scaled value in the scenario
        self.term_index = {t.id: i for i, t in enumerate(scenario.terms)}
        self.terms = {t.id: t for t in scenario.terms}
        self.outward = outward
        self.credits = credit_scale(scenario)
        self.money = money_scale(scenario)
        self.weights = weight_scale(scenario)
        self.learners: list[LearnerInfo] = []
        self.sections: dict[tuple[str, str], cp_model.IntVar] = {}  # (course, term) -> var
        # Scaled per-course numbers, computed once: the rules read them many times.
        self.course_by_id = {c.id: c for c in scenario.courses}
        # Usage against a maximum (and in the objective): rounded up unless outward.
        self.course_credits = {c.id: self.usage(self.credits, c.credits) for c in scenario.courses}
        self.course_cost = {c.id: self.usage(self.money, c.cost) for c in scenario.courses}
        self.course_session = {
            c.id: self.usage(self.money, c.session_cost) for c in scenario.courses
        }
        # Usage against a minimum (term min_credits): rounded the other way.
        self.course_credits_min = (
            self.course_credits
            if self.credits.exact
            else {c.id: self.usage(self.credits, c.credits, low=True) for c in scenario.courses}
        )
        self.rounded = self.credits.inexact + self.money.inexact + self.weights.inexact
        self._build_take_vars()
        self._build_reach_vars()

    # ----- rounding (only matters for an inexact family) --------------------------------
    @property
    def inexact(self) -> bool:
        return bool(self.rounded)

    def usage(self, scale: Scale, value: float, low: bool = False) -> int:
        """Scaled usage: up against a maximum, down against a minimum (`low`); the other
        way round when outward."""
        return scale.down(value) if low != self.outward else scale.up(value)

    def max_limit(self, scale: Scale, value: float, upper: int) -> int:
        """Scaled `usage ≤ value`: rounded down (up when outward), and clamped to
        upper + 1 when no usage (at most `upper`, scaled) can reach it: it never binds."""
        scaled = scale.up(value) if self.outward else scale.down(value)
        return min(scaled, upper + 1)

    def min_limit(self, scale: Scale, value: float, upper: int) -> int:
        """Scaled `usage ≥ value`: rounded up (down when outward), clamped like a
        maximum (above every possible usage it cannot be met either way)."""
        scaled = scale.down(value) if self.outward else scale.up(value)
        return min(scaled, upper + 1)

    def upper_of(self, pairs: Iterable[tuple[int, cp_model.IntVar]]) -> int:
        """The largest value Σ coef × var can take (coefficients ≥ 0)."""
        variables = self.m.proto.variables
        total = 0
        for c, v in pairs:
            domain = variables[v.index].domain  # (this proto wrapper has no [-1])
            total += c * domain[len(domain) - 1]
        return total

    # ----- labels -------------------------------------------------------------------
    def hard(self, label: str) -> bool:
        """True when the rule always holds, so variables it forbids need not exist."""
        return not self.labelled and label not in self.relaxed

    def guard(
        self, constraint: cp_model.Constraint, label: str, *extra: cp_model.LiteralT
    ) -> cp_model.Constraint:
        """Enforce `constraint` only while `label` holds (diagnosis); else always."""
        lits = list(extra)
        if self.labelled:
            lits.insert(0, self.assumption(label))
        if lits:
            constraint.only_enforce_if(lits)
        return constraint

    def assumption(self, label: str) -> cp_model.IntVar:
        lit = self.assumptions.get(label)
        if lit is None:
            lit = self.assumptions[label] = self.m.new_bool_var(f"holds[{label}]")
        return lit

    def limit(self, label: str, value: int, upper: int) -> int | cp_model.IntVar:
        """The (scaled) value of a limit: a constant, or the variable under fix search."""
        if label not in self.relaxed:
            return value
        var = self.limit_vars.get(label)
        if var is None:
            if limit_of(label) == "max":
                var = self.m.new_int_var(value, max(value, upper), f"limit[{label}]")
            else:
                var = self.m.new_int_var(0, value, f"limit[{label}]")
            self.limit_vars[label] = var
            self.limit_values[label] = value
            if self.relax == label:
                self.limit_var = var
        return var

    def never(self, label: str, *extra: cp_model.LiteralT) -> None:
        """A labelled rule that cannot hold (e.g. a pin to a term the course never runs)."""
        self.guard(self.m.add_bool_or([]), label, *extra)

    # ----- variables ----------------------------------------------------------------
    def _build_take_vars(self) -> None:
        s = self.s
        all_terms = [t.id for t in s.terms]
        plain = not self.labelled and not self.relaxed
        for li, learner in enumerate(s.learners):
            own = s.learner_terms(learner)
            terms = own if self.hard(label_of("learner_terms", learner.id)) else all_terms
            info = LearnerInfo(
                index=li,
                learner=learner,
                own_terms=own,
                terms=terms,
                needs=s.needs(learner),
                start=s.start_levels(learner),
                completed=set(learner.completed),
            )
            excluded = set(learner.excluded)
            earliest = _earliest_terms(s, info, excluded) if plain else {}
            useful = _useful_courses(s, info, self.terms, earliest) if plain else None
            for course in s.courses:
                cid = course.id
                if cid in info.completed:
                    continue  # unlabelled rule: never retake a completed course
                if useful is not None and cid not in useful:
                    continue
                if cid in excluded and self.hard(label_of("excluded", learner.id, cid)):
                    continue
                if _too_big(course, learner) and self.hard(label_of("max_sections", cid)):
                    continue
                first = earliest.get(cid, 0)
                for pos, tid in enumerate(terms):
                    if pos < first:
                        continue
                    if not s.is_offered(course, self.terms[tid]) and self.hard(
                        label_of("offered", cid)
                    ):
                        continue
                    var = self.m.new_bool_var(f"take[{li},{cid},{tid}]")
                    info.take[cid][tid] = var
                    info.in_term[tid][cid] = var
                if info.take.get(cid):
                    # taken = Σ_t take (take-once makes it 0/1); the rules state timeless
                    # consequences on it, which gives CP-SAT's LP a much tighter model.
                    info.taken[cid] = self.m.new_bool_var(f"taken[{li},{cid}]")
            self.learners.append(info)

    def _build_reach_vars(self) -> None:
        """reach[s,k] ⇒ some taken course teaches s at ≥ k; levels at or below the start
        are reached already. The gap is exact at any optimum of the gap objective and
        never under-counted, which is all the objective and `gap_closed` need."""
        for info in self.learners:
            for skill, (need, weight) in info.needs.items():
                start = info.start.get(skill, 0)
                prev = None
                for k in range(start + 1, need + 1):
                    providers = [
                        var
                        for cid, var in info.taken.items()
                        if self.course_by_id[cid].teaches.get(skill, 0) >= k
                    ]
                    w = self.weights.up(weight) * info.learner.count
                    if not providers:
                        info.gap_constant += w * (need - k + 1)
                        break
                    lit = self.m.new_bool_var(f"reach[{info.index},{skill},{k}]")
                    self.m.add_bool_or(providers).only_enforce_if(lit)
                    if prev is not None:
                        self.m.add_implication(lit, prev)
                    info.reach[(skill, k)] = lit
                    prev = lit

    # ----- helpers the rules share ----------------------------------------------------
    def before(
        self, info: LearnerInfo, course_ids: Iterable[str], term_id: str
    ) -> list[cp_model.IntVar]:
        """Take literals of any of `course_ids` in terms strictly before `term_id`."""
        pos = self.term_index[term_id]
        return [
            var
            for cid in course_ids
            for tid, var in info.take.get(cid, {}).items()
            if self.term_index[tid] < pos
        ]

    def all_take_vars(self) -> Iterator[cp_model.IntVar]:
        for info in self.learners:
            for by_term in info.take.values():
                yield from by_term.values()

    def enrolment(self) -> dict[tuple[str, str], list[tuple[int, cp_model.IntVar]]]:
        """(course, term) -> [(count, take literal)] over learners."""
        out: dict[tuple[str, str], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for info in self.learners:
            for cid, by_term in info.take.items():
                for tid, var in by_term.items():
                    out[(cid, tid)].append((info.learner.count, var))
        return out

    def cost_terms(self) -> list[tuple[int, cp_model.IntVar]]:
        """(scaled coefficient, variable) pairs of the scenario's total cost (rule 5/8)."""
        pairs = [
            (info.learner.count * self.course_cost[cid], var)
            for info in self.learners
            for cid, by_term in info.take.items()
            for var in by_term.values()
        ]
        pairs += [(self.course_session[cid], sec) for (cid, _), sec in self.sections.items()]
        return [(c, v) for c, v in pairs if c]

    def total_count(self) -> int:
        return sum(lr.count for lr in self.s.learners)


def _too_big(course: Course, learner: Learner) -> bool:
    """The group alone needs more seats than the course can ever open (rule 6)."""
    if course.capacity is None:
        return course.max_sections == 0
    return learner.count > course.capacity * course.max_sections


def _earliest_terms(s: Scenario, info: LearnerInfo, excluded: set[str]) -> dict[str, int]:
    """Position (in the learner's terms) before which a course cannot be taken, from
    offerings and course prerequisites alone. Pure pruning: it removes only take
    variables no valid plan can set, and is used only when every rule is hard."""
    inf = len(info.terms)
    terms = {t.id: t for t in s.terms}
    offered_at: dict[str, list[int]] = {}
    for course in s.courses:
        if course.id in excluded or _too_big(course, info.learner):
            offered_at[course.id] = []
        else:
            offered_at[course.id] = [
                i for i, tid in enumerate(info.terms) if s.is_offered(course, terms[tid])
            ]
    earliest = {c.id: (-1 if c.id in info.completed else inf) for c in s.courses}
    changed = True
    while changed:  # values only decrease, so this reaches the fixpoint quickly
        changed = False
        for course in s.courses:
            if course.id in info.completed:
                continue
            ready = 0
            for pre in course.prerequisites:
                ready = max(ready, earliest[pre] + 1)
            for group in course.prerequisites_any:
                ready = max(ready, min(earliest[p] for p in group) + 1)
            value = next((i for i in offered_at[course.id] if i >= ready), inf)
            if value < earliest[course.id]:
                earliest[course.id] = value
                changed = True
    return earliest


def _useful_courses(
    s: Scenario, info: LearnerInfo, terms: dict[str, Term], earliest: dict[str, int]
) -> set[str] | None:
    """The courses a learner could have any reason to take: those raising a needed skill
    above its start level, its required and pinned courses, and everything these need
    first (prerequisites, any-of groups, providers of `requires_skills`), transitively.
    None (keep every course) when one of its terms has a credit minimum to fill.

    Dropping a course outside this set from any valid plan leaves a valid plan (nothing
    that stays depends on it, and fewer seats, credits and money only help) with the same
    gap and no more cost, credits or lateness, so the optimum and every bound are kept.
    Courses the learner can never take (`earliest`) are left out, and so is what only
    they need. Used only when every rule is hard."""
    if any(terms[tid].min_credits > 0 for tid in info.own_terms):
        return None
    never = len(info.terms)

    def takeable(cid: str) -> bool:
        return 0 <= earliest[cid] < never  # completed courses have -1

    useful = {c for c in (*info.learner.required, *info.learner.pinned) if takeable(c)}
    for course in s.courses:
        if not takeable(course.id):
            continue
        for skill, level in course.teaches.items():
            if skill in info.needs and level > info.start.get(skill, 0):
                useful.add(course.id)
                break
    pending = list(useful)
    while pending:
        course = s.course(pending.pop())
        wanted = list(course.prerequisites) + [p for g in course.prerequisites_any for p in g]
        for skill, level in course.requires_skills.items():
            if info.start.get(skill, 0) < level:
                wanted += [o.id for o in s.courses if o.teaches.get(skill, 0) >= level]
        for cid in wanted:
            if cid not in useful and takeable(cid):
                useful.add(cid)
                pending.append(cid)
    return useful
