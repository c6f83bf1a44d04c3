"""Moodle competency frameworks: the CSV of Moodle's admin tool `tool_lpimportcsv`.

Fourteen columns in a fixed order (Moodle maps them by position): parent ID number, ID
number, short name, description, description format, scale values, scale configuration,
rule type, rule outcome, rule config, cross-referenced competency ID numbers, exported ID,
is framework, taxonomy. One row is the framework itself; every other row is a competency
whose parent is named by ID number.

Export: the framework row carries the scale ("none,aware,working,proficient,expert") and
its configuration (default item 1 "none"; items 4 and 5 are proficient); areas are
top-level competencies, skills their children; each skill's description lists its five
level descriptors as `<ol start="0"><li>…</li></ol>` (Moodle keeps descriptions as HTML).

Import: the tree becomes areas and skills (common.tree_records); descriptors come from a
skill's `<ol>` of five items, else from the scale items (the competency's own scale, else
the framework's) mapped onto levels 0-4 by common.scale_position — except the planner's
own scale of level names, which gives no descriptors.
"""

from __future__ import annotations

import csv
import html
import io
import json
from html.parser import HTMLParser

from planner.scenario import LEVEL_NAMES
from planner.services.interop.common import (
    FRAMEWORK_ID,
    FRAMEWORK_TITLE,
    LEVELS,
    Node,
    TaxonomyData,
    check_id,
    descriptors_from_scale,
    tree_records,
)
from planner.services.io.report import ImportProblem
from planner.services.io.safe import SafeWriter, restore_cell
from planner.services.io.tables import Unreadable, decode_utf8

# Moodle's own header strings (admin/tool/lpimportcsv/lang/en), in their fixed order.
HEADERS = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
# Older Moodle releases spelled three headers differently.
_ALIASES = {
    "shortname": "short name",
    "cross referenced competency id numbers": "cross-referenced competency id numbers",
}
FORMAT_HTML = "1"  # Moodle's FORMAT_HTML
FRAMEWORK_TAXONOMIES = "domain,skill"  # level 1 = domain (our areas), level 2 = skill


def _norm(header: str) -> str:
    text = " ".join(header.strip().lower().split())
    return _ALIASES.get(text, text)


def is_moodle_header(header: list[str]) -> bool:
    return len(header) >= len(HEADERS) and [_norm(h) for h in header[: len(HEADERS)]] == [
        _norm(h) for h in HEADERS
    ]


def looks_like_moodle(data: bytes) -> bool:
    try:
        text = decode_utf8(data)
    except Unreadable:
        return False
    first = next(csv.reader(io.StringIO(text)), [])
    return is_moodle_header(first)


# --- export ---------------------------------------------------------------------------


def scale_configuration(items: int = LEVELS) -> str:
    """Moodle's JSON: [{"scaleid": …}, {"id": item, "scaledefault": 0/1, "proficient": 0/1}…].
    Moodle's importer replaces the scale id with the scale it finds or creates."""
    config: list[dict] = [{"scaleid": "1"}]
    for item in range(1, items + 1):
        config.append({"id": item, "scaledefault": int(item == 1), "proficient": int(item >= 4)})
    return json.dumps(config, separators=(",", ":"))


def levels_html(descriptors: list[str]) -> str:
    items = "".join(f"<li>{html.escape(text, quote=False)}</li>" for text in descriptors)
    return f'<ol start="0">{items}</ol>'


def export_moodle(taxonomy: TaxonomyData, description: str = "") -> bytes:
    out = io.StringIO(newline="")
    writer = SafeWriter(out, lineterminator="\n")  # formula-safe cells (io/safe.py)
    writer.writerow(HEADERS)
    writer.writerow(
        [
            "",
            FRAMEWORK_ID,
            FRAMEWORK_TITLE,
            html.escape(description, quote=False),
            FORMAT_HTML,
            ",".join(LEVEL_NAMES),
            scale_configuration(),
            "",
            "",
            "",
            "",
            "",
            "1",
            FRAMEWORK_TAXONOMIES,
        ]
    )
    exported = 0

    def row(parent: str, idnumber: str, name: str, description: str):
        nonlocal exported
        exported += 1
        # rule outcome 0 = none and rule config "null": what Moodle writes without a rule
        writer.writerow(
            [
                parent,
                idnumber,
                name,
                description,
                FORMAT_HTML,
                "",
                "",
                "",
                "0",
                "null",
                "",
                str(exported),
                "",
                "",
            ]
        )

    used = {s["area"] for s in taxonomy.skills if s.get("area")}
    for area_id, area_name in taxonomy.areas.items():
        if area_id in used:
            row("", area_id, area_name, "")
            for skill in taxonomy.skills:
                if skill.get("area") == area_id:
                    row(area_id, skill["id"], skill["name"], _skill_html(skill))
    for skill in taxonomy.skills:
        if not skill.get("area"):
            row("", skill["id"], skill["name"], _skill_html(skill))
    return out.getvalue().encode("utf-8")


