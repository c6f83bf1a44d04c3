"""WTForms for sign-in and catalog editing.

Forms check types and ranges (so a negative credit value is flagged beside its field before
anything else runs); rules that need the database (unknown ids, cycles, references) live in
planner.services.catalog (one module per kind), whose errors `apply_errors` puts beside
the matching field. Each catalog form turns itself into the plain dict the service takes (`to_data`) and can be
filled from one (`from_data`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3; stubs are 3.2
from wtforms.validators import (
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from planner.limits import (
    COUNT_MAX,
    ID_MAX,
    LINE_CONTROL,
    NAME_MAX,
    TEXT_CONTROL,
    TEXT_MAX,
    TITLE_MAX,
)


def select_choices(pairs: Iterable[tuple[str, str]]) -> Any:
    """(value, label) pairs as WTForms 3.3 wants them (it deprecates plain tuples);
    typed Any because the stubs (types-WTForms 3.2) know only tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


BLANK_ROWS = 3  # empty rows offered for adding entries without JavaScript
_SPLIT = re.compile(r"\s*[,\n]\s*")


def split_ids(text: str | None) -> list[str]:
    """'MKT101, MKT102' -> ['MKT101', 'MKT102'] (commas or new lines; blanks dropped)."""
    return [part for part in _SPLIT.split(text or "") if part.strip()]


def join_ids(ids) -> str:
    return ", ".join(ids or [])


def _non_negative(label: str):
    return NumberRange(min=0, message=f"{label} cannot be negative")


def _finite(form, field) -> None:
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("must be a finite number")


def _number(label: str, required: bool = False):
    first = InputRequired(message=f"{label} is required") if required else Optional()
    return FloatField(label, [first, _non_negative(label), _finite])


def _no_control_characters(form) -> bool:
    """Text fields (also inside row lists) refuse control characters; multi-line ones allow
    tab and line breaks. Returns False and marks the fields when one has any."""
    ok = True
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                inner = getattr(entry, "form", None)
                if inner is not None:
                    ok = _no_control_characters(inner) and ok
                else:
                    ok = _check_control(entry) and ok
        else:
            ok = _check_control(field) and ok
    return ok


def _check_control(field) -> bool:
    if not isinstance(field, StringField) or not isinstance(field.data, str):
        return True
    pattern = TEXT_CONTROL if isinstance(field, TextAreaField) else LINE_CONTROL
    if pattern.search(field.data):
        field.errors = [*list(field.errors or []), "may not contain control characters"]
        return False
    return True


# --- accounts -----------------------------------------------------------------------------


class LoginForm(FlaskForm):
    login = StringField("Username or e-mail", [InputRequired(), Length(max=NAME_MAX)])
    password = PasswordField("Password", [InputRequired()])
    remember = BooleanField("Keep me signed in on this device")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", [InputRequired()])
    new = PasswordField("New password", [InputRequired(), Length(min=8)])
    confirm = PasswordField(
        "Repeat new password", [InputRequired(), EqualTo("new", message="passwords differ")]
    )


class TokenForm(FlaskForm):
    """Only a CSRF token: creating or revoking an API token is a POST."""


class DeleteForm(FlaskForm):
    """Only a CSRF token, for delete buttons."""


# --- rows -----------------------------------------------------------------------------------


class LevelRow(Form):
    skill = StringField("Skill", [Optional()], render_kw={"list": "skill-ids"})
    level = IntegerField(
        "Level",
        [Optional(), NumberRange(min=0, max=4, message="level must be between 0 and 4")],
    )


class RequirementRow(LevelRow):
    weight = FloatField("Weight", [Optional(), _non_negative("Weight")])


class TermRow(Form):
    term_id = StringField("Term id", [Optional()])
    season = StringField("Season", [Optional()])
    max_credits = _number("Max credits")
    min_credits = _number("Min credits")


def _rows(field) -> list[dict]:
    return [entry.form.data for entry in field.entries]


def _fill_rows(field, rows: list[dict]) -> None:
    while field.entries:
        field.pop_entry()
    for row in rows:
        field.append_entry(row)
    for _ in range(BLANK_ROWS):
        field.append_entry()


def _level_dict_rows(levels: dict) -> list[dict]:
    return [{"skill": skill, "level": level} for skill, level in levels.items()]


