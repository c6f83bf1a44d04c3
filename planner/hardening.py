"""Answers that hold up when attacked: security headers, request size limits, and a clear
maintenance page when the database is read-only.

Configuration (environment variable, or the app config key in brackets):
- `PLANNER_MAX_UPLOAD_MB` [MAX_CONTENT_LENGTH, in bytes]: largest request body (default 25 MB,
  a little above the 20 MB import file limit so the importer can name its own limit).
- `PLANNER_SECURE_COOKIES` [SECURE_COOKIES]: see planner.security (also turns on HSTS here).
docs/deploy.md ("Security") describes them.
"""

from __future__ import annotations

import contextlib
import os

from flask import current_app, make_response
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge, ServiceUnavailable

from planner.db import get_session
from planner.security import error_page

DEFAULT_MAX_UPLOAD_MB = 25

# No inline script or style anywhere: templates load ui.js (and a few page scripts) and *.css; htmx is told not to
# inject its indicator <style> and not to evaluate code (meta htmx-config in base.html).
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"

READ_ONLY_MESSAGE = (
    "The planner is in read-only maintenance mode: nothing can be saved right now. "
    "Your change was not saved; please try again later."
)


def init_app(app) -> None:
    if "MAX_CONTENT_LENGTH" not in app.config or app.config["MAX_CONTENT_LENGTH"] is None:
        megabytes = float(os.environ.get("PLANNER_MAX_UPLOAD_MB") or DEFAULT_MAX_UPLOAD_MB)
        app.config["MAX_CONTENT_LENGTH"] = int(megabytes * 2**20)
    app.after_request(_headers)
    app.register_error_handler(413, _too_large)
    for code in (409, 429, 503):  # the rest are registered in planner.security
        app.register_error_handler(code, _plain_error)
    app.register_error_handler(DBAPIError, _database_error)


def _headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _plain_error(error):
    return error_page(error)


def _too_large(_error):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return error_page(
        RequestEntityTooLarge(
            description=f"The request is larger than the {limit / 2**20:g} MB this server "
            "accepts. Nothing was saved; send a smaller file."
        )
    )


def is_read_only(error: DBAPIError) -> bool:
    """SQLite: 'attempt to write a readonly database'; PostgreSQL: SQLSTATE 25006
    (read-only transaction, e.g. a hot standby or default_transaction_read_only)."""
    orig = getattr(error, "orig", None)
    if getattr(orig, "sqlstate", None) == "25006" or getattr(orig, "pgcode", None) == "25006":
        return True
    text = str(orig or error).lower()
    return "readonly database" in text or "read-only transaction" in text


def _database_error(error: DBAPIError):
    with contextlib.suppress(Exception):  # the session may be unusable; the page must render
        get_session().rollback()
    if not is_read_only(error):
        raise error  # any other database failure stays a logged 500
    response = make_response(error_page(ServiceUnavailable(description=READ_ONLY_MESSAGE)))
    response.status_code = 503
    response.headers["Retry-After"] = "300"
    return response
