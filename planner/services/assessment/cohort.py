"""The cohort calibration report: how far self-ratings sit from the evidence, by skill
area, and the biggest self-vs-evidence gaps (`cohort_report`, `cohort_report_csv`)."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from planner.models import Learner, Skill, SkillArea, utcnow
from planner.services.assessment.calibrated import learner_evidence
from planner.services.assessment.calibration import FLAG_GAP, calibrate
from planner.services.io.safe import SafeWriter


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
    query = select(Learner).order_by(col(Learner.id))
    if learner_ids is not None:
        query = query.where(col(Learner.id).in_(learner_ids))
    learners = session.exec(query).all()
    skills = {s.id: s for s in session.exec(select(Skill)).all()}
    area_names = {a.id: a.name for a in session.exec(select(SkillArea)).all()}
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
