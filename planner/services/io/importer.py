"""Import skills, roles, terms, courses and learners (CSV, XLSX, JSON rows) and scenario
files (JSON/YAML), all-or-nothing: every problem is reported, and nothing is written
unless there are none. Column formats: docs/import-formats.md.
"""

import re
from pathlib import Path, PurePath

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from planner.limits import COUNT_MAX
from planner.models import Course, Learner, Role, Skill
from planner.scenario import ScenarioError, parse_scenario
from planner.services.interop import import_standard
from planner.services.io import checks
from planner.services.io.records import KINDS, write_records
from planner.services.io.report import ImportProblem, ImportRejected, ImportReport
from planner.services.io.tables import Table, Unreadable, read_csv, read_document, read_xlsx
from planner.services.scenarios.build import slug, store_scenario

ALL_KINDS = (*KINDS, "scenario")
RECORDS_FORMAT = "planner-records/1"
# Columns that only one kind has: they tell a file's kind when its name does not.
SIGNATURES = {
    "skills": {"descriptor_0", "onet", "area"},
    "roles": {"requires", "weights", "soc"},
    "terms": {"calendar", "season", "min_credits"},
    "courses": {"credits", "teaches", "prerequisites", "offered"},
    "learners": {"levels", "completed", "target", "role", "pinned", "employee_id"},
}
# Other names a column may have: the employees CSV of `planner scenario cohort`
# (docs/cohort.md) says employee_id where a learners table says id.
ALIASES = {"learners": {"employee_id": "id"}}


def import_file(
    session: Session,
    source: str | Path | bytes,
    filename: str | None = None,
    kind: str | None = None,
    *,
    commit: bool = True,
    curriculum_id: str | None = None,
) -> ImportReport:
    """Validate and write one file in one transaction; raise ImportRejected on any problem.

    `source` is a path or the file's bytes (then `filename` tells the type, e.g. an upload).
    With `commit=False` the caller commits; on rejection nothing has been written either way.
    """
    if isinstance(source, bytes):
        data, name = source, filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportRejected(
                [ImportProblem(str(path), None, None, f"cannot read: {exc.strerror}")]
            ) from None
    if kind is not None and kind not in ALL_KINDS:
        raise ImportRejected(
            [
                ImportProblem(
                    name, None, None, f'unknown kind "{kind}" (one of {", ".join(ALL_KINDS)})'
                )
            ]
        )
    try:
        report = _import(session, data, name, kind, curriculum_id)
        if commit:
            session.commit()
        return report
    except ImportRejected:
        session.rollback()
        raise
    except IntegrityError as exc:  # a rule the checks missed, or a concurrent writer
        session.rollback()
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise ImportRejected(
            [ImportProblem(name, None, None, f"database refused the data: {reason}")]
        ) from None
    except BaseException:
        session.rollback()
        raise


def _import(
    session: Session, data: bytes, name: str, kind: str | None, curriculum_id
) -> ImportReport:
    def reject(message: str):
        raise ImportRejected([ImportProblem(name, None, None, message)])

    if not data.strip():
        reject("empty file")
    suffix = PurePath(name).suffix.lower()
    try:
        if kind is None:  # Moodle, CASE and Open Badges files say what they are
            report = import_standard(session, data, name, suffix)
            if report is not None:
                return report
        if suffix in (".json", ".yaml", ".yml"):
            document = read_document(data, yaml_syntax=suffix != ".json")
            is_scenario = (
                isinstance(document, dict)
                and document.get("format", RECORDS_FORMAT) != RECORDS_FORMAT
            )
            if is_scenario and kind not in (None, "scenario"):
                reject(f'the file is a scenario ("format": {document["format"]!r}), not {kind}')
            if kind == "scenario" or is_scenario:
                return _import_scenario(session, document, name, curriculum_id)
            tables = [_records_table(document, name, kind)]
        elif suffix == ".csv":
            tables = [read_csv(data)]
        elif suffix == ".xlsx":
            tables = read_xlsx(data)
        else:
            reject(f'unsupported file type "{suffix or name}": use .csv, .xlsx, .json, .yaml')
    except Unreadable as exc:
        reject(str(exc))
    if kind == "scenario":
        reject("a scenario must be a .json or .yaml file")
    jobs = _assign_kinds(tables, name, kind)
    return _import_tables(session, jobs, name)


