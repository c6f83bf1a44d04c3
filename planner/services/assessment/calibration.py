"""Calibrate a learner's level of one skill from self-rating and evidence (pure: no DB).

Why: marketers rate themselves as capable with AI far more often than their results
show. A self-rating alone is a weak signal; checks, staff ratings and completed courses
are evidence. This module turns all of them into one calibrated level 0-4 per skill with
a confidence 0-1, and flags self-ratings that are far from the evidence.

The rule
--------
1. **Newest per source.** For each source (self, check, staff, course) only the newest
   item counts: a re-taken check, a new staff rating or a newer badge replaces the old one. For courses
   the newest completion of the skill's highest-teaching course counts (see `_newest`).
2. **Weight = source weight x recency x quality.** Source weights: staff 1.0, check 0.8,
   badge 0.7 (an imported Open Badge: another organisation assessed the level, we did not
   see how), course 0.5, self 0.15. Recency halves a weight every `HALF_LIFE_DAYS` (365)
   days. Quality is an optional 0-1 multiplier (e.g. a check with unanswered questions; a
   badge whose signature was not verified against a trusted key counts 0.5).
3. **Evidence level** (everything except self):
   a. weighted mean of the staff, check, badge and course levels;
   b. check cap: a check that failed a level (the learner passed up to level d and then
      failed d+1) caps the level at d, unless a staff rating is higher: staff is the
      strongest source, so it outranks the check; that case is reported as a conflict;
   c. course floor: with no staff or check evidence, a completed course that taught
      level c keeps the level at >= c - 1 (a course teaches, but does not prove, c);
   d. round half up; clamp 0-4.
4. **Calibrated level.** The self-rating joins the weighted mean with its small weight,
   then the same cap and floor apply, and self can lift the result at most
   `SELF_MAX_LIFT` (1) level above the evidence level: self alone never drives a level up.
5. **No evidence.** Calibrated = self-rating, confidence `SELF_ONLY_CONFIDENCE` (0.2,
   decaying with age); nothing at all = level 0, confidence 0.
6. **Confidence** = (1 - e^(-W)) x (1 - 0.2 x spread), where W is the summed weight of
   the evidence and spread the largest difference between evidence levels. One fresh staff
   rating gives 0.63; staff + check agreeing 0.83; staff and check two levels apart 0.50.
7. **Conflict** when two evidence sources differ by >= 2 levels (named in `reasons`).
8. **Flags**: `over` when self - evidence level >= 2, `under` when evidence level - self
   >= 2 (only when there is both a self-rating and evidence).

Check results become a demonstrated level with `demonstrated_level`: the highest level L
such that every level 1..L was mostly (more than half) answered correctly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

MIN_LEVEL, MAX_LEVEL = 0, 4
SOURCES = ("self", "check", "staff", "course", "badge")
SOURCE_WEIGHTS = {"staff": 1.0, "check": 0.8, "badge": 0.7, "course": 0.5, "self": 0.15}
HALF_LIFE_DAYS = 365.0
SELF_MAX_LIFT = 1
SELF_ONLY_CONFIDENCE = 0.2
FLAG_GAP = 2  # levels between self and evidence that make a flag
CONFLICT_GAP = 2  # levels between two evidence sources that make a conflict
SPREAD_PENALTY = 0.2  # confidence lost per level of disagreement between evidence


@dataclass(frozen=True)
class Evidence:
    """One rating of one skill. `capped`: a check that failed the level above `level`."""

    source: str
    level: int
    at: datetime
    capped: bool = False
    quality: float = 1.0  # 0..1 multiplier on the source weight

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"unknown evidence source {self.source!r} (known: {SOURCES})")


@dataclass(frozen=True)
class Calibrated:
    level: int
    confidence: float
    self_level: int | None
    evidence_level: int | None  # None = no evidence besides self
    flag: str | None  # "over", "under" or None
    conflict: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CheckResult:
    level: int  # demonstrated level
    failed_level: int | None  # the first level not mostly right, None = all passed

    @property
    def capped(self) -> bool:
        return self.failed_level is not None


def clamp_level(value: float) -> int:
    """Round half up (equal steps behave equally) and keep within 0-4."""
    return max(MIN_LEVEL, min(MAX_LEVEL, math.floor(value + 0.5)))


def demonstrated_level(results: Mapping[int, tuple[int, int]]) -> CheckResult:
    """{level: (correct, asked)} -> the highest level whose questions, and all below it,
    were mostly answered correctly. Levels not asked are skipped, not failed."""
    level, failed = MIN_LEVEL, None
    for lvl in sorted(results):
        correct, asked = results[lvl]
        if asked <= 0:
            continue
        if correct * 2 > asked:  # strictly more than half
            level = max(level, clamp_level(lvl))
        else:
            failed = clamp_level(lvl)
            break
    return CheckResult(level=level, failed_level=failed)


def recency(at: datetime, now: datetime) -> float:
    """Weight multiplier that halves every HALF_LIFE_DAYS; future dates count as now."""
    age_days = max(0.0, (now - at).total_seconds() / 86400.0)
    return 0.5 ** (age_days / HALF_LIFE_DAYS)


def _newest(evidence: Iterable[Evidence]) -> dict[str, Evidence]:
    """Newest item per source; for courses, the highest level taught (then the newest):
    completing a lower-level course later does not undo a higher one."""
    best: dict[str, Evidence] = {}
    for e in evidence:
        cur = best.get(e.source)
        if cur is None or _rank(e) > _rank(cur):
            best[e.source] = e
    return best


def _rank(e: Evidence) -> tuple[int, datetime]:
    """Which of two items of one source wins: the newer, for courses the higher level first."""
    return (e.level if e.source == "course" else 0, e.at)


def _weight(e: Evidence, now: datetime) -> float:
    return SOURCE_WEIGHTS[e.source] * recency(e.at, now) * max(0.0, min(1.0, e.quality))


def _bounds(items: dict[str, Evidence]) -> tuple[int, int]:
    """(floor, cap) from the check cap and the course floor (rule 3b, 3c)."""
    floor, cap = MIN_LEVEL, MAX_LEVEL
    check, staff, course = items.get("check"), items.get("staff"), items.get("course")
    if check is not None and check.capped:
        cap = clamp_level(check.level)
        if staff is not None:
            cap = max(cap, clamp_level(staff.level))
    if course is not None and staff is None and check is None:
        floor = clamp_level(course.level - 1)
    return floor, max(floor, cap)


def _mean(items: Iterable[Evidence], now: datetime) -> float | None:
    pairs = [(_weight(e, now), clamp_level(e.level)) for e in items]
    total = sum(w for w, _ in pairs)
    if total <= 0:
        return None
    return sum(w * lvl for w, lvl in pairs) / total


def _conflicts(items: dict[str, Evidence]) -> list[str]:
    names = [s for s in ("staff", "check", "badge", "course") if s in items]
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            la, lb = clamp_level(items[a].level), clamp_level(items[b].level)
            if abs(la - lb) >= CONFLICT_GAP:
                out.append(f"{a} says {la} but {b} says {lb}")
    return out


def flag_for(self_level: int | None, evidence_level: int | None) -> str | None:
    """'over' / 'under' when self and evidence are FLAG_GAP or more levels apart."""
    if self_level is None or evidence_level is None:
        return None
    if self_level - evidence_level >= FLAG_GAP:
        return "over"
    if evidence_level - self_level >= FLAG_GAP:
        return "under"
    return None


def calibrate(evidence: Iterable[Evidence], now: datetime) -> Calibrated:
    """Apply the module's rule to every rating of one skill."""
    items = _newest(evidence)
    own = items.pop("self", None)
    self_level = clamp_level(own.level) if own is not None else None

    if not items:  # rule 5: nothing but (maybe) a self-rating
        if own is None:
            return Calibrated(MIN_LEVEL, 0.0, None, None, None, reasons=("no ratings yet",))
        conf = SELF_ONLY_CONFIDENCE * recency(own.at, now)
        level = clamp_level(own.level)
        return Calibrated(level, round(conf, 3), level, None, None, reasons=("self-rating only",))

    floor, cap = _bounds(items)
    mean = _mean(items.values(), now)
    if mean is None:  # every evidence item had zero quality
        mean = float(self_level if self_level is not None else MIN_LEVEL)
    evidence_level = max(floor, min(cap, clamp_level(mean)))

    level = evidence_level
    reasons = [f"evidence level {evidence_level}"]
    if own is not None:
        blended = _mean([*items.values(), own], now)
        level = max(floor, min(cap, clamp_level(blended if blended is not None else mean)))
        level = min(level, evidence_level + SELF_MAX_LIFT)  # rule 4: self lifts <= 1 level
        if level != evidence_level:
            reasons.append(f"self-rating {self_level} moves it to {level}")

    conflicts = _conflicts(items)
    reasons.extend(conflicts)
    check = items.get("check")
    if check is not None and check.capped and cap < MAX_LEVEL:
        reasons.append(f"check capped the level at {cap}")

    spread = max(clamp_level(e.level) for e in items.values()) - min(
        clamp_level(e.level) for e in items.values()
    )
    total = sum(_weight(e, now) for e in items.values())
    confidence = (1 - math.exp(-total)) * max(0.0, 1 - SPREAD_PENALTY * spread)

    return Calibrated(
        level=level,
        confidence=round(confidence, 3),
        self_level=self_level,
        evidence_level=evidence_level,
        flag=flag_for(self_level, evidence_level),
        conflict=bool(conflicts),
        reasons=tuple(reasons),
    )


def calibrate_all(
    evidence_by_skill: Mapping[str, Iterable[Evidence]], now: datetime
) -> dict[str, Calibrated]:
    """calibrate() for every skill; skills with no items are left out."""
    return {skill: calibrate(items, now) for skill, items in evidence_by_skill.items()}
