"""The exchange formats in the web app (catalog page) and the JSON API, through the Flask
test client: who may use them, downloads, uploads, and all-or-nothing imports."""

import csv
import io
import json

import pytest
from sqlmodel import select

from planner.models import Assessment, Role, Skill
from planner.services.assessment import ratings
from planner.services.interop import case, moodle
from tests.interop.conftest import FIXTURES

MRA_ESCO = "http://data.europa.eu/esco/occupation/66fb9704-0d56-4673-8e69-7823816b73e1"


def _skills(web_session):
    web_session.expire_all()
    return {s.id: s.name for s in web_session.exec(select(Skill))}


def test_catalog_page_has_the_export_menu_and_import_form(staff_client):
    page = staff_client.get("/catalog/").get_data(as_text=True)
    assert 'href="/catalog/export/taxonomy?format=moodle"' in page
    assert 'href="/catalog/export/taxonomy?format=case"' in page
    assert 'action="/catalog/import"' in page and 'type="file"' in page


def test_staff_downloads_moodle_and_case(staff_client):
    response = staff_client.get("/catalog/export/taxonomy?format=moodle")
    assert response.status_code == 200
    assert "taxonomy-moodle.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(moodle.HEADERS) and len(rows) == 1 + 1 + 8 + 65
    response = staff_client.get("/catalog/export/taxonomy?format=case")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert case.schema_problems(response.get_json()) == []
    assert staff_client.get("/catalog/export/taxonomy?format=pdf").status_code == 400


@pytest.mark.parametrize("url", ["/catalog/export/taxonomy?format=case",
                                 "/catalog/learners/test.learner/badges"])  # fmt: skip
def test_exports_are_for_staff_only(client, learner_client, url):
    assert client.get(url).status_code == 302  # to sign in
    assert learner_client.get(url).status_code == 403


