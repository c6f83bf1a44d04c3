"""The seed skills taxonomy and target roles (seed/taxonomy.yaml, seed/roles.yaml).

Loads both files into plain dataclasses, validating everything other code relies on
(exactly five level descriptors, known areas, unique ids, existing skills, levels 1-4),
and turns them into the scenario file's `Skill` and `Role` objects. Every problem is
reported with the file and the path of the offending entry, e.g.
`roles.yaml: roles[3].requires.data.sq1: unknown skill "data.sq1"`.
"""

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from planner import resources
from planner.errors import ProblemsError
from planner.scenario import LEVEL_NAMES, TOP_LEVEL
from planner.scenario.models import Role as ScenarioRole
from planner.scenario.models import Skill as ScenarioSkill
from planner.services.assessment.scales import to_level

SEED_DIR = resources.seed_dir()
AREA_PREFIXES = {
    "data-analysis": "data",
    "ai-tools": "ai",
    "human-ai-collaboration": "hai",
    "creativity": "crea",
    "marketing-fundamentals": "mkt",
    "strategy-business": "strat",
    "crm-martech": "crm",
    "law-compliance": "law",
}
SKILL_ID = re.compile(r"^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$")
# O*NET occupations without LV ratings in release 29.3 and the rated occupation whose
# levels stand in for them (a labelled proxy, see seed/ATTRIBUTION.md).
ONET_LV_PROXIES = {"15-2051.00": "15-2051.01"}
# Areas whose O*NET mapping is direct evidence: O*NET has no AI-tool or human-AI
# collaboration elements, so those skills' mappings are only the nearest general skills.
ONET_EVIDENCE_AREAS = frozenset(AREA_PREFIXES) - {"ai-tools", "human-ai-collaboration"}


class TaxonomyError(ProblemsError):
    """Bad seed data; each problem names its file and entry."""


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    name_zh: str


