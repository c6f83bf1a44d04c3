"""Import and export of catalog data (see docs/import-formats.md): files read and written
in tables (tables, cells, records), checked row by row (checks), imported all-or-nothing
(importer, report) and exported (exporter, safe)."""
