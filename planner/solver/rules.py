"""One function per rule of scenario-format.md, each adding its constraints to a Context.

Every constraint goes through `ctx.guard(constraint, label)`, so diagnosis can switch a
labelled rule off (the label kinds, their ids and words are declared in labels.py); take-once is the only unlabelled rule (never retaking a completed
course is enforced by not creating those variables at all).
"""

from collections.abc import Iterable

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from planner.solver.check import sections_needed
from planner.solver.labels import label_of
from planner.solver.model import Context


def lin(pairs: Iterable[tuple[int, cp_model.IntVar]]) -> LinearExpr:
    """Σ coef × var for (coef, var) pairs, an expression even when empty."""
    pairs = list(pairs)
    return LinearExpr.weighted_sum([v for _, v in pairs], [c for c, _ in pairs])


def offerings(ctx: Context) -> None:
    """Rule 3: a course is taken only in a term it is offered in (`offered:C`)."""
    if not ctx.labelled:
        return  # not-offered take variables were never created
    for info in ctx.learners:
        for cid, by_term in info.take.items():
            course = ctx.course_by_id[cid]
            for tid, var in by_term.items():
                if not ctx.s.is_offered(course, ctx.terms[tid]):
                    ctx.guard(ctx.m.add_bool_or([~var]), label_of("offered", cid))


def learner_terms(ctx: Context) -> None:
    """Rule 3: only in the learner's own terms (`learner_terms:L`)."""
    for info in ctx.learners:
        own = set(info.own_terms)
        for tid in info.terms:
            if tid in own:
                continue
            for var in info.in_term[tid].values():
                ctx.guard(ctx.m.add_bool_or([~var]), label_of("learner_terms", info.learner.id))


def take_once(ctx: Context) -> None:
    """Rule 3: a course is taken at most once (unlabelled: always holds); `taken` is
    whether it is taken at all."""
    for info in ctx.learners:
        for cid, by_term in info.take.items():
            ctx.m.add_exactly_one([*by_term.values(), ~info.taken[cid]])


def prerequisites(ctx: Context) -> None:
    """Rule 3: all-of and any-of course prerequisites completed or taken in an earlier
    term, and `requires_skills` reached by the start of the term (`prerequisites:C`)."""
    for info in ctx.learners:
        for cid, by_term in info.take.items():
            course = ctx.course_by_id[cid]
            label = label_of("prerequisites", cid)
            groups = [[p] for p in course.prerequisites if p not in info.completed]
            groups += [g for g in course.prerequisites_any if not info.completed.intersection(g)]
            skill_groups = []
            for skill, level in course.requires_skills.items():
                if info.start.get(skill, 0) >= level:
                    continue
                providers = [
                    other.id
                    for other in ctx.s.courses
                    if other.teaches.get(skill, 0) >= level and other.id in info.take
                ]
                skill_groups.append(providers)
            for tid, var in by_term.items():
                for group in groups + skill_groups:
                    ctx.guard(ctx.m.add_bool_or([~var, *ctx.before(info, group, tid)]), label)
            # Implied, timeless form: taking c at all needs one of each group taken at all.
            for group in groups + skill_groups:
                either = [info.taken[p] for p in group if p in info.taken]
                ctx.guard(ctx.m.add_bool_or([~info.taken[cid], *either]), label)


def credits(ctx: Context) -> None:
    """Rule 4: min_credits ≤ credits in each of the learner's terms (also an empty one)
    ≤ min(term max, learner max)."""
    scale = ctx.credits
    upper = sum(ctx.course_credits.values())
    for info in ctx.learners:
        learner = info.learner
        own = set(info.own_terms)
        for tid in info.terms:
            term = ctx.terms[tid]
            in_term = info.in_term[tid]
            taken = lin((ctx.course_credits[c], v) for c, v in in_term.items())
            if in_term and term.max_credits is not None:
                label = label_of("term_max_credits", tid)
                limit = ctx.limit(label, ctx.max_limit(scale, term.max_credits, upper), upper)
                ctx.guard(ctx.m.add(taken <= limit), label)
            if in_term and learner.max_credits is not None:
                label = label_of("learner_max_credits", learner.id)
                limit = ctx.limit(label, ctx.max_limit(scale, learner.max_credits, upper), upper)
                ctx.guard(ctx.m.add(taken <= limit), label)
            if term.min_credits > 0:
                label = label_of("term_min_credits", tid)
                limit = ctx.limit(label, ctx.min_limit(scale, term.min_credits, upper), upper)
                if ctx.course_credits_min is not ctx.course_credits:  # rounded other way
                    taken = lin((ctx.course_credits_min[c], v) for c, v in in_term.items())
                if tid in own:
                    ctx.guard(ctx.m.add(taken >= limit), label)
                else:  # applies only once the learner's terms are widened to include it
                    extra = ctx.assumption(label_of("learner_terms", learner.id))
                    ctx.guard(ctx.m.add(taken >= limit), label, ~extra)


