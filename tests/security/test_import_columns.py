"""Finding 1 and 4 replayed: partial-column imports must keep every stored value they do
not name; bad rows are refused with their row and column, and nothing changes.

Every case goes through the real `planner import` command on a copy of the seeded web
database, in each format a user can hand in (CSV, XLSX, JSON rows).
"""

from __future__ import annotations

import copy
import io
import json

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from planner import db
from planner.models import Course, Learner, Role, Skill, TermCalendar
from planner.services.io.cells import format_cell
from planner.services.io.records import KINDS, read_records
from tests.security.dbdump import dump

FORMATS = ("csv", "xlsx", "json")


@pytest.fixture
def url(web_db_path, monkeypatch):
    url = f"sqlite:///{web_db_path}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def records(url) -> dict[str, list[dict]]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            return {kind: read_records(session, kind) for kind in KINDS}
    finally:
        engine.dispose()


def version(url, model, key) -> int:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(model.version).where(model.id == key)).one()
    finally:
        engine.dispose()


def write_file(tmp_path, kind: str, fmt: str, columns: list[str], rows: list[dict]):
    """The rows as a file of the given format, named after its kind."""
    path = tmp_path / f"{kind}.{fmt}"
    if fmt == "json":
        doc = {"format": "planner-records/1", "kind": kind, "rows": rows}
        path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        return path
    cells = [[format_cell(c, r.get(c)) for c in columns] for r in rows]
    if fmt == "csv":
        import csv

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        writer.writerows(cells)
        path.write_text(buf.getvalue(), "utf-8")
    else:
        wb = Workbook()
        sheet = wb.active
        sheet.title = kind
        sheet.append(columns)
        for row in cells:
            sheet.append(row)
        wb.save(path)
    return path


