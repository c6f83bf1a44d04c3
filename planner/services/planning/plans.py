"""Saved plans: look-ups, term grids, residual gap tables, comparison, exports.

Plans are immutable once stored (a re-solve makes a new row), so parsed plans are cached by
row id. Large scenarios (10,000 courses) are read through `Catalog`, a light index of the
raw body, instead of a full validation on every page view.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from planner.models import Learner, PlanRecord, ScenarioRecord
from planner.scenario import LEVEL_NAMES, OBJECTIVE_NAMES, Plan
from planner.scenario.models import ObjectiveName, combine_needs, raise_levels
from planner.services.analytics import charts
from planner.services.caching import LRU, database_key
from planner.services.io.safe import append_row, csv_text, safe_row
from planner.services.scenarios import editor

# -- caches ---------------------------------------------------------------------------------
_plans = LRU(32)
_catalogs = LRU(8)
_comparisons = LRU(16)


def clear_caches() -> None:
    """Forget every parsed plan and catalog (after deleting personal data)."""
    for cache in (_plans, _catalogs, _comparisons):
        cache.clear()


# -- the scenario as the plan pages need it -----------------------------------------------
@dataclass
class Catalog:
    """Index of a scenario body: courses, skills, terms, roles and learners by id."""

    name: str
    courses: dict[str, dict]
    skills: dict[str, dict]
    terms: list[dict]
    roles: dict[str, dict]
    learners: dict[str, dict]
    learner_order: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, body: dict) -> Catalog:
        learners = body.get("learners", [])
        return cls(
            name=body.get("name") or "",
            courses={c["id"]: c for c in body.get("courses", [])},
            skills={s["id"]: s for s in body.get("skills", [])},
            terms=list(body.get("terms", [])),
            roles={r["id"]: r for r in body.get("roles", [])},
            learners={lr["id"]: lr for lr in learners},
            learner_order=[lr["id"] for lr in learners],
        )

    def skill_name(self, skill_id: str) -> str:
        return (self.skills.get(skill_id) or {}).get("name") or skill_id

    # Raw bodies, not validated Scenario objects: plan pages of 5,000 learners stay fast.
    def needs(self, learner_id: str) -> dict[str, tuple[int, float]]:
        learner = self.learners.get(learner_id) or {}
        role = self.roles.get(learner.get("role") or "", {})
        return combine_needs(
            role.get("requires", {}), role.get("weights", {}), learner.get("target", {})
        )

    def start_levels(self, learner_id: str) -> dict[str, int]:
        learner = self.learners.get(learner_id) or {}
        taught = (
            (self.courses.get(c) or {}).get("teaches", {}) for c in learner.get("completed", [])
        )
        return raise_levels(learner.get("levels", {}), taught)

    def count(self, learner_id: str) -> int:
        return (self.learners.get(learner_id) or {}).get("count", 1)


def compare_plans(
    session: Session, a_id: int, b_id: int, scenario_id: int, a_scenario_id: int | None = None
) -> Comparison:
    """compare() of two stored plans, cached: plans never change, the catalog stamps are
    keyed. The plans may belong to different scenarios (each gap is read in its own)."""
    a_scenario_id = scenario_id if a_scenario_id is None else a_scenario_id
    stamps = session.exec(
        select(ScenarioRecord.id, ScenarioRecord.updated_at).where(
            col(ScenarioRecord.id).in_({scenario_id, a_scenario_id})
        )
    ).all()

    def build() -> Comparison:
        catalog = catalog_for(session, scenario_id)
        if catalog is None:  # the caller looked the scenario up; deleted since
            raise LookupError(f"no scenario {scenario_id}")
        return compare(
            catalog,
            plan_model(session, a_id),
            plan_model(session, b_id),
            catalog_a=catalog_for(session, a_scenario_id),
        )

    key = (database_key(session), a_id, b_id, scenario_id, a_scenario_id, str(sorted(stamps)))
    return _comparisons.get(key, build)


def catalog_for(session: Session, scenario_id: int) -> Catalog | None:
    """The scenario's Catalog, rebuilt only when the scenario changed."""
    stamp = session.exec(
        select(ScenarioRecord.updated_at).where(ScenarioRecord.id == scenario_id)
    ).first()
    if stamp is None:
        return None

    def build() -> Catalog:
        return Catalog.of(editor.stored_body(session, scenario_id))

    return _catalogs.get((database_key(session), scenario_id, str(stamp)), build)


