"""Open Badges as assessment evidence: source 'badge' and the badge_credential table.

Revision ID: 0201_interop_badges
Revises: 0101_check_attempt
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0201_interop_badges"
down_revision: str | None = "0201_sec_versions_sessions_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "source IN ('self', 'check', 'staff', 'course')"
NEW = "source IN ('self', 'check', 'staff', 'course', 'badge')"


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint(op.f("ck_assessment_source"), type_="check")
        batch.create_check_constraint("source", NEW)
    op.create_table(
        "badge_credential",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_badge_credential_level_range")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_badge_credential_assessment_id_assessment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_badge_credential_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_badge_credential_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_credential")),
    )
    op.create_index(
        op.f("ix_badge_credential_learner_id"), "badge_credential", ["learner_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_badge_credential_learner_id"), table_name="badge_credential")
    op.drop_table("badge_credential")
    op.execute("DELETE FROM assessment WHERE source = 'badge'")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint(op.f("ck_assessment_source"), type_="check")
        batch.create_check_constraint("source", OLD)
