"""Who may do what: sign-in (Flask-Login), role rules, API tokens, CSRF and cookie settings.

Every view carries exactly one authorisation decorator from this module (`public`,
`login_required`, `staff_required`, `admin_required`, `learner_required`, `token_required`);
each one marks the view with `_authz` so a test can prove no route was left unguarded.

Browser requests are protected against CSRF by Flask-WTF (forms carry a hidden token, HTMX
sends it as the X-CSRFToken header). Paths under /api/ are exempt: they accept only bearer
tokens, never the session cookie, so a forged cross-site request carries no credential.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import wraps

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import SQLAlchemyError

from planner.db import get_session
from planner.services.accounts.throttle import LoginThrottle
from planner.services.accounts.users import end_sessions, get_user, user_for_token

login_manager = LoginManager()
csrf = CSRFProtect()

STAFF_ROLES = ("staff", "admin")
API_PREFIX = "/api/"

__all__ = [
    "Account",
    "admin_required",
    "current_user",
    "init_app",
    "learner_required",
    "login_required",
    "public",
    "roles_required",
    "sign_in",
    "sign_out",
    "staff_required",
    "token_required",
]


@dataclass(frozen=True)
class Account:
    """The signed-in user as the web layer sees it: a plain value, not a DB row.

    Keeping it detached means templates never trigger lazy loads on a closed session.
    """

    id: int
    username: str
    role: str
    email: str | None = None
    learner_id: str | None = None
    session_version: int = 1

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """What the session and the remember cookie keep (Flask-Login's alternative id)."""
        return login_id(self.id, self.session_version)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_learner(self) -> bool:
        return self.role == "learner"

    @classmethod
    def of(cls, user) -> Account:
        return cls(
            user.id, user.username, user.role, user.email, user.learner_id, user.session_version
        )


def login_id(user_id: int, session_version: int) -> str:
    """ "<account id>:<session version>": bumping the account's session version (sign-out,
    password change) makes every session and remember cookie holding the old one invalid."""
    return f"{user_id}:{session_version}"


class Anonymous(AnonymousUserMixin):
    role = None
    username = None
    learner_id = None
    is_staff = False
    is_learner = False


def init_app(app) -> None:
    """Cookie hardening, Flask-Login, CSRF and error pages (HTML, or JSON under /api/)."""
    # Secure cookies need HTTPS: on for deployments (SECURE_COOKIES=True or the env var),
    # off by default so `planner demo` works on http://127.0.0.1.
    env_secure = os.environ.get("PLANNER_SECURE_COOKIES", "").lower() in ("1", "true", "yes")
    secure = bool(app.config.get("SECURE_COOKIES", env_secure))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
        SESSION_COOKIE_SECURE=secure or app.config.get("SESSION_COOKIE_SECURE", False),
    )
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    # CSRF is checked in our own hook so API paths can be skipped (see module docstring).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    app.extensions["login_throttle"] = LoginThrottle.from_config(app.config)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to open that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"  # a stolen cookie from elsewhere turns non-fresh
    login_manager.anonymous_user = Anonymous
    csrf.init_app(app)

    app.before_request(_csrf_protect)
    for code in (400, 401, 403, 404, 405, 413, 422, 429, 500):
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.context_processor(_template_helpers)


@login_manager.user_loader
def _load_user(user_id: str):
    account, sep, version = user_id.partition(":")
    try:
        user = get_user(get_session(), int(account)) if sep else None
    except ValueError:
        return None
    if user is None or str(user.session_version) != version:
        return None  # signed out everywhere (or the password changed) since this login
    return Account.of(user)


@login_manager.unauthorized_handler
def _unauthorized():
    if _wants_json():
        return _json_error(401, "sign in required")
    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _csrf_protect():
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True) or request.path.startswith(API_PREFIX):
        return
    if request.method in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
        csrf.protect()


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def _json_error(status: int, message: str, path: str = ""):
    response = jsonify({"errors": [{"path": path, "message": message}]})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="planner"'
    return response


def error_page(error):
    status = getattr(error, "code", 500) or 500
    description = getattr(error, "description", None) or "Something went wrong."
    if _wants_json():
        return _json_error(status, str(description))
    return render_template("home/error.html", status=status, description=description), status


def _csrf_error(error):
    return (
        render_template(
            "home/error.html",
            status=400,
            description="The form expired or was sent from another site. Reload and try again.",
        ),
        400,
    )


def _template_helpers():
    def has_endpoint(name: str) -> bool:
        return name in current_app.view_functions

    return {"has_endpoint": has_endpoint}


# --- signing in -----------------------------------------------------------------------


def sign_in(user, remember: bool = False) -> Account:
    account = Account.of(user)
    login_user(account, remember=remember)
    return account


def sign_out(everywhere: bool = True) -> None:
    """End this session; with `everywhere`, every other session and remember cookie of
    the account too (its session version goes up)."""
    if everywhere and current_user.is_authenticated:
        session = get_session()
        try:
            user = get_user(session, current_user.id)
            if user is not None:
                end_sessions(session, user)
                session.commit()
        except SQLAlchemyError:  # e.g. a read-only database: still end this session
            session.rollback()
    logout_user()


# --- authorisation decorators ---------------------------------------------------------


def _mark(view, rule: str):
    view._authz = rule
    return view


def public(view):
    """Open to everyone (sign-in page, static help). Say so explicitly."""
    return _mark(view, "public")


def roles_required(*roles: str, rule: str | None = None):
    """Signed-in users whose role is one of `roles`; others get 403, anonymous a sign-in."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403, description="Your account may not open this page.")
            return view(*args, **kwargs)

        return _mark(wrapped, rule or "+".join(roles) or "login")

    return decorate


def login_required(view):
    """Any signed-in user."""
    return roles_required(rule="login")(view)


def staff_required(view):
    """Staff and admins: catalog editing, scenarios, plans."""
    return roles_required(*STAFF_ROLES, rule="staff")(view)


def admin_required(view):
    return roles_required("admin", rule="admin")(view)


def learner_required(view):
    """Learner accounts linked to a learner row (they see only their own data)."""

    def check(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != "learner":
                abort(403, description="This page is for learner accounts.")
            if not current_user.learner_id:
                abort(403, description="Your account is not linked to a learner yet.")
            return view(*args, **kwargs)

        return _mark(wrapped, "learner")

    return check(view)


def token_required(view=None, *, roles: tuple[str, ...] = STAFF_ROLES):
    """API views: `Authorization: Bearer <token>` of a staff/admin account, else 401 JSON.

    The account is in `g.api_user` (an Account). Session cookies are deliberately ignored.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return _json_error(401, "missing bearer token (Authorization: Bearer <token>)")
            user = user_for_token(get_session(), token.strip())
            if user is None:
                return _json_error(401, "invalid token")
            if user.role not in roles:
                return _json_error(403, "this token's account may not use this endpoint")
            g.api_user = Account.of(user)
            return view(*args, **kwargs)

        return _mark(wrapped, "token")

    return decorate(view) if view is not None else decorate
