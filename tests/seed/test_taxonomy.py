"""seed/taxonomy.yaml: counts, descriptors, real O*NET/ESCO ids, and loader validation."""

import re
from collections import Counter

import pytest
import yaml

from planner.scenario.models import Skill
from planner.services.catalog.taxonomy import (
    AREA_PREFIXES,
    TaxonomyError,
    load_taxonomy,
    scenario_skills,
)
from tests import REPO
from tests.seed import reference

AREAS = [
    "data-analysis",
    "ai-tools",
    "human-ai-collaboration",
    "creativity",
    "marketing-fundamentals",
    "strategy-business",
    "crm-martech",
    "law-compliance",
]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_counts_and_areas(taxonomy):
    assert [a.id for a in taxonomy.areas] == AREAS
    assert len(taxonomy.skills) >= 55
    per_area = Counter(s.area for s in taxonomy.skills)
    assert set(per_area) == set(AREAS)
    assert min(per_area.values()) >= 5


def test_ids_are_prefixed_lowercase_and_unique(taxonomy):
    ids = [s.id for s in taxonomy.skills]
    assert len(ids) == len(set(ids))
    for skill in taxonomy.skills:
        assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", skill.id)
        assert ":" not in skill.id
        assert skill.id.split(".")[0] == AREA_PREFIXES[skill.area]


def test_five_distinct_descriptors_and_names(taxonomy):
    for skill in taxonomy.skills:
        assert len(skill.descriptors) == 5, skill.id
        assert len(set(skill.descriptors)) == 5, skill.id
        assert all(len(d) > 20 for d in skill.descriptors), skill.id
        assert skill.name and skill.name_zh
        assert re.search(r"[\u4e00-\u9fff]", skill.name_zh), skill.id


def test_onet_elements_exist_in_the_extract(taxonomy):
    known = reference.onet_elements()
    for skill in taxonomy.skills:
        assert set(skill.onet) <= known, (skill.id, set(skill.onet) - known)
    assert sum(bool(s.onet) for s in taxonomy.skills) >= 55


def test_esco_uris_exist_in_the_extract(taxonomy):
    known = reference.esco_skills()
    for skill in taxonomy.skills:
        assert set(skill.esco) <= known, (skill.id, set(skill.esco) - known)
    assert sum(bool(s.esco) for s in taxonomy.skills) >= 55


def test_source_carries_the_attributions(taxonomy):
    assert "O*NET 29.3" in taxonomy.source and "CC BY 4.0" in taxonomy.source
    assert "USDOL/ETA has not approved" in taxonomy.source
    assert "ESCO" in taxonomy.source and "European Union" in taxonomy.source


def test_file_is_utf8_with_chinese_names():
    text = (REPO / "seed" / "taxonomy.yaml").read_bytes().decode("utf-8")
    assert "数据分析" in text


def test_scenario_skills(taxonomy):
    skills = scenario_skills(taxonomy)
    assert all(isinstance(s, Skill) for s in skills)
    assert {s.id for s in skills} == taxonomy.skill_ids
    assert scenario_skills(taxonomy, only={"data.sql"})[0].area == "data-analysis"


# ---- the loader rejects bad files with messages naming the entry


def _write(tmp_path, data) -> str:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _good():
    return yaml.safe_load((REPO / "seed" / "taxonomy.yaml").read_text(encoding="utf-8"))


def test_wrong_descriptor_count_is_named(tmp_path):
    data = _good()
    data["skills"][3]["descriptors"].pop()
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(_write(tmp_path, data))
    assert "skills[3] (data.sql).descriptors: need exactly 5 (levels 0-4), got 4" in str(err.value)


def test_unknown_area_duplicate_id_and_prefix_are_all_reported(tmp_path):
    data = _good()
    data["skills"][0]["area"] = "astrology"
    data["skills"][2]["id"] = data["skills"][1]["id"]
    data["skills"][5]["id"] = "ai.kpi"  # data-analysis skill with the ai prefix
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(_write(tmp_path, data))
    problems = err.value.problems
    assert any(
        "skills[0] (data.spreadsheets).area: unknown area 'astrology'" in p for p in problems
    )
    assert any("duplicate skill id 'data.research-stats'" in p for p in problems)
    assert any("skills of data-analysis start with data." in p for p in problems)
    assert all(p.startswith("taxonomy.yaml: ") for p in problems)


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text("areas: [\n  - x: {\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"taxonomy.yaml: invalid YAML at line \d+"):
        load_taxonomy(path)
