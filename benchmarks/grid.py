"""Cohort grid: `planner solve` (the console script) on every shape of benchmarks/shapes.py,
against greedy and a plain MIP given the same time.

    python -m benchmarks.grid                       # the whole grid, 60 s each
    python -m benchmarks.grid --groups 50 200 --terms 8 --limit 30
    python -m benchmarks.grid --load                # the same while a busy loop holds one core
    python -m benchmarks.grid --mip-up-to 500       # MIP baseline on points up to 500 groups
    python -m benchmarks.grid --report F.jsonl      # the tables of an earlier run

Each point: the scenario is written to a file, `planner solve --time-limit L` runs in its own
process (wall time measured around the whole process: start-up, reading, grouping, solving,
writing), the plan is checked by the independent checker, and its first component is
compared with its own proven bound, with greedy's plan, and (small points) with the plain
MIP's plan found in the same time. Results go to stdout as a Markdown table and, as JSON
lines, to benchmarks/grid-results.jsonl (appended; --out to change).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.shapes import COURSES, GROUPS, TERMS, grid

ROOT = Path(__file__).resolve().parent.parent
PLANNER = Path(sys.executable).with_name("planner")


def _busy() -> None:  # pragma: no cover - runs in a child process
    while True:
        pass


def run_planner(path: Path, limit: float, out: Path) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(PLANNER), "solve", str(path), "--time-limit", str(limit), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read() if proc.stderr else ""
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 2),
        "rss_mib": round(usage.ru_maxrss / 1024),
        "traceback": "Traceback" in err,
    }


def run_mip(path: Path, limit: float) -> dict:
    """The plain MIP in a child process, killed at limit + 120 s (its model building is not
    bounded by its time limit)."""
    code = (
        "import json,sys;from benchmarks.mip import mip_solve;from planner.scenario import "
        "load_scenario;from planner.solver.check import check_plan;"
        f"s=load_scenario({str(path)!r});p=mip_solve(s,time_limit_s={limit});"
        "ok=p.objective is not None and not check_plan(s,p);"
        "print(json.dumps({'status':p.status,'gap':(p.objective or {}).get('gap'),'valid':ok}))"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=limit + 120,
            cwd=ROOT,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError):
        return {"status": "no answer", "gap": None, "valid": False}


def point(spec: dict, limit: float, with_mip: bool) -> dict:
    from benchmarks.shapes import shape
    from planner.scenario import load_scenario, read_document
    from planner.solver.check import check_plan
    from planner.solver.greedy import greedy_plan
    from planner.solver.grouping import group_learners

    doc = shape(**spec)
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "scenario.json", Path(tmp) / "plan.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        row = {**spec, "people": sum(lr["count"] for lr in doc["learners"]), "limit_s": limit}
        row.update(run_planner(path, limit, out))
        s = load_scenario(path)
        plan = read_document(out) if out.exists() else None
        if plan is not None:
            row["status"] = plan.get("status")
            row["valid"] = not check_plan(s, plan)
            row["gap"] = (plan.get("objective") or {}).get("gap")
            row["bound"] = (plan.get("bound") or {}).get("gap")
            if row["status"] == "OPTIMAL":
                row["bound"] = row["gap"]
        started = time.perf_counter()
        greedy = greedy_plan(group_learners(s).merged)
        row["greedy_gap"] = (greedy.objective or {}).get("gap")
        row["greedy_s"] = round(time.perf_counter() - started, 2)
        if with_mip:
            mip = run_mip(path, limit)
            row["mip_gap"] = mip["gap"] if mip.get("valid") else None
            row["mip_status"] = mip["status"]
    gap, bound = row.get("gap"), row.get("bound")
    if gap is not None and bound is not None:
        row["from_bound"] = 0.0 if gap <= bound + 1e-9 else (gap - bound) / max(gap, 1e-9)
    return row


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.2f} %"


def _ratio(a, b) -> str:
    if a is None or b is None:
        return "–"
    return "1.000" if a == b else f"{a / b:.3f}" if b else "∞"


def table(rows: list[dict]) -> str:
    head = (
        "| groups | terms | courses | seats | money | depth | roles | people | status | valid "
        "| gap | bound | from bound | wall / limit | peak RSS | gap / greedy | gap / MIP |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        lines.append(
            f"| {r['groups']} | {r['terms']} | {r['courses']} | {r['seats']} | "
            f"{'budget' if r['money'] else 'none'} | {r['depth']} | {r['roles']} | "
            f"{r['people']:,} | {r.get('status', 'crash')} | {r.get('valid')} | "
            f"{r.get('gap', '–')} | {round(r['bound'], 1) if r.get('bound') is not None else '–'}"
            f" | {_pct(r.get('from_bound'))} | {r['wall_s']} / {r['limit_s']:g} s | "
            f"{r['rss_mib']} MiB | {_ratio(r.get('gap'), r.get('greedy_gap'))} | "
            f"{_ratio(r.get('gap'), r.get('mip_gap'))} |"
        )
    return head + "\n".join(lines) + "\n"


def summary(rows: list[dict]) -> str:
    out = []
    for g in sorted({r["groups"] for r in rows}):
        these = [r for r in rows if r["groups"] == g and r.get("from_bound") is not None]
        if not these:
            continue
        gaps = [r["from_bound"] for r in these]
        over = [r["wall_s"] - r["limit_s"] for r in rows if r["groups"] == g]
        out.append(
            f"- {g} groups: {len(these)} points, from bound median {_pct(statistics.median(gaps))}"
            f", worst {_pct(max(gaps))}; wall − limit worst {max(over):+.1f} s"
        )
    return "\n".join(out) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--groups", type=int, nargs="*", default=list(GROUPS))
    ap.add_argument("--terms", type=int, nargs="*", default=list(TERMS))
    ap.add_argument("--courses", type=int, nargs="*", default=list(COURSES))
    ap.add_argument("--mip-up-to", type=int, default=200, help="MIP baseline up to N groups")
    ap.add_argument("--load", action="store_true", help="keep one core busy meanwhile")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "grid-results.jsonl")
    ap.add_argument("--report", type=Path, help="print the tables of a results file and stop")
    args = ap.parse_args(argv)
    if args.report:
        rows = [json.loads(line) for line in args.report.read_text(encoding="utf-8").splitlines()]
        print(table(rows))
        print(summary(rows))
        return
    busy = None
    if args.load:
        busy = multiprocessing.Process(target=_busy, daemon=True)
        busy.start()
    rows = []
    try:
        for spec in grid():
            if (
                spec["groups"] not in args.groups
                or spec["terms"] not in args.terms
                or spec["courses"] not in args.courses
            ):
                continue
            row = point(spec, args.limit, spec["groups"] <= args.mip_up_to)
            row["busy_loop"] = bool(args.load)
            row["loadavg_1m"] = round(os.getloadavg()[0], 1)  # what else the machine ran
            rows.append(row)
            with args.out.open("a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
            print(table([row]).splitlines()[-1], flush=True)
    finally:
        if busy is not None:
            busy.terminate()
    print()
    print(table(rows))
    print(summary(rows))


if __name__ == "__main__":
    main()
