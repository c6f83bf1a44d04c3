"""Spreadsheet cells <-> record values, one parser per field type.

List cells separate items with ";" (`MKT101;MKT102`); map cells write `key=value` items
(`data.sql=3;ai.prompting=2`); any-of groups separate alternatives with "|"
(`STA101|STA110;MKT100|MKT105`). An empty cell means the field's default.
JSON rows may give the same values already structured (lists, objects, numbers).
"""

import math

from planner.limits import COUNT_MAX, ID_MAX, ID_RE, ID_RULE, NAME_MAX, TEXT_MAX, TITLE_MAX
from planner.limits import LINE_CONTROL as _CONTROL
from planner.limits import TEXT_CONTROL as _CONTROL_MULTILINE
from planner.scenario import LEVEL_NAMES, TOP_LEVEL

LEVEL_MAPS = {"requires", "teaches", "requires_skills", "levels", "target"}
ID_LISTS = {"onet", "esco", "soc", "prerequisites", "completed", "required", "excluded"}
OPTIONAL_LISTS = {"offered", "terms"}  # empty = every term (None), as in the scenario file
AMOUNTS = {"credits", "hours", "cost", "session_cost", "max_credits", "min_credits", "budget"}
COUNTS = {"count": 1, "capacity": 1, "max_sections": 0}  # integer fields and their minimum
TEXT = {"name", "name_zh", "title", "area_name", "area_name_zh"}  # free text, may be empty
REFS = {"area", "curriculum", "role", "team", "season", "calendar", "gap_mode"}  # ids or None
DESCRIPTOR_COLUMNS = [f"descriptor_{level}" for level in range(len(LEVEL_NAMES))]
# The catalog forms' limits (planner/views/forms.py), so a file cannot store what a form
# refuses; free-text labels and codes get a bound too.
MAX_LENGTH = {"name": NAME_MAX, "name_zh": NAME_MAX, "area_name": NAME_MAX,
              "area_name_zh": NAME_MAX, "title": TITLE_MAX, "team": NAME_MAX, "season": ID_MAX,
              "descriptors": TEXT_MAX}  # fmt: skip
CODE_LISTS = {"onet", "esco", "soc"}  # codes and URIs: "/" and ":" allowed
MAX_CODE_LENGTH = 300
MAX_AMOUNT = 1e12  # money, hours, credits
MAX_COUNT = COUNT_MAX  # people in a group, seats, sections
FREE_REFS = {"team", "season"}  # labels, not ids


class CellError(ValueError):
    """A bad cell; the message says what is wrong (the caller adds file, row and column)."""


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_cell(field: str, value):
    """Turn one raw cell (string from CSV/XLSX, or a JSON value) into a record value."""
    if field == "id":
        return parse_id(value)
    if field in TEXT:
        return "" if value is None else _text(field, value)
    if field in REFS:
        if is_blank(value):
            return None
        return _text(field, value) if field in FREE_REFS else parse_id(value)
    if field in LEVEL_MAPS:
        return {_key(k): parse_level(v, k) for k, v in parse_map(value).items()}
    if field == "weights":
        return {_key(k): parse_amount(v, k) for k, v in parse_map(value).items()}
    if field == "pinned":
        return {_key(k): parse_id(v) for k, v in parse_map(value).items()}
    if field in CODE_LISTS:
        return [_code(item) for item in parse_list(value)]
    if field in ID_LISTS:
        return [parse_id(item) for item in parse_list(value)]
    if field in OPTIONAL_LISTS:
        return None if is_blank(value) else [parse_id(item) for item in parse_list(value)]
    if field == "prerequisites_any":
        return parse_groups(value)
    if field in AMOUNTS:
        return None if is_blank(value) else parse_amount(value)
    if field in COUNTS:
        return None if is_blank(value) else parse_count(value, COUNTS[field])
    if field == "descriptors":
        if value is not None and not isinstance(value, list):
            raise CellError("expected a list of five descriptor texts")
        return [_text(field, v) if v is not None else "" for v in value or []]
    raise CellError(f"unknown field {field}")


def _text(field: str, value) -> str:
    """Free text: no control characters (descriptors may span lines), within the form's
    length limit."""
    if isinstance(value, list | dict):
        raise CellError(f"expected text, got {type(value).__name__}")
    text = str(value).strip()
    control = _CONTROL_MULTILINE if field == "descriptors" else _CONTROL
    if control.search(text):
        raise CellError("contains a control character")
    limit = MAX_LENGTH.get(field)
    if limit is not None and len(text) > limit:
        raise CellError(f"longer than {limit} characters ({len(text)})")
    return text


def _show_id(text: str) -> str:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return repr(shown) if _CONTROL.search(shown) else f'"{shown}"'


