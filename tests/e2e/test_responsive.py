"""Every page of the app at 390 px (a phone), staff and learner: nothing scrolls sideways
(wide tables scroll inside their own box) and the navigation folds into a Menu button.

Screenshots (PLANNER_SCREENSHOTS=1) of a few phone pages go to docs/screenshots/."""

import re

import pytest

from planner.services.planning import jobs
from tests.e2e.test_staff_planning import upskilling_scenario
from tests.fixtures.web import browser_sign_in, shot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

# The elements that stick out past the right edge, to say what broke the layout.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      let inBox = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) { inBox = true; break; }
      }
      if (!inBox) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                           (el.className && el.className.baseVal === undefined ? '.' + el.className : ''));
    }
  }
  return out.slice(0, 8);
}"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def solved_twice(live_server):
    """A scenario with three plans: a second under tighter credit limits, a third
    infeasible (with its diagnosis)."""
    from planner.db import get_engine, session_scope
    from planner.models import ScenarioRecord, SolveRun
    from planner.services.scenarios import editor as scenarios

    runner = jobs.runner_for(get_engine(live_server.app))
    body = upskilling_scenario("Phone check")
    with session_scope(get_engine(live_server.app)) as session:
        sid = scenarios.save_new(session, body).id
    plans = []
    for limit in (6, 3, "infeasible"):
        with session_scope(get_engine(live_server.app)) as session:
            record = session.get(ScenarioRecord, sid)
            if limit == "infeasible":  # close every gap on a tiny budget: a diagnosis page
                record.body = {**record.body, "gap_mode": "close", "constraints": {"budget": 100}}
            else:
                terms = [{**t, "max_credits": limit} for t in body["terms"]]
                record.body = {**record.body, "terms": terms}
        run_id = runner.submit(sid)
        assert runner.wait(run_id, 60)
        with session_scope(get_engine(live_server.app)) as session:
            plans.append(session.get(SolveRun, run_id).plan_id)
    return sid, plans


def assert_fits(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, f"{url}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    culprits = page.evaluate(OVERFLOW_JS) if width > PHONE["width"] else []
    assert width <= PHONE["width"], f"{url} is {width}px wide: {culprits}"


def test_staff_pages_fit_a_phone(phone, solved_twice):
    sid, (a, b, infeasible) = solved_twice
    browser_sign_in(phone, "staff")
    # navigation folds into the Menu button and opens on a tap
    nav = phone.locator("#mainnav")
    assert not nav.is_visible()
    phone.get_by_role("button", name="Menu").click()
    assert nav.is_visible() and nav.get_by_role("link", name="Program").is_visible()
    shot(phone, "phone-menu")
    pages = [
        "/",
        "/catalog/",
        *(
            f"/catalog/{k}/"
            for k in ("courses", "skills", "roles", "learners", "calendars", "areas")
        ),
        "/catalog/courses/?q=zzz-no-match",
        "/catalog/courses/new",
        "/catalog/courses/AI-01/edit",
        "/catalog/roles/mkt-data-analyst/edit",
        "/catalog/learners/test.learner/edit",
        "/scenarios/",
        f"/scenarios/{sid}",
        "/plans/",
        f"/plans/{b}",
        f"/plans/{b}/print",
        f"/plans/{infeasible}",
        f"/plans/compare?a={a}&b={b}",
        "/cohort/",
        "/program/",
        f"/program/scenario/{sid}",
        "/program/curriculum/ai-marketing-college",
        "/assess/report",
        "/assess/staff/test.learner",
        "/profile",
    ]
    for kind in ("courses", "skills", "roles", "learners", "calendars", "areas"):
        pages.append(f"/catalog/{kind}/new")
        phone.goto(f"/catalog/{kind}/")
        pages.append(phone.locator("#results table a").first.get_attribute("href"))
    assert_fits(phone, "/plans/999999999", status=404)  # the error page fits too
    for url in pages:
        assert_fits(phone, url)
        if url == f"/plans/{infeasible}":
            assert phone.locator(".diagnosis").count() == 1  # the fixes fit too
        if url == f"/scenarios/{sid}":
            shot(phone, "phone-scenario-editor", full_page=True)
        if url.startswith("/plans/compare"):
            shot(phone, "phone-plan-comparison", full_page=True)


def test_learner_pages_fit_a_phone(phone):
    assert_fits(phone, "/login")
    browser_sign_in(phone, "learner")
    for url in (
        "/",
        "/assess/",
        "/assess/profile",
        "/assess/plan",
        "/assess/check/data.sql",
    ):
        assert_fits(phone, url)
    # a check in progress, and a personal plan with its term grid
    phone.get_by_role("button", name="Start the check").click()
    phone.locator("fieldset.question").first.wait_for()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    for box in phone.locator("fieldset.question").all():
        box.locator("input[type=radio]").first.check()
    phone.get_by_role("button", name="Submit answers").click()
    phone.get_by_role("heading", name=re.compile("level")).wait_for()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    phone.goto("/assess/plan")
    phone.get_by_role("button", name="Plan").first.click()
    phone.locator("#plan-run[data-status='done']").wait_for(timeout=60_000)
    assert_fits(phone, "/assess/plan")
    shot(phone, "phone-learner-plan", full_page=True)
