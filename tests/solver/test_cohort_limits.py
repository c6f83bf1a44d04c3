"""Cohorts of shapes the planner's own generator does not make (benchmarks/shapes.py):
the time limit is a promise on every path, progress never crashes, no answer is worse
than greedy, and bounds stay honest when a pricing round is cut short."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.shapes import people, shape
from planner.commands.solve import _Progress
from planner.scenario import parse_scenario
from planner.solver import solve
from planner.solver.check import check_plan
from planner.solver.cohort import master as cohort_master
from planner.solver.cohort import solve_cohort
from planner.solver.greedy import greedy_plan
from planner.solver.grouping import group_learners

PLANNER = Path(sys.executable).with_name("planner")


def slack(limit: float) -> float:
    """What the promise allows past the limit: max(2 s, 5 %)."""
    return max(2.0, 0.05 * limit)


def run_cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    done = subprocess.run([str(PLANNER), *args], capture_output=True, text=True, timeout=300)
    return done, time.perf_counter() - started


def write(tmp_path: Path, doc: dict, name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# ----- progress consumers ------------------------------------------------------------------
@pytest.mark.parametrize(
    "info",
    [
        {"stage": "gap: pricing", "objective": None, "bound": None},
        {"stage": "gap", "objective": 12.5, "bound": float("-inf")},
        {"stage": "gap", "objective": float("nan"), "bound": 3},
    ],
)
def test_cli_progress_prints_a_question_mark_for_what_is_not_known_yet(info, capsys):
    progress = _Progress()
    progress.t0 -= 10  # past the first second, so it prints
    progress({**info, "elapsed_s": 10.0})
    line = capsys.readouterr().err
    assert line.startswith("[10.0s]") and "?" in line


@pytest.mark.slow
def test_console_script_solves_a_cohort_through_column_generation_within_its_limit(tmp_path):
    """The path that crashed: a coupled cohort that runs for seconds and reports progress."""
    # 300 × 80 × 10 is past MEDIUM: patterns alone (no monolithic second opinion)
    doc = shape(300, 80, 10, seats="tight", money=True, depth="deep", roles="shared", seed=3)
    scenario, plan = write(tmp_path, doc), tmp_path / "plan.json"
    done, wall = run_cli("solve", str(scenario), "--time-limit", "8", "--out", str(plan))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "column generation" in done.stderr
    assert wall <= 8 + slack(8), wall
    checked, _ = run_cli("check", str(scenario), str(plan))
    assert checked.returncode == 0, checked.stderr
    body = json.loads(plan.read_text(encoding="utf-8"))
    assert body["stats"]["column_generation"]  # the path that crashed
    assert body["status"] in ("OPTIMAL", "FEASIBLE")
    assert body["bound"]["gap"] <= body["objective"]["gap"] + 1e-6


@pytest.mark.slow
def test_console_script_on_a_large_file_of_one_entry_per_person(tmp_path):
    """20,000 people, one entry each, 400 profiles: read, group, solve, hand back, write —
    all inside the limit, every person in the plan, the plan valid."""
    doc = people(20_000, 400, courses=40, terms=8, seats="tight", money=False, seed=5)
    scenario, plan = write(tmp_path, doc), tmp_path / "plan.json"
    done, wall = run_cli("solve", str(scenario), "--time-limit", "15", "--out", str(plan))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert wall <= 15 + slack(15), wall
    body = json.loads(plan.read_text(encoding="utf-8"))
    assert len(body["learners"]) == 20_000
    checked, _ = run_cli("check", str(scenario), str(plan))
    assert checked.returncode == 0, checked.stderr


# ----- the greedy start: fast, time-boxed, never beaten --------------------------------------
def test_greedy_on_two_thousand_groups_takes_seconds_not_minutes():
    s = parse_scenario(shape(2000, 80, 8, seats="tight", money=True, seed=2))
    merged = group_learners(s).merged
    cpu = time.process_time()
    plan = greedy_plan(merged)
    assert time.process_time() - cpu < 10  # was minutes: the reserve was re-summed per take
    assert plan.status == "FEASIBLE" and check_plan(merged, plan) == []


def test_greedy_stops_filling_terms_at_its_deadline_and_stays_valid():
    s = parse_scenario(shape(200, 40, 8, seats="loose", money=True, seed=4))
    plan = greedy_plan(s, deadline=time.perf_counter())  # already past
    assert plan.stats.get("time_boxed")
    assert plan.status == "FEASIBLE" and check_plan(s, plan) == []
    assert all(not courses for lp in plan.learners for courses in lp.schedule.values())


def test_a_cohort_solve_cut_short_is_still_valid_and_no_worse_than_greedy():
    s = parse_scenario(shape(1000, 80, 12, seats="tight", money=True, depth="deep", seed=6))
    greedy = greedy_plan(group_learners(s).merged)
    started = time.perf_counter()
    plan = solve_cohort(s, time_limit_s=10, workers=2)
    assert time.perf_counter() - started <= 10 + slack(10)
    assert plan.status == "FEASIBLE" and check_plan(s, plan) == []
    assert plan.objective["gap"] <= greedy.objective["gap"] + 1e-6
    assert plan.bound["gap"] <= plan.objective["gap"] + 1e-6


# ----- pricing: one solve per profile, honest bounds from partial rounds ---------------------
def _small_cohort(seed: int) -> dict:
    doc = shape(12, 8, 3, seats="tight", money=True, depth="deep", roles="shared", seed=seed)
    # Same profiles with other counts: groups that share one pricing solve.
    twins = [{**lr, "id": lr["id"] + "b", "count": lr["count"] + 1} for lr in doc["learners"]]
    doc["learners"] += twins
    return doc


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_groups_of_one_profile_share_one_pricing_solve(seed, monkeypatch):
    s = parse_scenario(_small_cohort(seed))
    calls = []
    original = cohort_master.PatternSolve._price_profiles

    def counting(self, jobs, *args):
        answers = original(self, jobs, *args)
        calls.append((len(jobs), len(answers)))
        return answers

    monkeypatch.setattr(cohort_master.PatternSolve, "_price_profiles", counting)
    plan = cohort_master.solve_patterns(s, time_limit_s=20, workers=1)
    assert check_plan(s, plan) == []
    groups = len(group_learners(s).groups)
    profiles = len({g.profile for g in group_learners(s).groups})
    assert profiles < groups
    assert calls[0] == (groups, profiles)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_round_cut_short_still_gives_a_valid_bound(seed, monkeypatch):
    """Pricing that answers only some profiles each round (as when the deadline falls
    mid-round) still bounds the optimum from below."""
    s = parse_scenario(_small_cohort(seed))
    original = cohort_master.PatternSolve._price_profiles

    def half(self, jobs, *args):
        answers = original(self, jobs, *args)
        return {r: a for i, (r, a) in enumerate(sorted(answers.items())) if i % 2 == 0}

    monkeypatch.setattr(cohort_master.PatternSolve, "_price_profiles", half)
    plan = cohort_master.solve_patterns(s, time_limit_s=20, workers=1)
    exact = solve(s, time_limit_s=60, workers=2)
    assert exact.status == "OPTIMAL"
    assert plan.status == "FEASIBLE" and check_plan(s, plan) == []
    assert plan.bound["gap"] <= exact.objective["gap"] + 1e-6
