"""Export -> import into a fresh database -> export again gives the same data."""

import io
import json

import pandas as pd
import pytest
from sqlmodel import Session

from planner.services.io.exporter import export_kind, export_workbook
from planner.services.io.importer import import_file
from planner.services.io.records import KINDS, write_records

RICH_SKILL = {
    "id": "data.sql", "area": "data-analysis", "area_name": "Data analysis",
    "area_name_zh": "数据分析", "name": "SQL for marketing data", "name_zh": "营销数据 SQL",
    "descriptors": ["None.", "Reads a query.", "Writes a join; a, b", "Tunes; \"quotes\"", "Leads."],
    "onet": ["2.C.3.a", "2.A.1.e"], "esco": ["http://data.europa.eu/esco/skill/x"],
}  # fmt: skip


@pytest.fixture
def rich_catalog(catalog_session):
    write_records(catalog_session, "skills", [RICH_SKILL])
    write_records(
        catalog_session,
        "roles",
        [{"id": "analyst", "name_zh": "营销数据分析师", "soc": ["13-1161.00", "15-2051.01"]}],
    )
    catalog_session.commit()
    return catalog_session


def sheet_data(data: bytes, kind: str) -> list[dict]:
    frame = pd.read_excel(io.BytesIO(data), sheet_name=kind, dtype=str, keep_default_na=False)
    return frame.to_dict("records")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_every_kind_round_trips(rich_catalog, other_engine, fmt):
    first = {kind: export_kind(rich_catalog, kind, fmt) for kind in KINDS}
    with Session(other_engine) as fresh:
        for kind in KINDS:  # dependency order: skills, roles, terms, courses, learners
            report = import_file(fresh, first[kind], f"{kind}.{fmt}")
            assert report.counts == {kind: len(export_rows(first[kind], kind, fmt))}
        again = {kind: export_kind(fresh, kind, fmt) for kind in KINDS}
    for kind in KINDS:
        if fmt == "xlsx":  # workbooks carry timestamps: compare the cells
            assert sheet_data(again[kind], kind) == sheet_data(first[kind], kind)
        else:
            assert again[kind] == first[kind], kind


def export_rows(data: bytes, kind: str, fmt: str) -> list:
    if fmt == "json":
        return json.loads(data)["rows"]
    if fmt == "xlsx":
        return sheet_data(data, kind)
    return data.decode().strip().splitlines()[1:]


def test_export_shows_the_documented_cells(rich_catalog):
    courses = export_kind(rich_catalog, "courses", "csv").decode().splitlines()
    assert courses[0] == (
        "id,title,curriculum,credits,hours,cost,capacity,max_sections,session_cost,offered,"
        "teaches,requires_skills,prerequisites,prerequisites_any"
    )
    assert (
        "MKT210,Marketing analytics with SQL,demo,3,0,600,30,2,1200,fall;2027-1,data.sql=3,"
        "data.excel=1,MKT101,STA101|MKT101" in courses
    )
    skills = json.loads(export_kind(rich_catalog, "skills", "json"))
    sql = next(r for r in skills["rows"] if r["id"] == "data.sql")
    assert sql["name_zh"] == "营销数据 SQL" and len(sql["descriptors"]) == 5


def test_workbook_with_every_sheet_imports_in_one_go(rich_catalog, other_engine):
    book = export_workbook(rich_catalog)
    with Session(other_engine) as fresh:
        report = import_file(fresh, book, "catalog.xlsx")
        assert report.counts == {"skills": 3, "roles": 1, "terms": 2, "courses": 4, "learners": 2}
        assert sheet_data(export_workbook(fresh), "learners") == sheet_data(book, "learners")


def test_scenario_round_trips_through_json_and_yaml(catalog_session, other_engine):
    first = export_kind(catalog_session, "scenario", "json", curriculum_id="demo")
    with Session(other_engine) as fresh:
        report = import_file(fresh, first, "demo.json")
        assert report.curriculum_id == "demo" and report.scenario_id is not None
        assert export_kind(fresh, "scenario", "json", curriculum_id="demo") == first
        as_yaml = export_kind(fresh, "scenario", "yaml", curriculum_id="demo")
        import_file(fresh, as_yaml, "demo.yaml")
        assert export_kind(fresh, "scenario", "json", curriculum_id="demo") == first


def test_import_from_a_path_on_disk(any_session, tmp_path):
    path = tmp_path / "my-skills.csv"
    path.write_text(
        "id,area,area_name,name,name_zh\nai.prompting,ai-tools,AI tools,Prompting,提示词设计\n",
        "utf-8",
    )
    report = import_file(any_session, path)
    assert report.counts == {"skills": 1}
    rows = json.loads(export_kind(any_session, "skills", "json"))["rows"]
    assert rows[0]["name_zh"] == "提示词设计" and rows[0]["area_name"] == "AI tools"
