"""End to end in Chromium: a staff member edits a scenario, solves it twice, watches the
progress finish, reads the plan, compares the two plans, exports CSV and views the cohort.

Screenshots of each planning page go to docs/screenshots/ with PLANNER_SCREENSHOTS=1."""

import csv
import io
import re

import pytest

from tests.fixtures.web import browser_sign_in
from tests.fixtures.web import shot as save_shot

pytestmark = pytest.mark.e2e


SKILLS = [
    ("data.sql", "SQL for campaign cohorts", "data-analysis"),
    ("data.dash", "KPI dashboards (CAC, LTV, ROI)", "data-analysis"),
    ("data.ab", "A/B testing", "data-analysis"),
    ("ai.prompt", "Prompt design", "ai-tools"),
    ("ai.copy", "Generative AI for copy", "ai-tools"),
    ("hai.review", "Reviewing AI output", "human-ai-collaboration"),
    ("law.gdpr", "Data protection (GDPR / PIPL)", "law-compliance"),
    ("crm.cdp", "CDP and marketing automation", "crm-martech"),
]


def upskilling_scenario(name="Marketing team AI upskilling 2027") -> dict:
    courses = [
        ("AI101", "Prompting for marketers", 2, 300, {"ai.prompt": 2}, []),
        ("AI201", "Generative copy studio", 3, 650, {"ai.copy": 3, "ai.prompt": 3}, ["AI101"]),
        ("HAI110", "Supervising AI output", 2, 400, {"hai.review": 2}, []),
        ("DAT120", "SQL for marketing data", 3, 600, {"data.sql": 3}, []),
        ("DAT210", "KPI dashboards", 2, 450, {"data.dash": 3}, ["DAT120"]),
        ("DAT230", "Experiments and A/B tests", 3, 700, {"data.ab": 3}, ["DAT120"]),
        ("LAW100", "Privacy law essentials", 1, 200, {"law.gdpr": 2}, []),
        ("CRM220", "CDP and automation lab", 3, 800, {"crm.cdp": 3}, []),
    ]
    return {
        "format": "planner-scenario/1",
        "name": name,
        "skills": [{"id": i, "name": n, "area": a} for i, n, a in SKILLS],
        "roles": [
            {"id": "analyst", "name": "Marketing data analyst",
             "requires": {"data.sql": 3, "data.dash": 3, "data.ab": 3, "ai.prompt": 2,
                          "law.gdpr": 2},
             "weights": {"data.sql": 2, "data.ab": 2}},
            {"id": "content", "name": "Content & social media specialist",
             "requires": {"ai.prompt": 3, "ai.copy": 3, "hai.review": 2, "law.gdpr": 1,
                          "crm.cdp": 2},
             "weights": {"ai.copy": 2}},
        ],
        "terms": [
            {"id": "2027-Q1", "season": "q1", "max_credits": 6},
            {"id": "2027-Q2", "season": "q2", "max_credits": 6},
            {"id": "2027-Q3", "season": "q3", "max_credits": 6},
        ],
        "courses": [
            {"id": c, "title": t, "credits": cr, "hours": 8 * cr, "cost": cost, "teaches": teach,
             "prerequisites": pre}
            for c, t, cr, cost, teach, pre in courses
        ],
        "learners": [
            {"id": "李娜", "role": "analyst", "levels": {"data.sql": 1, "ai.prompt": 1}},
            {"id": "wang.wei", "role": "content", "levels": {"ai.prompt": 2}, "count": 4},
            {"id": "s.meyer", "role": "analyst", "levels": {"data.sql": 3}},
            {"id": "a.okafor", "role": "content", "count": 2},
        ],
        "constraints": {"budget": 20000},
        "options": {"time_limit_s": 10, "workers": 2},
    }  # fmt: skip


@pytest.fixture
def scenario_id(live_server):
    from sqlmodel import select

    from planner.db import get_engine, session_scope
    from planner.models import Learner
    from planner.services.scenarios import editor as scenarios

    with session_scope(get_engine(live_server.app)) as session:
        record = scenarios.save_new(session, upskilling_scenario())
        teams = ["Brand 品牌", "Growth", "CRM", "Content"]
        learners = session.exec(
            select(Learner).where(Learner.role_id.is_not(None)).order_by(Learner.id)
        ).all()
        for i, learner in enumerate(learners):
            learner.team = teams[i % len(teams)]
        return record.id


def shot(page, name: str, selector: str | None = None) -> None:
    target = page.locator(selector) if selector else page
    save_shot(target, name, **({} if selector else {"full_page": True}))


def solve_and_wait(page):
    """Click Solve and wait until this new run's panel says done and shows the plan."""
    page.wait_for_load_state("networkidle")  # the previous run's panel has loaded
    old = page.locator(".run-panel")
    previous = old.get_attribute("id") if old.count() else None
    page.get_by_role("button", name="Solve", exact=True).click()
    fresh = ".run-panel" + (f":not(#{previous})" if previous else "")
    page.locator(fresh).wait_for()
    page.locator(f'{fresh}[data-status="done"]').wait_for(timeout=30_000)
    page.locator("#run-plan #term-grid").wait_for()


def test_staff_plans_compares_and_exports(page, live_server, scenario_id, tmp_path):
    browser_sign_in(page, "staff")
    page.goto(f"/scenarios/{scenario_id}")
    page.get_by_label("2027-Q1 max credits").fill("5")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Scenario saved.").wait_for()
    assert page.get_by_label("2027-Q1 max credits").input_value() == "5"
    shot(page, "scenario-editor")

    url_before = page.url
    solve_and_wait(page)
    assert page.url == url_before  # the plan appeared without a page load
    assert page.locator("#run-objective").inner_text() != "—"
    assert page.locator("#run-plan .course-card").count() > 0

    # a second plan under a tighter limit, then compare the two
    page.get_by_label("2027-Q2 max credits").fill("3")
    page.get_by_label("2027-Q3 max credits").fill("3")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Scenario saved.").wait_for()
    solve_and_wait(page)
    shot(page, "solve-done")
    page.reload()
    page.get_by_role("button", name="Compare A and B").click()
    page.wait_for_url(re.compile(r".*/plans/compare\?.*"))
    page.locator("#objective-table").wait_for()
    assert page.locator("#changes-table tbody tr").count() >= 1
    shot(page, "plan-comparison")

    # the newest plan: grid, gaps and radar; export CSV
    page.locator("a", has_text=re.compile(r"^#\d+$")).last.click()
    page.locator("#radar svg").wait_for()
    assert page.locator("#term-grid .course-card").count() > 0
    shot(page, "plan-view")
    page.locator(".learner-list a", has_text="wang.wei").click()
    page.locator("#learner-plan h2", has_text="wang.wei").wait_for()
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert re.fullmatch(r"plan-\d+\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert rows and {"learner", "term", "course", "reason"} <= set(rows[0])
    assert "李娜" in {r["learner"] for r in rows}

    page.goto("/cohort/")
    page.locator("#heatmap table.heat").wait_for()
    shot(page, "cohort-heatmap")
