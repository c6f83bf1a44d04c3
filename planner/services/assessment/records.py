"""Learner self-assessment, knowledge checks, staff ratings and calibrated levels.

Everything takes a SQLModel `Session` and flushes; the caller commits (views, CLI, tests).
Every function takes the learner id explicitly: deciding *which* learner a user may touch
is the view's job (a learner only ever passes its own id).

- the question bank (seed/questions.yaml) is loaded and validated here; questions go to
  the browser only through `public_question`, which leaves out the answer;
- `save_self_ratings`, `record_staff_rating` store `Assessment` rows; bad input raises
  `AssessmentError` with one message per problem and nothing is written;
- `start_check` / `submit_check` run a knowledge check: submitted answers may only name
  the attempt's own questions, and an attempt is scored exactly once;
- `calibrate_learner` / `calibrated_levels` apply planner.services.assessment.calibration to all of
  a learner's evidence; `calibrated_levels` is what the scenario builder should use;
- `export_learner`, `delete_assessment`, `cohort_report` (+ `cohort_report_csv`).
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import delete, select, update
from sqlmodel import Session

from planner import resources
from planner.errors import ProblemsError
from planner.models import (
    Assessment,
    CourseTeaches,
    Learner,
    LearnerLevel,
    LearnerTarget,
    RoleRequirement,
    Skill,
    SkillArea,
    iso_utc,
    utcnow,
)
from planner.models.assess import CheckAttempt
from planner.scenario import LEVEL_NAMES
from planner.services.assessment.calibration import (
    FLAG_GAP,
    Calibrated,
    Evidence,
    calibrate,
    demonstrated_level,
)
from planner.services.io.safe import SafeWriter

QUESTIONS_PATH = resources.seed_dir() / "questions.yaml"
QUESTIONS_FORMAT = "planner-questions/1"
CHECK_LEVELS = (1, 2, 3)  # one question per level in each check
SECONDS_PER_RATING = 20  # reading five descriptors and choosing one
SECONDS_PER_QUESTION = 45


VERIFY_FROM = 3  # self-ratings from "proficient" up are worth confirming with a check


class AssessmentError(ValueError):
    """Bad input for an assessment action; `problems` are shown to the user verbatim."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class AlreadySubmitted(AssessmentError):
    """The check attempt was scored before; a second submission changes nothing."""


class QuestionBankError(ProblemsError):
    """Bad question bank file."""


# --- question bank ------------------------------------------------------------------------


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
        if isinstance(qid, str) and qid in seen:
            problems.append(f"questions[{i}].id: duplicate id {qid!r}")
        seen.add(qid)
        q = _parse_question(entry, f"questions[{i}]", skill_ids, problems)
        if q is not None:
            bank.setdefault(q.id, q)
    if problems:
        raise QuestionBankError([f"{path.name}: {p}" for p in problems])
    return bank


def _parse_question(entry, where: str, skill_ids, problems: list[str]) -> Question | None:
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
    level = entry.get("level")
    if not isinstance(level, int) or isinstance(level, bool) or level not in CHECK_LEVELS:
        problems.append(f"{where}.level: must be one of {list(CHECK_LEVELS)}, got {level!r}")
    options = entry.get("options")
    if (
        not isinstance(options, list)
        or not 3 <= len(options) <= 4
        or not all(isinstance(o, str) and o.strip() for o in options)
    ):
        problems.append(f"{where}.options: must be a list of 3-4 non-empty texts")
        options = []
    answer = entry.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(options):
        problems.append(f"{where}.answer: must index one of the options, got {answer!r}")
    if len(problems) > before:
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


@lru_cache(maxsize=1)
def default_bank() -> dict[str, Question]:
    return load_questions()


def public_question(q: Question) -> dict:
    """What the browser may see before submission: never the answer or explanation."""
    return {"id": q.id, "skill": q.skill, "level": q.level, "prompt": q.prompt,
            "options": list(q.options)}  # fmt: skip


