"""Why no plan exists, and what to change: a minimal conflict of rule labels found with
assumption literals, and fixes whose first one is verified to make the scenario solvable.
`apply_fix` turns a fix into a new validated scenario (the web app's "apply" button).

Fixes come in three tiers, so that an infeasible plan always carries one that works:
1. single changes of a conflict label, ranked, each verified by solving again;
2. when none suffices (several independent conflicts), a multi-change fix built one
   conflict at a time: the best change that settles the current conflict, then the
   conflict that remains, until the changed scenario solves (verified);
3. as the last resort, drop every rule that forces something to be taken (credit minimums,
   required and pinned courses, closed gaps): then the empty plan is valid, which the
   independent checker confirms without any search, so it holds however little time is left.
"""

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from ortools.sat.python import cp_model

from planner.scenario import Diagnosis, Learner, Scenario, parse_scenario
from planner.scenario.models import Change, Fix
from planner.solver.check import check_plan, sections_needed
from planner.solver.labels import (
    RULES,
    change_title,
    drop_words,
    kind_of,
    label_of,
    limit_of,
    limit_words,
    parse_label,
)
from planner.solver.model import Context
from planner.solver.plan import plan_from_schedules
from planner.solver.rules import add_all
from planner.solver.search import hint_solution, is_small, run_model

SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)
Rank = tuple[float, ...]  # sorts fixes and candidate changes, best first
MAX_FIXES = 5
MAX_LIMIT_SEARCHES = 3  # single-limit least values searched per diagnosis
SINGLE_TRIALS = 10  # single changes solved again to verify them, at most
MAX_STEPS = 25  # changes in a multi-change fix before the last resort takes over
STEP_TRIALS = 12  # candidate changes tried per conflict before dropping its labels


class _Clock:
    def __init__(self, time_limit_s: float, stop: threading.Event | None):
        self.deadline = time.monotonic() + time_limit_s
        self.stop = stop

    def left(self, cap: float | None = None) -> float:
        left = self.deadline - time.monotonic()
        return min(left, cap) if cap is not None else left

    def out(self) -> bool:
        return self.left() <= 0.01 or (self.stop is not None and self.stop.is_set())

    def share(self, fraction: float) -> "_Clock":
        """A clock ending after `fraction` of the time left (same stop event)."""
        return _Clock(max(self.left(), 0.0) * fraction, self.stop)


def diagnose(
    scenario: Scenario,
    *,
    time_limit_s: float = 10,
    workers: int = 2,
    stop: threading.Event | None = None,
) -> Diagnosis:
    """Diagnose an infeasible scenario (for a solvable one the conflict is empty)."""
    clock = _Clock(time_limit_s, stop)
    conflict, minimal = find_conflict(scenario, clock, workers)
    if not conflict:
        return Diagnosis(conflict=[], minimal=minimal, fixes=[])
    fixes = find_fixes(scenario, conflict, clock, workers)
    return Diagnosis(conflict=conflict, minimal=minimal, fixes=fixes)


# ----- conflict -------------------------------------------------------------------------
def find_conflict(
    scenario: Scenario, clock: _Clock, workers: int, shrink: bool = True
) -> tuple[list[str], bool]:
    """A core from CP-SAT's assumptions, shrunk by a deletion filter to a minimal one.

    Numbers are rounded outward (only matters when a family had to be rounded at all), so
    "infeasible" is a proof; "feasible" then is not, and `minimal` is never claimed."""
    ctx = add_all(Context(scenario, labelled=True, outward=True))
    labels = sorted(ctx.assumptions)
    status, core = _check(ctx, labels, clock, workers, cap=None)
    if status in SOLVED:
        return [], True  # nothing to diagnose
    if status != cp_model.INFEASIBLE:
        return labels, False  # no proof in time; the whole set is still a conflict
    conflict = [lab for lab in labels if lab in core] or labels
    if not shrink:
        return conflict, False
    minimal = not ctx.inexact
    # Whole kinds of rules first (all prerequisites, all credit minimums, ...): one check
    # drops every label of a kind the conflict does not need, instead of one check each.
    for kind in sorted({kind_of(lab) for lab in conflict}):
        if clock.out():
            return conflict, False
        trial = [lab for lab in conflict if kind_of(lab) != kind]
        if not trial or len(trial) == len(conflict) - 1:
            continue  # a kind of one label: the deletion loop tests it anyway
        status, core = _check(ctx, trial, clock, workers, cap=1.0)
        if status == cp_model.INFEASIBLE:
            conflict = [lab for lab in trial if lab in core] or trial
    i = 0
    while i < len(conflict):
        if clock.out():
            return conflict, False
        trial = conflict[:i] + conflict[i + 1 :]
        status, core = _check(ctx, trial, clock, workers, cap=2.0)
        if status == cp_model.INFEASIBLE:
            smaller = [lab for lab in trial if lab in core]
            conflict = smaller if smaller else trial
            # A label necessary in a superset is in every infeasible subset, so the labels
            # before i survive the shrink in place and i still points at the next one.
            i = min(i, len(conflict))
        else:
            if status not in SOLVED:
                minimal = False
            i += 1
    return conflict, minimal


