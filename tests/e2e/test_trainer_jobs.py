"""A corporate trainer's jobs in Chromium, without the command line: import a team from a
CSV (problems first, then a clean file), build a scenario from several teams, edit seats
and take the catalog's values, solve and read names and teams in the plan and its CSV,
run a budget trade-off sweep and open the plan behind a point, and read the cohort
heatmap with every skill, separate filters and the before / after / difference views.

Screenshots go to docs/screenshots/ with PLANNER_SCREENSHOTS=1."""

import csv
import io
import re

import pytest

from tests.fixtures.web import browser_sign_in, shot

pytestmark = pytest.mark.e2e

BAD_CSV = (
    "employee_id,name,team,role,levels\n"
    "t.zhang,张伟,Brand 品牌,mkt-assistant,ai.prompting=9\n"
    "t.ruiz,Ana Ruiz,Growth,no-such-role,\n"
    "t.zhang,Dup,Growth,mkt-assistant,\n"
)
GOOD_CSV = (
    "employee_id,name,team,role,levels,curriculum\n"
    "t.zhang,张伟,North 北区,mkt-assistant,ai.prompting=1,corporate-ai-upskilling\n"
    "t.ruiz,Ana Ruiz,Growth Lab,mkt-data-analyst,data.sql=1,corporate-ai-upskilling\n"
    "t.okafor,Ade Okafor,Growth Lab,mkt-assistant,,corporate-ai-upskilling\n"
    "t.meyer,Sara Meyer,Retail,mkt-data-analyst,,corporate-ai-upskilling\n"
)


def full(page, name):
    shot(page, name, full_page=True)


