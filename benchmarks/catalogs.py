"""Scenarios built from the real course catalogs in shared/data/catalogs.

- Anderson University 2025-26 (191 courses): the free-text prerequisites are parsed into
  an all-of list and any-of groups ("BSNS 2810 or BSNS 3330, BSNS 2450 or MATH 2120 or
  PSYC 2440" -> any-of [2810, 3330] and any-of [2450, MATH 2120, PSYC 2440]); standing
  rules ("senior standing") and courses outside the extract (MUBS, ENGR, MATH 1400) are
  dropped. "Offered: Semester I, 2026-27" becomes the term id of that year's fall term,
  "Semester I, II" both seasons, "(alternating years)" also two years later.
- McGill 2020-21 marketing (117 courses): every linked prerequisite is all-of (the
  source lost AND/OR, so this over-approximates); `terms` gives the seasons; a course
  "not scheduled" that year gets max_sections 0 (it does not run).

Skills are attached deterministically by keyword from title and description (seed
taxonomy ids); the level taught follows the course number. Terms: fall/spring over four
academic years starting 2025-26. Roles come from seed/roles.yaml.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import yaml

from planner.scenario import Scenario, parse_scenario
from planner.scenario.validate import find_cycles

DATA = Path("/work/shared/data/catalogs")
SEED = Path(__file__).resolve().parent.parent / "seed"
ANDERSON = DATA / "anderson_university_2025-26_courses.csv"
MCGILL = DATA / "mcgill_2020-21_marketing_courses.csv"
YEARS = ("2025-26", "2026-27", "2027-28", "2028-29")
CODE = re.compile(r"\b(?:([A-Z]{4})\s*)?(\d{4})\b")

# keyword (regex on lower-case title + description) -> taxonomy skill
KEYWORDS: list[tuple[str, str]] = [
    (r"spreadsheet|excel", "data.spreadsheets"),
    (r"statistic", "data.research-stats"),
    (r"survey|questionnaire", "data.survey-design"),
    (r"database|\bsql\b|data management", "data.sql"),
    (r"programming|python|computational", "data.python"),
    (r"analytics|metrics|dashboard", "data.kpi-dashboards"),
    (r"experiment", "data.ab-testing"),
    (r"regression|modell?ing|forecast", "data.attribution-mmm"),
    (r"internet|web\b|online", "data.web-analytics"),
    (r"artificial intelligence|machine learning|\bai\b", "ai.ml-literacy"),
    (r"automation|information systems", "ai.marketing-automation"),
    (r"ethic", "hai.responsible-ai"),
    (r"leadership|change", "hai.ai-change"),
    (r"story|narrative|creative", "crea.concept-storytelling"),
    (r"\bbrand", "crea.brand-authenticity"),
    (r"design|visual|graphic", "crea.ad-visual-design"),
    (r"writing|copy", "crea.copywriting"),
    (r"content|media production", "crea.content-strategy"),
    (r"video|film|broadcast", "crea.video-production"),
    (r"segment|positioning|targeting", "mkt.stp"),
    (r"consumer|buyer|customer insight", "mkt.consumer-behaviour"),
    (r"marketing", "mkt.marketing-mix"),
    (r"research", "mkt.market-research"),
    (r"digital", "mkt.digital-channels"),
    (r"search engine|\bseo\b", "mkt.seo-sem"),
    (r"social media", "mkt.social-media"),
    (r"communication|advertising|promotion", "mkt.imc"),
    (r"pric", "mkt.pricing"),
    (r"strateg|environment|global", "strat.pest-swot"),
    (r"planning|management", "strat.smart-planning"),
    (r"budget|accounting|financial report", "strat.budget-roi"),
    (r"finance|financial|economics", "strat.business-finance"),
    (r"organi[sz]ational behaviou?r|team", "strat.okr-team"),
    (r"selling|sales", "strat.sales-enablement"),
    (r"negotiat|conflict", "strat.negotiation"),
    (r"crisis|risk", "strat.crisis-decisions"),
    (r"innovation|new products|trend", "strat.trend-foresight"),
    (r"consult|business to business|b2b", "strat.solution-consulting"),
    (r"customer service|relationship", "crm.operations"),
    (r"retail|service", "crm.customer-experience"),
    (r"loyalty|retention", "crm.lifecycle"),
    (r"law|legal", "law.advertising-law"),
    (r"privacy", "law.data-protection"),
    (r"contract", "law.contracts"),
]


# --------------------------------------------------------------------------- parsing


def parse_prerequisites(text: str, known: set[str]) -> tuple[list[str], list[list[str]]]:
    """Free-text prerequisites -> (all-of, any-of groups), courses in `known` only.

    Clauses are separated by ";", "," and "and"; "or" joins the alternatives of one
    clause. A bare number inherits the last department named ("COMM 2130, 2240")."""
    text = re.split(r"\.\s*Expectation", text)[0]
    text = re.sub(r"grade of [^,;]*? in ", "", text, flags=re.I)
    all_of: list[str] = []
    any_of: list[list[str]] = []
    dept = None
    for clause in re.split(r";|,|\band\b", text):
        options = []
        for part in re.split(r"\bor\b", clause):
            for d, number in CODE.findall(part):
                dept = d or dept
                if dept:
                    options.append(f"{dept} {number}")
        options = [o for o in dict.fromkeys(options) if o in known]
        if len(options) == 1:
            all_of.append(options[0])
        elif options:
            any_of.append(options)
    return list(dict.fromkeys(all_of)), any_of


def parse_offered(text: str) -> list[str] | None:
    """'Semester I, II; Summer' -> seasons; 'Semester II, 2026-27' -> that term id."""
    out: list[str] = []
    for segment in re.split(r"[;.]", text):
        if "Semester" not in segment:
            continue
        body = segment.split("Semester", 1)[1]
        sems = [s for s in ("I", "II") if re.search(rf"\b{s}\b", body)]
        years = re.findall(r"\b(\d{4})-(\d{2})\b", body)
        if "alternating" in body:
            years += [(str(int(y) + 2), f"{(int(n) + 2) % 100:02d}") for y, n in years]
        for sem in sems:
            season = "fall" if sem == "I" else "spring"
            if years:
                out += [f"{y}-{n} {sem}" for y, n in years if f"{y}-{n}" in YEARS]
            else:
                out.append(season)
    return list(dict.fromkeys(out)) or None


def first_number(text: str) -> float:
    return float(re.match(r"\s*([\d.]+)", text).group(1))


def attach_skills(text: str, level: int) -> dict[str, int]:
    lower = text.lower()
    found = [skill for pattern, skill in KEYWORDS if re.search(pattern, lower)]
    return {skill: level for skill in dict.fromkeys(found[:4])}


# --------------------------------------------------------------------------- catalogs


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def anderson_courses() -> list[dict]:
    rows = _rows(ANDERSON)
    known = {r["code"] for r in rows}
    out = []
    for r in rows:
        all_of, any_of = parse_prerequisites(r["prerequisites"], known - {r["code"]})
        number = int(r["code"].split()[1])
        level = max(1, min(4, number // 1000))
        credits = first_number(r["credits"])
        course = {
            "id": r["code"],
            "title": r["title"],
            "credits": credits,
            "cost": credits * 300,
            "teaches": attach_skills(r["title"] + " " + r["description"], level),
            "prerequisites": all_of,
            "prerequisites_any": any_of,
        }
        offered = parse_offered(r["offered"])
        if offered is not None:
            course["offered"] = offered
        out.append(course)
    return out


def mcgill_courses() -> list[dict]:
    rows = _rows(MCGILL)
    known = {r["code"] for r in rows}
    out = []
    for r in rows:
        pre = [p.strip() for p in r["prerequisites"].split(";") if p.strip()]
        number = int(re.search(r"\d{3}", r["code"]).group())
        level = max(1, min(4, number // 100 - 1))
        credits = float(r["credits"])
        course = {
            "id": r["code"],
            "title": r["title"],
            "credits": credits,
            "cost": credits * 250,
            "teaches": attach_skills(r["title"], level),
            "prerequisites": [p for p in dict.fromkeys(pre) if p in known and p != r["code"]],
        }
        seasons = [s for s, word in (("fall", "Fall"), ("spring", "Winter")) if word in r["terms"]]
        if "not scheduled" in r["terms"]:
            course["max_sections"] = 0
        elif seasons:
            course["offered"] = seasons
        out.append(course)
    return out


def _break_cycles(courses: list[dict]) -> None:
    """All-of prerequisites must be a DAG: drop the closing edge of any cycle."""
    by_id = {c["id"]: c for c in courses}
    while cycles := find_cycles({c["id"]: c["prerequisites"] for c in courses}):
        a, b = cycles[0][-2], cycles[0][-1]
        by_id[a]["prerequisites"].remove(b)


def _add_skill_prerequisites(courses: list[dict]) -> None:
    """Upper-level courses need, by the start of the term, their first skill at two levels
    below what they teach, when a lower-level course teaches that much."""
    for c in courses:
        for skill, level in list(c["teaches"].items())[:1]:
            need = level - 2
            if need >= 1 and any(
                o["teaches"].get(skill, 0) >= need and o["id"] != c["id"] for o in courses
            ):
                c["requires_skills"] = {skill: need}


@lru_cache(maxsize=1)
def _seed() -> tuple[list[dict], list[dict]]:
    taxonomy = yaml.safe_load((SEED / "taxonomy.yaml").read_text(encoding="utf-8"))
    roles = yaml.safe_load((SEED / "roles.yaml").read_text(encoding="utf-8"))["roles"]
    skills = [{"id": s["id"], "name": s["name"], "area": s["area"]} for s in taxonomy["skills"]]
    ids = {s["id"] for s in skills}
    out = []
    for r in roles:
        out.append(
            {
                "id": r["id"],
                "name": r["name"],
                "requires": {k: v for k, v in r["requires"].items() if k in ids},
                "weights": {k: v for k, v in (r.get("weights") or {}).items() if k in ids},
            }
        )
    return skills, out


def role_ids() -> list[str]:
    return [r["id"] for r in _seed()[1]]


def terms() -> list[dict]:
    out = []
    for year in YEARS:
        out.append({"id": f"{year} I", "season": "fall", "max_credits": 18})
        out.append({"id": f"{year} II", "season": "spring", "max_credits": 18})
    return out


def catalog_courses(catalog: str) -> list[dict]:
    courses = {"anderson": anderson_courses, "mcgill": mcgill_courses}[catalog]()
    _break_cycles(courses)
    _add_skill_prerequisites(courses)
    return courses


def catalog_scenario(
    catalog: str,
    roles: list[str],
    *,
    learners: int = 1,
    max_credits: float | None = 9,
    time_limit_s: float = 20,
) -> Scenario:
    """One learner group per role (repeated `learners` times, varied start levels)."""
    skills, all_roles = _seed()
    courses = catalog_courses(catalog)
    people = []
    for role in roles:
        spec = next(r for r in all_roles if r["id"] == role)
        for i in range(learners):
            # deterministic variety: the i-th learner already has some required skills
            known = sorted(spec["requires"])[i::3] if i else []
            learner = {"id": f"{role}-{i + 1}", "role": role, "count": 1 + i}
            learner["levels"] = {k: min(2, spec["requires"][k]) for k in known}
            if max_credits is not None:
                learner["max_credits"] = max_credits
            people.append(learner)
    data = {
        "format": "planner-scenario/1",
        "name": f"{catalog} catalog: {', '.join(roles)}",
        "skills": skills,
        "roles": all_roles,
        "terms": terms(),
        "courses": courses,
        "learners": people,
        "options": {"time_limit_s": time_limit_s, "workers": 2},
    }
    return parse_scenario(data)


if __name__ == "__main__":  # a quick look at what the parsers made
    for name in ("anderson", "mcgill"):
        cs = catalog_courses(name)
        print(
            name,
            len(cs),
            "courses;",
            sum(bool(c["prerequisites"]) for c in cs),
            "with all-of,",
            sum(bool(c["prerequisites_any"]) for c in cs if "prerequisites_any" in c),
            "with any-of,",
            sum(bool(c["teaches"]) for c in cs),
            "teach a skill,",
            sum("requires_skills" in c for c in cs),
            "need a skill",
        )
