"""seed/roles.yaml: the nine roles, real SOC/ESCO codes, CMO competence mix, O*NET levels."""

import pytest
import yaml

from planner.scenario.models import Role
from planner.services.catalog.taxonomy import (
    TaxonomyError,
    load_competence_mix,
    load_roles,
    load_taxonomy,
    onet_lv_ratings,
    onet_role_check,
    scenario_roles,
)
from tests import REPO
from tests.seed import reference

ROLE_IDS = {
    "mkt-assistant",
    "digital-mkt-specialist",
    "content-social-specialist",
    "mkt-data-analyst",
    "ai-mkt-strategist",
    "crm-data-officer",
    "solution-consultant",
    "mkt-manager",
    "cmo",
}
CMO_MIX = {"marketing": 35, "business-analysis": 25, "technology": 20, "finance": 15, "law": 5}


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def roles(taxonomy):
    return {r.id: r for r in load_roles(taxonomy)}


def test_the_nine_roles_exist(roles):
    assert len(roles) >= 9
    assert set(roles) >= ROLE_IDS
    for role in roles.values():
        assert role.name and role.name_zh
        assert len(role.requires) >= 10
        assert all(1 <= level <= 4 for level in role.requires.values())
        assert all(weight > 0 for weight in role.weights.values())


def test_codes_exist_in_the_extracts(roles):
    socs, escos = reference.onet_occupations(), reference.esco_occupations()
    for role in roles.values():
        assert role.soc and set(role.soc) <= socs, role.id
        assert role.esco and set(role.esco) <= escos, role.id


def test_cmo_weights_follow_the_competence_mix(roles):
    cmo = roles["cmo"]
    groups = load_competence_mix()["cmo"]
    assert {g: spec["share"] for g, spec in groups.items()} == CMO_MIX
    grouped = [skill for spec in groups.values() for skill in spec["skills"]]
    assert sorted(grouped) == sorted(cmo.requires), "each CMO skill in exactly one group"
    total = sum(cmo.weights.get(s, 1) for s in cmo.requires)
    for name, spec in groups.items():
        share = 100 * sum(cmo.weights.get(s, 1) for s in spec["skills"]) / total
        assert abs(share - spec["share"]) <= 1, (name, share)


def test_levels_agree_with_onet(taxonomy, roles):
    """O*NET LV (0-7) converted to 0-4 is within 2 levels of every required level it
    covers, and within 1 for at least 80% of them (managers and the entry-level proxy
    account for the rest; see seed/ATTRIBUTION.md)."""
    ratings = onet_lv_ratings(reference.data_dir())
    pairs = []
    for role in roles.values():
        checked = onet_role_check(role, taxonomy, ratings)
        assert checked, f"{role.id} has no O*NET evidence"
        pairs += [(role.id, skill, req, implied) for skill, (req, implied) in checked.items()]
    assert all(abs(req - implied) <= 2 for _, _, req, implied in pairs)
    close = sum(abs(req - implied) <= 1 for _, _, req, implied in pairs)
    assert close / len(pairs) >= 0.8
    assert len(pairs) >= 100


def test_data_scientist_levels_come_from_the_labelled_proxy(taxonomy, roles):
    ratings = onet_lv_ratings(reference.data_dir())
    assert not any(soc == "15-2051.00" for soc, _ in ratings)  # no ratings of its own
    assert roles["ai-mkt-strategist"].soc[0] == "15-2051.00"
    assert onet_role_check(roles["ai-mkt-strategist"], taxonomy, ratings)


def test_scenario_roles(roles):
    out = scenario_roles(list(roles.values()))
    assert all(isinstance(r, Role) for r in out)
    cmo = next(r for r in out if r.id == "cmo")
    assert cmo.requires == roles["cmo"].requires and cmo.weights == roles["cmo"].weights


def test_unknown_skill_and_bad_level_are_named(tmp_path, taxonomy):
    data = yaml.safe_load((REPO / "seed" / "roles.yaml").read_text(encoding="utf-8"))
    data["roles"][3]["requires"]["data.sq1"] = 2
    data["roles"][0]["requires"]["data.sql"] = 5
    data["roles"][1]["weights"]["law.contracts"] = 2  # not required by that role
    path = tmp_path / "roles.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TaxonomyError) as err:
        load_roles(taxonomy, path)
    problems = err.value.problems
    assert "roles.yaml: roles[3].requires.data.sq1: unknown skill 'data.sq1'" in problems
    assert "roles.yaml: roles[0].requires.data.sql: level must be an integer 1-4, got 5" in problems
    assert any("roles[1].weights.law.contracts: weight for a skill" in p for p in problems)
