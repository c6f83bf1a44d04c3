"""The Ray engine (planner/solver/engine.py) against the local one: same plans and sweep
points, batches of scenario files, cancel, killed workers and a lost cluster.

One local Ray (2 CPUs) is shared by the whole module: starting Ray costs seconds.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from planner.db import get_engine
from planner.scenario import load_scenario, parse_scenario
from planner.scenario.generate import generate
from planner.solver import engine
from planner.solver.check import check_plan
from planner.solver.cohort import solve_cohort, solve_patterns
from tests.services.test_sweep import S as SEATS  # 9 learners, one course with 2 sections

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ray():
    ray = engine.start_ray(2)
    yield ray
    engine.stop_ray()


def ray_processes(title: str) -> list[int]:
    """Pids of Ray workers whose process title starts with `title` (e.g. ray::Pricer)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(title.encode()):
                pids.append(int(entry.name))
    return pids


def coupled(seed: int, learners: int = 12):
    """A small cohort whose seats couple the learners (pattern pricing runs)."""
    s = generate(
        seed, learners=learners, courses=10, terms=3, skills=8, capacities=True, gap_close=0.0
    )
    return s.model_copy(
        update={"terms": [t.model_copy(update={"min_credits": 0}) for t in s.terms]}
    )


def test_patterns_priced_by_ray_actors_equal_local(ray):
    s = parse_scenario(SEATS)
    # one CP-SAT worker: the master is deterministic, so every round must match
    local = solve_patterns(s, time_limit_s=10, workers=1)
    on_ray = solve_patterns(s, time_limit_s=10, workers=1, engine="ray")
    assert on_ray.stats["engine"] == "ray" and "engine" not in local.stats
    rounds = [(st["rounds"], st["priced"]) for st in on_ray.stats["column_generation"]]
    assert rounds == [(st["rounds"], st["priced"]) for st in local.stats["column_generation"]]
    assert sum(sum(priced) for _, priced in rounds) > 0
    assert on_ray.stats["columns"] == local.stats["columns"]
    assert (on_ray.status, on_ray.objective, on_ray.bound) == (
        local.status,
        local.objective,
        local.bound,
    )
    assert check_plan(s, on_ray) == []
    # the whole cohort solve (patterns, then the monolithic backup) agrees too
    assert (
        solve_cohort(s, time_limit_s=10, engine="ray").objective
        == solve_cohort(s, time_limit_s=10, engine="local").objective
    )