def parse_id(value) -> str:
    """An id as the catalog forms accept it (planner.limits.ID_RE)."""
    if is_blank(value):
        raise CellError("id is empty")
    if isinstance(value, list | dict | bool):
        raise CellError(f"expected an id, got {value!r}")
    text = _scalar_text(value)
    if len(text) > ID_MAX:
        raise CellError(f"id {_show_id(text)} is longer than {ID_MAX} characters")
    if not ID_RE.match(text):
        raise CellError(f"id {_show_id(text)} {ID_RULE}")
    return text


def _key(key: str) -> str:
    """A map key (skill or course id)."""
    return parse_id(key)


def _code(item: str) -> str:
    if _CONTROL.search(item):
        raise CellError("contains a control character")
    if len(item) > MAX_CODE_LENGTH:
        raise CellError(f"code longer than {MAX_CODE_LENGTH} characters")
    return item


def _scalar_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_list(value) -> list[str]:
    if is_blank(value):
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    out = []
    for item in items:
        if isinstance(item, list | dict):
            raise CellError(f"expected a list of ids, got {item!r}")
        text = "" if item is None else _scalar_text(item)
        if text:
            out.append(text)
    return out


def parse_map(value) -> dict:
    if is_blank(value):
        return {}
    if isinstance(value, dict):
        return {str(k).strip(): v for k, v in value.items()}
    out = {}
    for item in str(value).split(";"):
        if not item.strip():
            continue
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise CellError(f'"{item.strip()}" is not key=value')
        if key.strip() in out:
            raise CellError(f'"{key.strip()}" given twice')
        out[key.strip()] = val.strip()
    return out


def parse_groups(value) -> list[list[str]]:
    if is_blank(value):
        return []
    if isinstance(value, list):
        if not all(isinstance(g, list) for g in value):
            raise CellError("expected a list of groups (lists of course ids)")
        groups = [parse_list(g) for g in value]
    else:
        groups = [parse_list(g.split("|")) for g in str(value).split(";") if g.strip()]
    if any(not g for g in groups):
        raise CellError("empty any-of group")
    return groups


def _number(value, what: str) -> float:
    if isinstance(value, bool):
        raise CellError(f"{what}expected a number, got {value!r}")
    try:
        number = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except OverflowError:
        raise CellError(f"{what}number too large") from None
    except ValueError:
        shown = str(value)[:40] + ("…" if len(str(value)) > 40 else "")
        raise CellError(f'{what}"{shown}" is not a number') from None
    if not math.isfinite(number):
        raise CellError(f"{what}{value} is not a finite number")
    return number


def parse_amount(value, key: str | None = None) -> float | int:
    what = f"{key}: " if key else ""
    number = _number(value, what)
    if number < 0:
        raise CellError(f"{what}must be ≥ 0 (got {_show(number)})")
    if number > MAX_AMOUNT:
        raise CellError(f"{what}must be at most {MAX_AMOUNT:.0e} (got {number:.3g})")
    return int(number) if number.is_integer() else number


def parse_count(value, minimum: int) -> int:
    number = _number(value, "")
    if not number.is_integer():
        raise CellError(f"must be a whole number (got {_show(number)})")
    if number < minimum:
        raise CellError(f"must be ≥ {minimum} (got {_show(number)})")
    if number > MAX_COUNT:
        raise CellError(f"must be at most {MAX_COUNT:,} (got {number:.3g})")
    return int(number)


def parse_level(value, key: str) -> int:
    number = _number(value, f"{key}: ")
    if not number.is_integer() or not 0 <= number <= TOP_LEVEL:
        raise CellError(f"{key}: level must be a whole number 0-4 (got {_show(number)})")
    return int(number)


def _show(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


# --- formatting (record value -> cell text) -----------------------------------------------


def format_cell(field: str, value) -> str:
    if value is None:
        return ""
    if field in LEVEL_MAPS or field in ("weights", "pinned"):
        return ";".join(f"{k}={_show_any(v)}" for k, v in value.items())
    if field in ID_LISTS or field in OPTIONAL_LISTS:
        return ";".join(value)
    if field == "prerequisites_any":
        return ";".join("|".join(group) for group in value)
    return _show_any(value)


def _show_any(value) -> str:
    if isinstance(value, float):
        return _show(value)
    return str(value)


def flatten(kind: str, record: dict, fields: list[str]) -> dict[str, str]:
    """A record as spreadsheet columns (descriptors spread over five columns)."""
    out = {}
    for field in fields:
        if field == "descriptors":
            texts = record.get("descriptors") or [""] * 5
            out.update(dict(zip(DESCRIPTOR_COLUMNS, texts, strict=True)))
        else:
            out[field] = format_cell(field, record.get(field))
    return out


def columns_of(fields: list[str]) -> list[str]:
    out = []
    for field in fields:
        out.extend(DESCRIPTOR_COLUMNS if field == "descriptors" else [field])
    return out
