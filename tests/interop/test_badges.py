"""Open Badges 3.0: export achieved levels, sign them, import badges as evidence."""

import json
import shutil
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import OKPKey
from sqlmodel import select

from planner.models import Assessment, Learner, PlanRecord, ScenarioRecord
from planner.models.badges import BadgeCredential
from planner.services.assessment import calibrated, learner_data, ratings
from planner.services.interop import badges, case
from tests.interop.conftest import FIXTURES


@pytest.fixture
def ann_db(seeded_db, session_of) -> Path:
    """Learner ann: staff says SQL 3, a check says STP 2, and a self-rating only for Python."""
    session = session_of(seeded_db)
    session.add(Learner(id="ann", name="Ann Lee"))
    session.flush()
    ratings.record_staff_rating(session, "ann", "data.sql", 3)
    ratings.record_staff_rating(session, "ann", "mkt.stp", 2)
    ratings.save_self_ratings(session, "ann", {"data.python": 4})
    session.commit()
    return seeded_db


@pytest.fixture
def other_db(tmp_path, seeded_template, session_of) -> Path:
    """A second planner (same taxonomy) where ann is a learner without ratings."""
    path = tmp_path / "other.db"
    shutil.copyfile(seeded_template, path)
    session = session_of(path)
    session.add(Learner(id="ann", name="Ann Lee"))
    session.commit()
    return path


def _export(cli, database, tmp_path, name="ann.json", *extra):
    out = tmp_path / name
    result = cli("badges", "export", "ann", "--out", out, *extra, db=database)
    assert result.exit_code == 0, result.output
    return out


