"""Self-ratings saved one at a time as they are chosen, and the prompt to verify high
unverified self-ratings with a knowledge check (Flask test client)."""

import re

from sqlalchemy import select

from planner.models import Assessment
from tests.fixtures.web import sign_in_client


def self_levels(web_session, learner_id="test.learner"):
    web_session.expire_all()
    rows = web_session.scalars(
        select(Assessment).where(Assessment.learner_id == learner_id, Assessment.source == "self")
    ).all()
    return {a.skill_id: a.level for a in rows}


def test_each_rating_is_saved_alone_and_a_high_one_asks_for_a_check(learner_client, web_session):
    r = learner_client.post("/assess/rating", data={"skill": "data.sql", "level": "4"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["saved"] is True and body["rated"] == 1 and body["verify"] is True
    assert body["check_url"] == "/assess/check/data.sql"
    r = learner_client.post("/assess/rating", data={"skill": "ai.prompting", "level": "1"})
    assert r.get_json()["verify"] is False and r.get_json()["rated"] == 2
    # a second choice of the same skill replaces the first
    learner_client.post("/assess/rating", data={"skill": "ai.prompting", "level": "2"})
    assert self_levels(web_session) == {"data.sql": 4, "ai.prompting": 2}
    page = learner_client.get("/assess/").get_data(as_text=True)
    assert re.search(r'name="level-data.sql" value="4"\s+checked', page)
    assert 'id="verify-list"' in page
    assert 'href="/assess/check/data.sql">verify with a knowledge check' in page
    assert "ai.prompting" not in page.split('id="verify-list"')[1].split("</section>")[0]
    profile = learner_client.get("/assess/profile").get_data(as_text=True)
    assert "1 high self-rating not verified yet" in profile


def test_bad_rating_is_refused_with_the_reason_and_saves_nothing(learner_client, web_session):
    for data, message in [
        ({"skill": "data.sql", "level": "5"}, "data.sql: level must be between 0 and 4"),
        ({"skill": "no.such", "level": "2"}, "no.such: unknown skill"),
        ({"skill": "data.sql", "level": ""}, "level must be a whole number"),
    ]:
        r = learner_client.post("/assess/rating", data=data)
        assert r.status_code == 400
        assert r.get_json()["saved"] is False
        assert message in r.get_json()["problems"][0]
    assert self_levels(web_session) == {}


def test_autosave_needs_a_learner_and_the_csrf_token(csrf_app, staff_client, web_session):
    assert (
        staff_client.post("/assess/rating", data={"skill": "data.sql", "level": "2"}).status_code
        == 403
    )
    client = sign_in_client(csrf_app, "learner")
    assert (
        client.post("/assess/rating", data={"skill": "data.sql", "level": "2"}).status_code == 400
    )
    page = client.get("/assess/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = client.post(
        "/assess/rating", data={"skill": "data.sql", "level": "2"}, headers={"X-CSRFToken": token}
    )
    assert r.status_code == 200
    assert self_levels(web_session) == {"data.sql": 2}


def test_the_page_has_no_inline_script(learner_client):
    page = learner_client.get("/assess/").get_data(as_text=True)
    assert "/static/selfrate.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
