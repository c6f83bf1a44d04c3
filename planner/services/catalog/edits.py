"""What every catalog edit shares: the errors it raises and the checks it runs.

Views hand over plain dicts and get back rows or a `CatalogError` whose `errors` map a field
path ("credits", "teaches[2].skill", "prerequisites") to messages, so every message can be
shown beside its field. Rules shared with scenario files (value ranges, unknown ids,
prerequisite cycles, learner pin conflicts) are checked by building a small scenario and
running `planner.scenario.parse_scenario` on it (`scenario_problems`), so the web app and the
file format can never disagree about what is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from planner.limits import id_problem
from planner.models import Learner
from planner.scenario import LEVEL_NAMES, ScenarioError, parse_scenario

LEVELS = range(len(LEVEL_NAMES))
SHOWN_REFERENCES = 5  # name this many referencing ids, then "and N more"

Row = TypeVar("Row", bound=SQLModel)


class CatalogError(ValueError):
    """Invalid input or a refused change; `errors` maps field paths to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k or 'form'}: {' '.join(v)}" for k, v in errors.items()))


class NotFound(LookupError):
    pass


def stored(session: Session, model: type[Row], item_id: str) -> Row:
    row = session.get(model, item_id)
    if row is None:
        raise NotFound(f'no {model.__name__} "{item_id}"')
    return row


def row_to_save(
    session: Session, model: type[Row], existing_id: str | None, new_id: str, **defaults: Any
) -> Row:
    """The stored row an edit updates, or a new row with `new_id`."""
    if existing_id:
        return stored(session, model, existing_id)
    return model(id=new_id, **defaults)


class ErrorSink(Protocol):
    def add(self, path: str, message: str) -> None: ...


class Errors(dict[str, list[str]]):
    """field path -> [messages]; `add` keeps the first-seen order."""

    def add(self, path: str, message: str) -> None:
        self.setdefault(path, [])
        if message not in self[path]:
            self[path].append(message)

    def raise_if_any(self) -> None:
        if self:
            raise CatalogError(dict(self))


class Prefixed:
    """Errors view that prefixes paths (for per-row checks)."""

    def __init__(self, errors: Errors, prefix: str):
        self.errors, self.prefix = errors, prefix

    def add(self, path: str, message: str) -> None:
        self.errors.add(f"{self.prefix}.{path}", message)


def start_edit(
    session: Session, model: type[SQLModel], label: str, data: dict, existing_id: str | None
) -> tuple[Errors, dict]:
    """An edit's errors, starting with those of a new row's id, and its data with the id
    (an update keeps the id it was opened with)."""
    errors = Errors()
    if existing_id is None:
        check_new_id(session, model, data.get("id", ""), errors, label)
        return errors, data
    return errors, {**data, "id": existing_id}


def check_new_id(
    session: Session, model: type[SQLModel], item_id: str, errors: Errors, label: str
) -> None:
    if not item_id or not item_id.strip():
        errors.add("id", "required")
    elif problem := id_problem(item_id):
        errors.add("id", problem)
    elif session.get(model, item_id) is not None:
        errors.add("id", f'a {label} with id "{item_id}" already exists')


def level_rows(
    rows: Iterable[dict], field: str, errors: Errors, skills: set[str]
) -> Iterator[tuple[int, str, int, dict]]:
    """Yield (index, skill, level, row) for filled rows, recording errors as `field[i].…`."""
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        skill = (row.get("skill") or "").strip()
        level = row.get("level")
        if not skill and level in (None, ""):
            continue  # a blank row of the form
        here = f"{field}[{i}]"
        if not skill:
            errors.add(f"{here}.skill", "choose a skill")
            continue
        if skill not in skills:
            errors.add(f"{here}.skill", f'unknown skill "{skill}"')
            continue
        if skill in seen:
            errors.add(f"{here}.skill", f'"{skill}" is already in row {seen[skill] + 1}')
            continue
        seen[skill] = i
        if level is None or level == "" or not isinstance(level, int) or level not in LEVELS:
            errors.add(f"{here}.level", "level must be a whole number from 0 to 4")
            continue
        yield i, skill, level, row


def non_negative(data: Mapping[str, Any], fields: Iterable[str], errors: ErrorSink) -> None:
    for name in fields:
        value = data.get(name)
        if value is not None and (not isinstance(value, int | float) or value < 0):
            errors.add(name, "cannot be negative")


def all_ids(session: Session, model: Any) -> set[str]:
    return set(session.exec(select(model.id)).all())


def id_name_choices(session: Session, model: Any) -> list[tuple[str, str]]:
    """(id, name or id) of every row of a named catalog table, by id: a list's options."""
    return [(r.id, r.name or r.id) for r in session.exec(select(model).order_by(model.id))]


def scenario_problems(body: dict, prefix: str) -> list[tuple[str, str]]:
    """Run the scenario file rules on `body`; return (path below `prefix`, message)."""
    try:
        parse_scenario(body)
    except ScenarioError as exc:
        out = []
        for p in exc.problems:
            if p.path.startswith(prefix):
                out.append((p.path[len(prefix) :].lstrip("."), p.message))
            elif "prerequisite cycle" in p.message:
                out.append(("prerequisites", p.message))
        return out
    return []


def add_scenario_problems(
    errors: Errors,
    problems: list[tuple[str, str]],
    row_fields: Mapping[str, list[dict]],
    renamed: Mapping[str, str] | None = None,
) -> None:
    """File-rule problems beside their form fields: a skill of a row list (`row_fields`:
    field -> the form's rows) beside its row, anything else beside its top-level field
    (`renamed`: file key -> form field)."""
    for path, message in problems:
        field = re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""
        if field in row_fields and path.startswith(field + "."):
            errors.add(_row_path(field, row_fields[field], path[len(field) + 1 :]), message)
        else:
            errors.add((renamed or {}).get(field, field), message)


def _row_path(field: str, rows: list[dict], skill: str) -> str:
    for i, row in enumerate(rows):
        if (row.get("skill") or "").strip() == skill:
            return f"{field}[{i}].skill"
    return field


def learners_naming(session: Session, fields: tuple[str, ...], value: str) -> list[str]:
    """Learners whose JSON list/dict columns mention `value` (scanned: JSON is not indexed)."""
    columns = [getattr(Learner, f) for f in fields]
    out = []
    for learner_id, *values in session.exec(select(Learner.id, *columns)):
        if any(v and value in v for v in values):
            out.append(learner_id)
    return out


def _shorten(ids: list[str]) -> str:
    ids = sorted(ids)
    shown = ", ".join(ids[:SHOWN_REFERENCES])
    more = len(ids) - SHOWN_REFERENCES
    return shown + (f" and {more} more" if more > 0 else "")


def users_in_words(references: list[tuple[str, list[str]]]) -> str:
    """ "courses a, b; learners c" for the (what, ids) pairs that name any id ("" if none)."""
    return "; ".join(f"{what} {_shorten(ids)}" for what, ids in references if ids)


def refuse_if_referenced(label: str, references: list[tuple[str, list[str]]]) -> None:
    if reasons := users_in_words(references):
        raise CatalogError({"": [f"Cannot delete {label}: it is still used by {reasons}."]})


def commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise CatalogError({"": [f"the database refused the change: {exc.orig}"]}) from None
