"""Why no plan exists, and what to change: a minimal conflict of rule labels found with
assumption literals, and fixes whose first one is verified to make the scenario solvable.
`apply_fix` turns a fix into a new validated scenario (the web app's "apply" button)."""

import math
import threading
import time

from ortools.sat.python import cp_model

from planner.scenario import Diagnosis, Scenario, parse_scenario
from planner.scenario.models import Change, Fix
from planner.solver.model import LIMIT_KINDS, Context
from planner.solver.rules import add_all
from planner.solver.solve import run_model

SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)
MAX_FIXES = 8


class _Clock:
    def __init__(self, time_limit_s: float, stop: threading.Event | None):
        self.deadline = time.monotonic() + time_limit_s
        self.stop = stop

    def left(self, cap: float | None = None) -> float:
        left = self.deadline - time.monotonic()
        return min(left, cap) if cap is not None else left

    def out(self) -> bool:
        return self.left() <= 0.01 or (self.stop is not None and self.stop.is_set())


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
    """A core from CP-SAT's assumptions, shrunk by a deletion filter to a minimal one."""
    ctx = add_all(Context(scenario, labelled=True))
    labels = sorted(ctx.assumptions)
    status, core = _check(ctx, labels, clock, workers, cap=None)
    if status in SOLVED:
        return [], True  # nothing to diagnose
    if status != cp_model.INFEASIBLE:
        return labels, False  # no proof in time; the whole set is still a conflict
    conflict = [lab for lab in labels if lab in core] or labels
    if not shrink:
        return conflict, False
    minimal = True
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


def _check(ctx: Context, labels: list[str], clock: _Clock, workers: int, cap):
    """Solve with only `labels` enforced; returns (status, labels of the core found)."""
    ctx.m.clear_assumptions()
    ctx.m.add_assumptions([ctx.assumptions[lab] for lab in labels])
    solver, status = run_model(ctx.m, time_s=clock.left(cap), workers=workers, stop=clock.stop)
    core = set()
    if status == cp_model.INFEASIBLE:
        index = {ctx.assumptions[lab].index: lab for lab in labels}
        core = {index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index}
    return status, core


# ----- fixes ----------------------------------------------------------------------------
def find_fixes(scenario: Scenario, conflict: list[str], clock: _Clock, workers: int) -> list[Fix]:
    """Candidate single changes per conflict label, each verified by solving the changed
    scenario; if none works alone, one multi-change fix built conflict by conflict."""
    candidates = []
    for position, label in enumerate(conflict):
        if clock.out():
            break
        for rank, change, note in _candidates(scenario, label, clock, workers):
            candidates.append(((1, *rank, position), [change], note))
    candidates.sort(key=lambda c: c[0])
    fixes, seen_labels = [], {}
    for _key, changes, note in candidates:
        if clock.out() or len(fixes) >= MAX_FIXES:
            break
        label = changes[0].relax
        if seen_labels.get(label, 0) >= 2:
            continue  # one value change and one drop per label is plenty
        if _solvable(scenario, changes, clock, workers):
            fixes.append(Fix(changes=changes, note=note))
            seen_labels[label] = seen_labels.get(label, 0) + 1
    if not fixes and not clock.out():
        multi = _multi_change_fix(scenario, conflict, clock, workers)
        if multi is not None:
            fixes.append(multi)
    return fixes


def _solvable(scenario: Scenario, changes: list[Change], clock: _Clock, workers: int) -> bool:
    try:
        changed = apply_fix(scenario, Fix(changes=changes))
    except ValueError:
        return False
    return _feasible(changed, clock, workers) is True


def _feasible(scenario: Scenario, clock: _Clock, workers: int) -> bool | None:
    ctx = add_all(Context(scenario))
    _, status = run_model(ctx.m, time_s=clock.left(2.0), workers=workers, stop=clock.stop)
    if status in SOLVED:
        return True
    return False if status == cp_model.INFEASIBLE else None


