"""1EdTech CASE 1.0 (Competencies and Academic Standards Exchange): a CFPackage JSON.

Export: one CFDocument; each area and skill a CFItem (humanCodingScheme = planner id,
CFItemType "Skill area" / "Skill"); `isChildOf` CFAssociations with origin = child and
destination = parent (areas are children of the document); the O*NET and ESCO cross-walk
as `isRelatedTo` associations to the external URIs; and one CFRubric whose criteria are the
skills (CFItemURI) with five CFRubricCriterionLevels each (score and position = level 0-4,
quality = level name, description = the level's descriptor). Identifiers are uuid5 of a
fixed namespace and the planner id (common.stable_uuid), so they never change.

Import: the package is first validated against the vendored CASE 1.0 CFPackage JSON
schema (schemas/), then the isChildOf tree becomes areas and skills (common.tree_records);
a skill's descriptors come from its rubric criterion's levels in score order (five map one
to one; other counts through common.scale_position).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from planner.scenario import LEVEL_NAMES
from planner.services.interop.common import (
    FRAMEWORK_TITLE,
    Node,
    TaxonomyData,
    check_id,
    descriptors_from_scale,
    now_iso,
    public_url,
    stable_uuid,
    tree_records,
)
from planner.services.io.report import ImportProblem

SCHEMA_PATH = Path(__file__).parent / "schemas" / "case-v1p0-cfpackage-schema.json"
ONET_PREFIX = "https://www.onetonline.org/find/descriptor/result/"
ESCO_PREFIX = "http://data.europa.eu/esco/skill/"
AREA_TYPE, SKILL_TYPE = "Skill area", "Skill"


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_problems(document) -> list[str]:
    """Every way `document` breaks the CASE 1.0 CFPackage schema, as 'path: message'."""
    from jsonschema import Draft7Validator  # type: ignore[import-untyped]  # no types-jsonschema installed

    validator = Draft7Validator(schema(), format_checker=Draft7Validator.FORMAT_CHECKER)
    out = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        out.append(f"{_path(error.absolute_path) or '(top level)'}: {error.message}")
    return out


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def uri(kind: str, identifier: str) -> str:
    return f"{public_url()}/ims/case/v1p0/{kind}/{identifier}"


def _link(kind: str, identifier: str, title: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": uri(kind, identifier)}


def document_id() -> str:
    return stable_uuid("document")


def item_id(kind: str, planner_id: str) -> str:
    """kind: "area" or "skill"."""
    return stable_uuid(kind, planner_id)


def level_id(skill_id: str, level: int) -> str:
    return stable_uuid("level", skill_id, str(level))


def export_case(taxonomy: TaxonomyData, description: str = "") -> dict:
    now = now_iso()
    doc = document_id()
    doc_link = _link("CFDocuments", doc, FRAMEWORK_TITLE)
    document = {
        "identifier": doc,
        "uri": uri("CFDocuments", doc),
        "creator": "planner",
        "title": FRAMEWORK_TITLE,
        "lastChangeDateTime": now,
        "description": description,
        "language": "en",
        "version": "1.0",
        "adoptionStatus": "Draft",
        "CFPackageURI": _link("CFPackages", doc, FRAMEWORK_TITLE),
    }
    items, associations, criteria = [], [], []
    rubric = stable_uuid("rubric")

    def item(kind: str, planner_id: str, name: str, item_type: str) -> dict:
        ident = item_id(kind, planner_id)
        entry = {
            "identifier": ident,
            "uri": uri("CFItems", ident),
            "fullStatement": name,
            "humanCodingScheme": planner_id,
            "CFItemType": item_type,
            "language": "en",
            "lastChangeDateTime": now,
            "CFDocumentURI": doc_link,
        }
        items.append(entry)
        return entry

    def associate(kind: str, origin: dict, destination: dict, sequence: int | None = None):
        ident = stable_uuid("association", kind, origin["identifier"], destination["identifier"])
        entry: dict[str, object] = {
            "identifier": ident,
            "associationType": kind,
            "uri": uri("CFAssociations", ident),
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": now,
            "CFDocumentURI": doc_link,
        }
        if sequence is not None:
            entry["sequenceNumber"] = sequence
        associations.append(entry)

    def node(entry: dict) -> dict:
        return {
            "title": entry["fullStatement"],
            "identifier": entry["identifier"],
            "uri": entry["uri"],
        }

    used = [a for a in taxonomy.areas if any(s.get("area") == a for s in taxonomy.skills)]
    area_items = {}
    for position, area_id in enumerate(used, start=1):
        area_items[area_id] = item("area", area_id, taxonomy.areas[area_id], AREA_TYPE)
        associate("isChildOf", node(area_items[area_id]), doc_link, position)
    for position, skill in enumerate(taxonomy.skills, start=1):
        entry = item("skill", skill["id"], skill["name"], SKILL_TYPE)
        parent = area_items[skill["area"]] if skill.get("area") else None
        associate("isChildOf", node(entry), node(parent) if parent else doc_link, position)
        for element in skill.get("onet") or []:
            target = {
                "title": f"O*NET {element}",
                "identifier": element,
                "uri": ONET_PREFIX + element,
            }
            associate("isRelatedTo", node(entry), target)
        for concept in skill.get("esco") or []:
            target = {
                "title": "ESCO skill",
                "identifier": concept.rsplit("/", 1)[-1],
                "uri": concept,
            }
            associate("isRelatedTo", node(entry), target)
        if skill.get("descriptors"):
            criterion = stable_uuid("criterion", skill["id"])
            criteria.append(
                {
                    "identifier": criterion,
                    "uri": uri("CFRubricCriteria", criterion),
                    "category": skill["id"],
                    "description": skill["name"],
                    "CFItemURI": node(entry),
                    "position": position,
                    "rubricId": rubric,
                    "lastChangeDateTime": now,
                    "CFRubricCriterionLevels": [
                        {
                            "identifier": level_id(skill["id"], level),
                            "uri": uri("CFRubricCriterionLevels", level_id(skill["id"], level)),
                            "description": text,
                            "quality": LEVEL_NAMES[level],
                            "score": level,
                            "position": level,
                            "rubricCriterionId": criterion,
                            "lastChangeDateTime": now,
                        }
                        for level, text in enumerate(skill["descriptors"])
                    ],
                }
            )
    package = {"CFDocument": document, "CFItems": items, "CFAssociations": associations}
    if criteria:
        package["CFRubrics"] = [
            {
                "identifier": rubric,
                "uri": uri("CFRubrics", rubric),
                "title": "Skill levels 0-4",
                "description": "Behavioural descriptors of each skill's levels: "
                + ", ".join(f"{i} {n}" for i, n in enumerate(LEVEL_NAMES)),
                "lastChangeDateTime": now,
                "CFRubricCriteria": criteria,
            }
        ]
    return package


def export_case_bytes(taxonomy: TaxonomyData, description: str = "") -> bytes:
    text = json.dumps(export_case(taxonomy, description), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def find(package: dict, kind: str, identifier: str) -> dict | None:
    """The object of `kind` (a CASE REST collection name) with `identifier` in `package`."""
    document = package["CFDocument"]
    if kind in ("CFPackages", "CFDocuments"):
        if document["identifier"] != identifier:
            return None
        return package if kind == "CFPackages" else document
    rubrics = package.get("CFRubrics", [])
    criteria = [c for r in rubrics for c in r.get("CFRubricCriteria", [])]
    pools = {
        "CFItems": package["CFItems"],
        "CFAssociations": package["CFAssociations"],
        "CFRubrics": rubrics,
        "CFRubricCriteria": criteria,
        "CFRubricCriterionLevels": [lv for c in criteria for lv in c["CFRubricCriterionLevels"]],
    }
    return next((o for o in pools[kind] if o["identifier"] == identifier), None)


def is_case(document) -> bool:
    return isinstance(document, dict) and "CFDocument" in document


def parse_case(document, name: str) -> tuple[list[dict], list[ImportProblem]]:
    problems = [ImportProblem(name, None, None, p) for p in schema_problems(document)]
    if problems:
        return [], problems
    doc_id = document["CFDocument"]["identifier"].lower()
    items = {i["identifier"].lower(): (n, i) for n, i in enumerate(document.get("CFItems", []))}
    parents: dict[str, str | None] = {}
    related: dict[str, dict[str, list[str]]] = {}
    for n, assoc in enumerate(document.get("CFAssociations", [])):
        where = f"CFAssociations[{n}]"
        origin = assoc["originNodeURI"]["identifier"].lower()
        target = assoc["destinationNodeURI"]
        if assoc["associationType"] == "isChildOf":
            destination = target["identifier"].lower()
            if origin not in items:
                continue  # a child outside this package: not ours to import
            if destination != doc_id and destination not in items:
                problems.append(
                    ImportProblem(
                        name,
                        None,
                        None,
                        f"{where}.destinationNodeURI: unknown parent {target['identifier']}",
                    )
                )
                continue
            if origin in parents and parents[origin] != (
                None if destination == doc_id else destination
            ):
                problems.append(
                    ImportProblem(name, None, None, f"{where}: item {origin} has two parents")
                )
                continue
            parents[origin] = None if destination == doc_id else destination
        elif assoc["associationType"] in ("isRelatedTo", "exactMatchOf") and origin in items:
            link = target.get("uri", "")
            bucket = related.setdefault(origin, {"onet": [], "esco": []})
            if link.startswith(ONET_PREFIX):
                bucket["onet"].append(link[len(ONET_PREFIX) :])
            elif link.startswith(ESCO_PREFIX):
                bucket["esco"].append(link)
    levels = _rubric_levels(document)
    nodes = []
    for key, (n, entry) in items.items():
        where = f"CFItems[{n}]"
        code = (entry.get("humanCodingScheme") or "").strip()
        planner_id = code or entry["identifier"]
        why = check_id(planner_id)
        if why:
            problems.append(ImportProblem(name, None, None, f"{where}.humanCodingScheme: {why}"))
            continue
        title = (entry.get("abbreviatedStatement") or entry["fullStatement"]).strip()
        if not title:
            problems.append(ImportProblem(name, None, None, f"{where}.fullStatement: empty"))
        nodes.append(
            Node(
                key=key,
                id=planner_id,
                name=title,
                parent=parents.get(key),
                where=(None, where),
                descriptors=levels.get(key, []),
                extra=related.get(key, {"onet": [], "esco": []}),
            )
        )
    if problems:
        return [], problems
    return tree_records(nodes, name)


def _rubric_levels(document) -> dict[str, list[str]]:
    """item identifier -> five descriptors from the rubric criterion that points at it."""
    out = {}
    for rubric in document.get("CFRubrics", []):
        for criterion in rubric.get("CFRubricCriteria", []):
            target = criterion.get("CFItemURI")
            entries = criterion.get("CFRubricCriterionLevels") or []
            if not target or not entries:
                continue
            ordered = sorted(entries, key=lambda lv: (lv.get("score", 0), lv.get("position", 0)))
            texts = [(lv.get("description") or lv.get("quality") or "").strip() for lv in ordered]
            out[target["identifier"].lower()] = descriptors_from_scale(texts)
    return out
