"""End to end in Chromium, a program designer's jobs without the command line:
rules with pickers in the scenario editor, the program-design page, comparing plans of two
different scenarios from the Plans list, and the run panel in plain words.

Screenshots go to docs/screenshots/ with PLANNER_SCREENSHOTS=1."""

import re

import pytest
from openpyxl import load_workbook

from planner.scenario.generate import sized_body
from tests.e2e.test_staff_planning import upskilling_scenario
from tests.fixtures.web import browser_sign_in
from tests.fixtures.web import shot as save_shot

pytestmark = pytest.mark.e2e


def shot(page, name: str, selector: str | None = None) -> None:
    target = page.locator(selector) if selector else page
    save_shot(target, name, **({} if selector else {"full_page": True}))


def stored(live_server, name: str) -> int:
    from planner.db import get_engine, session_scope
    from planner.services.scenarios import editor as scenarios

    with session_scope(get_engine(live_server.app)) as session:
        return scenarios.save_new(session, upskilling_scenario(name)).id


def body(live_server, sid: int) -> dict:
    from planner.db import get_engine, session_scope
    from planner.models import ScenarioRecord

    with session_scope(get_engine(live_server.app)) as session:
        return session.get(ScenarioRecord, sid).body


def test_rules_with_pickers(page, live_server):
    sid = stored(live_server, "Rules with pickers")
    browser_sign_in(page, "staff")
    page.goto(f"/scenarios/{sid}")
    assert page.locator("#rules-empty").is_visible()
    new = page.locator("#new-rule")

    # every learner must take the privacy course: only the course picker shows
    new.get_by_label("Rule").select_option("required")
    assert new.get_by_label("Course").is_visible() and not new.get_by_label("Term").is_visible()
    new.get_by_label("Course").select_option("LAW100")
    new.get_by_role("button", name="Add rule").click()
    page.get_by_text("Rule added.").wait_for()
    row = page.locator("#rules-table tbody tr").first
    assert "Every learner (8 people)" in row.inner_text()
    assert "LAW100 — Privacy law essentials" in row.inner_text()
    assert all(lr["required"] == ["LAW100"] for lr in body(live_server, sid)["learners"])

    # a pin for one learner, with a term from the scenario's own calendar
    new.get_by_label("Applies to").select_option("wang.wei")
    new.get_by_label("Rule").select_option("pinned")
    new.get_by_label("Course").select_option("AI201")
    new.get_by_label("Term").select_option("2027-Q3")
    new.get_by_role("button", name="Add rule").click()
    page.get_by_text("Rule added.").wait_for()
    assert page.locator(
        "#rules-table", has_text="AI201 — Generative copy studio, in 2027-Q3"
    ).count()

    # a gap target for every learner
    new.get_by_label("Rule").select_option("target")
    new.get_by_label("Skill").select_option("hai.review")
    new.get_by_label("Target level").select_option("3")
    new.get_by_role("button", name="Add rule").click()
    page.get_by_text("Rule added.").wait_for()
    assert "3 rules · 2 for every learner" in page.locator("#rules-count").inner_text()
    shot(page, "scenario-rules", "#rules")

    # a pin without a course: the error sits beside the course picker, nothing is saved
    before = body(live_server, sid)
    new.get_by_label("Rule").select_option("pinned")
    new.get_by_label("Term").select_option("2027-Q1")
    new.get_by_role("button", name="Add rule").click()
    error = page.locator("#new_rule-course-errors")
    error.wait_for()
    assert "choose a course" in error.inner_text()
    assert body(live_server, sid) == before

    # remove the program-wide requirement
    page.goto(f"/scenarios/{sid}")
    page.get_by_label("Remove rule 1").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Scenario saved.").wait_for()
    learners = {lr["id"]: lr for lr in body(live_server, sid)["learners"]}
    assert all("required" not in lr for lr in learners.values())
    assert learners["wang.wei"]["pinned"] == {"AI201": "2027-Q3"}
    assert all(lr["target"] == {"hai.review": 3} for lr in learners.values())


