"""Roles from O*NET and ESCO occupations (`planner role from-onet | from-esco`)."""

import csv
import json

import pytest

from planner.services.assessment.scales import to_level
from planner.services.catalog.taxonomy import load_taxonomy
from planner.services.interop.esco import role_from_esco
from planner.services.interop.onet import RoleSourceError, data_dir, role_from_onet

MRA_ESCO = "http://data.europa.eu/esco/occupation/66fb9704-0d56-4673-8e69-7823816b73e1"


def test_market_research_analyst_from_onet_is_sensible(cli, empty_db):
    result = cli("role", "from-onet", "13-1161.00", db=empty_db)
    assert result.exit_code == 0, result.output
    built = json.loads(result.stdout)
    role = built["role"]
    assert role["name"] == "Market Research Analysts and Marketing Specialists"
    assert role["soc"] == ["13-1161.00"]
    requires = role["requires"]
    # the core of the job: research, statistics, surveys, segmentation, consumer insight
    for skill in ("mkt.market-research", "data.research-stats", "data.survey-design", "mkt.stp",
                  "mkt.consumer-behaviour", "data.spreadsheets"):  # fmt: skip
        assert requires.get(skill, 0) >= 2, skill
    assert requires["mkt.market-research"] == 3
    # O*NET has no AI-tool or human-AI collaboration elements: none are invented
    assert not [s for s in requires if s.startswith(("ai.", "hai."))]
    assert all(1 <= level <= 4 for level in requires.values())
    # every requirement traces to O*NET evidence; weights follow importance
    for entry in built["skills"]:
        assert entry["evidence"]
        importance = sum(e["importance"] for e in entry["evidence"]) / len(entry["evidence"])
        lv = sum(e["level_lv"] for e in entry["evidence"]) / len(entry["evidence"])
        assert importance >= 3.0
        assert entry["weight"] == round(importance / 3, 2)
        assert entry["level"] == to_level(lv, "onet_lv")
    # important occupation elements the taxonomy does not cover are reported
    unmapped = {u["name"] for u in built["unmapped"]}
    assert {"Critical Thinking", "Reading Comprehension"} <= unmapped
    assert "USDOL/ETA" in built["attribution"]
    assert "have no taxonomy counterpart" in result.stderr


def test_onet_drops_suppressed_and_not_relevant_rows(tmp_path):
    # a copy of the shipped slice with two flags set on 13-1161.00's Mathematics elements
    (tmp_path / "onet").mkdir()
    for name in ("occupations.csv", "skills.csv", "knowledge.csv"):
        with open(data_dir() / "onet" / name, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            if row.get("O*NET-SOC Code") == "13-1161.00" and row.get("Scale ID") == "LV":
                if row["Element ID"] == "2.A.1.e":
                    row["Recommend Suppress"] = "Y"
                if row["Element ID"] == "2.C.4.a":
                    row["Not Relevant"] = "Y"
        with open(tmp_path / "onet" / name, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    taxonomy = load_taxonomy()
    full = role_from_onet("13-1161.00", taxonomy)
    cut = role_from_onet("13-1161.00", taxonomy, directory=tmp_path)
    assert "data.research-stats" in full["role"]["requires"]  # Mathematics x2 in the real data
    assert "data.research-stats" not in cut["role"]["requires"]  # both its elements dropped
    dropped = {d["element"]: d["reason"] for d in cut["dropped"]}
    assert dropped["2.A.1.e"] == "rating flagged Recommend Suppress"
    assert dropped["2.C.4.a"] == "flagged Not Relevant"


def test_save_stores_the_role_and_needs_the_taxonomy(cli, seeded_db, empty_db, session_of):
    result = cli("role", "from-onet", "13-1161.00", "--save", db=empty_db)
    assert result.exit_code == 1
    assert 'unknown skill "mkt.market-research"' in result.output
    result = cli("role", "from-onet", "13-1161.00", "--save", "--id", "mra", db=seeded_db)
    assert result.exit_code == 0, result.output
    from planner.services.io.records import read_roles

    (role,) = read_roles(session_of(seeded_db), ids=["mra"])
    assert role["soc"] == ["13-1161.00"]
    assert role["requires"] == json.loads(result.stdout)["role"]["requires"]
    assert role["weights"]["mkt.market-research"] == pytest.approx(1.36)


def test_onet_bad_codes(cli, empty_db):
    result = cli("role", "from-onet", "market research", db=empty_db)
    assert result.exit_code == 1 and "is not an O*NET-SOC code" in result.output
    result = cli("role", "from-onet", "29-1141.00", db=empty_db)
    assert result.exit_code == 1 and "not in the shipped slice" in result.output


def test_proxy_occupation_is_labelled():
    built = role_from_onet("15-2051.00", load_taxonomy())
    assert built["source"]["rated_as"] == "15-2051.01"
    assert built["role"]["requires"]


def test_role_from_esco(cli, empty_db):
    result = cli("role", "from-esco", MRA_ESCO, db=empty_db)
    assert result.exit_code == 0, result.output
    built = json.loads(result.stdout)
    assert built["role"]["name"] == "market research analyst"
    assert built["role"]["esco"] == [MRA_ESCO]
    by_skill = {s["skill"]: s for s in built["skills"]}
    research = by_skill["mkt.market-research"]
    assert research["essential"] and research["level"] == 3 and research["weight"] == 1
    optional = [s for s in built["skills"] if not s["essential"]]
    assert optional and all(s["level"] == 2 and s["weight"] == 0.5 for s in optional)
    assert all(built["role"]["weights"][s["skill"]] == 0.5 for s in optional)
    # ESCO skills of the occupation that the taxonomy has no counterpart for
    names = {u["name"] for u in built["unmapped"]}
    assert "advise on market strategies" in names
    assert "© European Union" in built["attribution"]


def test_esco_levels_are_options_and_bad_uris_fail(cli, empty_db):
    built = role_from_esco(MRA_ESCO, load_taxonomy(), essential_level=4, optional_level=1)
    assert set(built["role"]["requires"].values()) == {4, 1}
    result = cli("role", "from-esco", "http://data.europa.eu/esco/skill/1", db=empty_db)
    assert result.exit_code == 1 and "is not an ESCO occupation URI" in result.output
    with pytest.raises(RoleSourceError, match="not in the shipped slice"):
        role_from_esco("http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000000",
                       load_taxonomy())  # fmt: skip
