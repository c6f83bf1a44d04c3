"""Seats & sessions in the scenario editor: the scenario's values, saved per course, a
notice when the catalog's values differ, and taking the catalog's values."""

import pytest

from planner.models import Course
from tests.web.test_scenarios import body_of, store, tiny_scenario


@pytest.fixture
def sid(app):
    body = tiny_scenario()
    body["courses"][0].update(capacity=10, max_sections=2, session_cost=900)  # SQL1
    return store(app, body)


def course(body, cid):
    return next(c for c in body["courses"] if c["id"] == cid)


def test_editor_shows_the_scenarios_seats(staff_client, sid):
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert 'id="seats"' in page and "Seats &amp; sessions" in page
    assert 'name="capacity.SQL1" value="10"' in page
    assert 'name="max_sections.SQL1" value="2"' in page
    assert 'name="session_cost.SQL1" value="900"' in page
    assert 'name="capacity.AI1" value=""' in page  # unlimited
    assert 'id="seats-notice"' not in page  # no catalog course of these ids
    assert page.count("not in the catalog") == 4


def version_of(web_session, sid):
    from planner.models import ScenarioRecord

    web_session.expire_all()
    return web_session.get(ScenarioRecord, sid).version


def test_saving_seats_changes_only_those_fields(staff_client, web_session, sid):
    before = body_of(web_session, sid)
    form = {
        "version": str(version_of(web_session, sid)),
        "capacity.SQL1": "25", "max_sections.SQL1": "3", "session_cost.SQL1": "1200.5",
        "capacity.AI1": "", "max_sections.AI1": "0", "session_cost.AI1": "0",
    }  # fmt: skip
    r = staff_client.post(f"/scenarios/{sid}/seats", data=form)
    assert r.status_code == 302 and r.headers["Location"].endswith("#seats")
    after = body_of(web_session, sid)
    assert {k: course(after, "SQL1")[k] for k in ("capacity", "max_sections", "session_cost")} == {
        "capacity": 25, "max_sections": 3, "session_cost": 1200.5,
    }  # fmt: skip
    assert course(after, "AI1")["max_sections"] == 0 and "capacity" not in course(after, "AI1")
    assert course(after, "SQL2") == course(before, "SQL2")  # not posted: unchanged
    assert {k: v for k, v in after.items() if k != "courses"} == {
        k: v for k, v in before.items() if k != "courses"
    }


def test_bad_seats_are_named_by_field_and_nothing_is_saved(staff_client, web_session, sid):
    before = body_of(web_session, sid)
    form = {
        "capacity.SQL1": "0", "max_sections.SQL1": "1.5", "session_cost.SQL1": "-3",
        "capacity.AI1": "many", "max_sections.AI1": "1", "session_cost.AI1": "0",
    }  # fmt: skip
    r = staff_client.post(f"/scenarios/{sid}/seats", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for text in (
        "<code>capacity.SQL1</code> must be a whole number ≥ 1",
        "<code>max_sections.SQL1</code> must be a whole number ≥ 0",
        "<code>session_cost.SQL1</code> must be ≥ 0",
        "<code>capacity.AI1</code> not a number: &#39;many&#39;",
    ):
        assert text in page
    assert 'name="capacity.AI1" value="many"' in page  # what was typed stays
    assert body_of(web_session, sid) == before


def test_catalog_difference_is_flagged_and_can_be_taken(staff_client, web_session, sid):
    web_session.add(
        Course(
            id="SQL1", title="SQL basics", credits=3, capacity=30, max_sections=4, session_cost=500
        )
    )
    web_session.add(
        Course(
            id="AI1", title="Prompting", credits=2, capacity=None, max_sections=1, session_cost=0
        )
    )
    web_session.commit()
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert (
        'id="seats-notice"' in page and "<strong>1 course</strong> differs from the catalog" in page
    )
    assert "catalog: 30" in page and "catalog: 4" in page and "catalog: 500" in page
    r = staff_client.post(f"/scenarios/{sid}/seats/from-catalog")
    assert r.status_code == 302
    sql1 = course(body_of(web_session, sid), "SQL1")
    assert (sql1["capacity"], sql1["max_sections"], sql1["session_cost"]) == (30, 4, 500)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert 'id="seats-notice"' not in page


def test_seats_are_staff_only(learner_client, client, staff_client, sid):
    assert learner_client.post(f"/scenarios/{sid}/seats", data={}).status_code == 403
    assert client.post(f"/scenarios/{sid}/seats/from-catalog").status_code == 302
    assert staff_client.post("/scenarios/999999/seats", data={}).status_code == 404


def test_a_stale_seats_form_is_refused_and_loses_nothing(staff_client, web_session, sid):
    opened = version_of(web_session, sid)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert f'name="version" value="{opened}"' in page[page.index('id="seats"') :]
    first = {"version": str(opened), "capacity.SQL1": "11", "max_sections.SQL1": "2",
             "session_cost.SQL1": "900"}  # fmt: skip
    assert staff_client.post(f"/scenarios/{sid}/seats", data=first).status_code == 302
    late = {**first, "capacity.SQL1": "99"}  # from the page opened before that save
    r = staff_client.post(f"/scenarios/{sid}/seats", data=late, follow_redirects=True)
    assert "your seat changes were not saved" in r.get_data(as_text=True)
    assert course(body_of(web_session, sid), "SQL1")["capacity"] == 11
