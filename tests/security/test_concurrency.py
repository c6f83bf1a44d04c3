"""Finding 2 replayed: two people open the same editor; the second save, from the stale
form, must be refused (409) with what differs, and must not revert the first save.
Every catalog editor, the scenario editor and the API update are attacked; the forms are
posted exactly as the browser holds them (parsed from the edit page).
"""

from __future__ import annotations

import re
import threading
from html.parser import HTMLParser

import pytest
from sqlmodel import Session

from planner import db
from planner.models import Course, Learner, Role, ScenarioRecord, Skill, SkillArea, TermCalendar
from planner.services import versions
from planner.services.catalog import courses, entries
from tests.fixtures.web import bearer, sign_in_client
from tests.security.dbdump import dump
from tests.web.test_scenarios import store, tiny_scenario


class _FormParser(HTMLParser):
    """The fields a browser would post from the page's form with `form_id` (or the one
    holding a Save button): inputs, checked boxes, textareas, selected options."""

    def __init__(self, form_id=None):
        super().__init__()
        self.form_id, self.depth, self.fields = form_id, 0, []
        self.in_form = False
        self._textarea = self._select = None
        self._first_option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.in_form:
            if (self.form_id and a.get("id") == self.form_id) or (
                not self.form_id and "editor" in (a.get("class") or "")
            ):
                self.in_form = True
            return
        if not self.in_form or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button") or (kind == "checkbox" and "checked" not in a):
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._first_option or ""))
            self._select = None
        elif tag == "form" and self.in_form:
            self.in_form = False


def open_editor(client, url, form_id=None) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormParser(form_id)
    parser.feed(page.get_data(as_text=True))
    fields = dict(parser.fields)
    assert "version" in fields, "the editor carries its edit version"
    return fields


def url_of(app):
    return str(db.get_engine(app).url)


def row_of(app, model, key):
    with Session(db.get_engine(app)) as s:
        row = s.get(model, key)
        s.expunge(row)
        return row


# kind, id, model, (field A changes, value), (field B changes, value), label of A's field
EDITORS = [
    ("courses", "AI102", Course, ("title", "Python for data, new"), ("credits", "3"), "Title"),
    ("areas", "ai-tools", SkillArea, ("name", "AI tooling"), ("name_zh", "AI 工具"), "Name"),
    ("skills", "data.sql", Skill, ("name", "SQL querying"), ("name_zh", "SQL 查询"), "Name"),
    ("roles", "mkt-assistant", Role, ("name", "Assistant 2"), ("name_zh", "助理"), "Name"),
    ("calendars", "ai-marketing-college", TermCalendar, ("name", "College terms"),
     ("terms-0-max_credits", "18"), "Name"),
    ("learners", "analytics-team", Learner, ("team", "North"), ("count", "6"), "Team"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "key", "model", "a_change", "b_change", "label"), EDITORS)
def test_a_stale_catalog_save_is_refused_and_the_first_save_survives(
    app, kind, key, model, a_change, b_change, label
):
    alice, bob = sign_in_client(app, "staff"), sign_in_client(app, "admin")
    url = f"/catalog/{kind}/{key}/edit"
    form_a, form_b = open_editor(alice, url), open_editor(bob, url)
    old_value = form_a[a_change[0]]
    assert alice.post(url, data={**form_a, a_change[0]: a_change[1]}).status_code == 302
    after_alice = dump(url_of(app))
    version = row_of(app, model, key).version

    # Bob saves his field from the form he opened before Alice saved.
    response = bob.post(url, data={**form_b, b_change[0]: b_change[1]})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this" in html and "NOT saved" in html
    # Both differences are named: Alice's field (Bob still has the old value) and Bob's.
    assert f"• {label}: yours {versions.show(old_value)} vs stored “{a_change[1]}”" in html
    assert f"yours “{b_change[1]}” vs stored" in html or (
        kind == "calendars" and "yours “Y1-fall=fall,18.0,0.0” vs stored" in html
    )
    assert dump(url_of(app)) == after_alice  # Alice's change stands; nothing was written
    # The refused page carries Bob's values and the stored version: saving again is a
    # conscious overwrite, and it works.
    parser = _FormParser()
    parser.feed(html)
    resent = dict(parser.fields)
    assert resent["version"] == str(version)
    assert resent[b_change[0]] == b_change[1]
    assert bob.post(url, data=resent).status_code == 302
    assert row_of(app, model, key).version == version + 1


def test_a_form_without_its_version_is_refused(app, staff_client):
    form = open_editor(staff_client, "/catalog/courses/AI102/edit")
    before = dump(url_of(app))
    del form["version"]
    response = staff_client.post("/catalog/courses/AI102/edit", data={**form, "credits": "1"})
    assert response.status_code == 409
    for forged in ("", "abc", "-1", "99999999999999999999"):
        response = staff_client.post(
            "/catalog/courses/AI102/edit", data={**form, "version": forged, "credits": "1"}
        )
        assert response.status_code == 409
    assert dump(url_of(app)) == before


def test_an_import_makes_an_open_editor_stale(cli, app, staff_client, tmp_path, monkeypatch):

    form = open_editor(staff_client, "/catalog/courses/AI102/edit")
    monkeypatch.setenv("DATABASE_URL", url_of(app))
    path = tmp_path / "courses.csv"
    path.write_text("id,hours\nAI102,70\n", "utf-8")
    assert cli("import", path).exit_code == 0
    before = dump(url_of(app))
    response = staff_client.post("/catalog/courses/AI102/edit", data={**form, "title": "Mine"})
    assert response.status_code == 409
    assert "Hours: yours “64” vs stored “70”" in response.get_data(as_text=True)
    assert dump(url_of(app)) == before