def test_sweep_on_ray_gives_the_local_points(cli, ray, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SEATS), encoding="utf-8")
    rows = {}
    for name in ("local", "ray"):
        out = tmp_path / f"{name}.csv"
        result = cli(
            "sweep", path, "--budget", "0:6000:1000", "--out-csv", out, "--time-limit", "10",
            "--engine", name,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        rows[name] = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows["ray"] == rows["local"]
    assert [r["budget"] for r in rows["ray"]] == [str(b) for b in range(0, 6001, 1000)]
    assert {r["proven"] for r in rows["ray"]} == {"yes"}
    assert "[7/7] budget" in result.output  # streamed as the tasks finished


def test_batch_of_scenario_files_one_plan_each(cli, ray, tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for seed in (1, 2, 3):
        body = coupled(seed).model_dump(mode="json", exclude_none=True)
        (folder / f"cohort-{seed}.json").write_text(json.dumps(body), encoding="utf-8")
    files = sorted(str(p) for p in folder.glob("*.json"))
    result = cli("solve", *files, "--engine", "ray", "--out-dir", out, "--time-limit", "10")
    assert result.exit_code == 0, result.output
    assert "[3/3]" in result.output
    for path in files:
        scenario = load_scenario(path)
        plan = json.loads((out / (Path(path).stem + ".plan.json")).read_text(encoding="utf-8"))
        assert check_plan(scenario, plan) == []
        local = solve_cohort(scenario, time_limit_s=10, workers=1, engine="local")
        if plan["status"] == "OPTIMAL" and local.status == "OPTIMAL":
            assert plan["objective"] == local.objective


def test_batch_input_is_all_or_nothing(cli, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(SEATS), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "planner-scenario/1", "skills": 3}', encoding="utf-8")
    out = tmp_path / "out"
    result = cli("solve", good, bad, "--out-dir", out)
    assert result.exit_code == 1
    assert f"{bad}: skills" in result.output
    assert not out.exists()  # nothing solved, nothing written
    result = cli("solve", good, good)
    assert result.exit_code == 1 and "--out-dir" in result.output
    result = cli("solve", good, "--engine", "spark")
    assert result.exit_code == 1 and "spark" in result.output


def test_cancel_stops_running_and_queued_tasks(ray):
    slow = [coupled(seed, learners=120) for seed in range(4)]
    stop = threading.Event()
    threading.Timer(3.0, stop.set).start()
    started = time.monotonic()
    plans = engine.solve_many(slow, engine="ray", time_limit_s=120, workers=2, stop=stop)
    assert time.monotonic() - started < 20
    assert plans == [None] * 4
    # the cancelled solves freed their CPUs: two new tasks run at once, right away
    quick = ray.remote(num_cpus=1)(_pid)
    assert len(set(ray.get([quick.remote(), quick.remote()], timeout=30))) == 2


def _pid():
    time.sleep(0.5)  # long enough that the two calls overlap
    return os.getpid()


def test_killed_task_is_retried_and_the_plans_stay_valid(ray):
    scenarios = [coupled(seed, learners=60) for seed in (4, 5)]
    killed = []

    def kill_one():
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for pid in ray_processes("ray::_solve_task"):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                break
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one)
    killer.start()
    plans = engine.solve_many(scenarios, engine="ray", time_limit_s=4, workers=2)
    killer.join()
    assert killed, "no solve task was seen running"
    for scenario, plan in zip(scenarios, plans, strict=True):
        assert plan.status in ("OPTIMAL", "FEASIBLE")
        assert check_plan(scenario, plan) == []


def test_killed_pricing_actor_is_replaced_or_its_groups_move(ray):
    from planner.solver.cohort.workers import PricingPool
    from planner.solver.grouping import group_learners
    from planner.solver.scale import credit_scale, money_scale

    merged = group_learners(coupled(6, learners=30)).merged
    groups = list(range(len(merged.learners)))
    coef = {"gap": 1.0, "cost": 0.001, "credits": 0.0, "lateness": 0.01}
    seat = {(c.id, t.id): 2.5 for c in merged.courses[:4] for t in merged.terms}
    here = PricingPool(merged, credit_scale(merged), money_scale(merged), 1)
    expected = {g: a[:2] for g, a in here.price(groups, coef, seat, 30).items()}
    pool = engine.RayPricingPool(merged, actors=2)
    try:
        assert len(pool.actors) == 2
        first = pool.price(groups, coef, seat, 30)
        assert {g: a[:2] for g, a in first.items()} == expected
        assert all(a[2] is not None for a in first.values())  # models built on the actors
        killed = pool.pids[0]
        os.kill(killed, signal.SIGKILL)  # replaced by a fresh actor, its share re-priced
        assert {g: a[:2] for g, a in pool.price(groups, coef, seat, 30).items()} == expected
        assert len(pool.actors) == 2 and killed not in pool.pids
        pool.respawns = 0  # no more replacements: the other actor takes the share over
        ray.kill(pool.actors[1])
        assert {g: a[:2] for g, a in pool.price(groups, coef, seat, 30).items()} == expected
        assert len(pool.actors) == 1
    finally:
        pool.close()
        here.close()


def test_solve_survives_a_pricing_actor_killed_mid_solve(ray):
    s = coupled(7, learners=40)
    killed = []

    def progress(info):
        if not killed and "column generation round" in info["stage"]:
            for pid in ray_processes("ray::Pricer")[:1]:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    started = time.monotonic()
    plan = solve_patterns(s, time_limit_s=20, workers=2, progress=progress, engine="ray")
    assert killed
    assert time.monotonic() - started < 20 + 10  # its limit, plus building the plan
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert check_plan(s, plan) == []


def test_stop_interrupts_pricing_on_the_actors(ray):
    from planner.solver.grouping import group_learners

    # 300 groups × 80 courses × 8 terms: building their models alone takes seconds
    big = generate(9, learners=300, courses=80, terms=8, skills=40, roles=8, gap_close=0.0)
    merged = group_learners(big).merged
    groups = list(range(len(merged.learners)))
    coef = {"gap": 1.0, "cost": 0.001, "credits": 0.0, "lateness": 0.01}
    pool = engine.RayPricingPool(merged, actors=2)
    try:
        t0 = time.monotonic()
        out = pool.price(groups, coef, {}, 600, stopped=lambda: time.monotonic() > t0 + 0.3)
        assert len(out) < len(groups)  # the rest were never priced
        assert time.monotonic() - t0 < 10
        assert pool.price(groups, coef, {}, 600, stopped=lambda: True) == {}
    finally:
        pool.close()


def test_a_cluster_that_stops_answering_is_an_error_not_a_hang(ray, monkeypatch):
    monkeypatch.setattr(engine, "GRACE_S", 1.0)
    started = time.monotonic()
    with pytest.raises(engine.EngineError, match="did not answer"):
        engine._solve_on_ray([parse_scenario(SEATS)], 1.0, 1, None, None, task=_hang)
    assert time.monotonic() - started < 15


def _hang(document, time_limit_s, workers):
    time.sleep(600)


def test_the_local_engine_never_imports_ray(tmp_path):
    code = (
        "import sys, json\n"
        "from planner.scenario import parse_scenario\n"
        "from planner.services.planning.sweep import sweep\n"
        "from planner.solver.cohort import solve_cohort\n"
        "from tests.services.test_sweep import S\n"
        "s = parse_scenario(S)\n"
        "solve_cohort(s, time_limit_s=5)\n"
        "sweep(s, [0, 4000], time_limit_s=5)\n"
        "print('ray' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PLANNER_ENGINE", None)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "False"


def test_unreachable_cluster_is_a_clear_error(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SEATS), encoding="utf-8")
    env = {**os.environ, "RAY_ADDRESS": "127.0.0.1:9", "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "from planner.cli import cli; cli()", "solve", str(path)]
        + ["--engine", "ray"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "RAY_ADDRESS=127.0.0.1:9: no Ray cluster answers there" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_web_solve_runs_on_the_engine_of_planner_engine(ray, app, client, staff_token, monkeypatch):
    from planner.scenario import Plan
    from planner.services.planning import jobs
    from tests.web.test_scenarios import store

    monkeypatch.setenv("PLANNER_ENGINE", "ray")
    sid = store(app, SEATS)
    headers = {"Authorization": f"Bearer {staff_token}"}
    response = client.post(f"/api/v1/scenarios/{sid}/solve", headers=headers)
    assert response.status_code == 202
    run_id = response.get_json()["run"]["id"]
    assert jobs.runner_for(get_engine(app)).wait(run_id, 120)
    run = client.get(f"/api/v1/runs/{run_id}", headers=headers).get_json()["run"]
    assert run["status"] == "done", run
    plan = Plan.model_validate(client.get(run["plan_url"], headers=headers).get_json())
    assert plan.stats["engine"] == "ray"
    assert check_plan(parse_scenario(SEATS), plan) == []


def test_serve_engine_option_reaches_the_solve_runner(cli, engine, monkeypatch):
    import planner.serving
    from planner.services.planning import jobs
    from planner.solver.engine import engine_name

    served = []
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    monkeypatch.delenv("PLANNER_ENGINE", raising=False)
    monkeypatch.setattr(planner.serving, "serve", lambda make, **kw: served.append(make()))
    result = cli("serve", "--engine", "ray", "--port", "5999")
    assert result.exit_code == 0, result.output
    runner = jobs.runner_for(get_engine(served[0]))
    assert runner.solve_engine is None and engine_name(runner.solve_engine) == "ray"
    runner.shutdown()