# kind -> (stored id, model, columns of the file, the change: {column: new value})
PARTIAL = {
    "courses": ("AI102", Course, ["id", "credits"], {"credits": 3}),
    "learners": ("analytics-team", Learner, ["id", "team"], {"team": "north"}),
    "skills": ("ai.ad-optimisation", Skill, ["id", "name_zh"], {"name_zh": "广告优化"}),
    "roles": ("ai-mkt-strategist", Role, ["id", "weights"], {"weights": {"ai.prompting": 3}}),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", sorted(PARTIAL))
def test_a_partial_file_changes_only_the_columns_it_names(cli, url, tmp_path, kind, fmt):
    key, model, columns, change = PARTIAL[kind]
    before = records(url)
    stored = next(r for r in before[kind] if r["id"] == key)
    # The attack's victims really hold data the old importer wiped.
    assert (
        stored.get("title")
        or stored.get("levels")
        or stored.get("descriptors")
        or (stored.get("requires"))
    )
    old_version = version(url, model, key)
    path = write_file(tmp_path, kind, fmt, columns, [{"id": key, **change}])
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    assert f"imported 1 {kind}" in result.output
    expected = copy.deepcopy(before)
    next(r for r in expected[kind] if r["id"] == key).update(change)
    assert records(url) == expected  # every other field of every row is as it was
    assert version(url, model, key) == old_version + 1  # open editors see the change


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_terms_file_without_season_keeps_the_stored_seasons(cli, url, tmp_path, fmt):
    before = records(url)
    calendar = "ai-marketing-college"
    terms = [t for t in before["terms"] if t["calendar"] == calendar]
    assert any(t["season"] for t in terms)
    rows = [{"calendar": calendar, "id": t["id"], "max_credits": 20} for t in terms]
    old_version = version(url, TermCalendar, calendar)
    result = cli(
        "import", write_file(tmp_path, "terms", fmt, ["calendar", "id", "max_credits"], rows)
    )
    assert result.exit_code == 0, result.output
    expected = copy.deepcopy(before)
    for t in expected["terms"]:
        if t["calendar"] == calendar:
            t["max_credits"] = 20
    assert records(url) == expected
    assert version(url, TermCalendar, calendar) == old_version + 1


# (file name, content, expected "row N, column C: message" fragments)
LONG = "x" * 10_000_000
REFUSED = [
    pytest.param(
        "courses.csv", "id,title\nNEW101,A new course\n",
        ['row 2, column credits: new course "NEW101" needs credits'], id="new-course-no-credits",
    ),
    pytest.param(
        "skills.csv", "id,name,area\nx.y,,no-such-area\n",
        ["row 2, column name: name is empty", 'row 2, column area: unknown skill area "no-such-area"'],
        id="finding4-empty-name-unknown-area",
    ),
    pytest.param(
        "skills.json",
        json.dumps({"kind": "skills", "rows": [{"id": "x.z", "name": "X", "area": "nope"}]}),
        ['row 1, column area: unknown skill area "nope"'], id="unknown-area-json",
    ),
    pytest.param(
        "skills.csv", "id,name\nai.ad-optimisation,\n",
        ["row 2, column name: name is empty"], id="empty-an-existing-name",
    ),
    pytest.param(
        "courses.json", json.dumps({"kind": "courses", "rows": [{"id": "AI\u0000X", "credits": 3}]}),
        ["row 1, column id: id 'AI\\x00X' may not contain"], id="nul-in-id",
    ),
    pytest.param(
        "courses.json", json.dumps({"kind": "courses", "rows": [{"id": "a\r\nb", "credits": 3}]}),
        ["row 1, column id: id 'a\\r\\nb' may not contain"], id="crlf-in-id",
    ),
    pytest.param(
        "courses.csv", 'id,credits\n"say""hi",3\n',
        ['row 2, column id: id "say"hi" may not contain'], id="quote-in-id",
    ),
    pytest.param(
        "learners.csv", "id,name\n/..\\etc,x\n",
        ['row 2, column id: id "/..\\etc" may not contain'], id="path-in-id",
    ),
    pytest.param(
        "courses.json",
        json.dumps({"kind": "courses", "rows": [{"id": "AI102", "title": "bell\u0007"}]}),
        ["row 1, column title: contains a control character"], id="control-char-title",
    ),
    pytest.param(
        "courses.json", json.dumps({"kind": "courses", "rows": [{"id": "AI102", "title": LONG}]}),
        ["row 1, column title: longer than 300 characters (10000000)"], id="10mb-title",
    ),
    pytest.param(
        "courses.csv", "id,curriculum\nAI102,../x\n",
        ['row 2, column curriculum: id "../x" may not contain'], id="path-curriculum",
    ),
    pytest.param(
        "learners.csv", "id,count\nanalytics-team,100000000000000000000000\n",
        ["row 2, column count: must be at most 1,000,000"], id="count-1e23",
    ),
    pytest.param(
        "courses.json", '{"kind": "courses", "rows": [{"id": "AI102", "credits": 1' + "0" * 400 + "}]}",
        ["row 1, column credits: number too large"], id="credits-10^400",
    ),
    pytest.param(
        "learners.json",
        json.dumps({"kind": "learners", "rows": [{"id": "analytics-team", "team": "a\nb"}]}),
        ["row 1, column team: contains a control character"], id="newline-in-team",
    ),
    pytest.param(
        "skills.json",
        json.dumps({"kind": "skills", "rows": [{"id": "ai.ad-optimisation", "descriptors": "x"}]}),
        ["row 1, column descriptors: expected a list of five descriptor texts"], id="descriptor-str",
    ),
    pytest.param(
        "learners.csv", "id,levels\nanalytics-team,data.sql=7\n",
        ["row 2, column levels: data.sql: level must be a whole number 0-4 (got 7)"], id="level-7",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "expected"), REFUSED)
def test_bad_rows_are_refused_by_row_and_column_and_nothing_changes(
    cli, url, tmp_path, name, content, expected
):
    before = dump(url)
    path = tmp_path / name
    path.write_text(content, "utf-8")
    result = cli("import", path)
    assert result.exit_code == 1, result.output
    for fragment in expected:
        assert fragment in result.output, result.output[:2000]
    assert "nothing imported" in result.output
    assert len(result.output) < 5000  # a 10 MB cell is not echoed back
    assert dump(url) == before


def test_huge_capacity_in_a_workbook_is_refused_and_nothing_changes(cli, url, tmp_path):
    before = dump(url)
    path = write_file(tmp_path, "courses", "xlsx", ["id", "capacity"], [])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["courses"].append(["AI102", str(2**64)])
    wb.save(path)
    result = cli("import", path)
    assert result.exit_code == 1
    assert "row 2, column capacity: must be at most 1,000,000" in result.output
    assert dump(url) == before


def test_an_area_the_file_names_is_created_explicitly(cli, url, tmp_path):
    """Giving area_name is how a file creates an area on purpose."""
    path = tmp_path / "skills.csv"
    path.write_text("id,name,area,area_name\nx.new,New skill,new-area,New area\n", "utf-8")
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    skills = {r["id"]: r for r in records(url)["skills"]}
    assert skills["x.new"]["area"] == "new-area" and skills["x.new"]["area_name"] == "New area"
