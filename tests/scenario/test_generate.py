"""The deterministic scenario generators: generate (rule coverage) and sized_body (size)."""

import time

from planner.scenario import OBJECTIVE_NAMES, dump_json, parse_scenario
from planner.scenario.generate import generate, sized_body


def test_same_seed_gives_the_same_scenario_and_other_seeds_differ():
    a = dump_json(generate(7, learners=3, courses=12, staff_rules=True, capacities=True))
    b = dump_json(generate(7, learners=3, courses=12, staff_rules=True, capacities=True))
    c = dump_json(generate(8, learners=3, courses=12, staff_rules=True, capacities=True))
    assert a == b and a != c


def test_generated_scenarios_are_valid_and_have_the_requested_sizes():
    for seed in range(100):
        s = generate(
            seed,
            learners=4,
            courses=15,
            terms=5,
            skills=9,
            staff_rules=True,
            capacities=seed % 2 == 0,
            fractional=seed % 3 == 0,
            tight=seed % 4 / 4,
        )
        assert (len(s.learners), len(s.courses), len(s.terms), len(s.skills)) == (4, 15, 5, 9)
        # round-trip through the file contract's validation
        assert parse_scenario(s.model_dump(exclude_none=True)) == s


def test_prerequisites_only_point_to_earlier_courses():
    s = generate(3, courses=40, prereq_density=0.9)
    position = {c.id: i for i, c in enumerate(s.courses)}
    assert any(c.prerequisites for c in s.courses)
    assert any(c.prerequisites_any for c in s.courses)
    assert any(c.requires_skills for c in s.courses)
    for c in s.courses:
        before = c.prerequisites + [p for g in c.prerequisites_any for p in g]
        assert all(position[p] < position[c.id] for p in before)


def test_knobs_switch_on_their_rules():
    s = generate(
        1,
        learners=30,
        courses=20,
        capacities=True,
        groups_count=9,
        staff_rules=True,
        budget="tight",
        fractional=True,
        gap_close=1.0,
    )
    assert all(c.capacity is not None for c in s.courses)
    assert any(c.session_cost > 0 for c in s.courses)
    assert {lr.count for lr in s.learners} <= set(range(1, 10))
    assert max(lr.count for lr in s.learners) > 1
    assert s.constraints.budget is not None
    assert any(lr.required for lr in s.learners) and any(lr.pinned for lr in s.learners)
    assert all(s.gap_mode_of(lr) == "close" for lr in s.learners)
    assert any(not float(c.credits).is_integer() for c in s.courses)
    plain = generate(1, learners=30, courses=20, gap_close=0.0)
    assert all(c.capacity is None and c.session_cost == 0 for c in plain.courses)
    assert all(not (lr.required or lr.pinned or lr.excluded) for lr in plain.learners)
    assert plain.constraints.budget is None


def test_pins_and_requirements_never_contradict_the_learner():
    for seed in range(200):
        s = generate(seed, learners=3, courses=8, staff_rules=True, tight=1.0)
        for lr in s.learners:
            own = set(s.learner_terms(lr))
            assert set(lr.pinned.values()) <= own
            assert not (set(lr.pinned) | set(lr.required)) & set(lr.excluded)


def test_large_scenarios_are_generated_quickly():
    started = time.perf_counter()
    s = generate(1, learners=300, courses=80, terms=6, skills=40, groups_count=20, capacities=True)
    generate(2, courses=250, terms=6, skills=60)
    assert len(s.learners) == 300
    assert time.perf_counter() - started < 5


def test_sized_body_is_a_valid_scenario_of_the_size_asked_for():
    body = sized_body(courses=30, learners=7, terms=4, skills=12, seed=2, capacity=5)
    assert body == sized_body(courses=30, learners=7, terms=4, skills=12, seed=2, capacity=5)
    s = parse_scenario(body)
    assert (len(s.courses), len(s.learners), len(s.terms), len(s.skills)) == (30, 7, 4, 12)
    assert [c.id for c in s.courses][:2] == ["C00000", "C00001"]  # pages and tests name these
    assert all(c.capacity == 5 and c.max_sections == 2 for c in s.courses)
    assert s.objective == list(OBJECTIVE_NAMES)
