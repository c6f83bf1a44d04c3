"""Problems with scenario and plan input, each with its JSON path, and the error that
carries them. The loader (load.py) and the semantic checks (validate.py) both report here."""

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from planner.errors import ProblemsError


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path such as "courses[3].teaches.data.sq1", "" for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(ProblemsError):
    """Bad scenario or plan input; `source` names the file when there is one."""

    problems: list[Problem]

    def __init__(self, problems: list[Problem], source: str | None = None):
        super().__init__(problems)
        self.source = source


def problems_from(error: ValidationError, at: Sequence[str | int] = ()) -> list[Problem]:
    """pydantic's errors as Problems; `at` is where the validated value sits in the file."""
    return [Problem(json_path((*at, *e["loc"])), _describe(e)) for e in error.errors()]


def json_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    message = error["msg"].removeprefix("Value error, ")
    message = f"{message[0].lower()}{message[1:]}"
    if error["loc"] and error["loc"][-1] == "[key]":
        return f"bad id {_shown(error['input'])}: {message}"
    given = error.get("input")
    suffix = f" (got {_shown(given)})" if not isinstance(given, dict | list) else ""
    return f"{message}{suffix}"


def _shown(value: object, limit: int = 60) -> str:
    """The offending input, cut short: a 25 MB name must not come back in the error."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(str(value))} characters)"
