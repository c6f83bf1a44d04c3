"""The scenario editor's rules section: every rule listed (program-wide or per learner),
new rules from pickers validated field by field, removal, and the stored file format."""

from werkzeug.datastructures import MultiDict

from planner.scenario.generate import sized_body
from planner.services.scenarios import editor as scenarios
from planner.services.scenarios import rules as scenario_rules
from tests.web.test_scenarios import body_of, editor_form, store, tiny_scenario


def rules_form(body, drop=(), version=1, then=None, **new) -> MultiDict:
    """The editor form as the page posts it: the stored rules stay unless ticked; `version`
    is the stored edit version the page carries (1 for a fresh scenario)."""
    form = editor_form(body, version=str(version), **({"then": then} if then else {}))
    form.pop("rules")
    data = MultiDict(form)
    data.add("rules_listed", "stored")
    for line in drop:
        data.add("drop_rule", line)
    for key, value in new.items():
        data.add(f"new_rule.{key}", value)
    return data


def test_rules_of_lists_program_wide_and_per_learner():
    body = tiny_scenario()
    li, wang = body["learners"]
    li.update(required=["MKT1", "AI1"], pinned={"SQL1": "2027-1"}, target={"mkt.seg": 3})
    wang.update(required=["MKT1"], excluded=["SQL2"], target={"mkt.seg": 3}, gap_mode="close")
    lines = scenario_rules.rules_text(body).splitlines()
    assert lines == [
        "required::MKT1",
        "target::mkt.seg:3",
        "required:li.na:AI1",
        "pinned:li.na:SQL1:2027-1",
        "excluded:wang.wei:SQL2",
        "gap_mode:wang.wei:close",
    ]
    # the lines rebuild exactly the same learners
    rebuilt = scenario_rules.with_lines(body, "\n".join(lines))
    assert scenarios.parse_scenario(rebuilt) == scenarios.parse_scenario(body)


def test_page_lists_every_rule_with_names(app, staff_client):
    body = tiny_scenario()
    body["learners"][0]["required"] = ["MKT1"]
    body["learners"][1]["required"] = ["MKT1"]
    body["learners"][1]["pinned"] = {"AI1": "2027-2"}
    sid = store(app, body)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert 'id="rules-table"' in page
    assert "Every learner (4 people)" in page  # li.na + wang.wei × 3
    assert "MKT1 — Segmentation" in page and "AI1 — Prompting for marketers, in 2027-2" in page
    assert "wang.wei — Analyst (3 people)" in page
    assert 'name="drop_rule" value="pinned:wang.wei:AI1:2027-2"' in page
    assert "2 rules · 1 for every learner" in page
    # pickers hold the scenario's own learners, courses, terms and skills
    for option in ('value="li.na"', 'value="SQL2"', 'value="2027-1"', 'value="mkt.seg"'):
        assert option in page
    assert 'name="rules"' not in page  # no free-text rule lines any more


def test_add_program_wide_and_per_learner_rules(app, staff_client, web_session):
    body = tiny_scenario()
    sid = store(app, body)
    response = staff_client.post(
        f"/scenarios/{sid}", data=rules_form(body, kind="required", course="MKT1", then="add")
    )
    assert response.status_code == 302
    assert "Rule added." in staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    stored = body_of(web_session, sid)
    assert [lr.get("required") for lr in stored["learners"]] == [["MKT1"], ["MKT1"]]
    form = rules_form(stored, version=2, scope="li.na", kind="pinned", course="SQL1", term="2027-2")
    assert staff_client.post(f"/scenarios/{sid}", data=form).status_code == 302
    form = rules_form(
        body_of(web_session, sid), version=3, kind="target", skill="ai.prompt", level="3"
    )
    assert staff_client.post(f"/scenarios/{sid}", data=form).status_code == 302
    stored = body_of(web_session, sid)
    li, wang = stored["learners"]
    assert li["pinned"] == {"SQL1": "2027-2"} and "pinned" not in wang
    assert li["target"] == wang["target"] == {"ai.prompt": 3}
    scenarios.parse_scenario(stored)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert "Prompt design at level 3 (proficient)" in page


def test_remove_a_rule(app, staff_client, web_session):
    body = tiny_scenario()
    for lr in body["learners"]:
        lr["excluded"] = ["AI1"]
    body["learners"][0]["required"] = ["SQL1"]
    sid = store(app, body)
    form = rules_form(body, drop=["excluded::AI1"])
    assert staff_client.post(f"/scenarios/{sid}", data=form).status_code == 302
    li, wang = body_of(web_session, sid)["learners"]
    assert "excluded" not in li and "excluded" not in wang
    assert li["required"] == ["SQL1"]


