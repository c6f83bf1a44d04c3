"""Plan services: gaps, comparison and the editor's rule lines, on real solver output."""

import pytest

from planner.scenario import parse_scenario
from planner.services.planning import plans
from planner.services.scenarios import editor as scenarios
from planner.solver import solve
from tests.web.test_scenarios import tiny_scenario


@pytest.fixture(scope="module")
def solved():
    body = tiny_scenario()
    loose = solve(parse_scenario(body))
    tight_body = {**body, "terms": [{**t, "max_credits": 3} for t in body["terms"]]}
    tight = solve(parse_scenario(tight_body))
    return plans.Catalog.of(body), loose, tight


def test_gap_rows_follow_the_plan(solved):
    catalog, loose, _ = solved
    rows = {r.skill: r for r in plans.gap_rows(catalog, loose, "li.na")}
    assert rows["data.sql"].start == 1 and rows["data.sql"].need == 3
    assert rows["data.sql"].final == 3 and rows["data.sql"].gap == 0


def test_skill_gaps_weight_by_count_and_role_weight(solved):
    catalog, _, tight = solved
    totals = plans.skill_gaps(catalog, tight)
    expected = 0.0
    for lp in tight.learners:
        needs = catalog.needs(lp.id)
        expected += sum(catalog.count(lp.id) * needs[s][1] * g for s, g in lp.gaps.items())
    assert sum(totals.values()) == pytest.approx(expected)
    assert sum(totals.values()) == pytest.approx(tight.objective["gap"])


def test_compare_lists_changes_both_ways(solved):
    catalog, loose, tight = solved
    result = plans.compare(catalog, loose, tight)
    assert [name for name, *_ in result.objective] == ["gap", "cost", "credits", "lateness"]
    assert result.removed  # the tight plan drops courses
    back = plans.compare(catalog, tight, loose)
    assert {(lr, c) for lr, c, _ in back.added} == {(lr, c) for lr, c, _ in result.removed}
    same = plans.compare(catalog, loose, loose)
    assert not (same.added or same.removed or same.moved)


def test_csv_and_xlsx_export_every_course(solved):
    catalog, loose, _ = solved
    text = plans.to_csv(catalog, loose)
    taken = sum(len(cs) for lp in loose.learners for cs in lp.schedule.values())
    assert len(text.strip().splitlines()) == taken + 1
    assert plans.to_xlsx(catalog, loose)[:2] == b"PK"


def test_rule_lines_report_line_numbers():
    body = tiny_scenario()
    problems = scenarios.apply_rules(
        body,
        "required:li.na:SQL1\n\n# note\npinned:li.na:SQL1\nbudget:li.na:4\n"
        "learner_budget:li.na:abc\ngap_mode:li.na:sometimes",
    )
    assert [str(p) for p in problems] == [
        "rules line 4: expected pinned:LEARNER:COURSE:TERM",
        'rules line 5: unknown rule "budget" (use required, excluded, pinned, target, learner_budget, '
        "learner_max_credits, gap_mode)",
        "rules line 6: not a number: 'abc'",
        "rules line 7: gap mode must be one of minimise, close",
    ]
    assert body["learners"][0]["required"] == ["SQL1"]


def test_editor_values_round_trip():
    body = tiny_scenario()
    body["learners"][0].update(budget=900, pinned={"AI1": "2027-2"}, excluded=["MKT1"])
    values = scenarios.editor_values(body)
    new, problems = scenarios.apply_values(body, values)
    assert problems == []
    assert parse_scenario(new) == parse_scenario(body)
