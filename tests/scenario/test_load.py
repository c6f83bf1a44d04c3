import json

import pytest

from planner.scenario import ScenarioError, load_scenario, parse_scenario

BASE = {
    "format": "planner-scenario/1",
    "skills": [{"id": "data.sql"}, {"id": "data.excel"}],
    "roles": [{"id": "analyst", "requires": {"data.sql": 3}}],
    "terms": [{"id": "T1", "season": "fall"}, {"id": "T2", "season": "spring"}],
    "courses": [
        {"id": "A", "credits": 3, "teaches": {"data.excel": 2}},
        {"id": "B", "credits": 3, "teaches": {"data.sql": 3}, "prerequisites": ["A"]},
    ],
    "learners": [{"id": "l1", "role": "analyst", "terms": ["T1", "T2"]}],
}


def problems(data):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    return [str(p) for p in info.value.problems]


def test_valid_scenario_loads_with_defaults(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(BASE), encoding="utf-8")
    s = load_scenario(path)
    assert s.objective == ["gap", "cost", "credits", "lateness"]
    assert s.courses[0].max_sections == 1
    assert s.needs(s.learners[0]) == {"data.sql": (3, 1)}


def test_every_problem_is_reported_with_its_json_path():
    data = json.loads(json.dumps(BASE))
    data["courses"][1]["teaches"] = {"data.sq1": 3}
    data["courses"][0]["credits"] = -1
    data["learners"][0]["colour"] = "red"
    found = problems(data)
    assert "courses[0].credits: input should be greater than or equal to 0 (got -1)" in found
    assert "learners[0].colour: unknown key" in found


def test_semantic_problems_name_the_reference():
    data = json.loads(json.dumps(BASE))
    data["courses"][1]["teaches"] = {"data.sq1": 3}
    data["learners"][0]["pinned"] = {"B": "T9"}
    data["courses"].append({"id": "A", "credits": 1})
    found = problems(data)
    assert 'courses[1].teaches.data.sq1: unknown skill "data.sq1"' in found
    assert 'learners[0].pinned.B: unknown term "T9"' in found
    assert 'courses[2].id: duplicate id "A" (first at courses[0])' in found


def test_prerequisite_cycle_is_named():
    data = json.loads(json.dumps(BASE))
    data["courses"][0]["prerequisites"] = ["B"]
    assert any("prerequisite cycle: A → B → A" in p or "B → A → B" in p for p in problems(data))


def test_any_of_groups_may_form_cycles():
    data = json.loads(json.dumps(BASE))
    data["courses"][0]["prerequisites_any"] = [["B"]]
    assert parse_scenario(data).courses[0].prerequisites_any == [["B"]]


def test_ids_with_colon_levels_out_of_range_and_bools_are_rejected():
    data = json.loads(json.dumps(BASE))
    data["skills"][0]["id"] = "data:sql"
    data["roles"][0]["requires"] = {"data.sql": 5}
    data["courses"][0]["credits"] = True
    found = problems(data)
    assert any(p.startswith("skills[0].id:") for p in found)
    assert any(p.startswith("roles[0].requires.data.sql:") for p in found)
    assert any(p.startswith("courses[0].credits:") for p in found)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"\xff\xfe{", "not UTF-8"),
        (b'{\n  "format": ', "invalid JSON at line 2"),
    ],
)
def test_unreadable_files_give_one_clear_problem(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert message in str(info.value)


def test_yaml_and_utf8_names(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "format: planner-scenario/1\nname: 市场营销 AI 升级\nskills: [{id: 数据.sql, name: SQL 数据}]\n",
        encoding="utf-8",
    )
    s = load_scenario(path)
    assert s.name == "市场营销 AI 升级" and s.skills[0].id == "数据.sql"
