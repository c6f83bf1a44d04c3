"""One short English reason per course in a learner's plan."""

from collections.abc import Mapping

from planner.scenario import Course, Learner, Scenario


def _fmt(value: float) -> str:
    return f"{value:g}"


def reasons_for(
    scenario: Scenario, learner: Learner, schedule: Mapping[str, list[str]]
) -> dict[str, str]:
    """course id -> why it is in the plan: staff rules first, then the gaps it closes,
    then which later course needs it, then the term minimum it helps fill."""
    needs = scenario.needs(learner)
    role = learner.role
    levels = dict(scenario.start_levels(learner))
    terms = {t.id: t for t in scenario.terms}
    order = list(schedule)
    out = {}
    for pos, tid in enumerate(order):
        before = dict(levels)
        for cid in schedule[tid]:
            course = scenario.course(cid)
            parts = []
            if learner.pinned.get(cid) == tid:
                parts.append(f"pinned to {tid}")
            if cid in learner.required:
                parts.append("required by staff")
            for skill, level in sorted(course.teaches.items()):
                need = needs.get(skill, (0, 0))[0]
                start = before.get(skill, 0)
                if need > start and level > start:
                    whom = _needed_by(learner, role, skill, need)
                    parts.append(f"raises {skill} {start}→{min(level, 4)} (needed {need}{whom})")
            later = _enables(scenario, course, order[pos + 1 :], schedule, before)
            parts.extend(later)
            term = terms[tid]
            if not parts and term.min_credits > 0:
                parts.append(f"fills term minimum credits ({_fmt(term.min_credits)} in {tid})")
            if not parts:
                parts.append("allowed by every rule; ties on the objective")
            out[cid] = "; ".join(parts)
        for cid in schedule[tid]:
            for skill, level in scenario.course(cid).teaches.items():
                levels[skill] = max(levels.get(skill, 0), level)
    return out


def _needed_by(learner: Learner, role: str | None, skill: str, need: int) -> str:
    if learner.target.get(skill, 0) >= need:
        return f" for {learner.id}'s target"
    return f" for {role}" if role else ""


def _enables(
    scenario: Scenario,
    course: Course,
    later_terms: list[str],
    schedule: Mapping[str, list[str]],
    levels_now: Mapping[str, int],
) -> list[str]:
    """Later courses in the plan that list `course` as a prerequisite, or need a skill
    level that `course` brings (and the start levels did not)."""
    out = []
    for tid in later_terms:
        for other_id in schedule[tid]:
            other = scenario.course(other_id)
            in_any = any(course.id in group for group in other.prerequisites_any)
            if course.id in other.prerequisites or in_any:
                out.append(f"prerequisite of {other_id} ({tid})")
                continue
            for skill, level in other.requires_skills.items():
                if course.teaches.get(skill, 0) >= level > levels_now.get(skill, 0):
                    out.append(f"gives {skill} {level} needed by {other_id} ({tid})")
                    break
    return out
