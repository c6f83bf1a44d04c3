"""Deterministic random scenarios for tests and benchmarks.

`generate(seed, ...)` always returns the same valid Scenario for the same arguments
(it draws only from random.Random(seed)). Courses form a prerequisite DAG by list order
(a course only depends on earlier ones), later courses teach higher levels, and the knobs
switch on the harder rules: capacities and session costs, budgets, staff rules,
gap_mode close, and `tight` to make scenarios tight or infeasible.

`sized_body(...)` is a scenario body of a given size with a realistic, named shape
(prerequisite chains, a few roles, titles and hours): pages, jobs and load tests use it
where size matters more than rule coverage.
"""

from __future__ import annotations

import random
from typing import Any

from planner.scenario.load import parse_scenario
from planner.scenario.models import OBJECTIVE_NAMES, SCENARIO_FORMAT, Scenario

Body = dict[str, Any]  # a scenario, a part of one, as JSON data

SEASONS = ("fall", "spring")
AREAS = ("data-analysis", "ai-tools", "creativity", "marketing-fundamentals", "crm-martech")


def _money(rng: random.Random, low: int, high: int, fractional: bool) -> float | int:
    value = rng.randint(low, high) * 50
    return value + rng.choice((0, 0.5, 0.25)) if fractional else value


def _credits(rng: random.Random, fractional: bool) -> float | int:
    return rng.choice((1, 1.5, 2, 2.5, 3)) if fractional else rng.choice((1, 2, 2, 3, 3, 4))


def generate(
    seed: int,
    *,
    learners: int = 1,
    courses: int = 10,
    terms: int = 4,
    skills: int = 8,
    roles: int = 2,
    role_skills: tuple[int, int] = (2, 4),
    groups_count: int = 1,
    capacities: bool = False,
    budget: float | str | None = None,
    learner_budgets: bool = True,
    fractional: bool = False,
    staff_rules: bool = False,
    gap_close: float = 0.1,
    tight: float = 0.0,
    max_credits: float | None = None,
    prereq_density: float = 0.3,
    objective: list[str] | None = None,
    name: str | None = None,
) -> Scenario:
    """A valid random scenario.

    role_skills: (fewest, most) skills a role requires.
    groups_count: each learner is a group of 1..groups_count people.
    budget: scenario budget; a number, "tight" (about a third of the sticker price of
      every course for everyone), or None for unlimited.
    gap_close: probability that a learner must close its gap.
    tight: 0..1; raises term minimum credits, cuts budgets, caps sections and pins courses
      to unlikely terms, so more scenarios are infeasible.
    """
    rng = random.Random(seed)
    skill_ids = [f"s{i}" for i in range(skills)]
    data: Body = {
        "format": SCENARIO_FORMAT,
        "name": name or f"generated {seed}",
        "skills": [{"id": s, "area": rng.choice(AREAS)} for s in skill_ids],
    }
    data["terms"] = _terms(rng, terms, tight, max_credits)
    course_list = _courses(
        rng, courses, skill_ids, data["terms"], capacities, fractional, prereq_density, tight
    )
    data["courses"] = course_list
    data["roles"] = _roles(rng, roles, skill_ids, fractional, role_skills)
    data["learners"] = [
        _learner(
            rng, i, data, groups_count, learner_budgets, staff_rules, gap_close, tight, fractional
        )
        for i in range(learners)
    ]
    if budget == "tight":
        full = sum(
            lr.get("count", 1) * sum(c.get("cost", 0) for c in course_list)
            for lr in data["learners"]
        )
        data["constraints"] = {"budget": round(full / 3)}
    elif budget is not None:
        data["constraints"] = {"budget": budget}
    if objective is not None:
        data["objective"] = objective
    elif rng.random() < 0.15:
        order = list(OBJECTIVE_NAMES)
        rng.shuffle(order)
        data["objective"] = order[: rng.randint(1, 4)]
    return parse_scenario(data)


def _terms(rng: random.Random, n: int, tight: float, max_credits: float | None) -> list[Body]:
    out = []
    for i in range(n):
        term: Body = {"id": f"T{i + 1}", "season": SEASONS[i % 2]}
        if max_credits is not None:
            term["max_credits"] = max_credits
        elif rng.random() < 0.5:
            term["max_credits"] = rng.choice((6, 8, 10, 12, 18))
        if rng.random() < 0.15 + tight * 0.5:
            term["min_credits"] = rng.choice((1, 2, 3) if tight < 0.5 else (3, 4, 6))
        out.append(term)
    return out


