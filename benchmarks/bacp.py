"""Balanced academic curriculum problems (CSPLib prob030) as contract scenarios.

BACP: assign every course of a curriculum to a period so that prerequisites come in
earlier periods and every period's load lies in [load_lb, L]; L* is the least L for which
that is possible. As a scenario: one learner who must take every course (`required`),
terms P1..Pm with `min_credits` = load_lb and `max_credits` = L, course credits = load.
The CSPLib/MiniZinc course-count bounds per period have no counterpart in the contract and
are left out (so L* is the contract's own, found and checked here).

The instances are generated in the shape of the published ones (CSPLib bacp8/10/12: 46,
42 and 66 courses, 8-12 periods, loads 1-5; MiniZinc's curriculum set: about 50 courses,
10 periods, loads 1-10, about 70 prerequisites between nearby courses), deterministically
from a seed.
"""

from __future__ import annotations

import random

from planner.scenario import Scenario, parse_scenario
from planner.scenario.models import SCENARIO_FORMAT

# (name, courses, periods, load range, load_lb, prerequisites per course)
SHAPES = [
    ("bacp-8", 46, 8, (1, 5), 10, 0.8),
    ("bacp-10", 42, 10, (1, 5), 6, 0.8),
    ("bacp-12", 66, 12, (1, 5), 6, 0.9),
    ("mzn-50x10-a", 50, 10, (1, 10), 2, 1.4),
    ("mzn-50x10-b", 50, 10, (1, 10), 2, 1.4),
    ("mzn-60x10", 60, 10, (1, 10), 2, 1.4),
    ("mzn-40x8", 40, 8, (1, 10), 2, 1.2),
]


def bacp(
    seed: int,
    courses: int,
    periods: int,
    loads=(1, 5),
    load_lb: int = 2,
    prereqs: float = 1.0,
    max_load: int | None = None,
    name: str = "bacp",
) -> Scenario:
    """A BACP instance as a scenario; `max_load` None = no per-term maximum (yet)."""
    rng = random.Random(seed)
    ids = [f"C{i + 1:02d}" for i in range(courses)]
    course_list = []
    # Courses in layers of about n/m: a prerequisite comes from one of the two layers just
    # before (chains stay shorter than the number of periods, as in the published ones).
    layer = [i * periods // courses for i in range(courses)]
    for i, cid in enumerate(ids):
        course = {"id": cid, "credits": rng.randint(*loads)}
        window = [ids[j] for j in range(i) if layer[i] - 2 <= layer[j] < layer[i]]
        k = min(len(window), int(prereqs) + (rng.random() < prereqs % 1))
        if k:
            course["prerequisites"] = sorted(rng.sample(window, k=k))
        course_list.append(course)
    terms = []
    for p in range(periods):
        term = {"id": f"P{p + 1:02d}", "min_credits": load_lb}
        if max_load is not None:
            term["max_credits"] = max_load
        terms.append(term)
    data = {
        "format": SCENARIO_FORMAT,
        "name": name,
        "skills": [],
        "terms": terms,
        "courses": course_list,
        "learners": [{"id": "student", "required": ids}],
    }
    return parse_scenario(data)


def with_max_load(s: Scenario, max_load: float) -> Scenario:
    data = s.model_dump()
    for term in data["terms"]:
        term["max_credits"] = max_load
    return parse_scenario(data)


def instances() -> list[tuple[str, Scenario]]:
    return [
        (name, bacp(seed, n, m, loads, lb, pre, name=name))
        for seed, (name, n, m, loads, lb, pre) in enumerate(SHAPES, start=1)
    ]
