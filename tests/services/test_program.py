"""Program-design mode: tracks, coverage, uncovered skills, prerequisite metrics."""

from planner.scenario import parse_scenario
from planner.services.planning.program import curriculum_metrics, design_program

CURRICULUM = {
    "format": "planner-scenario/1",
    "name": "mini program",
    "skills": [{"id": "mkt"}, {"id": "sql"}, {"id": "ai"}, {"id": "law"}],
    "roles": [
        {"id": "analyst", "requires": {"sql": 3, "mkt": 1}},
        {"id": "strategist", "requires": {"ai": 3, "law": 2, "mkt": 2}},
    ],
    "terms": [
        {"id": "Y1-fall", "season": "fall"},
        {"id": "Y1-spring", "season": "spring"},
        {"id": "Y2-fall", "season": "fall"},
    ],
    "courses": [
        {"id": "M101", "credits": 3, "teaches": {"mkt": 2}},
        {"id": "S201", "credits": 3, "teaches": {"sql": 2}, "prerequisites": ["M101"]},
        {
            "id": "S301",
            "credits": 3,
            "teaches": {"sql": 3},
            "prerequisites": ["S201"],
            "offered": ["fall"],
        },
        {"id": "A201", "credits": 3, "teaches": {"ai": 3}, "prerequisites_any": [["M101", "S201"]]},
        {"id": "L101", "credits": 2, "teaches": {"law": 1}},
    ],
    "learners": [{"id": "entrant-analyst", "role": "analyst"}],
}


def test_metrics_follow_the_prerequisite_graph():
    s = parse_scenario(CURRICULUM)
    metrics, chain = curriculum_metrics(s)
    assert chain == ["M101", "S201", "S301"]
    assert metrics.loc["M101", "blocking"] == 3  # S201, S301, A201
    assert metrics.loc["S301", "blocking"] == 0
    assert metrics.loc["S201", "delay"] == 3 and metrics.loc["L101", "delay"] == 1
    # chains through S201 as an interior node: M101→S201→S301 and M101→S201→A201
    assert metrics.loc["S201", "centrality"] == 6
    assert metrics.loc["M101", "complexity"] == metrics.loc["M101", "delay"] + 3


def test_tracks_coverage_and_uncovered_skills():
    s = parse_scenario(CURRICULUM)
    report = design_program(s, ["analyst", "strategist"], time_limit_s=10, workers=2)
    analyst, strategist = report.tracks
    assert analyst.entrant == "entrant-analyst" and analyst.plan.status == "OPTIMAL"
    assert analyst.schedule == {"Y1-fall": ["M101"], "Y1-spring": ["S201"], "Y2-fall": ["S301"]}
    assert strategist.entrant == "strategist-entrant"
    assert strategist.gaps == {"law": 1}
    assert report.coverage.loc["S301", "sql"] == 3 and report.coverage.loc["L101", "sql"] == 0
    rows = report.uncovered.to_dict("records")
    assert rows == [
        {"role": "strategist", "skill": "law", "needed": 2, "best_taught": 1, "shortfall": 1}
    ]


def test_program_command_writes_csvs(cli, tmp_path):
    import json

    path = tmp_path / "c.json"
    path.write_text(json.dumps(CURRICULUM), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("program", path, "--roles", "strategist", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "coverage.csv").read_text(encoding="utf-8").startswith("course,mkt,sql,ai,law")
    assert "strategist,law,2,1,1" in (out / "uncovered.csv").read_text(encoding="utf-8")
    assert "M101" in (out / "plans.csv").read_text(encoding="utf-8")
    bad = cli("program", path, "--roles", "nobody")
    assert bad.exit_code == 1 and 'unknown role "nobody"' in bad.output


def test_college_curriculum_report_runs():
    from planner.scenario import load_scenario

    s = load_scenario("curricula/ai-marketing-college.json")
    metrics, chain = curriculum_metrics(s)
    assert len(metrics) == len(s.courses) and len(chain) >= 3


def test_cli_takes_a_curriculum_name(cli, tmp_path):
    result = cli(
        "program", "ai-marketing-college", "--roles", "mkt-data-analyst", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## mkt-data-analyst" in report and "OPTIMAL" in report
