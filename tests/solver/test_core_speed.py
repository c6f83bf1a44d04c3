"""The speed-ups keep the optimum: one fused weighted objective equals the staged
lexicographic optimum, learners solved apart equal the joint model, and a fused sum
decodes to its first component exactly."""

import importlib
import random

import pytest

from planner.scenario.generate import generate
from planner.solver import solve
from planner.solver.check import check_plan
from planner.solver.objective import _weights

solve_module = importlib.import_module("planner.solver.solve")
OBJECTIVE = ["gap", "cost", "credits", "lateness"]


def _key(s, plan):
    return tuple(plan.objective[n] for n in s.objective)


@pytest.mark.parametrize("seed", range(16))
def test_fused_objective_equals_the_staged_optimum(seed, monkeypatch):
    s = generate(
        900 + seed,
        learners=1 + seed % 3,
        courses=14,
        terms=4,
        capacities=seed % 2 == 0,
        groups_count=4,
        budget="tight" if seed % 4 == 0 else None,
        fractional=seed % 5 == 0,
        objective=OBJECTIVE[seed % 4 :] + OBJECTIVE[: seed % 4],
    )
    fused = solve(s, time_limit_s=20, workers=2)
    monkeypatch.setattr(solve_module, "fuse", lambda ctx, exprs: exprs)
    staged = solve(s, time_limit_s=20, workers=2)
    assert fused.status == staged.status
    if fused.status == "OPTIMAL":
        assert check_plan(s, fused) == []
        assert _key(s, fused) == _key(s, staged)
        assert fused.bound == fused.objective


@pytest.mark.parametrize("seed", range(10))
def test_learners_apart_equal_the_joint_model(seed, monkeypatch):
    s = generate(
        950 + seed, learners=3 + seed % 3, courses=16, terms=4, groups_count=3, staff_rules=True
    )
    assert solve_module.independent(s)
    reports = []
    apart = solve(s, time_limit_s=20, workers=2, progress=reports.append)
    monkeypatch.setattr(solve_module, "independent", lambda scenario: False)
    joint = solve(s, time_limit_s=20, workers=2)
    assert apart.status == joint.status
    if apart.status == "INFEASIBLE":
        assert apart.diagnosis and apart.diagnosis.conflict and apart.diagnosis.fixes
        return
    assert apart.stats["learners_apart"] == len(s.learners)
    assert check_plan(s, apart) == []
    if joint.status == "OPTIMAL":
        assert apart.status == "OPTIMAL" and _key(s, apart) == _key(s, joint)
    # per-learner progress carries no objective: only the final, whole-scenario reports do
    assert all(r["objective"] is None for r in reports if "learner" in r)
    finals = {r["stage"]: r["objective"] for r in reports if "learner" not in r}
    assert finals == {n: apart.objective[n] for n in s.objective}


def test_a_scenario_budget_or_session_cost_keeps_learners_together():
    s = generate(7, learners=3, courses=10, budget=5000)
    assert not solve_module.independent(s)
    s = generate(7, learners=3, courses=10, capacities=True)
    assert not solve_module.independent(s)


def test_fused_sum_decodes_its_first_component():
    rng = random.Random(5)
    for _ in range(200):
        spans = [(rng.randint(-50, 50), rng.randint(0, 40)) for _ in range(rng.randint(2, 4))]
        weights, total = _weights(spans)
        values = [lo + rng.randint(0, r) for lo, r in spans]
        shifted = sum(w * (v - lo) for w, v, (lo, _) in zip(weights, values, spans, strict=True))
        assert 0 <= shifted <= total
        assert shifted // weights[0] == values[0] - spans[0][0]
        # one unit better in the first component beats everything after it
        worst_rest = sum(w * r for w, (_, r) in zip(weights[1:], spans[1:], strict=True))
        assert weights[0] > worst_rest
