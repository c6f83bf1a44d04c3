"""JSON API /api/v1 for staff tools: catalog lists and stored scenarios.

Every endpoint needs `Authorization: Bearer <token>` (a staff or admin account's token).
Errors are always `{"errors": [{"path": "...", "message": "..."}]}` where `path` is a JSON
path into the request body ("" when the error is about the request as a whole).
"""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request, url_for
from sqlmodel import Session

from planner.db import get_session
from planner.limits import JSONLimitError, loads_json
from planner.models import iso_utc
from planner.scenario import ScenarioError
from planner.security import token_required
from planner.services import versions
from planner.services.catalog import search
from planner.services.catalog.courses import course_dict
from planner.services.catalog.roles import requirements
from planner.services.scenarios import editor as scenario_store
from planner.views.args import MAX_PAGE

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, path: str = ""):
    return jsonify({"errors": [{"path": path, "message": message}]}), status


class BadBody(ValueError):
    """The request body is not usable JSON; `response` is the error to answer with."""

    def __init__(self, response):
        super().__init__("bad request body")
        self.response = response


def json_body(required: bool = True):
    """The request's JSON body, parsed with the size and depth limits of planner.limits.

    Flask's own get_json has no depth limit (a body nested thousands deep raised
    RecursionError, a 500). Raises BadBody with a 400/422 error response.
    """
    data = request.get_data(cache=False) if request.is_json else b""
    if not data.strip():
        if required:
            raise BadBody(
                error(400, "send the scenario as a JSON object (Content-Type: application/json)")
            )
        return None
    try:
        return loads_json(data)
    except JSONLimitError as exc:
        raise BadBody(error(422, str(exc))) from None
    except UnicodeDecodeError:
        raise BadBody(error(400, "the request body is not UTF-8")) from None
    except json.JSONDecodeError as exc:
        raise BadBody(
            error(400, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        ) from None


def _paging() -> tuple[str, int, int] | tuple:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", search.DEFAULT_PER_PAGE))
    except ValueError:
        return ()
    if page < 1 or per_page < 1:
        return ()
    # a page past the end is an empty page, however far past (never a database overflow)
    return request.args.get("q", ""), min(page, MAX_PAGE), min(per_page, search.MAX_PER_PAGE)


def _page_json(page: search.Page, items: list[dict]) -> dict:
    return {
        "items": items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def _listing(kind: str, to_json):
    paging = _paging()
    if not paging:
        return error(400, "page and per_page must be whole numbers of at least 1", "page")
    q, page_no, per_page = paging
    session = get_session()
    page = search.search(session, kind, q=q, page=page_no, per_page=per_page)
    return jsonify(_page_json(page, [to_json(session, row) for row in page.items]))


def _skill_json(session: Session, row) -> dict:
    return {"id": row.id, "name": row.name, "name_zh": row.name_zh, "area": row.area_id}


def _role_json(session: Session, row) -> dict:
    reqs = requirements(session, row.id)
    return {
        "id": row.id,
        "name": row.name,
        "name_zh": row.name_zh,
        "requires": {r.skill_id: r.level for r in reqs},
        "weights": {r.skill_id: r.weight for r in reqs},
    }


def _course_json(session: Session, row) -> dict:
    return course_dict(session, row)


@bp.get("/skills")
@token_required
def skills():
    return _listing("skills", _skill_json)


@bp.get("/roles")
@token_required
def roles():
    return _listing("roles", _role_json)


@bp.get("/courses")
@token_required
def courses():
    return _listing("courses", _course_json)


def _scenario_summary(record) -> dict:
    return {
        "id": record.id,
        "name": record.name,
        "version": record.version,
        "created_at": iso_utc(record.created_at),
        "updated_at": iso_utc(record.updated_at),
        "url": url_for("api.get_scenario", scenario_id=record.id),
    }


@bp.get("/scenarios")
@token_required
def list_scenarios():
    paging = _paging()
    if not paging:
        return error(400, "page and per_page must be whole numbers of at least 1", "page")
    q, page_no, per_page = paging
    rows, total = scenario_store.list_scenarios(get_session(), page=page_no, per_page=per_page, q=q)
    page = search.Page([], total, page_no, per_page, q)
    return jsonify(_page_json(page, [_scenario_summary(r) for r in rows]))


@bp.get("/scenarios/<int:scenario_id>")
@token_required
def get_scenario(scenario_id: int):
    record = scenario_store.get_record(get_session(), scenario_id)
    if record is None:
        return error(404, f"no scenario {scenario_id}")
    response = jsonify({**_scenario_summary(record), "scenario": record.body})
    response.set_etag(str(record.version))  # send it back as If-Match when updating
    return response


@bp.put("/scenarios/<int:scenario_id>")
@token_required
def update_scenario(scenario_id: int):
    """Replace a stored scenario's document, only if it is still at the version the client
    read: `If-Match: "<version>"` (the ETag of GET) or `"version": n` in the body. A stale
    version answers 409 with the stored version and the top-level keys that differ."""
    body = request.get_json(silent=True)
    if body is None:
        return error(400, "send the scenario as a JSON object (Content-Type: application/json)")
    if not isinstance(body, dict):
        return error(422, "the scenario must be a JSON object")
    session = get_session()
    record = scenario_store.get_record(session, scenario_id)
    if record is None:
        return error(404, f"no scenario {scenario_id}")
    body = dict(body)
    given = body.pop("version", None)
    if request.if_match:
        tags = list(request.if_match.as_set())
        given = tags[0] if len(tags) == 1 else None
    if given is None:
        return error(
            428,
            'say which version you are updating: If-Match: "<version>" (the ETag of GET) '
            'or "version" in the body',
            "version",
        )
    version = versions.parse_version(given)
    try:
        if version != record.version:
            raise versions.StaleEdit(record.version, given)
        record = scenario_store.save_body(session, record, body, version=version)
    except versions.StaleEdit:
        session.rollback()
        return _conflict(session, scenario_id, body, given)
    except ScenarioError as exc:
        session.rollback()
        problems = [{"path": p.path, "message": p.message} for p in exc.problems]
        return jsonify({"errors": problems}), 422
    session.commit()
    response = jsonify(_scenario_summary(record))
    response.set_etag(str(record.version))
    return response


def _conflict(session, scenario_id: int, body: dict, given):
    record = scenario_store.get_record(session, scenario_id)
    if record is None:
        return error(404, f"no scenario {scenario_id}")
    stored = record.body
    changes = []
    for key in sorted(set(body) | set(stored)):
        yours, theirs = body.get(key), stored.get(key)
        if key == "format" or yours == theirs:
            continue
        change = {"path": key}
        if all(isinstance(v, str | int | float | bool | type(None)) for v in (yours, theirs)):
            change.update(yours=yours, stored=theirs)
        changes.append(change)
    response = jsonify(
        {
            "errors": [
                {
                    "path": "version",
                    "message": f"the scenario was changed since version {given}: it is now "
                    f"version {record.version}; nothing was saved. GET it again, re-apply "
                    "your change and send the new version.",
                }
            ],
            "version": record.version,
            "changes": changes,
        }
    )
    response.status_code = 409
    response.set_etag(str(record.version))
    return response


@bp.post("/scenarios")
@token_required
def create_scenario():
    """Store a planner-scenario/1 document; 422 lists every problem with its JSON path."""
    try:
        body = json_body()
    except BadBody as exc:
        return exc.response
    if not isinstance(body, dict):
        return error(422, "the scenario must be a JSON object")
    session = get_session()
    try:
        record = scenario_store.save_new(session, body)
    except ScenarioError as exc:
        problems = [{"path": p.path, "message": p.message} for p in exc.problems]
        return jsonify({"errors": problems}), 422
    session.commit()
    response = jsonify(_scenario_summary(record))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_scenario", scenario_id=record.id)
    return response
