"""Catalog exchange (staff): export the taxonomy as a Moodle framework or a CASE package,
a learner's badges as Open Badges 3.0, and import any file the importer recognises
(planner rows, scenarios, Moodle, CASE, Open Badges) — all or nothing. Learners download
their own badges. Formats: docs/interop.md."""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from planner.db import get_session
from planner.security import learner_required, staff_required, token_required
from planner.services.catalog import search as catalog_search
from planner.services.interop import TAXONOMY_FORMATS, case, export_taxonomy, filename
from planner.services.interop.badges import BadgeError, export_badges, export_bytes, import_badge
from planner.services.interop.common import read_taxonomy
from planner.services.io.importer import import_file
from planner.services.io.report import ImportRejected
from planner.views.catalog import KINDS
from planner.views.downloads import download

bp = Blueprint("interop", __name__)
MAX_UPLOAD_BYTES = 20 * 2**20
MIMETYPES = {"moodle": "text/csv; charset=utf-8", "case": "application/json"}


@bp.get("/catalog/export/taxonomy")
@staff_required
def export_taxonomy_file():
    fmt = request.args.get("format", "moodle")
    if fmt not in TAXONOMY_FORMATS:
        abort(400, description=f"Unknown format. Choose one of: {', '.join(TAXONOMY_FORMATS)}.")
    return download(export_taxonomy(get_session(), fmt), MIMETYPES[fmt], filename(fmt))


@bp.get("/catalog/learners/<path:learner_id>/badges")
@staff_required
def learner_badges(learner_id: str):
    return _badges(learner_id)


@bp.get("/assess/badges")
@learner_required
def my_badges():
    return _badges(current_user.learner_id)


def _badges(learner_id: str):
    try:
        credentials, signed = export_badges(get_session(), learner_id)
    except BadgeError as exc:
        abort(404, description=str(exc))
    if not credentials:
        abort(404, description="No skill level backed by evidence yet, so no badge to issue.")
    body = export_bytes(credentials, signed)
    if signed:
        return download(body, "application/jwt", f"badges-{learner_id}.jwt")
    return download(body, "application/json", f"badges-{learner_id}.json")


@bp.post("/catalog/import")
@staff_required
def import_upload():
    session = get_session()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a file to import.", "error")
        return redirect(url_for("catalog.index"))
    name = PurePath(upload.filename).name
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    learner = (request.form.get("learner") or "").strip() or None
    try:
        if len(data) > MAX_UPLOAD_BYTES:
            raise ImportRejected([f"{name}: larger than {MAX_UPLOAD_BYTES // 2**20} MB"])
        if learner:  # a badge file for a chosen learner
            report = import_badge(session, data, name, learner, commit=True)
        else:
            report = import_file(session, data, name)
    except ImportRejected as exc:
        session.rollback()
        return (
            render_template(
                "catalog/index.html",
                kinds=_kinds(),
                counts=catalog_search.counts(session),
                import_problems=[str(p) for p in exc.problems],
                import_name=name,
            ),
            422,
        )
    flash(str(report), "success")
    return redirect(url_for("catalog.index"))


def _kinds():
    return KINDS


# --- CASE 1.0 REST reads: the URIs in an exported package resolve here ----------------------

CASE_KINDS = ("CFPackages", "CFDocuments", "CFItems", "CFAssociations", "CFRubrics",
              "CFRubricCriteria", "CFRubricCriterionLevels")  # fmt: skip


@bp.get(f"/ims/case/v1p0/<any({', '.join(CASE_KINDS)}):kind>/<identifier>")
@token_required
def case_object(kind: str, identifier: str):
    """One object of the taxonomy's CASE package by identifier (staff/admin bearer token,
    like /api/v1). CFPackages/<document id> is the whole package."""
    package = case.export_case(read_taxonomy(get_session()))
    found = case.find(package, kind, identifier.lower())
    if found is None:
        return jsonify({"imsx_codeMajor": "failure", "imsx_severity": "error",
                        "imsx_description": f"no {kind[:-1]} {identifier}",
                        "imsx_codeMinor": {"imsx_codeMinorField": [
                            {"imsx_codeMinorFieldName": "sourcedId",
                             "imsx_codeMinorFieldValue": "unknownobject"}]}}), 404  # fmt: skip
    return jsonify(found)
