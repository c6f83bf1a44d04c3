"""Knowledge-check attempts (planner.models.assess.CheckAttempt).

Revision ID: 0101_check_attempt
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0101_check_attempt"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'submitted')", name=op.f("ck_check_attempt_status")),
        sa.CheckConstraint(
            "level IS NULL OR level BETWEEN 0 AND 4", name=op.f("ck_check_attempt_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_check_attempt_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_check_attempt_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_check_attempt_assessment_id_assessment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_attempt")),
    )
    with op.batch_alter_table("check_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_check_attempt_learner_skill", ["learner_id", "skill_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("check_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_check_attempt_learner_skill")
    op.drop_table("check_attempt")
