"""GET /healthz: is this process up and can it reach its database? For load balancers,
container orchestrators and uptime checks (docs/deploy.md). Public: it names no data."""

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from planner.db import get_engine
from planner.security import public

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    engine = get_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        log.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database=engine.url.get_backend_name())
