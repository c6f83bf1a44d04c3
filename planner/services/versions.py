"""Optimistic concurrency: every editable row carries an edit `version`.

An editor (form or API) hands back the version it was opened at; `claim` checks it and
bumps it in one conditional UPDATE, so of two saves from the same stale version exactly
one wins, whatever the timing (SQLite serialises writers; PostgreSQL re-checks the WHERE
after the first writer commits). The loser gets `StaleEdit`, and `differences` tells the
user, field by field, how their values differ from the stored ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlmodel import Session

ANY = object()  # callers without an editor (imports, scripts): bump without checking


class StaleEdit(Exception):
    """The row changed (or went) since the editor was opened; nothing was saved."""

    def __init__(self, current: int | None, given):
        self.current = current  # None: the row is gone
        self.given = given
        super().__init__(f"stale edit: given version {given}, stored {current}")


def parse_version(value) -> int | None:
    """A posted version ("3", 3, '"3"' from an ETag) as an int, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip().removeprefix("W/").strip('"')
    return int(text) if text.isdigit() and len(text) < 12 else None


def claim(session: Session, model, key, expected=ANY) -> int:
    """Check the row's version is `expected` and bump it; return the new version.

    `expected` None (the editor sent no version) is refused like a stale one."""
    pk = _pk(model)
    where = [pk == key]
    if expected is not ANY:
        if expected is None:
            raise StaleEdit(current_version(session, model, key), None)
        where.append(model.version == expected)
    result = session.execute(
        update(model).where(*where).values(version=model.version + 1).returning(model.version)
    )
    row = result.first()
    if row is None:
        raise StaleEdit(current_version(session, model, key), expected)
    # Keep a loaded object in step, so a later flush does not write the old number back.
    loaded = session.identity_map.get(session.identity_key(model, key))
    if loaded is not None:
        from sqlalchemy.orm.attributes import set_committed_value

        set_committed_value(loaded, "version", row[0])
    return row[0]


def current_version(session: Session, model, key) -> int | None:
    return session.execute(select(model.version).where(_pk(model) == key)).scalar()


def _pk(model):
    return model.__table__.primary_key.columns.values()[0]


# -- what differs -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    label: str
    yours: str
    stored: str

    def __str__(self) -> str:
        return f"{self.label}: yours {self.yours} vs stored {self.stored}"


def show(value, limit: int = 120) -> str:
    """A value as the stale-save message shows it."""
    if value in (None, "", [], {}, ()):
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dict):
        text = ", ".join(f"{k}={show(v)}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ", ".join(show(v) if isinstance(v, list | tuple | dict) else str(v) for v in value)
        if isinstance(value, tuple):
            return text
    else:
        text = str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{text}”"


def differences(yours: dict, stored: dict, labels: dict[str, str]) -> list[Difference]:
    """Fields (in `labels` order) whose values differ, already normalised by the caller."""
    out = []
    for key, label in labels.items():
        mine, theirs = yours.get(key), stored.get(key)
        if _norm(mine) == _norm(theirs):
            continue
        if isinstance(mine, list) and isinstance(theirs, list) and mine and theirs:
            # Long lists (a calendar's terms, a course's skills): only the entries that differ.
            mine, theirs = (
                [x for x in mine if x not in theirs],
                [x for x in theirs if x not in mine],
            )
        out.append(Difference(label, show(mine), show(theirs)))
    return out


def _norm(value):
    if value in (None, "", [], {}, ()):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def stale_message(what: str, diffs: list[Difference], gone: bool = False) -> list[str]:
    """The lines shown above the form."""
    if gone:
        return [f"This {what} was deleted since you opened it; nothing was saved."]
    lines = [f"Someone else saved this {what} since you opened it, so your changes were NOT saved."]
    if diffs:
        lines.append("Where your form differs from what is stored now:")
        lines.extend(f"• {d}" for d in diffs)
    else:
        lines.append("Your form holds the same values as the stored version.")
    lines.append(
        "The form below still holds your values and now carries the stored version: "
        "save again to replace the stored values with yours, or reload the page to start "
        "from the stored values."
    )
    return lines
