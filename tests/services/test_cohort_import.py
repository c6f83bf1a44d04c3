"""Employees CSV import: learners built, row-level errors, nothing produced on error."""

import pytest

from planner.scenario import parse_scenario
from planner.services.scenarios.employees import CohortImportError, read_employees
from planner.solver.check import check_plan
from planner.solver.cohort import solve_cohort
from planner.solver.grouping import group_learners

BASE = {
    "format": "planner-scenario/1",
    "skills": [{"id": "data.sql"}, {"id": "ai.prompting"}],
    "roles": [{"id": "analyst", "requires": {"data.sql": 3, "ai.prompting": 2}}],
    "terms": [{"id": "Q1"}, {"id": "Q2"}],
    "courses": [
        {
            "id": "SQL",
            "credits": 1,
            "cost": 300,
            "teaches": {"data.sql": 3},
            "capacity": 3,
            "max_sections": 1,
            "session_cost": 100,
        },
        {"id": "PROMPT", "credits": 1, "cost": 200, "teaches": {"ai.prompting": 2}},
    ],
}


@pytest.fixture
def base():
    return parse_scenario(BASE)


def _write(tmp_path, text):
    path = tmp_path / "employees.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_become_learners_with_teams_and_solve(tmp_path, base):
    path = _write(
        tmp_path,
        "employee_id,name,team,role,levels,completed,budget,terms\n"
        "e1,李娜,Growth,analyst,data.sql=1;ai.prompting=1,,1000,\n"
        "e2,Bo,Growth,analyst,ai.prompting=1;data.sql=1,,1000,\n"
        "e3,Cy,Brand,analyst,data.sql=1,PROMPT,,Q1;Q2\n"
        "e4,Di,Brand,analyst,data.sql=1;ai.prompting=1,,1000,\n"
        "e5,Ed,Brand,,,,,Q2\n",
    )
    cohort = read_employees(path, base)
    assert [lr.id for lr in cohort.learners] == ["e1", "e2", "e3", "e4", "e5"]
    assert cohort.teams == {
        "e1": "Growth",
        "e2": "Growth",
        "e3": "Brand",
        "e4": "Brand",
        "e5": "Brand",
    }
    assert cohort.names["e1"] == "李娜"
    assert cohort.learners[0].levels == {"data.sql": 1, "ai.prompting": 1}
    assert cohort.learners[2].completed == ["PROMPT"]
    assert cohort.learners[4].terms == ["Q2"] and cohort.learners[4].role is None
    s = cohort.scenario(base)
    assert len(group_learners(s).groups) == 3  # e1, e2, e4 share a profile
    plan = solve_cohort(s, time_limit_s=10, workers=2)
    assert check_plan(s, plan) == []
    assert plan.status == "OPTIMAL"
    # SQL seats: 3 per term, one section: four analysts fit over two quarters.
    assert plan.objective["gap"] == 0


def test_duplicate_ids_unknown_roles_and_bad_levels_fail_with_rows(tmp_path, base):
    path = _write(
        tmp_path,
        "employee_id,role,levels,completed,budget,terms\n"
        "e1,analyst,data.sql=1,,,\n"
        "e1,analyst,,,,\n"
        "e2,cmo,,,,\n"
        "e3,analyst,data.sq1=2;ai.prompting=7,,,\n"
        "e4,analyst,data.sql,NOPE,-5,Q9\n",
    )
    with pytest.raises(CohortImportError) as err:
        read_employees(path, base)
    text = [str(p) for p in err.value.problems]
    assert text == [
        'row 3, employee_id: duplicate employee id "e1" (first at row 2)',
        'row 4, role: unknown role "cmo"',
        'row 5, levels: unknown skill "data.sq1"',
        'row 5, levels: level of "ai.prompting" must be an integer 0-4 (got "7")',
        'row 6, levels: "data.sql" is not skill=level',
        'row 6, completed: unknown course "NOPE"',
        'row 6, terms: unknown term "Q9"',
        "row 6, budget: must be a finite number ≥ 0 (got -5)",
    ]


def test_bad_header_is_reported_and_nothing_is_produced(tmp_path, base):
    path = _write(tmp_path, "id,rolle\nx,analyst\n")
    with pytest.raises(CohortImportError) as err:
        read_employees(path, base)
    assert [str(p) for p in err.value.problems][-1] == "row 1, employee_id: required column missing"
    assert any('unknown column "rolle"' in str(p) for p in err.value.problems)


def test_empty_and_non_utf8_files(tmp_path, base):
    with pytest.raises(CohortImportError, match="header row is required"):
        read_employees(_write(tmp_path, ""), base)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("employee_id,name\ne1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(CohortImportError, match="not UTF-8"):
        read_employees(bad, base)


def test_large_plans_are_written_as_the_same_document_compact(tmp_path, base, monkeypatch):
    import json

    from planner.scenario import Plan, dump_json, load

    path = _write(
        tmp_path,
        "employee_id,role,levels,budget\n"
        "李娜,analyst,data.sql=1,1000\n"
        "e2,analyst,data.sql=1,1000\n"
        "e3,analyst,,\n"
        "e4,analyst,ai.prompting=2,\n",
    )
    s = read_employees(path, base).scenario(base)
    plan = solve_cohort(s, time_limit_s=10, workers=2)
    reference = dump_json(plan)
    monkeypatch.setattr(load, "COMPACT_FROM", 1)  # as if the plan were large
    text = dump_json(plan)
    assert "\n  " in reference and "\n" not in text.rstrip("\n")
    assert json.loads(text) == json.loads(reference)
    assert list(json.loads(text)) == list(json.loads(reference))  # same key order
    out = tmp_path / "plan.json"
    out.write_text(text, encoding="utf-8")
    again = Plan.model_validate_json(out.read_text(encoding="utf-8"))
    assert check_plan(s, again) == []
    assert "李娜" in out.read_text(encoding="utf-8")
