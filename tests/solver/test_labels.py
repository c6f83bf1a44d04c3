"""The rule-label registry (planner/solver/labels.py): one declaration per labelled rule,
read by the model, the checker, the diagnosis and the pages that put labels in words."""

import pytest

from planner.solver.check import label_problems
from planner.solver.labels import (
    RULES,
    change_title,
    drop_words,
    label_of,
    limit_of,
    limit_words,
    parse_label,
    rule_words,
)
from planner.solver.model import Context
from planner.solver.rules import add_all


def test_every_label_the_model_creates_is_declared_and_valid(scenario_factory):
    s = scenario_factory(
        terms=[{"id": "T1", "max_credits": 9, "min_credits": 3}, "T2"],
        constraints={"budget": 1000},
        courses=[
            {"id": "A", "teaches": {"x": 1}, "offered": ["T1"], "capacity": 1, "max_sections": 1},
            {"id": "B", "teaches": {"x": 2}, "prerequisites": ["A"], "cost": 10},
        ],
        learners=[
            {
                "id": "l1",
                "target": {"x": 2},
                "count": 2,
                "terms": ["T1"],
                "budget": 50,
                "max_credits": 6,
                "required": ["A"],
                "excluded": ["B"],
                "pinned": {"A": "T1"},
                "gap_mode": "close",
            }
        ],
    )
    labels = add_all(Context(s, labelled=True)).assumptions
    assert {parse_label(lab)[0] for lab in labels} == set(RULES)
    for lab in labels:
        assert label_problems(s, lab) == [], lab


def test_a_label_is_its_kind_then_its_ids():
    assert label_of("required", "li.na", "MKT210") == "required:li.na:MKT210"
    assert parse_label("required:li.na:MKT210") == ("required", ["li.na", "MKT210"])
    assert label_of("budget") == "budget" and parse_label("budget") == ("budget", [])


def test_only_numeric_limits_have_a_direction_a_field_and_a_unit():
    for rule in RULES.values():
        numeric = rule.limit is not None
        assert numeric == (rule.field is not None) == (rule.unit is not None), rule.kind
        assert numeric == (rule.to in ("number", "count")) == bool(rule.what), rule.kind
    assert limit_of("term_min_credits:T1") == "min"
    assert limit_of("learner_budget:l1") == "max"
    assert limit_of("pinned:l1:A") is None and limit_of("no_such_rule:x") is None


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("term_max_credits:2027-1", "the credit limit of term 2027-1"),
        ("pinned:li.na:AI-02", "li.na must take AI-02 in its pinned term"),
        ("budget", "the total budget"),
        ("required:li.na", "required:li.na"),  # an id missing: the label as it is
        ("no_such_rule:x", "no_such_rule:x"),
    ],
)
def test_rule_words_name_the_rule_or_give_the_label_back(label, words):
    assert rule_words(label) == words


def test_the_words_of_a_change():
    assert drop_words("excluded:li.na:AI-02") == "allow AI-02 for li.na"
    assert limit_words("learner_max_credits:li.na") == "li.na's max credits per term"
    assert change_title("term_max_credits:T1", "12") == "T1 max credits 12"
    assert change_title("term_max_credits:T1", None) == "T1 max credits no limit"
    assert change_title("term_min_credits:T1", None) == "T1 min credits 0"
    assert change_title("learner_budget:l1", "500", every=True) == "budget per learner 500"
    assert change_title("pinned:l1:A", None) == "A unpinned"
    assert change_title("gap_closed:l1", None) == "l1 may keep a gap"