def upload(page, tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto("/catalog/learners/")
    page.locator("#team-import summary").click()
    page.get_by_label("Learners file (.csv, .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def test_team_import_scenario_from_teams_seats_and_names_in_the_plan(page, live_server, tmp_path):
    from planner.db import get_engine, session_scope
    from planner.models import Course, Learner, ScenarioRecord

    browser_sign_in(page, "staff")
    # 1. a bad file: every row problem, nothing written
    upload(page, tmp_path, BAD_CSV, "team-bad.csv")
    page.locator("#problem-table").wait_for()
    problems = page.locator("#problem-table tbody tr")
    assert problems.count() >= 3
    text = page.locator("#problem-table").inner_text()
    assert "levels" in text and "no-such-role" in text and "duplicate" in text
    assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
    full(page, "team-import-problems")
    with session_scope(get_engine(live_server.app)) as session:
        assert session.get(Learner, "t.zhang") is None

    # 2. the fixed file: preview, then confirm
    upload(page, tmp_path, GOOD_CSV, "team.csv")
    page.locator("#preview-table").wait_for()
    assert "4 learners" in page.locator("#import-summary").inner_text()
    assert "张伟" in page.locator("#preview-table").inner_text()
    full(page, "team-import-preview")
    with session_scope(get_engine(live_server.app)) as session:
        assert session.get(Learner, "t.zhang") is None  # the preview wrote nothing
    page.get_by_role("button", name="Import 4 learners").click()
    page.get_by_text("Imported 4 learners from team.csv.").wait_for()

    # 3. a scenario of two teams; an empty choice is refused
    page.goto("/scenarios/")
    page.get_by_label("Name", exact=True).fill("Growth and Brand 2027")
    page.get_by_label("Curriculum (courses)").select_option("corporate-ai-upskilling")
    page.get_by_label("Term calendar").select_option("corporate-ai-upskilling")
    page.get_by_label("Every learner of the curriculum").uncheck()  # ticked at first
    page.get_by_role("button", name="Create scenario").click()
    page.get_by_text("choose one or more teams, type learner ids").wait_for()
    page.get_by_label("Name", exact=True).fill("Growth and Brand 2027")
    page.get_by_label("Curriculum (courses)").select_option("corporate-ai-upskilling")
    page.get_by_label("Term calendar").select_option("corporate-ai-upskilling")
    page.get_by_label("Learners of teams").select_option(["North 北区", "Growth Lab"])
    page.get_by_role("button", name="Create scenario").click()
    page.wait_for_url(re.compile(r".*/scenarios/\d+$"))
    scenario_id = int(page.url.rsplit("/", 1)[1])
    with session_scope(get_engine(live_server.app)) as session:
        body = session.get(ScenarioRecord, scenario_id).body
        assert {lr["id"] for lr in body["learners"]} == {"t.zhang", "t.ruiz", "t.okafor"}
        first = body["courses"][0]["id"]

    # 4. seats & sessions: edit one course, then the catalog changes and the page says so
    page.get_by_label(f"{first} capacity").fill("12")
    page.get_by_label(f"{first} max sections").fill("2")
    page.get_by_role("button", name="Save seats & sessions").click()
    page.get_by_text("Seats & sessions saved (1 course changed).").wait_for()
    assert page.get_by_label(f"{first} capacity").input_value() == "12"
    page.locator("#seats-notice").wait_for()  # 12 seats is not what the catalog says
    with session_scope(get_engine(live_server.app)) as session:
        session.get(Course, first).capacity = 40
    page.reload()
    notice = page.locator("#seats-notice")
    assert "differs from the catalog" in notice.inner_text()
    assert "catalog: 40" in page.locator(f"#seat-{first}").inner_text()
    page.locator("#seats").scroll_into_view_if_needed()
    shot(page.locator("#seats"), "scenario-seats")
    page.get_by_role("button", name="Take the catalog's values").click()
    page.get_by_text("Took the catalog's seats & sessions").wait_for()
    assert page.get_by_label(f"{first} capacity").input_value() == "40"
    assert page.locator("#seats-notice").count() == 0

    # 5. solve; the plan and its CSV name people and teams
    page.get_by_role("button", name="Solve", exact=True).click()
    page.locator('.run-panel[data-status="done"]').wait_for(timeout=60_000)
    page.locator("#run-plan a", has_text="Open plan").click()
    page.locator(".learner-list").wait_for()
    names = page.locator(".learner-list").inner_text()
    assert "张伟" in names and "Ana Ruiz" in names and "Growth Lab" in names
    page.locator(".learner-list a", has_text="Ana Ruiz").click()
    page.locator("#learner-name", has_text="Ana Ruiz").wait_for()
    assert "team Growth Lab" in page.locator("#learner-plan").inner_text()
    full(page, "plan-names")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    path = tmp_path / "plan.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert {(r["learner"], r["name"], r["team"]) for r in rows} <= {
        ("t.zhang", "张伟", "North 北区"), ("t.ruiz", "Ana Ruiz", "Growth Lab"),
        ("t.okafor", "Ade Okafor", "Growth Lab"),
    }  # fmt: skip
    assert rows


@pytest.fixture
def sweep_scenario(live_server):
    from planner.db import get_engine, session_scope
    from planner.services.scenarios import editor as scenarios
    from tests.e2e.test_staff_planning import upskilling_scenario

    with session_scope(get_engine(live_server.app)) as session:
        return scenarios.save_new(session, upskilling_scenario("Trade-off demo 2027")).id


def test_budget_tradeoff_curve_and_the_plan_behind_a_point(page, sweep_scenario):
    browser_sign_in(page, "staff")
    page.goto(f"/scenarios/{sweep_scenario}")
    page.get_by_role("link", name="Trade-off curve").click()
    page.get_by_label("Values").fill("0:12000:2000")
    page.get_by_label("Seconds per point").fill("5")
    page.get_by_role("button", name="Run the sweep").click()
    panel = page.locator(".sweep-panel")
    panel.wait_for()
    page.locator('.sweep-panel[data-status="done"]').wait_for(timeout=120_000)
    assert "7 of 7 points solved" in page.locator("#sweep-count").inner_text()
    chart = page.locator("#tradeoff-chart svg")
    points = chart.locator("a.point")
    assert points.count() == 7
    # hover values: each point carries its budget, gap and cost
    titles = [t.text_content() for t in chart.locator("a.point title").all()]
    assert titles[0].startswith("budget 0: gap ") and "cost" in titles[-1]
    gaps = [float(re.search(r"gap ([\d.]+)", t).group(1)) for t in titles]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] > gaps[-1]
    points.nth(3).hover()
    full(page, "tradeoff-curve")
    # the point at budget 6000: its page, then its plan
    points.nth(3).click()
    page.get_by_role("heading", name="Total budget 6000").wait_for()
    page.get_by_role("button", name="Open the plan").click()
    page.wait_for_url(re.compile(r".*/plans/\d+$"))
    assert "budget 6000" in page.locator(".crumbs").inner_text()
    page.locator("#term-grid").wait_for()