def _check(
    ctx: Context, labels: list[str], clock: _Clock, workers: int, cap: float | None
) -> tuple[cp_model.CpSolverStatus, set[str]]:
    """Solve with only `labels` enforced; returns (status, labels of the core found)."""
    ctx.m.clear_assumptions()
    ctx.m.add_assumptions([ctx.assumptions[lab] for lab in labels])
    solver, status = run_model(
        ctx.m, time_s=clock.left(cap), workers=workers, stop=clock.stop, small=is_small(ctx)
    )
    core = set()
    if status == cp_model.INFEASIBLE:
        index = {ctx.assumptions[lab].index: lab for lab in labels}
        core = {index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index}
    return status, core


# ----- fixes ----------------------------------------------------------------------------
def find_fixes(scenario: Scenario, conflict: list[str], clock: _Clock, workers: int) -> list[Fix]:
    """Verified fixes, ranked as a person would choose them (`rank`): the numeric fix
    changing the fewest limits by the least, single changes, else one multi-change fix,
    else the last resort. Never empty: the first fix always makes the scenario solvable."""
    ranked: list[tuple[Rank, Fix]] = []
    seen = set()
    for grouped in (False, True):
        if clock.out() or (grouped and not _has_shared(scenario)):
            continue
        numeric = numeric_fix(scenario, clock.share(0.4), workers, grouped=grouped)
        if numeric is not None and _key(numeric) not in seen:
            seen.add(_key(numeric))
            ranked.append((rank(scenario, numeric), numeric))
    if not clock.out() and _single_may_work(scenario, conflict, clock, workers):
        for fix in _single_fixes(scenario, conflict, clock.share(0.7), workers):
            if _key(fix) not in seen:
                ranked.append((rank(scenario, fix), fix))
    if not ranked and not clock.out():
        multi = _multi_change_fix(scenario, conflict, clock, workers)
        if multi is not None:
            ranked.append((rank(scenario, multi), multi))
    if not ranked:
        return [last_resort_fix(scenario)]
    ranked.sort(key=lambda r: r[0])
    return [fix for _, fix in ranked][:MAX_FIXES]


def _key(fix: Fix) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((c.relax, str(c.to)) for c in fix.changes))


# Rules a person would rather keep than see dropped: what staff required of a learner
# (courses, pins) and the targets it must reach. Dropping one ranks after every other fix.
FORCING = ("required", "pinned", "gap_closed")


def rule_groups(scenario: Scenario, fix: Fix) -> list[list[Change]]:
    """The fix's changes grouped by the rule a person edits: one limit shared by every
    learner (the editor's "every learner" field) is one rule, however many learners."""
    groups: dict[str, list[Change]] = {}
    for change in fix.changes:
        kind = kind_of(change.relax)
        key = change.relax
        if kind in SHARED and _shared_value(scenario, kind) is not None:
            key = f"{kind}:*={change.to}"
        groups.setdefault(key, []).append(change)
    return list(groups.values())