def _candidates(scenario: Scenario, label: str, clock: _Clock, workers: int):
    """(rank, change, note) for one label. rank = (is a drop, size of the change)."""
    kind, *ids = label.split(":")
    term_pos = {t.id: i for i, t in enumerate(scenario.terms)}
    n_terms = max(len(scenario.terms), 1)
    if kind in LIMIT_KINDS:
        best = None if clock.out() else _best_limit(scenario, label, clock, workers)
        old = _current_limit(scenario, label)
        if best is not None:
            size = abs(best - old) / max(abs(old), 1e-9) if old else float(best)
            yield (0, size), Change(relax=label, to=best), _limit_note(label, old, best)
        yield (1, 0), Change(relax=label, to=None), _drop_note(scenario, label)
    elif kind == "pinned":
        learner_id, course_id = ids
        learner = _learner(scenario, learner_id)
        here = term_pos[learner.pinned[course_id]]
        for tid in scenario.learner_terms(learner):
            if tid != learner.pinned[course_id]:
                # a nearby pin move is the smallest change: it alters one learner's plan only
                dist = 0.1 + 0.4 * abs(term_pos[tid] - here) / n_terms
                yield (0, dist), Change(relax=label, to=tid), f"move {course_id} to {tid}"
        yield (1, 0), Change(relax=label, to=None), f"unpin {course_id} for {learner_id}"
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
        yield (1, 0), Change(relax=label, to=None), f"offer {course_id} in every term"
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
        yield (1, 0), Change(relax=label, to=None), f"let {learner_id} study in every term"
    else:
        yield (1, 0), Change(relax=label, to=None), _drop_note(scenario, label)


def _best_limit(scenario: Scenario, label: str, clock: _Clock, workers: int):
    """The least change of one limit, every other rule enforced, in file units."""
    ctx = add_all(Context(scenario, relax=label))
    var = ctx.limit_var
    if var is None:
        return None
    if LIMIT_KINDS[label.split(":")[0]] == "max":
        ctx.m.minimize(var)
    else:
        ctx.m.maximize(var)
    solver, status = run_model(ctx.m, time_s=clock.left(3.0), workers=workers, stop=clock.stop)
    if status != cp_model.OPTIMAL:
        return None  # only a proven least change is worth suggesting by value
    value = solver.value(var)
    kind = label.split(":")[0]
    if kind == "max_sections":
        return int(value)
    scale = ctx.money if kind in ("learner_budget", "budget") else ctx.credits
    result = scale.unscale(value)
    return int(result) if result.is_integer() else result


def _multi_change_fix(scenario, conflict, clock, workers) -> Fix | None:
    """No single change suffices (several conflicts): settle one conflict at a time with
    its best change under which every conflict met so far holds, then verify it all."""
    changes: list[Change] = []
    settled: list[str] = []
    current = scenario
    for _ in range(12):
        if clock.out():
            return None
        if changes and _feasible(current, clock, workers):
            return Fix(changes=changes, note="; ".join(_describe(scenario, c) for c in changes))
        found = find_conflict(current, clock, workers, shrink=False)[0] if changes else conflict
        if not found:
            return None
        settled += [lab for lab in found if lab not in settled]
        options = []
        for position, label in enumerate(found):
            if clock.out():
                return None
            for rank, change, _note in _candidates(current, label, clock, workers):
                options.append(((*rank, position), change))
        options.sort(key=lambda o: o[0])
        for _key, change in options:
            if clock.out():
                return None
            try:
                trial = apply_fix(current, Fix(changes=[change]))
            except ValueError:
                continue
            if _resolves(trial, settled, clock, workers):
                if change.relax.split(":")[0] in ("offered", "learner_terms"):
                    changes.append(change)  # these add a term, so both changes count
                else:  # a later value of the same limit or pin replaces the earlier one
                    changes = [c for c in changes if c.relax != change.relax] + [change]
                current = trial
                break
        else:
            return None
    return None


def _resolves(scenario: Scenario, labels: list[str], clock, workers) -> bool:
    """Do these labels (those that still exist) hold together in the changed scenario?"""
    ctx = add_all(Context(scenario, labelled=True))
    present = [lab for lab in labels if lab in ctx.assumptions]
    status, _ = _check(ctx, present, clock, workers, cap=2.0)
    return status in SOLVED


# ----- applying a fix -----------------------------------------------------------------
def apply_fix(scenario: Scenario, fix: Fix | dict) -> Scenario:
    """A validated copy of `scenario` with every change of `fix` applied."""
    if isinstance(fix, dict):
        fix = Fix.model_validate(fix)
    data = scenario.model_dump()
    for change in fix.changes:
        _apply_change(scenario, data, change)
    return parse_scenario(data)


