"""Finding 8: size limits. Request bodies are capped (clear 413), and every text field has the
same length limit through the forms, the importers and the API (a 25 MB scenario name was
stored through the API, a 10 MB course title through a JSON import)."""

from __future__ import annotations

import html
import io
import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from planner import db
from planner.limits import NAME_MAX, TITLE_MAX
from planner.models import Course, ScenarioRecord
from planner.services.io.importer import import_file
from planner.services.io.report import ImportRejected
from tests.fixtures.web import bearer
from tests.web.test_scenarios import tiny_scenario


def count(app, model) -> int:
    with Session(db.get_engine(app)) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_25_mb_api_body_is_413_with_a_clear_message(app, client, staff_token):
    body = tiny_scenario(name="n" * (25 * 2**20))
    before = count(app, ScenarioRecord)
    response = client.post(
        "/api/v1/scenarios", data=json.dumps(body), headers=bearer(staff_token, json=True)
    )
    assert response.status_code == 413
    message = response.get_json()["errors"][0]["message"]
    assert "larger than the 25 MB this server accepts" in message
    assert count(app, ScenarioRecord) == before


def test_a_long_name_under_the_body_limit_is_a_field_error(app, client, staff_token):
    body = tiny_scenario(name="n" * 2**20)
    response = client.post(
        "/api/v1/scenarios", data=json.dumps(body), headers=bearer(staff_token, json=True)
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors[0]["path"] == "name" and f"at most {NAME_MAX} characters" in errors[0]["message"]
    assert len(response.get_data()) < 2_000  # the error does not echo the megabyte back


def test_upload_over_the_limit_is_a_413_page(app, staff_client):
    app.config["MAX_CONTENT_LENGTH"] = 2**20
    before = count(app, ScenarioRecord)
    response = staff_client.post(
        "/scenarios/import",
        data={"file": (io.BytesIO(b" " * (2 * 2**20)), "big.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "larger than the 1 MB this server accepts" in response.get_data(as_text=True)
    assert count(app, ScenarioRecord) == before


def test_scenario_editor_name_is_limited_like_the_api(app, staff_client, web_session):
    from tests.web.test_scenarios import body_of, editor_form, store

    sid = store(app, tiny_scenario())
    form = editor_form(body_of(web_session, sid), name="x" * (NAME_MAX + 1))
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 422
    assert f"at most {NAME_MAX} characters" in response.get_data(as_text=True)
    assert body_of(web_session, sid)["name"] == "Tiny 试点"


def test_a_10_mb_title_through_a_json_import_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("init-db").exit_code == 0
    rows = [{"id": "BIG1", "title": "t" * (10 * 2**20), "credits": 3}]
    path = tmp_path / "courses.json"
    path.write_text(json.dumps({"format": "planner-records/1", "kind": "courses", "rows": rows}))
    result = cli("import", path)
    assert result.exit_code == 1
    assert f"row 1, column title: longer than {TITLE_MAX} characters" in result.output
    assert len(result.output) < 2_000


@pytest.mark.parametrize(
    ("kind", "column", "limit"),
    [("courses", "title", TITLE_MAX), ("skills", "name", NAME_MAX), ("learners", "team", NAME_MAX)],
)
def test_import_text_limits_equal_the_form_limits(db_session, kind, column, limit):
    from planner.views import forms

    form_limit = {
        "title": forms.CourseForm.title.args[1][1].max,
        "name": forms.SkillForm.name.args[1][1].max,
        "team": forms.LearnerForm.team.args[1][1].max,
    }[column]
    assert form_limit == limit
    extra = {"courses": "credits", "skills": "area", "learners": "count"}[kind]
    value = {"credits": "3", "area": "", "count": "1"}[extra]
    ok = f"id,{column},{extra}\nOK1,{'a' * limit},{value}\n".encode()
    too_long = f"id,{column},{extra}\nBAD1,{'a' * (limit + 1)},{value}\n".encode()
    with pytest.raises(ImportRejected, match=f"column {column}: longer than {limit} characters"):
        import_file(db_session, too_long, f"{kind}.csv")
    try:
        import_file(db_session, ok, f"{kind}.csv")
    except ImportRejected as exc:  # other rules (e.g. a skill's area) may apply, not length
        assert "longer than" not in str(exc)


def test_ids_follow_one_rule_everywhere(app, client, staff_token, staff_client):
    """The web form, the importer and the API refuse the same ids, with the same words."""
    from planner.limits import ID_RULE

    bad = "a/b"
    web = staff_client.post(
        "/catalog/courses/new", data={"id": bad, "credits": "3", "max_sections": "1"}
    )
    assert web.status_code == 422 and ID_RULE in html.unescape(web.get_data(as_text=True))
    body = tiny_scenario()
    body["courses"][0]["id"] = bad
    api = client.post(
        "/api/v1/scenarios", data=json.dumps(body), headers=bearer(staff_token, json=True)
    )
    assert api.status_code == 422 and ID_RULE in api.get_json()["errors"][0]["message"]
    with Session(db.get_engine(app)) as session:
        with pytest.raises(ImportRejected, match=ID_RULE):
            import_file(session, f"id,title,credits\n{bad},t,3\n".encode(), "courses.csv")
        assert session.get(Course, bad) is None
