"""The one way every CSV and XLSX file leaves the program: formula-safe, control-free cells.

A spreadsheet runs a text cell that begins with `=`, `+`, `-` or `@` (and, in some
programs, tab or carriage return) as a formula: `=HYPERLINK(...)` in a course title would
become a live link, `=cmd|' /C calc'!A0` a command. Every writer passes its cells through
`safe_cell`, which prefixes such text with `'` (the OWASP advice), strips the control
characters no spreadsheet can hold (openpyxl refuses them), and leaves numbers alone (a
negative number is data, not a formula; so is text that is just a number, like "-0.50").

Imports read `'` + trigger back with `restore_cell`, so what is exported imports back
unchanged: `safe_cell` also prefixes text that already starts with quotes before a trigger,
which keeps the pair a bijection (`'=x` -> `''=x` -> `'=x`).
"""

from __future__ import annotations

import csv
import io
import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls except tab, line feed and carriage return (which text cells may hold), and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def safe_cell(value):
    """A value ready for a CSV or XLSX cell (non-strings are returned as they are)."""
    if not isinstance(value, str):
        return value
    text = CONTROL.sub("", value)
    if not text:
        return text
    if text[0] in TRIGGERS and not _NUMBER.match(text):
        return "'" + text
    if _QUOTED.match(text):
        return "'" + text
    return text


def safe_row(row) -> list:
    return [safe_cell(v) for v in row]


def restore_cell(value):
    """Undo `safe_cell`'s prefix on an imported cell (`'=x` -> `=x`)."""
    if isinstance(value, str) and _QUOTED.match(value):
        return value[1:]
    return value


class SafeWriter:
    """`csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    def writerow(self, rowdict):
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})


def csv_text(header, rows, **kwargs) -> str:
    out = io.StringIO(newline="")
    writer = SafeWriter(out, **kwargs)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def safe_frame(frame):
    """A pandas frame (values and index) made safe, for `DataFrame.to_csv`."""
    frame = frame.map(safe_cell)
    frame.index = frame.index.map(safe_cell)
    frame.columns = frame.columns.map(safe_cell)
    return frame


def append_row(sheet, row) -> None:
    """`worksheet.append` with safe cells. openpyxl would store "=..." text as a formula."""
    sheet.append(safe_row(row))