def skills_with_checks(bank: Mapping[str, Question] | None = None) -> set[str]:
    return {q.skill for q in (bank or default_bank()).values()}


# --- self and staff ratings ---------------------------------------------------------------


def _learner(session: Session, learner_id: str) -> Learner:
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise AssessmentError(f"unknown learner {learner_id!r}")
    return learner


def parse_level(value, where: str) -> int:
    """A level 0-4 from a form value or JSON number; AssessmentError naming `where`."""
    if isinstance(value, bool):
        raise AssessmentError(f"{where}: level must be a whole number 0-4, got {value!r}")
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("-").isdigit():
            raise AssessmentError(f"{where}: level must be a whole number 0-4, got {value!r}")
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= 4:
        raise AssessmentError(f"{where}: level must be between 0 and 4, got {value!r}")
    return value


def _check_levels(session: Session, ratings: Mapping[str, object]) -> dict[str, int]:
    problems, levels = [], {}
    known = set(session.scalars(select(Skill.id).where(Skill.id.in_(list(ratings)))).all())
    for skill_id, raw in ratings.items():
        if skill_id not in known:
            problems.append(f"{skill_id}: unknown skill")
            continue
        try:
            levels[skill_id] = parse_level(raw, skill_id)
        except AssessmentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise AssessmentError(problems)
    return levels


def save_self_ratings(session: Session, learner_id: str, ratings: Mapping[str, object]) -> int:
    """Store self-ratings {skill: level}; partial sets are fine (progress is kept).
    One self row per skill: a new rating replaces the old one. All-or-nothing on bad input."""
    _learner(session, learner_id)
    levels = _check_levels(session, ratings)
    existing = {
        a.skill_id: a
        for a in session.scalars(
            select(Assessment).where(
                Assessment.learner_id == learner_id, Assessment.source == "self"
            )
        ).all()
    }
    now = utcnow()
    for skill_id, level in levels.items():
        row = existing.get(skill_id)
        if row is None:
            session.add(
                Assessment(
                    learner_id=learner_id, skill_id=skill_id, source="self", level=level,
                    created_at=now,
                )
            )  # fmt: skip
        else:
            row.level, row.created_at = level, now
    session.flush()
    return len(levels)