@pytest.fixture
def cohort_plan(live_server):
    """Catalog learners in two teams, and a solved plan of the Growth team."""
    from sqlmodel import select

    from planner.db import get_engine, session_scope
    from planner.models import Learner, SolveRun
    from planner.services.planning import jobs
    from planner.services.scenarios import editor as scenarios

    engine = get_engine(live_server.app)
    with session_scope(engine) as session:
        learners = session.exec(
            select(Learner).where(Learner.curriculum_id == "corporate-ai-upskilling")
        ).all()
        seeded = sorted((lr for lr in learners if not lr.id.startswith("t.")), key=lambda lr: lr.id)
        for i, learner in enumerate(seeded):
            learner.team = ["Growth", "Brand 品牌"][i % 2]
        session.flush()
        ids = [lr.id for lr in seeded if lr.team == "Growth"]
        record = scenarios.new_from_catalog(
            session, name="Growth cohort plan", curriculum_id="corporate-ai-upskilling",
            learner_ids=ids, terms=None,
        )  # fmt: skip
        sid = record.id
    runner = jobs.runner_for(get_engine(live_server.app))
    run_id = runner.submit(sid)
    assert runner.wait(run_id, 120)
    with session_scope(engine) as session:
        run = session.get(SolveRun, run_id)
        assert run.status == "done", run.error
        return run.plan_id


def test_cohort_heatmap_every_skill_filters_and_difference(page, cohort_plan):
    browser_sign_in(page, "staff")
    page.goto("/cohort/")
    box = page.locator("#heatmap")
    box.locator("table.heat").wait_for()
    columns = box.locator("thead th[title]").count()
    assert columns > 30  # no silent top 30
    assert f"× {columns} skills" in page.locator("#heat-size").inner_text()
    # the table scrolls sideways in its own box; the page itself does not
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    team_cell, data_cell = box.locator("tbody th").first, box.locator("tbody td").first
    x_team, x_data = team_cell.bounding_box()["x"], data_cell.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = 600; }")
    page.wait_for_timeout(100)
    assert data_cell.bounding_box()["x"] < x_data - 500  # the cells scrolled…
    assert abs(team_cell.bounding_box()["x"] - x_team) < 4  # …the team column stayed
    box.evaluate("b => { b.scrollLeft = 0; }")
    full(page, "cohort-heatmap-all-skills")

    # separate filters: a role, then a team
    assert "Growth" in page.locator("#team-filter").inner_text()
    assert "Growth" not in page.locator("#role-filter").inner_text()
    page.locator("#role-filter label", has_text="Marketing data analyst").locator("input").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*role=mkt-data-analyst.*"))
    assert page.locator("#role-filter input[value='mkt-data-analyst']").is_checked()

    # before / after / difference of a plan
    page.goto("/cohort/")
    page.get_by_label("Plan", exact=True).select_option(str(cohort_plan))
    page.locator("#view-choice label", has_text="Difference").locator("input").check()
    page.get_by_role("button", name="Show").click()
    page.locator("table.heat.heat-diff").wait_for()
    assert "Gap closed per person by plan" in page.locator("main").inner_text()
    closed = page.locator("table.heat-diff td.cell:not(.heat-0)")
    assert closed.count() > 0
    assert "closed" in closed.first.get_attribute("title")
    full(page, "cohort-heatmap-difference")
    page.locator("#view-choice label", has_text="Before").locator("input").check()
    page.get_by_role("button", name="Show").click()
    page.locator("table.heat:not(.heat-diff)").wait_for()
    assert "view=before" in page.url


def test_trade_off_cohort_and_import_pages_fit_a_phone(
    browser, live_server, sweep_scenario, tmp_path
):
    """At 390 px nothing scrolls sideways but the heatmap and wide tables, in their boxes."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        browser_sign_in(page, "staff")
        page.goto(f"/tradeoff/scenarios/{sweep_scenario}")
        page.get_by_label("Values").fill("0,3000")
        page.get_by_role("button", name="Run the sweep").click()
        page.locator('.sweep-panel[data-status="done"]').wait_for(timeout=60_000)
        pages = [page.url, "/cohort/"]
        for url in pages:
            page.goto(url)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390, (url, width)
        upload(page, tmp_path, BAD_CSV, "team-bad.csv")
        page.locator("#problem-table").wait_for()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
