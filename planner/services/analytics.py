"""Cohort gap analytics with pandas, for heatmaps: which skills a cohort lacks most.

The gap of one person in one skill is `weight × max(0, need − level)` (rule 1 and the gap
term of rule 8); a learner entry counts `count` people. Without a plan the level is the
start level (rule 2); with a plan it is the plan's final level, so the same tables show the
gap left after training.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from planner.scenario import Plan, Scenario

NO_TEAM = "(no team)"

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


def gap_frame(
    scenario: Scenario,
    plan: Plan | None = None,
    teams: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per learner and needed skill (need > 0), long format.

    `teams` maps learner id → team; learners without one fall back to their role, then to
    "(no team)". `weighted_gap` already multiplies by the learner's count.
    """
    final = {}
    if plan is not None and plan.status in ("OPTIMAL", "FEASIBLE"):
        final = {lp.id: lp.final_levels for lp in plan.learners}
    area = {s.id: s.area for s in scenario.skills}
    teams = teams or {}
    rows = []
    for learner in scenario.learners:
        levels = final.get(learner.id)
        if levels is None:
            levels = scenario.start_levels(learner)
        team = teams.get(learner.id) or learner.role or NO_TEAM
        for skill, (need, weight) in scenario.needs(learner).items():
            level = levels.get(skill, 0)
            short = max(0, need - level)
            rows.append(
                (
                    learner.id,
                    team,
                    learner.role or "",
                    skill,
                    area.get(skill, ""),
                    learner.count,
                    need,
                    level,
                    short,
                    float(weight),
                    learner.count * weight * short,
                )
            )
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


def team_gaps(
    scenario: Scenario,
    plan: Plan | None = None,
    teams: Mapping[str, str] | None = None,
    *,
    per_person: bool = False,
) -> pd.DataFrame:
    """Heatmap matrix: team × skill → weighted gap (total, or per person of the team).

    Skills are ordered by total gap (largest first); teams alphabetically. Cells where
    nobody of the team needs the skill are 0.
    """
    df = gap_frame(scenario, plan, teams)
    if df.empty:
        return pd.DataFrame()
    matrix = df.pivot_table(
        index="team", columns="skill", values="weighted_gap", aggfunc="sum", fill_value=0.0
    )
    order = matrix.sum(axis=0).sort_values(ascending=False, kind="stable").index
    matrix = matrix[order].sort_index()
    if per_person:
        people = _team_sizes(scenario, teams)
        matrix = matrix.div(people.reindex(matrix.index).astype(float), axis=0)
    return matrix


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
    before = gap_frame(scenario, None, teams).groupby("team")["weighted_gap"].sum()
    after = gap_frame(scenario, plan, teams).groupby("team")["weighted_gap"].sum()
    out = pd.DataFrame({"before": before, "after": after.reindex(before.index, fill_value=0)})
    out["closed_share"] = (1 - out["after"] / out["before"].where(out["before"] > 0)).fillna(1.0)
    return out


def _team_sizes(scenario: Scenario, teams: Mapping[str, str] | None) -> pd.Series:
    teams = teams or {}
    sizes: dict[str, int] = {}
    for learner in scenario.learners:
        team = teams.get(learner.id) or learner.role or NO_TEAM
        sizes[team] = sizes.get(team, 0) + learner.count
    return pd.Series(sizes)
