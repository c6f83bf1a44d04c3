"""A plain MIP of the same rules: built with OR-Tools pywraplp, solved with SCIP (CBC when
SCIP is missing) by `mip_solve`, or with HiGHS (`highspy`) by `highs_solve`.

The baseline the CP-SAT solver is measured against: the same rules 3-7 and the same
lexicographic objective, done as stages (minimise one component, fix it, go on), under
one shared time limit. Binary x[l,c,t] = learner group l takes course c in term t; a
continuous y[l,s,k] in [0,1] marks that l reaches level k of a needed skill s; integer
z[c,t] counts the sections opened.
"""

from __future__ import annotations

import time

from ortools.linear_solver import pywraplp

from planner.scenario.models import Scenario
from planner.solver.plan import plan_from_schedules


def _backend() -> tuple[str, pywraplp.Solver]:
    for name in ("SCIP", "CBC"):
        solver = pywraplp.Solver.CreateSolver(name)
        if solver is not None:
            return name, solver
    raise RuntimeError("neither SCIP nor CBC is available in this OR-Tools build")


class MipModel:
    def __init__(self, s: Scenario):
        self.s = s
        self.backend, self.solver = _backend()
        self.pos = {t.id: i for i, t in enumerate(s.terms)}
        self.x: dict[tuple[str, str, str], pywraplp.Variable] = {}
        self.z: dict[tuple[str, str], pywraplp.Variable] = {}
        self.terms = {t.id: t for t in s.terms}
        self.expr: dict[str, object] = {}
        self._variables()
        self._rules()
        self._objective_expressions()

    # ---- variables: only the (learner, course, term) triples rule 3 and rule 7 allow
    def _variables(self) -> None:
        s, solver = self.s, self.solver
        for lr in s.learners:
            done = set(lr.completed)
            for tid in s.learner_terms(lr):
                for c in s.courses:
                    if c.id in done or c.id in lr.excluded or c.max_sections == 0:
                        continue
                    if not s.is_offered(c, self.terms[tid]):
                        continue
                    if lr.pinned.get(c.id, tid) != tid:
                        continue
                    self.x[lr.id, c.id, tid] = solver.BoolVar(f"x[{lr.id},{c.id},{tid}]")
        self.by_lc: dict[tuple[str, str], list] = {}
        self.by_ct: dict[tuple[str, str], list] = {}
        for (lid, cid, tid), v in self.x.items():
            self.by_lc.setdefault((lid, cid), []).append((self.pos[tid], v))
            self.by_ct.setdefault((cid, tid), []).append((lid, v))
        for _, cid, tid in self.x:
            if (cid, tid) not in self.z:
                c = self.s.course(cid)
                self.z[cid, tid] = solver.IntVar(0, c.max_sections, f"z[{cid},{tid}]")

    def _taken_before(self, lid: str, course_ids, tid: str):
        """Variables of lid taking one of course_ids in a term strictly before tid."""
        limit = self.pos[tid]
        return [v for cid in course_ids for p, v in self.by_lc.get((lid, cid), ()) if p < limit]

    def _rules(self) -> None:
        s, solver = self.s, self.solver
        by_learner: dict[str, list] = {}
        for key in self.x:
            by_learner.setdefault(key[0], []).append(key)
        teaches_at_least: dict[tuple[str, int], set[str]] = {}
        for c in s.courses:
            for skill, lv in c.teaches.items():
                for k in range(1, lv + 1):
                    teaches_at_least.setdefault((skill, k), set()).add(c.id)
        for lr in s.learners:
            keys = by_learner.get(lr.id, [])
            done = set(lr.completed)
            start = s.start_levels(lr)
            # at most once
            per_course: dict[str, list] = {}
            for _, cid, tid in keys:
                per_course.setdefault(cid, []).append(self.x[lr.id, cid, tid])
            for vs in per_course.values():
                solver.Add(sum(vs) <= 1)
            # prerequisites (all-of, any-of, skills), strictly earlier terms
            for _, cid, tid in keys:
                c = s.course(cid)
                xv = self.x[lr.id, cid, tid]
                for p in c.prerequisites:
                    if p not in done:
                        solver.Add(xv <= sum(self._taken_before(lr.id, {p}, tid)))
                for group in c.prerequisites_any:
                    if not done & set(group):
                        solver.Add(xv <= sum(self._taken_before(lr.id, set(group), tid)))
                for skill, k in c.requires_skills.items():
                    if start.get(skill, 0) < k:
                        sources = teaches_at_least.get((skill, k), set())
                        solver.Add(xv <= sum(self._taken_before(lr.id, sources, tid)))
            # credits in every term of the learner's terms
            for tid in s.learner_terms(lr):
                term = self.terms[tid]
                load = sum(
                    s.course(c).credits * self.x[lr.id, c, t] for _, c, t in keys if t == tid
                )
                caps = [v for v in (term.max_credits, lr.max_credits) if v is not None]
                if term.min_credits > 0:
                    solver.Add(load >= term.min_credits)
                if caps:
                    solver.Add(load <= min(caps))
            if lr.budget is not None:
                spend = sum(s.course(cid).cost * self.x[lr.id, cid, tid] for _, cid, tid in keys)
                solver.Add(spend <= lr.budget)
            for cid in lr.required:
                if cid not in done:
                    solver.Add(sum(per_course.get(cid, [])) == 1)
            for cid, tid in lr.pinned.items():
                if (lr.id, cid, tid) in self.x:
                    solver.Add(self.x[lr.id, cid, tid] == 1)
                else:
                    solver.Add(solver.Sum([]) == 1)  # the pin cannot be honoured
        # seats: enough sections for everyone enrolled
        total_people = sum(lr.count for lr in s.learners)
        count = {lr.id: lr.count for lr in s.learners}
        for (cid, tid), z in self.z.items():
            c = s.course(cid)
            enrolled = sum(count[lid] * v for lid, v in self.by_ct[cid, tid])
            solver.Add(enrolled <= (c.capacity or total_people) * z)
        # gap levels, and the close rule
        self.gap_terms = []
        for lr in s.learners:
            start = s.start_levels(lr)
            keys = by_learner.get(lr.id, [])
            close = s.gap_mode_of(lr) == "close"
            for skill, (need, weight) in s.needs(lr).items():
                for k in range(start.get(skill, 0) + 1, need + 1):
                    sources = teaches_at_least.get((skill, k), set())
                    reach = [self.x[key] for key in keys if key[1] in sources]
                    y = solver.NumVar(0, 1, f"y[{lr.id},{skill},{k}]")
                    solver.Add(y <= sum(reach))
                    if close:
                        solver.Add(y == 1)
                    self.gap_terms.append((lr.count * weight, y))

    def _objective_expressions(self) -> None:
        s = self.s
        count = {lr.id: lr.count for lr in s.learners}
        seat_cost = sum(s.course(c).session_cost * z for (c, _), z in self.z.items())
        self.expr["gap"] = sum(w * (1 - y) for w, y in self.gap_terms)
        self.expr["cost"] = (
            sum(count[lid] * s.course(cid).cost * v for (lid, cid, _), v in self.x.items())
            + seat_cost
        )
        self.expr["credits"] = sum(
            count[lid] * s.course(cid).credits * v for (lid, cid, _), v in self.x.items()
        )
        self.expr["lateness"] = sum(
            count[lid] * self.pos[tid] * v for (lid, _, tid), v in self.x.items()
        )
        if s.constraints.budget is not None:
            self.solver.Add(self.expr["cost"] <= s.constraints.budget)

    def schedules(self) -> dict:
        out = {lr.id: {t: [] for t in self.s.learner_terms(lr)} for lr in self.s.learners}
        for (lid, cid, tid), v in self.x.items():
            if v.solution_value() > 0.5:
                out[lid][tid].append(cid)
        return out


