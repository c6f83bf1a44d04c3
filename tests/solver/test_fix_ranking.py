"""Which fixes come first: numeric limits raised to the least value that works, fixes that
change as few rules as possible; fix titles never cut a word."""

import random

import pytest

from planner.scenario import parse_scenario
from planner.solver import apply_fix, solve
from planner.solver.diagnose import clip, diagnose, fix_title, rank, rule_groups


def _scenario(terms, courses, learners, **extra):
    return parse_scenario(
        {
            "format": "planner-scenario/1",
            "name": "fixes",
            "skills": [],
            "terms": terms,
            "courses": courses,
            "learners": learners,
            **extra,
        }
    )


def _solvable(s) -> bool:
    return solve(s, time_limit_s=10, workers=1).status in ("OPTIMAL", "FEASIBLE")


def _with(s, label, to):
    from planner.scenario.models import Change, Fix

    return apply_fix(s, Fix(changes=[Change(relax=label, to=to)]))


def test_too_low_term_limit_gets_the_least_raise_first():
    # 9 credits in two terms of at most 4: one term must take two courses (6 credits).
    s = _scenario(
        [{"id": "T1", "max_credits": 4}, {"id": "T2", "max_credits": 4}],
        [{"id": c, "credits": 3} for c in ("A", "B", "C")],
        [{"id": "l", "required": ["A", "B", "C"]}],
    )
    d = diagnose(s, time_limit_s=20, workers=1)
    first = d.fixes[0]
    assert len(first.changes) == 1
    change = first.changes[0]
    assert change.relax.startswith("term_max_credits:") and change.to == 6
    assert _solvable(apply_fix(s, first))
    assert not _solvable(_with(s, change.relax, 5))  # the least value that works
    assert not any(c.relax.startswith("required:") for c in first.changes)


def test_credits_every_learner_shares_are_raised_as_one_rule():
    s = _scenario(
        [{"id": "T1"}, {"id": "T2"}],
        [{"id": c, "credits": 3} for c in ("A", "B", "C", "D")],
        [
            {"id": "l1", "required": ["A", "B", "C"], "max_credits": 2},
            {"id": "l2", "required": ["D"], "max_credits": 2},
            {"id": "l3", "max_credits": 2},
        ],
    )
    plan = solve(s, time_limit_s=20, workers=1)
    assert plan.status == "INFEASIBLE"
    fixes = plan.diagnosis.fixes
    # Fewest changes first: l1 needs 6 credits a term, l2 3, l3 nothing.
    assert {(c.relax, c.to) for c in fixes[0].changes} == {
        ("learner_max_credits:l1", 6),
        ("learner_max_credits:l2", 3),
    }
    shared = [f for f in fixes if len(rule_groups(s, f)) == 1 and len(f.changes) == 3]
    assert shared and {c.to for c in shared[0].changes} == {6}
    assert fix_title(s, shared[0]) == "credits per term 6"
    assert [rank(s, f) for f in fixes] == sorted(rank(s, f) for f in fixes)
    assert [len(f.changes) for f in fixes] == sorted(len(f.changes) for f in fixes)
    # a value moved before a required course is dropped, at the same number of changes
    for a, b in zip(fixes, fixes[1:], strict=False):
        if len(a.changes) == len(b.changes):
            assert rank(s, a)[1] <= rank(s, b)[1]


@pytest.mark.parametrize("seed", range(12))
def test_fix_is_minimal_in_changed_rules_with_a_known_two_change_fix(seed):
    """A prerequisite chain with one course per term; two terms' limits are below the
    credits of the course that must go there, so raising those two is a known fix."""
    rng = random.Random(seed)
    n = rng.randint(3, 5)
    credits = [rng.randint(2, 5) for _ in range(n)]
    low = sorted(rng.sample(range(n), 2))
    terms = [{"id": f"T{i + 1}"} for i in range(n)]
    for i in low:
        terms[i]["max_credits"] = credits[i] - 1
    courses = [
        {"id": f"C{i + 1}", "credits": credits[i], **({"prerequisites": [f"C{i}"]} if i else {})}
        for i in range(n)
    ]
    s = _scenario(terms, courses, [{"id": "l", "required": [c["id"] for c in courses]}])
    d = diagnose(s, time_limit_s=20, workers=1)
    assert d.fixes
    first = d.fixes[0]
    assert len(rule_groups(s, first)) <= 2  # never larger than the known fix
    assert _solvable(apply_fix(s, first))
    numeric = [
        f for f in d.fixes if all(c.relax.startswith("term_max_credits:") for c in f.changes)
    ]
    assert numeric, "the numeric fix is offered"
    assert {(c.relax, c.to) for c in numeric[0].changes} == {
        (f"term_max_credits:T{i + 1}", credits[i]) for i in low
    }


def test_clip_never_cuts_a_word():
    assert clip("raise credits per term", 100) == "raise credits per term"
    assert clip("raise credits per term to twelve", 20) == "raise credits per…"
    assert len(clip("x" * 50, 10)) == 10
