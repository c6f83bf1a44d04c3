"""A role from an O*NET occupation's Skills and Knowledge ratings (O*NET 29.3 slice in
seed/interop/onet/, CC BY 4.0, USDOL/ETA).

The rule, per taxonomy skill cross-walked to O*NET elements (seed/taxonomy.yaml `onet`):
1. An element counts only with a usable Importance (IM, 1-5) and Level (LV, 0-7) rating:
   rows flagged "Recommend Suppress" or "Not Relevant" are dropped (and reported).
2. Importance = mean IM of the skill's elements; level = mean LV converted to 0-4 by
   planner.services.assessment.scales.to_level(…, "onet_lv").
3. The skill joins the role when importance >= MIN_IMPORTANCE (3.0, "important" on O*NET's
   scale) and the level is at least 1; weight = importance / 3, rounded to 0.01 (so an
   "important" skill weighs 1, an "extremely important" one 5/3).
4. Only areas where O*NET is direct evidence take part: O*NET has no AI-tool or human-AI
   collaboration elements (taxonomy.ONET_EVIDENCE_AREAS).
Elements with importance >= MIN_IMPORTANCE that no taxonomy skill maps to are reported as
`unmapped`. Occupations without ratings in the release use their labelled proxy
(taxonomy.ONET_LV_PROXIES).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from planner.errors import ProblemsError
from planner.services.assessment.scales import to_level
from planner.services.catalog.taxonomy import (
    ONET_EVIDENCE_AREAS,
    ONET_LV_PROXIES,
    SEED_DIR,
    Taxonomy,
)

MIN_IMPORTANCE = 3.0
SOC_CODE = re.compile(r"^\d\d-\d{4}\.\d\d$")
ATTRIBUTION = (
    "This role includes information from the O*NET 29.3 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 "
    "license. O*NET® is a trademark of USDOL/ETA. The project has modified all or some of "
    "this information. USDOL/ETA has not approved, endorsed, or tested these modifications."
)


class RoleSourceError(ProblemsError):
    """An occupation that cannot become a role (unknown code, no data)."""


def data_dir() -> Path:
    return SEED_DIR / "interop"


@dataclass(frozen=True)
class Rating:
    element: str
    name: str
    importance: float
    level: float  # LV 0-7


def read_occupation(
    soc: str, directory: Path | None = None
) -> tuple[str, list[Rating], list[dict]]:
    """(title, usable ratings, dropped elements with their reason) of one occupation."""
    directory = directory or data_dir()
    if not SOC_CODE.match(soc):
        raise RoleSourceError([f'"{soc}" is not an O*NET-SOC code like 13-1161.00'])
    titles = _titles(directory)
    if soc not in titles:
        known = ", ".join(sorted(titles))
        raise RoleSourceError(
            [f"O*NET occupation {soc} is not in the shipped slice (known: {known})"]
        )
    rated = ONET_LV_PROXIES.get(soc, soc)
    rows: dict[str, dict[str, dict]] = {}
    for name in ("skills.csv", "knowledge.csv"):
        with open(directory / "onet" / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["O*NET-SOC Code"] == rated:
                    rows.setdefault(row["Element ID"], {})[row["Scale ID"]] = row
    usable, dropped = [], []
    for element, scales in sorted(rows.items()):
        name = next(iter(scales.values()))["Element Name"]  # every scale's row names it
        im, lv = scales.get("IM"), scales.get("LV")
        if im is None or lv is None:
            reason = "no importance or no level rating"
        elif "Y" in (im["Recommend Suppress"], lv["Recommend Suppress"]):
            reason = "rating flagged Recommend Suppress"
        elif lv["Not Relevant"] == "Y":
            reason = "flagged Not Relevant"
        else:
            usable.append(Rating(element, name, float(im["Data Value"]), float(lv["Data Value"])))
            continue
        dropped.append({"element": element, "name": name, "reason": reason})
    if not usable and not dropped:
        raise RoleSourceError([f"O*NET occupation {soc} has no Skills or Knowledge ratings"])
    return titles[soc], usable, dropped


def _titles(directory: Path) -> dict[str, str]:
    with open(directory / "onet" / "occupations.csv", encoding="utf-8", newline="") as handle:
        return {r["O*NET-SOC Code"]: r["Title"] for r in csv.DictReader(handle)}


def role_from_onet(
    soc: str,
    taxonomy: Taxonomy,
    role_id: str | None = None,
    min_importance: float = MIN_IMPORTANCE,
    directory: Path | None = None,
) -> dict:
    title, ratings, dropped = read_occupation(soc, directory)
    by_element = {r.element: r for r in ratings}
    skills: list[dict] = []
    mapped: set[str] = set()
    for skill in taxonomy.skills:
        if skill.area not in ONET_EVIDENCE_AREAS:
            continue
        evidence = [by_element[e] for e in skill.onet if e in by_element]
        if not evidence:
            continue
        mapped.update(r.element for r in evidence)
        importance = sum(r.importance for r in evidence) / len(evidence)
        level = to_level(sum(r.level for r in evidence) / len(evidence), "onet_lv")
        if importance < min_importance or level < 1:
            continue
        skills.append(
            {
                "skill": skill.id,
                "name": skill.name,
                "level": level,
                "weight": round(importance / 3, 2),
                "evidence": [
                    {
                        "element": r.element,
                        "name": r.name,
                        "importance": r.importance,
                        "level_lv": r.level,
                    }
                    for r in evidence
                ],
            }
        )
    unmapped = [
        {"element": r.element, "name": r.name, "importance": r.importance, "level_lv": r.level}
        for r in sorted(ratings, key=lambda r: -r.importance)
        if r.importance >= min_importance and r.element not in mapped
    ]
    return {
        "role": {
            "id": role_id or "onet-" + soc.replace(".", "-"),
            "name": title,
            "soc": [soc],
            "esco": [],
            "requires": {s["skill"]: s["level"] for s in skills},
            "weights": {s["skill"]: s["weight"] for s in skills if s["weight"] != 1},
        },
        "source": {
            "onet_soc": soc,
            "rated_as": ONET_LV_PROXIES.get(soc, soc),
            "min_importance": min_importance,
        },
        "skills": skills,
        "unmapped": unmapped,
        "dropped": dropped,
        "attribution": ATTRIBUTION,
    }
