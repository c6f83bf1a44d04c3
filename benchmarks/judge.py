"""Adversarial judge: every plan the planner returns, checked the way outside reviewers will.

For each scenario, through both `planner.solver.solve` and `solve_cohort` (and the
`planner solve` CLI for a few):
1. `check_plan` finds nothing (valid plan, exact objective, plan format);
2. OPTIMAL means the reference MIP's proven lexicographic optimum (SCIP, zero gap);
3. bound[first] never exceeds the MIP's proven optimum of the first component;
4. INFEASIBLE: the MIP finds no plan either; the conflict is really infeasible with only its
   labels (and unlabelled rules) enforced; `minimal: true` survives the deletion test; the
   first fix, applied with `apply_fix`, solves; fixes are ranked by number of changes;
5. wall time stays within the limit plus model-building slack.

    python -m benchmarks.judge [--quick] [--seeds N] [--family NAME] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ortools.linear_solver import pywraplp

from benchmarks.mip import MipModel
from planner.scenario import Plan, Scenario, dump_json, parse_scenario
from planner.scenario.generate import generate
from planner.scenario.models import Fix
from planner.solver import apply_fix, solve
from planner.solver.check import check_plan, compute_objective
from planner.solver.cohort import solve_cohort
from planner.solver.plan import plan_from_schedules

SLACK_S = 1.0  # model building and plan writing beyond the time limit
TOL = 1e-6


# --------------------------------------------------------------------------- reference


@dataclass
class Reference:
    """The MIP's verdict: status, and the proven optimum of each stage it finished."""

    status: str  # OPTIMAL (every stage proven), FEASIBLE, INFEASIBLE, UNKNOWN
    optimum: dict[str, float] = field(default_factory=dict)  # proven stages, in order
    plan: Plan | None = None
    time_s: float = 0.0


def _exact_params() -> pywraplp.MPSolverParameters:
    # pywraplp's default relative MIP gap is 1e-4: a reference must prove the exact optimum.
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    return params


def reference(s: Scenario, time_limit_s: float = 60.0) -> Reference:
    """Lexicographic optimum by staged MIP, every stage solved to zero gap."""
    started = time.perf_counter()
    m = MipModel(s)
    solver, params = m.solver, _exact_params()
    names = list(s.objective)
    optimum: dict[str, float] = {}
    schedules = None
    status = "OPTIMAL"
    for i, name in enumerate(names or [None]):
        left = time_limit_s - (time.perf_counter() - started)
        if left <= 0.05:
            status = "FEASIBLE" if schedules else "UNKNOWN"
            break
        solver.SetTimeLimit(int(left * 1000))
        expr = m.expr[name] if name else 0
        if isinstance(expr, int | float):
            solver.Minimize(solver.Sum([]))
        else:
            solver.Minimize(expr)
        result = solver.Solve(params)
        if result == pywraplp.Solver.INFEASIBLE and i == 0:
            return Reference("INFEASIBLE", time_s=time.perf_counter() - started)
        if result != pywraplp.Solver.OPTIMAL:
            if result == pywraplp.Solver.FEASIBLE:
                schedules = m.schedules()
            status = "FEASIBLE" if schedules else "UNKNOWN"
            break
        schedules = m.schedules()
        if name is None:
            break
        value = float(expr) if isinstance(expr, int | float) else solver.Objective().Value()
        optimum[name] = value
        if not isinstance(expr, int | float):
            solver.Add(expr <= value + max(1e-7, 1e-9 * abs(value)))
    plan = None
    if schedules is not None:
        plan = plan_from_schedules(s, schedules, status="FEASIBLE")
        # the exact values of the reference's own plan (MIP values carry tolerances)
        exact = compute_objective(s, plan)
        for name in optimum:
            if abs(exact[name] - optimum[name]) <= 1e-4 * max(1.0, abs(optimum[name])):
                optimum[name] = exact[name]
    return Reference(status, optimum, plan, time.perf_counter() - started)


