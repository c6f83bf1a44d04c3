"""The knowledge-check question bank (seed/questions.yaml): loaded and validated here.

Questions go to the browser only through `public_question`, which leaves out the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from planner import resources
from planner.errors import ProblemsError

QUESTIONS_PATH = resources.seed_dir() / "questions.yaml"
QUESTIONS_FORMAT = "planner-questions/1"
CHECK_LEVELS = (1, 2, 3)  # one question per level in each check


class QuestionBankError(ProblemsError):
    """Bad question bank file."""


@dataclass(frozen=True)
class Question:
    id: str
    skill: str
    level: int
    prompt: str
    options: tuple[str, ...]
    answer: int
    explanation: str


def load_questions(
    path: Path | str | None = None, skill_ids: set[str] | None = None
) -> dict[str, Question]:
    """Read and validate a question bank; every problem names `questions[i].field`.
    With `skill_ids`, each question's skill must be one of them."""
    path = Path(path) if path else QUESTIONS_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionBankError([f"{path.name}: cannot read: {exc}"]) from None
    if not isinstance(data, dict) or data.get("format") != QUESTIONS_FORMAT:
        raise QuestionBankError([f"{path.name}: format must be {QUESTIONS_FORMAT!r}"])
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise QuestionBankError([f"{path.name}: questions: required non-empty list"])
    problems: list[str] = []
    bank: dict[str, Question] = {}
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        qid = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(qid, str):
            if qid in seen:
                problems.append(f"questions[{i}].id: duplicate id {qid!r}")
            seen.add(qid)
        q = _parse_question(entry, f"questions[{i}]", skill_ids, problems)
        if q is not None:
            bank.setdefault(q.id, q)
    if problems:
        raise QuestionBankError([f"{path.name}: {p}" for p in problems])
    return bank


def _parse_question(
    entry: Any, where: str, skill_ids: set[str] | None, problems: list[str]
) -> Question | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    before = len(problems)
    texts = {}
    for key in ("id", "skill", "prompt", "explanation"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}.{key}: required non-empty text")
        texts[key] = value if isinstance(value, str) else ""
    if skill_ids is not None and texts["skill"] and texts["skill"] not in skill_ids:
        problems.append(f"{where}.skill: unknown skill {texts['skill']!r}")
    level = _whole(entry.get("level"))
    if level not in CHECK_LEVELS:
        got = entry.get("level")
        problems.append(f"{where}.level: must be one of {list(CHECK_LEVELS)}, got {got!r}")
    options = entry.get("options")
    if (
        not isinstance(options, list)
        or not 3 <= len(options) <= 4
        or not all(isinstance(o, str) and o.strip() for o in options)
    ):
        problems.append(f"{where}.options: must be a list of 3-4 non-empty texts")
        options = []
    answer = _whole(entry.get("answer"))
    if answer is None or not 0 <= answer < len(options):
        got = entry.get("answer")
        problems.append(f"{where}.answer: must index one of the options, got {got!r}")
    if len(problems) > before or level is None or answer is None:
        return None
    return Question(
        id=texts["id"],
        skill=texts["skill"],
        level=level,
        prompt=texts["prompt"],
        options=tuple(options),
        answer=answer,
        explanation=texts["explanation"],
    )


def _whole(value: object) -> int | None:
    """`value` if it is a whole number (YAML's true/false are not), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@lru_cache(maxsize=1)
def default_bank() -> dict[str, Question]:
    return load_questions()


def public_question(q: Question) -> dict:
    """What the browser may see before submission: never the answer or explanation."""
    return {"id": q.id, "skill": q.skill, "level": q.level, "prompt": q.prompt,
            "options": list(q.options)}  # fmt: skip


def skills_with_checks(bank: Mapping[str, Question] | None = None) -> set[str]:
    return {q.skill for q in (bank or default_bank()).values()}
