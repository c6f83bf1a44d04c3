"""New scenario from the catalogue: learners of several teams; an empty choice is refused."""

import re

import pytest
from sqlmodel import select

from planner.models import ScenarioRecord
from tests.fixtures.web import put_in_teams


@pytest.fixture
def teams(web_session):
    return put_in_teams(web_session, ["Brand 品牌", "Growth", "Retail"])


def stored(web_session, name):
    web_session.expire_all()
    return web_session.exec(select(ScenarioRecord).where(ScenarioRecord.name == name)).first()


def test_learners_of_several_teams(staff_client, web_session, teams):
    from planner.models import TermCalendar

    calendar = web_session.exec(select(TermCalendar.id).order_by(TermCalendar.id)).first()
    page = staff_client.get("/scenarios/").get_data(as_text=True)
    assert 'name="team" multiple' in page and "Growth (" in page
    r = staff_client.post(
        "/scenarios/new",
        data={
            "name": "Two teams",
            "team": ["Brand 品牌", "Growth"],
            "learners": "test.other",
            "calendar": calendar,
        },  # fmt: skip
    )
    assert r.status_code == 302, re.findall(r"flash-error.*?</div>", r.get_data(as_text=True), re.S)
    ids = {lr["id"] for lr in stored(web_session, "Two teams").body["learners"]}
    wanted = {lid for lid, team in teams.items() if team in ("Brand 品牌", "Growth")}
    assert ids == wanted | {"test.other"}


def test_an_empty_choice_is_refused_not_everyone(staff_client, web_session, teams):
    r = staff_client.post("/scenarios/new", data={"name": "Nobody chosen"})
    assert r.status_code == 422
    assert "choose one or more teams, type learner ids" in r.get_data(as_text=True)
    assert stored(web_session, "Nobody chosen") is None
    r = staff_client.post("/scenarios/new", data={"name": "Ghost", "team": ["No such team"]})
    assert r.status_code == 422 and "no learners in team" in r.get_data(as_text=True)
    assert stored(web_session, "Ghost") is None


def test_everyone_must_be_asked_for(staff_client, web_session, teams):
    from planner.models import Curriculum

    curriculum = web_session.exec(select(Curriculum).order_by(Curriculum.id)).first()
    r = staff_client.post(
        "/scenarios/new", data={"name": "All", "curriculum": curriculum.id, "everyone": "yes"}
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert stored(web_session, "All").body["learners"]