def rank(scenario: Scenario, fix: Fix) -> Rank:
    """(changes, drops a required course, pin or target, drops any rule, fields a person
    edits, size): fewest changes first (the contract's order), and among as many, a value
    moved before a rule dropped, one shared field before several, the least move first."""
    groups = rule_groups(scenario, fix)
    forcing = any(c.to is None and kind_of(c.relax) in FORCING for c in fix.changes)
    dropped = any(c.to is None for c in fix.changes)
    size = sum(_size(scenario, g[0]) for g in groups)
    return (len(fix.changes), forcing, dropped, len(groups), size)


def _has_shared(scenario: Scenario) -> bool:
    return any(_shared_value(scenario, kind) is not None for kind in SHARED)


def _size(scenario: Scenario, change: Change) -> float:
    kind = kind_of(change.relax)
    if limit_of(change.relax) is not None and change.to is not None:
        old = _current_limit(scenario, change.relax)
        if old is None:
            return 0.0
        to = float(change.to)  # a limit's value is a number
        return abs(to - old) / max(abs(old), 1e-9) if old else to
    if kind == "pinned" and change.to is not None:
        return 0.3
    if kind in ("offered", "learner_terms") and change.to is not None:
        return 0.7
    return 1.0


# Learner limits the editor shows as one field while every learner has the same value.
SHARED = {"learner_max_credits": "max_credits", "learner_budget": "budget"}


def _shared_value(scenario: Scenario, kind: str) -> float | None:
    values: set[float | None] = {getattr(lr, SHARED[kind]) for lr in scenario.learners}
    if len(values) == 1 and len(scenario.learners) > 1:
        return values.pop()
    return None


def limit_labels(scenario: Scenario) -> list[str]:
    """Every numeric limit of the scenario, as labels (those the rules can relax)."""
    out = [label_of("term_max_credits", t.id) for t in scenario.terms if t.max_credits is not None]
    out += [label_of("term_min_credits", t.id) for t in scenario.terms if t.min_credits > 0]
    for lr in scenario.learners:
        if lr.max_credits is not None:
            out.append(label_of("learner_max_credits", lr.id))
        if lr.budget is not None:
            out.append(label_of("learner_budget", lr.id))
    if scenario.constraints.budget is not None:
        out.append(label_of("budget"))
    people = sum(lr.count for lr in scenario.learners)
    for c in scenario.courses:
        if c.max_sections < sections_needed(people, c.capacity):
            out.append(label_of("max_sections", c.id))
    return out


def numeric_fix(
    scenario: Scenario, clock: _Clock, workers: int, grouped: bool = False
) -> Fix | None:
    """The numeric fix changing the fewest limits, each by the least: every numeric limit
    becomes a variable, first the number of limits moved is minimised, then the total
    move. With `grouped`, a limit every learner shares (one field in the editor) moves as
    one, to one value for all. None when moving limits cannot help (or no proof in time).
    Verified by solving the changed scenario."""
    labels = limit_labels(scenario)
    if not labels or clock.out():
        return None
    ctx = add_all(Context(scenario, relax=frozenset(labels)))
    m = ctx.m
    groups: dict[str, list[str]] = {}
    for label in ctx.limit_vars:
        kind = kind_of(label)
        shared = grouped and kind in SHARED and _shared_value(scenario, kind) is not None
        groups.setdefault(f"{kind}:*" if shared else label, []).append(label)
    changed, moves = [], []
    for members in groups.values():
        flag = m.new_bool_var(f"changed[{members[0]}]")
        first = ctx.limit_vars[members[0]]
        for label in members:
            var = ctx.limit_vars[label]
            m.add(var == ctx.limit_values[label]).only_enforce_if(~flag)
            if var is not first:
                m.add(var == first)  # one field: every learner gets the same value
        old = ctx.limit_values[members[0]]
        up = limit_of(members[0]) == "max"
        moves.append(first - old if up else old - first)
        changed.append(flag)
    small = is_small(ctx)
    m.minimize(sum(changed))
    solver, status = run_model(
        m, time_s=clock.left(2.0), workers=workers, stop=clock.stop, small=small
    )
    if status != cp_model.OPTIMAL:
        return None
    m.add(sum(changed) == round(solver.objective_value))
    hint_solution(m, list(solver.response_proto.solution))
    m.minimize(sum(moves))
    solver, status = run_model(
        m, time_s=clock.left(2.0), workers=workers, stop=clock.stop, small=small
    )
    if status != cp_model.OPTIMAL:
        return None
    changes = []
    for members, flag in zip(groups.values(), changed, strict=True):
        if not solver.value(flag):
            continue
        for name in members:
            to = _in_units(ctx, name, solver.value(ctx.limit_vars[name]))
            changes.append(Change(relax=name, to=to))
    if not changes:
        return None
    fix = Fix(
        changes=changes,
        note="; ".join(
            _describe_group(scenario, g) for g in rule_groups(scenario, Fix(changes=changes))
        ),
    )
    return fix if _solvable(scenario, changes, clock, workers) else None


