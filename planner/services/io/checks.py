"""Validation of imported records: each cell, then rules across rows and the database.

Every problem names its row and column; nothing is written unless there are none.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from planner.models import Course, Prerequisite, Role, Skill, SkillArea, Term
from planner.scenario import GAP_MODES
from planner.scenario.validate import find_cycles
from planner.services.io.cells import DESCRIPTOR_COLUMNS, CellError, parse_cell
from planner.services.io.records import FIELDS, KEYS, REQUIRED


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # as a spreadsheet shows it (header = 1); None = the whole file
    column: str | None
    message: str


@dataclass
class Row:
    number: int
    record: dict
    columns: frozenset = frozenset()  # the cells the row had (a bad cell leaves no key)


def allowed_columns(kind: str) -> set[str]:
    fields = set(FIELDS[kind])
    if "descriptors" in fields:
        fields |= set(DESCRIPTOR_COLUMNS)  # spreadsheets spread the list over five columns
    return fields


def check_columns(kind: str, columns: list[str]) -> list[RowProblem]:
    problems = []
    allowed = allowed_columns(kind)
    for column in columns:
        if column not in allowed:
            problems.append(
                RowProblem(
                    1, column, f"unknown column for {kind} (known: {', '.join(sorted(allowed))})"
                )
            )
    for column in KEYS[kind]:
        if column not in columns:
            problems.append(RowProblem(1, column, f"missing required column for {kind}"))
    return problems


def check_required(kind: str, rows: list["Row"], stored: set) -> list[RowProblem]:
    """A new row (id not in `stored`) must give every REQUIRED field; no row may empty one.
    A column the file lacks keeps an existing row's stored value."""
    problems = []
    label = kind[:-1]
    for row in rows:
        for field_name in REQUIRED[kind]:
            if field_name in row.record:
                value = row.record[field_name]
                if value is None or (isinstance(value, str) and not value.strip()):
                    problems.append(RowProblem(row.number, field_name, f"{field_name} is empty"))
            elif field_name not in row.columns and row.record["id"] not in stored:
                problems.append(
                    RowProblem(
                        row.number,
                        field_name,
                        f'new {label} "{row.record["id"]}" needs {field_name} '
                        f"(the file has no {field_name} column)",
                    )
                )
    return problems


def check_areas(rows: list["Row"], known: "Known") -> list[RowProblem]:
    """A skill's area must exist, or the file must create it by giving its area_name:
    a typo never makes a new area silently."""
    named = {r.record["area"] for r in rows if r.record.get("area") and r.record.get("area_name")}
    problems = []
    for row in rows:
        area = row.record.get("area")
        if area and area not in known.areas and area not in named:
            problems.append(
                RowProblem(
                    row.number,
                    "area",
                    f'unknown skill area "{area}": add it under Catalog → Skill areas, '
                    "or give its area_name in this file to create it",
                )
            )
    return problems


def parse_rows(kind: str, rows: list[tuple[int, dict]]) -> tuple[list[Row], list[RowProblem]]:
    """Cells -> records; only the columns the file has become record keys."""
    out, problems = [], []
    for number, cells in rows:
        record = {}
        for column, raw in cells.items():
            if column in DESCRIPTOR_COLUMNS:
                continue
            try:
                record[column] = parse_cell(column, raw)
            except CellError as exc:
                problems.append(RowProblem(number, column, str(exc)))
        if any(c in cells for c in DESCRIPTOR_COLUMNS):
            texts = [str(cells.get(c) or "").strip() for c in DESCRIPTOR_COLUMNS]
            for column, text in zip(DESCRIPTOR_COLUMNS, texts, strict=True):
                try:
                    parse_cell("descriptors", [text])  # the JSON rows' text rules
                except CellError as exc:
                    problems.append(RowProblem(number, column, str(exc)))
            if any(texts):
                for column, text in zip(DESCRIPTOR_COLUMNS, texts, strict=True):
                    if not text:
                        problems.append(
                            RowProblem(number, column, "give all five level descriptors or none")
                        )
            record["descriptors"] = texts if any(texts) else []
        if "descriptors" in cells:  # JSON rows carry the list itself
            texts = record.get("descriptors") or []
            if texts and len(texts) != 5:
                problems.append(
                    RowProblem(
                        number, "descriptors", f"needs 5 descriptors (levels 0-4), got {len(texts)}"
                    )
                )
        # Keep rows with other bad cells: their good cells still get reference checks,
        # so one pass reports everything (any problem blocks the write anyway).
        if "id" in record:
            out.append(Row(number, record, frozenset(cells)))
    return out, problems


def key_of(kind: str, record: dict):
    return (record.get("calendar"), record["id"]) if kind == "terms" else record["id"]


def check_duplicates(kind: str, rows: list[Row]) -> list[RowProblem]:
    first: dict = {}
    problems = []
    for row in rows:
        key = key_of(kind, row.record)
        if key in first:
            label = f'"{key[1]}" in calendar "{key[0]}"' if kind == "terms" else f'"{key}"'
            problems.append(
                RowProblem(row.number, "id", f"duplicate id {label} (first at row {first[key]})")
            )
        else:
            first[key] = row.number
    return problems