def test_picker_errors_are_named_by_field_and_save_nothing(app, staff_client, web_session):
    body = tiny_scenario()
    body["learners"][0]["excluded"] = ["MKT1"]
    body["learners"][1]["terms"] = ["2027-1"]
    sid = store(app, body)
    before = body_of(web_session, sid)
    cases = [
        ({"kind": "pinned", "course": "", "term": ""}, "new_rule-course-errors", "choose a course"),
        ({"kind": "pinned", "course": "SQL1", "term": "2027-2"}, "new_rule-term-errors",
         "wang.wei does not study in 2027-2"),
        ({"kind": "required", "course": "MKT1"}, "new_rule-course-errors",
         "li.na may already not take MKT1"),
        ({"kind": "required", "course": "NOPE"}, "new_rule-course-errors", "no course &#34;NOPE&#34;"),
        ({"kind": "target", "skill": "data.sql", "level": "7"}, "new_rule-value-errors",
         "choose a level 1-4"),
        ({"kind": "learner_budget", "amount": "50"}, "new_rule-scope-errors", "choose a learner"),
        ({"scope": "li.na", "kind": "learner_budget", "amount": "-1"}, "new_rule-value-errors",
         "must be ≥ 0"),
        ({"scope": "ghost", "kind": "required", "course": "SQL1"}, "new_rule-scope-errors",
         "no learner &#34;ghost&#34;"),
        ({"course": "SQL1"}, "new_rule-kind-errors", "choose what the rule says"),
    ]  # fmt: skip
    for new, where, message in cases:
        response = staff_client.post(f"/scenarios/{sid}", data=rules_form(body, **new))
        assert response.status_code == 422, new
        page = response.get_data(as_text=True)
        at = page.index(f'id="{where}"')
        assert message in page[at : at + 400], (new, page[at : at + 400])
        # the choices stay selected for the next try
        if new.get("course") == "SQL1" and new.get("kind") == "pinned":
            assert '<option value="SQL1" selected>' in page
    assert body_of(web_session, sid) == before


def test_legacy_rule_lines_still_accepted(app, staff_client, web_session):
    """The API and older forms post `rules` lines; they keep working."""
    sid = store(app, tiny_scenario())
    form = editor_form(tiny_scenario(), rules="required::AI1\nlearner_budget:li.na:900")
    assert staff_client.post(f"/scenarios/{sid}", data=form).status_code == 302
    li, wang = body_of(web_session, sid)["learners"]
    assert li["required"] == wang["required"] == ["AI1"] and li["budget"] == 900


def test_contract_problems_name_the_learner(app, staff_client):
    sid = store(app, tiny_scenario())
    form = editor_form(tiny_scenario(), rules="pinned:wang.wei:SQL1:2099-9")
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "learners[1].pinned.SQL1" in page and "learner wang.wei:" in page


def test_large_scenario_fetches_the_pickers_after_the_page(app, staff_client, web_session):
    body = sized_body(courses=1600, learners=30, skills=20, seed=3)
    sid = store(app, body)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert f'hx-get="/scenarios/{sid}/rules/pickers' in page
    assert '<input id="new_rule-course" name="new_rule.course"' in page  # works without JS
    assert page.count("<option") < 200  # not 1,600 course options in the page itself
    lists = staff_client.get(
        f"/scenarios/{sid}/rules/pickers?new_rule.kind=required&new_rule.course=C00007"
    ).get_data(as_text=True)
    assert '<select id="new_rule-course" name="new_rule.course">' in lists
    assert '<option value="C00007" selected>' in lists and lists.count("<option") > 1600
    assert "<html" not in lists
    # a typed id is checked like a picked one
    stored = body_of(web_session, sid)
    bad = staff_client.post(
        f"/scenarios/{sid}", data=rules_form(stored, kind="excluded", course="C99")
    )
    assert bad.status_code == 422 and "no course &#34;C99&#34;" in bad.get_data(as_text=True)
    good = staff_client.post(
        f"/scenarios/{sid}",
        data=rules_form(stored, scope="L00002", kind="excluded", course="C00007"),
    )
    assert good.status_code == 302
    learner = body_of(web_session, sid)["learners"][2]
    assert learner["id"] == "L00002" and learner["excluded"] == ["C00007"]


def test_ticked_removals_survive_a_failed_save(app, staff_client, web_session):
    body = tiny_scenario()
    body["learners"][0]["required"] = ["SQL1"]
    body["learners"][1]["excluded"] = ["AI1"]
    sid = store(app, body)
    form = rules_form(body, drop=["required:li.na:SQL1"], kind="required")  # no course
    response = staff_client.post(f"/scenarios/{sid}", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="required:li.na:SQL1" aria-label="Remove rule 1" checked' in page
    assert 'value="excluded:wang.wei:AI1" aria-label="Remove rule 2" >' in page
    # fixed and posted again as the page now stands: the removal is saved
    again = rules_form(body, drop=["required:li.na:SQL1"])
    assert staff_client.post(f"/scenarios/{sid}", data=again).status_code == 302
    li, wang = body_of(web_session, sid)["learners"]
    assert "required" not in li and wang["excluded"] == ["AI1"]


def test_many_rules_list_the_first_and_keep_the_rest(app, staff_client, web_session):
    body = sized_body(courses=40, learners=400, skills=10, seed=2)
    for i, lr in enumerate(body["learners"]):
        lr["excluded"] = [f"C{i % 40:05d}"]
    sid = store(app, body)
    page = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert "400 rules" in page and "the first 300 listed" in page
    assert page.count('name="drop_rule"') == 300
    assert (
        staff_client.get(f"/scenarios/{sid}?rules=all")
        .get_data(as_text=True)
        .count('name="drop_rule"')
        == 400
    )
    form = rules_form(body_of(web_session, sid), drop=["excluded:L00399:C00039"])
    assert staff_client.post(f"/scenarios/{sid}", data=form).status_code == 302
    learners = body_of(web_session, sid)["learners"]
    assert "excluded" not in learners[399]  # a rule not even listed can be dropped by name
    assert sum("excluded" in lr for lr in learners) == 399  # the unlisted ones are kept