def _describe_group(scenario: Scenario, group: list[Change]) -> str:
    kind = kind_of(group[0].relax)
    if len(group) > 1 and kind in SHARED:
        what = "max credits per term" if kind == "learner_max_credits" else "budget"
        verb = "raise"
        old = _shared_value(scenario, kind)
        return f"{verb} every learner's {what} from {_fmt(old)} to {_fmt(group[0].to)}"
    return "; ".join(_describe(scenario, c) for c in group)


def _single_fixes(
    scenario: Scenario, conflict: list[str], clock: _Clock, workers: int
) -> list[Fix]:
    """Candidate single changes per conflict label, each verified by solving the changed
    scenario, best first."""
    candidates = []
    limits = 0
    for position, label in enumerate(conflict):
        if clock.out():
            break
        if limit_of(label) is not None:
            # Each limit's least value costs a search; a few alternatives are plenty next
            # to the numeric fix (which already moves the fewest limits by the least).
            limits += 1
            if limits > MAX_LIMIT_SEARCHES:
                continue
        for rank, change, note in _candidates(scenario, label, clock, workers):
            candidates.append(((1, *rank, position), [change], note))
    candidates.sort(key=lambda c: c[0])
    fixes: list[Fix] = []
    seen_labels: dict[str, int] = {}
    trials = 0
    for _key, changes, note in candidates:
        if clock.out() or len(fixes) >= MAX_FIXES or trials >= SINGLE_TRIALS:
            break
        label = changes[0].relax
        if seen_labels.get(label, 0) >= 2:
            continue  # one value change and one drop per label is plenty
        # A limit's least value comes with the plan `_best_limit` found under it, every
        # other rule enforced: already verified. Anything else is solved again.
        proven = limit_of(label) is not None and changes[0].to is not None
        trials += not proven
        if proven or _solvable(scenario, changes, clock, workers):
            fixes.append(Fix(changes=changes, note=note))
            seen_labels[label] = seen_labels.get(label, 0) + 1
    return fixes


def _single_may_work(scenario: Scenario, conflict: list[str], clock: _Clock, workers: int) -> bool:
    """False when the scenario stays infeasible with every conflict label dropped: then
    another, independent conflict remains, and no change of one label can fix both.
    (Every change relaxes only its own rule and at most as much as dropping it, except a
    `learner_terms` widening, which may add credit minimums: those keep the search.)"""
    if any(lab.startswith("learner_terms:") for lab in conflict):
        return True
    try:
        rest = apply_fix(scenario, Fix(changes=[Change(relax=lab, to=None) for lab in conflict]))
    except ValueError:
        return True
    ctx = add_all(Context(rest, outward=True))  # outward: "infeasible" is then a proof
    _, status = run_model(
        ctx.m, time_s=clock.left(2.0), workers=workers, stop=clock.stop, small=is_small(ctx)
    )
    return status != cp_model.INFEASIBLE


def _solvable(scenario: Scenario, changes: list[Change], clock: _Clock, workers: int) -> bool:
    try:
        changed = apply_fix(scenario, Fix(changes=changes))
    except ValueError:
        return False
    return _feasible(changed, clock, workers) is True


