"""Read CSV / XLSX / JSON bytes into header + numbered rows, reporting unreadable input."""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field

import yaml

from planner.limits import JSONLimitError, check_nesting, loads_json
from planner.services.io.safe import restore_cell


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


# Hard limits on spreadsheet imports (a catalog has hundreds of rows and ~20 columns).
MAX_FILE_BYTES = 20 * 2**20
MAX_UNZIPPED_BYTES = 200 * 2**20  # all parts of an .xlsx once unpacked (zip bombs)
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000


def _check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"file larger than {MAX_FILE_BYTES // 2**20} MB")


def read_csv(data: bytes) -> Table:
    _check_size(data)
    text = decode_utf8(data)
    if not text.strip():
        raise Unreadable("empty file")
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows, [])
        _check_header(header)
        return _build([str(h) for h in header], rows, None)
    except csv.Error as exc:
        raise Unreadable(f"not a readable CSV file: {exc}") from None


def read_xlsx(data: bytes) -> list[Table]:
    """Stream every sheet row by row (openpyxl read-only mode) under the hard limits.

    The declared `<dimension>` is ignored: a tiny file may claim A1:XFD1048576, and sizing
    anything from it (as pandas did) took gigabytes.
    """
    from openpyxl import load_workbook

    _check_size(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Unreadable("not a readable .xlsx workbook (BadZipFile)") from None
    if unpacked > MAX_UNZIPPED_BYTES:
        raise Unreadable(f"workbook unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged parts; none is a bug here
        raise Unreadable(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    tables = []
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            try:
                header = _trim(next(rows, ()))
                if not any(_text(v).strip() for v in header):
                    tables.append(Table(columns=[], sheet=sheet.title))
                    continue
                header = [_text(v) for v in header]
                _check_header(header)
                tables.append(_build(header, rows, sheet.title))
            except Unreadable as exc:
                raise Unreadable(f"sheet {sheet.title}: {exc}") from None
            except Exception as exc:  # truncated or malformed sheet XML
                raise Unreadable(
                    f"sheet {sheet.title} is damaged and cannot be read ({exc.__class__.__name__})"
                ) from None
    finally:
        book.close()
    if not any(t.columns for t in tables):
        raise Unreadable("empty workbook")
    return tables


def _trim(row) -> list:
    """Drop trailing empty cells (formatted but empty cells come as None)."""
    row = list(row)
    while row and (row[-1] is None or row[-1] == ""):
        row.pop()
    return row


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 101 typed in a spreadsheet comes back as 101.0
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _build(header: list[str], rows, sheet: str | None) -> Table:
    """Header + raw rows -> Table, stopping at the first row beyond a limit."""
    columns = [h.strip().lower() for h in header]
    table = Table(columns=columns, sheet=sheet)
    for number, raw in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise Unreadable(f"more than {MAX_ROWS} rows (row {number})")
        if not raw:  # a gap between rows (read-only openpyxl yields one per missing row)
            continue
        values = _trim(raw)
        if len(values) > len(columns):
            if len(values) > MAX_COLUMNS:
                raise Unreadable(f"row {number} has cells beyond column {MAX_COLUMNS}")
            raise Unreadable(f"row {number} has more cells than row 1 has column names")
        cells = {}
        for column, value in zip(columns, values, strict=False):
            text = _text(value)
            if len(text) > MAX_CELL_CHARS:
                raise Unreadable(
                    f"row {number}, column {column}: cell longer than {MAX_CELL_CHARS} characters"
                )
            cells[column] = restore_cell(text)
        for column in columns[len(values) :]:
            cells[column] = ""
        if any(v.strip() for v in cells.values()):  # blank rows are spacing, not data
            table.rows.append((number, cells))
    return table


def _check_header(header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise Unreadable(f"row 1 has cells beyond column {MAX_COLUMNS}")
    names = [h.strip().lower() for h in header]
    if not any(names):
        raise Unreadable("row 1 must name the columns")
    seen = set()
    for name in names:
        if not name or name.startswith("unnamed:"):
            raise Unreadable("row 1 has a column without a name")
        if name in seen:
            raise Unreadable(f'row 1 names column "{name}" twice')
        seen.add(name)


def read_document(data: bytes, yaml_syntax: bool):
    """JSON or YAML into Python values."""
    text = decode_utf8(data)
    if not text.strip():
        raise Unreadable("empty file")
    try:
        if yaml_syntax:
            document = yaml.safe_load(text)
            check_nesting(document)
            return document
        return loads_json(text)
    except (JSONLimitError, RecursionError) as exc:
        raise Unreadable(
            str(exc) if isinstance(exc, JSONLimitError) else "nested too deep"
        ) from None
    except json.JSONDecodeError as exc:
        raise Unreadable(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise Unreadable(f"invalid YAML{where}") from None
