"""Cohort gap analytics with pandas: which skills a cohort, or one team, lacks most.

The gap rules of the scenario format live here once, vectorised over flat tables:
`needs_table` (rule 1: need = max(role requires, target), weight from the role),
`start_levels_table` (rule 2: max of stated levels and what completed courses teach) and
`gap_table` (the gap term of rule 8: count × weight × max(0, need − level)). A `Scenario`
(`inputs_of`) and the database (`inputs_from_db`) are both turned into the same tables, so
the notebook/CLI analytics and the cohort page cannot drift apart; the tests prove
`gap_table` equal to `Scenario.needs()` / `Scenario.start_levels()` on generated scenarios.

Without a plan the level is the start level; with a plan it is the plan's final level (never
below the start level), so the same tables show the gap left after training.

The cohort page (`cohort_gaps`) caches its tables per database state: the key holds a
process-wide write counter (bumped by any INSERT/UPDATE/DELETE on the tables the rules read
through an engine given to `watch_writes`, and again when that transaction ends) and cheap
aggregates of those tables (row counts, level sums, max ids), so edits through this process,
and most edits by other processes, invalidate it at once; entries also expire after
`CACHE_TTL_S`.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import String, cast, event, func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from planner.models import (
    CourseTeaches,
    Learner,
    LearnerLevel,
    LearnerTarget,
    PlanRecord,
    RoleRequirement,
    ScenarioRecord,
    Skill,
)
from planner.scenario import Plan, Scenario
from planner.services.caching import LRU, database_key
from planner.services.io.safe import csv_text
from planner.services.planning import plans as plan_store

NO_TEAM = "(no team)"
USABLE = ("OPTIMAL", "FEASIBLE")  # plans with a schedule (and so final levels)

COLUMNS = [
    "learner",
    "team",
    "role",
    "skill",
    "area",
    "people",
    "need",
    "level",
    "shortfall",
    "weight",
    "weighted_gap",
]


# -- the rule inputs as flat tables -----------------------------------------------------------
@dataclass(frozen=True)
class GapInputs:
    """What the gap rules read, one row per fact. `role` is "" for a learner without one;
    a `requires` row with need 0 only carries a weight (for a skill a target asks for)."""

    learners: pd.DataFrame  # learner, team, role, count
    requires: pd.DataFrame  # role, skill, need, weight
    targets: pd.DataFrame  # learner, skill, target
    levels: pd.DataFrame  # learner, skill, level
    completed: pd.DataFrame  # learner, course
    teaches: pd.DataFrame  # course, skill, level
    areas: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)


def _frame(rows: Iterable[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


def team_of(team: str | None, role: str | None, *, by_role: bool = True) -> str:
    """A learner's heatmap row: its team, else (`by_role`) its role, else "(no team)"."""
    return team or (role if by_role else None) or NO_TEAM


def inputs_of(scenario: Scenario, teams: Mapping[str, str] | None = None) -> GapInputs:
    """A scenario's learners, roles and courses as gap-rule tables (no rule applied here).

    Without `teams` learners are grouped by role; with it, a learner it does not name is
    under "(no team)", as in the database (teams and roles are separate filters there)."""
    by_role = teams is None
    teams = teams or {}
    learners = scenario.learners
    return GapInputs(
        learners=_frame(
            (
                (
                    lr.id,
                    team_of(teams.get(lr.id), lr.role, by_role=by_role),
                    lr.role or "",
                    lr.count,
                )
                for lr in learners
            ),
            ["learner", "team", "role", "count"],
        ),  # fmt: skip
        requires=_frame(
            (
                (r.id, s, r.requires.get(s, 0), float(r.weights.get(s, 1)))
                for r in scenario.roles
                for s in {*r.requires, *r.weights}
            ),
            ["role", "skill", "need", "weight"],
        ),  # fmt: skip
        targets=_frame(
            ((lr.id, s, v) for lr in learners for s, v in lr.target.items()),
            ["learner", "skill", "target"],
        ),
        levels=_frame(
            ((lr.id, s, v) for lr in learners for s, v in lr.levels.items()),
            ["learner", "skill", "level"],
        ),
        completed=_frame(
            ((lr.id, c) for lr in learners for c in lr.completed), ["learner", "course"]
        ),
        teaches=_frame(
            ((c.id, s, v) for c in scenario.courses for s, v in c.teaches.items()),
            ["course", "skill", "level"],
        ),
        areas={s.id: s.area for s in scenario.skills},
        names={s.id: s.name or s.id for s in scenario.skills},
    )


