"""Scale benchmarks of the Ray engine (planner/solver/engine.py).

    python -m benchmarks.scale people [--people 1000000] [--profiles 5000] [--engine ray]
    python -m benchmarks.scale sweep [--points 50]       # Ray with 1 CPU vs 2 CPUs
    python -m benchmarks.scale pricing [--groups 1000]   # one pricing round per engine layout

Each case runs in its own process; `people` samples the resident memory of the solving
process and every process it starts (Ray's head, raylet and workers) and reports the peak of
their sum (shared object-store pages may count more than once: an upper bound). Results are
appended to benchmarks/scale-results.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "scale-results.md"
PAGE = os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------- inputs


def profiles_scenario(
    profiles: int, people: int, courses: int = 80, terms: int = 8, seed: int = 11
):
    """`profiles` distinct learner profiles over `courses` × `terms`, seats scaled so that
    they bind for `people` people (about half the seats unconstrained plans would use)."""
    from benchmarks.cohort import coupled_cohort

    return coupled_cohort(
        profiles, courses, terms, seed, people=people, name=f"{people} people, {profiles} profiles"
    )


def write_people(path: Path, people: int, profiles: int, seed: int = 11) -> Path:
    """A scenario file with `people` learner entries (count 1 each), every one a copy of
    one of `profiles` profiles under its own id; written a line at a time."""
    base = profiles_scenario(profiles, people, seed=seed)
    body = base.model_dump(mode="json", exclude_none=True)
    templates = body.pop("learners")
    for t in templates:
        t.pop("id")
        t.pop("count", None)
    rng = random.Random(seed)
    head = json.dumps(body, ensure_ascii=False)[:-1]  # without the closing brace
    with path.open("w", encoding="utf-8") as f:
        f.write(head + ',"learners":[\n')
        for i in range(people):
            entry = {"id": f"P{i:07d}", **templates[rng.randrange(len(templates))]}
            f.write(("," if i else "") + json.dumps(entry, ensure_ascii=False) + "\n")
        f.write("]}\n")
    return path


# --------------------------------------------------------------------------- memory


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            parent[int(entry)] = ppid
    members = {root}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parent.items():
            if ppid in members and pid not in members:
                members.add(pid)
                changed = True
    total = 0
    for pid in members:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


class PeakSampler:
    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.peak = pid, every, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._done.wait(self.every):
            self.peak = max(self.peak, tree_rss(self.pid))

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak


# --------------------------------------------------------------------------- people


def pipeline(src: str, out: str, engine: str, time_limit: float, workers: int) -> dict:
    """Read, solve, write (timed), then check; runs in the measured process. Grouping is
    timed on its own first (solve_cohort groups again: its time is inside the solve's)."""
    from planner.scenario import load_scenario, write_plan
    from planner.solver.check import check_plan
    from planner.solver.cohort import solve_cohort
    from planner.solver.grouping import group_learners

    times = {}
    t = time.perf_counter()
    s = load_scenario(src)
    times["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    groups = len(group_learners(s).groups)
    group_s = time.perf_counter() - t
    t = time.perf_counter()
    if engine == "ray":
        from planner.solver.engine import start_ray

        start_ray(workers)
    # `time_limit` covers read, solve and write, as `planner solve --time-limit` does:
    # writing is given what reading took.
    left = time_limit - 2 * times["read_s"] - (time.perf_counter() - t)
    plan = solve_cohort(s, time_limit_s=left, workers=workers, engine=engine)
    times["solve_s"] = time.perf_counter() - t
    t = time.perf_counter()
    with open(out, "w", encoding="utf-8") as f:
        write_plan(plan, f)
    times["write_s"] = time.perf_counter() - t
    times["pipeline_s"] = sum(times.values())
    times["group_s"] = group_s
    if engine == "ray":
        from planner.solver.engine import stop_ray

        stop_ray()
    print(json.dumps({"pipeline_done": True}), flush=True)  # the parent notes the peak here
    t = time.perf_counter()
    violations = check_plan(s, plan)
    times["check_s"] = time.perf_counter() - t
    value = (plan.objective or {}).get("gap")
    bound = value if plan.status == "OPTIMAL" else (plan.bound or {}).get("gap")
    rel = None
    if value is not None and bound is not None:
        rel = 0.0 if value <= bound + 1e-9 else (value - bound) / max(value, 1e-9)
    log = (plan.stats or {}).get("column_generation", [])
    return {
        **{k: round(v, 1) for k, v in times.items()},
        "people": len(s.learners),
        "groups": groups,
        "status": plan.status,
        "valid": not violations,
        "violations": violations[:5],
        "gap": value,
        "gap_bound": bound,
        "rel_gap": rel,
        "rounds": [st.get("rounds") for st in log],
        "columns": (plan.stats or {}).get("columns"),
        "plan_mb": round(os.path.getsize(out) / 1e6, 1),
        "input_mb": round(os.path.getsize(src) / 1e6, 1),
    }


def case_people(people: int, profiles: int, engine: str, time_limit: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="planner-scale-") as tmp:
        src, out = Path(tmp) / "people.json", Path(tmp) / "plan.json"
        t = time.perf_counter()
        write_people(src, people, profiles)
        made = time.perf_counter() - t
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.scale", "_pipeline", str(src), str(out)]
            + [engine, str(time_limit), str(workers)],
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        sampler = PeakSampler(proc.pid)
        lines = []
        peak = None
        for line in proc.stdout:
            lines.append(line.decode())
            if '"pipeline_done"' in lines[-1]:  # read→write over; the check follows
                peak = max(sampler.peak, tree_rss(proc.pid))
                sampler.peak = 0
        proc.wait()
        check_peak = sampler.stop()
        wall = time.perf_counter() - started
    result = json.loads(lines[-1])
    result.update(
        engine=engine,
        workers=workers,
        time_limit_s=time_limit,
        input_written_s=round(made, 1),
        process_wall_s=round(wall, 1),
        peak_rss_mib=round((peak or 0) / 2**20),
        check_peak_rss_mib=round(check_peak / 2**20),
    )
    return result


# --------------------------------------------------------------------------- sweep


def sweep_scenario():
    """A coupled cohort (30 learners, 24 courses × 4 terms, seats) whose budget points each
    take a few seconds to prove optimal."""
    from planner.scenario.generate import generate

    s = generate(5, learners=30, courses=24, terms=4, skills=16, capacities=True, gap_close=0.0)
    return s.model_copy(
        update={"terms": [t.model_copy(update={"min_credits": 0}) for t in s.terms]}
    )


def sweep_run(points: int, cpus: int, time_limit: float) -> dict:
    """The sweep on a fresh local Ray of `cpus` CPUs (runs in its own process)."""

    from planner.services.planning.sweep import sweep, write_csv
    from planner.solver.engine import start_ray, stop_ray

    s = sweep_scenario()
    top = sum(c.cost for c in s.courses) * 3
    values = [round(i * top / (points - 1)) for i in range(points)]
    t = time.perf_counter()
    start_ray(cpus)
    ray_start = time.perf_counter() - t
    t = time.perf_counter()
    result = sweep(s, values, time_limit_s=time_limit, workers=cpus, engine="ray")
    wall = time.perf_counter() - t
    stop_ray()
    with tempfile.TemporaryDirectory() as tmp:
        rows = write_csv(result, Path(tmp) / "p.csv").read_text(encoding="utf-8")
    return {
        "cpus": cpus,
        "points": points,
        "ray_start_s": round(ray_start, 1),
        "wall_s": round(wall, 1),
        "proven": sum(p.proven for p in result),
        "csv": rows,
    }


def case_sweep(points: int, cpus: int, time_limit: float) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "_sweep", str(points), str(cpus)]
        + [str(time_limit)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


# --------------------------------------------------------------------------- pricing


def pricing_round(groups: int, layout: str) -> dict:
    """Build (first round) and re-price (second round, other prices) `groups` groups."""
    from planner.solver.cohort.workers import PricingPool
    from planner.solver.grouping import group_learners
    from planner.solver.scale import credit_scale, money_scale

    merged = group_learners(profiles_scenario(groups, groups * 20)).merged
    jobs = list(range(len(merged.learners)))
    coef = {"gap": 1.0, "cost": 0.0005, "credits": 0.0, "lateness": 0.01}
    rng = random.Random(3)
    pairs = [(c.id, t.id) for c in merged.courses for t in merged.terms]
    seat1 = {ct: rng.uniform(0, 3) for ct in rng.sample(pairs, len(pairs) // 3)}
    seat2 = {ct: rng.uniform(0, 3) for ct in rng.sample(pairs, len(pairs) // 3)}
    cluster = None
    if layout == "here":
        pool = PricingPool(merged, credit_scale(merged), money_scale(merged), 1)
    else:
        import ray

        from planner.solver.engine import RayPricingPool

        if layout == "cluster":
            from ray.cluster_utils import Cluster

            cluster = Cluster(
                initialize_head=True,
                head_node_args={"num_cpus": 1, "include_dashboard": False},
            )
            for _ in range(3):
                cluster.add_node(num_cpus=1)
            ray.init(address=cluster.address, logging_level="ERROR", log_to_driver=False)
        else:
            from planner.solver.engine import start_ray

            start_ray(int(layout))
        pool = RayPricingPool(merged)
    answers, times = [], []
    try:
        for seat in (seat1, seat2):
            t = time.perf_counter()
            answers.append(pool.price(jobs, coef, seat, 600))
            times.append(time.perf_counter() - t)
        actors = len(getattr(pool, "actors", [])) or 1
    finally:
        pool.close()
        if cluster is not None:
            ray.shutdown()
            cluster.shutdown()
        elif layout != "here":
            from planner.solver.engine import stop_ray

            stop_ray()
    # Equal-value patterns may differ between processes (ties broken by set order, which
    # string hashing randomises per process): compare each group's least value and bound.
    digest = [
        sorted((g, _value(a[0], coef, seat), round(a[1], 4)) for g, a in r.items())
        for r, seat in zip(answers, (seat1, seat2), strict=True)
    ]
    per = 1000 / len(jobs)
    return {
        "layout": layout,
        "groups": len(jobs),
        "actors": actors,
        "build_round_s_per_1000": round(times[0] * per, 2),
        "reprice_round_s_per_1000": round(times[1] * per, 2),
        "digest": hashlib.sha256(json.dumps(digest, default=str).encode()).hexdigest()[:16],
    }


def _value(pattern, coef: dict, seat: dict) -> float | None:
    if pattern is None:
        return None
    value = sum(coef[n] * pattern.comp(n) for n in ("gap", "cost", "credits", "lateness"))
    return round(value + sum(seat.get(ct, 0.0) for ct in pattern.takes), 4)


# --------------------------------------------------------------------------- report


def _append(title: str, lines: list[str]) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [*lines, "", f"Machine: {os.cpu_count()} cores, load average {load} at the end."]
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(f"\n## {title} ({stamp})\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


def report_people(r: dict) -> None:
    rel = "—" if r["rel_gap"] is None else f"{100 * r['rel_gap']:.2f}%"
    _append(
        f"{r['people']:,} people, {r['groups']:,} groups, 80 courses × 8 terms, seats",
        [
            "| engine | status | valid | read s | group s (in solve) | solve s | write s "
            "| read→write s "
            "| peak RSS MiB (all processes) | check s | check peak RSS MiB | gap | gap bound "
            "| from bound | plan MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {r['engine']} ({r['workers']} CPUs) | {r['status']} | "
            f"{'yes' if r['valid'] else 'NO'} | {r['read_s']} | {r['group_s']} | "
            f"{r['solve_s']} | {r['write_s']} | {r['pipeline_s']} | {r['peak_rss_mib']} | "
            f"{r['check_s']} | {r['check_peak_rss_mib']} | {r['gap']:g} | "
            f"{_g(r['gap_bound'])} | {rel} | {r['plan_mb']} |",
            "",
            f"time limit {r['time_limit_s']} s for read + solve + write (as `planner solve "
            f"--time-limit`); column-generation rounds {r['rounds']}; "
            f"{r['columns']} columns; input {r['input_mb']} MB.",
        ],
    )


def _g(x) -> str:
    return "—" if x is None else f"{x:.6g}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    sub = parser.add_subparsers(dest="case", required=True)
    p = sub.add_parser("people")
    p.add_argument("--people", type=int, default=1_000_000)
    p.add_argument("--profiles", type=int, default=5000)
    p.add_argument("--engine", default="ray")
    p.add_argument("--time-limit", type=float, default=300)
    p.add_argument("--workers", type=int, default=2)
    s = sub.add_parser("sweep")
    s.add_argument("--points", type=int, default=50)
    s.add_argument("--time-limit", type=float, default=60)
    q = sub.add_parser("pricing")
    q.add_argument("--groups", type=int, default=1000)
    q.add_argument("--layouts", default="here,1,2,cluster")
    w = sub.add_parser("_sweep")
    w.add_argument("points", type=int)
    w.add_argument("cpus", type=int)
    w.add_argument("time_limit", type=float)
    q1 = sub.add_parser("_pricing")
    q1.add_argument("groups", type=int)
    q1.add_argument("layout")
    r = sub.add_parser("_pipeline")
    for name in ("src", "out", "engine"):
        r.add_argument(name)
    r.add_argument("time_limit", type=float)
    r.add_argument("workers", type=int)
    args = parser.parse_args(argv)

    if args.case == "_pipeline":
        print(json.dumps(pipeline(args.src, args.out, args.engine, args.time_limit, args.workers)))
    elif args.case == "_sweep":
        print(json.dumps(sweep_run(args.points, args.cpus, args.time_limit)))
    elif args.case == "_pricing":
        print(json.dumps(pricing_round(args.groups, args.layout)))
    elif args.case == "people":
        result = case_people(args.people, args.profiles, args.engine, args.time_limit, args.workers)
        print(json.dumps(result))
        report_people(result)
    elif args.case == "sweep":
        runs = [case_sweep(args.points, cpus, args.time_limit) for cpus in (1, 2)]
        same = runs[0]["csv"] == runs[1]["csv"]
        _append(
            f"{args.points}-point budget sweep on Ray (`planner sweep --engine ray`)",
            [
                "| CPUs | sweep wall s | Ray start s | proven points | speed-up "
                "| identical points |",
                "|---|---|---|---|---|---|",
            ]
            + [
                f"| {r['cpus']} | {r['wall_s']} | {r['ray_start_s']} | "
                f"{r['proven']}/{r['points']} | {runs[0]['wall_s'] / r['wall_s']:.2f}× | "
                f"{'yes' if same else 'NO'} |"
                for r in runs
            ],
        )
    elif args.case == "pricing":
        rows = []
        for layout in args.layouts.split(","):
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.scale", "_pricing", str(args.groups), layout],
                check=True,
                capture_output=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            rows.append(json.loads(out.stdout.decode().strip().splitlines()[-1]))
        names = {
            "here": "in process (no Ray)",
            "1": "local Ray, 1 CPU",
            "2": "local Ray, 2 CPUs",
            "cluster": "simulated cluster, 4 nodes × 1 CPU",
        }
        _append(
            f"Pricing round, {rows[0]['groups']} groups × 80 courses × 8 terms",
            [
                "| layout | actors | first round (builds models) s / 1000 groups "
                "| next round s / 1000 groups | same answers |",
                "|---|---|---|---|---|",
            ]
            + [
                f"| {names.get(r['layout'], r['layout'])} | {r['actors']} | "
                f"{r['build_round_s_per_1000']} | {r['reprice_round_s_per_1000']} | "
                f"{'yes' if r['digest'] == rows[0]['digest'] else 'NO'} |"
                for r in rows
            ],
        )


if __name__ == "__main__":
    main()