def test_program_design_page(page, live_server, tmp_path):
    browser_sign_in(page, "staff")
    page.get_by_role("link", name="Program", exact=True).click()
    page.wait_for_url("**/program/")
    page.locator("#curricula a").first.click()
    page.locator("#coverage-table").wait_for()
    assert page.locator("#tracks .track").count() >= 1
    assert page.locator("#metrics-table tbody tr").count() >= 1
    assert page.locator("#uncovered-table, #uncovered-none").count() == 1

    # sort the matrix by a skill column: the courses teaching it most come first
    header = page.locator("#coverage-table thead th.skill-col a").first
    skill = header.get_attribute("data-sort")
    header.click()
    page.wait_for_url(re.compile(rf".*sort={re.escape(skill)}.*"))
    column = (
        page.locator("#coverage-table thead th")
        .all_inner_texts()
        .index(page.locator("#coverage-table thead th[aria-sort] a").inner_text())
    )
    levels = [
        int(t or 0)
        for t in page.locator(
            f"#coverage-table tbody tr td:nth-child({column + 1})"
        ).all_inner_texts()
    ]
    assert levels == sorted(levels, reverse=True) and levels[0] > 0
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "program-design")

    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX (every table)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert load_workbook(path).sheetnames == ["coverage", "uncovered", "metrics", "plans"]

    # the same page for a scenario, linked from its editor
    sid = stored(live_server, "Program of a scenario")
    page.goto(f"/scenarios/{sid}")
    page.get_by_role("link", name="Program design").click()
    page.wait_for_url(f"**/program/scenario/{sid}")
    assert page.locator("#tracks .track").count() == 2  # analyst and content


def solve_here(page):
    """Solve on the editor page and wait for the run panel to finish in place."""
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Solve", exact=True).click()
    page.locator('.run-panel[data-status="done"]').wait_for(timeout=30_000)


def test_compare_plans_of_two_scenarios_and_the_run_panel(page, live_server):
    sid = stored(live_server, "Original for comparing")
    browser_sign_in(page, "staff")
    page.goto(f"/scenarios/{sid}")
    solve_here(page)
    # the run panel in plain words once the run is over
    assert page.locator("#run-stage").inner_text() == "Finished"
    assert re.fullmatch(r"\d+\.\d s", page.locator("#run-elapsed").inner_text())
    assert "Solving…" not in page.content()
    assert "8 people" in page.locator("#run-plan").inner_text()

    # duplicate, tighten the copy and solve it
    page.get_by_role("button", name="Duplicate").click()
    page.get_by_text("Copied to").wait_for()
    copy_url = page.url
    for term in ("2027-Q2", "2027-Q3"):
        page.get_by_label(f"{term} max credits").fill("3")
    page.get_by_role("button", name="Save & solve").click()
    page.get_by_text("Saved, and started solving").wait_for()
    page.locator('.run-panel[data-status="done"]').wait_for(timeout=30_000)
    assert page.url.split("?")[0] == copy_url.split("?")[0]

    # Plans list: tick the two newest plans (one per scenario) and compare
    page.get_by_role("link", name="Plans", exact=True).click()
    page.wait_for_url("**/plans/")
    rows = page.locator("#compare-pick tbody tr")
    button = page.get_by_role("button", name="Compare the two ticked plans")
    assert button.is_disabled()
    rows.nth(0).locator("input[name=plan]").check()
    rows.nth(1).locator("input[name=plan]").check()
    assert button.is_enabled()
    names = {rows.nth(i).locator("td").nth(2).inner_text() for i in (0, 1)}
    assert names == {"Original for comparing", "Original for comparing (copy)"}
    button.click()
    page.wait_for_url(re.compile(r".*/plans/compare\?a=\d+&b=\d+$"))
    side = page.locator("#side-table")
    side.wait_for()
    assert side.locator("tbody th").all_inner_texts() == ["2027-Q1", "2027-Q2", "2027-Q3"]
    assert page.locator("#objective-table").is_visible()
    changed = side.locator("li[data-change=removed], li[data-change=moved], li[data-change=added]")
    assert changed.count() >= 1  # the tighter copy changes this learner's courses
    # another learner, chosen from the list
    page.get_by_label("Learner").select_option("wang.wei")
    page.wait_for_url(re.compile(r".*learner=wang\.wei.*"))
    assert "(4 people)" in page.locator("#side-by-side").inner_text()
    shot(page, "plan-compare-side-by-side")


def test_rules_of_a_large_scenario_load_their_pickers_after_the_page(page, live_server):
    from planner.db import get_engine, session_scope
    from planner.services.scenarios import editor as scenarios

    large = sized_body(courses=1600, learners=12, skills=20, seed=8)
    large["name"] = "Large catalogue for rules"
    with session_scope(get_engine(live_server.app)) as session:
        sid = scenarios.save_new(session, large).id
    browser_sign_in(page, "staff")
    page.goto(f"/scenarios/{sid}")
    course = page.locator("select#new_rule-course")  # swapped in for the id box by HTMX
    course.wait_for(state="attached")
    assert course.locator("option").count() == 1601
    new = page.locator("#new-rule")
    assert not course.is_visible()  # no rule kind chosen yet
    new.get_by_label("Applies to").select_option("L00003")
    new.get_by_label("Rule").select_option("excluded")
    assert course.is_visible()
    course.select_option("C01234")
    new.get_by_role("button", name="Add rule").click()
    page.get_by_text("Rule added.").wait_for()
    learner = next(lr for lr in body(live_server, sid)["learners"] if lr["id"] == "L00003")
    assert learner["excluded"] == ["C01234"]