def _skill_html(skill: dict) -> str:
    return levels_html(skill["descriptors"]) if skill.get("descriptors") else ""


# --- import ---------------------------------------------------------------------------


class _OrderedList(HTMLParser):
    """The <li> texts of the first <ol> in a description."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] | None = None
        self._in_ol = self._done = False
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "ol" and not self._in_ol:
            self._in_ol, self.items = True, []
        elif tag == "li" and self._in_ol:
            self._text = []

    def handle_endtag(self, tag):
        if tag == "li" and self._text is not None and self.items is not None:
            self.items.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "ol" and self._in_ol:
            self._in_ol, self._done = False, True

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def descriptors_from_html(description: str) -> list[str] | None:
    parser = _OrderedList()
    parser.feed(description)
    parser.close()
    items = parser.items
    return items if items and len(items) == LEVELS and all(items) else None


def _scale(values: str, config: str, row: int, name: str, problems: list) -> list[str]:
    """Scale items from "Scale values"; the configuration must be Moodle's JSON with a
    default and a proficient item (Moodle refuses the framework otherwise)."""
    items = [v.strip() for v in values.split(",") if v.strip()]

    def bad(column: str, message: str):
        problems.append(ImportProblem(name, row, column, message))

    if not items:
        bad("Scale values", "a scale needs at least one item (comma-separated)")
        return []
    try:
        parsed = json.loads(config)
    except json.JSONDecodeError as exc:
        bad("Scale configuration", f"not JSON: {exc.msg} at character {exc.pos}")
        return items
    if not (
        isinstance(parsed, list)
        and parsed
        and isinstance(parsed[0], dict)
        and "scaleid" in parsed[0]
    ):
        bad("Scale configuration", 'must be a JSON list starting with {"scaleid": …}')
        return items
    default = proficient = False
    for i, entry in enumerate(parsed[1:], start=1):
        item = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= len(items):
            bad("Scale configuration", f"entry {i}: id must be a scale item number 1-{len(items)}")
            continue
        default = default or bool(entry.get("scaledefault"))
        proficient = proficient or bool(entry.get("proficient"))
    if not default:
        bad("Scale configuration", "no item is marked scaledefault")
    if not proficient:
        bad("Scale configuration", "no item is marked proficient")
    return items


def parse_moodle(data: bytes, name: str) -> tuple[list[dict], list[ImportProblem]]:
    """Skill records (with their areas) from a Moodle framework CSV, and every problem."""
    text = decode_utf8(data)
    rows = [[restore_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text))]
    problems: list[ImportProblem] = []
    framework_scale: list[str] = []
    framework_row = None
    entries = []  # (row number, cells)
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(HEADERS):
            problems.append(
                ImportProblem(
                    name,
                    number,
                    None,
                    f"has {len(cells)} columns; Moodle's format has {len(HEADERS)}",
                )
            )
            continue
        if cells[12].strip().lower() in ("1", "true", "yes"):
            if framework_row is not None:
                problems.append(
                    ImportProblem(
                        name,
                        number,
                        "Is framework",
                        f"a second framework row (the first is row {framework_row})",
                    )
                )
                continue
            framework_row = number
            framework_scale = _scale(cells[5], cells[6], number, name, problems)
        else:
            entries.append((number, cells))
    if framework_row is None:
        problems.append(
            ImportProblem(
                name,
                None,
                "Is framework",
                'no framework row (one row must have "Is framework" = 1)',
            )
        )

    nodes: list[Node] = []
    seen: dict[str, int] = {}
    for number, cells in entries:
        parent, idnumber, shortname, description = (c.strip() for c in cells[:4])
        why = check_id(cells[1]) if cells[1].strip() else "ID number is empty"
        if why:
            problems.append(ImportProblem(name, number, "ID number", why))
            continue
        if idnumber in seen:
            problems.append(
                ImportProblem(
                    name,
                    number,
                    "ID number",
                    f'duplicate ID number "{idnumber}" (first at row {seen[idnumber]})',
                )
            )
            continue
        seen[idnumber] = number
        if not shortname:
            problems.append(ImportProblem(name, number, "Short name", "short name is empty"))
        scale = framework_scale
        if cells[5].strip():
            scale = _scale(cells[5], cells[6], number, name, problems)
        descriptors = descriptors_from_html(cells[3])
        if descriptors is None and scale != list(LEVEL_NAMES):
            # the planner's own level names are names, not descriptors: a skill exported
            # without descriptors comes back without them
            descriptors = descriptors_from_scale(scale)
        descriptors = descriptors or []
        nodes.append(
            Node(
                key=idnumber,
                id=idnumber,
                name=shortname,
                parent=parent or None,
                where=(number, "Parent ID number"),
                descriptors=descriptors,
            )
        )
    for node in nodes:
        if node.parent is not None and node.parent not in seen:
            problems.append(
                ImportProblem(
                    name,
                    node.where[0],
                    "Parent ID number",
                    f'unknown parent ID number "{node.parent}"',
                )
            )
    if problems:
        return [], problems
    return tree_records(nodes, name)