def plan_levels(plan: Plan | None) -> pd.DataFrame | None:
    """The plan's final levels (learner, skill, level); None when it has no schedule."""
    if plan is None or plan.status not in USABLE:
        return None
    return _frame(
        ((lp.id, s, v) for lp in plan.learners for s, v in lp.final_levels.items()),
        ["learner", "skill", "level"],
    )


# -- the rules --------------------------------------------------------------------------------
def needs_table(inputs: GapInputs) -> pd.DataFrame:
    """Rule 1: learner, skill, need, weight for every need > 0 (weight 1 unless the role says)."""
    by_role = inputs.learners[["learner", "role"]].merge(inputs.requires, on="role")
    both = by_role[["learner", "skill", "need", "weight"]].merge(
        inputs.targets, on=["learner", "skill"], how="outer"
    )
    need = both["need"].fillna(0).clip(lower=both["target"].fillna(0))
    out = pd.DataFrame(
        {
            "learner": both["learner"],
            "skill": both["skill"],
            "need": need.astype("int64"),
            "weight": both["weight"].fillna(1.0).astype("float64"),
        }
    )
    return out[out["need"] > 0].reset_index(drop=True)


def start_levels_table(inputs: GapInputs) -> pd.DataFrame:
    """Rule 2: learner, skill, level = max(stated level, teaches of every completed course)."""
    taught = inputs.completed.merge(inputs.teaches, on="course")[["learner", "skill", "level"]]
    return _max_level(inputs.levels, taught)


def _max_level(*tables: pd.DataFrame | None) -> pd.DataFrame:
    """Highest level per learner and skill over tables each holding one row per pair."""
    parts = [t for t in tables if t is not None and not t.empty]
    if not parts:
        return _frame([], ["learner", "skill", "level"])
    if len(parts) == 1:  # already one row per (learner, skill): skip the group-by
        return parts[0]
    return (
        pd.concat(parts, ignore_index=True)
        .groupby(["learner", "skill"])["level"]
        .max()
        .reset_index()
    )