class CatalogForm(FlaskForm):
    """Base: `id` is typed on creation only (ids are referenced from many places)."""

    row_lists: tuple[str, ...] = ()
    id = StringField("Id", [InputRequired(), Length(max=ID_MAX)])
    version = HiddenField()  # the edit version the form was opened at (services/versions.py)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return _no_control_characters(self) and ok

    def to_data(self) -> dict:
        data = {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "version")
        }
        for name in self.row_lists:
            data[name] = _rows(self[name])
        return data

    def from_data(self, data: dict) -> None:
        """Fill the form from the service's data; a row list given as {skill: level} too."""
        for name, field in self._fields.items():
            if name in data and name not in self.row_lists:
                field.data = data[name]
        for name in self.row_lists:
            rows = data.get(name, [])
            _fill_rows(self[name], _level_dict_rows(rows) if isinstance(rows, dict) else rows)

    def add_blank_rows(self) -> None:
        for name in self.row_lists:
            for _ in range(BLANK_ROWS):
                self[name].append_entry()

    def add_row(self, name: str) -> None:
        if name in self.row_lists:
            self[name].append_entry()


# --- catalog forms --------------------------------------------------------------------------


class AreaForm(CatalogForm):
    name = StringField("Name", [Optional(), Length(max=NAME_MAX)])
    name_zh = StringField("Name (Chinese)", [Optional(), Length(max=NAME_MAX)])


class SkillForm(CatalogForm):
    name = StringField("Name", [Optional(), Length(max=NAME_MAX)])
    name_zh = StringField("Name (Chinese)", [Optional(), Length(max=NAME_MAX)])
    area_id = SelectField("Skill area", choices=[], validate_choice=False)
    descriptors = FieldList(
        TextAreaField("Descriptor", [Optional(), Length(max=TEXT_MAX)], render_kw={"rows": 2}),
        min_entries=5,
        max_entries=5,
    )

    def from_data(self, data: dict) -> None:
        super().from_data({k: v for k, v in data.items() if k != "descriptors"})
        for entry, text in zip(self.descriptors.entries, data.get("descriptors", []), strict=False):
            entry.data = text


class RoleForm(CatalogForm):
    row_lists = ("requirements",)
    name = StringField("Name", [Optional(), Length(max=NAME_MAX)])
    name_zh = StringField("Name (Chinese)", [Optional(), Length(max=NAME_MAX)])
    requirements = FieldList(FormField(RequirementRow), min_entries=0)


class CourseForm(CatalogForm):
    row_lists = ("teaches", "requires_skills")
    title = StringField("Title", [Optional(), Length(max=TITLE_MAX)])
    curriculum_id = SelectField("Curriculum", choices=[], validate_choice=False)
    credits = _number("Credits", required=True)
    hours = _number("Hours")
    cost = _number("Cost per seat")
    session_cost = _number("Cost per section")
    capacity = IntegerField(
        "Seats per section",
        [
            Optional(),
            NumberRange(min=1, message="seats must be at least 1 (empty = unlimited)"),
            NumberRange(max=COUNT_MAX, message=f"at most {COUNT_MAX:,} seats"),
        ],
    )
    max_sections = IntegerField(
        "Max sections",
        [
            InputRequired(message="Max sections is required"),
            NumberRange(min=0, message="Max sections cannot be negative"),
            NumberRange(max=COUNT_MAX, message=f"at most {COUNT_MAX:,} sections"),
        ],
        default=1,
    )
    offered = StringField(
        "Offered in",
        [Optional()],
        description="Term ids or seasons, comma-separated; empty = every term",
    )
    prerequisites = StringField(
        "Prerequisites (all of)", [Optional()], description="Course ids, comma-separated"
    )
    prerequisites_any = TextAreaField(
        "Prerequisites (any of)",
        [Optional()],
        description="One group per line; a learner needs one course of each group",
        render_kw={"rows": 2},
    )
    teaches = FieldList(FormField(LevelRow), min_entries=0)
    requires_skills = FieldList(FormField(LevelRow), min_entries=0)

    def to_data(self) -> dict:
        data = super().to_data()
        data["offered"] = split_ids(self.offered.data) or None
        data["prerequisites"] = split_ids(self.prerequisites.data)
        data["prerequisites_any"] = [
            split_ids(line.replace("|", ","))
            for line in (self.prerequisites_any.data or "").splitlines()
            if line.strip()
        ]
        return data

    def from_data(self, data: dict) -> None:
        super().from_data(data)
        self.offered.data = join_ids(data.get("offered"))
        self.prerequisites.data = join_ids(data.get("prerequisites"))
        self.prerequisites_any.data = "\n".join(
            join_ids(g) for g in data.get("prerequisites_any", [])
        )


