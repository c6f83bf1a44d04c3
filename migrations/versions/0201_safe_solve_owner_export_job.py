"""Solve runs and sweeps record who asked for them (per-user limits); background plan exports.

Revision ID: 0201_safe_solve_owner_export_job
Revises: 0201_webb_sweep_run
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0201_safe_solve_owner_export_job"
down_revision: str | None = "0201_webb_sweep_run"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("solve_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_solve_run_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_solve_run_user_id_account"),
            "account",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("sweep_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sweep_run_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sweep_run_user_id_account"),
            "account",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "export_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_export_job_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["account.id"],
            name=op.f("fk_export_job_user_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_export_job_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_job")),
    )
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_job_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_job_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_job_plan_id"))
        batch_op.drop_index(batch_op.f("ix_export_job_user_id"))
    op.drop_table("export_job")
    with op.batch_alter_table("sweep_run", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sweep_run_user_id_account"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sweep_run_user_id"))
        batch_op.drop_column("user_id")
    with op.batch_alter_table("solve_run", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_solve_run_user_id_account"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_solve_run_user_id"))
        batch_op.drop_column("user_id")
