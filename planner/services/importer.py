"""Import entry point for the web app and CLI (the work is in planner.services.io)."""

from planner.services.io.importer import ImportProblem, ImportRejected, ImportReport, import_file

__all__ = ["ImportProblem", "ImportRejected", "ImportReport", "import_file"]
