"""The independent checker: a hand-made valid plan passes; each kind of violation is named."""

import copy

import pytest

from planner.scenario import Plan, parse_scenario
from planner.solver.check import check_plan, compute_objective
from planner.solver.plan import plan_from_schedules

SCENARIO = {
    "format": "planner-scenario/1",
    "name": "check me",
    "skills": [{"id": "sql"}, {"id": "excel"}, {"id": "ai"}],
    "roles": [
        {"id": "analyst", "requires": {"sql": 3, "ai": 2, "excel": 3}, "weights": {"sql": 2}}
    ],
    "terms": [
        {"id": "T1", "season": "fall", "max_credits": 6},
        {"id": "T2", "season": "spring"},
        {"id": "T3", "season": "fall"},
    ],
    "courses": [
        {"id": "A", "credits": 3, "cost": 100, "teaches": {"excel": 2}},
        {
            "id": "B",
            "credits": 3,
            "cost": 200,
            "teaches": {"sql": 3},
            "prerequisites": ["A"],
            "requires_skills": {"excel": 2},
            "offered": ["spring"],
            "capacity": 2,
            "session_cost": 50,
        },
        {
            "id": "C",
            "credits": 2,
            "cost": 50,
            "teaches": {"ai": 2},
            "prerequisites_any": [["A", "D"]],
        },
        {"id": "D", "credits": 1, "cost": 10, "teaches": {"ai": 1}},
    ],
    "learners": [
        {"id": "l1", "role": "analyst"},
        {"id": "l2", "target": {"ai": 2, "sql": 1}, "count": 2, "terms": ["T1", "T2"]},
    ],
}
SCHEDULES = {
    "l1": {"T1": ["A"], "T2": ["B", "C"], "T3": []},
    "l2": {"T1": ["D"], "T2": ["C"]},
}


def scenario(**changes):
    """The base scenario with changes given as dotted paths, e.g. learners.0.budget=250."""
    data = copy.deepcopy(SCENARIO)
    for path, value in changes.items():
        *head, last = path.split("__")
        node = data
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return parse_scenario(data)


def plan_for(s, schedules=SCHEDULES, status="FEASIBLE"):
    return plan_from_schedules(s, copy.deepcopy(schedules), status=status)


def edited(plan: Plan, fn) -> dict:
    data = plan.model_dump(mode="json")
    fn(data)
    return data


def assert_reports(problems, *fragments):
    for fragment in fragments:
        assert any(fragment in p for p in problems), f"{fragment!r} not in {problems}"


def test_valid_plan_has_no_violations_and_objective_is_recomputed_exactly():
    s = scenario()
    plan = plan_for(s)
    assert check_plan(s, plan) == []
    # l1: A, B, C; l2 (2 people): D, C; B opens one section at 50.
    assert compute_objective(s, plan) == {
        "gap": 1 + 2 * 1,  # l1 excel 2 of 3; l2 sql 0 of 1, twice
        "cost": 350 + 2 * 60 + 50,
        "credits": 8 + 2 * 3,
        "lateness": (0 + 1 + 1) + 2 * (0 + 1),
    }
    l1 = next(lp for lp in plan.learners if lp.id == "l1")
    assert l1.final_levels == {"excel": 2, "sql": 3, "ai": 2}
    assert l1.gaps == {"excel": 1}
    assert {(x.course, x.term, x.enrolled, x.sections) for x in plan.sections} == {
        ("A", "T1", 1, 1),
        ("B", "T2", 1, 1),
        ("C", "T2", 3, 1),
        ("D", "T1", 2, 1),
    }