def _feasible(scenario: Scenario, clock: _Clock, workers: int) -> bool | None:
    ctx = add_all(Context(scenario))
    _, status = run_model(
        ctx.m, time_s=clock.left(2.0), workers=workers, stop=clock.stop, small=is_small(ctx)
    )
    if status in SOLVED:
        return True
    return False if status == cp_model.INFEASIBLE else None


def _candidates(
    scenario: Scenario,
    label: str,
    clock: _Clock,
    workers: int,
    only: list[str] | None = None,
) -> Iterator[tuple[Rank, Change, str]]:
    """(rank, change, note) for one label. rank = (is a drop, size of the change). With
    `only`, a limit's least value is the one under which just those labels hold."""
    kind, ids = parse_label(label)
    term_pos = {t.id: i for i, t in enumerate(scenario.terms)}
    n_terms = max(len(scenario.terms), 1)
    if limit_of(label) is not None:
        best = None if clock.out() else _best_limit(scenario, label, clock, workers, only)
        old = _current_limit(scenario, label)
        if best is not None:
            size = abs(best - old) / max(abs(old), 1e-9) if old else float(best)
            yield (0, size), Change(relax=label, to=best), _limit_note(label, old, best)
        yield (1, 0), Change(relax=label, to=None), drop_words(label)
    elif kind == "pinned":
        learner_id, course_id = ids
        learner = _learner(scenario, learner_id)
        here = term_pos[learner.pinned[course_id]]
        for tid in scenario.learner_terms(learner):
            if tid != learner.pinned[course_id]:
                # a nearby pin move is the smallest change: it alters one learner's plan only
                dist = 0.1 + 0.4 * abs(term_pos[tid] - here) / n_terms
                yield (0, dist), Change(relax=label, to=tid), f"move {course_id} to {tid}"
        yield (1, 0), Change(relax=label, to=None), drop_words(label)
    elif kind == "offered":
        (course_id,) = ids
        course = scenario.course(course_id)
        for t in scenario.terms:
            if not scenario.is_offered(course, t):
                yield (
                    (0, 0.6 + term_pos[t.id] / n_terms / 10),
                    Change(relax=label, to=t.id),
                    (f"also run {course_id} in {t.id}"),
                )
        yield (1, 0), Change(relax=label, to=None), drop_words(label)
    elif kind == "learner_terms":
        (learner_id,) = ids
        own = set(scenario.learner_terms(_learner(scenario, learner_id)))
        for t in scenario.terms:
            if t.id not in own:
                yield (
                    (0, 0.6 + term_pos[t.id] / n_terms / 10),
                    Change(relax=label, to=t.id),
                    (f"let {learner_id} also study in {t.id}"),
                )
        yield (1, 0), Change(relax=label, to=None), drop_words(label)
    else:
        yield (1, 0), Change(relax=label, to=None), drop_words(label)


def _best_limit(
    scenario: Scenario, label: str, clock: _Clock, workers: int, only: list[str] | None = None
) -> float | None:
    """The least change of one limit, in file units: every other rule enforced, or with
    `only`, just the labels in it (and the unlabelled rules)."""
    ctx = add_all(Context(scenario, relax=label, labelled=only is not None))
    var = ctx.limit_var
    if var is None:
        return None
    if only is not None:
        held = [ctx.assumptions[lab] for lab in only if lab in ctx.assumptions]
        if held:
            ctx.m.add_bool_and(held)
    if limit_of(label) == "max":
        ctx.m.minimize(var)
    else:
        ctx.m.maximize(var)
    solver, status = run_model(
        ctx.m, time_s=clock.left(3.0), workers=workers, stop=clock.stop, small=is_small(ctx)
    )
    if status != cp_model.OPTIMAL:
        return None  # only a proven least change is worth suggesting by value
    return _in_units(ctx, label, solver.value(var))


def _in_units(ctx: Context, label: str, scaled: int) -> float:
    """A relaxed limit's scaled value in file units (a whole number as an int)."""
    unit = RULES[kind_of(label)].unit
    if unit == "sections":
        return int(scaled)
    value = (ctx.money if unit == "money" else ctx.credits).unscale(scaled)
    return int(value) if value.is_integer() else value