def feasible(s: Scenario, time_limit_s: float = 30.0) -> bool | None:
    """Does any plan satisfy rules 3-7? The MIP decides; None when it cannot in time."""
    m = MipModel(s)
    m.solver.SetTimeLimit(int(time_limit_s * 1000))
    m.solver.Minimize(m.solver.Sum([]))
    result = m.solver.Solve()
    if result in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return True
    if result == pywraplp.Solver.INFEASIBLE:
        return False
    return None


# --------------------------------------------------------------------------- labels


def scenario_labels(s: Scenario) -> list[str]:
    """Every rule label the scenario has (contract table of scenario-format.md)."""
    out = []
    people = sum(lr.count for lr in s.learners)
    all_terms = [t.id for t in s.terms]
    for t in s.terms:
        if t.max_credits is not None:
            out.append(f"term_max_credits:{t.id}")
        if t.min_credits:
            out.append(f"term_min_credits:{t.id}")
    for lr in s.learners:
        if lr.max_credits is not None:
            out.append(f"learner_max_credits:{lr.id}")
        if lr.budget is not None:
            out.append(f"learner_budget:{lr.id}")
        out += [f"required:{lr.id}:{c}" for c in lr.required]
        out += [f"excluded:{lr.id}:{c}" for c in lr.excluded]
        out += [f"pinned:{lr.id}:{c}" for c in lr.pinned]
        if s.gap_mode_of(lr) == "close":
            out.append(f"gap_closed:{lr.id}")
        if lr.terms is not None and s.learner_terms(lr) != all_terms:
            out.append(f"learner_terms:{lr.id}")
    if s.constraints.budget is not None:
        out.append("budget")
    for c in s.courses:
        if c.max_sections == 0 or (c.capacity is not None and c.capacity * c.max_sections < people):
            out.append(f"max_sections:{c.id}")
        if c.offered is not None:
            out.append(f"offered:{c.id}")
        if c.prerequisites or c.prerequisites_any or c.requires_skills:
            out.append(f"prerequisites:{c.id}")
    return out


def drop_labels(s: Scenario, labels) -> Scenario:
    """The scenario with every given rule dropped (each change `to` null)."""
    labels = list(labels)
    if not labels:
        return s
    return apply_fix(s, Fix(changes=[{"relax": lab, "to": None} for lab in labels]))


def only_labels(s: Scenario, keep) -> Scenario:
    """Enforce only the labelled rules in `keep` (and the unlabelled ones)."""
    keep = set(keep)
    return drop_labels(s, [lab for lab in scenario_labels(s) if lab not in keep])


# --------------------------------------------------------------------------- findings


@dataclass
class Finding:
    case: str
    via: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.case} via {self.via}: {self.detail}"


@dataclass
class Case:
    family: str
    name: str
    scenario: Scenario
    time_limit_s: float = 5.0
    ref_limit_s: float = 60.0


@dataclass
class Outcome:
    case: Case
    statuses: dict[str, str] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    ref: Reference | None = None
    findings: list[Finding] = field(default_factory=list)


def lex_key(s: Scenario, values: dict, names=None) -> tuple:
    return tuple(values[n] for n in (names or s.objective))


def lex_compare(a: tuple, b: tuple) -> int:
    """-1, 0 or 1: lexicographic, equal within 1e-9 relative (not rounded to 6 decimals)."""
    for x, y in zip(a, b, strict=True):
        if abs(x - y) > 1e-9 * max(1.0, abs(x), abs(y)):
            return -1 if x < y else 1
    return 0


