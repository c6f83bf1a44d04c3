"""write_plan streams a plan to a file with exactly dump_json's bytes."""

import io
import json

from planner.scenario import LearnerPlan, Plan, dump_json, load_plan, write_plan


def plan_of(n: int) -> Plan:
    learners = [
        LearnerPlan(
            id=f"p{i:06d}",
            schedule={"T1": ["SQL"] if i % 2 else [], "T2": ["AI"]},
            final_levels={"sql": 3, "ai": 2},
            gaps={} if i % 3 else {"sql": 1},
            cost=650.0 + i % 7 / 4,
            credits=2.0,
            reasons={"AI": "raises ai 0→2 (needed 2)", "SQL": "raises sql 1→3 — «needed» 3"},
        )
        for i in range(n)
    ]
    return Plan(
        scenario="stream",
        status="FEASIBLE",
        objective={"gap": 1.0, "cost": 2.5, "credits": 3.0, "lateness": 4.0},
        bound={"gap": 0.5},
        learners=learners,
        stats={"note": "x"},
    )


def test_streamed_plan_has_the_bytes_of_dump_json():
    for n in (3, 999, 1000, 4321):  # indented below COMPACT_FROM, chunked compact above
        plan = plan_of(n)
        out = io.StringIO()
        write_plan(plan, out, chunk=1000)
        assert out.getvalue() == dump_json(plan)
    assert json.loads(out.getvalue())["learners"][4320]["id"] == "p004320"


def test_solve_writes_a_plan_file_that_loads(cli, tmp_path):
    from tests.services.test_sweep import S

    body = {**S, "learners": [{**S["learners"][i % 9], "id": f"e{i}"} for i in range(1200)]}
    path, out = tmp_path / "s.json", tmp_path / "plan.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    result = cli("solve", path, "--out", out, "--time-limit", "20")
    assert result.exit_code == 0, result.output
    plan = load_plan(out)
    assert len(plan.learners) == 1200 and out.read_text(encoding="utf-8") == dump_json(plan)
    assert cli("check", path, out).exit_code == 0