def _multi_change_fix(
    scenario: Scenario, conflict: list[str], clock: _Clock, workers: int
) -> Fix | None:
    """Several conflicts: settle one at a time, find the conflict that remains, repeat;
    verified by solving the changed original.

    A step takes the best-ranked change under which the current conflict *and* every
    conflict settled before hold together (so the set of labels known to hold together
    grows each step: no pin moved back and forth), else the conflict's labels are dropped
    (which removes them for good). Either way the search ends; MAX_STEPS and the clock
    bound it, and the last resort covers what it does not finish."""
    changes: list[Change] = []
    settled: list[str] = []
    found = conflict
    for _ in range(MAX_STEPS):
        if clock.out():
            return None
        current = apply_fix(scenario, Fix(changes=changes)) if changes else scenario
        wanted = settled + [lab for lab in found if lab not in settled]
        step = _settle(current, found, wanted, clock.share(0.5), workers)
        dropped = {c.relax for c in step if c.to is None}
        settled = [lab for lab in wanted if lab not in dropped]
        changes = _merge(changes, step)
        try:
            current = apply_fix(scenario, Fix(changes=changes))
        except ValueError:
            return None
        verdict = _feasible(current, clock, workers)
        if verdict is True:
            note = "; ".join(_describe(scenario, c) for c in changes)
            return Fix(changes=changes, note=note)
        if verdict is None or clock.out():
            return None  # no proof either way in time: the last resort is certain
        found = find_conflict(current, clock.share(0.4), workers)[0]
        if not found:
            return None
    return None


def _settle(
    scenario: Scenario, conflict: list[str], wanted: list[str], clock: _Clock, workers: int
) -> list[Change]:
    """Changes to `conflict`'s labels under which every label of `wanted` (the conflict's
    and those settled before) holds together: the best-ranked single change that does,
    else every label of the conflict dropped (then none of that conflict remains)."""
    options = []
    for position, label in enumerate(conflict):
        if clock.out():
            break
        for rank, change, _note in _candidates(scenario, label, clock, workers, only=wanted):
            options.append(((*rank, position), change))
    options.sort(key=lambda o: o[0])
    for _key, change in options[:STEP_TRIALS]:
        if clock.out():
            break
        try:
            trial = apply_fix(scenario, Fix(changes=[change]))
        except ValueError:
            continue
        if _resolves(trial, wanted, clock, workers):
            return [change]
    return [Change(relax=lab, to=None) for lab in conflict]


def _merge(changes: list[Change], new: list[Change]) -> list[Change]:
    """Changes in order; a later value of the same limit, pin or drop replaces the earlier
    one, while added terms (`offered`, `learner_terms` with a term) accumulate."""
    out = list(changes)
    for change in new:
        accumulates = kind_of(change.relax) in ("offered", "learner_terms")
        if not (accumulates and change.to is not None):
            out = [c for c in out if c.relax != change.relax]
        out.append(change)
    return out


def _resolves(scenario: Scenario, labels: list[str], clock: _Clock, workers: int) -> bool:
    """Do these labels (those that still exist) hold together in the changed scenario?"""
    ctx = add_all(Context(scenario, labelled=True))
    present = [lab for lab in labels if lab in ctx.assumptions]
    status, _ = _check(ctx, present, clock, workers, cap=2.0)
    return status in SOLVED


# ----- the last resort ------------------------------------------------------------------
def forcing_labels(scenario: Scenario) -> list[str]:
    """The labelled rules the empty plan (nobody takes anything) can break: credit
    minimums of terms someone studies in, required courses not yet completed, pins and
    closed gaps. Every other rule (maxima, budgets, seats, exclusions, offerings,
    prerequisites, terms) only restricts what is taken, and the unlabelled ones (take a
    course once, not after completing it) too."""
    used_terms = {t for lr in scenario.learners for t in scenario.learner_terms(lr)}
    out = [
        label_of("term_min_credits", t.id)
        for t in scenario.terms
        if t.min_credits > 0 and t.id in used_terms
    ]
    for lr in scenario.learners:
        out += [label_of("required", lr.id, c) for c in lr.required if c not in lr.completed]
        out += [label_of("pinned", lr.id, c) for c in lr.pinned]
        if scenario.gap_mode_of(lr) == "close" and scenario.needs(lr):
            out.append(label_of("gap_closed", lr.id))
    return out


