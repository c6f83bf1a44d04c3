"""Benchmarks: CP-SAT (planner.solver.solve) vs the greedy baseline vs a plain MIP (SCIP).

    python -m benchmarks.run [--quick] [--out benchmarks/results.md]

Instances are deterministic (planner.scenario.generate). Every plan is verified with the
independent checker; a plan that fails it is reported as INVALID. Prints a Markdown table
and writes it to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.mip import highs_solve, mip_solve
from planner.scenario.generate import generate
from planner.solver import solve
from planner.solver.check import check_plan
from planner.solver.greedy import greedy_plan

HERE = Path(__file__).parent


@dataclass
class Case:
    key: str
    title: str
    seeds: list[int]
    limit_s: float
    target: str
    make: object  # seed -> Scenario


def cases(quick: bool) -> list[Case]:
    single = dict(courses=60, terms=8, skills=30, roles=1, role_skills=(10, 14))
    program = dict(courses=250, terms=6, skills=60, roles=1, role_skills=(30, 40), max_credits=18)
    cohort = dict(
        learners=300,
        courses=80,
        terms=6,
        skills=30,
        roles=9,
        role_skills=(4, 8),
        groups_count=20,
        capacities=True,
    )
    if quick:
        program.update(courses=120)
        cohort.update(learners=60, courses=40)
    common = dict(gap_close=0.0, learner_budgets=False)
    return [
        Case(
            "a",
            "one learner, 60 courses × 8 terms",
            list(range(1, 8)),
            10 if quick else 30,
            "proven optimal, median ≤ 0.3 s",
            lambda seed: generate(seed, **single, **common),
        ),
        Case(
            "b",
            f"program, {program['courses']} courses × 6 terms",
            [1],
            10 if quick else 60,
            "proven optimal ≤ 5 s",
            lambda seed: generate(seed, **program, **common),
        ),
        Case(
            "c",
            f"cohort, {cohort['learners']} groups × {cohort['courses']} courses × 6 terms, "
            "capacities + session costs",
            [1],
            15 if quick else 60,
            "within 1% of bound ≤ 60 s",
            lambda seed: generate(seed, **cohort, **common),
        ),
    ]


def first_gap(plan) -> tuple[str, float]:
    """Relative distance to the bound on the first component not proven (0 when optimal)."""
    if plan.status == "OPTIMAL" or not plan.objective:
        return "", 0.0
    bounds = plan.bound or {}
    for name, value in plan.objective.items():  # in the scenario's objective order
        if name not in bounds:  # the search stopped before this stage gave a bound
            return name, float("nan")
        if value - bounds[name] > 1e-6 * max(1.0, abs(value)):
            return name, (value - bounds[name]) / max(abs(value), 1e-9)
    return "", 0.0


def run_one(name: str, fn, scenario) -> dict:
    started = time.perf_counter()
    plan = fn(scenario)
    elapsed = time.perf_counter() - started
    problems = check_plan(scenario, plan)
    if plan.status == "UNKNOWN" and name == "greedy" and not problems:
        problems = []  # greedy honestly gave up; nothing to verify
    gap_name, gap = first_gap(plan)
    return {
        "solver": name,
        "status": "INVALID" if problems else plan.status,
        "time": elapsed,
        "objective": plan.objective,
        "key": tuple(plan.objective[n] for n in scenario.objective) if plan.objective else None,
        "gap_name": gap_name,
        "gap": gap,
        "problems": problems[:3],
    }


def lex_ratio(scenario, greedy: dict, cp: dict) -> str:
    """greedy / CP-SAT on the first objective component where they differ."""
    if not greedy["objective"] or not cp["objective"]:
        return "n/a (greedy found no plan)" if not greedy["objective"] else "n/a"
    for n in scenario.objective:
        g, c = greedy["objective"][n], cp["objective"][n]
        if abs(g - c) > 1e-6 * max(1.0, abs(c)):
            ratio = g / c if c else float("inf")
            return f"{n} {g:g} / {c:g} = {ratio:.2f}" + (" (CP-SAT WORSE)" if g < c else "")
    return "equal"


def gap_to_bound(solver: str, rs: list[dict]) -> str:
    """The worst run's distance to its bound, on the first component not proven."""
    if all(r["status"] == "OPTIMAL" for r in rs):
        return "proven"
    if solver == "greedy":
        return "—"  # greedy has no bound
    unbounded = [r for r in rs if math.isnan(r["gap"])]
    if unbounded:
        return f"no bound ({unbounded[0]['gap_name']})"
    worst = max(rs, key=lambda r: r["gap"])
    return f"{worst['gap'] * 100:.2f}% ({worst['gap_name']})"