@dataclass(frozen=True)
class SkillDef:
    id: str
    area: str
    name: str
    name_zh: str
    descriptors: tuple[str, ...]  # one per level 0..4
    onet: tuple[str, ...] = ()
    esco: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleDef:
    id: str
    name: str
    name_zh: str
    requires: dict[str, int]
    weights: dict[str, float] = field(default_factory=dict)
    soc: tuple[str, ...] = ()
    esco: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    source: str
    areas: tuple[Area, ...]
    skills: tuple[SkillDef, ...]

    def skill(self, skill_id: str) -> SkillDef:
        return {s.id: s for s in self.skills}[skill_id]

    @property
    def skill_ids(self) -> set[str]:
        return {s.id for s in self.skills}


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError([f"{path.name}: cannot read {path}: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise TaxonomyError([f"{path.name}: invalid YAML{where}"]) from None
    if not isinstance(data, dict):
        raise TaxonomyError([f"{path.name}: the top level must be a mapping"])
    return data


def _text(entry: dict, key: str, where: str, problems: list[str]) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}.{key}: required non-empty text")
        return ""
    return value


def _str_list(entry: dict, key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}.{key}: must be a list of strings")
        return ()
    return tuple(value)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    path = Path(path) if path else SEED_DIR / "taxonomy.yaml"
    data = _read_yaml(path)
    problems: list[str] = []
    prefix = f"{path.name}: "
    areas = _parse_areas(data.get("areas"), problems)
    skills = _parse_skills(data.get("skills"), {a.id for a in areas}, problems)
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append("source: required (how the file was built and its attributions)")
        source = ""
    if problems:
        raise TaxonomyError([prefix + p for p in problems])
    return Taxonomy(source=source, areas=tuple(areas), skills=tuple(skills))


def _entries(raw: object, name: str, problems: list[str]) -> Iterator[tuple[int, str, dict]]:
    """(index, where, entry) for each mapping in the list `name`; a problem for anything else."""
    if not isinstance(raw, list) or not raw:
        problems.append(f"{name}: required non-empty list")
        return
    for i, entry in enumerate(raw):
        where = f"{name}[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        yield i, where, entry


def _parse_areas(raw: object, problems: list[str]) -> list[Area]:
    areas: list[Area] = []
    seen: set[str] = set()
    for _, where, entry in _entries(raw, "areas", problems):
        area = Area(*(_text(entry, k, where, problems) for k in ("id", "name", "name_zh")))
        if area.id in seen:
            problems.append(f"{where}.id: duplicate area id {area.id!r}")
        elif area.id and area.id not in AREA_PREFIXES:
            problems.append(f"{where}.id: unknown area {area.id!r}")
        seen.add(area.id)
        areas.append(area)
    return areas


def _parse_skills(raw: object, area_ids: set[str], problems: list[str]) -> list[SkillDef]:
    skills: list[SkillDef] = []
    seen: set[str] = set()
    for i, where, entry in _entries(raw, "skills", problems):
        skill_id = _text(entry, "id", where, problems)
        where = f"skills[{i}] ({skill_id})" if skill_id else where
        area = _text(entry, "area", where, problems)
        if skill_id in seen:
            problems.append(f"{where}.id: duplicate skill id {skill_id!r}")
        seen.add(skill_id)
        if skill_id and not SKILL_ID.match(skill_id):
            problems.append(f"{where}.id: must look like 'prefix.slug' in lowercase")
        if area and area not in area_ids:
            problems.append(f"{where}.area: unknown area {area!r}")
        elif area and skill_id and skill_id.split(".")[0] != AREA_PREFIXES.get(area):
            problems.append(f"{where}.id: skills of {area} start with {AREA_PREFIXES[area]}.")
        descriptors = _str_list(entry, "descriptors", where, problems)
        if len(descriptors) != len(LEVEL_NAMES):
            problems.append(
                f"{where}.descriptors: need exactly {len(LEVEL_NAMES)} (levels 0-4), "
                f"got {len(descriptors)}"
            )
        elif len(set(descriptors)) != len(descriptors):
            problems.append(f"{where}.descriptors: each level needs its own descriptor")
        skills.append(
            SkillDef(
                id=skill_id,
                area=area,
                name=_text(entry, "name", where, problems),
                name_zh=_text(entry, "name_zh", where, problems),
                descriptors=descriptors,
                onet=_str_list(entry, "onet", where, problems),
                esco=_str_list(entry, "esco", where, problems),
            )
        )
    return skills


def load_roles(taxonomy: Taxonomy | None = None, path: Path | str | None = None) -> list[RoleDef]:
    taxonomy = taxonomy or load_taxonomy()
    path = Path(path) if path else SEED_DIR / "roles.yaml"
    raw = _read_yaml(path).get("roles")
    if not isinstance(raw, list) or not raw:
        raise TaxonomyError([f"{path.name}: roles: required non-empty list"])
    problems: list[str] = []
    roles: list[RoleDef] = []
    seen: set[str] = set()
    for _, where, entry in _entries(raw, "roles", problems):
        role_id = _text(entry, "id", where, problems)
        if role_id in seen:
            problems.append(f"{where}.id: duplicate role id {role_id!r}")
        seen.add(role_id)
        if ":" in role_id:
            problems.append(f"{where}.id: ':' is not allowed in ids")
        requires = _levels(entry.get("requires"), f"{where}.requires", taxonomy, problems)
        weights = _weights(entry.get("weights", {}), f"{where}.weights", requires, problems)
        roles.append(
            RoleDef(
                id=role_id,
                name=_text(entry, "name", where, problems),
                name_zh=_text(entry, "name_zh", where, problems),
                requires=requires,
                weights=weights,
                soc=_str_list(entry, "soc", where, problems),
                esco=_str_list(entry, "esco", where, problems),
            )
        )
    if problems:
        raise TaxonomyError([f"{path.name}: {p}" for p in problems])
    return roles


def _levels(raw, where: str, taxonomy: Taxonomy, problems: list[str]) -> dict[str, int]:
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{where}: required mapping of skill id to level 1-4")
        return {}
    out = {}
    for skill, level in raw.items():
        if skill not in taxonomy.skill_ids:
            problems.append(f"{where}.{skill}: unknown skill {skill!r}")
        elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= TOP_LEVEL:
            problems.append(f"{where}.{skill}: level must be an integer 1-4, got {level!r}")
        else:
            out[skill] = level
    return out


def _weights(raw, where: str, requires: dict, problems: list[str]) -> dict[str, float]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping of skill id to weight")
        return {}
    out = {}
    for skill, weight in raw.items():
        if skill not in requires:
            problems.append(f"{where}.{skill}: weight for a skill the role does not require")
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            problems.append(f"{where}.{skill}: weight must be a positive number, got {weight!r}")
        else:
            out[skill] = weight
    return out


def load_competence_mix(path: Path | str | None = None) -> dict[str, dict[str, dict]]:
    """role id -> group -> {"share": percent, "skills": [...]} (seed/competence_mix.yaml)."""
    path = Path(path) if path else SEED_DIR / "competence_mix.yaml"
    return _read_yaml(path)


# ---- conversion to the scenario file contract


def scenario_skills(taxonomy: Taxonomy, only: set[str] | None = None) -> list[ScenarioSkill]:
    return [
        ScenarioSkill(id=s.id, name=s.name, area=s.area)
        for s in taxonomy.skills
        if only is None or s.id in only
    ]


def scenario_role(role: RoleDef) -> ScenarioRole:
    return ScenarioRole(
        id=role.id, name=role.name, requires=dict(role.requires), weights=dict(role.weights)
    )


def scenario_roles(roles: list[RoleDef]) -> list[ScenarioRole]:
    return [scenario_role(r) for r in roles]


# ---- O*NET cross-check of required levels


def reference_data_dir() -> Path | None:
    """Where the O*NET/ESCO extracts live, or None when absent: $PLANNER_REFERENCE_DATA (a
    full extract), else the slices committed in seed/reference/ (see its README.md)."""
    candidates = [os.environ.get("PLANNER_REFERENCE_DATA"), resources.reference_dir()]
    for candidate in candidates:
        if candidate and (Path(candidate) / "onet" / "skills.csv").is_file():
            return Path(candidate)
    return None


def onet_lv_ratings(data_dir: Path) -> dict[tuple[str, str], float]:
    """(SOC code, element id) -> LV value, skipping suppressed and not-relevant ratings."""
    out = {}
    for name in ("skills.csv", "knowledge.csv"):
        with open(data_dir / "onet" / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Scale ID"] != "LV" or row["Recommend Suppress"] == "Y":
                    continue
                if row["Not Relevant"] == "Y":
                    continue
                out[(row["O*NET-SOC Code"], row["Element ID"])] = float(row["Data Value"])
    return out


def onet_implied_level(
    skill: SkillDef, soc: str, ratings: dict[tuple[str, str], float]
) -> int | None:
    """The 0-4 level O*NET suggests for a skill in an occupation, or None without evidence.

    The skill's O*NET elements' LV values are averaged and converted with to_level; an
    occupation without ratings borrows its labelled proxy's (ONET_LV_PROXIES).
    """
    soc = ONET_LV_PROXIES.get(soc, soc)
    values = [ratings[(soc, e)] for e in skill.onet if (soc, e) in ratings]
    if not values:
        return None
    return to_level(sum(values) / len(values), "onet_lv")


def onet_role_check(
    role: RoleDef, taxonomy: Taxonomy, ratings: dict[tuple[str, str], float]
) -> dict[str, tuple[int, int]]:
    """skill -> (required level, O*NET-implied level) for the role's first rated SOC code.

    Only areas whose O*NET mapping is direct evidence are compared: O*NET has no AI-tool or
    human-AI collaboration elements, so those levels are the project's own.
    """
    evidence_areas = ONET_EVIDENCE_AREAS
    rated = [s for s in role.soc if any(k[0] == ONET_LV_PROXIES.get(s, s) for k in ratings)]
    if not rated:
        return {}
    out = {}
    for skill_id, required in role.requires.items():
        skill = taxonomy.skill(skill_id)
        if skill.area not in evidence_areas:
            continue
        implied = onet_implied_level(skill, rated[0], ratings)
        if implied is not None:
            out[skill_id] = (required, implied)
    return out
