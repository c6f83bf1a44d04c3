"""Infeasibility diagnosis: one scenario per rule label; the first fix must solve it, and
applying a fix changes only its own rules."""

import pytest

from planner.scenario.generate import generate
from planner.scenario.models import Fix
from planner.solver import apply_fix, diagnose, solve
from planner.solver.check import check_plan
from planner.solver.diagnose import forcing_labels, last_resort_fix

A = {"id": "A", "credits": 3, "cost": 100, "teaches": {"x": 3}}

CASES = {
    "term_max_credits": dict(
        terms=[{"id": "T1", "max_credits": 2}],
        courses=[A],
        learners=[{"id": "l1", "required": ["A"]}],
    ),
    "term_min_credits": dict(
        terms=[{"id": "T1", "min_credits": 5}],
        courses=[A],
        learners=[{"id": "l1"}],
    ),
    "learner_max_credits": dict(
        terms=["T1"], courses=[A], learners=[{"id": "l1", "max_credits": 1.5, "required": ["A"]}]
    ),
    "learner_budget": dict(
        terms=["T1"], courses=[A], learners=[{"id": "l1", "budget": 60, "required": ["A"]}]
    ),
    "budget": dict(
        terms=["T1"],
        courses=[A],
        learners=[{"id": "g", "count": 3, "required": ["A"]}],
        constraints={"budget": 250},
    ),
    "required": dict(
        terms=["T1"],
        courses=[{**A, "prerequisites": ["B"]}, {"id": "B"}],
        learners=[{"id": "l1", "required": ["A"]}],
    ),
    "excluded": dict(
        terms=["T1", "T2"],
        courses=[{"id": "B"}, {**A, "prerequisites": ["B"]}],
        learners=[{"id": "l1", "required": ["A"], "excluded": ["B"]}],
    ),
    "pinned": dict(
        courses=[{**A, "offered": ["spring"]}],
        learners=[{"id": "l1", "pinned": {"A": "T1"}}],
    ),
    "max_sections": dict(
        terms=["T1"],
        courses=[{**A, "capacity": 10}],
        learners=[{"id": "g", "count": 15, "required": ["A"]}],
    ),
    "gap_closed": dict(
        courses=[{"id": "A", "teaches": {"x": 2}}],
        learners=[{"id": "l1", "target": {"x": 3}, "gap_mode": "close"}],
    ),
    "offered": dict(
        terms=[{"id": "T1", "season": "fall"}, {"id": "T2", "season": "spring"}],
        courses=[{**A, "offered": ["T2"]}],
        learners=[{"id": "l1", "terms": ["T1"], "required": ["A"]}],
    ),
    "prerequisites": dict(
        terms=["T1"],
        courses=[{"id": "B", "teaches": {"x": 1}}, {**A, "requires_skills": {"x": 1}}],
        learners=[{"id": "l1", "required": ["A"]}],
    ),
    "learner_terms": dict(
        courses=[{"id": "B"}, {**A, "prerequisites": ["B"]}],
        learners=[{"id": "l1", "terms": ["T3"], "required": ["A"]}],
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_label_kind_is_diagnosed_and_the_first_fix_solves_it(kind, scenario_factory):
    s = scenario_factory(**CASES[kind])
    plan = solve(s, time_limit_s=5)
    assert plan.status == "INFEASIBLE"
    assert plan.objective is None and plan.learners == [] and plan.sections == []
    assert check_plan(s, plan) == []
    d = plan.diagnosis
    assert d.minimal is True
    assert any(label.split(":")[0] == kind for label in d.conflict), d.conflict
    assert d.fixes, "no fix offered"
    for fix in d.fixes:
        assert any(change.relax in d.conflict for change in fix.changes)
    fixed = apply_fix(s, d.fixes[0])
    again = solve(fixed, time_limit_s=5)
    assert again.status == "OPTIMAL"
    assert check_plan(fixed, again) == []


def test_spec_example_pin_moved_before_dropped(scenario_factory):
    s = scenario_factory(
        terms=[{"id": "2027-1", "season": "spring"}, {"id": "2027-2", "season": "fall"}],
        courses=[{"id": "MKT210", "offered": ["fall"]}],
        learners=[{"id": "li.na", "pinned": {"MKT210": "2027-1"}}],
    )
    d = solve(s).diagnosis
    assert d.conflict == ["offered:MKT210", "pinned:li.na:MKT210"] and d.minimal
    first = d.fixes[0].changes
    assert [(c.relax, c.to) for c in first] == [("pinned:li.na:MKT210", "2027-2")]
    kinds = [(f.changes[0].relax, f.changes[0].to) for f in d.fixes]
    assert ("offered:MKT210", "2027-1") in kinds
    assert kinds.index(("pinned:li.na:MKT210", None)) > kinds.index(
        ("pinned:li.na:MKT210", "2027-2")
    )


def test_limit_fix_is_the_least_value(scenario_factory):
    s = scenario_factory(
        terms=[{"id": "T1", "max_credits": 4}],
        courses=[{"id": "A", "credits": 2.5}, {"id": "B", "credits": 2.25}],
        learners=[{"id": "l1", "required": ["A", "B"]}],
    )
    d = solve(s).diagnosis
    first = d.fixes[0].changes[0]
    assert (first.relax, first.to) == ("term_max_credits:T1", 4.75)


def test_conflict_is_minimal_among_distractions(scenario_factory):
    s = scenario_factory(
        terms=[{"id": "T1", "max_credits": 10, "min_credits": 1}],
        courses=[{"id": "A", "credits": 3, "cost": 500}, {"id": "B", "credits": 1}],
        learners=[{"id": "l1", "budget": 100, "required": ["A"], "max_credits": 8}],
        constraints={"budget": 10000},
    )
    d = solve(s).diagnosis
    assert sorted(d.conflict) == ["learner_budget:l1", "required:l1:A"] and d.minimal
    assert d.fixes[0].changes[0].relax == "learner_budget:l1"
    assert d.fixes[0].changes[0].to == 500


def test_two_independent_conflicts_need_a_two_change_fix(scenario_factory):
    s = scenario_factory(
        terms=["T1"],
        courses=[{"id": "A", "cost": 100}, {"id": "B", "cost": 100}],
        learners=[
            {"id": "p", "budget": 50, "required": ["A"]},
            {"id": "q", "budget": 50, "required": ["B"]},
        ],
    )
    d = solve(s).diagnosis
    assert len(d.fixes) == 1 and len(d.fixes[0].changes) == 2
    assert solve(apply_fix(s, d.fixes[0])).status == "OPTIMAL"


def test_apply_fix_is_pure_and_validates(scenario_factory):
    s = scenario_factory(courses=[A], learners=[{"id": "l1", "pinned": {"A": "T1"}}])
    moved = apply_fix(s, {"changes": [{"relax": "pinned:l1:A", "to": "T2"}]})
    assert moved.learners[0].pinned == {"A": "T2"} and s.learners[0].pinned == {"A": "T1"}
    with pytest.raises(ValueError):
        apply_fix(s, Fix(changes=[{"relax": "pinned:l1:A", "to": "T9"}]))
    added = apply_fix(
        scenario_factory(courses=[{**A, "offered": ["T1"]}]),
        {"changes": [{"relax": "offered:A", "to": "spring"}]},
    )
    assert added.courses[0].offered == ["T1", "spring"]


def test_diagnose_of_a_solvable_scenario_is_empty(scenario_factory):
    d = diagnose(scenario_factory(courses=[A]), time_limit_s=2)
    assert d.conflict == [] and d.fixes == []


# ----- several conflicts, little time: a verified fix all the same -----------------------
def _fixed_solves(s, fix) -> bool:
    return solve(apply_fix(s, fix), time_limit_s=5).status in ("OPTIMAL", "FEASIBLE")


def test_three_independent_conflicts_get_a_verified_multi_change_fix():
    # judge "tight/21": budget vs pin, a single term vs a pin and its prerequisite, and a
    # per-term credit limit below a term minimum; no single change fixes all three
    s = generate(6021, learners=2, courses=8, terms=4, staff_rules=True, tight=0.6)
    d = diagnose(s, time_limit_s=10)
    assert sorted(d.conflict) == ["learner_budget:L001", "pinned:L001:C006"] and d.minimal
    assert len(d.fixes) == 1 and len(d.fixes[0].changes) >= 3
    assert any(c.relax in d.conflict for c in d.fixes[0].changes)
    assert any(c.to is not None for c in d.fixes[0].changes)  # values moved, not all dropped
    assert _fixed_solves(s, d.fixes[0])


def test_out_of_time_the_last_resort_still_solves():
    s = generate(6021, learners=2, courses=8, terms=4, staff_rules=True, tight=0.6)
    d = diagnose(s, time_limit_s=0.02)
    assert d.conflict and d.fixes
    assert _fixed_solves(s, d.fixes[0])


def test_last_resort_drops_only_what_forces_courses(scenario_factory):
    s = scenario_factory(
        terms=[{"id": "T1", "min_credits": 2}, {"id": "T2", "max_credits": 1}, "T3"],
        courses=[{"id": "A", "credits": 3, "max_sections": 0}, {"id": "B", "credits": 1}],
        learners=[
            {"id": "p", "terms": ["T1", "T2"], "required": ["A"], "pinned": {"B": "T2"}},
            {"id": "q", "terms": ["T3"], "target": {"x": 2}, "gap_mode": "close"},
            {"id": "r", "terms": ["T2"], "required": ["B"], "completed": ["B"]},
        ],
    )
    assert forcing_labels(s) == [
        "term_min_credits:T1",
        "required:p:A",
        "pinned:p:B",
        "gap_closed:q",
    ]
    fix = last_resort_fix(s)
    assert _fixed_solves(s, fix)


@pytest.mark.parametrize("seed", range(8))
def test_every_infeasible_tight_scenario_gets_a_first_fix_that_solves(seed):
    s = generate(7000 + seed, learners=3, courses=8, terms=4, staff_rules=True, tight=0.7)
    plan = solve(s, time_limit_s=2)
    if plan.status != "INFEASIBLE":
        return
    d = plan.diagnosis
    assert d.fixes, d.conflict
    sizes = [len(f.changes) for f in d.fixes]
    assert sizes == sorted(sizes)
    assert all(any(c.relax in d.conflict for c in f.changes) for f in d.fixes)
    assert _fixed_solves(s, d.fixes[0])


def _rules(s) -> dict:
    """Every rule of a scenario, by label, with its effective value."""
    out = {}
    for t in s.terms:
        out[f"term_max_credits:{t.id}"] = t.max_credits
        out[f"term_min_credits:{t.id}"] = t.min_credits
    for lr in s.learners:
        out[f"learner_max_credits:{lr.id}"] = lr.max_credits
        out[f"learner_budget:{lr.id}"] = lr.budget
        out[f"learner_terms:{lr.id}"] = s.learner_terms(lr)
        out[f"gap_closed:{lr.id}"] = s.gap_mode_of(lr)
        for c in lr.required:
            out[f"required:{lr.id}:{c}"] = True
        for c in lr.excluded:
            out[f"excluded:{lr.id}:{c}"] = True
        for c, t in lr.pinned.items():
            out[f"pinned:{lr.id}:{c}"] = t
        out[f"learner:{lr.id}"] = (lr.role, lr.target, lr.levels, lr.completed, lr.count)
    out["budget"] = s.constraints.budget
    for c in s.courses:
        out[f"max_sections:{c.id}"] = c.max_sections
        out[f"offered:{c.id}"] = c.offered
        out[f"prerequisites:{c.id}"] = (c.prerequisites, c.prerequisites_any, c.requires_skills)
        out[f"course:{c.id}"] = (c.credits, c.cost, c.teaches, c.capacity, c.session_cost)
    out["objective"] = s.objective
    out["name"] = s.name
    return out


def _infeasible_cases(wanted: int = 10, tries: int = 60):
    """The first `wanted` generated tight scenarios that are infeasible, with their plans."""
    found = []
    for seed in range(700, 700 + tries):
        s = generate(
            seed,
            learners=3,
            courses=10,
            terms=4,
            tight=0.6,
            staff_rules=True,
            capacities=seed % 2 == 0,
            gap_close=0.5,
        )
        plan = solve(s, time_limit_s=10, workers=1)
        if plan.status == "INFEASIBLE":
            found.append((s, plan))
            if len(found) == wanted:
                break
    return found


def test_apply_fix_round_trips_every_untouched_rule():
    cases = _infeasible_cases()
    assert len(cases) == 10
    for s, plan in cases:
        _check_untouched(s, plan)


def _check_untouched(s, plan):
    before = _rules(s)
    for fix in plan.diagnosis.fixes:
        after = _rules(apply_fix(s, fix))
        touched = {c.relax for c in fix.changes}
        for label, value in before.items():
            if label not in touched:
                assert after.get(label) == value, (label, fix.note)
        assert set(after) - set(before) <= touched  # nothing added but what it says


def test_two_conflicts_get_a_multi_change_fix(scenario_factory):
    """Regression: diagnose._multi_change_fix used to move the pin T2→T1 (fixing
    offered:C, breaking prerequisites:C) and back, ten times, and return no fix at all."""
    # Two independent conflicts, so no single change suffices: C is pinned to a spring term
    # but runs in fall only (and needs P first), and the required R never runs.
    s = scenario_factory(
        courses=[
            {"id": "P", "credits": 1},
            {"id": "C", "credits": 1, "offered": ["fall"], "prerequisites": ["P"]},
            {"id": "R", "credits": 1, "max_sections": 0},
        ],
        learners=[{"id": "L", "pinned": {"C": "T2"}, "required": ["R"]}],
    )
    # a two-change fix exists: pin C to T3 (after P in T1 or T2) and let R run
    both = {"changes": [{"relax": "pinned:L:C", "to": "T3"}, {"relax": "max_sections:R", "to": 1}]}
    assert solve(apply_fix(s, both), time_limit_s=5).status == "OPTIMAL"
    plan = solve(s, time_limit_s=10, workers=2)
    assert plan.status == "INFEASIBLE"
    assert plan.diagnosis.fixes
    fixed = apply_fix(s, plan.diagnosis.fixes[0])
    assert solve(fixed, time_limit_s=5).status in ("OPTIMAL", "FEASIBLE")