def _courses(
    rng: random.Random,
    n: int,
    skill_ids: list[str],
    terms: list[Body],
    capacities: bool,
    fractional: bool,
    density: float,
    tight: float,
) -> list[Body]:
    term_ids = [t["id"] for t in terms]
    out: list[Body] = []
    for i in range(n):
        depth = i / max(1, n - 1)  # later courses are more advanced
        c: Body = {"id": f"C{i:03d}", "credits": _credits(rng, fractional)}
        if rng.random() < 0.9:
            c["cost"] = _money(rng, 1, 16, fractional)
        teach = rng.sample(skill_ids, k=min(len(skill_ids), rng.choice((1, 1, 2, 2, 3))))
        c["teaches"] = {s: max(1, min(4, round(1 + 3 * depth + rng.uniform(-1, 1)))) for s in teach}
        earlier = [o for o in out]
        if earlier and rng.random() < density:
            c["prerequisites"] = [
                o["id"] for o in rng.sample(earlier, k=min(len(earlier), rng.choice((1, 1, 2))))
            ]
        if len(earlier) >= 2 and rng.random() < density / 2:
            c["prerequisites_any"] = [[o["id"] for o in rng.sample(earlier, k=2)]]
        if earlier and rng.random() < density / 2:
            source = rng.choice(earlier)
            skill, lv = rng.choice(sorted(source["teaches"].items()))
            c["requires_skills"] = {skill: max(1, lv - rng.randint(0, 1))}
        roll = rng.random()
        if roll < 0.25:
            c["offered"] = [rng.choice(SEASONS[: min(2, len(terms))])]
        elif roll < 0.4:
            c["offered"] = sorted(rng.sample(term_ids, k=rng.randint(1, len(term_ids))))
        if capacities:
            c["capacity"] = rng.choice((1, 2, 3, 5, 10, 20, 30))
            c["max_sections"] = rng.choice((0, 1, 1, 2, 3) if tight else (1, 1, 2, 3, 4))
            c["session_cost"] = _money(rng, 0, 20, fractional)
        elif tight and rng.random() < tight * 0.1:
            c["max_sections"] = 0
        out.append(c)
    return out


def _roles(
    rng: random.Random, n: int, skill_ids: list[str], fractional: bool, sizes: tuple[int, int]
) -> list[Body]:
    out = []
    for i in range(n):
        req = rng.sample(skill_ids, k=min(len(skill_ids), rng.randint(*sizes)))
        role: Body = {"id": f"role{i}", "requires": {s: rng.randint(1, 4) for s in req}}
        weighted = [s for s in req if rng.random() < 0.5]
        if weighted:
            role["weights"] = {
                s: rng.choice((0.5, 1.5, 2.25)) if fractional else rng.randint(1, 3)
                for s in weighted
            }
        out.append(role)
    return out


