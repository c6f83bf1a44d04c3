"""Whole numbers from URLs and query strings, bounded so they always fit a database
integer: SQLite (and PostgreSQL bigint) cannot bind anything past 2**63 - 1, and an
unbounded id in a URL would otherwise end as a 500 instead of a 404."""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**63 - 1
MAX_PAGE = 10**9  # far past any real page; (page - 1) * per_page still fits


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` that 404s past MAX_DB_INT instead of reaching the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def register_converters(app) -> None:
    """Call before any blueprint is registered: rules bind their converter when added."""
    app.url_map.converters["int"] = BoundedIntConverter


def _parse(text) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None


def page_arg(name: str = "page", default: int = 1, high: int = MAX_PAGE) -> int:
    """A page number (or per-page count) from the query string, clamped to [1, high];
    anything that is not a whole number gives `default`."""
    value = _parse(request.args.get(name, default))
    if value is None:
        return default
    return min(max(value, 1), high)


def id_arg(name: str) -> int | None:
    """An id from the query string: None when absent or not a whole number; an id no
    row can have (beyond a database integer) is a 404."""
    raw = request.args.get(name)
    value = None if raw is None else _parse(raw)
    if value is not None and abs(value) > MAX_DB_INT:
        abort(404, description=f"There is no {name} {raw}.")
    return value