def test_two_saves_racing_from_one_version_let_exactly_one_win(app):
    """Whatever the timing: the check and the bump are one conditional UPDATE."""
    engine = db.make_engine(url_of(app))
    with Session(engine) as s:
        version = s.get(Course, "AI102").version
        data = courses.course_dict(s, s.get(Course, "AI102"))
    results, barrier = [], threading.Barrier(2)

    def save(title):
        with Session(engine) as s:
            form = {**data, "title": title, "teaches": [
                {"skill": k, "level": v} for k, v in data["teaches"].items()]}  # fmt: skip
            barrier.wait()
            try:
                entries.save(s, "courses", form, existing_id="AI102", version=version)
                results.append(title)
            except versions.StaleEdit:
                results.append("stale")

    threads = [threading.Thread(target=save, args=(t,)) for t in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    engine.dispose()
    assert sorted(results) in (["first", "stale"], ["second", "stale"])
    winner = next(r for r in results if r != "stale")
    assert row_of(app, Course, "AI102").title == winner
    assert row_of(app, Course, "AI102").version == version + 1


# -- the scenario editor ----------------------------------------------------------------------
def test_a_stale_scenario_save_is_refused_and_the_first_save_survives(app):
    sid = store(app, tiny_scenario())
    alice, bob = sign_in_client(app, "staff"), sign_in_client(app, "admin")
    url = f"/scenarios/{sid}"
    form_a, form_b = open_editor(alice, url, "editor"), open_editor(bob, url, "editor")
    assert alice.post(url, data={**form_a, "name": "Alice's pilot"}).status_code == 302
    before = dump(url_of(app))
    response = bob.post(url, data={**form_b, "budget": "5000"})
    assert response.status_code == 409
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Someone else saved this scenario" in html
    assert f"Name: yours “{form_b['name']}” vs stored “Alice's pilot”" in html
    assert "Total budget: yours “5000” vs stored (empty)" in html
    assert dump(url_of(app)) == before
    assert row_of(app, ScenarioRecord, sid).name == "Alice's pilot"
    parser = _FormParser("editor")
    parser.feed(response.get_data(as_text=True))
    resent = dict(parser.fields)
    assert resent["version"] == "2" and resent["budget"] == "5000"
    assert bob.post(url, data=resent).status_code == 302


def test_a_learners_new_plan_makes_a_staff_editor_on_it_stale(app, learner_client):
    from tests.web.test_learner_plan import plan_my_path

    run = plan_my_path(app, learner_client)
    staff = sign_in_client(app, "staff")
    form = open_editor(staff, f"/scenarios/{run.scenario_id}", "editor")
    plan_my_path(app, learner_client)  # the learner plans again: the body is rewritten
    before = dump(url_of(app))
    response = staff.post(f"/scenarios/{run.scenario_id}", data={**form, "budget": "1"})
    assert response.status_code == 409
    assert dump(url_of(app)) == before


# -- the API ------------------------------------------------------------------------------------


def test_api_update_needs_the_current_version(app, client, staff_token):
    sid = store(app, tiny_scenario())
    got = client.get(f"/api/v1/scenarios/{sid}", headers=bearer(staff_token))
    etag, doc = got.headers["ETag"], got.get_json()["scenario"]
    assert etag == '"1"' and got.get_json()["version"] == 1
    mine = {**doc, "name": "Mine"}
    theirs = {**doc, "name": "Theirs"}
    ok = client.put(
        f"/api/v1/scenarios/{sid}", json=theirs, headers={**bearer(staff_token), "If-Match": etag}
    )
    assert ok.status_code == 200 and ok.get_json()["version"] == 2 and ok.headers["ETag"] == '"2"'
    before = dump(url_of(app))
    stale = client.put(
        f"/api/v1/scenarios/{sid}", json=mine, headers={**bearer(staff_token), "If-Match": etag}
    )
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["version"] == 2 and body["errors"][0]["path"] == "version"
    assert {"path": "name", "yours": "Mine", "stored": "Theirs"} in body["changes"]
    stale_body = client.put(
        f"/api/v1/scenarios/{sid}", json={**mine, "version": 1}, headers=bearer(staff_token)
    )
    assert stale_body.status_code == 409
    missing = client.put(f"/api/v1/scenarios/{sid}", json=mine, headers=bearer(staff_token))
    assert missing.status_code == 428
    star = client.put(
        f"/api/v1/scenarios/{sid}", json=mine, headers={**bearer(staff_token), "If-Match": "*"}
    )
    assert star.status_code == 428
    assert dump(url_of(app)) == before
    fresh = client.put(
        f"/api/v1/scenarios/{sid}", json={**mine, "version": 2}, headers=bearer(staff_token)
    )
    assert fresh.status_code == 200 and fresh.get_json()["name"] == "Mine"


def test_api_update_needs_a_token_and_a_valid_document(app, client, staff_token):
    sid = store(app, tiny_scenario())
    before = dump(url_of(app))
    assert client.put(f"/api/v1/scenarios/{sid}", json={"version": 1}).status_code == 401
    bad = client.put(
        f"/api/v1/scenarios/{sid}", json={"version": 1, "courses": "x"}, headers=bearer(staff_token)
    )
    assert bad.status_code == 422
    assert (
        client.put(
            "/api/v1/scenarios/999999", json={"version": 1}, headers=bearer(staff_token)
        ).status_code
        == 404
    )
    assert dump(url_of(app)) == before


def test_versions_parse_only_plain_numbers():
    assert versions.parse_version('W/"3"') == 3 and versions.parse_version("7") == 7
    for bad in (None, "", "abc", "-1", True, "1.5", "9" * 20):
        assert versions.parse_version(bad) is None
    assert re.fullmatch(r"\d+", str(versions.parse_version(" 12 ")))
