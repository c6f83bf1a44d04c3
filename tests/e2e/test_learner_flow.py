"""A learner in a real browser: sign in, self-assess, take a check, see the calibrated radar."""

import pytest

from planner.services.assessment import questions
from tests.fixtures.web import browser_sign_in, shot

pytestmark = pytest.mark.e2e


def assess_shot(page, name: str) -> None:
    shot(page, f"assess-{name}", full_page=True)


def test_learner_self_assesses_takes_a_check_and_sees_the_overconfidence_flag(page):
    browser_sign_in(page, "learner")
    page.get_by_role("link", name="My skills", exact=True).click()
    page.wait_for_url("**/assess/")

    # Rate SQL as expert and prompting as working by clicking descriptor cards.
    sql = page.locator("#skill-data\\.sql")
    sql.locator(".levelcard", has_text="4 · expert").click()
    page.locator("#skill-ai\\.prompting .levelcard", has_text="2 · working").click()
    assert page.locator("#rated").inner_text() == "2"
    assess_shot(page, "self")
    page.get_by_role("button", name="Save progress").click()
    page.get_by_text("Saved 2 ratings.").wait_for()
    assert sql.locator("input[value='4']").is_checked()

    # Knowledge check: answer level 1 right, levels 2 and 3 wrong.
    page.goto("/assess/check/data.sql")
    page.get_by_role("button", name="Start the check").click()
    page.locator("fieldset.question").first.wait_for()
    bank = questions.default_bank()
    for box in page.locator("fieldset.question").all():
        q = bank[box.get_attribute("id")]
        choice = q.answer if q.level == 1 else (q.answer + 1) % len(q.options)
        box.locator("input[type=radio]").nth(choice).check()
    assess_shot(page, "check")
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("heading", name="SQL for marketing data: level 1 shown").wait_for()
    assess_shot(page, "result")

    page.get_by_role("link", name="See my calibrated profile").click()
    flags = page.locator("#flags")
    flags.get_by_text("over-confident").wait_for()
    assert "SQL for marketing data" in flags.inner_text()
    radar = page.locator("#radar svg")
    assert radar.locator("polygon.series").count() == 3
    assert page.locator("#row-data\\.sql td").nth(3).inner_text() == "1"
    assess_shot(page, "profile")

    # Plan my path: the run panel polls until the plan (grid, gaps, radar) replaces it.
    page.get_by_role("button", name="Plan my path").click()
    page.wait_for_url("**/assess/plan")
    assert "not enrolled in a curriculum" in page.locator("#plan-curriculum").inner_text()
    page.locator("#plan-run[data-status='done']").wait_for(timeout=60_000)
    cards = page.locator("#term-grid .course-card")
    assert cards.count() >= 1
    assert cards.first.locator(".why").inner_text().strip()  # each card says why
    gaps = page.locator("#plan-gaps")
    assert gaps.locator("li").count() + gaps.locator("#gaps-already").count() >= 1
    assert page.locator("#plan-radar svg polygon.series").count() == 3
    assess_shot(page, "plan")
