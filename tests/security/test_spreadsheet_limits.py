"""Finding 6: spreadsheet imports stream rows under hard limits. A 5 KB workbook that
declares A1:XFD1048576 (and has a cell there) drove `planner import` to 15.5 GB; now it is a
clear error, fast, under a 2 GB address-space limit. Damaged sheets are a clear error too."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlmodel import select

from planner.models import Course
from planner.services.io import tables
from planner.services.io.importer import import_file
from planner.services.io.report import ImportRejected

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def small_workbook(rows=(("AI900", "Safe title", 3),)) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "courses"
    sheet.append(["id", "title", "credits"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The workbook with xl/worksheets/sheet1.xml passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode("utf-8")).encode("utf-8")
            target.writestr(item, body)
    return out.getvalue()


def far_cell_bomb() -> bytes:
    """One cell at XFD1048576 and a dimension claiming the whole sheet."""

    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    return rewrite_sheet(small_workbook(), change)


def courses(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Course)).one()


def test_the_5kb_bomb_is_refused_fast_under_a_memory_limit(tmp_path):
    bomb = tmp_path / "courses.xlsx"
    bomb.write_bytes(far_cell_bomb())
    assert bomb.stat().st_size < 8_000
    database = tmp_path / "bomb.db"
    code = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
        from planner.cli import cli
        sys.argv = ["planner", "import", {str(bomb)!r}]
        cli()
        """
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": ROOT}
    env["OPENBLAS_NUM_THREADS"] = "1"  # thread arenas count against RLIMIT_AS
    cli_code = "from planner.cli import cli; cli()"
    subprocess.run([sys.executable, "-c", cli_code, "init-db"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output and "MemoryError" not in output
    assert "cells beyond column 100" in output or "more than" in output, output
    assert elapsed < 60, elapsed


def test_the_bomb_through_the_service_names_the_problem(db_session):
    before = courses(db_session)
    with pytest.raises(ImportRejected) as caught:
        import_file(db_session, far_cell_bomb(), "courses.xlsx")
    assert "cells beyond column 100" in str(caught.value) or "more than" in str(caught.value)
    assert courses(db_session) == before


@pytest.mark.parametrize(
    "damage",
    [
        lambda xml: xml[: len(xml) // 2],  # truncated
        lambda xml: xml.replace("<sheetData>", "<sheetData><row r=1>"),  # malformed XML
    ],
    ids=["truncated", "malformed"],
)
def test_damaged_sheet_xml_is_a_clear_error_on_the_cli(cli, tmp_path, monkeypatch, damage):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("init-db").exit_code == 0
    path = tmp_path / "courses.xlsx"
    path.write_bytes(rewrite_sheet(small_workbook(), damage))
    result = cli("import", path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "courses.xlsx:" in result.output and (
        "damaged" in result.output or "readable" in result.output
    )
    assert "nothing imported" in result.output


@pytest.mark.parametrize(
    ("limit", "value", "make", "message"),
    [
        ("MAX_ROWS", 50, lambda: small_workbook([(f"X{i}", "t", 1) for i in range(60)]),
         "more than 50 rows"),
        ("MAX_COLUMNS", 5, lambda: rewrite_sheet(small_workbook(), lambda x: x.replace(
            "</row>", '<c r="H2" t="inlineStr"><is><t>x</t></is></c></row>', 2)),
         "beyond column 5"),
        ("MAX_CELL_CHARS", 100, lambda: small_workbook([("AI901", "x" * 101, 3)]),
         "longer than 100 characters"),
        ("MAX_FILE_BYTES", 1000, small_workbook, "file larger than"),
        ("MAX_UNZIPPED_BYTES", 2000, small_workbook, "unpacks to more than"),
    ],
    ids=["rows", "columns", "cell", "file", "unzipped"],
)  # fmt: skip
def test_every_hard_limit_is_a_clear_error(db_session, monkeypatch, limit, value, make, message):
    data = make()
    monkeypatch.setattr(tables, limit, value)
    before = courses(db_session)
    with pytest.raises(ImportRejected) as caught:
        import_file(db_session, data, "courses.xlsx")
    assert message in str(caught.value)
    assert courses(db_session) == before


def test_csv_has_the_same_limits(db_session, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 10)
    text = "id,title,credits\n" + "".join(f"C{i},t,1\n" for i in range(11))
    with pytest.raises(ImportRejected, match="more than 10 rows"):
        import_file(db_session, text.encode(), "courses.csv")
    monkeypatch.setattr(tables, "MAX_CELL_CHARS", 20)
    with pytest.raises(ImportRejected, match="row 2, column title: cell longer than 20"):
        import_file(db_session, b"id,title,credits\nC1," + b"y" * 21 + b",1\n", "courses.csv")


def test_a_normal_workbook_still_imports(db_session):
    report = import_file(db_session, small_workbook(), "courses.xlsx")
    assert report.counts == {"courses": 1}
    assert db_session.get(Course, "AI900").title == "Safe title"
