"""Large scenario files: learners decoded one at a time, same scenario, same problems."""

import json

import pytest

from planner.scenario import ScenarioError, load_scenario, parse_scenario
from planner.scenario import load as load_module
from tests.services.test_sweep import S


@pytest.fixture
def stream_all(monkeypatch):
    monkeypatch.setattr(load_module, "STREAM_FROM_BYTES", 0)


def test_streamed_load_equals_the_plain_one(tmp_path, stream_all):
    body = {**S, "learners": [{**S["learners"][i % 9], "id": f"é{i}"} for i in range(500)]}
    path = tmp_path / "big.json"
    # learners first, odd spacing and a BOM: still the same document
    text = json.dumps({"learners": body["learners"], **body}, ensure_ascii=False, indent=1)
    path.write_text("\ufeff" + text + "\n", encoding="utf-8")
    streamed = load_scenario(path)
    assert streamed == parse_scenario(body)
    assert len(streamed.learners) == 500 and streamed.learners[7].id == "é7"


def test_streamed_load_reports_every_problem_with_its_path(tmp_path, stream_all, monkeypatch):
    learners = [dict(lr) for lr in S["learners"]]
    learners[3]["levels"] = {"sql": "high"}
    learners[5]["count"] = 0
    learners[6]["id"] = learners[0]["id"]  # a semantic problem, after the structure
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**S, "learners": learners, "terms": 3}), encoding="utf-8")
    with pytest.raises(ScenarioError) as streamed:
        load_scenario(path)
    text = [str(p) for p in streamed.value.problems]
    monkeypatch.setattr(load_module, "STREAM_FROM_BYTES", 2**40)  # the plain path
    with pytest.raises(ScenarioError) as plain:
        load_scenario(path)
    assert sorted(text) == sorted(str(p) for p in plain.value.problems)
    monkeypatch.setattr(load_module, "STREAM_FROM_BYTES", 0)
    assert any(t.startswith("terms") for t in text)
    assert any(t.startswith("learners[3].levels.sql") for t in text)
    assert any(t.startswith("learners[5].count") for t in text)
    path.write_text(json.dumps({**S, "learners": learners[:3] + learners[6:]}), "utf-8")
    with pytest.raises(ScenarioError) as semantic:
        load_scenario(path)
    assert "learners[3].id" in str(semantic.value.problems[0])


def test_malformed_large_file_gets_the_plain_json_error(tmp_path, stream_all):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "planner-scenario/1", "learners": [{"id": "a"},, ]}', "utf-8")
    with pytest.raises(ScenarioError, match="invalid JSON at line 1, column"):
        load_scenario(path)
