"""Background trade-off sweeps (planner.models.sweeps.SweepRun).

Revision ID: 0201_webb_sweep_run
Revises: 0201_interop_badges
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0201_webb_sweep_run"
down_revision: str | None = "0201_interop_badges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sweep_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("time_limit_s", sa.Float(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name=op.f("ck_sweep_run_status"),
        ),
        sa.CheckConstraint(
            "parameter IN ('budget', 'max_credits')", name=op.f("ck_sweep_run_parameter")
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenario.id"],
            name=op.f("fk_sweep_run_scenario_id_scenario"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_run")),
    )
    with op.batch_alter_table("sweep_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sweep_run_scenario_id"), ["scenario_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sweep_run_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sweep_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sweep_run_status"))
        batch_op.drop_index(batch_op.f("ix_sweep_run_scenario_id"))
    op.drop_table("sweep_run")
