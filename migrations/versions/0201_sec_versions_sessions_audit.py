"""Edit versions (optimistic concurrency), account session versions, audit log.

Revision ID: 0201_sec_versions_sessions_audit
Revises: 0101_check_attempt
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0201_sec_versions_sessions_audit"
down_revision: str | None = "0101_check_attempt"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables edited through a form or the API: each save checks and bumps `version`.
VERSIONED = ("skill_area", "skill", "role", "term_calendar", "course", "learner", "scenario")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    # Plain ADD COLUMN (no table rebuild, so no cascading deletes on SQLite).
    op.add_column(
        "account", sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
    )
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("session_version")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
