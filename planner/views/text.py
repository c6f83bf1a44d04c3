"""Template words: counts with the right plural ("1 person", "3 people") and the names of
the skill levels (`level_names[3]` is "proficient") for every template."""

from __future__ import annotations

from planner.scenario import LEVEL_NAMES

IRREGULAR = {"person": "people"}


def plural(n, singular: str, many: str | None = None) -> str:
    """`{{ n|plural('course') }}` -> "1 course" / "2 courses" (numbers with thousands
    separators)."""
    many = many or IRREGULAR.get(singular) or f"{singular}s"
    shown = f"{n:,}" if isinstance(n, int) else f"{n:g}"
    return f"{shown} {singular if n == 1 else many}"


def register(app) -> None:
    app.add_template_filter(plural, "plural")
    app.add_template_global(LEVEL_NAMES, "level_names")
