"""Authorisation matrix: who may open which staff page, and that refused POSTs change nothing."""

import pytest
from sqlmodel import Session, select

from planner import db
from planner.models import Course, Skill

STAFF_PAGES = [
    "/catalog/",
    "/catalog/courses/",
    "/catalog/courses/?q=AI&page=2",
    "/catalog/courses/new",
    "/catalog/courses/AI-01/edit",
    "/catalog/skills/",
    "/catalog/skills/data.sql/edit",
    "/catalog/roles/",
    "/catalog/roles/mkt-data-analyst/edit",
    "/catalog/areas/",
    "/catalog/calendars/",
    "/catalog/learners/",
    "/catalog/learners/new",
]

# (url, form data) of changes only staff may make.
STAFF_POSTS = [
    ("/catalog/courses/new", {"id": "HACK-1", "credits": "3", "max_sections": "1"}),
    ("/catalog/courses/AI-01/edit", {"id": "AI-01", "credits": "99", "max_sections": "1"}),
    ("/catalog/courses/AI-01/delete", {}),
    ("/catalog/skills/data.sql/delete", {}),
    ("/catalog/areas/new", {"id": "hack-area"}),
    ("/profile/token", {}),
]


def _snapshot(app) -> tuple:
    with Session(db.get_engine(app)) as session:
        courses = session.exec(select(Course.id, Course.credits).order_by(Course.id)).all()
        skills = session.exec(select(Skill.id).order_by(Skill.id)).all()
        from planner.models import SkillArea, User

        areas = session.exec(select(SkillArea.id).order_by(SkillArea.id)).all()
        tokens = session.exec(select(User.username, User.api_token_hash)).all()
    return courses, skills, areas, tokens


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_learner_is_forbidden(learner_client, url):
    response = learner_client.get(url)
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", STAFF_PAGES)
@pytest.mark.parametrize("who", ["staff_client", "admin_client"])
def test_staff_and_admin_may_open(request, who, url):
    assert request.getfixturevalue(who).get(url).status_code == 200


@pytest.mark.parametrize("who", ["client", "learner_client"])
def test_refused_posts_change_nothing(request, app, who):
    before = _snapshot(app)
    c = request.getfixturevalue(who)
    for url, data in STAFF_POSTS:
        response = c.post(url, data=data)
        if who == "client":  # anonymous: sent to sign in
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login")
        else:
            assert response.status_code == 403, url
    assert _snapshot(app) == before


def test_staff_post_does_change_the_database(staff_client, app):
    before = _snapshot(app)
    response = staff_client.post("/catalog/areas/new", data={"id": "new-area", "name": "New"})
    assert response.status_code == 302
    assert _snapshot(app) != before


def test_home_needs_sign_in_but_any_role_may_open_it(client, learner_client, staff_client):
    assert client.get("/").status_code == 302
    assert learner_client.get("/").status_code == 200
    assert staff_client.get("/").status_code == 200


def test_learner_home_offers_no_staff_links(learner_client):
    page = learner_client.get("/").get_data(as_text=True)
    assert "/catalog/" not in page


@pytest.mark.parametrize("blueprint", ["auth", "home", "catalog", "api"])
def test_every_route_has_an_authorisation_rule(app, blueprint):
    """Each view carries one decorator from planner.security (which marks it)."""
    unguarded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] == blueprint
        and not hasattr(app.view_functions[rule.endpoint], "_authz")
    ]
    assert unguarded == []


def test_other_blueprints_routes_are_guarded_too(app):
    """Routes of the other helpers' blueprints use the same decorators (report, by name)."""
    unguarded = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not hasattr(app.view_functions[rule.endpoint], "_authz")
    )
    assert unguarded == []
