"""Cohort shapes beyond `planner.scenario.generate`: a seeded generator that varies every
dimension a corporate trainer or a college intake really has.

    shape(groups=500, courses=80, terms=8, seats="tight", money=True, depth="deep",
          roles="shared", seed=1) -> dict   # a planner-scenario/1 document

It builds the contract document directly (no call into the planner's own generator):
- skills in families; each family has a ladder of courses teaching levels 1..4;
- depth "deep": a course needs the one below it in its ladder (chains as long as the
  ladder), plus cross-family prerequisites; "shallow": at most one earlier course;
- roles "shared": roles draw their skills from one common pool (many courses serve many
  roles); "disjoint": each role owns its own families (no course serves two roles);
- seats "tight": about half the seats the unconstrained demand would use, "loose":
  about twice; every course has a capacity and a number of sections;
- money: a scenario budget about half the sticker price of the demand, plus session costs;
- learner groups of 1..20 people (about 10 on average), with random start levels, some
  own budgets, credit caps and a window of terms.
"""

from __future__ import annotations

import math
import random

SEASONS = ("q1", "q2", "q3", "q4")


def shape(
    groups: int = 500,
    courses: int = 80,
    terms: int = 8,
    *,
    seats: str = "tight",
    money: bool = True,
    depth: str = "deep",
    roles: str = "shared",
    seed: int = 1,
) -> dict:
    rng = random.Random(f"{seed}-{groups}-{courses}-{terms}-{seats}-{money}-{depth}-{roles}")
    families = max(4, courses // 5)
    skills = [f"f{f}.s{k}" for f in range(families) for k in range(2)]
    term_list = [
        {
            "id": f"Y{i // 4 + 1}{SEASONS[i % 4]}",
            "season": SEASONS[i % 4],
            "max_credits": rng.choice((6, 8, 9, 12)),
        }
        for i in range(terms)
    ]
    course_list = _courses(rng, courses, families, depth, term_list)
    role_list = _roles(rng, families, roles)
    learners = [_learner(rng, i, role_list, term_list) for i in range(groups)]
    doc: dict = {
        "format": "planner-scenario/1",
        "name": f"shape {groups}g {courses}c {terms}t {seats} {'money' if money else 'free'} "
        f"{depth} {roles} #{seed}",
        "skills": [{"id": s} for s in skills],
        "terms": term_list,
        "courses": course_list,
        "roles": role_list,
        "learners": learners,
    }
    _seats(rng, doc, 0.5 if seats == "tight" else 2.0, money)
    if money:
        sticker = _demand_cost(doc)
        doc["constraints"] = {"budget": round(sticker * 0.5)}
    return doc


def _courses(rng, n, families, depth, terms) -> list[dict]:
    out: list[dict] = []
    ladder: dict[int, list[dict]] = {f: [] for f in range(families)}
    for i in range(n):
        f = i % families
        rung = len(ladder[f])
        level = min(4, 1 + rung * 4 // max(1, math.ceil(n / families)))
        c: dict = {
            "id": f"K{i:03d}",
            "credits": rng.choice((1, 2, 3, 3, 4)),
            "cost": rng.choice((100, 200, 300, 450, 600, 800)),
            "teaches": {f"f{f}.s{rng.randrange(2)}": level},
        }
        if rng.random() < 0.3:
            c["teaches"][f"f{(f + 1) % families}.s{rng.randrange(2)}"] = max(1, level - 1)
        below = ladder[f][-1] if ladder[f] else None
        if depth == "deep":
            if below is not None:
                c["prerequisites"] = [below["id"]]
            if out and rng.random() < 0.3:
                other = rng.choice(out)
                if other["id"] not in c.get("prerequisites", []) and other is not below:
                    c.setdefault("prerequisites_any", []).append(
                        sorted({other["id"], rng.choice(out)["id"]})
                    )
        elif below is not None and rng.random() < 0.3:
            c["prerequisites"] = [below["id"]]
        roll = rng.random()
        if roll < 0.3:
            c["offered"] = sorted({t["season"] for t in rng.sample(terms, k=min(2, len(terms)))})
        elif roll < 0.45:
            c["offered"] = sorted(t["id"] for t in rng.sample(terms, k=rng.randint(1, len(terms))))
        ladder[f].append(c)
        out.append(c)
    return out


def _roles(rng, families, mode) -> list[dict]:
    count = 10
    out = []
    for r in range(count):
        if mode == "shared":
            pool = rng.sample(range(families), k=min(families, 4))
        else:  # each role owns a disjoint slice of the families
            share = max(1, families // count)
            pool = [(r * share + k) % families for k in range(share)]
        requires = {f"f{f}.s{rng.randrange(2)}": rng.randint(2, 4) for f in pool}
        role = {"id": f"role{r}", "requires": requires}
        if rng.random() < 0.5:
            role["weights"] = {s: rng.choice((1, 2, 3)) for s in requires}
        out.append(role)
    return out


def _learner(rng, i, roles, terms) -> dict:
    role = rng.choice(roles)
    lr: dict = {"id": f"G{i:05d}", "role": role["id"], "count": rng.randint(1, 20)}
    needed = sorted(role["requires"])
    start = {s: rng.randint(1, role["requires"][s] - 1) for s in needed if rng.random() < 0.4}
    if start:
        lr["levels"] = start
    if rng.random() < 0.25:
        lr["budget"] = rng.choice((1500, 2500, 4000))
    if rng.random() < 0.2:
        lr["max_credits"] = rng.choice((3, 4, 6))
    if len(terms) > 2 and rng.random() < 0.3:
        first = rng.randrange(len(terms) // 2)
        lr["terms"] = [t["id"] for t in terms[first:]]
    return lr


def _relevant(doc) -> dict[str, int]:
    """People who need a skill each course teaches above their start level."""
    roles = {r["id"]: r["requires"] for r in doc["roles"]}
    demand = {c["id"]: 0 for c in doc["courses"]}
    for lr in doc["learners"]:
        need = roles[lr["role"]]
        start = lr.get("levels", {})
        for c in doc["courses"]:
            if any(s in need and lv > start.get(s, 0) for s, lv in c["teaches"].items()):
                demand[c["id"]] += lr["count"]
    return demand


def _offered_terms(c, terms) -> int:
    offered = c.get("offered")
    if offered is None:
        return len(terms)
    return sum(1 for t in terms if t["id"] in offered or t["season"] in offered)


def _seats(rng, doc, ratio, money) -> None:
    """Seats over all the terms a course runs in ≈ ratio × the people who could use it."""
    demand = _relevant(doc)
    for c in doc["courses"]:
        sections = rng.choice((1, 2, 3))
        runs = max(1, _offered_terms(c, doc["terms"]))
        c["max_sections"] = sections
        c["capacity"] = max(1, math.ceil(ratio * max(1, demand[c["id"]]) / (sections * runs)))
        if money:
            c["session_cost"] = rng.choice((0, 500, 1000, 2000))


def _demand_cost(doc) -> float:
    demand = _relevant(doc)
    return sum(c["cost"] * demand[c["id"]] for c in doc["courses"]) + sum(
        c.get("session_cost", 0) * c["max_sections"] for c in doc["courses"]
    )


GROUPS = (50, 200, 500, 2000, 5000)
TERMS = (4, 8, 12)
COURSES = (40, 80, 250)


def grid(seed: int = 1):
    """The benchmark grid: every groups × terms × courses point, the other dimensions
    (seats, money, depth, role mix) rotated through the points so that each value of
    each appears at every size."""
    variants = [
        {"seats": seats, "money": money, "depth": depth, "roles": roles}
        for seats in ("tight", "loose")
        for money in (True, False)
        for depth in ("deep", "shallow")
        for roles in ("shared", "disjoint")
    ]
    i = 0
    for g in GROUPS:
        for t in TERMS:
            for c in COURSES:
                yield {"groups": g, "terms": t, "courses": c, **variants[i % len(variants)]}
                i += 1


def people(n: int, profiles: int = 5000, **kwargs) -> dict:
    """`n` people, one learner entry each (count 1), drawn from `profiles` profiles of
    `shape(groups=profiles, ...)`: what an HR export of a whole company looks like."""
    doc = shape(groups=profiles, **kwargs)
    rng = random.Random(n)
    templates = doc["learners"]
    doc["learners"] = [
        {**{k: v for k, v in rng.choice(templates).items() if k != "count"}, "id": f"P{i:07d}"}
        for i in range(n)
    ]
    doc["name"] = f"{n} people from {profiles} profiles, " + doc["name"]
    return doc