def judge_plan(case: Case, plan: Plan, ref: Reference, via: str, elapsed: float) -> list[Finding]:
    s = case.scenario
    out: list[Finding] = []

    def fail(check: str, detail: str) -> None:
        out.append(Finding(case.name, via, check, detail))

    problems = check_plan(s, plan)
    if problems:
        fail("valid", "; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))
    if elapsed > case.time_limit_s + SLACK_S:
        fail("time", f"{elapsed:.2f}s for a {case.time_limit_s:g}s limit")
    ref_plan_ok = ref.plan is not None and not check_plan(s, ref.plan)
    if ref.plan is not None and not ref_plan_ok:
        fail("reference", "the MIP's own plan fails the checker: " + check_plan(s, ref.plan)[0])
    if plan.status in ("OPTIMAL", "FEASIBLE"):
        if ref.status == "INFEASIBLE":
            fail("reference", f"{plan.status} plan but the MIP proves infeasible")
        names = [n for n in s.objective if n in ref.optimum]
        if plan.status == "OPTIMAL" and names and plan.objective:
            got, best = lex_key(s, plan.objective, names), lex_key(s, ref.optimum, names)
            if lex_compare(got, best) > 0 and ref_plan_ok:
                fail(
                    "optimal",
                    f"OPTIMAL {dict(zip(names, got, strict=True))} but the MIP proves {best}",
                )
            elif lex_compare(got, best) < 0:
                fail("reference", f"plan {got} beats the MIP's 'optimum' {best} (MIP suspect)")
        first = s.objective[0] if s.objective else None
        known = first and plan.bound and first in plan.bound and first in ref.optimum
        if known and plan.bound[first] > ref.optimum[first] + TOL * max(1, ref.optimum[first]):
            fail("bound", f"bound {first} {plan.bound[first]} > optimum {ref.optimum[first]}")
    elif plan.status == "INFEASIBLE":
        if ref.status not in ("INFEASIBLE", "UNKNOWN") and ref_plan_ok:
            fail("infeasible", f"INFEASIBLE but the MIP finds a valid plan ({ref.status})")
        if plan.diagnosis is not None:
            out += [Finding(case.name, via, c, d) for c, d in judge_diagnosis(s, plan.diagnosis)]
    elif plan.status == "UNKNOWN" and ref_plan_ok and ref.time_s < case.time_limit_s:
        fail("unknown", f"UNKNOWN but the MIP found a plan in {ref.time_s:.2f}s")
    return out


def judge_diagnosis(s: Scenario, diagnosis) -> Iterator[tuple[str, str]]:
    """Conflict real, minimal by the deletion test, first fix solves, fixes ranked."""
    conflict = list(diagnosis.conflict)
    known = set(scenario_labels(s))
    strange = [lab for lab in conflict if lab not in known]
    if strange:
        yield "conflict", f"labels not in the scenario's label set: {strange}"
    try:
        core = only_labels(s, conflict)
    except ValueError as exc:
        yield "conflict", f"cannot build the conflict-only scenario: {exc}"
        return
    verdict = feasible(core)
    if verdict is True:
        yield "conflict", f"conflict {conflict} is satisfiable with only its labels enforced"
    if diagnosis.minimal and verdict is False:
        for lab in conflict:
            smaller = drop_labels(core, [lab]) if lab in scenario_labels(core) else core
            if feasible(smaller) is False:
                yield "minimal", f"minimal: true, but {conflict} minus {lab} is still infeasible"
                break
    sizes = [len(f.changes) for f in diagnosis.fixes]
    if sizes != sorted(sizes):
        yield "ranking", f"fixes not ranked by number of changes: {sizes}"
    if not diagnosis.fixes:
        yield "fix", f"no fix offered for {conflict}"
        return
    first = diagnosis.fixes[0]
    try:
        fixed = apply_fix(s, first)
    except ValueError as exc:
        yield "fix", f"first fix cannot be applied: {exc}"
        return
    again = solve(fixed, time_limit_s=10, workers=2)
    if again.status not in ("OPTIMAL", "FEASIBLE"):
        mip = feasible(fixed)
        yield "fix", f"first fix {first.model_dump()} leaves {again.status} (MIP feasible: {mip})"


# --------------------------------------------------------------------------- running


SOLVERS: dict[str, Callable] = {"solve": solve, "cohort": solve_cohort}


def run_case(case: Case, *, cli: bool = False) -> Outcome:
    outcome = Outcome(case)
    ref = reference(case.scenario, case.ref_limit_s)
    outcome.ref = ref
    outcome.times["mip"] = ref.time_s
    for via, fn in SOLVERS.items():
        t0 = time.perf_counter()
        try:
            plan = fn(case.scenario, time_limit_s=case.time_limit_s, workers=2)
        except Exception as exc:  # a crash is a finding, not the end of the run
            outcome.findings.append(
                Finding(case.name, via, "crash", f"{type(exc).__name__}: {exc}")
            )
            continue
        elapsed = time.perf_counter() - t0
        outcome.statuses[via] = plan.status
        outcome.times[via] = elapsed
        outcome.findings += judge_plan(case, plan, ref, via, elapsed)
    if cli:
        outcome.findings += judge_cli(case)
    return outcome


def judge_cli(case: Case) -> list[Finding]:
    """`planner solve` writes a plan `planner check` accepts, with the contract's exit code."""
    out = []
    exits = {"OPTIMAL": 0, "FEASIBLE": 0, "INFEASIBLE": 2, "UNKNOWN": 4}
    with tempfile.TemporaryDirectory() as tmp:
        path, plan_path = Path(tmp) / "scenario.json", Path(tmp) / "plan.json"
        path.write_text(dump_json(case.scenario), encoding="utf-8")
        run = [sys.executable, "-c", "from planner.cli import cli; cli()"]
        limit = str(case.time_limit_s)
        solved = subprocess.run(
            [*run, "solve", str(path), "--out", str(plan_path), "--time-limit", limit],
            capture_output=True,
            text=True,
        )
        if not plan_path.exists():
            return [Finding(case.name, "cli", "cli", f"no plan written: {solved.stderr[-300:]}")]
        status = json.loads(plan_path.read_text(encoding="utf-8"))["status"]
        if solved.returncode != exits[status]:
            out.append(Finding(case.name, "cli", "cli", f"{status} but exit {solved.returncode}"))
        checked = subprocess.run([*run, "check", str(path), str(plan_path)], capture_output=True)
        if checked.returncode != 0:
            err = checked.stderr.decode()[-300:]
            out.append(Finding(case.name, "cli", "cli", f"check exit {checked.returncode}: {err}"))
    return out


# --------------------------------------------------------------------------- families


def generated_cases(seeds: int, quick: bool = False) -> Iterator[Case]:
    """generate.py across its knobs, from tiny to medium."""
    knobs = [
        ("tiny", dict(learners=1, courses=5, terms=3, skills=4)),
        ("tiny-staff", dict(learners=2, courses=6, terms=3, skills=5, staff_rules=True)),
        ("tight", dict(learners=2, courses=8, terms=4, staff_rules=True, tight=0.6)),
        ("seats", dict(learners=4, courses=8, terms=4, capacities=True, groups_count=5)),
        ("seats-tight", dict(learners=4, courses=8, capacities=True, groups_count=6, tight=0.4)),
        ("budget", dict(learners=3, courses=10, budget="tight", groups_count=3)),
        ("fractional", dict(learners=3, courses=10, fractional=True, capacities=True)),
        ("close", dict(learners=3, courses=10, gap_close=1.0, staff_rules=True)),
        ("orders", dict(learners=3, courses=10, capacities=True, groups_count=4)),
        ("medium", dict(learners=8, courses=20, terms=6, skills=12, capacities=True)),
    ]
    if quick:
        knobs = knobs[:8]
    orders = [[], ["cost"], ["lateness", "gap"], ["credits", "cost", "gap", "lateness"]]
    for family, kw in knobs:
        for seed in range(seeds):
            extra = dict(kw)
            if family == "orders":
                extra["objective"] = orders[seed % len(orders)]
            name = f"{family}/{seed}"
            if family == "fractional" and seed % 2:
                name = f"{family}/{seed}"
                extra["name"] = f"分数 {seed} — ünïcödé"
            s = generate(1000 * (1 + len(family)) + seed, **extra)
            if family == "fractional" and seed % 3 == 0:
                s = _unicode_ids(s)
            yield Case(family, name, s, time_limit_s=5.0 if family != "medium" else 10.0)


def _unicode_ids(s: Scenario) -> Scenario:
    """The same scenario with UTF-8 ids (Chinese, accents, spaces) for every generated id."""
    prefix = {"C": "课程 ", "L": "学员-é", "T": "学期 ", "s": "技能."}
    text = re.sub(r'"([CLTs])(\d+)"', lambda m: f'"{prefix[m.group(1)]}{m.group(2)}"', dump_json(s))
    return parse_scenario(json.loads(text))


def _scn(**parts) -> dict:
    base = {
        "format": "planner-scenario/1",
        "name": parts.pop("name", None),
        "skills": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        "roles": [{"id": "r", "requires": {"a": 2, "b": 3}, "weights": {"b": 2}}],
        "terms": [
            {"id": "F1", "season": "fall"},
            {"id": "S1", "season": "spring"},
            {"id": "F2", "season": "fall"},
        ],
    }
    base.update(parts)
    return base


COURSES = [
    {"id": "A1", "credits": 3, "cost": 100, "teaches": {"a": 1}},
    {"id": "A2", "credits": 3, "cost": 200, "teaches": {"a": 2}, "prerequisites": ["A1"]},
    {"id": "B1", "credits": 2, "cost": 150, "teaches": {"b": 2}, "offered": ["spring"]},
    {"id": "B2", "credits": 4, "cost": 300, "teaches": {"b": 3}, "requires_skills": {"b": 2}},
    {
        "id": "B3",
        "credits": 3,
        "cost": 500,
        "teaches": {"b": 3},
        "prerequisites_any": [["A2", "B1"]],
    },
]

# Hand-written edge cases: each probes one corner of the contract.
EDGES: dict[str, dict] = {
    "no-learners": _scn(courses=COURSES, learners=[]),
    "no-courses": _scn(courses=[], learners=[{"id": "L", "role": "r"}]),
    "no-courses-min-credits": _scn(
        terms=[{"id": "T1", "min_credits": 1}], courses=[], learners=[{"id": "L", "role": "r"}]
    ),
    "no-terms": _scn(
        terms=[],
        courses=[{"id": "X", "credits": 1, "teaches": {"a": 2}}],
        learners=[{"id": "L", "role": "r"}],
    ),
    "learner-without-terms": _scn(
        courses=COURSES, learners=[{"id": "L", "role": "r", "terms": []}, {"id": "M", "role": "r"}]
    ),
    "all-terms-min-credits": _scn(
        terms=[
            {"id": "F1", "season": "fall", "min_credits": 3, "max_credits": 6},
            {"id": "S1", "season": "spring", "min_credits": 2, "max_credits": 6},
            {"id": "F2", "season": "fall", "min_credits": 3, "max_credits": 6},
        ],
        courses=COURSES,
        learners=[{"id": "L", "role": "r"}, {"id": "M", "target": {"c": 1}, "count": 2}],
    ),
    "min-credits-unreachable": _scn(
        terms=[{"id": "F1", "season": "spring", "min_credits": 4, "max_credits": 3}],
        courses=COURSES,
        learners=[{"id": "L", "role": "r"}],
    ),
    "max-sections-0": _scn(
        courses=[*COURSES[:4], {**COURSES[4], "max_sections": 0}],
        learners=[{"id": "L", "role": "r"}],
    ),
    "max-sections-0-required": _scn(
        courses=[*COURSES[:4], {**COURSES[4], "max_sections": 0}],
        learners=[{"id": "L", "role": "r", "required": ["B3"]}],
    ),
    "capacity-1-count-5": _scn(
        courses=[{**c, "capacity": 1, "max_sections": 3, "session_cost": 10} for c in COURSES],
        learners=[{"id": "L", "role": "r", "count": 5}],
    ),
    "capacity-1-count-5-close": _scn(
        courses=[{**c, "capacity": 1, "max_sections": 3} for c in COURSES],
        learners=[{"id": "L", "role": "r", "count": 5, "gap_mode": "close"}],
    ),
    "capacity-shared": _scn(
        courses=[{**c, "capacity": 2, "max_sections": 1, "session_cost": 40} for c in COURSES],
        learners=[{"id": f"L{i}", "role": "r"} for i in range(5)],
    ),
    "completed-satisfies-prerequisites": _scn(
        courses=COURSES,
        learners=[{"id": "L", "role": "r", "completed": ["A1", "B1"]}],
    ),
    "skills-met-by-start-levels": _scn(
        courses=COURSES, learners=[{"id": "L", "role": "r", "levels": {"b": 2}, "terms": ["F1"]}]
    ),
    "completed-teaches-required-skill": _scn(
        courses=COURSES, learners=[{"id": "L", "role": "r", "completed": ["B1"], "terms": ["F1"]}]
    ),
    "pinned-chain": _scn(
        courses=COURSES,
        learners=[{"id": "L", "role": "r", "pinned": {"A2": "S1", "B2": "F2"}}],
    ),
    "pinned-chain-too-early": _scn(
        courses=COURSES, learners=[{"id": "L", "role": "r", "pinned": {"A2": "F1"}}]
    ),
    "pinned-off-season": _scn(
        courses=COURSES, learners=[{"id": "L", "role": "r", "pinned": {"B1": "F2"}}]
    ),
    "offered-by-term-id": _scn(
        courses=[{**c, "offered": ["S1"]} if c["id"] == "A1" else c for c in COURSES],
        learners=[{"id": "L", "role": "r", "gap_mode": "close"}],
    ),
    "terms-share-season": _scn(
        terms=[
            {"id": "F1", "season": "fall"},
            {"id": "F2", "season": "fall"},
            {"id": "S1", "season": "spring"},
            {"id": "X", "season": None},
        ],
        courses=[*COURSES, {"id": "C1", "credits": 1, "teaches": {"c": 2}, "offered": ["X"]}],
        learners=[{"id": "L", "role": "r", "target": {"c": 2}}],
    ),
    "close-impossible": _scn(
        courses=COURSES[:3], learners=[{"id": "L", "role": "r", "gap_mode": "close"}]
    ),
    "two-conflicts": _scn(
        courses=[*COURSES[:4], {**COURSES[4], "max_sections": 0}],
        learners=[{"id": "L", "role": "r", "required": ["B3"], "pinned": {"B1": "F1"}}],
    ),
    "budget-zero": _scn(
        courses=COURSES, constraints={"budget": 0}, learners=[{"id": "L", "role": "r"}]
    ),
    "learner-budget-tight-close": _scn(
        courses=COURSES, learners=[{"id": "L", "role": "r", "budget": 400, "gap_mode": "close"}]
    ),
    "fractional-credits": _scn(
        terms=[
            {"id": "T1", "min_credits": 0.5, "max_credits": 1.5},
            {"id": "T2", "min_credits": 0.25, "max_credits": 2.75},
        ],
        courses=[
            {**c, "credits": c["credits"] / 4 + 0.125, "cost": c["cost"] + 0.01, "offered": None}
            for c in COURSES
        ],
        learners=[{"id": "L", "role": "r", "count": 3, "budget": 800.03}],
    ),
    "empty-objective": _scn(courses=COURSES, objective=[], learners=[{"id": "L", "role": "r"}]),
    "lateness-only": _scn(
        courses=COURSES, objective=["lateness"], learners=[{"id": "L", "role": "r"}]
    ),
    "no-needs": _scn(courses=COURSES, learners=[{"id": "L"}]),
    # more than 6 decimals: CP-SAT scaling rounds them (see judge-results.md)
    "seven-decimals-budget": _scn(
        courses=[{"id": "X", "credits": 3, "cost": 100.0000001, "teaches": {"a": 2}}],
        learners=[{"id": "L", "target": {"a": 2}, "budget": 100.0000001, "gap_mode": "close"}],
    ),
    "seven-decimals-costs": _scn(
        courses=[
            {"id": f"X{k}", "credits": 3, "cost": 100 + k * 1e-7, "teaches": {"a": 2}}
            for k in range(9, 0, -1)
        ],
        learners=[{"id": "L", "target": {"a": 2}}],
    ),
    "huge-budget": _scn(courses=COURSES, constraints={"budget": 1e19}, learners=[{"id": "L"}]),
    "unicode-ids": _scn(
        name="营销 AI — 2027",
        skills=[{"id": "数据.sql"}, {"id": "ïa"}],
        roles=[{"id": "分析师", "requires": {"数据.sql": 3, "ïa": 1}}],
        courses=[
            {"id": "课程 1", "credits": 3, "teaches": {"数据.sql": 2}},
            {
                "id": "课程 2",
                "credits": 3,
                "teaches": {"数据.sql": 3, "ïa": 1},
                "prerequisites": ["课程 1"],
            },
        ],
        learners=[{"id": "李 娜", "role": "分析师", "gap_mode": "close"}],
    ),
}


def edge_cases() -> Iterator[Case]:
    for name, data in EDGES.items():
        yield Case("edge", f"edge/{name}", parse_scenario(data))


def catalog_cases(quick: bool = False) -> Iterator[Case]:
    from benchmarks.catalogs import catalog_scenario, role_ids

    roles = role_ids()
    for catalog in ("anderson", "mcgill"):
        for i, role in enumerate(roles[:3] if quick else roles):
            s = catalog_scenario(catalog, [role], learners=1 + i % 3)
            yield Case("catalog", f"{catalog}/{role}", s, time_limit_s=20.0, ref_limit_s=120.0)


FAMILIES = {
    "generated": lambda a: generated_cases(a.seeds, a.quick),
    "edge": lambda a: edge_cases(),
    "catalog": lambda a: catalog_cases(a.quick),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--family", choices=sorted(FAMILIES), action="append")
    parser.add_argument("--cli", type=int, default=4, help="cases also run through the CLI")
    parser.add_argument("--out", default=None, help="write a JSON summary here")
    args = parser.parse_args(argv)
    families = args.family or list(FAMILIES)
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    cli_left = args.cli
    for fam in families:
        for case in FAMILIES[fam](args):
            outcome = run_case(case, cli=cli_left > 0)
            cli_left -= 1
            outcomes.append(outcome)
            worst = max((v for k, v in outcome.times.items() if k != "mip"), default=0)
            flag = "FAIL" if outcome.findings else "ok"
            print(
                f"{flag:4} {case.name:32} {outcome.statuses} mip={outcome.ref.status} "
                f"t={worst:.2f}s mip={outcome.times['mip']:.2f}s",
                flush=True,
            )
            for finding in outcome.findings:
                print("     ", finding, flush=True)
    print(summarise(outcomes, time.perf_counter() - started))
    if args.out:
        Path(args.out).write_text(json.dumps(_summary_json(outcomes), indent=2, ensure_ascii=False))
    return 1 if any(o.findings for o in outcomes) else 0


def summarise(outcomes: list[Outcome], wall: float) -> str:
    lines = ["", f"{len(outcomes)} scenarios in {wall:.0f}s"]
    by_family: dict[str, Counter] = {}
    for o in outcomes:
        c = by_family.setdefault(o.case.family, Counter())
        c["cases"] += 1
        c["failed"] += bool(o.findings)
        for via, st in o.statuses.items():
            c[f"{via}:{st}"] += 1
    for fam, c in by_family.items():
        lines.append(f"  {fam}: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items())))
    over = [
        (o.times[v] - o.case.time_limit_s, o.case.name, v)
        for o in outcomes
        for v in SOLVERS
        if v in o.times
    ]
    if over:
        worst = max(over)
        lines.append(f"  worst time overshoot: {worst[0]:+.2f}s ({worst[1]} via {worst[2]})")
    checks = Counter(f.check for o in outcomes for f in o.findings)
    lines.append(
        "  findings by check: " + (", ".join(f"{k}={v}" for k, v in checks.items()) or "none")
    )
    return "\n".join(lines)


def _summary_json(outcomes: list[Outcome]) -> list[dict]:
    return [
        {
            "case": o.case.name,
            "family": o.case.family,
            "statuses": o.statuses,
            "mip": o.ref.status if o.ref else None,
            "times": {k: round(v, 3) for k, v in o.times.items()},
            "findings": [str(f) for f in o.findings],
        }
        for o in outcomes
    ]


if __name__ == "__main__":
    sys.exit(main())
