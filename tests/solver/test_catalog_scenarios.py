"""Scenarios from the real course catalogs (benchmarks/catalogs.py): parsing and solving."""

import pytest

from benchmarks.catalogs import (
    anderson_courses,
    catalog_scenario,
    mcgill_courses,
    parse_offered,
    parse_prerequisites,
    role_ids,
)
from planner.solver import solve
from planner.solver.check import check_plan

KNOWN = {"BSNS 2810", "BSNS 3330", "BSNS 2450", "MATH 2120", "PSYC 2440", "BSNS 2510"}
KNOWN |= {"BSNS 2710", "ACCT 2020", "COMM 2130", "COMM 2240", "CPSC 2020", "CPSC 2030"}


@pytest.mark.parametrize(
    ("text", "all_of", "any_of"),
    [
        (
            "BSNS 2810 or BSNS 3330, BSNS 2450 or MATH 2120 or PSYC 2440",
            [],
            [["BSNS 2810", "BSNS 3330"], ["BSNS 2450", "MATH 2120", "PSYC 2440"]],
        ),
        (
            "BSNS 2510,2710,2810 or 3330; ACCT 2020; senior standing",
            ["BSNS 2510", "BSNS 2710", "ACCT 2020"],
            [["BSNS 2810", "BSNS 3330"]],
        ),
        ("COMM 2130, 2240", ["COMM 2130", "COMM 2240"], []),
        ("Grade of C- or better in CPSC 2020", ["CPSC 2020"], []),
        # ENGR 2310 is outside the extract: the any-of group shrinks to one course
        ("Grade of C- or better in CPSC 2030 or ENGR 2310", ["CPSC 2030"], []),
        ("MUBS 2010,2020", [], []),
        ("Junior Standing", [], []),
    ],
)
def test_anderson_prerequisite_text_becomes_all_of_and_any_of(text, all_of, any_of):
    assert parse_prerequisites(text, KNOWN) == (all_of, any_of)


@pytest.mark.parametrize(
    ("text", "offered"),
    [
        ("Semester I, II; Summer", ["fall", "spring"]),
        ("Semester II", ["spring"]),
        ("Semester I, 2026-27", ["2026-27 I"]),
        ("Semester II, 2025-26 (alternating years)", ["2025-26 II", "2027-28 II"]),
        ("Semester I. Semester II, 2025-26", ["fall", "2025-26 II"]),
        ("With suffcient demand", None),
        ("", None),
    ],
)
def test_anderson_offered_text_becomes_seasons_or_term_ids(text, offered):
    assert parse_offered(text) == offered


def test_catalogs_keep_every_course_and_the_real_prerequisites():
    anderson = {c["id"]: c for c in anderson_courses()}
    mcgill = {c["id"]: c for c in mcgill_courses()}
    assert len(anderson) == 191 and len(mcgill) == 117
    assert anderson["BSNS 4110"]["prerequisites_any"] == [
        ["BSNS 2810", "BSNS 3330"],
        ["BSNS 2450", "MATH 2120", "PSYC 2440"],
    ]
    # every reference points inside the extract
    for courses in (anderson, mcgill):
        for c in courses.values():
            refs = c["prerequisites"] + [p for g in c.get("prerequisites_any", []) for p in g]
            assert set(refs) <= set(courses), c["id"]
    # "not scheduled" McGill courses do not run
    assert mcgill["MRKT 654"]["max_sections"] == 0


@pytest.mark.parametrize("catalog", ["anderson", "mcgill"])
def test_every_seed_role_gives_a_valid_scenario(catalog):
    for role in role_ids():
        s = catalog_scenario(catalog, [role], learners=2)
        assert len(s.terms) == 8 and s.learners[0].role == role
        assert any(c.teaches for c in s.courses)


@pytest.mark.parametrize("catalog", ["anderson", "mcgill"])
def test_catalog_scenario_solves_to_a_checked_optimum(catalog):
    s = catalog_scenario(catalog, ["mkt-assistant"], learners=1)
    plan = solve(s, time_limit_s=20, workers=2)
    assert check_plan(s, plan) == []
    assert plan.status == "OPTIMAL"
    assert plan.objective["gap"] < sum(w for _, w in s.needs(s.learners[0]).values()) * 4
