"""Pydantic models of the scenario and plan files (format 1, docs/scenario-format.md).

Unknown keys are errors so that typos are caught. Structural rules live here; rules that
relate one part of the file to another (ids that must exist, cycles) live in validate.py.
The format's fixed words (objective names, gap modes, skill level names and statuses) are
declared here once; the tables, services, forms and pages import them.
"""

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    WithJsonSchema,
)

from planner.limits import ID_MAX, NAME_MAX, TITLE_MAX, id_problem, text_problem

SCENARIO_FORMAT: Final = "planner-scenario/1"
PLAN_FORMAT: Final = "planner-plan/1"

ObjectiveName = Literal["gap", "cost", "credits", "lateness"]
OBJECTIVE_NAMES: tuple[ObjectiveName, ...] = get_args(ObjectiveName)
GapMode = Literal["minimise", "close"]  # minimise the remaining gap, or close every gap
GAP_MODES: tuple[GapMode, ...] = get_args(GapMode)
LEVEL_NAMES = ("none", "aware", "working", "proficient", "expert")  # skill levels 0-4
TOP_LEVEL = len(LEVEL_NAMES) - 1


def _id(value: str) -> str:
    problem = id_problem(value)
    if problem:
        raise ValueError(f"id {problem}")
    return value


def _text(limit: int) -> AfterValidator:
    def check(value: str | None) -> str | None:
        problem = None if value is None else text_problem(value, limit)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


# The id rule of planner.limits (the same for forms, imports and the API): ids join into
# rule labels with ":", and go into URLs and file names.
# The JSON Schema (`planner schema`) states the same rules; the validators give the messages.
_ID_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": ID_MAX,
    "pattern": r"^[^:\u0000-\u001f\u007f\"'/\\]+$",
}
Id = Annotated[
    str, StringConstraints(min_length=1), AfterValidator(_id), WithJsonSchema(_ID_SCHEMA)
]
Name = Annotated[str, _text(NAME_MAX), WithJsonSchema({"type": "string", "maxLength": NAME_MAX})]
# Plans are the solver's output, read back from storage: the old, looser rule, so a plan
# stored before the id rule tightened still opens.
PlanId = Annotated[str, StringConstraints(min_length=1, pattern=r"^[^:]+$")]
Title = Annotated[str, _text(TITLE_MAX), WithJsonSchema({"type": "string", "maxLength": TITLE_MAX})]


