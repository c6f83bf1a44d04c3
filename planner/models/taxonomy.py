"""Skills, their areas and level descriptors; roles and what they require."""

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from planner.models.base import level_check, version_field


class SkillArea(SQLModel, table=True):
    __tablename__ = "skill_area"

    id: str = Field(primary_key=True)
    name: str = ""
    name_zh: str = ""
    version: int = version_field()


class Skill(SQLModel, table=True):
    __tablename__ = "skill"

    id: str = Field(primary_key=True)  # e.g. "data.sql"
    name: str = ""
    name_zh: str = ""
    # An area in use cannot be deleted: move or delete its skills first.
    area_id: str | None = Field(
        default=None, foreign_key="skill_area.id", ondelete="RESTRICT", index=True
    )
    onet: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    esco: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = version_field()


class LevelDescriptor(SQLModel, table=True):
    """One behavioural descriptor per skill and level 0-4."""

    __tablename__ = "level_descriptor"
    __table_args__ = (level_check(),)

    skill_id: str = Field(foreign_key="skill.id", ondelete="CASCADE", primary_key=True)
    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    text: str = ""


class Role(SQLModel, table=True):
    __tablename__ = "role"

    id: str = Field(primary_key=True)
    name: str = ""
    name_zh: str = ""
    soc: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    esco: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = version_field()


class RoleRequirement(SQLModel, table=True):
    __tablename__ = "role_requirement"
    __table_args__ = (level_check(),)

    role_id: str = Field(foreign_key="role.id", ondelete="CASCADE", primary_key=True)
    # Skills a role needs cannot vanish under it.
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT", primary_key=True)
    level: int
    weight: float = 1.0