def last_resort_fix(scenario: Scenario) -> Fix:
    """Drop every forcing rule: the empty plan is then valid. Verified with the
    independent checker on that plan (no search, so it costs milliseconds)."""
    changes = [Change(relax=lab, to=None) for lab in forcing_labels(scenario)]
    fix = Fix(
        changes=changes,
        note="drop every rule that forces a course or credits ("
        + ", ".join(c.relax for c in changes)
        + "): then a plan taking nothing is valid",
    )
    changed = apply_fix(scenario, fix)
    empty: dict[str, dict[str, list[str]]] = {
        lr.id: {t: [] for t in changed.learner_terms(lr)} for lr in changed.learners
    }
    problems = check_plan(changed, plan_from_schedules(changed, empty))
    if problems:  # cannot happen while the contract's rules are as they are; never hide it
        raise RuntimeError(f"last-resort fix leaves the empty plan invalid: {problems[:3]}")
    return fix


# ----- applying a fix -----------------------------------------------------------------
def apply_fix(scenario: Scenario, fix: Fix | Mapping[str, Any]) -> Scenario:
    """A validated copy of `scenario` with every change of `fix` applied, and nothing
    else changed in meaning."""
    changes = (fix if isinstance(fix, Fix) else Fix.model_validate(fix)).changes
    data = scenario.model_dump()
    for change in changes:
        _apply_change(scenario, data, change)
    if any(c.relax.startswith("gap_closed:") for c in changes):
        _lift_gap_mode(data)
    return parse_scenario(data)


def _lift_gap_mode(data: dict[str, Any]) -> None:
    """When every learner ends up with the same explicit gap mode, it becomes the
    scenario's and the per-learner copies go: the same rules, stated where a person
    reads them (no hidden per-learner mode contradicting the scenario's field)."""
    modes = {lr.get("gap_mode") for lr in data["learners"]}
    if len(modes) == 1 and None not in modes and data["learners"]:
        data["gap_mode"] = modes.pop()
        for lr in data["learners"]:
            lr["gap_mode"] = None


def fix_title(scenario: Scenario, fix: Fix, limit: int = 60) -> str:
    """A few words for the rules a fix changes ("credits per term 12"), whole words only,
    at most `limit` characters ("… +2 more" when not everything fits)."""
    parts = [_title(scenario, group) for group in rule_groups(scenario, fix)]
    out = ""
    for i, part in enumerate(parts):
        more = f" +{len(parts) - i - 1} more" if i < len(parts) - 1 else ""
        candidate = f"{out}, {part}" if out else part
        if len(candidate) + len(more) > limit and out:
            return f"{out} +{len(parts) - i} more"
        out = candidate
    return clip(out, limit)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;—-")
    return (cut or text[: limit - 1]) + "…"


def _title(scenario: Scenario, group: list[Change]) -> str:
    change = group[0]
    every = len(group) > 1 or len(scenario.learners) == 1
    to = None if change.to is None else _fmt(change.to)
    return change_title(change.relax, to, every=every)


def _find(items: list[dict[str, Any]], item_id: str, what: str) -> dict[str, Any]:
    for item in items:
        if item["id"] == item_id:
            return item
    raise ValueError(f'unknown {what} "{item_id}"')


