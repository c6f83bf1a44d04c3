"""Export entry point for the web app and CLI (the work is in planner.services.io)."""

from planner.services.io.exporter import FORMATS, ExportError, export_kind, export_workbook

__all__ = ["FORMATS", "ExportError", "export_kind", "export_workbook"]
