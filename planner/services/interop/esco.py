"""A role from an ESCO occupation's skill relations (ESCO v1.1.1 slice in
seed/interop/esco/, © European Union).

ESCO relations say only "essential" or "optional", with no proficiency level, so the
rule is the project's own (documented in docs/interop.md):
- a taxonomy skill cross-walked to an ESCO skill of the occupation (seed/taxonomy.yaml
  `esco`) joins the role;
- essential: weight ESSENTIAL_WEIGHT (1) and level `essential_level` (default 3,
  proficient); optional: weight OPTIONAL_WEIGHT (0.5) and `optional_level` (default 2,
  working); when several ESCO skills map onto one taxonomy skill, essential wins.
ESCO skills of the occupation that no taxonomy skill maps to are reported as `unmapped`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from planner.scenario import TOP_LEVEL
from planner.services.catalog.taxonomy import Taxonomy
from planner.services.interop.onet import RoleSourceError, data_dir

ESSENTIAL_WEIGHT, OPTIONAL_WEIGHT = 1, 0.5
OCCUPATION_URI = re.compile(r"^http://data\.europa\.eu/esco/occupation/[0-9a-f-]{36}$")
ATTRIBUTION = (
    "Contains data from ESCO v1.1.1 (European Skills, Competences, Qualifications and "
    "Occupations), © European Union, https://esco.ec.europa.eu; filtered by the project."
)


def read_relations(uri: str, directory: Path | None = None) -> tuple[str, list[dict]]:
    directory = directory or data_dir()
    if not OCCUPATION_URI.match(uri):
        raise RoleSourceError(
            [
                f'"{uri}" is not an ESCO occupation URI '
                "(http://data.europa.eu/esco/occupation/<uuid>)"
            ]
        )
    rows, known = [], {}
    path = directory / "esco" / "occupation_skill_relations.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            known[row["occupationUri"]] = row["occupationLabel"]
            if row["occupationUri"] == uri:
                rows.append(row)
    if not rows:
        names = ", ".join(sorted(known.values()))
        raise RoleSourceError(
            [f"ESCO occupation {uri} is not in the shipped slice (known: {names})"]
        )
    return known[uri], rows


def role_from_esco(
    uri: str,
    taxonomy: Taxonomy,
    role_id: str | None = None,
    essential_level: int = 3,
    optional_level: int = 2,
    directory: Path | None = None,
) -> dict:
    for name, value in (("essential level", essential_level), ("optional level", optional_level)):
        if not 1 <= value <= TOP_LEVEL:
            raise RoleSourceError([f"{name} must be 1-4 (got {value})"])
    label, relations = read_relations(uri, directory)
    by_concept: dict[str, list] = {}
    for skill in taxonomy.skills:
        for concept in skill.esco:
            by_concept.setdefault(concept, []).append(skill)
    chosen: dict[str, dict] = {}
    unmapped = []
    for row in relations:
        essential = row["relationType"] == "essential"
        matches = by_concept.get(row["skillUri"], [])
        if not matches:
            unmapped.append(
                {
                    "esco": row["skillUri"],
                    "name": row["skillLabel"],
                    "relation": row["relationType"],
                    "type": row["skillType"],
                }
            )
        for skill in matches:
            entry = chosen.setdefault(
                skill.id,
                {"skill": skill.id, "name": skill.name, "essential": False, "evidence": []},
            )
            entry["essential"] = entry["essential"] or essential
            entry["evidence"].append(
                {
                    "esco": row["skillUri"],
                    "name": row["skillLabel"],
                    "relation": row["relationType"],
                }
            )
    skills = [chosen[skill.id] for skill in taxonomy.skills if skill.id in chosen]  # its order
    for entry in skills:
        entry["level"] = essential_level if entry["essential"] else optional_level
        entry["weight"] = ESSENTIAL_WEIGHT if entry["essential"] else OPTIONAL_WEIGHT
    slug = uri.rsplit("/", 1)[-1][:8]
    return {
        "role": {
            "id": role_id or f"esco-{slug}",
            "name": label,
            "soc": [],
            "esco": [uri],
            "requires": {s["skill"]: s["level"] for s in skills},
            "weights": {s["skill"]: s["weight"] for s in skills if s["weight"] != 1},
        },
        "source": {
            "esco_occupation": uri,
            "essential_level": essential_level,
            "optional_level": optional_level,
        },
        "skills": skills,
        "unmapped": sorted(unmapped, key=lambda u: (u["relation"] != "essential", u["name"])),
        "attribution": ATTRIBUTION,
    }