def _whole(value: object) -> object:
    """JSON has one number type: tools write 3.0 for 3. Accept whole floats as integers;
    2.5, booleans and strings stay errors."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Whole = BeforeValidator(_whole)
Level = Annotated[int, Whole, Field(ge=0, le=TOP_LEVEL, strict=True)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"]
PLAN_STATUSES: tuple[Status, ...] = get_args(Status)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Skill(Strict):
    id: Id
    name: Name = ""
    area: Name = ""


class Role(Strict):
    id: Id
    name: Name = ""
    requires: dict[Id, Level] = {}
    weights: dict[Id, Amount] = {}


class Term(Strict):
    id: Id
    season: Name | None = None
    max_credits: Amount | None = None
    min_credits: Amount = 0


class Course(Strict):
    id: Id
    title: Title = ""
    credits: Amount
    hours: Amount = 0
    cost: Amount = 0
    teaches: dict[Id, Level] = {}
    requires_skills: dict[Id, Level] = {}
    prerequisites: list[Id] = []
    prerequisites_any: list[list[Id]] = []
    offered: list[Annotated[Name, StringConstraints(min_length=1)]] | None = None  # ids or seasons
    # No upper bound here: the solver clamps huge limits (tests/solver/test_scale.py); the
    # catalog, whose columns are database integers, bounds them (planner.limits.COUNT_MAX).
    capacity: Annotated[int, Whole, Field(ge=1, strict=True)] | None = None
    max_sections: Annotated[int, Whole, Field(ge=0, strict=True)] = 1
    session_cost: Amount = 0


class Learner(Strict):
    id: Id
    role: Id | None = None
    target: dict[Id, Level] = {}
    levels: dict[Id, Level] = {}
    completed: list[Id] = []
    # a group of people; the cap keeps count × money and seats exact in 64-bit arithmetic
    count: Annotated[int, Whole, Field(ge=1, le=10**12, strict=True)] = 1
    terms: list[Id] | None = None
    max_credits: Amount | None = None
    budget: Amount | None = None
    gap_mode: GapMode | None = None
    required: list[Id] = []
    excluded: list[Id] = []
    pinned: dict[Id, Id] = {}


class Constraints(Strict):
    budget: Amount | None = None


class Options(Strict):
    time_limit_s: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] = 10
    workers: Annotated[int, Whole, Field(ge=1, strict=True)] = 2


class Scenario(Strict):
    format: Literal["planner-scenario/1"]
    name: Name | None = None
    skills: list[Skill] = []
    roles: list[Role] = []
    terms: list[Term] = []
    courses: list[Course] = []
    learners: list[Learner] = []
    constraints: Constraints = Constraints()
    gap_mode: GapMode = "minimise"
    objective: list[ObjectiveName] = list(OBJECTIVE_NAMES)
    options: Options = Options()

    _indexes: dict[str, tuple[tuple[int, int], dict[str, Any]]] = PrivateAttr(default_factory=dict)

    # Convenience look-ups; the solver, checker and greedy baseline all need them.
    def course(self, course_id: str) -> Course:
        course: Course = self._index("courses")[course_id]
        return course

    def role(self, role_id: str) -> Role:
        role: Role = self._index("roles")[role_id]
        return role

    def _index(self, kind: str) -> dict[str, Any]:
        # Scenarios are treated as immutable; a copy gets new lists, so key on the list.
        items = getattr(self, kind)
        key = (id(items), len(items))
        cached = self._indexes.get(kind)
        if cached is not None and cached[0] == key:
            return cached[1]
        index = {item.id: item for item in items}
        self._indexes[kind] = (key, index)
        return index

    def learner_terms(self, learner: Learner) -> list[str]:
        """The learner's terms in calendar order (the scenario's order)."""
        if learner.terms is None:
            return [t.id for t in self.terms]
        wanted = set(learner.terms)
        return [t.id for t in self.terms if t.id in wanted]

    def needs(self, learner: Learner) -> dict[str, tuple[int, float]]:
        """skill -> (needed level, weight) per rule 1; only skills with a need > 0."""
        role = self.role(learner.role) if learner.role else None
        return combine_needs(
            role.requires if role else {}, role.weights if role else {}, learner.target
        )

    def start_levels(self, learner: Learner) -> dict[str, int]:
        """Rule 2: stated levels raised by what completed courses teach."""
        return raise_levels(learner.levels, (self.course(c).teaches for c in learner.completed))

    def gap_mode_of(self, learner: Learner) -> GapMode:
        return learner.gap_mode or self.gap_mode

    def is_offered(self, course: Course, term: Term) -> bool:
        if course.offered is None:
            return True
        return term.id in course.offered or (
            term.season is not None and term.season in course.offered
        )


def combine_needs(
    requires: Mapping[str, int], weights: Mapping[str, float], target: Mapping[str, int]
) -> dict[str, tuple[int, float]]:
    """Rule 1 on plain mappings: need = max(role requirement, target), weight from the role
    (1 when absent); only skills with a need > 0. Pages that read raw scenario bodies use it."""
    out: dict[str, tuple[int, float]] = {}
    for skill in {*requires, *target}:
        need = max(requires.get(skill, 0), target.get(skill, 0))
        if need > 0:
            out[skill] = (need, weights.get(skill, 1))
    return out


def raise_levels(levels: Mapping[str, int], taught: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Rule 2 on plain mappings: levels raised by what each course in `taught` teaches."""
    out = dict(levels)
    for teaches in taught:
        for skill, level in teaches.items():
            out[skill] = max(out.get(skill, 0), level)
    return out


class LearnerPlan(Strict):
    id: PlanId
    schedule: dict[PlanId, list[PlanId]]
    final_levels: dict[PlanId, int] = {}
    gaps: dict[PlanId, int] = {}
    cost: float = 0
    credits: float = 0
    reasons: dict[PlanId, str] = {}


class SectionPlan(Strict):
    course: PlanId
    term: PlanId
    enrolled: int
    sections: int


class Change(Strict):
    relax: str
    to: str | float | None = None


class Fix(Strict):
    changes: list[Change]
    note: str = ""


class Diagnosis(Strict):
    conflict: list[str]
    minimal: bool
    fixes: list[Fix] = []


class Plan(Strict):
    format: Literal["planner-plan/1"] = PLAN_FORMAT
    scenario: str | None = None
    status: Status
    objective: dict[ObjectiveName, float] | None = None
    bound: dict[ObjectiveName, float] | None = None
    learners: list[LearnerPlan] = []
    sections: list[SectionPlan] = []
    diagnosis: Diagnosis | None = None
    stats: dict[str, Any] = {}

    def learner(self, learner_id: str) -> LearnerPlan | None:
        """This learner's schedule in the plan, or None when the plan has none for them."""
        return next((lp for lp in self.learners if lp.id == learner_id), None)