RULE_CASES = {
    "not offered": (
        {},
        {"l1": {"T1": ["A"], "T2": ["C"], "T3": ["B"]}},
        ['course "B" in term "T3" is not offered'],
    ),
    "already completed": (
        {"learners__0__completed": ["A"]},
        None,
        ['course "A" in term "T1" was already completed'],
    ),
    "taken twice": (
        {},
        {"l1": {"T1": ["A"], "T2": ["B", "C"], "T3": ["A"]}},
        ['takes course "A" 2 times'],
    ),
    "prerequisite and skill in the same term": (
        {},
        {"l1": {"T1": [], "T2": ["A", "B"], "T3": ["C"]}},
        ['course "B" in term "T2" lacks prerequisite "A"', 'requires skill "excel" at level 2'],
    ),
    "any-of prerequisite": (
        {},
        {"l2": {"T1": ["C"], "T2": ["D"]}},
        ['learner "l2": course "C" in term "T1" lacks one of the prerequisites A / D'],
    ),
    "learner credit cap": (
        {"learners__0__max_credits": 2},
        None,
        ['learner "l1" in term "T1" takes 3 credits, above the maximum 2'],
    ),
    "term credit cap": (
        {},
        {"l1": {"T1": ["A", "D", "C"], "T2": ["B"], "T3": []}},
        ['learner "l1" in term "T1" takes 6 credits'],  # = cap 6, fine; see next case
    ),
    "term minimum in an empty term": (
        {"terms__2__min_credits": 1},
        None,
        ['learner "l1" in term "T3" takes 0 credits, below the term minimum 1'],
    ),
    "learner budget": (
        {"learners__0__budget": 250},
        None,
        ['learner "l1" courses cost 350 per person, over its budget 250'],
    ),
    "scenario budget counts sessions": (
        {"constraints": {"budget": 519}},
        None,
        ["total cost 520 (courses × count + session costs) is over the scenario budget 519"],
    ),
    "seats": (
        {"courses__2__capacity": 2},
        None,
        ['course "C" in term "T2": 3 enrolled need 2 section(s), more than max_sections 1'],
    ),
    "no sections at all": (
        {"courses__3__max_sections": 0},
        None,
        ['course "D" in term "T1": 2 enrolled need 1 section(s), more than max_sections 0'],
    ),
    "required": (
        {"learners__1__required": ["A"]},
        None,
        ['learner "l2" does not take required course "A"'],
    ),
    "excluded": (
        {"learners__0__excluded": ["C"]},
        None,
        ['learner "l1" takes excluded course "C"'],
    ),
    "pinned": (
        {"learners__0__pinned": {"C": "T3"}},
        None,
        ['pinned course "C" must be taken in "T3" (taken: T2)'],
    ),
    "gap close": (
        {"learners__1__gap_mode": "close"},
        None,
        ['learner "l2" must close its gap (gap_mode close) but falls short: sql by 1'],
    ),
    "gap close from scenario default": (
        {"gap_mode": "close"},
        None,
        ['learner "l1" must close its gap', 'learner "l2" must close its gap'],
    ),
}


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_each_rule_violation_is_reported(name):
    changes, schedules, fragments = RULE_CASES[name]
    s = scenario(**changes)
    plan = plan_for(s, {**SCHEDULES, **(schedules or {})})
    problems = check_plan(s, plan)
    if name == "term credit cap":  # exactly at the cap is allowed, one more is not
        assert not any("above the maximum" in p for p in problems)
        s = scenario(terms__0__max_credits=5)
        problems = check_plan(s, plan_for(s, {**SCHEDULES, **schedules}))
        fragments = ['learner "l1" in term "T1" takes 6 credits, above the maximum 5']
    assert_reports(problems, *fragments)


def _learner(data, lid):
    return next(x for x in data["learners"] if x["id"] == lid)


