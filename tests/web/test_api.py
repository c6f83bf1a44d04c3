"""JSON API /api/v1: bearer tokens, catalog lists, storing scenarios."""

import json

import pytest
from sqlmodel import Session, select

from planner import db
from planner.models import ScenarioRecord, User
from planner.services.accounts import users as accounts
from tests.fixtures.web import USERS, bearer

SCENARIO = {
    "format": "planner-scenario/1",
    "name": "API 测试 scenario",
    "skills": [{"id": "data.sql"}],
    "terms": [{"id": "2027-1", "season": "spring"}],
    "courses": [{"id": "MKT210", "credits": 3, "teaches": {"data.sql": 3}}],
    "learners": [{"id": "li.na", "target": {"data.sql": 3}}],
}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}, bearer("pln_wrong-token")],
    ids=["none", "empty", "basic", "bad"],
)
@pytest.mark.parametrize("url", ["/api/v1/skills", "/api/v1/courses", "/api/v1/scenarios"])
def test_missing_or_bad_token_is_401_json(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["errors"][0]["path"] == ""
    assert "token" in body["errors"][0]["message"]


def scenario_ids(session) -> list[int]:
    return list(session.exec(select(ScenarioRecord.id)).all())


def test_post_without_token_stores_nothing(client, web_session):
    before = scenario_ids(web_session)
    response = client.post("/api/v1/scenarios", json=SCENARIO)
    assert response.status_code == 401
    assert scenario_ids(web_session) == before


def test_session_cookie_is_not_enough_for_the_api(staff_client):
    assert staff_client.get("/api/v1/skills").status_code == 401


def test_learner_token_is_forbidden(app, client):
    with Session(db.get_engine(app)) as session:
        learner = session.exec(select(User).where(User.username == USERS["learner"].username)).one()
        token = accounts.issue_token(session, learner)
        session.commit()
    response = client.get("/api/v1/skills", headers=bearer(token))
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["message"]


def test_lists_skills_roles_courses_with_paging(client, staff_token):
    skills = client.get("/api/v1/skills?per_page=10&page=2", headers=bearer(staff_token)).get_json()
    assert skills["page"] == 2 and skills["per_page"] == 10 and len(skills["items"]) == 10
    assert skills["total"] >= 50 and skills["pages"] == -(-skills["total"] // 10)
    roles = client.get("/api/v1/roles?q=analyst", headers=bearer(staff_token)).get_json()
    analyst = next(r for r in roles["items"] if r["id"] == "mkt-data-analyst")
    assert analyst["requires"]["data.sql"] >= 2 and "data.sql" in analyst["weights"]
    courses = client.get("/api/v1/courses?q=AI104", headers=bearer(staff_token)).get_json()
    assert courses["total"] == 1
    course = courses["items"][0]
    assert course["prerequisites"] == ["AI102"] and course["offered"] == ["spring"]
    assert course["teaches"]["data.research-stats"] == 2


def test_bad_paging_is_400_with_a_path(client, staff_token):
    response = client.get("/api/v1/courses?page=zero", headers=bearer(staff_token))
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["path"] == "page"


def test_create_get_and_list_a_scenario(client, staff_token, web_session):
    created = client.post("/api/v1/scenarios", json=SCENARIO, headers=bearer(staff_token))
    assert created.status_code == 201, created.get_json()
    summary = created.get_json()
    assert summary["name"] == "API 测试 scenario"
    assert created.headers["Location"] == summary["url"]
    fetched = client.get(summary["url"], headers=bearer(staff_token)).get_json()
    assert fetched["scenario"]["courses"][0]["id"] == "MKT210"
    assert fetched["scenario"]["learners"][0]["target"] == {"data.sql": 3}
    listed = client.get("/api/v1/scenarios?q=API", headers=bearer(staff_token)).get_json()
    assert [s["id"] for s in listed["items"]] == [summary["id"]]
    record = web_session.get(ScenarioRecord, summary["id"])
    assert record is not None and record.name == "API 测试 scenario"


def test_invalid_scenario_is_422_with_every_problem_and_its_path(client, staff_token, web_session):
    before = scenario_ids(web_session)
    bad = json.loads(json.dumps(SCENARIO))
    bad["courses"][0]["credits"] = -1
    bad["courses"][0]["teaches"] = {"data.sq1": 3}
    bad["courses"][0]["colour"] = "red"
    response = client.post("/api/v1/scenarios", json=bad, headers=bearer(staff_token))
    assert response.status_code == 422
    errors = {e["path"]: e["message"] for e in response.get_json()["errors"]}
    assert "courses[0].credits" in errors
    assert errors["courses[0].colour"] == "unknown key"
    assert scenario_ids(web_session) == before

    semantic = json.loads(json.dumps(SCENARIO))
    semantic["courses"][0]["teaches"] = {"data.sq1": 3}
    response = client.post("/api/v1/scenarios", json=semantic, headers=bearer(staff_token))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"path": "courses[0].teaches.data.sq1", "message": 'unknown skill "data.sq1"'}
    ]


def test_non_json_body_is_400_json(client, staff_token):
    response = client.post(
        "/api/v1/scenarios",
        data="not json",
        headers={**bearer(staff_token), "Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"].startswith("send the scenario")
    listy = client.post("/api/v1/scenarios", json=[1, 2], headers=bearer(staff_token))
    assert listy.status_code == 422


def test_unknown_scenario_and_unknown_path_are_404_json(client, staff_token):
    response = client.get("/api/v1/scenarios/999", headers=bearer(staff_token))
    assert response.status_code == 404 and response.get_json()["errors"]
    response = client.get("/api/v1/nothing-here", headers=bearer(staff_token))
    assert response.status_code == 404 and response.get_json()["errors"][0]["message"]
    wrong_method = client.delete("/api/v1/skills", headers=bearer(staff_token))
    assert wrong_method.status_code == 405 and wrong_method.get_json()["errors"]


def test_api_posts_need_no_csrf_token(csrf_app, staff_token):
    response = csrf_app.test_client().post(
        "/api/v1/scenarios", json=SCENARIO, headers=bearer(staff_token)
    )
    assert response.status_code == 201
