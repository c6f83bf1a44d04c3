"""Export catalog kinds as CSV, XLSX or JSON rows, and scenarios as JSON/YAML files.

What is exported imports back unchanged (the round-trip tests hold us to it).
"""

import io
import json

import yaml
from sqlmodel import Session

from planner.scenario import dump_json
from planner.services.io.cells import columns_of, flatten
from planner.services.io.records import FIELDS, KINDS, read_records
from planner.services.io.safe import SafeDictWriter, append_row
from planner.services.scenarios.build import scenario_from_db

FORMATS = ("csv", "xlsx", "json", "yaml")
RECORDS_FORMAT = "planner-records/1"


class ExportError(ValueError):
    """The kind/format pair makes no file (e.g. a scenario as CSV)."""


def export_kind(session: Session, kind: str, fmt: str, **selection) -> bytes:
    """The kind's rows as file bytes. `selection` goes to scenario_from_db for scenarios."""
    if fmt not in FORMATS:
        raise ExportError(f'unknown format "{fmt}" (one of {", ".join(FORMATS)})')
    if kind == "scenario":
        return _export_scenario(session, fmt, **selection)
    if kind not in KINDS:
        raise ExportError(f'unknown kind "{kind}" (one of {", ".join((*KINDS, "scenario"))})')
    if selection:
        raise ExportError(f"{kind} exports take no selection")
    records = read_records(session, kind)
    if fmt == "csv":
        return to_csv(kind, records)
    if fmt == "xlsx":
        return to_xlsx({kind: records})
    if fmt == "yaml":
        raise ExportError("YAML is for scenarios; export rows as csv, xlsx or json")
    return to_json(kind, records)


def export_workbook(session: Session) -> bytes:
    """Every catalog kind on its own sheet, in the order an import needs them."""
    return to_xlsx({kind: read_records(session, kind) for kind in KINDS})


def to_csv(kind: str, records: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    columns = columns_of(FIELDS[kind])
    writer = SafeDictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(flatten(kind, record, FIELDS[kind]))
    return out.getvalue().encode("utf-8")


def to_xlsx(sheets: dict[str, list[dict]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.worksheets[0])  # the blank sheet a new workbook starts with
    for kind, records in sheets.items():
        sheet = book.create_sheet(kind)
        columns = columns_of(FIELDS[kind])
        append_row(sheet, columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for record in records:
            row = flatten(kind, record, FIELDS[kind])
            # Text cells throughout: ids like "101" must stay text, not become numbers.
            append_row(sheet, [row[c] for c in columns])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_json(kind: str, records: list[dict]) -> bytes:
    document = {"format": RECORDS_FORMAT, "kind": kind, "rows": records}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _export_scenario(session: Session, fmt: str, **selection) -> bytes:
    if fmt not in ("json", "yaml"):
        raise ExportError("a scenario exports as json or yaml")
    text = dump_json(scenario_from_db(session, **selection))
    if fmt == "yaml":
        text = yaml.safe_dump(json.loads(text), allow_unicode=True, sort_keys=False)
    return text.encode("utf-8")
