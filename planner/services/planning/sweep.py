"""Trade-off curves: solve a scenario across budgets (or per-term credit limits) and report
budget → residual gap, with the plans.

Monotone by construction: values are solved in increasing order, and a plan valid under a
smaller budget (or credit limit) is valid under a larger one. If a solve returns a worse gap
than the previous point (possible only when it was not proven optimal), the previous plan
is carried forward, re-evaluated, and marked as such. Proven optimal points are exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from planner.scenario import Plan, Scenario
from planner.services.io.safe import SafeWriter
from planner.solver.check import check_plan, compute_objective
from planner.solver.engine import solve_many

PARAMETERS = ("budget", "max_credits")


@dataclass
class SweepPoint:
    value: float
    plan: Plan
    note: str = ""
    pareto: bool = False

    @property
    def status(self) -> str:
        return self.plan.status

    @property
    def proven(self) -> bool:
        bound = (self.plan.bound or {}).get("gap")
        return self.plan.status == "OPTIMAL" or (
            self.plan.status == "FEASIBLE"
            and self.gap is not None
            and bound is not None
            and bound >= self.gap - 1e-6
        )

    @property
    def gap(self) -> float | None:
        return None if self.plan.objective is None else self.plan.objective.get("gap")

    @property
    def cost(self) -> float | None:
        return None if self.plan.objective is None else self.plan.objective.get("cost")


def parse_range(text: str, option: str = "--budget") -> list[float]:
    """ "a:b:step" → [a, a+step, …, b] (b included when on the grid); "a,b,c" → the list."""
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if step <= 0 or stop < start:
                raise ValueError
            n = int(math.floor((stop - start) / step + 1e-9)) + 1
            values = [start + i * step for i in range(n)]
        else:
            values = sorted(float(p) for p in text.split(","))
    except ValueError:
        raise ValueError(
            f'{option}: expected "start:stop:step" with step > 0 and stop ≥ start, '
            f'or "a,b,c" (got "{text}")'
        ) from None
    if any(v < 0 or not math.isfinite(v) for v in values):
        raise ValueError(f"{option}: values must be finite and ≥ 0 (got {text})")
    if len(values) > 1000:
        raise ValueError(f"{option}: {len(values)} points; at most 1000")
    return [int(v) if float(v).is_integer() else v for v in values]


def with_value(s: Scenario, parameter: str, value: float) -> Scenario:
    if parameter == "budget":
        return s.model_copy(
            update={"constraints": s.constraints.model_copy(update={"budget": value})}
        )
    if parameter == "max_credits":
        learners = [lr.model_copy(update={"max_credits": value}) for lr in s.learners]
        return s.model_copy(update={"learners": learners})
    raise ValueError(f"unknown sweep parameter {parameter!r} (known: {', '.join(PARAMETERS)})")


class _Points(Sequence):
    """The scenario at each value, built when asked for (a sweep may have 1000 points)."""

    def __init__(self, scenario: Scenario, parameter: str, values: list[float]):
        self.scenario, self.parameter, self.values = scenario, parameter, values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return with_value(self.scenario, self.parameter, self.values[i])


def sweep(
    scenario: Scenario,
    values: list[float],
    *,
    parameter: str = "budget",
    time_limit_s: float | None = None,
    workers: int | None = None,
    solve=None,
    on_point=None,
    engine: str | None = None,
    progress: Callable[[float, Plan, int], None] | None = None,
    stop=None,
) -> list[SweepPoint]:
    """Solve at each value (ascending); `time_limit_s` is per point. `on_point(point)` is
    called as each point is settled (the web page shows them as they come).

    The points are independent solves (engine.solve_many): one after another on the
    local engine (always with a custom `solve`), side by side as Ray tasks on `ray`.
    `progress(value, plan, done)` as each plan arrives. Points are settled (a plan carried
    forward, `on_point`) in ascending order as soon as every smaller value has arrived,
    so both engines give the same points; after a `stop` only the points solved by then
    are returned."""
    values = sorted(values)
    if parameter not in PARAMETERS:
        with_value(scenario, parameter, 0)  # its error names the known ones, before any solve
    points: list[SweepPoint] = []
    best: list[SweepPoint | None] = [None]
    arrived_plans: dict[int, Plan] = {}
    settled = [0]  # values[:settled] are settled

    def settle(value: float, plan: Plan) -> None:
        point = SweepPoint(value, plan)
        prior = best[0]
        if (
            prior is not None
            and prior.gap is not None
            and (point.gap is None or point.gap > prior.gap)
        ):
            s = with_value(scenario, parameter, value)
            carried = prior.plan.model_copy(deep=True)
            carried = carried.model_copy(update={"objective": compute_objective(s, carried)})
            # Still valid: a larger limit only loosens the rule that changed.
            if not check_plan(s, carried.model_copy(update={"status": "FEASIBLE", "bound": None})):
                # The new solve's gap bound holds for every plan at this value; bounds of
                # later components hold only for plans equal to its own, so drop them.
                gap_bound = (plan.bound or {}).get("gap")
                carried.status = "FEASIBLE"
                carried.bound = None
                if gap_bound is not None:
                    carried.bound = {"gap": gap_bound}
                point = SweepPoint(value, carried, note=f"plan carried from {prior.value:g}")
        # best[0] only ever holds a point with a gap
        if point.gap is not None and (prior is None or prior.gap is None or point.gap <= prior.gap):
            best[0] = point
        points.append(point)
        if on_point is not None:
            on_point(point)

    def arrived(i: int, solved: object, done: int) -> None:
        plan = arrived_plans[i] = cast(Plan, solved)  # what `solve` made
        if progress is not None:
            progress(values[i], plan, done)
        while settled[0] in arrived_plans:
            settle(values[settled[0]], arrived_plans.pop(settled[0]))
            settled[0] += 1

    solve_many(
        _Points(scenario, parameter, values),
        engine="local" if solve is not None else engine,
        time_limit_s=time_limit_s,
        workers=workers,
        progress=arrived,
        stop=stop,
        solve=solve,
    )
    for i in sorted(arrived_plans):  # after a stop: the points past a gap
        settle(values[i], arrived_plans[i])
    _mark_pareto(points)
    return points


def _mark_pareto(points: list[SweepPoint]) -> None:
    """A point is on the front when no smaller value reaches an equal or smaller gap."""
    seen = math.inf
    for p in points:
        if p.gap is not None and p.gap < seen - 1e-9:
            p.pareto = True
            seen = p.gap


CSV_COLUMNS = [
    "value",
    "status",
    "proven",
    "gap",
    "gap_bound",
    "cost",
    "credits",
    "lateness",
    "pareto",
    "note",
]


def write_csv(points: list[SweepPoint], path: str | Path, parameter: str = "budget") -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = SafeWriter(f)
        w.writerow([parameter if c == "value" else c for c in CSV_COLUMNS])
        for p in points:
            obj = p.plan.objective or {}
            bound = (p.plan.bound or {}).get("gap")
            w.writerow(
                [
                    _fmt(p.value),
                    p.status,
                    "yes" if p.proven else "no",
                    _fmt(obj.get("gap")),
                    _fmt(bound),
                    _fmt(obj.get("cost")),
                    _fmt(obj.get("credits")),
                    _fmt(obj.get("lateness")),
                    "yes" if p.pareto else "no",
                    p.note or ("" if p.proven else "not proven optimal"),
                ]
            )
    return path


def _fmt(x) -> str:
    if x is None:
        return ""
    return f"{x:g}"


def render_svg(
    points: list[SweepPoint],
    parameter: str = "budget",
    title: str = "",
    links: list[str] | None = None,
) -> str:
    """A small step chart of residual gap over the swept value (hollow = not proven).

    Hovering a point shows its value, gap and cost (`<title>`); with `links` (one address
    per point, the web page's) each point is a link to the plan behind it."""
    width, height, left, right, top, bottom = 560, 320, 64, 28, 36, 44
    pts = [(p.value, p.gap, p.proven) for p in points if p.gap is not None]
    xs = [v for v, _, _ in pts] or [0, 1]
    ys = [g for _, g, _ in pts] or [0, 1]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y1 = max(ys) if max(ys) > 0 else 1

    def sx(v):
        return left + (v - x0) / (x1 - x0) * (width - left - right)

    def sy(g):
        return top + (1 - g / y1) * (height - top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="13">{_esc(title or "Residual gap by " + parameter)}</text>',
    ]
    for i in range(5):  # horizontal grid with gap labels
        g = y1 * i / 4
        y = sy(g)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{g:g}</text>')
    for v in (x0, (x0 + x1) / 2, x1):
        out.append(
            f'<text x="{sx(v):.1f}" y="{height - bottom + 16}" text-anchor="middle">{v:g}</text>'
        )
    out.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 8}" text-anchor="middle">'
        f"{_esc(parameter)}</text>"
    )
    out.append(
        f'<text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(top + height - bottom) / 2})">weighted gap</text>'
    )
    if pts:
        path = [f"M{sx(pts[0][0]):.1f},{sy(pts[0][1]):.1f}"]
        for v, g, _ in pts[1:]:
            path.append(f"H{sx(v):.1f}V{sy(g):.1f}")
        out.append(f'<path d="{"".join(path)}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
        costs = {p.value: p.cost for p in points if p.gap is not None}
        hrefs = {p.value: h for p, h in zip(points, links or [], strict=False) if p.gap is not None}
        for v, g, proven in pts:
            fill = "#1f6feb" if proven else "white"
            cost = "" if costs.get(v) is None else f", cost {costs[v]:g}"
            circle = (
                f'<circle cx="{sx(v):.1f}" cy="{sy(g):.1f}" r="3.5" fill="{fill}" '
                f'stroke="#1f6feb"><title>{_esc(parameter)} {v:g}: gap {g:g}{cost}'
                f"{'' if proven else ' (not proven)'}</title></circle>"
            )
            if v in hrefs:
                circle = f'<a href="{_esc(hrefs[v])}" class="point">{circle}</a>'
            out.append(circle)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
