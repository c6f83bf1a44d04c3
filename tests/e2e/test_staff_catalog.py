"""Browser: a staff member finds a course, sees a validation error, fixes it and saves."""

import re

import pytest

from tests.fixtures.web import USERS, browser_sign_in, shot

pytestmark = pytest.mark.e2e


def test_staff_edits_course_credits(page):
    from playwright.sync_api import expect

    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username or e-mail").fill(USERS["staff"].username)
    shot(page, "login", full_page=True)
    browser_sign_in(page, "staff")

    # Live search (HTMX) narrows the list without a page load.
    page.goto("/catalog/courses/")
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    page.get_by_role("searchbox").fill("SQL")
    expect(page.locator("#results")).to_contain_text("AI103")
    expect(page.locator("#results")).not_to_contain_text("AI101")
    assert "q=SQL" in page.url
    shot(page, "course-list", full_page=True)

    page.get_by_role("link", name="AI103").click()
    expect(page.get_by_role("heading", name=re.compile("AI103"))).to_be_visible()
    credits = page.get_by_label("Credits", exact=True)
    credits.fill("-3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#credits-errors")).to_have_text("Credits cannot be negative")
    expect(credits).to_have_attribute("aria-invalid", "true")
    shot(page, "course-edit", full_page=True)

    page.get_by_label("Credits", exact=True).fill("4.5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text('Saved course "AI103".')).to_be_visible()
    row = page.locator("table.list tr", has_text="AI103")
    expect(row).to_contain_text("4.5")


def test_learner_cannot_open_staff_pages(page):
    browser_sign_in(page, "learner")
    response = page.goto("/catalog/courses/")
    assert response.status == 403
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=re.compile("Not allowed"))).to_be_visible()
    expect(page.get_by_role("link", name="Catalog")).to_have_count(0)


def test_anonymous_is_sent_to_sign_in(page):
    page.goto("/catalog/courses/AI101/edit")
    assert "/login?next=" in page.url
    from playwright.sync_api import expect

    expect(page.get_by_text("Please sign in to open that page.")).to_be_visible()