def record_staff_rating(
    session: Session, learner_id: str, skill_id: str, level, confidence: float | None = None
) -> Assessment:
    """A teacher's or manager's rating; kept as history (the newest one counts)."""
    _learner(session, learner_id)
    levels = _check_levels(session, {skill_id: level})
    row = Assessment(
        learner_id=learner_id, skill_id=skill_id, source="staff", level=levels[skill_id],
        confidence=confidence,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


# --- knowledge checks ---------------------------------------------------------------------


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
    _learner(session, learner_id)
    by_level = defaultdict(list)
    for q in bank.values():
        if q.skill == skill_id:
            by_level[q.level].append(q.id)
    if not by_level:
        raise AssessmentError(f"{skill_id}: there is no knowledge check for this skill yet")
    open_attempt = session.scalars(
        select(CheckAttempt)
        .where(CheckAttempt.learner_id == learner_id, CheckAttempt.skill_id == skill_id)
        .where(CheckAttempt.status == "open")
        .order_by(CheckAttempt.id.desc())
    ).first()
    if open_attempt is not None and all(qid in bank for qid in open_attempt.question_ids):
        return open_attempt
    rng = rng or random.Random()
    picked = [rng.choice(sorted(by_level[lvl])) for lvl in sorted(by_level)]
    attempt = CheckAttempt(learner_id=learner_id, skill_id=skill_id, question_ids=picked)
    session.add(attempt)
    session.flush()
    return attempt


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
            index = int(raw)
            if isinstance(raw, bool | float) or not 0 <= index < len(q.options):
                raise ValueError
        except (TypeError, ValueError):
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
        .where(CheckAttempt.id == attempt.id, CheckAttempt.status == "open")
        .values(status="submitted", submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
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
    result = demonstrated_level({lvl: tuple(v) for lvl, v in results.items()})
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


# --- evidence and calibration -------------------------------------------------------------


def learner_evidence(session: Session, learner_id: str) -> dict[str, list[Evidence]]:
    """Every rating of the learner as calibration evidence, by skill. Completed courses
    (Learner.completed) count as course evidence of the level each one teaches."""
    learner = _learner(session, learner_id)
    rows = session.scalars(select(Assessment).where(Assessment.learner_id == learner_id)).all()
    capped = {
        a.assessment_id: a.capped
        for a in session.scalars(
            select(CheckAttempt).where(
                CheckAttempt.learner_id == learner_id, CheckAttempt.assessment_id.is_not(None)
            )
        ).all()
    }
    out: dict[str, list[Evidence]] = defaultdict(list)
    for a in rows:
        # An imported badge keeps its quality (verified 1.0, else less) in `confidence`.
        quality = a.confidence if a.source == "badge" and a.confidence is not None else 1.0
        out[a.skill_id].append(
            Evidence(a.source, a.level, a.created_at, capped=capped.get(a.id, False),
                     quality=quality)
        )  # fmt: skip
    if learner.completed:
        # No completion date is stored: course evidence is dated now (no recency decay).
        now = utcnow()
        for t in session.scalars(
            select(CourseTeaches).where(CourseTeaches.course_id.in_(learner.completed))
        ).all():
            out[t.skill_id].append(Evidence("course", t.level, now))
    return dict(out)


def calibrate_learner(
    session: Session, learner_id: str, now: datetime | None = None
) -> dict[str, Calibrated]:
    now = now or utcnow()
    return {
        skill: calibrate(items, now)
        for skill, items in sorted(learner_evidence(session, learner_id).items())
    }


def calibrated_levels(session: Session, learner_id: str) -> dict[str, int]:
    """{skill: calibrated level} for every skill the learner has any rating of: the
    levels the planner should start from (instead of raw self-ratings)."""
    return {s: c.level for s, c in calibrate_learner(session, learner_id).items()}


def sync_learner_levels(session: Session, learner_id: str) -> dict[str, int]:
    """Write the calibrated levels into the learner's stated levels (LearnerLevel), which
    the scenario builder reads, and return them. Skills without ratings are kept."""
    levels = calibrated_levels(session, learner_id)
    stored = {
        r.skill_id: r
        for r in session.scalars(
            select(LearnerLevel).where(LearnerLevel.learner_id == learner_id)
        ).all()
    }
    for skill_id, level in levels.items():
        if skill_id in stored:
            stored[skill_id].level = level
        else:
            session.add(LearnerLevel(learner_id=learner_id, skill_id=skill_id, level=level))
    session.flush()
    return levels


# --- profile ------------------------------------------------------------------------------


def target_levels(session: Session, learner_id: str) -> dict[str, int]:
    """The learner's role requirements, raised by any personal targets."""
    learner = _learner(session, learner_id)
    targets: dict[str, int] = {}
    if learner.role_id:
        for r in session.scalars(
            select(RoleRequirement).where(RoleRequirement.role_id == learner.role_id)
        ).all():
            targets[r.skill_id] = r.level
    for t in session.scalars(
        select(LearnerTarget).where(LearnerTarget.learner_id == learner_id)
    ).all():
        targets[t.skill_id] = max(targets.get(t.skill_id, 0), t.level)
    return targets


@dataclass
class ProfileRow:
    skill_id: str
    name: str
    name_zh: str
    area: str
    target: int
    self_level: int | None
    level: int  # calibrated
    confidence: float
    evidence_level: int | None
    flag: str | None
    conflict: bool
    reasons: tuple[str, ...]
    has_check: bool

    @property
    def rated(self) -> bool:
        """Any rating at all (self or evidence); unrated is "unknown", not level 0."""
        return self.self_level is not None or self.evidence_level is not None

    @property
    def gap(self) -> int:
        return max(0, self.target - self.level)

    def sentence(self) -> str:
        """The gap in plain words."""
        now = f"{LEVEL_NAMES[self.level]} ({self.level})"
        need = f"{LEVEL_NAMES[self.target]} ({self.target})"
        if self.gap == 0:
            return f"{self.name}: you are at {now}; the role needs {need}. No gap."
        steps = "1 level" if self.gap == 1 else f"{self.gap} levels"
        return f"{self.name}: you are at {now}; the role needs {need}. {steps} to go."


@dataclass
class Profile:
    learner: Learner
    rows: list[ProfileRow] = field(default_factory=list)

    @property
    def gaps(self) -> list[ProfileRow]:
        """Rated skills below target, biggest gap first."""
        return sorted(
            (r for r in self.rows if r.gap and r.rated), key=lambda r: (-r.gap, r.skill_id)
        )

    @property
    def unrated(self) -> list[ProfileRow]:
        return [r for r in self.rows if r.target and not r.rated]

    @property
    def flagged(self) -> list[ProfileRow]:
        return [r for r in self.rows if r.flag]

    @property
    def rated(self) -> int:
        return sum(1 for r in self.rows if r.self_level is not None)

    @property
    def to_verify(self) -> list[ProfileRow]:
        """High self-ratings (≥ VERIFY_FROM) that no check or staff rating backs yet."""
        return [
            r
            for r in self.rows
            if r.self_level is not None and r.self_level >= VERIFY_FROM and r.evidence_level is None
        ]


def profile(session: Session, learner_id: str, now: datetime | None = None) -> Profile:
    """One row per skill the learner's role (or personal target) needs, plus any other
    skill the learner has rated."""
    learner = _learner(session, learner_id)
    targets = target_levels(session, learner_id)
    calibrated = calibrate_learner(session, learner_id, now)
    ids = sorted(set(targets) | set(calibrated))
    skills = {s.id: s for s in session.scalars(select(Skill).where(Skill.id.in_(ids))).all()}
    checks = skills_with_checks()
    rows = []
    for sid in ids:
        c = calibrated.get(sid) or calibrate([], now or utcnow())
        s = skills.get(sid)
        rows.append(
            ProfileRow(
                skill_id=sid, name=s.name if s and s.name else sid, name_zh=s.name_zh if s else "",
                area=(s.area_id or "") if s else "", target=targets.get(sid, 0),
                self_level=c.self_level, level=c.level, confidence=c.confidence,
                evidence_level=c.evidence_level, flag=c.flag, conflict=c.conflict,
                reasons=c.reasons, has_check=sid in checks,
            )
        )  # fmt: skip
    return Profile(learner=learner, rows=rows)


def estimate_minutes(n_skills: int) -> int:
    """Time to self-rate n skills (rounded up), shown next to the form."""
    return max(1, -(-n_skills * SECONDS_PER_RATING // 60))


# --- export and delete --------------------------------------------------------------------


def export_learner(session: Session, learner_id: str) -> dict:
    """All assessment data held about the learner, JSON-ready (a data-access copy)."""
    learner = _learner(session, learner_id)
    ratings = session.scalars(
        select(Assessment)
        .where(Assessment.learner_id == learner_id)
        .order_by(Assessment.created_at, Assessment.id)
    ).all()
    attempts = session.scalars(
        select(CheckAttempt).where(CheckAttempt.learner_id == learner_id).order_by(CheckAttempt.id)
    ).all()
    calibrated = calibrate_learner(session, learner_id)
    from planner.models.badges import BadgeCredential

    held = session.scalars(
        select(BadgeCredential)
        .where(BadgeCredential.learner_id == learner_id)
        .order_by(BadgeCredential.created_at, BadgeCredential.id)
    ).all()
    return {
        "format": "planner-assessment-export/1",
        "exported_at": iso_utc(utcnow()),
        "learner": {"id": learner.id, "name": learner.name, "role": learner.role_id},
        "ratings": [
            {"skill": a.skill_id, "source": a.source, "level": a.level,
             "confidence": a.confidence, "created_at": iso_utc(a.created_at)}
            for a in ratings
        ],
        "checks": [
            {"id": t.id, "skill": t.skill_id, "status": t.status, "questions": t.question_ids,
             "answers": t.answers, "results": t.results, "level": t.level, "capped": t.capped,
             "created_at": iso_utc(t.created_at),
             "submitted_at": iso_utc(t.submitted_at)}
            for t in attempts
        ],
        "badges": [
            {"id": b.id, "skill": b.skill_id, "level": b.level, "issuer": b.issuer,
             "verified": b.verified, "imported_at": b.created_at.isoformat()}
            for b in held
        ],
        "calibrated": {
            s: {"level": c.level, "confidence": c.confidence, "self": c.self_level,
                "evidence": c.evidence_level, "flag": c.flag, "conflict": c.conflict,
                "reasons": list(c.reasons)}
            for s, c in calibrated.items()
        },
    }  # fmt: skip


def delete_assessment(
    session: Session, learner_id: str, actor_id: int | None = None
) -> dict[str, int]:
    """Delete every rating, check attempt and imported badge of the learner and every copy made from
    them: the personal plan scenario ("personal plan: <id>") with its plans and runs, the
    levels "Plan my path" wrote from the ratings into the learner's stated levels, and the
    cached parses of all of those. The learner row, its role and staff-entered levels stay.
    An audit entry records who deleted how many of what (never the data). Flushes; the
    caller commits. Stop the personal plan's runs first (the view does)."""
    from planner.models import AuditEntry, PlanRecord, ScenarioRecord, SolveRun
    from planner.models.badges import BadgeCredential
    from planner.services.analytics import gaps as analytics
    from planner.services.planning import personal as personal_plan
    from planner.services.planning import plans
    from planner.services.scenarios import editor as scenarios

    _learner(session, learner_id)
    counts = dict.fromkeys(
        ("ratings", "checks", "badges", "derived_levels", "personal_scenarios", "plans", "runs"),
        0,
    )
    rated = set(
        session.scalars(select(Assessment.skill_id).where(Assessment.learner_id == learner_id))
    )
    personal = session.scalars(
        select(ScenarioRecord).where(ScenarioRecord.name == personal_plan.scenario_name(learner_id))
    ).all()
    if personal and rated:
        # "Plan my path" copied the calibrated levels of the rated skills into LearnerLevel.
        counts["derived_levels"] = session.execute(
            delete(LearnerLevel).where(
                LearnerLevel.learner_id == learner_id, LearnerLevel.skill_id.in_(rated)
            )
        ).rowcount
    for record in personal:
        for model, key in ((PlanRecord, "plans"), (SolveRun, "runs")):
            counts[key] += len(
                session.scalars(select(model.id).where(model.scenario_id == record.id)).all()
            )
        scenarios.delete(session, record)
        counts["personal_scenarios"] += 1
    counts["checks"] = session.execute(
        delete(CheckAttempt).where(CheckAttempt.learner_id == learner_id)
    ).rowcount
    counts["badges"] = session.execute(
        delete(BadgeCredential).where(BadgeCredential.learner_id == learner_id)
    ).rowcount
    counts["ratings"] = session.execute(
        delete(Assessment).where(Assessment.learner_id == learner_id)
    ).rowcount
    session.add(AuditEntry(actor_id=actor_id, action="assessment.delete", counts=counts))
    session.flush()
    # Parsed scenarios, plans and cohort tables built from the deleted data leave memory too.
    plans.clear_caches()
    scenarios.clear_caches()
    analytics.clear_cache()
    return counts


def deletion_sentence(counts: Mapping[str, int]) -> str:
    """What went, in words, for the learner's confirmation message."""

    def n(key: str, word: str) -> str:
        value = counts.get(key, 0)
        return f"{value} {word}{'' if value == 1 else 's'}"

    parts = [n("ratings", "rating"), n("checks", "knowledge check")]
    if counts.get("badges"):
        parts.append(n("badges", "imported badge"))
    if counts.get("personal_scenarios"):
        parts.append(f"your personal plan ({n('plans', 'plan')}, {n('runs', 'run')})")
    if counts.get("derived_levels"):
        parts.append(f"{n('derived_levels', 'skill level')} worked out from your ratings")
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- cohort calibration report ------------------------------------------------------------


@dataclass
class AreaRow:
    area: str
    name: str
    compared: int  # self-ratings that have evidence to compare with
    over: int
    under: int
    mean_gap: float  # mean of (self - evidence level)

    @property
    def over_share(self) -> float:
        return self.over / self.compared if self.compared else 0.0


@dataclass
class GapRow:
    learner_id: str
    learner_name: str
    skill_id: str
    skill_name: str
    self_level: int
    evidence_level: int

    @property
    def gap(self) -> int:
        return self.self_level - self.evidence_level


@dataclass
class CohortReport:
    areas: list[AreaRow]
    biggest_gaps: list[GapRow]
    learners: int
    compared: int
    over: int

    @property
    def over_share(self) -> float:
        return self.over / self.compared if self.compared else 0.0


def cohort_report(
    session: Session,
    learner_ids: list[str] | None = None,
    now: datetime | None = None,
    top: int = 10,
) -> CohortReport:
    """How calibrated the cohort's self-ratings are, by skill area, and the biggest
    self-vs-evidence gaps (over-confidence first)."""
    now = now or utcnow()
    query = select(Learner).order_by(Learner.id)
    if learner_ids is not None:
        query = query.where(Learner.id.in_(learner_ids))
    learners = session.scalars(query).all()
    skills = {s.id: s for s in session.scalars(select(Skill)).all()}
    area_names = {a.id: a.name for a in session.scalars(select(SkillArea)).all()}
    per_area: dict[str, list[int]] = defaultdict(list)  # area -> [self - evidence, ...]
    gaps: list[GapRow] = []
    for learner in learners:
        for sid, items in learner_evidence(session, learner.id).items():
            c = calibrate(items, now)
            if c.self_level is None or c.evidence_level is None:
                continue
            skill = skills.get(sid)
            area = (skill.area_id if skill else None) or "other"
            per_area[area].append(c.self_level - c.evidence_level)
            gaps.append(
                GapRow(learner.id, learner.name or learner.id, sid,
                       skill.name if skill and skill.name else sid,
                       c.self_level, c.evidence_level)
            )  # fmt: skip
    areas = [
        AreaRow(area=a, name=area_names.get(a, a), compared=len(d),
                over=sum(1 for g in d if g >= FLAG_GAP), under=sum(1 for g in d if g <= -FLAG_GAP),
                mean_gap=round(sum(d) / len(d), 2))
        for a, d in sorted(per_area.items())
    ]  # fmt: skip
    gaps.sort(key=lambda g: (-abs(g.gap), -g.gap, g.learner_id, g.skill_id))
    return CohortReport(
        areas=areas,
        biggest_gaps=[g for g in gaps if g.gap][:top],
        learners=len(learners),
        compared=sum(a.compared for a in areas),
        over=sum(a.over for a in areas),
    )


def cohort_report_csv(report: CohortReport) -> str:
    """The report as CSV: one row per area, then the biggest gaps."""
    buf = io.StringIO()
    w = SafeWriter(buf, lineterminator="\n")
    w.writerow(["section", "area", "area_name", "compared", "over_confident", "under_confident",
                "over_share", "mean_self_minus_evidence"])  # fmt: skip
    for a in report.areas:
        w.writerow(["area", a.area, a.name, a.compared, a.over, a.under,
                    f"{a.over_share:.3f}", f"{a.mean_gap:.2f}"])  # fmt: skip
    w.writerow([])
    w.writerow(["section", "learner", "learner_name", "skill", "skill_name", "self",
                "evidence", "gap"])  # fmt: skip
    for g in report.biggest_gaps:
        w.writerow(["gap", g.learner_id, g.learner_name, g.skill_id, g.skill_name,
                    g.self_level, g.evidence_level, g.gap])  # fmt: skip
    return buf.getvalue()
