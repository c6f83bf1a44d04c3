"""The start page: what each kind of user can do next."""

from flask import Blueprint, render_template

from planner.db import get_session
from planner.security import current_user, login_required
from planner.services import catalog

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    counts = catalog.counts(get_session()) if current_user.is_staff else None
    return render_template("home/index.html", counts=counts)
