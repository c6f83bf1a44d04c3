"""Input limits shared by the forms, the importers, the API and the scenario file.

One home for: the id rule, text lengths, control characters, integer bounds and the JSON
parser with depth and size limits. Pure Python (the scenario package uses it too, and the
solver must stay free of web and database code).
"""

from __future__ import annotations

import json
import re

# -- ids and text -----------------------------------------------------------------------------

ID_MAX = 120
NAME_MAX = 200  # names of skills, areas, roles, learners, teams, calendars, scenarios
TITLE_MAX = 300  # course titles
TEXT_MAX = 2000  # level descriptors (multi-line)

# Ids go into rule lines (split on ":"), file names, URLs and headers: no control
# characters, quotes, slashes or backslashes either.
ID_RE = re.compile(r'^[^:\x00-\x1f\x7f"\'/\\]+\Z')
ID_RULE = 'may not contain ":", quotes, slashes, backslashes or control characters'

# Control characters: none in one-line text; multi-line text may hold tab and line breaks.
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_RULE = "may not contain control characters"


def id_problem(value: str) -> str | None:
    """Why `value` is not a valid id (None when it is). Blank ids are the caller's call."""
    if len(value) > ID_MAX:
        return f"at most {ID_MAX} characters (got {len(value)})"
    if value != value.strip():
        return "no spaces at the start or end"
    if not ID_RE.match(value):
        return ID_RULE
    return None


def text_problem(value: str, limit: int = NAME_MAX, multiline: bool = False) -> str | None:
    """Why free text is refused (None when it is fine)."""
    if len(value) > limit:
        return f"at most {limit} characters"
    if (TEXT_CONTROL if multiline else LINE_CONTROL).search(value):
        return CONTROL_RULE
    return None


# -- numbers ------------------------------------------------------------------------------------

COUNT_MAX = 1_000_000  # people in a group, seats per section, sections: far above any catalog


# -- JSON -----------------------------------------------------------------------------------------

JSON_MAX_DEPTH = 64  # a scenario nests 4 levels deep; thousands would crash the parser
JSON_MAX_BYTES = 20 * 2**20


class JSONLimitError(ValueError):
    """The JSON is too big or too deep; the message says which limit and where."""


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth_problem(text: str, limit: int = JSON_MAX_DEPTH) -> str | None:
    """Scan the text (without parsing it) for arrays/objects nested deeper than `limit`."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        ch = match.group()
        if ch in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, match.start()) + 1
                return f"nested more than {limit} levels deep (line {line})"
        elif ch in "]}":
            depth -= 1
    return None


def loads_json(text: str | bytes, max_bytes: int = JSON_MAX_BYTES, max_depth: int = JSON_MAX_DEPTH):
    """json.loads with a size and nesting limit (JSONLimitError); syntax errors stay
    json.JSONDecodeError so callers keep their line/column messages."""
    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    if size > max_bytes:
        raise JSONLimitError(f"JSON larger than {max_bytes // 2**20} MB")
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    problem = json_depth_problem(text, max_depth)
    if problem:
        raise JSONLimitError(f"JSON {problem}")
    return json.loads(text)


def check_nesting(value, max_depth: int = JSON_MAX_DEPTH, max_nodes: int = 5_000_000) -> None:
    """For already-parsed YAML: depth and node count (YAML aliases can multiply a small file
    into billions of nodes). Iterative, so a deep value cannot overflow the stack."""
    stack = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise JSONLimitError(f"more than {max_nodes} values (repeated aliases?)")
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise JSONLimitError(f"nested more than {max_depth} levels deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