def test_export_unsigned_credentials_align_to_the_case_package(cli, ann_db, tmp_path):
    out = _export(cli, ann_db, tmp_path)
    credentials = json.loads(out.read_text("utf-8"))
    assert len(credentials) == 2  # SQL and STP; Python has only a self-rating: no badge
    sql = next(c for c in credentials if "SQL" in c["name"])
    assert sql["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert sql["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0")
    assert sql["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert sql["issuer"]["type"] == ["Profile"]
    subject = sql["credentialSubject"]
    assert subject["id"] == "urn:planner:learner:ann"
    assert subject["type"] == ["AchievementSubject"]
    alignment = {a["targetType"]: a for a in subject["achievement"]["alignment"]}
    # the alignments point at identifiers of the taxonomy's CASE export
    package = tmp_path / "case.json"
    cli("export", "taxonomy", "--format", "case", "--out", package, db=ann_db)
    document = json.loads(package.read_text("utf-8"))
    item_uris = {i["uri"] for i in document["CFItems"]}
    level_uris = {lv["uri"]: lv for crit in document["CFRubrics"][0]["CFRubricCriteria"]
                  for lv in crit["CFRubricCriterionLevels"]}  # fmt: skip
    assert alignment["CFItem"]["targetUrl"] in item_uris
    level = level_uris[alignment["CFRubricCriterionLevel"]["targetUrl"]]
    assert level["score"] == 3 and level["quality"] == "proficient"
    assert subject["achievement"]["description"] == level["description"]


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")  # OB 3.0 names the algorithm EdDSA
def test_signed_export_is_a_verifiable_jwt(cli, ann_db, tmp_path, monkeypatch):
    key = tmp_path / "badge-key.pem"
    assert cli("badges", "keygen", "--out", key, db=ann_db).exit_code == 0
    monkeypatch.setenv("PLANNER_BADGE_KEY", str(key))
    out = _export(cli, ann_db, tmp_path, "ann.jwt")
    tokens = out.read_text("ascii").split()
    assert len(tokens) == 2
    public = OKPKey.import_key(OKPKey.import_key(key.read_bytes()).as_pem(private=False))
    token = jwt.decode(tokens[0], public, algorithms=["EdDSA"])
    assert token.header["alg"] == "EdDSA" and token.header["typ"] == "JWT"
    claims = token.claims
    assert claims["sub"] == "urn:planner:learner:ann"
    assert claims["jti"] == claims["vc"]["id"]
    assert claims["iss"] == claims["vc"]["issuer"]["id"]
    assert "OpenBadgeCredential" in claims["vc"]["type"]
    # a different key does not verify it
    stranger = OKPKey.generate_key("Ed25519")
    with pytest.raises(Exception):  # noqa: B017 - joserfc's BadSignatureError
        jwt.decode(tokens[0], stranger, algorithms=["EdDSA"])


def test_import_makes_badge_evidence_for_calibration(cli, ann_db, other_db, tmp_path, session_of):
    out = _export(cli, ann_db, tmp_path)
    result = cli("badges", "import", out, db=other_db)
    assert result.exit_code == 0, result.output
    assert "imported 2 badges" in result.output
    session = session_of(other_db)
    rows = session.exec(select(Assessment).where(Assessment.learner_id == "ann")).all()
    assert {(r.skill_id, r.source, r.level, r.confidence) for r in rows} == {
        ("data.sql", "badge", 3, 0.5), ("mkt.stp", "badge", 2, 0.5)}  # fmt: skip
    levels = calibrated.calibrate_learner(session, "ann")
    assert levels["data.sql"].evidence_level == 3
    assert levels["data.sql"].level == 3
    # the same file again adds nothing
    result = cli("import", out, db=other_db)  # the generic importer recognises badges too
    assert result.exit_code == 0 and "2 badges already imported" in result.output
    assert len(session.exec(select(Assessment).where(Assessment.learner_id == "ann")).all()) == 2


def test_a_signed_copy_from_a_trusted_key_counts_in_full(cli, ann_db, other_db, tmp_path,
                                                         monkeypatch, session_of):  # fmt: skip
    unsigned = _export(cli, ann_db, tmp_path)
    key = tmp_path / "key.pem"
    key.write_bytes(badges.generate_key())
    monkeypatch.setenv("PLANNER_BADGE_KEY", str(key))
    signed = _export(cli, ann_db, tmp_path, "ann.jwt")
    monkeypatch.delenv("PLANNER_BADGE_KEY")
    assert cli("badges", "import", unsigned, db=other_db).exit_code == 0
    # the receiving planner trusts the issuer's public key
    public = tmp_path / "issuer-public.pem"
    public.write_bytes(OKPKey.import_key(key.read_bytes()).as_pem(private=False))
    monkeypatch.setenv("PLANNER_BADGE_TRUSTED_KEYS", str(public))
    assert cli("import", signed, db=other_db).exit_code == 0
    session = session_of(other_db)
    assert {b.verified for b in session.exec(select(BadgeCredential)).all()} == {True}
    assert {
        a.confidence for a in session.exec(select(Assessment).where(Assessment.source == "badge"))
    } == {1.0}


def test_tampered_or_misdirected_badges_change_nothing(cli, ann_db, other_db, tmp_path,
                                                       monkeypatch, session_of):  # fmt: skip
    key = tmp_path / "key.pem"
    key.write_bytes(badges.generate_key())
    monkeypatch.setenv("PLANNER_BADGE_KEY", str(key))
    tokens = _export(cli, ann_db, tmp_path, "ann.jwt").read_text("ascii").split()
    monkeypatch.delenv("PLANNER_BADGE_KEY")
    head, payload, signature = tokens[0].split(".")
    forged = tmp_path / "forged.jwt"
    forged.write_text(f"{head}.{payload}.{signature[:-4]}AAAA\n{tokens[1]}\n", "ascii")
    result = cli("badges", "import", forged, db=other_db)
    assert result.exit_code == 1
    assert "forged.jwt: line 1: the signature does not verify" in result.output
    unsigned = json.loads(_export(cli, ann_db, tmp_path).read_text("utf-8"))
    unsigned[1]["credentialSubject"]["achievement"]["alignment"][1]["targetUrl"] = "http://x/y/nope"
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(unsigned), "utf-8")
    result = cli("badges", "import", mixed, db=other_db)
    assert result.exit_code == 1
    assert ("mixed.json: [1].credentialSubject.achievement.alignment[1].targetUrl: "
            "'http://x/y/nope' is no level of this taxonomy") in result.output  # fmt: skip
    result = cli("badges", "import", mixed, "--learner", "bob", db=other_db)
    assert 'the badge belongs to learner "ann", not "bob"' in result.output
    assert session_of(other_db).exec(select(Assessment)).all() == []  # all or nothing


def test_external_issuers_badge_needs_a_learner(cli, other_db, session_of):
    path = FIXTURES / "badge_external_sql.json"
    result = cli("import", path, db=other_db)
    assert result.exit_code == 1
    assert "names no learner of this planner" in result.output
    result = cli("badges", "import", path, "--learner", "ann", db=other_db)
    assert result.exit_code == 0, result.output
    (badge,) = session_of(other_db).exec(select(BadgeCredential)).all()
    assert (badge.skill_id, badge.level, badge.verified) == ("data.sql", 2, False)
    assert badge.issuer == "https://badges.example-academy.org/issuers/marketing-school"
    rating = session_of(other_db).get(Assessment, badge.assessment_id)
    assert rating.created_at.year == 2026 and rating.created_at.month == 6  # validFrom


def test_badges_from_a_completed_plan(cli, ann_db, tmp_path, session_of):
    session = session_of(ann_db)
    scenario = ScenarioRecord(name="s", body={})
    session.add(scenario)
    session.flush()
    body = {"format": "planner-plan/1", "status": "OPTIMAL", "learners": [
        {"id": "ann", "schedule": {"2027-1": ["MKT101"], "2027-2": ["MKT210"]},
         "final_levels": {"data.sql": 3, "data.spreadsheets": 2}}]}  # fmt: skip
    plan = PlanRecord(scenario_id=scenario.id, status="OPTIMAL", body=body)
    session.add(plan)
    session.commit()
    result = cli("badges", "export", "ann", "--plan", plan.id, db=ann_db)
    assert result.exit_code == 1 and "MKT101, MKT210 not yet marked completed" in result.output
    learner = session.get(Learner, "ann")
    learner.completed = ["MKT101", "MKT210"]
    session.commit()
    out = _export(cli, ann_db, tmp_path, "plan.json", "--plan", plan.id)
    names = sorted(c["name"] for c in json.loads(out.read_text("utf-8")))
    assert names == ["SQL for marketing data: level 3 (proficient)",
                     "Spreadsheet analysis: level 2 (working)"]  # fmt: skip
    assert case.level_id("data.sql", 3) in out.read_text("utf-8")


def test_deleting_a_learners_assessment_data_removes_imported_badges(cli, ann_db, other_db,
                                                                     tmp_path, session_of):  # fmt: skip
    out = _export(cli, ann_db, tmp_path)
    assert cli("badges", "import", out, db=other_db).exit_code == 0
    session = session_of(other_db)
    copy = learner_data.export_learner(session, "ann")  # the learner's data-access copy
    assert {(b["skill"], b["level"], b["verified"]) for b in copy["badges"]} == {
        ("data.sql", 3, False), ("mkt.stp", 2, False)}  # fmt: skip
    counts = learner_data.delete_assessment(session, "ann")
    assert (counts["badges"], counts["ratings"]) == (2, 2)  # 2 badges + their 2 ratings
    session.commit()
    assert session.exec(select(BadgeCredential)).all() == []
    result = cli("badges", "import", out, db=other_db)  # evidence can be brought back
    assert result.exit_code == 0 and "imported 2 badges" in result.output