def fmt_obj(o) -> str:
    if not o:
        return "—"
    return " / ".join(f"{o[n]:g}" for n in ("gap", "cost", "credits", "lateness"))


def bench(quick: bool, workers: int, mip: str = "scip") -> str:
    baseline = highs_solve if mip == "highs" else mip_solve
    rows, summary = [], []
    for case in cases(quick):
        runs = {"cp-sat": [], "mip": [], "greedy": []}
        scenarios = []
        for seed in case.seeds:
            s = case.make(seed)
            scenarios.append(s)
            runs["cp-sat"].append(
                run_one(
                    "cp-sat",
                    lambda sc, lim=case.limit_s: solve(sc, time_limit_s=lim, workers=workers),
                    s,
                )
            )
            runs["greedy"].append(run_one("greedy", greedy_plan, s))
            runs["mip"].append(
                run_one("mip", lambda sc, lim=case.limit_s: baseline(sc, time_limit_s=lim), s)
            )
            print(
                f"  {case.key} seed {seed}: "
                + ", ".join(f"{k} {v[-1]['status']} {v[-1]['time']:.2f}s" for k, v in runs.items()),
                flush=True,
            )
        for solver in ("cp-sat", "mip", "greedy"):
            rs = runs[solver]
            times = [r["time"] for r in rs]
            statuses = sorted({r["status"] for r in rs})
            rows.append(
                f"| {case.key} | {solver} | {'/'.join(statuses)} | {statistics.median(times):.3f}"
                + (f" (max {max(times):.3f})" if len(times) > 1 else "")
                + f" | {gap_to_bound(solver, rs)} | {fmt_obj(rs[0]['objective'])} |"
            )
        cp_t = statistics.median(r["time"] for r in runs["cp-sat"])
        mip_t = statistics.median(r["time"] for r in runs["mip"])
        ratios = [
            lex_ratio(s, g, c)
            for s, g, c in zip(scenarios, runs["greedy"], runs["cp-sat"], strict=True)
        ]
        worse_than_greedy = any(
            g["key"] is not None and c["key"] is not None and g["key"] < c["key"]
            for g, c in zip(runs["greedy"], runs["cp-sat"], strict=True)
        )
        summary.append(
            f"| {case.key} | {case.title} | {case.target} | {cp_t / mip_t:.2f} | "
            f"{ratios[len(ratios) // 2]} | {'yes' if worse_than_greedy else 'no'} |"
        )
    head = [
        f"Machine: {platform.machine()}, Python {platform.python_version()}, CP-SAT workers "
        f"{workers}; MIP = {'HiGHS (highspy, 2 threads)' if mip == 'highs' else 'OR-Tools pywraplp SCIP, one thread'}; times in seconds (median over "
        "seeds 1-7 for (a)); objective (of seed 1) = gap / cost / credits / lateness; 'gap to bound' is on the "
        "first objective component not proven optimal.",
        "",
        "| case | solver | status | time s | gap to bound | objective |",
        "|---|---|---|---|---|---|",
    ]
    tail = [
        "",
        "| case | instance | target | CP-SAT / MIP time | greedy / CP-SAT objective | CP-SAT worse than greedy |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(head + rows + tail + summary) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller instances, short limits")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mip", choices=("scip", "highs"), default="scip")
    parser.add_argument("--out", default=str(HERE / "results.md"))
    args = parser.parse_args()
    table = bench(args.quick, args.workers, args.mip)
    print(table)
    Path(args.out).write_text(
        ("# Benchmark results (--quick)\n\n" if args.quick else "# Benchmark results\n\n") + table,
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
