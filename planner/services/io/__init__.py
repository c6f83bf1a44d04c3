"""Import and export of catalog data (see docs/import-formats.md)."""

from planner.services.io.exporter import FORMATS, ExportError, export_kind, export_workbook
from planner.services.io.importer import (
    ALL_KINDS,
    ImportProblem,
    ImportRejected,
    ImportReport,
    import_file,
)
from planner.services.io.records import KINDS, read_records, write_records

__all__ = [
    "ALL_KINDS",
    "FORMATS",
    "KINDS",
    "ExportError",
    "ImportProblem",
    "ImportRejected",
    "ImportReport",
    "export_kind",
    "export_workbook",
    "import_file",
    "read_records",
    "write_records",
]
