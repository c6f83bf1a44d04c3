"""Finding 7: deep JSON, huge integers and control characters were 500s and tracebacks.
Each is replayed here through the real path (API, web upload, forms, CLI) and must give a
clear 4xx / exit 1 with the problem named, and store nothing."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from planner import db
from planner.models import Course, Learner, ScenarioRecord
from tests.fixtures.web import bearer
from tests.web.test_catalog import course_form
from tests.web.test_scenarios import tiny_scenario

DEPTH = 3_500


def deep_json(depth: int = DEPTH) -> str:
    return (
        '{"format": "planner-scenario/1", "name": "deep", "x": ' + "[" * depth + "]" * depth + "}"
    )


def count(app, model) -> int:
    with Session(db.get_engine(app)) as session:
        return session.exec(select(func.count()).select_from(model)).one()


# --- nesting -------------------------------------------------------------------------------


def test_api_refuses_deep_json_with_422(app, client, staff_token):
    before = count(app, ScenarioRecord)
    response = client.post(
        "/api/v1/scenarios", data=deep_json(), headers=bearer(staff_token, json=True)
    )
    assert response.status_code == 422
    assert "nested more than 64 levels" in response.get_json()["errors"][0]["message"]
    assert count(app, ScenarioRecord) == before


def test_api_solve_body_is_parsed_with_the_same_limits(app, client, staff_token):
    response = client.post(
        "/api/v1/scenarios/1/solve", data="[" * DEPTH, headers=bearer(staff_token, json=True)
    )
    assert response.status_code == 422  # refused before the scenario is looked up
    sid = client.post(
        "/api/v1/scenarios",
        data=json.dumps(tiny_scenario()),
        headers=bearer(staff_token, json=True),
    ).get_json()["id"]
    response = client.post(
        f"/api/v1/scenarios/{sid}/solve",
        data="[" * DEPTH + "]" * DEPTH,
        headers=bearer(staff_token, json=True),
    )
    assert response.status_code == 422 and "nested" in response.get_data(as_text=True)


def test_web_import_refuses_deep_json(app, staff_client):
    before = count(app, ScenarioRecord)
    response = staff_client.post(
        "/scenarios/import",
        data={"file": (io.BytesIO(deep_json().encode()), "deep.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "nested more than 64 levels" in response.get_data(as_text=True)
    assert count(app, ScenarioRecord) == before


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_cli_import_and_solve_refuse_deep_documents(cli, tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("init-db").exit_code == 0
    path = tmp_path / f"deep.{suffix}"
    path.write_text(deep_json() if suffix == "json" else "x: " + "[" * DEPTH + "]" * DEPTH)
    for args in (["import", str(path)], ["solve", str(path)]):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output and "RecursionError" not in result.output
        assert "nested" in result.output, result.output


def test_cli_records_import_refuses_deep_rows(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("init-db").exit_code == 0
    path = tmp_path / "courses.json"
    nested = "[" * DEPTH + "]" * DEPTH
    path.write_text('{"format": "planner-records/1", "kind": "courses", "rows": ' + nested + "}")
    result = cli("import", path)
    assert result.exit_code == 1 and "nested more than 64 levels" in result.output


# --- integers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("capacity", str(10**23)), ("max_sections", str(2**63 + 1)), ("credits", "1e400")],
)
def test_course_form_bounds_integers(app, staff_client, field, value):
    with Session(db.get_engine(app)) as session:
        before = session.get(Course, "AI101").model_dump()
    response = staff_client.post(
        "/catalog/courses/AI101/edit", data=course_form(app, "AI101", **{field: value})
    )
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    assert "at most" in html or "finite" in html
    with Session(db.get_engine(app)) as session:
        assert session.get(Course, "AI101").model_dump() == before


def test_scenario_import_with_huge_integers_is_refused_not_a_crash(cli, tmp_path, monkeypatch):
    """The scenario file allows huge limits (the solver clamps them), but the catalog's
    integer columns cannot hold 10^23: importing such a file into the catalog was an
    OverflowError traceback; now it names the fields and stores nothing."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("init-db").exit_code == 0
    body = tiny_scenario()
    body["courses"][0]["capacity"] = 10**23
    body["courses"][1]["max_sections"] = 2**63 + 1
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(body))
    result = cli("import", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "courses[0].capacity: must be at most 1,000,000" in result.output
    assert "courses[1].max_sections: must be at most 1,000,000" in result.output
    engine = db.make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Course)).one() == 0
    engine.dispose()


def test_cli_import_with_huge_integers_names_row_and_column(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("init-db").exit_code == 0
    path = tmp_path / "courses.csv"
    path.write_text(f"id,title,credits,capacity,max_sections\nX1,t,3,{10**23},{2**64}\n")
    result = cli("import", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "row 2, column capacity: must be at most 1,000,000" in result.output
    assert "row 2, column max_sections: must be at most 1,000,000" in result.output


# --- control characters --------------------------------------------------------------------


def test_control_character_in_a_course_title_is_a_field_error(app, staff_client):
    response = staff_client.post(
        "/catalog/courses/AI101/edit", data=course_form(app, "AI101", title="Bell\x07 course")
    )
    assert response.status_code == 422
    assert "may not contain control characters" in response.get_data(as_text=True)
    with Session(db.get_engine(app)) as session:
        assert "\x07" not in session.get(Course, "AI101").title
    assert staff_client.get("/catalog/courses/AI101/edit").status_code == 200


@pytest.mark.parametrize("bad_id", ["nul\x00id", "cr\rlf\nid", 'quote"id', "sl/ash", "/..\\x"])
def test_cli_import_refuses_ids_the_web_refuses(cli, tmp_path, monkeypatch, bad_id):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("seed").exit_code == 0
    path = tmp_path / "learners.json"
    rows = [{"id": bad_id, "name": "x", "role": "mkt-data-analyst"}]
    path.write_text(json.dumps({"format": "planner-records/1", "kind": "learners", "rows": rows}))
    result = cli("import", path)
    assert result.exit_code == 1, result.output
    assert "may not contain" in result.output and "nothing imported" in result.output
    engine = db.make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        assert session.get(Learner, bad_id) is None
    engine.dispose()


def test_api_refuses_nul_in_ids_and_titles(app, client, staff_token):
    body = tiny_scenario()
    body["learners"][0]["id"] = "li\x00na"
    body["courses"][0]["title"] = "SQL\x1b[31m"
    response = client.post(
        "/api/v1/scenarios", data=json.dumps(body), headers=bearer(staff_token, json=True)
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "control characters" in text
