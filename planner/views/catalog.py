"""Catalog pages (staff): list with search and paging, create, edit, delete.

One set of routes serves every kind of catalog entry; `KINDS` says, per kind, which form
and which list columns (planner.services.catalog.entries loads, saves and deletes a row).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlmodel import Session
from wtforms import FieldList

from planner.db import get_session
from planner.security import current_user, staff_required
from planner.services import versions
from planner.services.catalog import (
    areas,
    calendars,
    courses,
    entries,
    roles,
    search,
    skills,
    team_import,
)
from planner.services.catalog.edits import CatalogError, NotFound
from planner.views import forms
from planner.views.args import page_arg

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@dataclass(frozen=True)
class Kind:
    name: str  # URL segment, e.g. "courses"
    label: str  # one item, e.g. "course"
    title: str  # list heading
    form: type[forms.CatalogForm]
    columns: tuple[tuple[str, str], ...]  # (attribute, header)


KINDS = {
    k.name: k
    for k in (
        Kind(
            "areas", "skill area", "Skill areas", forms.AreaForm,
            (("id", "Id"), ("name", "Name"), ("name_zh", "中文名")),
        ),
        Kind(
            "skills", "skill", "Skills", forms.SkillForm,
            (("id", "Id"), ("name", "Name"), ("name_zh", "中文名"), ("area_id", "Area")),
        ),
        Kind(
            "roles", "role", "Roles", forms.RoleForm,
            (("id", "Id"), ("name", "Name"), ("name_zh", "中文名")),
        ),
        Kind(
            "courses", "course", "Courses", forms.CourseForm,
            (("id", "Id"), ("title", "Title"), ("credits", "Credits"), ("hours", "Hours"),
             ("cost", "Cost"), ("capacity", "Seats"), ("curriculum_id", "Curriculum")),
        ),
        Kind(
            "calendars", "term calendar", "Term calendars", forms.CalendarForm,
            (("id", "Id"), ("name", "Name")),
        ),
        Kind(
            "learners", "learner", "Learners", forms.LearnerForm,
            (("id", "Id"), ("name", "Name"), ("role_id", "Role"), ("team", "Team"),
             ("count", "People")),
        ),
    )
}  # fmt: skip
KIND_RULE = "<any(" + ", ".join(KINDS) + "):kind>"


def _kind(name: str) -> Kind:
    return KINDS[name]


def _fill_choices(form, session: Session) -> None:
    """Select boxes get their options from the database (blank = none)."""
    if "area_id" in form._fields:
        form.area_id.choices = forms.select_choices([("", "—"), *areas.area_choices(session)])
    if "role_id" in form._fields:
        form.role_id.choices = forms.select_choices(
            [("", "— no role —"), *roles.role_choices(session)]
        )
    if "curriculum_id" in form._fields:
        form.curriculum_id.choices = forms.select_choices(
            [("", "—"), *courses.curriculum_choices(session)]
        )


def _form_context(session: Session, kind: Kind) -> dict:
    term_ids, seasons = calendars.term_keys(session)
    return {
        "kind": kind,
        "skills": skills.skill_choices(session) if kind.form.row_lists else [],
        "term_ids": term_ids,
        "seasons": seasons,
    }


@bp.get("/")
@staff_required
def index():
    return render_template("catalog/index.html", kinds=KINDS, counts=search.counts(get_session()))


@bp.get(f"/{KIND_RULE}/")
@staff_required
def listing(kind: str):
    k = _kind(kind)
    page = search.search(
        get_session(),
        kind,
        q=request.args.get("q", ""),
        page=page_arg("page", 1),
        per_page=page_arg("per_page", search.DEFAULT_PER_PAGE, high=search.MAX_PER_PAGE),
    )
    # HTMX live search swaps only the results table.
    template = "catalog/_results.html" if request.headers.get("HX-Request") else "catalog/list.html"
    return render_template(template, kind=k, page=page, delete_form=forms.DeleteForm())


@bp.route(f"/{KIND_RULE}/new", methods=["GET", "POST"])
@staff_required
def create(kind: str):
    return _edit(_kind(kind), None)


@bp.route(f"/{KIND_RULE}/<path:item_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(kind: str, item_id: str):
    return _edit(_kind(kind), item_id)


def _edit(kind: Kind, item_id: str | None):
    session = get_session()
    row = None
    if item_id is not None:
        try:
            row = search.get(session, kind.name, item_id)
        except NotFound:
            abort(404, description=f'There is no {kind.label} "{item_id}".')
    form = kind.form()
    _fill_choices(form, session)
    problems: list[str] = []
    failed = False
    stale = False
    if request.method == "GET":
        form.from_data(entries.form_data(session, kind.name, row) if row is not None else {})
        if row is not None:
            form.version.data = row.version
    elif request.form.get("add_row"):
        form.add_row(request.form["add_row"])  # more rows, nothing saved yet
    elif row is not None and versions.parse_version(form.version.data) != row.version:
        stale, problems = True, _stale_problems(session, kind, row, form)
    elif not form.validate():
        failed = True
    else:
        try:
            saved = entries.save(
                session,
                kind.name,
                form.to_data(),
                existing_id=item_id,
                version=versions.parse_version(form.version.data) if row is not None else None,
            )
        except versions.StaleEdit as exc:  # saved by someone between the check and the write
            session.rollback()
            if exc.current is None:
                abort(404, description=f'The {kind.label} "{item_id}" was deleted meanwhile.')
            stale, problems = True, _stale_problems(session, kind, row, form)
        except CatalogError as exc:
            failed = True
            problems = forms.apply_errors(form, exc.errors)
        else:
            flash(f'Saved {kind.label} "{saved.id}".', "success")
            return redirect(url_for("catalog.listing", kind=kind.name, q=saved.id))
    if failed and not problems:
        problems = ["Please correct the fields marked below."]
    status = 409 if stale else 422 if failed else 200
    return (
        render_template(
            "catalog/edit.html",
            form=form,
            item_id=item_id,
            problems=problems,
            delete_form=forms.DeleteForm(),
            **_form_context(session, kind),
        ),
        status,
    )


def _stale_problems(session: Session, kind: Kind, row, form) -> list[str]:
    """The stale-save message: each field where the posted form differs from the row as
    stored now. The form then carries the stored version (saving again overwrites)."""
    row = entries.reload(session, row)
    stored = kind.form(formdata=None, meta={"csrf": False})
    _fill_choices(stored, session)
    stored.from_data(entries.form_data(session, kind.name, row))
    labels = {
        name: field.label.text
        for name, field in form._fields.items()
        if name not in ("csrf_token", "version", "id")
    }
    diffs = versions.differences(_comparable(form), _comparable(stored), labels)
    form.version.data = row.version
    return versions.stale_message(kind.label, diffs)


def _comparable(form) -> dict:
    """Field values as plain data; row lists as "skill=level" lines (blank rows dropped)."""
    out = {}
    for name, field in form._fields.items():
        if isinstance(field, FieldList) and field.entries and hasattr(field.entries[0], "form"):
            rows = []
            for entry in field.entries:
                values = ["" if v is None else str(v) for v in entry.form.data.values()]
                if values and values[0].strip():
                    rows.append(f"{values[0].strip()}={','.join(v for v in values[1:] if v)}")
            out[name] = rows if name == "terms" else sorted(rows)
        elif isinstance(field, FieldList):
            out[name] = [entry.data or "" for entry in field.entries]
        else:
            out[name] = field.data
    return out


@bp.post(f"/{KIND_RULE}/<path:item_id>/delete")
@staff_required
def delete(kind: str, item_id: str):
    k = _kind(kind)
    if not forms.DeleteForm().validate():
        abort(400)
    try:
        entries.remove(get_session(), kind, item_id)
    except NotFound:
        abort(404, description=f'There is no {k.label} "{item_id}".')
    except CatalogError as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("catalog.edit", kind=kind, item_id=item_id))
    flash(f'Deleted {k.label} "{item_id}".', "success")
    return redirect(url_for("catalog.listing", kind=kind))


# -- team import (Learners page): upload -> preview -> confirm ------------------------------
def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


@bp.post("/learners/import")
@staff_required
def import_learners():
    upload = request.files.get("file")
    try:
        token = team_import.stash(
            _uploads(), upload.read() if upload else b"", (upload.filename or "") if upload else "",
            current_user.id,
        )  # fmt: skip
        result = team_import.preview(get_session(), _uploads(), token, current_user.id)
    except team_import.UploadError as exc:
        flash(str(exc), "error")
        return redirect(url_for("catalog.listing", kind="learners"))
    status = 200 if result.ok else 422
    return render_template("catalog/import_preview.html", preview=result), status


@bp.post("/learners/import/<token>/confirm")
@staff_required
def confirm_import(token: str):
    session = get_session()
    try:
        report = team_import.confirm(session, _uploads(), token, current_user.id)
    except team_import.UploadError as exc:
        flash(str(exc), "error")
        return redirect(url_for("catalog.listing", kind="learners"))
    except team_import.ImportRejected:  # the catalog changed since the preview
        result = team_import.preview(session, _uploads(), token, current_user.id)
        return render_template("catalog/import_preview.html", preview=result), 422
    n = report.counts.get("learners", 0)
    flash(f"Imported {n} learner{'s' if n != 1 else ''} from {report.file}.", "success")
    return redirect(url_for("catalog.listing", kind="learners"))


@bp.post("/learners/import/<token>/cancel")
@staff_required
def cancel_import(token: str):
    with contextlib.suppress(team_import.UploadError):  # already gone: nothing to cancel
        team_import.discard(_uploads(), token, current_user.id)
    flash("Import cancelled; nothing was written.", "success")
    return redirect(url_for("catalog.listing", kind="learners"))
