"""`planner scenario cohort`: an employees CSV becomes the learners of a catalog scenario."""

from planner.scenario import load_scenario

CSV = (
    "employee_id,name,team,role,levels,completed,budget\n"
    "E1,李娜,Growth,ai-mkt-strategist,ai.prompting=1,,2500\n"
    "E2,Tom,Growth,ai-mkt-strategist,ai.prompting=1,,2500\n"
    "E3,Ann,CRM,crm-data-officer,,,\n"
)


def test_employees_become_learners_and_the_scenario_solves(cli, tmp_path):
    from planner.solver.check import check_plan
    from planner.solver.cohort import solve_cohort

    employees = tmp_path / "team.csv"
    employees.write_text(CSV, encoding="utf-8")
    out = tmp_path / "team.json"
    result = cli(
        "scenario",
        "cohort",
        "corporate-ai-upskilling",
        employees,
        "--budget",
        "40000",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert [learner.id for learner in scenario.learners] == ["E1", "E2", "E3"]
    assert scenario.constraints.budget == 40000
    plan = solve_cohort(scenario, time_limit_s=10)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert not check_plan(scenario, plan)
    by_id = {entry.id: entry.schedule for entry in plan.learners}
    assert set(by_id) == {"E1", "E2", "E3"}


def test_bad_rows_are_all_reported_and_nothing_is_written(cli, tmp_path):
    employees = tmp_path / "team.csv"
    employees.write_text("employee_id,name,team,role\nE1,A,X,cmo\nE1,B,X,nope\n", encoding="utf-8")
    out = tmp_path / "team.json"
    result = cli("scenario", "cohort", "corporate-ai-upskilling", employees, "--out", out)
    assert result.exit_code == 1
    assert 'row 3, employee_id: duplicate employee id "E1" (first at row 2)' in result.output
    assert 'row 3, role: unknown role "nope"' in result.output
    assert "Traceback" not in result.output and not out.exists()
