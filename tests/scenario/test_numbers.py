"""Numbers in a scenario file: whole numbers written as floats are integers; fractions,
booleans, strings and absurd counts are bad input, named by their JSON path."""

import json

import pytest

from planner.scenario import ScenarioError, parse_scenario

BASE = {
    "format": "planner-scenario/1",
    "skills": [{"id": "a"}, {"id": "extra"}],
    "terms": [{"id": "T1", "season": "s:1"}, {"id": "T2"}],
    "courses": [{"id": "A1", "credits": 3, "cost": 10, "teaches": {"a": 3}, "offered": ["s:1"]}],
    "learners": [{"id": "L", "target": {"a": 3}}],
}


def scenario(**changes):
    data = json.loads(json.dumps(BASE))
    for path, value in changes.items():
        *parents, key = path.split("__")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[key] = value
    return data


def test_whole_numbers_written_as_floats_are_integers():
    s = parse_scenario(
        scenario(
            learners__0__target={"a": 3.0},
            learners__0__count=2.0,
            courses__0__capacity=30.0,
            courses__0__max_sections=1.0,
            options={"workers": 2.0},
        )
    )
    assert s.learners[0].target == {"a": 3} and s.learners[0].count == 2
    assert s.courses[0].capacity == 30 and s.options.workers == 2


@pytest.mark.parametrize(
    "changes, path",
    [
        ({"learners__0__target": {"a": 2.5}}, "learners[0].target.a"),
        ({"learners__0__count": True}, "learners[0].count"),
        ({"learners__0__count": 10**19}, "learners[0].count"),
        ({"options": {"time_limit_s": "5"}}, "options.time_limit_s"),
        ({"options": {"time_limit_s": True}}, "options.time_limit_s"),
    ],
)
def test_fractions_booleans_strings_and_absurd_counts_are_bad_input(changes, path):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(scenario(**changes))
    assert any(p.path == path for p in info.value.problems)
