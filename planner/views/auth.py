"""Sign in, sign out, and the profile page (password change, API token)."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlmodel import Session

from planner.db import get_session
from planner.models import User
from planner.security import current_user, login_required, public, sign_in, sign_out, staff_required
from planner.services.accounts import users as accounts
from planner.views import forms

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link reuse our login."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and not _has_unsafe_chars(target)
        ):
            return target
    return url_for("home.index")


def _has_unsafe_chars(text: str) -> bool:
    """CR/LF and friends cannot go into a Location header (and "\\" could turn "/" into "//")."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in text)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = forms.LoginForm()
    status = 200
    headers = {}
    if form.validate_on_submit():
        db = get_session()
        throttle = current_app.extensions.get("login_throttle")
        login = form.login.data or ""  # DataRequired: never empty here
        account, address = _throttle_keys(db, login)
        blocked = throttle.blocked(account, address) if throttle else None
        if blocked is not None:
            # Checked before the password, so guessing on stops working even when right.
            scope, wait = blocked
            minutes = max(1, -(-wait // 60))
            whose = "this account" if scope == "account" else "your network address"
            form.password.errors = [
                f"Too many failed sign-ins for {whose}. Try again in {minutes} minute"
                f"{'s' if minutes > 1 else ''}."
            ]
            status, headers = 429, {"Retry-After": str(wait)}
        else:
            user = accounts.authenticate(db, login, form.password.data or "")
            if user is None:
                if throttle:
                    throttle.failed(account, address)
                form.password.errors = ["Wrong username or password."]
                status = 401
            else:
                if throttle:
                    throttle.succeeded(account)
                session.clear()  # a fresh session on sign-in (no fixation)
                sign_in(user, remember=form.remember.data)
                flash(f"Signed in as {user.username}.", "success")
                return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status, headers


def _signed_in_user(db: Session) -> User:
    user = accounts.get_user(db, current_user.id)
    if user is None:  # deleted while this session was open
        abort(401)
    return user


def _throttle_keys(db, login: str) -> tuple[str, str]:
    """The account as stored (so username and e-mail count together), and the address."""
    user = accounts.find_user(db, login)
    account = f"user:{user.id}" if user else f"login:{login.strip().casefold()}"
    return account, request.remote_addr or "unknown"


@bp.post("/logout")
@login_required
def logout():
    if not forms.DeleteForm().validate():  # CSRF only
        return redirect(url_for("home.index"))
    sign_out(everywhere=True)  # also ends "keep me signed in" and other devices
    session.clear()
    flash("Signed out on every device.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    db = get_session()
    user = _signed_in_user(db)
    form = forms.PasswordForm()
    if form.validate_on_submit():
        if accounts.authenticate(db, user.username, form.current.data or "") is None:
            form.current.errors = ["That is not your current password."]
        else:
            try:
                accounts.set_password(db, user, form.new.data or "")  # ends every session
            except accounts.AccountError as exc:
                db.rollback()
                form.new.errors = [f"The new password {exc.message}."]
            else:
                db.commit()
                sign_in(user)  # this browser stays signed in, with the new session version
                flash("Password changed; you were signed out on every other device.", "success")
                return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html",
        user=user,
        form=form,
        token_form=forms.TokenForm(),
        new_token=None,
    )


@bp.post("/profile/token")
@staff_required
def new_token():
    """Issue an API token (staff only); it is shown once and only its hash is kept."""
    form = forms.TokenForm()
    if not form.validate():
        return redirect(url_for("auth.profile"))
    db = get_session()
    user = _signed_in_user(db)
    token = accounts.issue_token(db, user)
    db.commit()
    return render_template(
        "auth/profile.html",
        user=user,
        form=forms.PasswordForm(formdata=None),
        token_form=form,
        new_token=token,
    )


@bp.post("/profile/token/revoke")
@staff_required
def revoke_token():
    if forms.TokenForm().validate():
        db = get_session()
        accounts.revoke_token(db, _signed_in_user(db))
        db.commit()
        flash("API token revoked.", "info")
    return redirect(url_for("auth.profile"))
