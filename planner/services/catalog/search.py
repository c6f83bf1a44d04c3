"""Catalog lists: one page of any kind with a case-insensitive search, counts, one row by id.

A kind is the URL word of the catalog pages and the API ("areas", "skills", "roles",
"courses", "calendars", "learners"); `KINDS` says which model serves it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from planner.models import Course, Learner, Role, Skill, SkillArea, TermCalendar
from planner.services.catalog.edits import NotFound

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    q: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# kind -> (model, searched columns). Ordering by the primary key keeps LIMIT/OFFSET on an
# index however large the table grows.
KINDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "areas": (SkillArea, ("id", "name", "name_zh")),
    "skills": (Skill, ("id", "name", "name_zh", "area_id")),
    "roles": (Role, ("id", "name", "name_zh")),
    "courses": (Course, ("id", "title")),
    "calendars": (TermCalendar, ("id", "name")),
    "learners": (Learner, ("id", "name", "team")),
}


def search(
    session: Session, kind: str, q: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Page:
    """One page of `kind`, filtered by a case-insensitive substring of its text columns."""
    model, columns = KINDS[kind]
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    q = (q or "").strip()
    stmt = select(model)
    count = select(func.count()).select_from(model)
    if q:
        needle = q.lower()
        where = or_(
            *(func.lower(getattr(model, c)).contains(needle, autoescape=True) for c in columns)
        )
        stmt = stmt.where(where)
        count = count.where(where)
    total = session.exec(count).one()
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    items = session.exec(
        stmt.order_by(model.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(list(items), total, page, per_page, q)


def counts(session: Session) -> dict[str, int]:
    return {
        kind: session.exec(select(func.count()).select_from(model)).one()
        for kind, (model, _) in KINDS.items()
    }


def get(session: Session, kind: str, item_id: str) -> Any:
    row = session.get(KINDS[kind][0], item_id)
    if row is None:
        raise NotFound(f'no {kind[:-1]} "{item_id}"')
    return row
