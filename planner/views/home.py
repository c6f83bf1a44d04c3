"""The start page: what each kind of user can do next."""

from flask import Blueprint, redirect, render_template, url_for

from planner.db import get_session
from planner.security import current_user, login_required, public
from planner.services.catalog import search

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    counts = search.counts(get_session()) if current_user.is_staff else None
    return render_template("home/index.html", counts=counts)


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico before reading the page's icon link."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