def _learner(
    rng: random.Random,
    i: int,
    data: Body,
    groups_count: int,
    budgets: bool,
    staff_rules: bool,
    gap_close: float,
    tight: float,
    fractional: bool,
) -> Body:
    skill_ids = [s["id"] for s in data["skills"]]
    course_ids = [c["id"] for c in data["courses"]]
    term_ids = [t["id"] for t in data["terms"]]
    lr: Body = {"id": f"L{i:03d}"}
    if data["roles"] and rng.random() < 0.8:
        lr["role"] = rng.choice(data["roles"])["id"]
    if rng.random() < 0.4 or "role" not in lr:
        lr["target"] = {
            s: rng.randint(1, 4) for s in rng.sample(skill_ids, k=min(2, len(skill_ids)))
        }
    if rng.random() < 0.5:
        lr["levels"] = {
            s: rng.randint(1, 2) for s in rng.sample(skill_ids, k=min(2, len(skill_ids)))
        }
    early = course_ids[: max(1, len(course_ids) // 4)]
    if rng.random() < 0.3:
        lr["completed"] = sorted(rng.sample(early, k=min(len(early), rng.randint(1, 2))))
    if groups_count > 1:
        lr["count"] = rng.randint(1, groups_count)
    if len(term_ids) > 1 and rng.random() < 0.3:
        start = rng.randint(0, len(term_ids) - 1)
        lr["terms"] = term_ids[start : rng.randint(start + 1, len(term_ids))]
    if rng.random() < 0.3:
        lr["max_credits"] = rng.choice((3, 4, 6, 9))
    if budgets and rng.random() < 0.3 + tight * 0.4:
        lr["budget"] = _money(rng, 4, 40, fractional) * (0.3 if rng.random() < tight else 1)
    if rng.random() < gap_close:
        lr["gap_mode"] = "close"
    if staff_rules:
        _staff_rules(rng, lr, course_ids, term_ids, tight)
    return lr


def _staff_rules(
    rng: random.Random, lr: Body, course_ids: list[str], term_ids: list[str], tight: float
) -> None:
    own_terms = lr.get("terms", term_ids)
    completed = set(lr.get("completed", []))
    free = [c for c in course_ids if c not in completed]
    rng.shuffle(free)
    if free and rng.random() < 0.4:
        lr["excluded"] = [free.pop()]
    if free and rng.random() < 0.4 + tight * 0.3:
        lr["required"] = [free.pop()]
    if free and rng.random() < 0.3 + tight * 0.5:
        lr["pinned"] = {free.pop(): rng.choice(own_terms)}


def sized_body(
    *,
    courses: int = 40,
    learners: int = 20,
    terms: int = 6,
    skills: int = 30,
    seed: int = 7,
    name: str | None = None,
    max_credits: float = 12,
    capacity: int | None = None,
) -> Body:
    """A valid scenario body of the given size with a realistic shape.

    Courses form prerequisite chains, teach 1-3 skills, and run in fall or spring; learners
    hold one of a few roles with scattered start levels. Used to load pages and solver
    runs with sizes no hand-written fixture reaches.
    """
    rng = random.Random(seed)
    areas = ["data-analysis", "ai-tools", "creativity", "crm-martech", "law-compliance"]
    skill_ids = [f"sk{i:03d}" for i in range(skills)]
    body_skills = [
        {"id": s, "name": f"Skill {i}", "area": areas[i % len(areas)]}
        for i, s in enumerate(skill_ids)
    ]
    roles: list[Body] = []
    for r in range(min(8, max(1, skills // 4))):
        req = {s: rng.randint(2, 4) for s in rng.sample(skill_ids, min(len(skill_ids), 6))}
        roles.append(
            {
                "id": f"role{r}",
                "name": f"Role {r}",
                "requires": req,
                "weights": {s: rng.choice([1, 1, 2, 3]) for s in req},
            }
        )
    body_terms = [
        {"id": f"T{t + 1}", "season": SEASONS[t % 2], "max_credits": max_credits}
        for t in range(terms)
    ]
    body_courses: list[Body] = []
    for c in range(courses):
        cid = f"C{c:05d}"
        teaches = {s: rng.randint(1, 4) for s in rng.sample(skill_ids, rng.randint(1, 3))}
        course: Body = {
            "id": cid,
            "title": f"Course {c}",
            "credits": rng.choice([1, 2, 3, 3, 4]),
            "hours": 15 * rng.randint(1, 4),
            "cost": rng.choice([0, 200, 400, 600, 900]),
            "teaches": teaches,
        }
        if c >= 10 and rng.random() < 0.3:
            course["prerequisites"] = [f"C{rng.randrange(max(0, c - 10), c):05d}"]
        if rng.random() < 0.5:
            course["offered"] = [rng.choice(SEASONS)]
        if capacity:
            course["capacity"] = capacity
            course["max_sections"] = 2
        body_courses.append(course)
    body_learners = []
    for i in range(learners):
        role = rng.choice(roles)
        levels = {s: rng.randint(0, 2) for s in rng.sample(skill_ids, min(len(skill_ids), 5))}
        body_learners.append({"id": f"L{i:05d}", "role": role["id"], "levels": levels})
    return {
        "format": SCENARIO_FORMAT,
        "name": name or f"Synthetic {courses} courses × {learners} learners",
        "skills": body_skills,
        "roles": roles,
        "terms": body_terms,
        "courses": body_courses,
        "learners": body_learners,
        "objective": list(OBJECTIVE_NAMES),
        "options": {"time_limit_s": 10, "workers": 2},
    }
