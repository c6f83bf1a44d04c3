"""Open Badges imported as assessment evidence: one row per credential, so importing the
same badge twice adds no second rating (planner.services.interop.badges)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from planner.models.base import level_check, utcnow


class BadgeCredential(SQLModel, table=True):
    __tablename__ = "badge_credential"
    __table_args__ = (level_check(),)

    id: str = Field(primary_key=True)  # the credential's own id (a URI)
    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE", index=True)
    skill_id: str = Field(foreign_key="skill.id", ondelete="RESTRICT")
    level: int
    issuer: str = ""
    verified: bool = False  # signature checked against a trusted key
    assessment_id: int | None = Field(
        default=None, foreign_key="assessment.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
