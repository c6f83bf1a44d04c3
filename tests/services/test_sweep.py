"""Budget sweep: monotone residual gap, CSV and SVG outputs, range parsing."""

import csv
import json

import pytest

from planner.scenario import parse_scenario
from planner.services.planning.sweep import parse_range, render_svg, sweep, write_csv

S = {
    "format": "planner-scenario/1",
    "name": "sweep demo",
    "skills": [{"id": "sql"}, {"id": "ai"}],
    "roles": [{"id": "analyst", "requires": {"sql": 3, "ai": 2}, "weights": {"sql": 2}}],
    "terms": [{"id": "Q1"}, {"id": "Q2"}],
    "courses": [
        {
            "id": "SQL",
            "credits": 1,
            "cost": 400,
            "teaches": {"sql": 3},
            "capacity": 4,
            "max_sections": 2,
            "session_cost": 300,
        },
        {"id": "AI", "credits": 1, "cost": 250, "teaches": {"ai": 2}},
    ],
    "learners": [{"id": f"e{i}", "role": "analyst", "levels": {"sql": i % 3}} for i in range(9)],
}


def test_more_budget_never_gives_a_larger_gap(tmp_path):
    s = parse_scenario(S)
    values = parse_range("0:8000:1000")
    points = sweep(s, values, time_limit_s=10, workers=2)
    gaps = [p.gap for p in points]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[0] > gaps[-1] and gaps[-1] == 0
    assert all(p.proven for p in points)
    front = [p.gap for p in points if p.pareto]
    assert points[0].pareto and front == sorted(set(gaps), reverse=True)
    path = write_csv(points, tmp_path / "s.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [float(r["budget"]) for r in rows] == values
    assert {r["proven"] for r in rows} == {"yes"}
    svg = render_svg(points, "budget", "demo")
    assert svg.startswith("<svg") and svg.count("<circle") == len(points)


def test_parse_range_rejects_bad_input():
    assert parse_range("0:10:5") == [0, 5, 10]
    assert parse_range("3,1,2") == [1, 2, 3]
    for bad in ("0:10", "10:0:5", "0:10:0", "a:b:c", "-5:5:5"):
        with pytest.raises(ValueError, match="--budget"):
            parse_range(bad)


def test_sweep_command(cli, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(S), encoding="utf-8")
    out_csv, out_svg = tmp_path / "o.csv", tmp_path / "o.svg"
    result = cli(
        "sweep", path, "--budget", "0:4000:2000", "--out-csv", out_csv, "--out-svg", out_svg,
        "--time-limit", "10",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "budget 4000: OPTIMAL" in result.output
    assert out_csv.exists() and out_svg.read_text(encoding="utf-8").startswith("<svg")
    bad = cli("sweep", path, "--budget", "5:1:1")
    assert bad.exit_code == 1
