"""Term calendars: the ordered terms (with season and credit limits) courses are offered in
and learners study in."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from planner.limits import ID_RE, ID_RULE
from planner.models import Course, Curriculum, Learner, Term, TermCalendar
from planner.services.catalog.edits import (
    Prefixed,
    commit,
    learners_naming,
    non_negative,
    refuse_if_referenced,
    row_to_save,
    start_edit,
    stored,
    users_in_words,
)


def terms_in_order(session: Session) -> list[Term]:
    """Every term of every calendar, calendar by calendar in term order."""
    return list(session.exec(select(Term).order_by(col(Term.calendar_id), col(Term.position))))


def term_keys(session: Session) -> tuple[list[str], list[str]]:
    """(term ids, seasons) known in any calendar, for `offered` hints and checks."""
    terms = terms_in_order(session)
    ids = list(dict.fromkeys(t.term_id for t in terms))
    seasons = list(dict.fromkeys(t.season for t in terms if t.season))
    return ids, seasons


def calendar_terms(session: Session, calendar_id: str) -> list[Term]:
    stmt = select(Term).where(Term.calendar_id == calendar_id).order_by(col(Term.position))
    return list(session.exec(stmt))


def calendar_data(session: Session, calendar: TermCalendar) -> dict:
    """The calendar as its edit form takes it (what `save_calendar` accepts)."""
    return {
        "id": calendar.id,
        "name": calendar.name,
        "terms": [
            {
                "term_id": t.term_id,
                "season": t.season,
                "max_credits": t.max_credits,
                "min_credits": t.min_credits,
            }
            for t in calendar_terms(session, calendar.id)
        ],
    }


def _term_users(session: Session, term_id: str) -> list[tuple[str, list[str]]]:
    offered = [
        cid
        for cid, keys in session.exec(select(Course.id, Course.offered))
        if keys and term_id in keys
    ]
    learners = learners_naming(session, ("terms",), term_id)
    pinned = [
        lid
        for lid, pins in session.exec(select(Learner.id, Learner.pinned))
        if term_id in (pins or {}).values()
    ]
    return [
        ("courses offered in it", offered),
        ("learners studying in it", learners),
        ("learners with a course pinned to it", pinned),
    ]


def save_calendar(session: Session, data: dict, existing_id: str | None = None) -> TermCalendar:
    """Create or update a calendar with its ordered terms (rows with an empty id are skipped)."""
    errors, data = start_edit(session, TermCalendar, "term calendar", data, existing_id)
    rows = []
    seen: dict[str, int] = {}
    for i, row in enumerate(data.get("terms") or []):
        term_id = (row.get("term_id") or "").strip()
        if not term_id:
            continue
        here = f"terms[{i}]"
        if not ID_RE.match(term_id):
            errors.add(f"{here}.term_id", ID_RULE)
        elif term_id in seen:
            errors.add(f"{here}.term_id", f'"{term_id}" is already in row {seen[term_id] + 1}')
        seen[term_id] = i
        non_negative(row, ("max_credits", "min_credits"), Prefixed(errors, here))
        rows.append((term_id, row))
    if existing_id:
        # A term removed here must not be one courses or learners still name, unless
        # another calendar keeps a term with the same id.
        elsewhere = set(
            session.exec(select(Term.term_id).where(col(Term.calendar_id) != existing_id)).all()
        )
        for term in calendar_terms(session, existing_id):
            if term.term_id in seen or term.term_id in elsewhere:
                continue
            if reasons := users_in_words(_term_users(session, term.term_id)):
                errors.add("terms", f'term "{term.term_id}" cannot be removed: used by {reasons}')
    errors.raise_if_any()
    calendar = row_to_save(session, TermCalendar, existing_id, data["id"])
    calendar.name = (data.get("name") or "").strip()
    session.add(calendar)
    session.flush()
    session.exec(delete(Term).where(col(Term.calendar_id) == calendar.id))
    for position, (term_id, row) in enumerate(rows):
        session.add(
            Term(
                calendar_id=calendar.id,
                term_id=term_id,
                season=(row.get("season") or "").strip() or None,
                max_credits=row.get("max_credits"),
                min_credits=row.get("min_credits") or 0,
                position=position,
            )
        )
    commit(session)
    return calendar


def delete_calendar(session: Session, calendar_id: str) -> None:
    calendar = stored(session, TermCalendar, calendar_id)
    curricula = session.exec(
        select(Curriculum.id).where(Curriculum.calendar_id == calendar_id)
    ).all()
    refuse_if_referenced(f'term calendar "{calendar_id}"', [("curricula", list(curricula))])
    session.exec(delete(Term).where(col(Term.calendar_id) == calendar_id))
    session.delete(calendar)
    commit(session)
