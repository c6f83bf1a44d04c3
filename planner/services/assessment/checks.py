"""Knowledge checks: `start_check` deals one question per level, `submit_check` scores an
attempt exactly once, server-side. Submitted answers may only name the attempt's own
questions; a learner only ever reaches its own attempts."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from planner.models import Assessment, Skill, utcnow
from planner.models.assess import CheckAttempt
from planner.services.assessment.calibration import demonstrated_level
from planner.services.assessment.questions import Question, default_bank, public_question
from planner.services.assessment.ratings import AssessmentError, known_learner

SECONDS_PER_QUESTION = 45


class AlreadySubmitted(AssessmentError):
    """The check attempt was scored before; a second submission changes nothing."""


@dataclass
class CheckOutcome:
    attempt: CheckAttempt
    level: int
    capped: bool
    correct: int
    asked: int
    feedback: list[dict]  # per question: prompt, chosen, answer, correct, explanation


def start_check(
    session: Session,
    learner_id: str,
    skill_id: str,
    bank: Mapping[str, Question] | None = None,
    rng: random.Random | None = None,
) -> CheckAttempt:
    """Open a check of one skill: one question per level 1-3, picked at random from the
    bank. An open (unsubmitted) attempt for the same skill is reused, so reloading the
    page does not deal new questions."""
    bank = bank or default_bank()
    known_learner(session, learner_id)
    by_level = defaultdict(list)
    for q in bank.values():
        if q.skill == skill_id:
            by_level[q.level].append(q.id)
    if not by_level:
        raise AssessmentError(f"{skill_id}: there is no knowledge check for this skill yet")
    open_attempt = session.exec(
        select(CheckAttempt)
        .where(CheckAttempt.learner_id == learner_id, CheckAttempt.skill_id == skill_id)
        .where(CheckAttempt.status == "open")
        .order_by(col(CheckAttempt.id).desc())
    ).first()
    if open_attempt is not None and all(qid in bank for qid in open_attempt.question_ids):
        return open_attempt
    rng = rng or random.Random()
    picked = [rng.choice(sorted(by_level[lvl])) for lvl in sorted(by_level)]
    attempt = CheckAttempt(learner_id=learner_id, skill_id=skill_id, question_ids=picked)
    session.add(attempt)
    session.flush()
    return attempt


def skill_of(session: Session, skill_id: str) -> Skill | None:
    """The skill a check is (or would be) about; None for an unknown id."""
    return session.get(Skill, skill_id)


def get_attempt(session: Session, learner_id: str, attempt_id: int) -> CheckAttempt:
    """The learner's own attempt; another learner's id looks exactly like a missing one."""
    attempt = session.get(CheckAttempt, attempt_id)
    if attempt is None or attempt.learner_id != learner_id:
        raise AssessmentError(f"check {attempt_id} not found")
    return attempt


def attempt_questions(attempt: CheckAttempt, bank: Mapping[str, Question] | None = None):
    bank = bank or default_bank()
    return [public_question(bank[qid]) for qid in attempt.question_ids]


def _parse_answers(
    attempt: CheckAttempt, answers: Mapping[str, object], bank: Mapping[str, Question]
) -> dict[str, int]:
    problems, chosen = [], {}
    foreign = sorted(set(answers) - set(attempt.question_ids))
    if foreign:
        problems.append(
            "answers name questions that are not part of this check: " + ", ".join(foreign)
        )
    for qid in attempt.question_ids:
        raw = answers.get(qid)
        q = bank[qid]
        if raw is None or raw == "":
            problems.append(f"{qid}: not answered")
            continue
        try:
            if isinstance(raw, bool) or not isinstance(raw, int | str):
                raise ValueError
            index = int(raw)
            if not 0 <= index < len(q.options):
                raise ValueError
        except ValueError:
            problems.append(f"{qid}: choice {raw!r} is not one of the {len(q.options)} options")
            continue
        chosen[qid] = index
    if problems:
        raise AssessmentError(problems)
    return chosen


def submit_check(
    session: Session,
    learner_id: str,
    attempt_id: int,
    answers: Mapping[str, object],
    bank: Mapping[str, Question] | None = None,
) -> CheckOutcome:
    """Score an attempt once, server-side. Raises AssessmentError for foreign question ids
    or bad choices and AlreadySubmitted for a second submission; nothing is saved then."""
    bank = bank or default_bank()
    attempt = get_attempt(session, learner_id, attempt_id)
    if attempt.status != "open":
        raise AlreadySubmitted(_already(attempt))
    chosen = _parse_answers(attempt, answers, bank)
    # Close the attempt with a conditional UPDATE: of two racing submissions only one
    # matches status='open' (the other waits for the row lock, then matches nothing).
    closed = session.execute(
        update(CheckAttempt)
        .where(col(CheckAttempt.id) == attempt.id, col(CheckAttempt.status) == "open")
        .values(status="submitted", submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        session.refresh(attempt)
        raise AlreadySubmitted(_already(attempt))
    session.refresh(attempt)

    results: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    feedback = []
    for qid in attempt.question_ids:
        q = bank[qid]
        ok = chosen[qid] == q.answer
        results[q.level][0] += int(ok)
        results[q.level][1] += 1
        feedback.append({"id": qid, "level": q.level, "prompt": q.prompt,
                         "chosen": q.options[chosen[qid]], "answer": q.options[q.answer],
                         "correct": ok, "explanation": q.explanation})  # fmt: skip
    result = demonstrated_level({lvl: (v[0], v[1]) for lvl, v in results.items()})
    correct = sum(v[0] for v in results.values())
    asked = sum(v[1] for v in results.values())
    row = Assessment(
        learner_id=learner_id, skill_id=attempt.skill_id, source="check", level=result.level,
        confidence=round(correct / asked, 3),
    )  # fmt: skip
    session.add(row)
    session.flush()
    attempt.answers = chosen
    attempt.results = {str(lvl): list(v) for lvl, v in sorted(results.items())}
    attempt.level, attempt.capped, attempt.assessment_id = result.level, result.capped, row.id
    session.flush()
    return CheckOutcome(attempt, result.level, result.capped, correct, asked, feedback)


def _already(attempt: CheckAttempt) -> str:
    when = attempt.submitted_at.strftime("%Y-%m-%d %H:%M") if attempt.submitted_at else "earlier"
    return (
        f"this check was already submitted ({when} UTC); its result stands. "
        "Start a new check to try again."
    )
