"""The scenario editor's form values (planner/services/scenarios/fields.py)."""

from planner.scenario import Problem
from planner.services.scenarios.fields import parse_amount, set_or_drop


def amount(text: str, **kw) -> tuple[object, list[str]]:
    problems: list[Problem] = []
    return parse_amount(text, "budget", problems, **kw), [str(p) for p in problems]


def test_blank_or_none_is_no_limit():
    assert amount("") == (None, []) and amount("None") == (None, [])


def test_whole_numbers_come_back_as_int_and_fractions_as_float():
    assert amount("1500") == (1500, []) and amount("2.5") == (2.5, [])


def test_every_bad_amount_is_a_problem_named_by_its_field():
    for text, words in [("abc", "not a number"), ("nan", "not a finite"), ("-1", "≥ 0")]:
        value, problems = amount(text)
        assert value is None and len(problems) == 1
        assert problems[0].startswith("budget") and words in problems[0]
    assert amount("0", positive=True)[1] == ["budget: must be greater than 0"]


def test_set_or_drop_sets_a_value_and_drops_a_blank():
    target = {"budget": 10}
    set_or_drop(target, "max_credits", 9)
    set_or_drop(target, "budget", None)
    assert target == {"max_credits": 9}
