"""Read CSV / XLSX / JSON bytes into header + numbered rows, reporting unreadable input."""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field

import pandas as pd
import yaml


@dataclass
class Table:
    """One sheet: `rows` pairs the row number a spreadsheet shows (header = 1) with cells."""

    columns: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    sheet: str | None = None


class Unreadable(ValueError):
    """The bytes cannot be read as the file type they claim; message says why and where."""


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Unreadable(
            f"not UTF-8: byte 0x{data[exc.start]:02x} at line {line} "
            f"(offset {exc.start}); save the file as UTF-8"
        ) from None


def read_csv(data: bytes) -> Table:
    text = decode_utf8(data)
    if not text.strip():
        raise Unreadable("empty file")
    header = next(csv.reader(io.StringIO(text)), [])
    _check_header(header)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise Unreadable(f"not a readable CSV file: {exc}") from None
    return _table(frame, None)


def read_xlsx(data: bytes) -> list[Table]:
    try:
        sheets = pd.read_excel(
            io.BytesIO(data),
            sheet_name=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="openpyxl",
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Unreadable(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    tables = []
    for name, frame in sheets.items():
        if len(frame.columns) == 0:
            tables.append(Table(columns=[], sheet=name))
            continue
        _check_header([str(c) for c in frame.columns])
        tables.append(_table(frame, name))
    if not any(t.columns for t in tables):
        raise Unreadable("empty workbook")
    return tables


def _check_header(header: list[str]) -> None:
    names = [h.strip().lower() for h in header]
    if not any(names):
        raise Unreadable("row 1 must name the columns")
    seen = set()
    for name in names:
        if name.startswith("unnamed:"):
            raise Unreadable("row 1 has a column without a name")
        if name in seen:
            raise Unreadable(f'row 1 names column "{name}" twice')
        seen.add(name)


def _table(frame: pd.DataFrame, sheet: str | None) -> Table:
    columns = [str(c).strip().lower() for c in frame.columns]
    table = Table(columns=columns, sheet=sheet)
    for index, values in enumerate(frame.itertuples(index=False, name=None)):
        cells = {c: ("" if v is None else str(v)) for c, v in zip(columns, values, strict=True)}
        if any(v.strip() for v in cells.values()):  # blank rows are spacing, not data
            table.rows.append((index + 2, cells))
    return table


def read_document(data: bytes, yaml_syntax: bool):
    """JSON or YAML into Python values."""
    text = decode_utf8(data)
    if not text.strip():
        raise Unreadable("empty file")
    try:
        return yaml.safe_load(text) if yaml_syntax else json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise Unreadable(f"invalid YAML{where}") from None
