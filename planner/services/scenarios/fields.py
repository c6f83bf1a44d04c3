"""Form values of the scenario editor and its rules: amounts typed by staff, and limits
that a blank field removes."""

from __future__ import annotations

from planner.scenario import Problem


def parse_amount(text: str, where: str, problems: list[Problem], *, positive=False):
    """'' -> None (no limit); a number >= 0; anything else is a problem named by field."""
    if text == "" or text.lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(where, f"not a number: {text!r}"))
        return None
    if value != value or value in (float("inf"), float("-inf")):
        problems.append(Problem(where, f"not a finite number: {text!r}"))
        return None
    if value < 0 or (positive and value == 0):
        problems.append(Problem(where, "must be greater than 0" if positive else "must be ≥ 0"))
        return None
    return int(value) if value.is_integer() else value


def set_or_drop(target: dict, key: str, value) -> None:
    """Set `key`, or drop it when the form left it empty (None: no limit)."""
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value
