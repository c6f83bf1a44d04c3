"""Regression tests for the review fixes: time limits, reserved personal-plan names,
huge ids and page numbers, safe pagination links, `next` on login, download headers."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from planner.models import ScenarioRecord, SolveRun
from planner.services.scenarios.editor import MAX_TIME_LIMIT_S
from tests.web.test_scenarios import body_of, editor_form, store, tiny_scenario


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def run_count(web_session) -> int:
    web_session.expire_all()
    return len(web_session.exec(select(SolveRun)).all())


# -- 1. time limits ------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["1e309", "NaN", "Infinity", "1e9", str(MAX_TIME_LIMIT_S + 1)])
def test_api_refuses_infinite_nan_or_huge_time_limit(app, client, staff_token, web_session, raw):
    sid = store(app, tiny_scenario())
    response = client.post(
        f"/api/v1/scenarios/{sid}/solve",
        headers={**auth(staff_token), "Content-Type": "application/json"},
        data='{"time_limit_s": ' + raw + "}",
    )
    assert response.status_code == 422
    [problem] = response.get_json()["errors"]
    assert problem["path"] == "time_limit_s" and str(MAX_TIME_LIMIT_S) in problem["message"]
    assert run_count(web_session) == 0


def test_api_accepts_the_cap_itself(app, client, staff_token):
    from planner.services.planning import jobs

    sid = store(app, tiny_scenario())
    response = client.post(
        f"/api/v1/scenarios/{sid}/solve",
        headers=auth(staff_token),
        json={"time_limit_s": MAX_TIME_LIMIT_S},
    )
    assert response.status_code == 202
    assert jobs.runner_for(app).wait(response.get_json()["run"]["id"], 30)


def test_editor_caps_the_time_limit(app, staff_client, web_session):
    sid = store(app, tiny_scenario())
    body = body_of(web_session, sid)
    form = editor_form(body, time_limit_s=str(MAX_TIME_LIMIT_S * 10))
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 422
    assert f"at most {MAX_TIME_LIMIT_S} seconds" in response.get_data(as_text=True)
    assert body_of(web_session, sid) == body  # nothing saved


def test_stored_scenarios_cap_the_time_limit(client, staff_token, web_session):
    body = tiny_scenario()
    body["options"]["time_limit_s"] = 1e9
    response = client.post("/api/v1/scenarios", headers=auth(staff_token), json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "options.time_limit_s"
    assert scenario_names(web_session).count(body["name"]) == 0


def scenario_names(web_session) -> list[str]:
    web_session.expire_all()
    return list(web_session.exec(select(ScenarioRecord.name)).all())


# -- 2. the "personal plan: " name prefix is kept for learners ------------------------------
RESERVED = "personal plan: test.learner"


def test_staff_cannot_take_a_personal_plan_name(
    app, client, staff_client, staff_token, web_session
):
    import io

    from planner.models import Curriculum

    sid = store(app, tiny_scenario("Staff pilot"))
    before = scenario_names(web_session)

    api = client.post("/api/v1/scenarios", headers=auth(staff_token), json=tiny_scenario(RESERVED))
    assert api.status_code == 422 and api.get_json()["errors"][0]["path"] == "name"

    rename = staff_client.post(
        f"/scenarios/{sid}", data=editor_form(body_of(web_session, sid), name=RESERVED)
    )
    assert rename.status_code == 422
    assert "kept for learners" in rename.get_data(as_text=True)

    copy = staff_client.post(f"/scenarios/{sid}/duplicate", data={"name": RESERVED})
    assert copy.status_code == 422 and "kept for learners" in copy.get_data(as_text=True)

    raw = json.dumps(tiny_scenario()).encode()
    upload = {"file": (io.BytesIO(raw), "x.json"), "name": "Personal plan: test.learner"}
    assert staff_client.post("/scenarios/import", data=upload).status_code == 422

    curriculum = web_session.exec(select(Curriculum)).first()
    built = staff_client.post(
        "/scenarios/new", data={"name": RESERVED, "curriculum": curriculum.id, "everyone": "yes"}
    )
    assert built.status_code == 422 and "kept for learners" in built.get_data(as_text=True)

    assert scenario_names(web_session) == before  # nothing saved


def test_copying_a_learners_plan_gets_a_staff_name(app, staff_client, learner_client, web_session):
    from tests.web.test_learner_plan import plan_my_path

    run = plan_my_path(app, learner_client)
    response = staff_client.post(f"/scenarios/{run.scenario_id}/duplicate", data={})
    assert response.status_code == 302
    assert f"copy of {RESERVED} (copy)" in scenario_names(web_session)
    # staff may still edit the learner's own scenario under its own name
    body = body_of(web_session, run.scenario_id)
    saved = staff_client.post(f"/scenarios/{run.scenario_id}", data=editor_form(body))
    assert saved.status_code == 302


def test_a_learners_plan_never_touches_a_staff_scenario(app, learner_client, web_session):
    from tests.web.test_learner_plan import plan_my_path

    sid = store(app, tiny_scenario("Staff pilot"))
    staff_body = body_of(web_session, sid)
    run = plan_my_path(app, learner_client)
    assert run.scenario_id != sid
    assert body_of(web_session, run.scenario_id)["name"] == RESERVED
    assert body_of(web_session, sid) == staff_body


# -- 3. ids and page numbers too large for a database integer -------------------------------
BIG = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/plans/{BIG}",
        f"/plans/{BIG}/export.csv",
        f"/scenarios/{BIG}",
        f"/scenarios/runs/{BIG}",
        f"/plans/compare?a={BIG}&b=1",
        f"/cohort/?plan={BIG}",
        f"/cohort/?plan=-{BIG}",
    ],
)
def test_staff_pages_404_for_ids_past_a_database_integer(staff_client, url):
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/plans/", "/scenarios/", "/catalog/skills/"])
def test_huge_page_numbers_are_clamped(staff_client, url):
    for page in (BIG, f"-{BIG}", "x"):
        assert staff_client.get(f"{url}?page={page}&per_page={BIG}").status_code == 200


def test_learner_run_page_404s_for_a_huge_id(learner_client):
    assert learner_client.get(f"/assess/plan/runs/{BIG}").status_code == 404


@pytest.mark.parametrize(
    "url", [f"/api/v1/runs/{BIG}", f"/api/v1/plans/{BIG}", f"/api/v1/scenarios/{BIG}"]
)
def test_api_404s_for_huge_ids(client, staff_token, url):
    assert client.get(url, headers=auth(staff_token)).status_code == 404


def test_api_page_past_a_database_integer_is_an_empty_page(client, staff_token):
    response = client.get(f"/api/v1/scenarios?page={BIG}", headers=auth(staff_token))
    assert response.status_code == 200 and response.get_json()["items"] == []
    response = client.get(f"/api/v1/skills?page={BIG}", headers=auth(staff_token))
    page = response.get_json()
    assert response.status_code == 200 and page["page"] == page["pages"]  # the catalog's last


def test_ids_up_to_the_limit_still_route(staff_client):
    assert staff_client.get(f"/plans/{2**63 - 1}").status_code == 404  # no such plan, no 500
    assert staff_client.get(f"/plans/{2**63}").status_code == 404


# -- 4. pagination links carry only plain query arguments -----------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "per_page=5&endpoint=x",
        "per_page=5&kind=zzz",
        "per_page=5&_anchor=evil&_external=1&_method=POST&_scheme=https",
    ],
)
def test_pagination_ignores_reserved_query_args(staff_client, query):
    response = staff_client.get(f"/catalog/skills/?{query}&q=")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'rel="next"' in html
    next_link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert next_link.startswith("/catalog/skills/?")
    assert "per_page=5" in next_link and "page=2" in next_link
    for bad in ("evil", "endpoint", "kind=", "_external", "_method", "http"):
        assert bad not in next_link


# -- 5. `next` after sign-in ------------------------------------------------------------------
@pytest.mark.parametrize("target", ["/%0d%0aX:y", "/a%0Ab", "/a%09b", "/a%7Fb", "/%5Cevil.example"])
def test_login_next_with_control_characters_goes_home(staff_client, target):
    response = staff_client.get(f"/login?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_keeps_a_plain_path(staff_client):
    response = staff_client.get("/login?next=/plans/%3Fpage%3D2")
    assert response.headers["Location"] == "/plans/?page=2"


# -- 6. ids that would break headers, and the download headers themselves --------------------
@pytest.mark.parametrize("bad_id", ["a\nb", 'a"b', "a/b", "a\\b", "a\tb", "a'b"])
def test_catalog_refuses_ids_with_quotes_slashes_or_control_characters(
    app, staff_client, web_session, bad_id
):
    from planner.models import Learner

    data = {"id": bad_id, "name": "X", "role_id": "mkt-data-analyst", "count": "1"}
    response = staff_client.post("/catalog/learners/new", data=data)
    assert response.status_code == 422
    assert "may not contain" in response.get_data(as_text=True)
    assert web_session.get(Learner, bad_id) is None


def test_export_header_survives_any_learner_id(app, web_session):
    from planner.models import Learner
    from planner.services.accounts import users as accounts

    # a learner stored before ids were checked: newline, quote, backslash, Chinese
    odd = 'old\r\n"id"\\李娜'
    web_session.add(Learner(id=odd, name="Old", role_id="mkt-assistant"))
    web_session.flush()
    accounts.create_user(web_session, "odd@test", "odd-password-1", "learner", learner_id=odd)
    web_session.commit()
    from planner.models import User
    from planner.security import login_id

    uid = web_session.exec(select(User.id).where(User.username == "odd@test")).one()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = login_id(uid, 1)
        sess["_fresh"] = True
    response = client.get("/assess/export.json")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert "\n" not in header and "\r" not in header
    assert header.startswith('attachment; filename="assessment-old__')
    assert header.count('"') == 2  # the id's quotes do not end the file name early
    assert "filename*=UTF-8''" in header and "%E6%9D%8E" in header  # 李 kept for browsers
    assert json.loads(response.get_data(as_text=True))


# -- starting a knowledge check is a POST; GETs change nothing ------------------------------
def attempts(web_session) -> int:
    from planner.models.assess import CheckAttempt

    web_session.expire_all()
    return len(web_session.exec(select(CheckAttempt)).all())


def test_opening_a_check_page_creates_nothing(learner_client, web_session):
    page = learner_client.get("/assess/check/data.sql")
    assert page.status_code == 200 and b"Start the check" in page.data
    assert attempts(web_session) == 0


def test_starting_a_check_posts_then_shows_the_attempt(app, learner_client, web_session):
    from tests.fixtures.web import sign_in_client

    started = learner_client.post("/assess/check/data.sql")
    assert started.status_code == 302 and "/assess/check/attempt/" in started.location
    page = learner_client.get(started.location)
    assert page.status_code == 200 and b'name="answer-' in page.data
    assert attempts(web_session) == 1
    again = learner_client.post("/assess/check/data.sql")  # an open attempt is reused
    assert again.location == started.location and attempts(web_session) == 1
    other = sign_in_client(app, "other_learner")
    assert other.get(started.location).status_code == 404
