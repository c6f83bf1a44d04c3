"""Program-design mode: per target-role track, a typical entrant's plan; the course × skill
coverage matrix; role skills no course teaches to the needed level; and curriculum
structure metrics in the spirit of CurricularAnalytics (delay factor, blocking factor,
centrality, structural complexity) over the prerequisite graph.

Prerequisite graph: an edge p → c for every all-of prerequisite and every member of an
any-of group of c (either may be the one a student takes, so both delay c).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from planner.scenario import Learner, Plan, Scenario, ScenarioError
from planner.scenario.load import Problem
from planner.services.io.safe import safe_frame


@dataclass
class Track:
    role: str
    entrant: str  # learner id used as the typical entrant
    plan: Plan

    @property
    def schedule(self) -> dict[str, list[str]]:
        return self.plan.learners[0].schedule if self.plan.learners else {}

    @property
    def gaps(self) -> dict[str, int]:
        return self.plan.learners[0].gaps if self.plan.learners else {}


@dataclass
class ProgramReport:
    curriculum: str | None
    tracks: list[Track]
    coverage: pd.DataFrame  # course × skill → level taught (0 = not taught)
    uncovered: pd.DataFrame  # role, skill, needed, best_taught, shortfall
    metrics: pd.DataFrame  # per course: delay, blocking, centrality, complexity
    longest_chain: list[str] = field(default_factory=list)

    def plans_frame(self) -> pd.DataFrame:
        rows = [
            (t.role, t.entrant, term, course, t.plan.status)
            for t in self.tracks
            for term, courses in t.schedule.items()
            for course in courses
        ]
        return pd.DataFrame(rows, columns=["role", "entrant", "term", "course", "status"])

    def write(self, out_dir: str | Path) -> list[Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        files = {
            "coverage.csv": self.coverage,
            "uncovered.csv": self.uncovered,
            "metrics.csv": self.metrics,
            "plans.csv": self.plans_frame(),
        }
        written = []
        for name, frame in files.items():
            path = out / name
            safe_frame(frame).to_csv(
                path, index=name in ("coverage.csv", "metrics.csv"), encoding="utf-8"
            )
            written.append(path)
        path = out / "report.md"
        path.write_text(self.markdown(), encoding="utf-8")
        written.append(path)
        return written

    def markdown(self) -> str:
        lines = [f"# Program design: {self.curriculum or 'curriculum'}", ""]
        chain = " → ".join(self.longest_chain)
        lines += [f"Longest prerequisite chain ({len(self.longest_chain)} courses): {chain}", ""]
        for track in self.tracks:
            lines += [f"## {track.role} (entrant: {track.entrant}, {track.plan.status})", ""]
            for term, courses in track.schedule.items():
                lines.append(f"- {term}: {', '.join(courses) or '—'}")
            if track.gaps:
                left = ", ".join(f"{s} (−{n})" for s, n in sorted(track.gaps.items()))
                lines.append(f"- gap left: {left}")
            lines.append("")
        lines += ["## Role skills no course teaches to the needed level", ""]
        if self.uncovered.empty:
            lines.append("None.")
        for row in self.uncovered.itertuples():
            lines.append(
                f"- {row.role}: {row.skill} needs {row.needed}, best taught {row.best_taught}"
                f" (short {row.shortfall})"
            )
        lines += ["", "## Most blocking courses", ""]
        top = self.metrics.sort_values(["complexity", "blocking"], ascending=False).head(10)
        for cid, row in top.iterrows():
            lines.append(
                f"- {cid}: blocking {row.blocking}, delay {row.delay}, centrality {row.centrality}"
            )
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- coverage


def coverage_matrix(s: Scenario) -> pd.DataFrame:
    """course × skill → level the course teaches (0 where it does not)."""
    skills = [k.id for k in s.skills]
    data = [[c.teaches.get(k, 0) for k in skills] for c in s.courses]
    frame = pd.DataFrame(data, index=[c.id for c in s.courses], columns=skills, dtype=int)
    frame.index.name = "course"
    return frame


def uncovered_skills(s: Scenario, roles: list[str] | None = None) -> pd.DataFrame:
    """Role skills that no running course teaches to the needed level, with the shortfall."""
    best: dict[str, int] = {}
    for c in s.courses:
        if c.max_sections > 0:
            for skill, level in c.teaches.items():
                best[skill] = max(best.get(skill, 0), level)
    rows = []
    for role in s.roles:
        if roles and role.id not in roles:
            continue
        for skill, need in sorted(role.requires.items()):
            taught = best.get(skill, 0)
            if taught < need:
                rows.append((role.id, skill, need, taught, need - taught))
    return pd.DataFrame(rows, columns=["role", "skill", "needed", "best_taught", "shortfall"])


# --------------------------------------------------------------------------- structure


def prerequisite_graph(s: Scenario) -> dict[str, list[str]]:
    """course -> courses that directly depend on it."""
    out: dict[str, list[str]] = {c.id: [] for c in s.courses}
    for c in s.courses:
        pres = set(c.prerequisites) | {p for group in c.prerequisites_any for p in group}
        for p in sorted(pres):
            out[p].append(c.id)
    return out


def curriculum_metrics(s: Scenario) -> tuple[pd.DataFrame, list[str]]:
    """Per course: delay factor (courses on the longest chain through it), blocking
    factor (courses that transitively depend on it), centrality (Σ lengths of the
    source-to-sink chains it is interior to) and complexity = delay + blocking.
    Also returns one longest chain."""
    succ = prerequisite_graph(s)
    pred: dict[str, list[str]] = {c: [] for c in succ}
    for p, cs in succ.items():
        for c in cs:
            pred[c].append(p)

    @cache
    def down(c: str) -> int:  # courses on the longest chain starting at c
        return 1 + max((down(n) for n in succ[c]), default=0)

    @cache
    def up(c: str) -> int:  # courses on the longest chain ending at c
        return 1 + max((up(p) for p in pred[c]), default=0)

    @cache
    def below(c: str) -> frozenset:
        out = set()
        for n in succ[c]:
            out.add(n)
            out |= below(n)
        return frozenset(out)

    @cache
    def paths_down(c: str) -> tuple[int, int]:  # (number of chains to a sink, Σ their lengths)
        if not succ[c]:
            return 1, 1
        n = total = 0
        for nxt in succ[c]:
            k, length = paths_down(nxt)
            n += k
            total += length + k
        return n, total

    @cache
    def paths_up(c: str) -> tuple[int, int]:  # chains from a source ending at c
        if not pred[c]:
            return 1, 1
        n = total = 0
        for p in pred[c]:
            k, length = paths_up(p)
            n += k
            total += length + k
        return n, total

    rows = {}
    for c in succ:
        delay = up(c) + down(c) - 1
        blocking = len(below(c))
        centrality = 0
        if pred[c] and succ[c]:
            # Σ over chains source…c…sink of their length (in courses).
            n_up, len_up = paths_up(c)
            n_down, len_down = paths_down(c)
            centrality = len_up * n_down + len_down * n_up - n_up * n_down
        rows[c] = (delay, blocking, centrality, delay + blocking)
    metrics = pd.DataFrame.from_dict(
        rows, orient="index", columns=["delay", "blocking", "centrality", "complexity"]
    )
    metrics.index.name = "course"
    chain: list[str] = []
    if succ:
        node = max(succ, key=lambda c: (up(c) + down(c), -list(succ).index(c)))
        while pred[node]:
            node = max(pred[node], key=up)
        chain = [node]
        while succ[chain[-1]]:
            chain.append(max(succ[chain[-1]], key=down))
    return metrics, chain


# --------------------------------------------------------------------------- tracks


def entrant_for(s: Scenario, role: str) -> Learner:
    """The curriculum's own learner for the role (its typical entrant), else a blank one."""
    for learner in s.learners:
        if learner.role == role:
            return learner.model_copy(update={"count": 1})
    return Learner(id=f"{role}-entrant", role=role)


def design_program(
    curriculum: Scenario,
    roles: list[str] | None = None,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
) -> ProgramReport:
    """Solve one typical entrant per role track and gather coverage and metrics."""
    from planner.solver import solve

    known = [r.id for r in curriculum.roles]
    if roles:
        unknown = [r for r in roles if r not in known]
        if unknown:
            raise ScenarioError(
                [
                    Problem("--roles", f'unknown role "{r}" (known: {", ".join(known)})')
                    for r in unknown
                ]
            )
    else:
        with_learners = [lr.role for lr in curriculum.learners if lr.role]
        roles = list(dict.fromkeys(with_learners)) or known
    tracks = []
    for role in roles:
        entrant = entrant_for(curriculum, role)
        one = curriculum.model_copy(update={"learners": [entrant]})
        plan = solve(one, time_limit_s=time_limit_s, workers=workers)
        tracks.append(Track(role=role, entrant=entrant.id, plan=plan))
    metrics, chain = curriculum_metrics(curriculum)
    return ProgramReport(
        curriculum=curriculum.name,
        tracks=tracks,
        coverage=coverage_matrix(curriculum),
        uncovered=uncovered_skills(curriculum, roles),
        metrics=metrics,
        longest_chain=chain,
    )