def mip_solve(s: Scenario, *, time_limit_s: float = 10.0):
    """Lexicographic MIP solve in stages; returns a plan checked like any other."""
    started = time.perf_counter()
    m = MipModel(s)
    solver = m.solver
    status, bound, stages, schedules = "UNKNOWN", {}, [], None
    names = list(s.objective) or ["gap"]
    for name in names:
        left = time_limit_s - (time.perf_counter() - started)
        if left <= 0.01:
            break
        solver.SetTimeLimit(int(left * 1000))
        expr = m.expr[name]
        if isinstance(expr, int | float):  # nothing to choose for this component
            bound[name] = float(expr)
            stages.append(name)
            continue
        solver.Minimize(expr)
        result = solver.Solve()
        if result == pywraplp.Solver.OPTIMAL:
            value = solver.Objective().Value()
            bound[name] = value
            schedules = m.schedules()
            stages.append(name)
            hint = list(m.x.values())
            values = [v.solution_value() for v in hint]  # read before the model changes
            solver.Add(expr <= value + 1e-6 * max(1.0, abs(value)))
            solver.SetHint(hint, values)
            status = "OPTIMAL"
            continue
        if result == pywraplp.Solver.FEASIBLE:
            bound[name] = solver.Objective().BestBound()
            schedules = m.schedules()
            status = "FEASIBLE"
        elif result == pywraplp.Solver.INFEASIBLE and not stages:
            status = "INFEASIBLE"
        else:
            status = "FEASIBLE" if schedules else "UNKNOWN"
        break
    elapsed = time.perf_counter() - started
    stats = {
        "solve_time_s": round(elapsed, 4),
        "solver": f"mip-{m.backend.lower()}",
        "stages": stages,
    }
    return _staged_plan(s, status, schedules, bound, stats, names)


