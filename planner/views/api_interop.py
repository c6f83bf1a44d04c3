"""JSON API /api/v1 for the exchange formats (docs/api.md, docs/interop.md): the taxonomy
as Moodle CSV or CASE JSON, importing any recognised file, roles from O*NET / ESCO, and a
learner's Open Badges. Staff/admin bearer tokens only, like the rest of /api/v1."""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, jsonify, request

from planner.db import get_session
from planner.security import token_required
from planner.services.catalog import search
from planner.services.interop import TAXONOMY_FORMATS, export_taxonomy, filename
from planner.services.interop.badges import BadgeError, export_badges, import_badge
from planner.services.interop.onet import RoleSourceError
from planner.services.interop.roles import build_role, save_role
from planner.services.io.importer import import_file
from planner.services.io.report import ImportRejected
from planner.views.api import error
from planner.views.downloads import download

bp = Blueprint("api_interop", __name__, url_prefix="/api/v1")
MAX_BODY_BYTES = 20 * 2**20


def _problems(status: int, problems):
    return jsonify({"errors": [{"path": "", "message": str(p)} for p in problems]}), status


def _body() -> bytes | None:
    data = request.get_data(cache=False)
    return None if len(data) > MAX_BODY_BYTES else data


@bp.get("/taxonomy")
@token_required
def taxonomy():
    fmt = request.args.get("format", "case")
    if fmt not in TAXONOMY_FORMATS:
        return error(400, f"format must be one of {', '.join(TAXONOMY_FORMATS)}", "format")
    mimetype = "application/json" if fmt == "case" else "text/csv; charset=utf-8"
    return download(export_taxonomy(get_session(), fmt), mimetype, filename(fmt))


@bp.post("/import")
@token_required
def import_any():
    """The request body is the file; `?filename=` tells its type (e.g. framework.csv)."""
    name = PurePath(request.args.get("filename", "")).name
    if not name:
        return error(400, "give the file's name, e.g. ?filename=framework.csv", "filename")
    data = _body()
    if data is None:
        return error(413, f"body larger than {MAX_BODY_BYTES // 2**20} MB")
    session = get_session()
    try:
        report = import_file(session, data, name)
    except ImportRejected as exc:
        session.rollback()
        return _problems(422, exc.problems)
    return jsonify({"file": report.file, "imported": report.counts}), 200


def _role(source: str, code: str):
    options = {}
    if request.args.get("id"):
        options["role_id"] = request.args["id"]
    try:
        built = build_role(source, code, **options)
    except RoleSourceError as exc:
        return _problems(404, exc.problems)
    if request.method == "GET":
        return jsonify(built)
    session = get_session()
    try:
        save_role(session, built)
    except ImportRejected as exc:
        session.rollback()
        return _problems(422, exc.problems)
    return jsonify(built), 201


@bp.route("/roles/from-onet/<soc>", methods=["GET", "POST"])
@token_required
def role_from_onet(soc: str):
    """GET previews the role built from O*NET occupation `soc`; POST also stores it."""
    return _role("onet", soc)


@bp.route("/roles/from-esco", methods=["GET", "POST"])
@token_required
def role_from_esco():
    """The ESCO occupation URI is `?uri=`; GET previews, POST stores."""
    uri = request.args.get("uri", "")
    if not uri:
        return error(400, "give the ESCO occupation URI as ?uri=", "uri")
    return _role("esco", uri)


@bp.get("/learners/<path:learner_id>/badges")
@token_required
def learner_badges(learner_id: str):
    try:
        credentials, signed = export_badges(get_session(), learner_id)
    except BadgeError as exc:
        return error(404, str(exc))
    return jsonify({"signed": signed, "credentials": credentials})


@bp.post("/learners/<path:learner_id>/badges")
@token_required
def import_learner_badges(learner_id: str):
    """Body: one credential, a list of them (JSON), or compact JWTs one per line."""
    session = get_session()
    try:
        search.get(session, "learners", learner_id)
    except LookupError:  # search.get raises NotFound
        return error(404, f'unknown learner "{learner_id}"')
    data = _body()
    if data is None:
        return error(413, f"body larger than {MAX_BODY_BYTES // 2**20} MB")
    try:
        report = import_badge(session, data, "request body", learner_id, commit=True)
    except ImportRejected as exc:
        session.rollback()
        return _problems(422, exc.problems)
    return jsonify({"imported": report.counts}), 200
