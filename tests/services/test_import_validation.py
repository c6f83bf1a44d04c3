"""Import rejects bad files with every problem named (file, row, column), changing nothing."""

import io

import pytest
from sqlalchemy import func, select

from planner.models import Course, Learner, Role, Skill
from planner.services.io.importer import import_file
from planner.services.io.report import ImportRejected


def counts(session):
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Skill, Role, Course, Learner)
    }


def rejected(session, data: bytes | str, filename: str, kind=None) -> list[str]:
    before = counts(session)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(ImportRejected) as info:
        import_file(session, raw, filename, kind)
    assert counts(session) == before  # all or nothing
    return [str(p) for p in info.value.problems]


COURSES_HEADER = "id,title,credits,teaches,prerequisites\n"


def test_every_bad_row_is_reported_and_nothing_changes(catalog_session):
    text = (
        COURSES_HEADER
        + "NEW1,Fine course,3,data.sql=2,\n"  # row 2: fine, yet not written
        + "NEW2,Bad skill,3,data.sq1=2,\n"  # row 3
        + "NEW3,Bad level,3,data.sql=7,\n"  # row 4
        + "NEW4,Negative,-2,,\n"  # row 5
        + "NEW1,Duplicate,1,,\n"  # row 6
        + "NEW5,Unknown prereq,1,,MKT999\n"  # row 7
    )
    found = rejected(catalog_session, text, "courses.csv")
    assert found == [
        'courses.csv: row 3, column teaches: unknown skill "data.sq1"',
        "courses.csv: row 4, column teaches: data.sql: level must be a whole number 0-4 (got 7)",
        "courses.csv: row 5, column credits: must be ≥ 0 (got -2)",
        'courses.csv: row 6, column id: duplicate id "NEW1" (first at row 2)',
        'courses.csv: row 7, column prerequisites: unknown course "MKT999"',
    ]
    assert catalog_session.get(Course, "NEW1") is None


def test_cycle_through_the_database_is_named(catalog_session):
    # MKT210 already needs MKT101; making MKT101 need MKT210 closes a cycle.
    found = rejected(catalog_session, COURSES_HEADER + "MKT101,Loop,3,,MKT210\n", "courses.csv")
    assert found == [
        "courses.csv: row 2, column prerequisites: prerequisite cycle: MKT101 → MKT210 → MKT101"
    ]


def test_cycle_within_the_file_is_named(any_session):
    text = "id,credits,prerequisites\nA,1,B\nB,1,A\nC,1,\n"
    assert rejected(any_session, text, "courses.csv") == [
        "courses.csv: row 2, column prerequisites: prerequisite cycle: A → B → A"
    ]


def test_unknown_and_missing_columns(any_session):
    found = rejected(any_session, "id,title,colour\nA,x,red\n", "courses.csv")
    assert len(found) == 1
    assert found[0].startswith("courses.csv: row 1, column colour: unknown column for courses")
    # Only the key column is required of every file; a new row still needs its credits.
    assert rejected(any_session, "title\nx\n", "courses.csv") == [
        "courses.csv: row 1, column id: missing required column for courses"
    ]
    assert rejected(any_session, "id,title\nA,x\n", "courses.csv") == [
        'courses.csv: row 2, column credits: new course "A" needs credits '
        "(the file has no credits column)"
    ]


def test_non_utf8_bytes_name_the_line(any_session):
    data = b"id,name\ndata.sql,SQL\n" + b"data.x,Caf\xe9\n"
    assert rejected(any_session, data, "skills.csv") == [
        "skills.csv: not UTF-8: byte 0xe9 at line 3 (offset 31); save the file as UTF-8"
    ]


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf"])
def test_empty_file(any_session, data):
    assert rejected(any_session, data, "skills.csv") == ["skills.csv: empty file"]


def test_header_only_file_has_no_rows(any_session):
    assert rejected(any_session, "id,name\n", "skills.csv") == ["skills.csv: no skills rows"]


def test_wrong_sheet_is_named(any_session):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "skills"
    book.active.append(["id", "name"])
    book.active.append(["data.sql", "SQL"])
    out = io.BytesIO()
    book.save(out)
    found = rejected(any_session, out.getvalue(), "catalog.xlsx", kind="courses")
    assert found == ['catalog.xlsx: wrong sheet: expected a sheet named "courses", found skills']


def test_not_an_xlsx(any_session):
    found = rejected(any_session, b"PK-not-really", "skills.xlsx")
    assert found == ["skills.xlsx: not a readable .xlsx workbook (BadZipFile)"]


def test_kind_cannot_be_guessed(any_session):
    found = rejected(any_session, "id,name\nx,y\n", "upload.csv")
    assert "cannot tell what the file holds" in found[0]


def test_learner_rules(catalog_session):
    text = (
        "id,role,levels,terms,pinned,required,excluded,gap_mode,count\n"
        "a,nobody,data.sql=2,2027-1,MKT210=2027-2,AI100,AI100,sometimes,0\n"
    )
    found = rejected(catalog_session, text, "learners.csv")
    assert found == [
        "learners.csv: row 2, column count: must be ≥ 1 (got 0)",
        'learners.csv: row 2, column role: unknown role "nobody"',
        'learners.csv: row 2, column gap_mode: must be "minimise" or "close" (got "sometimes")',
        'learners.csv: row 2, column pinned: term "2027-2" of MKT210 is not one of the learner\'s terms',
        'learners.csv: row 2, column required: "AI100" is both required and excluded',
    ]


def test_bad_scenario_file_reports_json_paths(any_session, catalog_data):
    import json

    catalog_data["courses"][2]["teaches"] = {"data.sq1": 3}
    found = rejected(any_session, json.dumps(catalog_data), "demo.json")
    assert found == ['demo.json: courses[2].teaches.data.sq1: unknown skill "data.sq1"']


def test_scenario_file_given_as_another_kind(any_session, catalog_data):
    import json

    found = rejected(any_session, json.dumps(catalog_data), "demo.json", kind="skills")
    assert found == [
        "demo.json: the file is a scenario (\"format\": 'planner-scenario/1'), not skills"
    ]
