"""1EdTech CASE 1.0 CFPackage export / import, validated against the vendored schema."""

import copy
import json
import uuid

import pytest

from planner.services.interop import case
from planner.services.interop.common import NAMESPACE
from tests.interop.conftest import FIXTURES, assert_skills_carried, session_of_path, skills_of

CARRIED = ("area", "area_name", "name", "descriptors", "onet", "esco")


@pytest.fixture
def package(cli, seeded_db, tmp_path):
    out = tmp_path / "taxonomy.json"
    result = cli("export", "taxonomy", "--format", "case", "--out", out, db=seeded_db)
    assert result.exit_code == 0, result.output
    return out


def test_export_validates_against_the_case_schema(package):
    document = json.loads(package.read_text("utf-8"))
    assert case.schema_problems(document) == []
    # the validator is real: a broken package fails it, naming the path
    broken = copy.deepcopy(document)
    del broken["CFItems"][3]["fullStatement"]
    broken["CFAssociations"][0]["associationType"] = "isParentOf"
    broken["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][0]["identifier"] = "x"
    problems = case.schema_problems(broken)
    assert any(p.startswith("CFItems[3]: 'fullStatement' is a required property") for p in problems)
    assert any(
        p.startswith("CFAssociations[0].associationType: 'isParentOf' is not one of")
        for p in problems
    )
    assert any(p.startswith("CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels[0].identifier")
               for p in problems)  # fmt: skip


def test_package_structure(package):
    document = json.loads(package.read_text("utf-8"))
    items = {i["identifier"]: i for i in document["CFItems"]}
    by_code = {i["humanCodingScheme"]: i for i in document["CFItems"]}
    assert len(items) == 73  # 8 areas + 65 skills
    sql = by_code["data.sql"]
    # stable identifiers: uuid5 of the fixed namespace and the planner id
    assert sql["identifier"] == str(uuid.uuid5(NAMESPACE, "planner:skill:data.sql"))
    assert uuid.UUID(sql["identifier"]).version == 5
    child_of = [a for a in document["CFAssociations"] if a["associationType"] == "isChildOf"]
    assert len(child_of) == 73
    sql_parent = next(a for a in child_of if a["originNodeURI"]["identifier"] == sql["identifier"])
    assert sql_parent["destinationNodeURI"]["identifier"] == by_code["data-analysis"]["identifier"]
    area_parent = next(a for a in child_of
                       if a["originNodeURI"]["identifier"] == by_code["data-analysis"]["identifier"])  # fmt: skip
    assert area_parent["destinationNodeURI"]["identifier"] == document["CFDocument"]["identifier"]
    (rubric,) = document["CFRubrics"]
    criterion = next(c for c in rubric["CFRubricCriteria"]
                     if c["CFItemURI"]["identifier"] == sql["identifier"])  # fmt: skip
    levels = criterion["CFRubricCriterionLevels"]
    assert [lv["score"] for lv in levels] == [0, 1, 2, 3, 4]
    assert [lv["quality"] for lv in levels] == ["none", "aware", "working", "proficient", "expert"]
    assert levels[3]["identifier"] == case.level_id("data.sql", 3)
    related = [a for a in document["CFAssociations"] if a["associationType"] == "isRelatedTo"
               and a["originNodeURI"]["identifier"] == sql["identifier"]]  # fmt: skip
    assert {a["destinationNodeURI"]["uri"] for a in related} == {
        case.ONET_PREFIX + "2.B.3.e",
        "http://data.europa.eu/esco/skill/9cf681c7-89ec-470c-b651-7fe03786f586",
    }


def test_identifiers_are_stable_across_exports(package, cli, seeded_db, tmp_path):
    again = tmp_path / "again.json"
    cli("export", "taxonomy", "--format", "case", "--out", again, db=seeded_db)

    def ids(path):
        doc = json.loads(path.read_text("utf-8"))
        return [doc["CFDocument"]["identifier"], *(i["identifier"] for i in doc["CFItems"]),
                *(a["identifier"] for a in doc["CFAssociations"])]  # fmt: skip

    assert ids(package) == ids(again)


def test_round_trip_of_the_seeded_taxonomy_is_exact(package, cli, seeded_db, empty_db):
    result = cli("import", package, db=empty_db)
    assert result.exit_code == 0, result.output
    assert "imported 8 areas, 65 skills" in result.output
    assert_skills_carried(seeded_db, empty_db, CARRIED)


def test_skill_without_area_or_descriptors_round_trips(cli, seeded_db, empty_db, tmp_path):
    from planner.services.io.records import write_records

    session = session_of_path(seeded_db)
    write_records(session, "skills", [{"id": "x.loose", "name": "Loose skill 独立", "area": None,
                                       "descriptors": [], "onet": ["2.A.1.a"]}])  # fmt: skip
    session.commit()
    out = tmp_path / "taxonomy.json"
    assert cli("export", "taxonomy", "--format", "case", "--out", out, db=seeded_db).exit_code == 0
    assert cli("import", out, db=empty_db).exit_code == 0
    loose = skills_of(empty_db)["x.loose"]
    assert (loose["area"], loose["descriptors"], loose["onet"]) == (None, [], ["2.A.1.a"])


def test_real_world_shaped_package(cli, empty_db):
    result = cli("import", FIXTURES / "case_marketing_analytics.json", db=empty_db)
    assert result.exit_code == 0, result.output
    assert "imported 2 areas, 4 skills" in result.output
    skills = skills_of(empty_db)
    assert set(skills) == {"MA.1.1", "MA.1.2", "MA.2.1", "MA.2.2.1"}
    assert skills["MA.1.1"]["name"] == "Querying customer data"  # abbreviatedStatement
    assert (
        skills["MA.1.1"]["area"] == "MA.1" and skills["MA.1.1"]["area_name"] == "Data preparation"
    )
    assert skills["MA.2.2.1"]["area"] == "MA.2"  # under a cluster, area = the top of the branch
    assert skills["MA.1.1"]["esco"] == [
        "http://data.europa.eu/esco/skill/9cf681c7-89ec-470c-b651-7fe03786f586"]  # fmt: skip
    assert skills["MA.1.1"]["descriptors"][2] == "Writes joins."  # five levels, one to one
    # four levels (scores 1-4) spread over 0-4: items 1, 2, 3, 3, 4
    assert [d.split(":")[0] for d in skills["MA.2.1"]["descriptors"]] == [
        "Beginning", "Developing", "Proficient", "Proficient", "Exemplary"]  # fmt: skip
    assert skills["MA.1.2"]["descriptors"] == []  # no rubric criterion: no descriptors


def test_bad_package_reports_paths_and_changes_nothing(package, cli, seeded_db, tmp_path):
    before = skills_of(seeded_db)
    document = json.loads(package.read_text("utf-8"))
    document["CFItems"][5]["fullStatement"] = 7
    document["CFAssociations"][2]["destinationNodeURI"]["uri"] = "not a uri"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), "utf-8")
    result = cli("import", bad, db=seeded_db)
    assert result.exit_code == 1
    assert "bad.json: CFItems[5].fullStatement: 7 is not of type 'string'" in result.output
    assert (
        "bad.json: CFAssociations[2].destinationNodeURI.uri: 'not a uri' is not a 'uri'"
        in result.output
    )
    assert skills_of(seeded_db) == before
    # a schema-valid package whose tree is wrong
    document = json.loads(package.read_text("utf-8"))
    unknown = "00000000-0000-4000-8000-000000000000"
    at = next(n for n, a in enumerate(document["CFAssociations"])
              if a["associationType"] == "isChildOf" and n > 8)  # fmt: skip
    document["CFAssociations"][at]["destinationNodeURI"]["identifier"] = unknown
    bad.write_text(json.dumps(document), "utf-8")
    result = cli("import", bad, db=seeded_db)
    assert result.exit_code == 1
    assert (
        f"bad.json: CFAssociations[{at}].destinationNodeURI: unknown parent {unknown}"
        in result.output
    )
    assert skills_of(seeded_db) == before