class CalendarForm(CatalogForm):
    row_lists = ("terms",)
    name = StringField("Name", [Optional(), Length(max=NAME_MAX)])
    terms = FieldList(FormField(TermRow), min_entries=0)


def _pins(text: str | None) -> dict[str, str]:
    pins = {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        course, sep, term = line.partition("=")
        if not sep or not course.strip() or not term.strip():
            raise ValidationError(f"line {n}: write COURSE = TERM")
        pins[course.strip()] = term.strip()
    return pins


class LearnerForm(CatalogForm):
    row_lists = ("levels", "target")
    name = StringField("Name", [Optional(), Length(max=NAME_MAX)])
    role_id = SelectField("Role", choices=[], validate_choice=False)
    curriculum_id = SelectField("Curriculum", choices=[], validate_choice=False)
    team = StringField("Team", [Optional(), Length(max=NAME_MAX)])
    count = IntegerField(
        "People in this group",
        [
            InputRequired(message="required"),
            NumberRange(min=1, message="must be at least 1"),
            NumberRange(max=COUNT_MAX, message=f"at most {COUNT_MAX:,} people"),
        ],
        default=1,
    )
    budget = _number("Budget per person")
    max_credits = _number("Max credits per term")
    gap_mode = SelectField(
        "Gap mode",
        choices=select_choices(
            [("", "as the scenario says"), ("minimise", "minimise"), ("close", "close (zero gap)")]
        ),
        validate_choice=False,  # the service names a bad value
    )
    terms = StringField(
        "Terms", [Optional()], description="Term ids, comma-separated; empty = every term"
    )
    completed = StringField("Completed courses", [Optional()])
    required = StringField("Required courses", [Optional()])
    excluded = StringField("Excluded courses", [Optional()])
    pinned = TextAreaField(
        "Pinned courses",
        [Optional()],
        description="One per line: COURSE = TERM",
        render_kw={"rows": 2},
    )
    levels = FieldList(FormField(LevelRow), min_entries=0)
    target = FieldList(FormField(LevelRow), min_entries=0)

    def validate_pinned(self, field) -> None:
        _pins(field.data)

    def to_data(self) -> dict:
        data = super().to_data()
        data["terms"] = split_ids(self.terms.data) or None
        for key in ("completed", "required", "excluded"):
            data[key] = split_ids(self[key].data)
        data["pinned"] = _pins(self.pinned.data)
        return data

    def from_data(self, data: dict) -> None:
        super().from_data(data)
        self.terms.data = join_ids(data.get("terms"))
        for key in ("completed", "required", "excluded"):
            self[key].data = join_ids(data.get(key))
        self.pinned.data = "\n".join(f"{c} = {t}" for c, t in (data.get("pinned") or {}).items())


# --- errors from the service -----------------------------------------------------------------

_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")


def apply_errors(form: FlaskForm, errors: dict[str, list[str]]) -> list[str]:
    """Attach service errors to their fields; return those that belong to no field."""
    leftover: list[str] = []
    for path, messages in errors.items():
        field = _field_for(form, path)
        if field is None:
            leftover.extend(messages)
        else:
            field.errors = [*list(field.errors or []), *messages]
    return leftover


def _field_for(form, path: str):
    match = _PATH.match(path or "")
    if not match or match.group(1) not in form._fields:
        return None
    field = form[match.group(1)]
    index, sub = match.group(2), match.group(3)
    if index is not None and isinstance(field, FieldList) and int(index) < len(field.entries):
        entry = field.entries[int(index)]
        if sub and hasattr(entry, "form") and sub in entry.form._fields:
            return entry.form[sub]
        return entry
    return field