def gap_table(inputs: GapInputs, final: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per learner and needed skill (columns COLUMNS): the gap term of rule 8.

    `final` (learner, skill, level), e.g. from `plan_levels`, raises levels to those after a
    plan; a course never lowers a level, so the start level stays the floor.
    """
    inputs, final = _encoded(inputs, final)
    levels = _max_level(start_levels_table(inputs), final)
    df = needs_table(inputs).merge(levels, on=["learner", "skill"], how="left")
    df = df.merge(inputs.learners, on="learner")
    df["level"] = df["level"].fillna(0).astype("int64")
    df["shortfall"] = (df["need"] - df["level"]).clip(lower=0)
    df["people"] = df["count"].astype("int64")
    df["weighted_gap"] = df["people"] * df["weight"] * df["shortfall"]
    df["learner"] = df["learner"].astype(str)
    df["skill"] = df["skill"].astype(str)
    df["area"] = df["skill"].map(inputs.areas).fillna("") if len(df) else ""
    return df[COLUMNS].reset_index(drop=True)


_ID_TABLES = ("learners", "requires", "targets", "levels", "completed", "teaches")


def _encoded(inputs: GapInputs, final: pd.DataFrame | None):
    """Learner and skill ids as categoricals sharing one category list per kind, so the
    merges join on small integer codes instead of hashing strings (2x faster at 30,000
    rows). Values are unchanged; gap_table turns them back into strings."""
    tables = {name: getattr(inputs, name) for name in _ID_TABLES}
    if final is not None:
        tables["final"] = final
    kinds = {}
    for column in ("learner", "skill"):
        values = [t[column].astype(object) for t in tables.values() if column in t]
        kinds[column] = pd.CategoricalDtype(pd.unique(pd.concat(values, ignore_index=True)))
    out = {name: t.astype({c: kinds[c] for c in kinds if c in t}) for name, t in tables.items()}
    final = out.pop("final", None)
    return replace(inputs, **out), final


def team_sizes(inputs: GapInputs) -> pd.Series:
    """People per team (every learner counts, with or without needs)."""
    return inputs.learners.groupby("team")["count"].sum()


# -- scenario-level summaries -------------------------------------------------------------------
def gap_frame(
    scenario: Scenario,
    plan: Plan | None = None,
    teams: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per learner and needed skill (need > 0), long format.

    `teams` maps learner id → team (learners it does not name: "(no team)"); without it
    learners are grouped by role. `weighted_gap` already multiplies by the learner's count.
    """
    return gap_table(inputs_of(scenario, teams), plan_levels(plan))


def team_matrix(df: pd.DataFrame, sizes: pd.Series | None = None) -> pd.DataFrame:
    """Team × skill weighted gap from a gap table; divided by team size when `sizes` given.

    Skills are ordered by total gap (largest first); teams alphabetically. Cells where
    nobody of the team needs the skill are 0.
    """
    if df.empty:
        return pd.DataFrame()
    matrix = df.pivot_table(
        index="team", columns="skill", values="weighted_gap", aggfunc="sum", fill_value=0.0
    )
    order = matrix.sum(axis=0).sort_values(ascending=False, kind="stable").index
    matrix = matrix[order].sort_index()
    if sizes is not None:
        matrix = matrix.div(sizes.reindex(matrix.index).astype(float), axis=0)
    return matrix


def team_gaps(
    scenario: Scenario,
    plan: Plan | None = None,
    teams: Mapping[str, str] | None = None,
    *,
    per_person: bool = False,
) -> pd.DataFrame:
    """Heatmap matrix: team × skill → weighted gap (total, or per person of the team)."""
    inputs = inputs_of(scenario, teams)
    df = gap_table(inputs, plan_levels(plan))
    return team_matrix(df, team_sizes(inputs) if per_person else None)


def skill_ranking(
    scenario: Scenario, plan: Plan | None = None, teams: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Skills the cohort lacks most: total weighted gap, people short, mean shortfall."""
    df = gap_frame(scenario, plan, teams)
    if df.empty:
        return pd.DataFrame(
            columns=["skill", "area", "weighted_gap", "people_short", "people_needing"]
        )
    df = df.assign(short_people=df["people"].where(df["shortfall"] > 0, 0))
    df = df.assign(short_levels=df["people"] * df["shortfall"])
    out = df.groupby(["skill", "area"], as_index=False).agg(
        weighted_gap=("weighted_gap", "sum"),
        people_short=("short_people", "sum"),
        people_needing=("people", "sum"),
        levels_short=("short_levels", "sum"),
    )
    out["mean_shortfall"] = out["levels_short"] / out["people_short"].where(out["people_short"] > 0)
    out = out.drop(columns="levels_short").fillna({"mean_shortfall": 0.0})
    return out.sort_values(["weighted_gap", "skill"], ascending=[False, True]).reset_index(
        drop=True
    )


def gap_reduction(
    scenario: Scenario, plan: Plan, teams: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Per team: weighted gap before and after the plan, and the share closed."""
    inputs = inputs_of(scenario, teams)
    before = gap_table(inputs).groupby("team")["weighted_gap"].sum()
    after = gap_table(inputs, plan_levels(plan)).groupby("team")["weighted_gap"].sum()
    out = pd.DataFrame({"before": before, "after": after.reindex(before.index, fill_value=0)})
    out["closed_share"] = (1 - out["after"] / out["before"].where(out["before"] > 0)).fillna(1.0)
    return out


# -- the learners in the database ---------------------------------------------------------------
def _query_frame(conn, query, columns: list[str]) -> pd.DataFrame:
    # Column lists, not from_records on Row objects: that is 10x slower at 25,000 rows.
    rows = conn.execute(query).all()
    if not rows:
        return _frame([], columns)
    values = zip(*rows, strict=True)
    return pd.DataFrame({c: list(v) for c, v in zip(columns, values, strict=True)})


def inputs_from_db(session) -> GapInputs:
    """The catalogue's learners, levels, targets, role requirements and course teachings as
    gap-rule tables, read as plain tuples through Core (no ORM objects)."""
    conn = session.connection()
    # `completed` as text: most learners have finished nothing ("[]"), and decoding only
    # the others saves thousands of JSON parses.
    rows = conn.execute(
        select(
            col(Learner.id), col(Learner.team), col(Learner.role_id), col(Learner.count),
            cast(col(Learner.completed), String),
        )
    ).all()  # fmt: skip
    learners = _frame(
        (
            (lid, team_of(team, role, by_role=False), role or "", count)
            for lid, team, role, count, _ in rows
        ),
        ["learner", "team", "role", "count"],
    )
    completed = _frame(
        ((lid, c) for lid, *_, done in rows if done and done != "[]" for c in json.loads(done)),
        ["learner", "course"],
    )
    teaches = select(
        col(CourseTeaches.course_id), col(CourseTeaches.skill_id), col(CourseTeaches.level)
    )
    course_ids = completed["course"].unique().tolist()
    if len(course_ids) <= 500:  # few finished courses: fetch only theirs
        teaches = teaches.where(col(CourseTeaches.course_id).in_(course_ids))
    skills = conn.execute(select(col(Skill.id), col(Skill.name), col(Skill.area_id))).all()
    requires = select(
        col(RoleRequirement.role_id), col(RoleRequirement.skill_id), col(RoleRequirement.level),
        col(RoleRequirement.weight),
    )  # fmt: skip
    return GapInputs(
        learners=learners,
        requires=_query_frame(conn, requires, ["role", "skill", "need", "weight"]),
        targets=_query_frame(
            conn,
            select(
                col(LearnerTarget.learner_id), col(LearnerTarget.skill_id), col(LearnerTarget.level)
            ),
            ["learner", "skill", "target"],
        ),
        levels=_query_frame(
            conn,
            select(
                col(LearnerLevel.learner_id), col(LearnerLevel.skill_id), col(LearnerLevel.level)
            ),
            ["learner", "skill", "level"],
        ),
        completed=completed,
        teaches=_query_frame(conn, teaches, ["course", "skill", "level"])
        if course_ids
        else _frame([], ["course", "skill", "level"]),
        areas={sid: area or "" for sid, _, area in skills},
        names={sid: name or sid for sid, name, _ in skills},
    )


# -- cache keyed on the database state -----------------------------------------------------------
CACHE_TTL_S = 120.0  # bounds staleness from edits by other processes the stamp cannot see
_WATCHED = re.compile(
    r"\b(learner|learner_level|learner_target|role|role_requirement|course|course_teaches|skill)\b",
    re.IGNORECASE,
)
_DIRTY = "planner.analytics.dirty"
_generation = [0]


def _bump() -> None:
    _generation[0] += 1


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    # Cascades (deleting a role drops its requirements) name only the parent table,
    # so parents are watched too.
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and _WATCHED.search(
        statement
    ):
        conn.info[_DIRTY] = True
        _bump()


def _note_end(conn) -> None:
    # Bump again when the writing transaction ends: a page computed between the write and
    # its commit read the old rows under the new counter.
    if conn.info.pop(_DIRTY, False):
        _bump()


def watch_writes(engine: Engine) -> None:
    """Bump the write counter on `engine`'s writes to the tables the gap rules read (the
    app factory calls this for its engine); watching an engine twice counts once."""
    for name, listener in (
        ("after_cursor_execute", _note_write),
        ("commit", _note_end),
        ("rollback", _note_end),
    ):
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener)


def data_stamp(session) -> tuple:
    """Cheap fingerprint of what the gap rules read: counts, max ids and level sums.

    Row counts and max ids come from indexes; sums scan learner_level (~5 ms at 25,000
    rows). Course teachings only by count and max id: they matter for completed courses
    only, and course edits in this process bump the write counter anyway."""
    global _stamp_query
    if _stamp_query is None:
        _stamp_query = _build_stamp_query()
    return tuple(session.connection().execute(_stamp_query).one())


_stamp_query = None


def _build_stamp_query():
    # Built once: making these expressions costs more than running them.
    def length(column):
        return func.sum(func.length(func.coalesce(column, "")))

    parts = [
        func.count(col(Learner.id)),
        func.sum(Learner.count),
        func.max(Learner.id),
        length(Learner.team),
        length(Learner.role_id),
        length(cast(Learner.completed, String)),
        *(
            expr
            for t in (LearnerLevel, LearnerTarget)
            for expr in (func.count(col(t.learner_id)), func.sum(t.level), func.max(t.learner_id))
        ),
        func.count(col(RoleRequirement.role_id)),
        func.sum(RoleRequirement.level),
        func.sum(RoleRequirement.weight),
        func.count(col(CourseTeaches.course_id)),
        func.max(CourseTeaches.course_id),
        func.count(col(Skill.id)),
        length(Skill.name),
        length(Skill.area_id),
    ]
    # One round trip: every aggregate as a scalar subquery over its own table.
    return select(*(select(expr).scalar_subquery() for expr in parts))


_inputs = LRU(4, CACHE_TTL_S)
_tables = LRU(8, CACHE_TTL_S)
_cohorts = LRU(32, CACHE_TTL_S)


def clear_cache() -> None:
    for cache in (_inputs, _tables, _cohorts):
        cache.clear()


def _state_key(session) -> tuple:
    # The counter is read before the stamp and the rows, so a write racing this read
    # leaves the entry under a key no later request asks for.
    generation = _generation[0]
    return (database_key(session), generation, data_stamp(session))


# -- the cohort page ----------------------------------------------------------------------------
@dataclass
class Cohort:
    """Teams × skills for the heatmap, plus the full long table for export."""

    teams: list[str]  # rows shown (alphabetical)
    skills: list[str]  # columns shown: every skill with a gap (or the largest), alphabetical
    names: dict[str, str]  # skill id → name
    people: dict[str, int]  # team → people
    values: list[list[float | None]]  # team × skill: weighted gap per person
    all_teams: list[str]  # every team, for the filter
    table: pd.DataFrame  # every team × needed skill, columns TABLE_COLUMNS
    plan_learners: int = 0  # learners of the shown teams the plan has a schedule for
    learners: int = 0  # learner entries in the shown teams
    all_roles: list[str] = field(default_factory=list)  # every learner role, for the filter
    view: str = "after"  # "before" / "after" a plan, or "difference" (gap closed)


TABLE_COLUMNS = [
    "team",
    "people",
    "skill",
    "skill_name",
    "area",
    "people_needing",
    "people_short",
    "weighted_gap",
    "gap_per_person",
]
DIFFERENCE_COLUMNS = [
    "team", "people", "skill", "skill_name", "area", "weighted_gap_before",
    "weighted_gap_after", "weighted_gap_closed", "closed_per_person",
]  # fmt: skip
VIEWS = ("before", "after", "difference")


def cohort_gaps(
    session,
    *,
    teams: Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
    plan: Plan | None = None,
    plan_key: object = None,
    max_skills: int | None = None,
) -> Cohort:
    """Teams × skills: Σ count·weight·gap per person of the team, for the learners now in
    the database, optionally after `plan` (give `plan_key`, e.g. its row id, to cache it).
    `teams` keeps only those teams and `roles` only learners of those roles ("" = no role);
    unknown names are ignored. Every skill with a gap is a column unless `max_skills`."""
    key = _state_key(session)
    chosen = tuple(sorted(set(teams))) if teams else None
    chosen_roles = tuple(sorted(set(roles))) if roles else None
    args = (chosen, chosen_roles, max_skills)
    if plan is not None and plan_key is None:  # an unsaved plan: nothing to key it by
        return _build_cohort(session, key, plan, None, *args)
    return _cohorts.get(
        (key, plan_key, *args),
        lambda: _build_cohort(session, key, plan, plan_key, *args),
    )


def cohort_difference(before: Cohort, after: Cohort) -> Cohort:
    """The gap a plan closes, per team and skill: before − after (same filters)."""
    cells = {
        (t, s): v for t, row in zip(after.teams, after.values, strict=True)
        for s, v in zip(after.skills, row, strict=True)
    }  # fmt: skip
    values = [
        [
            None if v is None else round(v - (cells.get((t, s)) or 0.0), 2)
            for s, v in zip(before.skills, row, strict=True)
        ]
        for t, row in zip(before.teams, before.values, strict=True)
    ]
    keys = ["team", "skill"]
    merged = before.table.merge(
        after.table[[*keys, "weighted_gap"]], on=keys, how="left", suffixes=("_before", "_after")
    )
    merged["weighted_gap_after"] = merged["weighted_gap_after"].fillna(0.0)
    merged["weighted_gap_closed"] = merged["weighted_gap_before"] - merged["weighted_gap_after"]
    merged["closed_per_person"] = merged["weighted_gap_closed"] / merged["people"]
    return replace(
        before,
        values=values,
        table=merged[DIFFERENCE_COLUMNS],
        plan_learners=after.plan_learners,
        view="difference",
    )


def cohort_view(
    session,
    *,
    view: str = "after",
    plan: Plan | None = None,
    plan_key: object = None,
    teams: Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
) -> Cohort:
    """The cohort page's matrix: today's gaps, those left after `plan`, or the difference."""
    before = cohort_gaps(session, teams=teams, roles=roles)
    if plan is None or view == "before":
        return before
    after = cohort_gaps(session, teams=teams, roles=roles, plan=plan, plan_key=plan_key)
    return cohort_difference(before, after) if view == "difference" else after


def largest_cells(cohort: Cohort, n: int = 8) -> list[tuple[float, str, str]]:
    """The n largest positive cells: (value, team, skill name), largest first."""
    cells = (
        (value, team, cohort.names[skill])
        for team, row in zip(cohort.teams, cohort.values, strict=True)
        for skill, value in zip(cohort.skills, row, strict=True)
        if value and value > 0
    )
    return sorted(cells, reverse=True)[:n]


HEAT_STEPS = 8  # colour classes heat-0 … heat-8 (planner/static/cohort.css)


def heat_rows(cohort: Cohort) -> list[tuple[str, int, list[tuple[str, float | None, int]]]]:
    """(team, people, [(skill, value, heat class 0-8)]) for the HTML heatmap; the class is
    the value's share of the largest value, so the colour scale fits what is shown."""
    peak = max((v for row in cohort.values for v in row if v), default=0) or 1
    return [
        (
            team,
            cohort.people[team],
            [
                (skill, v, 0 if not v or v < 0 else max(1, round(HEAT_STEPS * v / peak)))
                for skill, v in zip(cohort.skills, row, strict=True)
            ],
        )
        for team, row in zip(cohort.teams, cohort.values, strict=True)
    ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Reading ~40,000 rows makes as many tuples, and each batch of them sets off a garbage
    # collection over the web process's large heap: 2-3x the time of the read itself. The
    # rows hold no cycles, so nothing is lost by collecting after instead.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_cohort(session, key, plan, plan_key, chosen, roles, max_skills) -> Cohort:
    with _collector_paused():
        return _compute_cohort(session, key, plan, plan_key, chosen, roles, max_skills)


def _compute_cohort(session, key, plan, plan_key, chosen, roles, max_skills) -> Cohort:
    inputs = _inputs.get(key, lambda: inputs_from_db(session))
    all_teams = sorted(team_sizes(inputs).index)
    all_roles = sorted(inputs.learners["role"].unique().tolist())
    if roles is not None:  # a role filter changes team sizes, so the table is its own
        inputs = replace(inputs, learners=inputs.learners[inputs.learners["role"].isin(roles)])
    sizes = team_sizes(inputs)

    def summarise() -> pd.DataFrame:
        return _team_skill_table(gap_table(inputs, plan_levels(plan)), sizes, inputs.names)

    # The team × skill table is cached whole; a team filter only drops whole teams from it.
    if plan is not None and plan_key is None:
        table = summarise()
    else:
        table = _tables.get((key, plan_key, roles), summarise)
    learners = inputs.learners
    if chosen is not None:
        table = table[table["team"].isin(chosen)]
        sizes = sizes[sizes.index.isin(chosen)]
        learners = learners[learners["team"].isin(chosen)]
    in_plan = int(learners["learner"].isin(_plan_ids(plan)).sum()) if plan is not None else 0
    totals = table.groupby("skill")["weighted_gap"].sum()
    top = totals[totals > 0].sort_values(ascending=False, kind="stable").index
    skills = sorted(top[:max_skills] if max_skills is not None else top)
    teams = sorted(sizes.index)
    cells = table.set_index(["team", "skill"])["gap_per_person"]
    values = [
        [round(float(cells.get((t, s), 0.0)), 2) if sizes[t] else None for s in skills]
        for t in teams
    ]
    return Cohort(
        teams=teams,
        skills=skills,
        names={s: inputs.names.get(s, s) for s in skills},
        people={t: int(sizes[t]) for t in teams},
        values=values,
        all_teams=all_teams,
        table=table,
        plan_learners=in_plan,
        learners=len(learners),
        all_roles=all_roles,
        view="after" if plan is not None else "before",
    )


def _plan_ids(plan: Plan | None) -> set[str]:
    if plan is None or plan.status not in USABLE:
        return set()
    return {lp.id for lp in plan.learners}


def _team_skill_table(df: pd.DataFrame, sizes: pd.Series, names: Mapping[str, str]):
    """Long team × skill table: who needs it, who falls short, total and per-person gap."""
    if df.empty:
        return _frame([], TABLE_COLUMNS)
    df = df.assign(short=df["people"].where(df["shortfall"] > 0, 0))
    out = df.groupby(["team", "skill", "area"], as_index=False).agg(
        people_needing=("people", "sum"),
        people_short=("short", "sum"),
        weighted_gap=("weighted_gap", "sum"),
    )
    out["people"] = out["team"].map(sizes).astype("int64")
    out["gap_per_person"] = out["weighted_gap"] / out["people"]
    out["skill_name"] = out["skill"].map(names).fillna(out["skill"])
    out = out.sort_values(["team", "weighted_gap", "skill"], ascending=[True, False, True])
    return out[TABLE_COLUMNS].reset_index(drop=True)


def cohort_csv(cohort: Cohort) -> str:
    """The team × skill table as CSV (one row per team and needed skill)."""
    header = DIFFERENCE_COLUMNS if cohort.view == "difference" else TABLE_COLUMNS
    rows = ([_csv_value(v) for v in row] for row in cohort.table.itertuples(index=False))
    return csv_text(header, rows)


def _csv_value(value):
    # Whole numbers without ".0"; others to 4 decimals (per-person gaps are fractions).
    if isinstance(value, float):
        value = round(value, 4)
        return int(value) if value.is_integer() else value
    return value


def usable_plan(session, plan_id: int) -> Plan | None:
    """Saved plan `plan_id` when it has a schedule to take final levels from; else None."""
    header = plan_store.plan_header(session, plan_id)
    if header is None or header.status not in USABLE:
        return None
    return plan_store.plan_model(session, plan_id)


def plan_choices(session, limit: int = 50) -> list[tuple[int, str, str]]:
    """Saved plans with a schedule, newest first: (id, scenario name, status)."""
    return [
        (pid, name or f"scenario {sid}", status)
        for pid, sid, name, status in session.execute(
            select(
                col(PlanRecord.id),
                col(PlanRecord.scenario_id),
                col(ScenarioRecord.name),
                col(PlanRecord.status),
            )
            .join(ScenarioRecord, col(ScenarioRecord.id) == PlanRecord.scenario_id)
            .where(col(PlanRecord.status).in_(USABLE))
            .order_by(col(PlanRecord.id).desc())
            .limit(limit)
        ).all()
    ]