def _find(items: list[dict], item_id: str, what: str) -> dict:
    for item in items:
        if item["id"] == item_id:
            return item
    raise ValueError(f'unknown {what} "{item_id}"')


def _apply_change(scenario: Scenario, data: dict, change: Change) -> None:
    kind, *ids = change.relax.split(":")
    to = change.to
    if kind == "term_max_credits":
        _find(data["terms"], ids[0], "term")["max_credits"] = to
    elif kind == "term_min_credits":
        _find(data["terms"], ids[0], "term")["min_credits"] = to or 0
    elif kind == "learner_max_credits":
        _find(data["learners"], ids[0], "learner")["max_credits"] = to
    elif kind == "learner_budget":
        _find(data["learners"], ids[0], "learner")["budget"] = to
    elif kind == "budget":
        data["constraints"]["budget"] = to
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
    elif kind == "max_sections":
        course = _find(data["courses"], ids[0], "course")
        if to is None:  # no limit: enough sections for everyone in every term
            total = sum(lr.count for lr in scenario.learners)
            cap = course["capacity"]
            to = max(1, math.ceil(total / cap)) if cap else 1
        course["max_sections"] = int(to)
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
    else:
        raise ValueError(f'unknown rule label "{change.relax}"')


# ----- words --------------------------------------------------------------------------
def _learner(scenario: Scenario, learner_id: str):
    return next(lr for lr in scenario.learners if lr.id == learner_id)


def _current_limit(scenario: Scenario, label: str) -> float:
    kind, *ids = label.split(":")
    if kind == "term_max_credits":
        return next(t for t in scenario.terms if t.id == ids[0]).max_credits
    if kind == "term_min_credits":
        return next(t for t in scenario.terms if t.id == ids[0]).min_credits
    if kind == "learner_max_credits":
        return _learner(scenario, ids[0]).max_credits
    if kind == "learner_budget":
        return _learner(scenario, ids[0]).budget
    if kind == "budget":
        return scenario.constraints.budget
    return scenario.course(ids[0]).max_sections


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _limit_note(label: str, old, new) -> str:
    kind, *ids = label.split(":")
    what = {
        "term_max_credits": f"{ids[0]}'s max credits" if ids else "",
        "term_min_credits": f"{ids[0]}'s min credits" if ids else "",
        "learner_max_credits": f"{ids[0]}'s max credits per term" if ids else "",
        "learner_budget": f"{ids[0]}'s budget" if ids else "",
        "budget": "the total budget",
        "max_sections": f"{ids[0]}'s max sections" if ids else "",
    }[kind]
    verb = "lower" if LIMIT_KINDS[kind] == "min" else "raise"
    return f"{verb} {what} from {_fmt(old)} to {_fmt(new)}"


def _drop_note(scenario: Scenario, label: str) -> str:
    kind, *ids = label.split(":")
    return {
        "term_max_credits": lambda: f"remove {ids[0]}'s max credits",
        "term_min_credits": lambda: f"remove {ids[0]}'s min credits",
        "learner_max_credits": lambda: f"remove {ids[0]}'s per-term credit limit",
        "learner_budget": lambda: f"remove {ids[0]}'s budget",
        "budget": lambda: "remove the total budget",
        "max_sections": lambda: f"allow as many sections of {ids[0]} as needed",
        "required": lambda: f"stop requiring {ids[1]} for {ids[0]}",
        "excluded": lambda: f"allow {ids[1]} for {ids[0]}",
        "gap_closed": lambda: f"let {ids[0]} end with a gap (gap_mode minimise)",
        "prerequisites": lambda: f"drop {ids[0]}'s prerequisites",
    }[kind]()


def _describe(scenario: Scenario, change: Change) -> str:
    kind = change.relax.split(":")[0]
    if change.to is None and kind in ("pinned", "offered", "learner_terms"):
        return {"pinned": "unpin", "offered": "offer in every term", "learner_terms": "all terms"}[
            kind
        ] + f" ({change.relax})"
    if change.to is None:
        return _drop_note(scenario, change.relax)
    if kind in LIMIT_KINDS:
        return _limit_note(change.relax, _current_limit(scenario, change.relax), change.to)
    ids = change.relax.split(":")[1:]
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