FORMAT_CASES = {
    "missing term key": (
        lambda d: _learner(d, "l1")["schedule"].pop("T3"),
        ['learner "l1": schedule has no entry for its term "T3"'],
    ),
    "term not the learner's": (
        lambda d: _learner(d, "l2")["schedule"].update(T3=[]),
        ['learner "l2": schedule has term "T3", which is not one of its terms'],
    ),
    "unknown term": (
        lambda d: _learner(d, "l2")["schedule"].update(T9=[]),
        ['schedule has unknown term "T9"'],
    ),
    "unknown course": (
        lambda d: _learner(d, "l1")["schedule"]["T3"].append("ZZ"),
        ['unknown course "ZZ" in term "T3"', 'no reason given for course "ZZ"'],
    ),
    "missing learner": (
        lambda d: d["learners"].pop(1),
        ['learner "l2" is missing from the plan'],
    ),
    "duplicate learner": (
        lambda d: d["learners"].append(copy.deepcopy(d["learners"][0])),
        ['learner "l1" appears 2 times'],
    ),
    "unknown learner": (
        lambda d: d["learners"].append({**copy.deepcopy(d["learners"][0]), "id": "ghost"}),
        ['learner "ghost" that is not in the scenario'],
    ),
    "objective value": (
        lambda d: d["objective"].update(cost=1),
        ["objective cost is 1 but the plan's schedules give 520"],
    ),
    "objective component missing": (
        lambda d: d["objective"].pop("lateness"),
        ['objective lacks component "lateness"'],
    ),
    "objective null": (
        lambda d: d.update(objective=None),
        ["status FEASIBLE but objective is null"],
    ),
    "final level": (
        lambda d: _learner(d, "l1")["final_levels"].update(sql=2),
        ['final level of "sql" reported 2, actually 3'],
    ),
    "final level missing": (
        lambda d: _learner(d, "l1")["final_levels"].pop("ai"),
        ['final level of "ai" reported 0, actually 2'],
    ),
    "gap wrong": (
        lambda d: _learner(d, "l1")["gaps"].update(excel=2),
        ['gap of "excel" reported 2, actually 1'],
    ),
    "gap zero listed": (
        lambda d: _learner(d, "l1")["gaps"].update(sql=0),
        ['gaps lists "sql" with gap 0'],
    ),
    "gap missing": (
        lambda d: _learner(d, "l2")["gaps"].clear(),
        ['learner "l2": gaps omits "sql" (gap 1)'],
    ),
    "per-person cost": (
        lambda d: _learner(d, "l2").update(cost=120),
        ['learner "l2": cost reported 120, actually 60 per person'],
    ),
    "per-person credits": (
        lambda d: _learner(d, "l2").update(credits=6),
        ['learner "l2": credits reported 6, actually 3'],
    ),
    "reason missing": (
        lambda d: _learner(d, "l1")["reasons"].pop("B"),
        ['learner "l1": no reason given for course "B"'],
    ),
    "reason extra": (
        lambda d: _learner(d, "l1")["reasons"].update(D="why not"),
        ['reason given for course "D", which it does not take'],
    ),
    "section enrolled": (
        lambda d: next(x for x in d["sections"] if x["course"] == "C").update(enrolled=2),
        ['course "C" in term "T2": enrolled reported 2, actually 3'],
    ),
    "section count": (
        lambda d: next(x for x in d["sections"] if x["course"] == "C").update(sections=2),
        ['course "C" in term "T2": sections reported 2, actually 1'],
    ),
    "section missing": (
        lambda d: d["sections"].pop(0),
        ['sections has no entry for course "A" in term "T1"'],
    ),
    "section extra": (
        lambda d: d["sections"].append({"course": "D", "term": "T3", "enrolled": 0, "sections": 0}),
        ['sections entry for course "D" in term "T3", where nobody enrols'],
    ),
    "section twice": (
        lambda d: d["sections"].append(dict(d["sections"][0])),
        ['sections entry for course "A" in term "T1" is listed twice'],
    ),
    "scenario name": (
        lambda d: d.update(scenario="other"),
        ["plan names scenario 'other' but the scenario is 'check me'"],
    ),
    "bound above value": (
        lambda d: d.update(bound={"gap": 4}),
        ["bound gap 4 is above the plan's own value 3"],
    ),
    "optimal bound differs": (
        lambda d: d.update(status="OPTIMAL", bound={"gap": 2, "cost": 520}),
        ["status OPTIMAL but bound gap 2 differs from 3"],
    ),
    "feasible with diagnosis": (
        lambda d: d.update(diagnosis={"conflict": ["budget"], "minimal": True}),
        ["status FEASIBLE but a diagnosis is given"],
    ),
}


@pytest.mark.parametrize("name", sorted(FORMAT_CASES))
def test_each_plan_format_violation_is_reported(name):
    s = scenario()
    fn, fragments = FORMAT_CASES[name]
    problems = check_plan(s, edited(plan_for(s), fn))
    assert_reports(problems, *fragments)


def test_a_lower_bound_below_the_value_is_fine_for_feasible_and_equal_for_optimal():
    s = scenario()
    plan = plan_for(s)
    assert check_plan(s, edited(plan, lambda d: d.update(bound={"gap": 0, "cost": 0}))) == []
    exact = edited(plan, lambda d: d.update(status="OPTIMAL", bound=dict(d["objective"])))
    assert check_plan(s, exact) == []


def no_plan(status, **extra):
    return {"format": "planner-plan/1", "scenario": "check me", "status": status, **extra}