def _import_scenario(session: Session, document, name: str, curriculum_id) -> ImportReport:
    if not isinstance(document, dict):
        raise ImportRejected([ImportProblem(name, None, None, "the top level must be an object")])
    try:
        scenario = parse_scenario(document, name)
    except ScenarioError as exc:
        raise ImportRejected(
            [ImportProblem(name, None, None, str(p)) for p in exc.problems]
        ) from None
    problems = _catalog_bounds(scenario, name) + _catalog_conflicts(session, scenario, name)
    if problems:
        raise ImportRejected(problems)
    stored = store_scenario(session, scenario, curriculum_id=curriculum_id or _stem_id(name))
    return ImportReport(
        file=name,
        counts={**stored.counts, "scenario": 1},
        scenario_id=stored.record.id,
        curriculum_id=stored.curriculum.id,
    )


def _catalog_bounds(scenario, name: str) -> list[ImportProblem]:
    """Whole numbers the catalog's integer columns must hold (the solver itself clamps)."""
    problems = []
    for kind, items, fields in (
        ("courses", scenario.courses, ("capacity", "max_sections")),
        ("learners", scenario.learners, ("count",)),
    ):
        for index, item in enumerate(items):
            for field_name in fields:
                value = getattr(item, field_name)
                if value is not None and value > COUNT_MAX:
                    problems.append(
                        ImportProblem(
                            name,
                            None,
                            None,
                            f"{kind}[{index}].{field_name}: must be at most {COUNT_MAX:,} "
                            f"to be stored in the catalog (got {value:.3g})",
                        )
                    )
    return problems


def _catalog_conflicts(session: Session, scenario, name: str) -> list[ImportProblem]:
    """The file is valid on its own; its all-of prerequisites must not close a cycle with
    courses already stored."""
    known = checks.Known.from_db(session)
    known.add("courses", [c.model_dump() for c in scenario.courses])
    rows = [checks.Row(i, c.model_dump()) for i, c in enumerate(scenario.courses)]
    problems = []
    for p in checks.check_cycles(rows, known):
        where = f"courses[{p.row}].prerequisites: " if p.row is not None else ""
        problems.append(ImportProblem(name, None, None, where + p.message))
    return problems


def _stem_id(name: str) -> str:
    return slug(PurePath(name).stem)


def _records_table(document, name: str, kind: str | None) -> Table:
    """A planner-records/1 document (what `export KIND --format json` writes) as a table."""
    rows = document.get("rows") if isinstance(document, dict) else document
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Unreadable('expected {"format": "planner-records/1", "kind": ..., "rows": [objects]}')
    if not rows:
        raise Unreadable("no rows")
    doc_kind = document.get("kind") if isinstance(document, dict) else None
    if doc_kind is not None and doc_kind not in KINDS:
        raise Unreadable(f'unknown kind "{doc_kind}"')
    if kind and doc_kind and kind != doc_kind:
        raise Unreadable(f"the file holds {doc_kind}, not {kind}")
    columns = list(dict.fromkeys(str(k).strip().lower() for r in rows for k in r))
    table = Table(columns=columns, sheet=doc_kind)
    for i, r in enumerate(rows):
        table.rows.append((i + 1, {str(k).strip().lower(): v for k, v in r.items()}))
    return table


def kind_from_name(name: str) -> str | None:
    words = set(re.split(r"[^a-z]+", PurePath(name).stem.lower()))
    found = [k for k in KINDS if k in words or k.rstrip("s") in words]
    return found[0] if len(found) == 1 else None


def kind_from_columns(columns: list[str]) -> str | None:
    scores = {k: len(SIGNATURES[k] & set(columns)) for k in KINDS}
    best = max(scores.values())
    winners = [k for k, s in scores.items() if s == best]
    return winners[0] if best and len(winners) == 1 else None


