"""Program-design mode: per target-role track, a typical entrant's plan; the course × skill
coverage matrix; role skills no course teaches to the needed level; and curriculum
structure metrics in the spirit of CurricularAnalytics (delay factor, blocking factor,
centrality, structural complexity) over the prerequisite graph.

Prerequisite graph: an edge p → c for every all-of prerequisite and every member of an
any-of group of c (either may be the one a student takes, so both delay c).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func
from sqlmodel import select

from planner.models import Course, Curriculum, Role, ScenarioRecord
from planner.scenario import Learner, Plan, Problem, Scenario, ScenarioError
from planner.scenario.load import dump_json
from planner.services.caching import database_key
from planner.services.io.safe import safe_frame
from planner.services.scenarios.build import scenario_from_db
from planner.services.scenarios.editor import parsed
from planner.solver import solve

INDEXED = ("coverage", "metrics")  # tables whose index (the course id) is a column


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

    def frames(self) -> dict[str, pd.DataFrame]:
        """The report's tables by name (the CLI's CSV files and the web page's exports)."""
        return {
            "coverage": self.coverage,
            "uncovered": self.uncovered,
            "metrics": self.metrics,
            "plans": self.plans_frame(),
        }

    def csv(self, name: str) -> str:
        return safe_frame(self.frames()[name]).to_csv(index=name in INDEXED)

    def xlsx(self) -> bytes:
        """One workbook, a sheet per table."""
        out = io.BytesIO()
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for name, frame in self.frames().items():
                safe_frame(frame).to_excel(writer, sheet_name=name, index=name in INDEXED)
        return out.getvalue()

    def write(self, out_dir: str | Path) -> list[Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frame in self.frames().items():
            path = out / f"{name}.csv"
            safe_frame(frame).to_csv(path, index=name in INDEXED, encoding="utf-8")
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
        for cid, course in top.iterrows():
            lines.append(
                f"- {cid}: blocking {course.blocking}, delay {course.delay}, "
                f"centrality {course.centrality}"
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

    down, up = _longest_chain(succ), _longest_chain(pred)  # courses on it, from / to c

    @cache
    def below(c: str) -> frozenset:
        out = set()
        for n in succ[c]:
            out.add(n)
            out |= below(n)
        return frozenset(out)

    paths_down, paths_up = _chains(succ), _chains(pred)

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


def _longest_chain(links: dict[str, list[str]]) -> Callable[[str], int]:
    """Courses on the longest chain from a course along `links` (successors: down to a
    sink; predecessors: up to a source), the course itself included."""

    @cache
    def longest(c: str) -> int:
        return 1 + max((longest(n) for n in links[c]), default=0)

    return longest


def _chains(links: dict[str, list[str]]) -> Callable[[str], tuple[int, int]]:
    """(number of chains from a course to an end along `links`, Σ their lengths)."""

    @cache
    def chains(c: str) -> tuple[int, int]:
        if not links[c]:
            return 1, 1
        n = total = 0
        for nxt in links[c]:
            k, length = chains(nxt)
            n += k
            total += length + k
        return n, total

    return chains


# --------------------------------------------------------------------------- tracks


def entrant_for(s: Scenario, role: str) -> Learner:
    """The curriculum's own learner for the role (its typical entrant), else a blank one."""
    for learner in s.learners:
        if learner.role == role:
            return learner.model_copy(update={"count": 1})
    return Learner(id=f"{role}-entrant", role=role)


def track_roles(curriculum: Scenario, roles: list[str] | None = None) -> list[str]:
    """The roles to plan a track for: those asked for (checked), else the entrants'
    roles, else every role."""
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
        return list(roles)
    with_learners = [lr.role for lr in curriculum.learners if lr.role]
    return list(dict.fromkeys(with_learners)) or known


def plan_tracks(
    curriculum: Scenario,
    roles: list[str],
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
) -> list[Track]:
    """Solve one typical entrant per role."""
    tracks = []
    for role in roles:
        entrant = entrant_for(curriculum, role)
        one = curriculum.model_copy(update={"learners": [entrant]})
        plan = solve(one, time_limit_s=time_limit_s, workers=workers)
        tracks.append(Track(role=role, entrant=entrant.id, plan=plan))
    return tracks


def design_program(
    curriculum: Scenario,
    roles: list[str] | None = None,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
    with_tracks: bool = True,
) -> ProgramReport:
    """Solve one typical entrant per role track and gather coverage and metrics
    (`with_tracks=False`: only what needs no solving; the tracks list stays empty)."""
    roles = track_roles(curriculum, roles)
    tracks = (
        plan_tracks(curriculum, roles, time_limit_s=time_limit_s, workers=workers)
        if with_tracks
        else []
    )
    metrics, chain = curriculum_metrics(curriculum)
    return ProgramReport(
        curriculum=curriculum.name,
        tracks=tracks,
        coverage=coverage_matrix(curriculum),
        uncovered=uncovered_skills(curriculum, roles),
        metrics=metrics,
        longest_chain=chain,
    )


# --------------------------------------------------------------------------- the web page

# The role tracks need a solve each: a small program plans them with the page, a large
# one in a second request after it. Each track's solve is capped (the file's own limit
# when lower), so no request hangs on one hard track.
PAGE_TIME_LIMIT_S = 5.0
TRACKS_WITH_PAGE_MAX_COURSES = 300
MATRIX_MAX_ROWS = 300  # coverage rows on the page (the CSV has every course)
SORT_KEYS = ("course", "skills")  # besides a skill id or a metric name


@dataclass
class ProgramPage:
    """What the program-design page shows of one scenario or curriculum."""

    source: str  # "scenario" or "curriculum"
    ident: str
    title: str
    scenario: Scenario
    report: ProgramReport  # without tracks until tracks() ran

    @property
    def tracks_with_page(self) -> bool:
        return len(self.scenario.courses) <= TRACKS_WITH_PAGE_MAX_COURSES

    def tracks(self) -> list[Track]:
        """The role tracks, solved once and kept in the report (exports include them)."""
        if not self.report.tracks:
            limit = min(self.scenario.options.time_limit_s, PAGE_TIME_LIMIT_S)
            roles = track_roles(self.scenario)
            self.report.tracks = plan_tracks(self.scenario, roles, time_limit_s=limit, workers=1)
        return self.report.tracks

    def skill_name(self, skill_id: str) -> str:
        for k in self.scenario.skills:
            if k.id == skill_id:
                return k.name or k.id
        return skill_id

    def role_name(self, role_id: str) -> str:
        for r in self.scenario.roles:
            if r.id == role_id:
                return r.name or r.id
        return role_id

    def course_title(self, course_id: str) -> str:
        try:
            return self.scenario.course(course_id).title
        except KeyError:
            return ""

    def coverage_rows(self, sort: str = "course", ascending: bool | None = None, limit=None):
        """(course, title, [level per skill], skills taught) of the first `limit` courses,
        sorted by a column: the course id (A→Z by default), a skill id or "skills" (most
        taught first); ties keep the file's order."""
        cov = self.report.coverage
        values = cov.to_numpy()
        ids = list(cov.index)
        taught = (values > 0).sum(axis=1)
        skills = list(cov.columns)
        if sort in skills:
            key = values[:, skills.index(sort)]
        elif sort == "skills":
            key = taught
        else:
            key = None
        if key is None:
            order = sorted(range(len(ids)), key=ids.__getitem__, reverse=ascending is False)
        else:
            order = list(np.argsort(key if ascending else -key, kind="stable"))
        return [
            (ids[k], self.course_title(ids[k]), [int(v) for v in values[k]], int(taught[k]))
            for k in order[:limit]
        ]

    def metric_rows(self, sort: str = "complexity", limit=None):
        frame = self.report.metrics
        key = sort if sort in frame.columns else "complexity"
        frame = frame.sort_values([key, "blocking"], ascending=False, kind="stable")
        return [
            (row.Index, self.course_title(str(row.Index)), *(int(v) for v in row[1:]))
            for row in frame.head(limit if limit is not None else len(frame)).itertuples()
        ]


def _page_report(scenario: Scenario) -> ProgramReport:
    return design_program(scenario, with_tracks=False)


_pages: dict = {}


def page_for_scenario(session, scenario_id: int) -> ProgramPage | None:
    """The program design of a stored scenario (cached until the scenario changes)."""
    record = session.get(ScenarioRecord, scenario_id)
    if record is None:
        return None
    key = (database_key(session), "scenario", scenario_id, str(record.updated_at))
    if key not in _pages:
        scenario = parsed(record)
        _remember(key, ProgramPage("scenario", str(scenario_id), record.name, scenario,
                                   _page_report(scenario)))  # fmt: skip
    return _pages[key]


def page_for_curriculum(session, curriculum_id: str) -> ProgramPage | None:
    """The program design of a catalogue curriculum: its courses, calendar, learners and
    the roles they aim at (every role when it has no learners)."""
    curriculum = session.get(Curriculum, curriculum_id)
    if curriculum is None:
        return None
    roles = list(session.exec(select(Role.id).order_by(Role.id)).all())
    scenario = scenario_from_db(session, curriculum_id=curriculum_id, role_ids=roles)
    key = (database_key(session), "curriculum", curriculum_id, _fingerprint(scenario))
    if key not in _pages:
        page = ProgramPage("curriculum", curriculum_id, curriculum.name or curriculum_id,
                           scenario, _page_report(scenario))  # fmt: skip
        _remember(key, page)
    return _pages[key]


def _fingerprint(scenario: Scenario) -> str:
    return hashlib.sha1(dump_json(scenario).encode()).hexdigest()


def _remember(key, page: ProgramPage) -> None:
    if len(_pages) > 16:
        _pages.clear()
    _pages[key] = page


def curricula(session) -> list[tuple[str, str, int]]:
    """(id, name, number of courses) of every curriculum, for the page's index."""
    counts = dict(
        session.exec(
            select(Course.curriculum_id, func.count()).group_by(Course.curriculum_id)
        ).all()
    )
    rows = session.exec(select(Curriculum.id, Curriculum.name).order_by(Curriculum.id)).all()
    return [(cid, name or cid, counts.get(cid, 0)) for cid, name in rows]