def highs_solve(s: Scenario, *, time_limit_s: float = 10.0, threads: int = 2):
    """The same staged MIP solved with HiGHS (`highspy`): the model is built once with
    pywraplp, handed to HiGHS as arrays, and each stage changes only the column costs and
    adds the previous stage's optimum as a row (its solution hints the next stage)."""
    import highspy
    import numpy as np

    started = time.perf_counter()
    m = MipModel(s)
    from ortools.linear_solver import linear_solver_pb2

    proto = linear_solver_pb2.MPModelProto()
    m.solver.ExportModelToProto(proto)
    variables = list(proto.variable)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("mip_rel_gap", 0.0)
    inf = h.getInfinity()

    def bound(x):
        return max(-inf, min(inf, x))

    n = len(variables)
    h.addVars(
        n,
        np.array([bound(v.lower_bound) for v in variables]),
        np.array([bound(v.upper_bound) for v in variables]),
    )
    # Every column integer, the level marks y too: with y continuous, HiGHS's presolve
    # (1.14 and 1.16) cut off the optimum of a cost stage after the gap row was added
    # (checked against SCIP and against the planner's plan fixed into the same model).
    integer = list(range(len(variables)))
    if integer:
        h.changeColsIntegrality(
            len(integer),
            np.array(integer, dtype=np.int32),
            np.array([highspy.HighsVarType.kInteger] * len(integer)),
        )
    for c in proto.constraint:
        h.addRow(
            bound(c.lower_bound),
            bound(c.upper_bound),
            len(c.var_index),
            np.array(c.var_index, dtype=np.int32),
            np.array(c.coefficient, dtype=np.float64),
        )
    x_cols = [v.index() for v in m.x.values()]
    status, bound_out, stages, schedules = "UNKNOWN", {}, [], None
    names = list(s.objective) or ["gap"]
    for name in names:
        left = time_limit_s - (time.perf_counter() - started)
        if left <= 0.01:
            break
        expr = m.expr[name]
        if isinstance(expr, int | float):  # nothing to choose for this component
            bound_out[name] = float(expr)
            stages.append(name)
            continue
        offset = 0.0
        cost = np.zeros(n)
        for var, coef in expr.GetCoeffs().items():
            if isinstance(var, pywraplp.Variable):
                cost[var.index()] += coef
            else:  # pywraplp's stand-in key for the constant
                offset += coef
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.setOptionValue("time_limit", float(left))
        h.run()
        model_status = h.getModelStatus()
        info = h.getInfo()
        has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if has_plan:
            values = list(h.getSolution().col_value)
            schedules = _schedules_from(m, x_cols, values)
        if model_status == highspy.HighsModelStatus.kOptimal:
            value = info.objective_function_value + offset
            bound_out[name] = value
            stages.append(name)
            nz = np.nonzero(cost)[0].astype(np.int32)
            h.addRow(-inf, value - offset + 1e-6 * max(1.0, abs(value)), len(nz), nz, cost[nz])
            hint = highspy.HighsSolution()
            hint.col_value = values
            hint.value_valid = True
            h.setSolution(hint)  # the optimum of this stage is feasible for the next
            status = "OPTIMAL"
            continue
        if has_plan:
            bound_out[name] = info.mip_dual_bound + offset
            status = "FEASIBLE"
        elif model_status == highspy.HighsModelStatus.kInfeasible and not stages:
            status = "INFEASIBLE"
        else:
            status = "FEASIBLE" if schedules else "UNKNOWN"
        break
    elapsed = time.perf_counter() - started
    stats = {"solve_time_s": round(elapsed, 4), "solver": "mip-highs", "stages": stages}
    return _staged_plan(s, status, schedules, bound_out, stats, names)


def _schedules_from(m: MipModel, x_cols: list[int], values: list[float]) -> dict:
    out = {lr.id: {t: [] for t in m.s.learner_terms(lr)} for lr in m.s.learners}
    for (lid, cid, tid), col in zip(m.x, x_cols, strict=True):
        if values[col] > 0.5:
            out[lid][tid].append(cid)
    return out


def _staged_plan(s: Scenario, status, schedules, bound: dict, stats: dict, names: list):
    """The plan of a staged MIP solve: OPTIMAL only when every stage was; bounds clipped."""
    stages = stats["stages"]
    if schedules is None or status in ("INFEASIBLE", "UNKNOWN"):
        return plan_status_only(s, status, bound, stats)
    if status == "OPTIMAL" and len(stages) < len(names):
        status = "FEASIBLE"
    plan = plan_from_schedules(s, schedules, status=status, stats=stats)
    # solver tolerances can put a bound a hair above the exact value
    plan.bound = {k: min(max(0.0, v), plan.objective[k]) for k, v in bound.items()}
    if status == "OPTIMAL":
        plan.bound = {k: plan.objective[k] for k in names}
    return plan


def plan_status_only(s: Scenario, status: str, bound: dict, stats: dict):
    from planner.scenario.models import Diagnosis, Plan

    diagnosis = Diagnosis(conflict=[], minimal=False) if status == "INFEASIBLE" else None
    return Plan(
        scenario=s.name, status=status, bound=bound or None, diagnosis=diagnosis, stats=stats
    )