def _apply_change(scenario: Scenario, data: dict[str, Any], change: Change) -> None:
    kind, ids = parse_label(change.relax)
    rule = RULES.get(kind)
    if rule is None or len(ids) != len(rule.names):
        raise ValueError(f'unknown rule label "{change.relax}"')
    to = change.to
    if rule.limit is not None:
        holder = _find(data[f"{rule.names[0]}s"], ids[0], rule.names[0]) if ids else None
        holder = data["constraints"] if holder is None else holder
        field = str(rule.field)
        if rule.unit == "sections":
            if to is None:  # no limit: enough sections for everyone in every term
                people = sum(lr.count for lr in scenario.learners)
                to = max(1, sections_needed(people, holder["capacity"]))
            holder[field] = int(to)
        else:
            holder[field] = 0 if to is None and rule.limit == "min" else to  # no minimum
    elif kind == "required":
        learner = _find(data["learners"], ids[0], "learner")
        learner["required"] = [c for c in learner["required"] if c != ids[1]]
    elif kind == "excluded":
        learner = _find(data["learners"], ids[0], "learner")
        learner["excluded"] = [c for c in learner["excluded"] if c != ids[1]]
    elif kind == "pinned":
        learner = _find(data["learners"], ids[0], "learner")
        if to is None:
            learner["pinned"].pop(ids[1], None)
        else:
            learner["pinned"][ids[1]] = str(to)
    elif kind == "gap_closed":
        _find(data["learners"], ids[0], "learner")["gap_mode"] = "minimise"
    elif kind == "offered":
        course = _find(data["courses"], ids[0], "course")
        if to is None:
            course["offered"] = None
        elif course["offered"] is not None and str(to) not in course["offered"]:
            course["offered"].append(str(to))
    elif kind == "prerequisites":
        course = _find(data["courses"], ids[0], "course")
        course["prerequisites"], course["prerequisites_any"] = [], []
        course["requires_skills"] = {}
    elif kind == "learner_terms":
        learner = _find(data["learners"], ids[0], "learner")
        if to is None:
            learner["terms"] = None
        elif learner["terms"] is not None and str(to) not in learner["terms"]:
            wanted = set(learner["terms"]) | {str(to)}
            learner["terms"] = [t.id for t in scenario.terms if t.id in wanted]


# ----- words --------------------------------------------------------------------------
def _learner(scenario: Scenario, learner_id: str) -> Learner:
    return next(lr for lr in scenario.learners if lr.id == learner_id)


def _current_limit(scenario: Scenario, label: str) -> float | None:
    """The value a numeric limit has in the scenario (None: no such limit set)."""
    kind, ids = parse_label(label)
    rule = RULES[kind]
    holder: object = scenario.constraints
    if rule.names == ("term",):
        holder = next(t for t in scenario.terms if t.id == ids[0])
    elif rule.names == ("learner",):
        holder = _learner(scenario, ids[0])
    elif rule.names == ("course",):
        holder = scenario.course(ids[0])
    value: float | None = getattr(holder, str(rule.field))
    return value


def _fmt(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _limit_note(label: str, old: float | None, new: float | str) -> str:
    verb = "lower" if limit_of(label) == "min" else "raise"
    return f"{verb} {limit_words(label)} from {_fmt(old)} to {_fmt(new)}"


def _describe(scenario: Scenario, change: Change) -> str:
    if change.to is None:
        return drop_words(change.relax)
    if limit_of(change.relax) is not None:
        return _limit_note(change.relax, _current_limit(scenario, change.relax), change.to)
    kind, ids = parse_label(change.relax)
    if kind == "pinned":
        return f"move {ids[1]} to {change.to} for {ids[0]}"
    if kind == "offered":
        return f"also run {ids[0]} in {change.to}"
    return f"let {ids[0]} also study in {change.to}"


def describe(diagnosis: Diagnosis) -> str:
    """The diagnosis in words, for the command line."""
    lines = ["No plan satisfies every rule. These rules conflict:"]
    lines += [f"  - {label}" for label in diagnosis.conflict]
    if not diagnosis.minimal:
        lines.append("  (time ran out before proving that no rule can be left out)")
    if diagnosis.fixes:
        lines.append("Fixes, best first:")
        for i, fix in enumerate(diagnosis.fixes, 1):
            what = ", ".join(f"{c.relax} → {'null' if c.to is None else c.to}" for c in fix.changes)
            lines.append(f"  {i}. {fix.note} [{what}]")
    else:
        lines.append("No verified fix was found in the time available.")
    return "\n".join(lines)
