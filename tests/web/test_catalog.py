"""Catalog pages: search and paging, validation beside each field, refused deletes."""

import time

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select

from planner import db
from planner.models import Course, Learner, LevelDescriptor, RoleRequirement, SkillArea
from planner.services.catalog import calendars, courses, entries, roles, search, skills
from planner.services.catalog.edits import CatalogError


def course_form(app, course_id: str, **overrides) -> dict:
    """The edit form's fields for a stored course, as a browser would post them."""
    with Session(db.get_engine(app)) as session:
        row = session.get(Course, course_id)
        c = courses.course_dict(session, row)
        version = row.version
    data = {
        "id": c["id"],
        "version": version,  # the hidden edit version the page carries
        "title": c["title"],
        "curriculum_id": c["curriculum_id"] or "",
        "credits": c["credits"],
        "hours": c["hours"],
        "cost": c["cost"],
        "session_cost": c["session_cost"],
        "capacity": "" if c["capacity"] is None else c["capacity"],
        "max_sections": c["max_sections"],
        "offered": ", ".join(c["offered"] or []),
        "prerequisites": ", ".join(c["prerequisites"]),
        "prerequisites_any": "\n".join(", ".join(g) for g in c["prerequisites_any"]),
    }
    for field in ("teaches", "requires_skills"):
        for i, (skill, level) in enumerate(c[field].items()):
            data[f"{field}-{i}-skill"] = skill
            data[f"{field}-{i}-level"] = level
    data.update(overrides)
    return data


def stored(app, model, key):
    with Session(db.get_engine(app)) as session:
        return session.get(model, key)


def field_block(html: str, field_id: str) -> str:
    """The HTML of the form field wrapper holding the input `field_id`."""
    at = html.index(f'id="{field_id}"')
    start = html.rindex('<div class="field', 0, at)
    return html[start : html.index("</div>", at)]


# --- lists ------------------------------------------------------------------------------