@dataclass
class Known:
    """Ids that exist once this import is written: the database's plus the file's own."""

    skills: set = field(default_factory=set)
    areas: set = field(default_factory=set)
    roles: set = field(default_factory=set)
    courses: set = field(default_factory=set)
    terms: set = field(default_factory=set)
    seasons: set = field(default_factory=set)
    prerequisites: dict = field(default_factory=dict)  # course -> all-of prerequisites

    @classmethod
    def from_db(cls, session: Session) -> "Known":
        known = cls(
            skills=set(session.scalars(select(Skill.id))),
            areas=set(session.scalars(select(SkillArea.id))),
            roles=set(session.scalars(select(Role.id))),
            courses=set(session.scalars(select(Course.id))),
        )
        for term_id, season in session.execute(select(Term.term_id, Term.season)):
            known.terms.add(term_id)
            if season:
                known.seasons.add(season)
        graph = defaultdict(list)
        for course_id, pre in session.execute(
            select(Prerequisite.course_id, Prerequisite.prerequisite_id).order_by(
                Prerequisite.position
            )
        ):
            graph[course_id].append(pre)
        known.prerequisites = dict(graph)
        return known

    def add(self, kind: str, records: list[dict]) -> None:
        ids = {r["id"] for r in records}
        if kind == "skills":
            self.skills |= ids
        elif kind == "roles":
            self.roles |= ids
        elif kind == "courses":
            self.courses |= ids
            for r in records:
                if "prerequisites" in r:
                    self.prerequisites[r["id"]] = r["prerequisites"]
        elif kind == "terms":
            self.terms |= ids
            self.seasons |= {r["season"] for r in records if r.get("season")}


def check_references(kind: str, rows: list[Row], known: Known) -> list[RowProblem]:
    check = {"roles": _role_refs, "courses": _course_refs, "learners": _learner_refs}.get(kind)
    problems = []
    if check:
        for row in rows:
            problems.extend(
                RowProblem(row.number, column, msg) for column, msg in check(row.record, known)
            )
    return problems


def _unknown_keys(column: str, mapping: dict, known: set, what: str):
    for key in mapping:
        if key not in known:
            yield column, f'unknown {what} "{key}"'


def _unknown_items(column: str, items, known: set, what: str):
    for item in items:
        if item not in known:
            yield column, f'unknown {what} "{item}"'


def _role_refs(r: dict, known: Known):
    yield from _unknown_keys("requires", r.get("requires", {}), known.skills, "skill")
    yield from _unknown_keys("weights", r.get("weights", {}), known.skills, "skill")


def _course_refs(r: dict, known: Known):
    yield from _unknown_keys("teaches", r.get("teaches", {}), known.skills, "skill")
    yield from _unknown_keys("requires_skills", r.get("requires_skills", {}), known.skills, "skill")
    yield from _unknown_items("prerequisites", r.get("prerequisites", []), known.courses, "course")
    for group in r.get("prerequisites_any", []):
        yield from _unknown_items("prerequisites_any", group, known.courses, "course")
    for key in r.get("offered") or []:
        if key not in known.terms and key not in known.seasons:
            yield "offered", f'"{key}" is neither a term id nor a season of any term'


def _learner_refs(r: dict, known: Known):
    if r.get("role") and r["role"] not in known.roles:
        yield "role", f'unknown role "{r["role"]}"'
    if r.get("gap_mode") not in (None, *GAP_MODES):
        yield "gap_mode", f'must be "minimise" or "close" (got "{r["gap_mode"]}")'
    for column in ("levels", "target"):
        yield from _unknown_keys(column, r.get(column, {}), known.skills, "skill")
    for column in ("completed", "required", "excluded"):
        yield from _unknown_items(column, r.get(column, []), known.courses, "course")
    yield from _unknown_items("terms", r.get("terms") or [], known.terms, "term")
    own_terms = set(r["terms"]) if r.get("terms") else known.terms
    excluded, completed = set(r.get("excluded", [])), set(r.get("completed", []))
    for course, term in r.get("pinned", {}).items():
        if course not in known.courses:
            yield "pinned", f'unknown course "{course}"'
        if term not in own_terms:
            yield "pinned", f'term "{term}" of {course} is not one of the learner\'s terms'
        if course in excluded:
            yield "pinned", f'"{course}" is both pinned and excluded'
        if course in completed:
            yield "pinned", f'"{course}" is both pinned and completed'
    for course in r.get("required", []):
        if course in excluded:
            yield "required", f'"{course}" is both required and excluded'


def check_cycles(rows: list[Row], known: Known) -> list[RowProblem]:
    """All-of prerequisites (database + file) must form no cycle; name each cycle once."""
    graph = known.prerequisites
    row_of = {row.record["id"]: row.number for row in rows}
    problems = []
    for cycle in find_cycles(graph):
        in_file = [c for c in cycle if c in row_of]
        at = min(in_file, key=row_of.get) if in_file else None
        problems.append(
            RowProblem(
                row_of.get(at),
                "prerequisites",
                "prerequisite cycle: " + " → ".join(_rotate(cycle, at)),
            )
        )
    return problems


def _rotate(cycle: list[str], start: str | None) -> list[str]:
    """Start the named cycle at the course the user is looking at."""
    ring = cycle[:-1]
    if start in ring:
        i = ring.index(start)
        ring = ring[i:] + ring[:i]
    return ring + ring[:1]