def test_upload_moodle_framework(staff_client, web_session):
    data = (FIXTURES / "moodle_digital_marketing.csv").read_bytes()
    response = staff_client.post("/catalog/import", data={"file": (io.BytesIO(data), "dm.csv")},
                                 content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    assert "DM-CON-1" in _skills(web_session)
    page = staff_client.get("/catalog/").get_data(as_text=True)
    assert "dm.csv: imported 2 areas, 6 skills" in page


def test_bad_upload_lists_problems_and_changes_nothing(staff_client, web_session):
    before = _skills(web_session)
    document = json.loads((FIXTURES / "case_marketing_analytics.json").read_text("utf-8"))
    document["CFItems"][0]["uri"] = 42
    body = json.dumps(document).encode()
    response = staff_client.post("/catalog/import", data={"file": (io.BytesIO(body), "f.json")},
                                 content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "was not imported" in page and "CFItems[0].uri: 42 is not of type" in page
    assert _skills(web_session) == before


def test_learner_cannot_import(learner_client, web_session):
    before = _skills(web_session)
    data = (FIXTURES / "moodle_digital_marketing.csv").read_bytes()
    response = learner_client.post("/catalog/import", data={"file": (io.BytesIO(data), "dm.csv")},
                                   content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 403
    assert _skills(web_session) == before


def test_upload_needs_the_csrf_token(csrf_app):
    from tests.fixtures.web import sign_in_client

    client = sign_in_client(csrf_app, "staff")
    data = (FIXTURES / "moodle_digital_marketing.csv").read_bytes()
    response = client.post("/catalog/import", data={"file": (io.BytesIO(data), "dm.csv")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400


def _rate(web_session, learner="test.learner"):
    ratings.record_staff_rating(web_session, learner, "data.sql", 3)
    web_session.commit()


def test_badges_on_the_web(staff_client, learner_client, web_session):
    assert staff_client.get("/catalog/learners/test.learner/badges").status_code == 404  # none yet
    _rate(web_session)
    response = staff_client.get("/catalog/learners/test.learner/badges")
    assert response.status_code == 200
    credential = response.get_json()
    assert credential["credentialSubject"]["id"] == "urn:planner:learner:test.learner"
    mine = learner_client.get("/assess/badges")
    assert mine.status_code == 200 and mine.get_json()["id"] == credential["id"]
    # another issuer's badge for the other learner, uploaded with the learner chosen
    body = (FIXTURES / "badge_external_sql.json").read_bytes()
    response = staff_client.post(
        "/catalog/import", content_type="multipart/form-data",
        data={"file": (io.BytesIO(body), "badge.json"), "learner": "test.other"})  # fmt: skip
    assert response.status_code == 302
    web_session.expire_all()
    rows = web_session.exec(select(Assessment).where(Assessment.learner_id == "test.other")).all()
    assert [(r.source, r.skill_id, r.level) for r in rows] == [("badge", "data.sql", 2)]


# --- API ---------------------------------------------------------------------------------


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_api_taxonomy_needs_a_staff_token(client, staff_token):
    assert client.get("/api/v1/taxonomy").status_code == 401
    response = client.get("/api/v1/taxonomy?format=case", headers=_auth(staff_token))
    assert response.status_code == 200 and case.schema_problems(response.get_json()) == []
    response = client.get("/api/v1/taxonomy?format=moodle", headers=_auth(staff_token))
    assert response.get_data(as_text=True).startswith("Parent ID number,ID number,Short name,")
    response = client.get("/api/v1/taxonomy?format=xml", headers=_auth(staff_token))
    assert response.status_code == 400 and response.get_json()["errors"][0]["path"] == "format"


def test_api_import(client, staff_token, web_session):
    body = (FIXTURES / "case_marketing_analytics.json").read_bytes()
    response = client.post("/api/v1/import?filename=framework.json", data=body,
                           headers=_auth(staff_token))  # fmt: skip
    assert response.status_code == 200
    assert response.get_json()["imported"] == {"areas": 2, "skills": 4}
    assert "MA.2.2.1" in _skills(web_session)
    before = _skills(web_session)
    bad = body.replace(b'"isChildOf"', b'"isParentOf"', 1)
    response = client.post("/api/v1/import?filename=framework.json", data=bad,
                           headers=_auth(staff_token))  # fmt: skip
    assert response.status_code == 422
    assert (
        "associationType: 'isParentOf' is not one of" in response.get_json()["errors"][0]["message"]
    )
    assert _skills(web_session) == before
    assert client.post("/api/v1/import", data=body, headers=_auth(staff_token)).status_code == 400


def test_api_roles_from_onet_and_esco(client, staff_token, web_session):
    response = client.get("/api/v1/roles/from-onet/13-1161.00", headers=_auth(staff_token))
    assert response.status_code == 200
    assert response.get_json()["role"]["requires"]["mkt.market-research"] == 3
    assert web_session.get(Role, "onet-13-1161-00") is None  # a preview stores nothing
    response = client.post("/api/v1/roles/from-onet/13-1161.00?id=mra", headers=_auth(staff_token))
    assert response.status_code == 201
    web_session.expire_all()
    assert web_session.get(Role, "mra").soc == ["13-1161.00"]
    response = client.get("/api/v1/roles/from-onet/00-0000.00", headers=_auth(staff_token))
    assert response.status_code == 404
    response = client.get(f"/api/v1/roles/from-esco?uri={MRA_ESCO}", headers=_auth(staff_token))
    assert response.status_code == 200 and response.get_json()["unmapped"]
    assert client.get("/api/v1/roles/from-esco", headers=_auth(staff_token)).status_code == 400


def test_api_badges_round_trip(client, staff_token, web_session):
    _rate(web_session)
    response = client.get("/api/v1/learners/test.learner/badges", headers=_auth(staff_token))
    assert response.status_code == 200
    credentials = response.get_json()["credentials"]
    assert len(credentials) == 1 and response.get_json()["signed"] is False
    response = client.post("/api/v1/learners/test.other/badges", headers=_auth(staff_token),
                           data=json.dumps(credentials))  # fmt: skip
    assert response.status_code == 422  # the badge names test.learner
    response = client.post("/api/v1/learners/test.learner/badges", headers=_auth(staff_token),
                           data=json.dumps(credentials))  # fmt: skip
    assert response.status_code == 200 and response.get_json()["imported"] == {"badges": 1}
    response = client.get("/api/v1/learners/nobody/badges", headers=_auth(staff_token))
    assert response.status_code == 404


def test_case_uris_in_an_export_resolve(client, staff_token):
    package = client.get("/api/v1/taxonomy?format=case", headers=_auth(staff_token)).get_json()
    level = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][2]
    targets = [package["CFDocument"]["CFPackageURI"]["uri"], package["CFDocument"]["uri"],
               package["CFItems"][9]["uri"], package["CFAssociations"][4]["uri"], level["uri"]]  # fmt: skip
    for uri in targets:
        path = uri.split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + path).status_code == 401  # a token, as for /api/v1
        response = client.get("/" + path, headers=_auth(staff_token))
        assert response.status_code == 200, uri

    def same(a, b):  # lastChangeDateTime is the time of each export
        return {k: v for k, v in a.items() if k != "lastChangeDateTime"} == {
            k: v for k, v in b.items() if k != "lastChangeDateTime"}  # fmt: skip

    assert same(response.get_json(), level)
    whole = client.get("/" + targets[0].split("/", 3)[3], headers=_auth(staff_token)).get_json()
    assert [i["identifier"] for i in whole["CFItems"]] == [
        i["identifier"] for i in package["CFItems"]
    ]
    missing = "/ims/case/v1p0/CFItems/00000000-0000-4000-8000-000000000000"
    response = client.get(missing, headers=_auth(staff_token))
    assert response.status_code == 404 and response.get_json()["imsx_codeMajor"] == "failure"