DIAGNOSIS = {
    "conflict": ["pinned:l1:C", "offered:B"],
    "minimal": True,
    "fixes": [{"changes": [{"relax": "pinned:l1:C", "to": "T2"}], "note": "move it"}],
}


def test_infeasible_and_unknown_plans_must_be_empty():
    s = scenario(learners__0__pinned={"C": "T3"}, courses__1__offered=["spring"])
    assert check_plan(s, no_plan("INFEASIBLE", diagnosis=DIAGNOSIS)) == []
    assert check_plan(s, no_plan("UNKNOWN")) == []
    full = plan_for(s).model_dump(mode="json")
    problems = check_plan(s, {**full, "status": "UNKNOWN"})
    assert_reports(
        problems,
        "status UNKNOWN but objective is not null",
        "status UNKNOWN but learners is not empty",
        "status UNKNOWN but sections is not empty",
    )
    assert_reports(check_plan(s, no_plan("INFEASIBLE")), "status INFEASIBLE but no diagnosis")


@pytest.mark.parametrize(
    "conflict, changes, fragment",
    [
        (["nonsense:l1"], [], 'unknown rule kind "nonsense"'),
        (["pinned:l1"], [], "expected 2 id(s) after pinned, got 1"),
        (["pinned:l9:C"], [], 'unknown learner "l9"'),
        (["required:l1:C"], [], "the scenario has no such rule"),
        (["learner_budget:l1"], [], "the scenario has no such rule"),
        (["budget"], [], "the scenario has no such rule"),
        (["gap_closed:l2"], [], "the scenario has no such rule"),
        (["offered:A"], [], "the scenario has no such rule"),
        (["pinned:l1:C"], [{"relax": "offered:B", "to": "T1"}], "changes no label of the conflict"),
        (["pinned:l1:C"], [{"relax": "pinned:l1:C", "to": "T7"}], "`to` must be a term id"),
        (["max_sections:C"], [{"relax": "max_sections:C", "to": 1.5}], "must be an integer"),
        (["offered:B"], [{"relax": "offered:B", "to": "winter"}], "term id or season"),
        (["pinned:l1:C"], [{"relax": "pinned:l1:C", "to": 3}], "`to` must be a term id"),
    ],
)
def test_bad_diagnosis_labels_are_reported(conflict, changes, fragment):
    s = scenario(learners__0__pinned={"C": "T3"})
    diagnosis = {"conflict": conflict, "minimal": False, "fixes": [{"changes": changes}]}
    assert_reports(check_plan(s, no_plan("INFEASIBLE", diagnosis=diagnosis)), fragment)


@pytest.mark.parametrize(
    "plan",
    [
        {},
        {"status": "MAYBE"},
        {"status": "FEASIBLE", "learners": [{"id": "l1"}]},
        {"status": "FEASIBLE", "learners": "everyone"},
        {"status": "FEASIBLE", "objective": {"gap": "lots"}},
    ],
)
def test_malformed_plans_are_reported_not_raised(plan):
    problems = check_plan(scenario(), {"format": "planner-plan/1", **plan})
    assert problems and all(isinstance(p, str) for p in problems)


def test_checker_reads_every_learner_even_with_unicode_ids():
    data = copy.deepcopy(SCENARIO)
    data["learners"][0]["id"] = "李娜"
    s = parse_scenario(data)
    plan = plan_for(s, {"李娜": SCHEDULES["l1"], "l2": SCHEDULES["l2"]})
    assert check_plan(s, plan) == []
    broken = edited(plan, lambda d: d["learners"][0]["schedule"]["T3"].append("A"))
    assert_reports(check_plan(s, broken), 'learner "李娜" takes course "A" 2 times')


def test_checker_refuses_level_zero_in_final_levels():
    s = scenario()
    plan = plan_for(s, SCHEDULES)
    plan.learners[1].final_levels["sql"] = 0  # l2 never studies sql
    assert any('final_levels lists "sql" at level 0' in v for v in check_plan(s, plan))


def test_malformed_plan_problems_name_json_paths():
    found = check_plan(
        scenario(),
        {"format": "planner-plan/1", "status": "OPTIMAL", "learners": [{"id": "l1", "foo": 1}]},
    )
    assert "plan is malformed at learners[0].foo: unknown key" in found
