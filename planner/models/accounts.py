"""Accounts that sign in to the web app (table "account": "user" is reserved in PostgreSQL)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from planner.models.base import choice_check, utcnow

USER_ROLES = ("admin", "staff", "learner")


class User(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (choice_check("role", USER_ROLES),)

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, unique=True)
    username: str = Field(unique=True)
    password_hash: str
    role: str = "learner"
    api_token_hash: str | None = Field(default=None, unique=True)
    # A learner account sees only its own learner row; deleting the learner keeps the account.
    learner_id: str | None = Field(
        default=None, foreign_key="learner.id", ondelete="SET NULL", unique=True
    )
    created_at: datetime = Field(default_factory=utcnow)
    # Part of the id kept in the session and the remember cookie: bumping it (sign-out,
    # password change) ends every session and remember token of the account at once.
    session_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