def learner_budget(ctx: Context) -> None:
    """Rule 5: per person, Σ cost of its courses ≤ its budget (`learner_budget:L`)."""
    for info in ctx.learners:
        if info.learner.budget is None:
            continue
        label = label_of("learner_budget", info.learner.id)
        pairs = [
            (ctx.course_cost[c], v) for c, by_term in info.take.items() for v in by_term.values()
        ]
        upper = sum(ctx.course_cost[c] for c in info.take)  # each course at most once
        limit = ctx.limit(label, ctx.max_limit(ctx.money, info.learner.budget, upper), upper)
        ctx.guard(ctx.m.add(lin(pairs) <= limit), label)


def seats(ctx: Context) -> None:
    """Rule 6: sections = ⌈enrolled / capacity⌉ (1 if unlimited and anyone enrols), at most
    max_sections (`max_sections:C`). A sections variable exists only where it matters
    (a session cost to pay or a section limit that can bind)."""
    total = ctx.total_count()
    for (cid, tid), takers in ctx.enrolment().items():
        course = ctx.course_by_id[cid]
        label = label_of("max_sections", cid)
        enrolled_upper = sum(n for n, _ in takers)
        needed = sections_needed(enrolled_upper, course.capacity)
        binds = course.max_sections < needed
        if course.session_cost == 0 and not binds:
            continue
        hard = ctx.hard(label)
        top = min(needed, course.max_sections) if hard else needed
        sec = ctx.m.new_int_var(0, top, f"sections[{cid},{tid}]")
        enrolled = lin(takers)
        if course.capacity is None:
            for _, var in takers:
                ctx.m.add_implication(var, sec)
            ctx.m.add(sec <= enrolled)
        else:
            # A capacity above every possible enrolment acts like that enrolment (one
            # section for everyone), and keeps a capacity of 1e18 inside int64.
            cap = min(course.capacity, max(enrolled_upper, 1))
            ctx.m.add(cap * sec >= enrolled)
            ctx.m.add(cap * sec <= enrolled + cap - 1)  # exactly the ceiling
        if binds and not hard:
            limit = ctx.limit(label, course.max_sections, sections_needed(total, course.capacity))
            ctx.guard(ctx.m.add(sec <= limit), label)
        ctx.sections[(cid, tid)] = sec


def scenario_budget(ctx: Context) -> None:
    """Rule 5: Σ count × course cost + Σ sections × session_cost ≤ constraints.budget."""
    budget = ctx.s.constraints.budget
    if budget is None:
        return
    spent = ctx.cost_terms()
    upper = ctx.upper_of(spent)
    limit = ctx.limit("budget", ctx.max_limit(ctx.money, budget, upper), upper)
    ctx.guard(ctx.m.add(lin(spent) <= limit), "budget")


def required(ctx: Context) -> None:
    """Rule 7: a required course is taken (or already completed) (`required:L:C`)."""
    for info in ctx.learners:
        for cid in info.learner.required:
            if cid in info.completed:
                continue
            options = list(info.take.get(cid, {}).values())
            ctx.guard(ctx.m.add_bool_or(options), label_of("required", info.learner.id, cid))


def excluded(ctx: Context) -> None:
    """Rule 7: an excluded course is never taken (`excluded:L:C`)."""
    for info in ctx.learners:
        for cid in info.learner.excluded:
            for var in info.take.get(cid, {}).values():
                ctx.guard(ctx.m.add_bool_or([~var]), label_of("excluded", info.learner.id, cid))


def pinned(ctx: Context) -> None:
    """Rule 7: a pinned course is taken exactly in its term (`pinned:L:C`); take-once
    keeps it out of every other term."""
    for info in ctx.learners:
        for cid, tid in info.learner.pinned.items():
            label = label_of("pinned", info.learner.id, cid)
            var = info.take.get(cid, {}).get(tid)
            if var is None:
                ctx.never(label)
            else:
                ctx.guard(ctx.m.add_bool_or([var]), label)


def gap_closed(ctx: Context) -> None:
    """Rule 7: a learner in gap_mode close ends with zero gap (`gap_closed:L`)."""
    for info in ctx.learners:
        if ctx.s.gap_mode_of(info.learner) != "close":
            continue
        label = label_of("gap_closed", info.learner.id)
        if info.gap_constant:
            ctx.never(label)
        for lit in info.reach.values():
            ctx.guard(ctx.m.add_bool_or([lit]), label)


# Seats before the scenario budget: the budget pays for the sections seats creates.
ALL_RULES = (
    offerings,
    learner_terms,
    take_once,
    prerequisites,
    credits,
    learner_budget,
    seats,
    scenario_budget,
    required,
    excluded,
    pinned,
    gap_closed,
)


def add_all(ctx: Context) -> Context:
    for rule in ALL_RULES:
        rule(ctx)
    return ctx