def _assign_kinds(tables: list[Table], name: str, kind: str | None) -> list[tuple[str, Table]]:
    """Which kind each table holds: --kind, then sheet names, file name, columns."""
    problems = []

    def problem(message, sheet=None):
        label = f"{name} [sheet {sheet}]" if sheet else name
        problems.append(ImportProblem(label, None, None, message))

    named = {
        t.sheet.strip().lower(): t for t in tables if t.sheet and t.sheet.strip().lower() in KINDS
    }
    jobs: list[tuple[str, Table]] = []
    if kind is not None:
        if kind in named:
            jobs = [(kind, named[kind])]
        elif named:
            problem(
                f'wrong sheet: expected a sheet named "{kind}", found {", ".join(sorted(named))}'
            )
        elif len([t for t in tables if t.columns]) == 1:
            jobs = [(kind, next(t for t in tables if t.columns))]
        else:
            problem(f'several sheets and none named "{kind}"')
    elif named:
        jobs = [(k, named[k]) for k in KINDS if k in named]  # dependency order
        for t in tables:
            if t not in named.values() and t.columns:
                problem(
                    f'unknown sheet "{t.sheet}": name sheets after what they hold ({", ".join(KINDS)})',
                    t.sheet,
                )
    else:
        filled = [t for t in tables if t.columns]
        if len(filled) > 1:
            problem(f"several sheets; name each after what it holds ({', '.join(KINDS)})")
        else:
            table = filled[0]
            guess = kind_from_name(name) or kind_from_columns(table.columns)
            if guess is None:
                problem(
                    f"cannot tell what the file holds: name it after its kind ({', '.join(KINDS)}) or give --kind"
                )
            else:
                jobs = [(guess, table)]
    if problems:
        raise ImportRejected(problems)
    return jobs


def _import_tables(session: Session, jobs: list[tuple[str, Table]], name: str) -> ImportReport:
    problems: list[ImportProblem] = []
    known = checks.Known.from_db(session)
    stored = {kind: _stored_keys(session, kind) for kind, _table in jobs}
    parsed: list[tuple[str, list[checks.Row], str]] = []

    def add(label: str, found):
        problems.extend(ImportProblem(label, p.row, p.column, p.message) for p in found)

    for kind, table in jobs:
        label = f"{name} [sheet {table.sheet}]" if table.sheet and len(jobs) > 1 else name
        if not table.rows:
            add(label, [checks.RowProblem(None, None, f"no {kind} rows")])
        table, alias_problems = _apply_aliases(kind, table)
        column_problems = alias_problems or checks.check_columns(kind, table.columns)
        add(label, column_problems)
        if column_problems:
            continue
        rows, found = checks.parse_rows(kind, table.rows)
        add(label, found)
        add(label, checks.check_duplicates(kind, rows))
        add(label, checks.check_required(kind, rows, stored[kind]))
        if kind == "skills":
            add(label, checks.check_areas(rows, known))
        if kind == "courses":
            for position, row in enumerate(rows):
                row.record["position"] = position
        known.add(kind, [r.record for r in rows])
        parsed.append((kind, rows, label))
    # References are checked once every sheet's ids are known.
    for kind, rows, label in parsed:
        add(label, checks.check_references(kind, rows, known))
        if kind == "courses":
            add(label, checks.check_cycles(rows, known))
    if problems:
        problems.sort(key=_order)
        raise ImportRejected(problems)
    counts, records = {}, {}
    for kind, rows, _label in parsed:
        records[kind] = [r.record for r in rows]
        counts[kind] = write_records(session, kind, records[kind])
    return ImportReport(file=name, counts=counts, records=records)


def _apply_aliases(kind: str, table: Table) -> tuple[Table, list[checks.RowProblem]]:
    """The table with aliased columns under their own names (employee_id -> id)."""
    aliases = {a: c for a, c in ALIASES.get(kind, {}).items() if a in table.columns}
    if not aliases:
        return table, []
    problems = [
        checks.RowProblem(1, alias, f'give either "{alias}" or "{column}", not both')
        for alias, column in aliases.items()
        if column in table.columns
    ]
    if problems:
        return table, problems
    renamed = Table(columns=[aliases.get(c, c) for c in table.columns], sheet=table.sheet)
    renamed.rows = [
        (number, {aliases.get(k, k): v for k, v in cells.items()}) for number, cells in table.rows
    ]
    return renamed, []


def _stored_keys(session: Session, kind: str) -> set:
    """Ids already stored (terms: none; a calendar's terms are replaced as a list)."""
    ids = {"skills": Skill.id, "roles": Role.id, "courses": Course.id, "learners": Learner.id}
    return set(session.scalars(select(col(ids[kind])))) if kind in ids else set()


def _order(p: ImportProblem) -> tuple[str, int]:
    """By file and row; within a row, in the order the checks found them (stable sort)."""
    return (p.file, p.row or 0)