# -- plans ----------------------------------------------------------------------------------
# The plan row without its (possibly large) body.
_HEADER_COLUMNS = (
    PlanRecord.id,
    PlanRecord.scenario_id,
    PlanRecord.status,
    PlanRecord.objective,
    PlanRecord.created_at,
)
PLAN_HEADER = load_only(*_HEADER_COLUMNS)  # type: ignore[arg-type]  # SQLModel types columns as values


def list_plans(session: Session, scenario_id: int) -> list[PlanRecord]:
    return list(
        session.exec(
            select(PlanRecord)
            .options(PLAN_HEADER)
            .where(PlanRecord.scenario_id == scenario_id)
            .order_by(col(PlanRecord.id).desc())
        ).all()
    )


def all_plans(
    session: Session, page_no: int, per_page: int
) -> tuple[list[tuple[PlanRecord, str]], int]:
    """One page of every saved plan with its scenario's name, newest first; and the total."""
    total = session.exec(select(func.count()).select_from(PlanRecord)).one()
    rows = session.exec(
        select(PlanRecord, ScenarioRecord.name)
        .join(ScenarioRecord, col(ScenarioRecord.id) == PlanRecord.scenario_id)
        .options(PLAN_HEADER)
        .order_by(col(PlanRecord.id).desc())
        .offset((page_no - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def plan_header(session: Session, plan_id: int) -> PlanRecord | None:
    """The plan row without its (possibly large) body."""
    return session.exec(
        select(PlanRecord).options(PLAN_HEADER).where(PlanRecord.id == plan_id)
    ).first()


def plan_model(session: Session, plan_id: int) -> Plan:
    def build():
        body = session.exec(select(PlanRecord.body).where(PlanRecord.id == plan_id)).one()
        return Plan.model_validate(body)

    return _plans.get((database_key(session), plan_id), build)


# -- one learner's plan -----------------------------------------------------------------------
@dataclass
class Card:
    course: str
    title: str
    credits: float
    cost: float
    reason: str
    teaches: dict[str, int]


@dataclass
class TermColumn:
    term: str
    season: str | None
    cards: list[Card]
    credits: float
    cost: float
    max_credits: float | None


def term_grid(catalog: Catalog, plan: Plan, learner_id: str) -> list[TermColumn]:
    """The learner's schedule as term columns of course cards, in calendar order."""
    lp = plan.learner(learner_id)
    if lp is None:
        return []
    columns = []
    for term in catalog.terms:
        if term["id"] not in lp.schedule:
            continue
        cards = []
        for cid in lp.schedule[term["id"]]:
            course = catalog.courses.get(cid, {})
            cards.append(
                Card(
                    course=cid,
                    title=course.get("title", ""),
                    credits=course.get("credits", 0),
                    cost=course.get("cost", 0),
                    reason=lp.reasons.get(cid, ""),
                    teaches=course.get("teaches", {}),
                )
            )
        learner = catalog.learners.get(learner_id, {})
        limits = [v for v in (term.get("max_credits"), learner.get("max_credits")) if v is not None]
        columns.append(
            TermColumn(
                term=term["id"],
                season=term.get("season"),
                cards=cards,
                credits=sum(c.credits for c in cards),
                cost=sum(c.cost for c in cards),
                max_credits=min(limits) if limits else None,
            )
        )
    return columns


@dataclass
class GapRow:
    skill: str
    name: str
    need: int
    weight: float
    start: int
    final: int

    @property
    def gap_before(self) -> int:
        return max(0, self.need - self.start)

    @property
    def gap(self) -> int:
        return max(0, self.need - self.final)

    @property
    def weighted(self) -> float:
        return self.weight * self.gap


def gap_rows(catalog: Catalog, plan: Plan, learner_id: str) -> list[GapRow]:
    """Every skill the learner needs: start, after the plan, and what is still missing."""
    lp = plan.learner(learner_id)
    start = catalog.start_levels(learner_id)
    final = dict(start)
    if lp is not None:
        for skill, level in lp.final_levels.items():
            final[skill] = max(final.get(skill, 0), level)
    rows = [
        GapRow(
            skill, catalog.skill_name(skill), need, weight, start.get(skill, 0), final.get(skill, 0)
        )
        for skill, (need, weight) in catalog.needs(learner_id).items()
    ]
    return sorted(rows, key=lambda r: (-r.weighted, -r.gap_before, r.skill))


def radar_svg(catalog: Catalog, rows: list[GapRow], title: str = ""):
    """Current vs after the plan vs needed, one axis per needed skill."""
    rows = sorted(rows, key=lambda r: r.skill)[:16]  # more axes than this are unreadable
    axes = [r.name for r in rows]
    return charts.radar(
        axes,
        [
            charts.Series("needed", [r.need for r in rows], "#dc2626", dashed=True, filled=False),
            charts.Series("current", [r.start for r in rows], "#94a3b8"),
            charts.Series("after plan", [r.final for r in rows], "#2563eb"),
        ],
        title=title,
        ring_labels=list(LEVEL_NAMES),
    )


# -- whole-plan summaries -------------------------------------------------------------------
def skill_gaps(catalog: Catalog, plan: Plan) -> dict[str, float]:
    """Per skill: Σ count × weight × remaining gap over learners (the objective's terms)."""
    totals: dict[str, float] = defaultdict(float)
    for lp in plan.learners:
        needs = catalog.needs(lp.id)
        for skill, gap in lp.gaps.items():
            weight = needs.get(skill, (0, 1))[1]
            totals[skill] += catalog.count(lp.id) * weight * gap
    return dict(totals)


@dataclass
class Comparison:
    objective: list[tuple[ObjectiveName, float | None, float | None]]
    added: list[tuple[str, str, str]]  # learner, course, term (in B, not in A)
    removed: list[tuple[str, str, str]]  # in A, not in B
    moved: list[tuple[str, str, str, str]]  # learner, course, term in A, term in B
    gaps: list[tuple[str, str, float, float]]  # skill, name, gap A, gap B


def compare(catalog: Catalog, a: Plan, b: Plan, catalog_a: Catalog | None = None) -> Comparison:
    """B against A; `catalog` is B's scenario, `catalog_a` A's when it differs."""
    objective = [
        (name, (a.objective or {}).get(name), (b.objective or {}).get(name))
        for name in OBJECTIVE_NAMES
    ]
    taken_a, taken_b = _taken(a), _taken(b)
    added, removed, moved = [], [], []
    for key in sorted(set(taken_a) | set(taken_b)):
        ta, tb = taken_a.get(key), taken_b.get(key)
        if ta is None:
            added.append((*key, taken_b[key]))
        elif tb is None:
            removed.append((*key, ta))
        elif ta != tb:
            moved.append((*key, ta, tb))
    ga, gb = skill_gaps(catalog_a or catalog, a), skill_gaps(catalog, b)
    names = catalog_a or catalog
    gaps = [
        (
            s,
            catalog.skill_name(s) if s in catalog.skills else names.skill_name(s),
            ga.get(s, 0.0),
            gb.get(s, 0.0),
        )
        for s in sorted(set(ga) | set(gb), key=lambda s: -(ga.get(s, 0) + gb.get(s, 0)))
    ]
    return Comparison(objective, added, removed, moved, gaps)


@dataclass
class SideCourse:
    course: str
    title: str
    change: str  # "same", "added" (only in B), "removed" (only in A), "moved"
    other_term: str | None = None  # for "moved": the term in the other plan


@dataclass
class SideRow:
    term: str
    a: list[SideCourse] | None  # None: the learner does not study in this term in A
    b: list[SideCourse] | None


def side_by_side(
    catalog_a: Catalog, a: Plan, catalog_b: Catalog, b: Plan, learner_id: str
) -> list[SideRow]:
    """One learner's two schedules term by term, each course marked with its change."""
    la, lb = a.learner(learner_id), b.learner(learner_id)
    sched_a = la.schedule if la else {}
    sched_b = lb.schedule if lb else {}
    where_a = {c: t for t, cs in sched_a.items() for c in cs}
    where_b = {c: t for t, cs in sched_b.items() for c in cs}
    order = [t["id"] for t in catalog_a.terms]
    order += [t["id"] for t in catalog_b.terms if t["id"] not in order]
    order += [t for t in [*sched_a, *sched_b] if t not in order]

    def cell(schedule, term, mine, theirs, catalog, only):
        if term not in schedule:
            return None
        out = []
        for cid in schedule[term]:
            other = theirs.get(cid)
            change = "same" if other == term else (only if other is None else "moved")
            title = (catalog.courses.get(cid) or {}).get("title", "")
            out.append(SideCourse(cid, title, change, other if change == "moved" else None))
        return out

    rows = []
    for term in order:
        if term not in sched_a and term not in sched_b:
            continue
        rows.append(
            SideRow(
                term,
                cell(sched_a, term, where_a, where_b, catalog_a, "removed"),
                cell(sched_b, term, where_b, where_a, catalog_b, "added"),
            )
        )
    return rows


def compared_learners(a: Plan, b: Plan, result: Comparison) -> list[tuple[str, bool]]:
    """Every learner of either plan (A's order first), and whether its courses changed."""
    changed = {lid for lid, *_ in [*result.added, *result.removed, *result.moved]}
    ids = [lp.id for lp in a.learners]
    seen = set(ids)
    ids += [lp.id for lp in b.learners if lp.id not in seen]
    return [(lid, lid in changed) for lid in ids]


def learner_options(
    learners: list[tuple[str, bool]], current: str | None, limit: int = 300
) -> list[tuple[str, bool]]:
    """The compare page's learner list: changed learners first, at most `limit` (a plan of
    5,000 learners would make a page of options), always with the current one."""
    ordered = [x for x in learners if x[1]] + [x for x in learners if not x[1]]
    shown = ordered[:limit]
    if current and all(lid != current for lid, _ in shown):
        shown += [x for x in learners if x[0] == current]
    return shown


@dataclass
class ComparisonPage:
    """Everything the compare page shows of plans A and B (of any scenarios)."""

    a: PlanRecord
    b: PlanRecord
    plan_a: Plan
    plan_b: Plan
    result: Comparison
    chart: object | None  # Markup (SVG)
    catalog: Catalog  # B's scenario
    catalog_a: Catalog
    learners: list[tuple[str, bool]]  # the learner list's options
    learner_total: int
    learner_id: str | None
    rows: list[SideRow]  # that learner, term by term
    names: dict[int, str]  # plan id -> scenario name


def comparison_page(
    session: Session, a_id: int, b_id: int, learner_id: str | None
) -> ComparisonPage:
    """B against A, and one learner side by side (by default the first one that changed)."""
    a, b = plan_header(session, a_id), plan_header(session, b_id)
    if a is None or b is None:
        raise LookupError(f"no plan {a_id if a is None else b_id}")
    plan_a, plan_b = plan_model(session, a_id), plan_model(session, b_id)
    catalog_a = catalog_for(session, a.scenario_id)
    catalog_b = catalog_for(session, b.scenario_id)
    if catalog_a is None or catalog_b is None:  # the plans went with their scenario
        raise LookupError(f"no scenario {a.scenario_id if catalog_a is None else b.scenario_id}")
    result = compare_plans(session, a_id, b_id, b.scenario_id, a.scenario_id)
    learners = compared_learners(plan_a, plan_b, result)
    if learner_id not in {lid for lid, _ in learners}:
        learner_id = next((lid for lid, changed in learners if changed), None)
        learner_id = learner_id or (learners[0][0] if learners else None)
    top = result.gaps[:20]
    chart = None
    if top:
        chart = charts.bars(
            [name for _, name, *_ in top],
            [gb for *_, gb in top],
            second=[ga for *_, ga, _gb in top],
            names=(f"plan #{a_id}", f"plan #{b_id}"),
            title="Weighted gap per skill",
        )
    return ComparisonPage(
        a=a,
        b=b,
        plan_a=plan_a,
        plan_b=plan_b,
        result=result,
        chart=chart,
        catalog=catalog_b,
        catalog_a=catalog_a,
        learners=learner_options(learners, learner_id),
        learner_total=len(learners),
        learner_id=learner_id,
        rows=side_by_side(catalog_a, plan_a, catalog_b, plan_b, learner_id) if learner_id else [],
        names={a_id: catalog_a.name, b_id: catalog_b.name},
    )


def _taken(plan: Plan) -> dict[tuple[str, str], str]:
    return {
        (lp.id, cid): term
        for lp in plan.learners
        for term, courses in lp.schedule.items()
        for cid in courses
    }


# -- exports --------------------------------------------------------------------------------
SCHEDULE_COLUMNS = [
    "learner", "name", "team", "count", "term", "course", "title", "credits", "cost", "reason",
]  # fmt: skip
GAP_COLUMNS = [
    "learner", "name", "team", "skill", "needed", "current", "after plan", "gap", "weight",
]  # fmt: skip


@dataclass(frozen=True)
class Person:
    name: str = ""
    team: str = ""


def people_of(session: Session, ids: Iterable[str]) -> dict[str, Person]:
    """Names and teams of a plan's learners, from the catalog's learners of the same id.

    A scenario holds ids only (the solver needs no names); learners a scenario file brought
    that the catalog does not know have no entry, and pages fall back to the id."""
    ids = list(dict.fromkeys(ids))
    out: dict[str, Person] = {}
    for start in range(0, len(ids), 500):  # stay under bind-parameter limits
        chunk = ids[start : start + 500]
        for lid, name, team in session.exec(
            select(Learner.id, Learner.name, Learner.team).where(col(Learner.id).in_(chunk))
        ).all():
            out[lid] = Person(name or "", team or "")
    return out


def _who(people: Mapping[str, Person] | None, learner_id: str) -> list[str]:
    person = (people or {}).get(learner_id) or Person()
    return [person.name, person.team]


def schedule_rows(catalog: Catalog, plan: Plan, people: Mapping[str, Person] | None = None):
    order = {t["id"]: i for i, t in enumerate(catalog.terms)}
    for lp in plan.learners:
        who = _who(people, lp.id)
        for term in sorted(lp.schedule, key=lambda t: order.get(t, len(order))):
            for cid in lp.schedule[term]:
                course = catalog.courses.get(cid, {})
                yield [
                    lp.id,
                    *who,
                    catalog.count(lp.id),
                    term,
                    cid,
                    course.get("title", ""),
                    course.get("credits", 0),
                    course.get("cost", 0),
                    lp.reasons.get(cid, ""),
                ]


def gap_table_rows(catalog: Catalog, plan: Plan, people: Mapping[str, Person] | None = None):
    for lp in plan.learners:
        who = _who(people, lp.id)
        for r in gap_rows(catalog, plan, lp.id):
            yield [lp.id, *who, r.skill, r.need, r.start, r.final, r.gap, r.weight]


def to_csv(catalog: Catalog, plan: Plan, people: Mapping[str, Person] | None = None) -> str:
    """One row per course taken (learner, name, team, term, course, credits, cost, reason)."""
    return csv_text(SCHEDULE_COLUMNS, schedule_rows(catalog, plan, people))


def to_xlsx(catalog: Catalog, plan: Plan, people: Mapping[str, Person] | None = None) -> bytes:
    """A workbook: Summary, Schedule (one row per course taken), Gaps, Sections.

    Written in openpyxl's write-only mode: rows stream to the file instead of being held as
    cell objects, so a 20,000-learner plan does not take gigabytes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    wb = Workbook(write_only=True)
    summary = wb.create_sheet("Summary")
    append_row(summary, ["scenario", plan.scenario or ""])
    append_row(summary, ["status", plan.status])
    for name in OBJECTIVE_NAMES:
        append_row(summary, [name, (plan.objective or {}).get(name)])
    sheets = [
        ("Schedule", SCHEDULE_COLUMNS, schedule_rows(catalog, plan, people)),
        ("Gaps", GAP_COLUMNS, gap_table_rows(catalog, plan, people)),
        (
            "Sections",
            ["course", "term", "enrolled", "sections"],
            ([s.course, s.term, s.enrolled, s.sections] for s in plan.sections),
        ),
    ]
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1E3A8A")
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"  # before any row: write-only sheets write the view first
        for letter, column in zip("ABCDEFGHIJ", header, strict=False):
            ws.column_dimensions[letter].width = 40 if column in ("reason", "title") else 14
        heads = []
        for column in safe_row(header):
            cell = WriteOnlyCell(ws, value=column)
            cell.font, cell.fill = bold, fill
            heads.append(cell)
        ws.append(heads)
        for row in rows:
            append_row(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_json(session: Session, plan_id: int) -> str:
    """The stored plan file, byte for byte as the CLI would write it."""
    body = session.exec(select(PlanRecord.body).where(PlanRecord.id == plan_id)).one()
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
