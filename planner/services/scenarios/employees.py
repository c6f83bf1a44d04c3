"""Employees CSV → scenario learners, with row-level validation.

Columns (header row required, UTF-8, any order; only `employee_id` is required):

    employee_id  unique id (no ":")
    name         free text (kept for reports, not used by the solver)
    team         free text; feeds the team heatmap (analytics.team_gaps)
    role         a role id of the scenario, or blank
    levels       "skill=level;skill=level", levels 0-4
    target       "skill=level;..." extra targets beyond the role
    completed    "COURSE;COURSE"
    budget       per-person money limit, blank = unlimited
    terms        "TERM;TERM", blank = every term
    max_credits  per-term credit limit, blank = unlimited
    gap_mode     "minimise" or "close", blank = the scenario's

Every problem is collected with its row number (the header is row 1) and column; when
there is any, nothing is produced (`CohortImportError`). Identical employees are merged
later by `planner.solver.grouping`, so 100,000 rows with a few hundred distinct profiles
solve as a few hundred learners.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import ProblemsError
from planner.scenario import GAP_MODES, Learner, Scenario

COLUMNS = (
    "employee_id",
    "name",
    "team",
    "role",
    "levels",
    "target",
    "completed",
    "budget",
    "terms",
    "max_credits",
    "gap_mode",
)


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1 = header
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class CohortImportError(ProblemsError):
    """The employees file is bad; `problems` are RowProblems. Nothing was produced."""


@dataclass
class Cohort:
    learners: list[Learner]
    teams: dict[str, str] = field(default_factory=dict)  # employee id -> team
    names: dict[str, str] = field(default_factory=dict)

    def scenario(self, base: Scenario) -> Scenario:
        """The base scenario (catalog, roles, terms) with these employees as its learners."""
        return base.model_copy(update={"learners": self.learners})


class _Row:
    """Parses one row's cells, recording problems instead of raising."""

    def __init__(self, number: int, cells: dict, known: dict, problems: list[RowProblem]):
        self.n, self.cells, self.known, self.problems = number, cells, known, problems

    def bad(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.n, column, message))

    def text(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def ids(self, column: str, kind: str) -> list[str]:
        out = []
        for item in filter(None, (x.strip() for x in self.text(column).split(";"))):
            if item not in self.known[kind]:
                self.bad(column, f'unknown {kind[:-1]} "{item}"')
            out.append(item)
        return out

    def levels(self, column: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in filter(None, (x.strip() for x in self.text(column).split(";"))):
            skill, sep, value = (p.strip() for p in item.partition("="))
            if not sep:
                self.bad(column, f'"{item}" is not skill=level')
                continue
            if skill not in self.known["skills"]:
                self.bad(column, f'unknown skill "{skill}"')
            if value not in ("0", "1", "2", "3", "4"):
                self.bad(column, f'level of "{skill}" must be an integer 0-4 (got "{value}")')
                continue
            if skill in out:
                self.bad(column, f'skill "{skill}" given twice')
            out[skill] = int(value)
        return out

    def amount(self, column: str) -> float | None:
        raw = self.text(column)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.bad(column, f'"{raw}" is not a number')
            return None
        if not value >= 0 or value == float("inf"):
            self.bad(column, f"must be a finite number ≥ 0 (got {raw})")
            return None
        return int(value) if value.is_integer() else value


def read_employees(source: str | Path | io.TextIOBase, scenario: Scenario) -> Cohort:
    """Parse an employees CSV against a scenario's skills, roles, courses and terms."""
    text = _read_text(source)
    reader = csv.DictReader(io.StringIO(text))
    problems: list[RowProblem] = []
    header = reader.fieldnames or []
    _check_header(header, problems)
    if problems:
        raise CohortImportError(problems)
    known = {
        "skills": {s.id for s in scenario.skills},
        "roles": {r.id for r in scenario.roles},
        "courses": {c.id for c in scenario.courses},
        "terms": {t.id for t in scenario.terms},
    }
    learners: list[Learner] = []
    teams: dict[str, str] = {}
    names: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if None in cells:  # more cells than header columns
            problems.append(RowProblem(number, "", "more cells than the header has columns"))
            continue
        row = _Row(number, cells, known, problems)
        learner = _learner(row, first_row)
        if learner is not None:
            learners.append(learner)
            teams[learner.id] = row.text("team")
            names[learner.id] = row.text("name")
    if not learners and not problems:
        problems.append(RowProblem(2, "", "no employees"))
    if problems:
        raise CohortImportError(problems)
    return Cohort(learners, teams, names)


def _read_text(source) -> str:
    if hasattr(source, "read"):
        data = source.read()
        return data.decode("utf-8-sig") if isinstance(data, bytes) else data
    path = Path(source)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CohortImportError(
            [RowProblem(0, "", f"cannot read {path}: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError as exc:
        raise CohortImportError(
            [RowProblem(0, "", f"{path}: not UTF-8 (bad byte at offset {exc.start})")]
        ) from None


def _check_header(header: Sequence[str], problems: list[RowProblem]) -> None:
    if not header:
        problems.append(RowProblem(1, "", "empty file: a header row is required"))
        return
    seen = set()
    for column in header:
        if column not in COLUMNS:
            problems.append(
                RowProblem(1, column, f'unknown column "{column}" (known: {", ".join(COLUMNS)})')
            )
        if column in seen:
            problems.append(RowProblem(1, column, "column given twice"))
        seen.add(column)
    if "employee_id" not in header:
        problems.append(RowProblem(1, "employee_id", "required column missing"))


def _learner(row: _Row, first_row: dict[str, int]) -> Learner | None:
    before = len(row.problems)
    eid = row.text("employee_id")
    if not eid:
        row.bad("employee_id", "required")
    elif ":" in eid:
        row.bad("employee_id", f'"{eid}" contains ":"')
    elif eid in first_row:
        row.bad("employee_id", f'duplicate employee id "{eid}" (first at row {first_row[eid]})')
    else:
        first_row[eid] = row.n
    role = row.text("role") or None
    if role is not None and role not in row.known["roles"]:
        row.bad("role", f'unknown role "{role}"')
    levels = row.levels("levels")
    target = row.levels("target")
    completed = row.ids("completed", "courses")
    terms = row.ids("terms", "terms") or None
    budget = row.amount("budget")
    max_credits = row.amount("max_credits")
    gap_mode = row.text("gap_mode") or None
    if gap_mode not in (None, *GAP_MODES):
        row.bad("gap_mode", f'must be "minimise" or "close" (got "{gap_mode}")')
    if len(row.problems) > before:
        return None
    # Rows were checked field by field above; skip pydantic re-validation (100k rows).
    return Learner.model_construct(
        id=eid,
        role=role,
        target=target,
        levels=levels,
        completed=completed,
        count=1,
        terms=terms,
        max_credits=max_credits,
        budget=budget,
        gap_mode=gap_mode,
        required=[],
        excluded=[],
        pinned={},
    )
