"""The program-design page: coverage matrix (sortable), uncovered role skills with the
shortfall, prerequisite metrics, tracks per role, exports; the same report as `planner
program` (services/planning/program.py)."""

import csv
import io

from openpyxl import load_workbook

from planner.scenario import parse_scenario
from planner.scenario.generate import sized_body
from planner.services.planning.program import design_program
from tests.services.test_program import CURRICULUM
from tests.web.test_scenarios import store

# both roles have an entrant, so both get a track and their skills are checked
PROGRAM = {
    **CURRICULUM,
    "learners": [*CURRICULUM["learners"], {"id": "entrant-strategist", "role": "strategist"}],
}


def test_needs_staff(client, learner_client, app):
    sid = store(app, dict(PROGRAM))
    for url in (
        "/program/",
        f"/program/scenario/{sid}",
        "/program/curriculum/ai-marketing-college",
    ):
        assert client.get(url).status_code == 302
        assert learner_client.get(url).status_code == 403


def test_scenario_page_shows_the_cli_report(app, staff_client):
    sid = store(app, dict(PROGRAM))
    report = design_program(parse_scenario(PROGRAM))
    page = staff_client.get(f"/program/scenario/{sid}").get_data(as_text=True)
    # uncovered: the strategist needs law 2, L101 teaches law 1
    assert 'id="uncovered-table"' in page
    row = page[page.index('id="uncovered-table"') :]
    assert "strategist" in row and "−1" in row
    assert list(report.uncovered.shortfall) == [1]
    # the longest chain and the metrics of the CLI's report
    chain = " → ".join(f"<code>{c}</code>" for c in report.longest_chain)
    assert chain in page
    assert 'id="metrics-table"' in page and 'id="coverage-table"' in page
    # a track per role with its status
    assert page.count('class="track"') == len(report.tracks) == 2  # the entrants' roles
    assert "OPTIMAL" in page


def test_coverage_sorts_by_any_column(app, staff_client):
    sid = store(app, dict(PROGRAM))

    def order(query):
        page = staff_client.get(f"/program/scenario/{sid}?{query}").get_data(as_text=True)
        body = page[page.index('id="coverage-table"') :]
        body = body[body.index("<tbody>") : body.index("</tbody>")]
        return [cell.split("<small>")[0] for cell in body.split('<th scope="row" title="')[1:]]

    def ids(rows):
        return [r.split('">', 1)[1] for r in rows]

    assert ids(order("sort=course")) == ["A201", "L101", "M101", "S201", "S301"]
    assert ids(order("sort=course&dir=desc")) == ["S301", "S201", "M101", "L101", "A201"]
    assert ids(order("sort=sql"))[:2] == ["S301", "S201"]  # most taught first
    assert ids(order("sort=sql&dir=asc"))[-2:] == ["S201", "S301"]
    page = staff_client.get(f"/program/scenario/{sid}?sort=sql").get_data(as_text=True)
    assert 'aria-sort="descending"' in page


def test_exports_csv_and_xlsx(app, staff_client):
    sid = store(app, dict(PROGRAM))
    response = staff_client.get(f"/program/scenario/{sid}?export=coverage")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["course", "mkt", "sql", "ai", "law"] and len(rows) == 6
    response = staff_client.get(f"/program/scenario/{sid}?export=xlsx")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["coverage", "uncovered", "metrics", "plans"]
    assert book["uncovered"]["E2"].value == 1  # the shortfall
    assert staff_client.get(f"/program/scenario/{sid}?export=nope").status_code == 404


def test_curriculum_page_from_the_catalogue(staff_client):
    index = staff_client.get("/program/").get_data(as_text=True)
    assert "/program/curriculum/ai-marketing-college" in index
    page = staff_client.get("/program/curriculum/ai-marketing-college").get_data(as_text=True)
    assert 'id="coverage-table"' in page and 'id="tracks"' in page
    assert page.count('class="track"') >= 5
    assert staff_client.get("/program/curriculum/no-such").status_code == 404


def test_linked_from_navigation_and_the_scenario(app, staff_client):
    sid = store(app, dict(PROGRAM))
    home = staff_client.get("/").get_data(as_text=True)
    assert 'href="/program/"' in home
    editor = staff_client.get(f"/scenarios/{sid}").get_data(as_text=True)
    assert f'href="/program/scenario/{sid}"' in editor


def test_large_program_plans_tracks_after_the_page(app, staff_client):
    body = sized_body(courses=400, learners=6, skills=20, seed=4)
    sid = store(app, body)
    page = staff_client.get(f"/program/scenario/{sid}").get_data(as_text=True)
    assert f'hx-get="/program/scenario/{sid}?part=tracks"' in page
    assert 'class="track"' not in page  # not solved with the page
    assert "The first 300 of 400 courses in this order" in page
    assert page.count('<th scope="row"') == 300
    part = staff_client.get(f"/program/scenario/{sid}?part=tracks").get_data(as_text=True)
    assert "<html" not in part and part.count('class="track"') >= 1
    inline = staff_client.get(f"/program/scenario/{sid}?tracks=1").get_data(as_text=True)
    assert inline.count('class="track"') == part.count('class="track"')