def test_course_list_pages_through_all_courses(staff_client, web_session):
    total = len(web_session.exec(select(Course.id)).all())
    first = staff_client.get("/catalog/courses/").get_data(as_text=True)
    pages = -(-total // search.DEFAULT_PER_PAGE)
    assert f"Page 1 of {pages}" in first
    assert first.count('href="/catalog/courses/') - first.count("/catalog/courses/new") >= 25
    last = staff_client.get(f"/catalog/courses/?page={pages}").get_data(as_text=True)
    rows_on_last = total - (pages - 1) * search.DEFAULT_PER_PAGE
    assert last.count("/edit") == rows_on_last
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_search_is_case_insensitive_and_keeps_the_query_in_paging(staff_client):
    page = staff_client.get("/catalog/courses/?q=sql").get_data(as_text=True)
    assert "AI103" in page  # "AI Databases and SQL"
    assert "AI101" not in page
    everything = staff_client.get("/catalog/courses/?q=AI").get_data(as_text=True)
    assert "q=AI" in everything.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_htmx_search_returns_only_the_results_table(staff_client):
    response = staff_client.get("/catalog/courses/?q=sql", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<table" in html and "AI103" in html


def test_search_treats_percent_and_underscore_literally(staff_client):
    page = staff_client.get("/catalog/courses/?q=%25").get_data(as_text=True)
    assert "Nothing matches “%”" in page


def test_chinese_names_are_stored_shown_and_searchable(staff_client, app):
    response = staff_client.post(
        "/catalog/areas/new", data={"id": "数据", "name": "Data", "name_zh": "数据分析与洞察"}
    )
    assert response.status_code == 302
    assert stored(app, SkillArea, "数据").name_zh == "数据分析与洞察"
    page = staff_client.get("/catalog/areas/?q=洞察").get_data(as_text=True)
    assert "数据分析与洞察" in page
    assert "1 match" in page


def test_ten_thousand_courses_stay_fast(staff_client, app):
    rows = [
        {"id": f"BULK{i:05d}", "title": f"Bulk course {i}", "credits": 1.0, "hours": 0.0,
         "cost": 0.0, "max_sections": 1, "session_cost": 0.0, "position": i}
        for i in range(10_000)
    ]  # fmt: skip
    with db.get_engine(app).begin() as conn:
        conn.execute(insert(Course), rows)
    timings = {}
    for name, url in {
        "first page": "/catalog/courses/",
        "deep page": "/catalog/courses/?page=350",
        "search": "/catalog/courses/?q=course 9999",
    }.items():
        start = time.perf_counter()
        response = staff_client.get(url)
        timings[name] = time.perf_counter() - start
        assert response.status_code == 200
    assert "BULK09999" in staff_client.get("/catalog/courses/?q=course 9999").get_data(as_text=True)
    print("10k courses:", {k: f"{v * 1000:.0f} ms" for k, v in timings.items()})
    assert max(timings.values()) < 2.0, timings


# --- course validation ------------------------------------------------------------------


def test_negative_credits_are_refused_beside_the_field(staff_client, app):
    before = stored(app, Course, "AI101").credits
    response = staff_client.post(
        "/catalog/courses/AI101/edit", data=course_form(app, "AI101", credits="-2")
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Credits cannot be negative" in field_block(html, "credits")
    assert stored(app, Course, "AI101").credits == before


def test_level_outside_0_4_is_refused_on_its_row(staff_client, app):
    data = course_form(app, "AI101", **{"teaches-0-level": "7"})
    html = staff_client.post("/catalog/courses/AI101/edit", data=data).get_data(as_text=True)
    row = html[html.index('id="teaches-0-level"') :]
    assert "level must be between 0 and 4" in row[: row.index("</td>")]


def test_unknown_skill_is_named_on_its_row(staff_client, app):
    data = course_form(app, "AI101", **{"teaches-1-skill": "data.nope"})
    response = staff_client.post("/catalog/courses/AI101/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    row = html[html.index('id="teaches-1-skill"') :]
    assert "unknown skill &#34;data.nope&#34;" in row[: row.index("</td>")]


def test_prerequisite_cycle_is_refused_with_the_cycle_named(staff_client, app):
    # AI104 already needs AI102; making AI102 need AI104 would close a loop.
    data = course_form(app, "AI102", prerequisites="AI104")
    response = staff_client.post("/catalog/courses/AI102/edit", data=data)
    assert response.status_code == 422
    block = field_block(response.get_data(as_text=True), "prerequisites")
    assert "prerequisite cycle: AI102 → AI104 → AI102" in block
    with Session(db.get_engine(app)) as session:
        assert courses.course_links(session, "AI102")["prerequisites"] == []


def test_unknown_prerequisite_and_offered_key_are_reported(staff_client, app):
    data = course_form(
        app, "AI101", prerequisites="NOPE1", offered="winter", prerequisites_any="AI102, GONE"
    )
    html = staff_client.post("/catalog/courses/AI101/edit", data=data).get_data(as_text=True)
    assert "unknown course &#34;NOPE1&#34;" in field_block(html, "prerequisites")
    assert "neither a term id nor a season" in field_block(html, "offered")
    assert "unknown course &#34;GONE&#34;" in field_block(html, "prerequisites_any")


def test_valid_course_is_saved_with_all_its_links(staff_client, app):
    data = {
        "id": "MKT-新课",
        "title": "营销分析 with SQL",
        "credits": "2.5",
        "hours": "30",
        "cost": "600",
        "session_cost": "1200",
        "capacity": "30",
        "max_sections": "2",
        "offered": "fall, Y2-spring",
        "prerequisites": "AI101",
        "prerequisites_any": "AI102, AI103\nAI104",
        "teaches-0-skill": "data.sql",
        "teaches-0-level": "3",
        "teaches-1-skill": "",
        "teaches-1-level": "",
        "requires_skills-0-skill": "data.spreadsheets",
        "requires_skills-0-level": "1",
    }
    response = staff_client.post("/catalog/courses/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with Session(db.get_engine(app)) as session:
        saved = courses.course_dict(session, session.get(Course, "MKT-新课"))
    assert saved["credits"] == 2.5 and saved["capacity"] == 30 and saved["max_sections"] == 2
    assert saved["offered"] == ["fall", "Y2-spring"]
    assert saved["prerequisites"] == ["AI101"]
    assert saved["prerequisites_any"] == [["AI102", "AI103"], ["AI104"]]
    assert saved["teaches"] == {"data.sql": 3}
    assert saved["requires_skills"] == {"data.spreadsheets": 1}
    listing = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "营销分析 with SQL" in listing


def test_duplicate_id_is_refused(staff_client):
    response = staff_client.post(
        "/catalog/courses/new", data={"id": "AI101", "credits": "1", "max_sections": "1"}
    )
    assert response.status_code == 422
    assert "already exists" in field_block(response.get_data(as_text=True), "id")


def test_add_row_shows_one_more_row_and_saves_nothing(staff_client, app):
    data = course_form(app, "AI101", credits="9", add_row="teaches")
    html = staff_client.post("/catalog/courses/AI101/edit", data=data).get_data(as_text=True)
    rows = len(stored_links(app, "AI101")["teaches"])
    assert f'id="teaches-{rows}-skill"' in html
    assert stored(app, Course, "AI101").credits == 3


def stored_links(app, course_id):
    with Session(db.get_engine(app)) as session:
        return courses.course_links(session, course_id)


# --- deletes ----------------------------------------------------------------------------


def test_deleting_a_prerequisite_course_is_refused_naming_its_users(staff_client, app):
    response = staff_client.post("/catalog/courses/AI102/delete")
    assert response.status_code == 302
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cannot delete course &#34;AI102&#34;" in page
    assert "AI104" in page and "AI201" in page
    assert stored(app, Course, "AI102") is not None


def test_unused_course_is_deleted(staff_client, app):
    staff_client.post(
        "/catalog/courses/new", data={"id": "TMP1", "credits": "1", "max_sections": "1"}
    )
    assert stored(app, Course, "TMP1") is not None
    assert staff_client.post("/catalog/courses/TMP1/delete").status_code == 302
    assert stored(app, Course, "TMP1") is None


def test_deleting_a_used_skill_names_roles_and_courses(app):
    with Session(db.get_engine(app)) as session, pytest.raises(CatalogError) as info:
        entries.remove(session, "skills", "data.sql")
    message = info.value.errors[""][0]
    assert "roles" in message and "mkt-data-analyst" in message
    assert "courses teaching it" in message and "AI103" in message


def test_deleting_a_role_used_by_a_learner_is_refused(staff_client, app):
    response = staff_client.post("/catalog/roles/mkt-data-analyst/delete", follow_redirects=True)
    assert "test.learner" in response.get_data(as_text=True)
    assert stored(app, RoleRequirement, ("mkt-data-analyst", "data.sql")) is not None


def test_deleting_a_learner_with_an_account_is_refused(app):
    with (
        Session(db.get_engine(app)) as session,
        pytest.raises(CatalogError, match="learner@test"),
    ):
        entries.remove(session, "learners", "test.learner")


def test_removing_a_term_that_courses_are_offered_in_is_refused(app):
    with Session(db.get_engine(app)) as session:
        entries.save(session, "courses", {"id": "ONLY-Y1", "credits": 1, "offered": ["Y1-fall"]})
        terms = [
            {"term_id": t.term_id, "season": t.season, "max_credits": t.max_credits}
            for t in calendars.calendar_terms(session, "ai-marketing-college")
            if t.term_id != "Y1-fall"
        ]
        with pytest.raises(CatalogError) as info:
            entries.save(
                session, "calendars", {"name": "x", "terms": terms}, "ai-marketing-college"
            )
    assert "Y1-fall" in info.value.errors["terms"][0] and "ONLY-Y1" in info.value.errors["terms"][0]


# --- other kinds ------------------------------------------------------------------------


def test_skill_with_five_descriptors_round_trips(staff_client, app):
    data = {
        "id": "crea.ux",
        "name": "UX writing",
        "name_zh": "用户体验写作",
        "area_id": "creativity",
    }
    for level in range(5):
        data[f"descriptors-{level}"] = f"level {level} behaviour"
    assert staff_client.post("/catalog/skills/new", data=data).status_code == 302
    with Session(db.get_engine(app)) as session:
        assert skills.descriptors(session, "crea.ux") == [f"level {n} behaviour" for n in range(5)]
        assert session.get(LevelDescriptor, ("crea.ux", 4)).text == "level 4 behaviour"
    page = staff_client.get("/catalog/skills/crea.ux/edit").get_data(as_text=True)
    assert "level 3 behaviour" in page and "用户体验写作" in page


def test_role_rows_are_checked_one_by_one(staff_client, app):
    bad = {
        "id": "new-role", "name": "New role",
        "requirements-0-skill": "data.sql", "requirements-0-level": "3", "requirements-0-weight": "2",
        "requirements-1-skill": "data.sql", "requirements-1-level": "2",
        "requirements-2-skill": "ai.prompting", "requirements-2-level": "2", "requirements-2-weight": "-1",
    }  # fmt: skip
    html = staff_client.post("/catalog/roles/new", data=bad).get_data(as_text=True)
    assert "Weight cannot be negative" in html
    bad["requirements-2-weight"] = "1"
    html = staff_client.post("/catalog/roles/new", data=bad).get_data(as_text=True)
    row = html[html.index('id="requirements-1-skill"') :]
    assert "already in row 1" in row[: row.index("</td>")]
    bad["requirements-1-skill"] = "mkt.stp"
    assert staff_client.post("/catalog/roles/new", data=bad).status_code == 302
    with Session(db.get_engine(app)) as session:
        reqs = {r.skill_id: (r.level, r.weight) for r in roles.requirements(session, "new-role")}
    assert reqs == {"data.sql": (3, 2.0), "mkt.stp": (2, 1.0), "ai.prompting": (2, 1.0)}


def test_learner_rules_reuse_the_scenario_checks(staff_client, app):
    data = {
        "id": "li.na", "name": "李娜", "role_id": "mkt-data-analyst", "count": "1",
        "terms": "Y1-fall, Y1-spring", "excluded": "AI101", "pinned": "AI101 = Y1-fall",
        "levels-0-skill": "data.sql", "levels-0-level": "1",
    }  # fmt: skip
    html = staff_client.post("/catalog/learners/new", data=data).get_data(as_text=True)
    assert "both pinned and excluded" in field_block(html, "pinned")
    data.update(excluded="", pinned="AI101 = Y3-fall")
    html = staff_client.post("/catalog/learners/new", data=data).get_data(as_text=True)
    assert "is not one of the learner" in field_block(html, "pinned")
    data.update(pinned="AI101 = Y1-spring", count="0")
    html = staff_client.post("/catalog/learners/new", data=data).get_data(as_text=True)
    assert "must be at least 1" in field_block(html, "count")
    data.update(count="3")
    assert staff_client.post("/catalog/learners/new", data=data).status_code == 302
    learner = stored(app, Learner, "li.na")
    assert learner.count == 3 and learner.pinned == {"AI101": "Y1-spring"}
    assert learner.terms == ["Y1-fall", "Y1-spring"]


def test_unknown_kind_and_item_are_404(staff_client):
    assert staff_client.get("/catalog/widgets/").status_code == 404
    assert staff_client.get("/catalog/courses/NOPE/edit").status_code == 404


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
