"""What every interchange format shares: stable identifiers, the public base URI, the
taxonomy as records, the scale mapping for level lists that are not five long, and the
all-or-nothing write of an imported taxonomy.
"""

from __future__ import annotations

import math
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from planner.models import SkillArea
from planner.scenario import LEVEL_NAMES
from planner.services.io.records import read_records, write_records
from planner.services.io.report import ImportProblem, ImportRejected, ImportReport

# Fixed namespace: uuid5(NAMESPACE, name) gives every exported object the same identifier
# in every export, so a CASE registry or badge verifier can rely on it. Never change it.
NAMESPACE = uuid.UUID("ec864079-a045-439f-8176-617c468904ff")
LEVELS = len(LEVEL_NAMES)
FRAMEWORK_ID = "planner-marketing-skills"
FRAMEWORK_TITLE = "Marketing skills taxonomy"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def stable_uuid(kind: str, *parts: str) -> str:
    """The identifier of one exported object, e.g. stable_uuid("skill", "data.sql")."""
    return str(uuid.uuid5(NAMESPACE, ":".join(("planner", kind, *parts))))


def public_url() -> str:
    """Base of every URI in exported files: PLANNER_PUBLIC_URL, else the `planner serve`
    address. Identity is the UUID; the URI only says where a registry may serve it."""
    return (os.environ.get("PLANNER_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def scale_position(level: int, items: int) -> int:
    """Which of `items` scale entries (0-based) stands for planner level 0-4.

    A five-item scale maps one to one. Any other length is spread linearly over 0-4,
    rounding half up (the rule of planner/services/assessment/scales.py): a 2-item scale gives levels
    0-1 its first item and 2-4 its second; a 7-item scale gives levels 0-4 its items
    0, 2, 3, 5, 6 (0-based)."""
    if items == LEVELS:
        return level
    return math.floor(level * (items - 1) / (LEVELS - 1) + 0.5)


def descriptors_from_scale(items: list[str]) -> list[str]:
    """Five level descriptors from a scale of any length (see scale_position)."""
    if not items:
        return []
    return [items[scale_position(level, len(items))] for level in range(LEVELS)]


@dataclass
class TaxonomyData:
    """The stored taxonomy: areas (id -> name) in id order and skill records."""

    areas: dict[str, str]
    skills: list[dict]


def read_taxonomy(session: Session) -> TaxonomyData:
    areas = {a.id: a.name for a in session.scalars(select(SkillArea).order_by(SkillArea.id))}
    return TaxonomyData(areas=areas, skills=read_records(session, "skills"))


@dataclass
class Node:
    """One entry of an imported tree (a Moodle competency or a CASE item)."""

    key: str  # the file's own identifier of the entry
    id: str  # the planner id it becomes
    name: str
    parent: str | None  # key of the parent entry, None = top level
    where: tuple[int | None, str | None]  # (row, column) or (None, JSON path) for problems
    descriptors: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # more record fields (onet, esco)


def tree_records(nodes: list[Node], name: str) -> tuple[list[dict], list[ImportProblem]]:
    """Areas and skills from a tree: a top-level entry with children is an area; every
    leaf is a skill of the area at the top of its branch (entries in between group
    skills in the source and are not kept); a top-level leaf is a skill without area."""
    problems: list[ImportProblem] = []
    by_key = {n.key: n for n in nodes}
    children: dict[str, list[Node]] = {}
    for n in nodes:
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n)

    def problem(node: Node, message: str):
        row, column = node.where
        problems.append(ImportProblem(name, row, column, message))

    def root_of(node: Node) -> Node | None:
        seen = set()
        while node.parent is not None:
            if node.key in seen:
                return None
            seen.add(node.key)
            node = by_key[node.parent]
        return node

    records: list[dict] = []
    ids: dict[str, str] = {}  # skill id -> key of the entry that took it
    for n in nodes:
        root = root_of(n)
        if root is None:
            problem(n, f'"{n.key}" is its own ancestor (a cycle of parents)')
            continue
        if n.key in children:
            continue  # a group: the area (top level) or an in-between entry
        area = root if root is not n else None
        if n.id in ids:
            problem(n, f'skill id "{n.id}" is used twice (first by "{ids[n.id]}")')
            continue
        ids[n.id] = n.key
        record = {"id": n.id, "name": n.name, "descriptors": list(n.descriptors), **n.extra}
        record["area"] = area.id if area else None
        if area:
            record["area_name"] = area.name
        records.append(record)
    area_ids = {r["area"] for r in records if r["area"]}
    for aid in area_ids & set(ids):
        problems.append(ImportProblem(name, None, None, f'"{aid}" is both an area and a skill id'))
    if not records and not problems:
        problems.append(
            ImportProblem(name, None, None, "no skills: the framework has no leaf entries")
        )
    return records, problems


def check_id(value: str) -> str | None:
    """Why `value` cannot be a planner id, or None."""
    if not value.strip():
        return "id is empty"
    if ":" in value:
        return f'id "{value}" contains ":" (not allowed in planner ids)'
    if value != value.strip():
        return f'id "{value}" has leading or trailing spaces'
    return None


def write_taxonomy(session: Session, name: str, records: list[dict], problems) -> ImportReport:
    """Raise ImportRejected on any problem, else upsert the skills (and their areas)."""
    if problems:
        raise ImportRejected(problems)
    write_records(session, "skills", records)
    areas = {r["area"] for r in records if r.get("area")}
    return ImportReport(file=name, counts={"areas": len(areas), "skills": len(records)})
