"""Initial schema: taxonomy, catalog, people, planning and accounts tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "role",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("soc", sa.JSON(), nullable=False),
        sa.Column("esco", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
    )
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario")),
    )
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_name"), ["name"], unique=False)

    op.create_table(
        "skill_area",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_area")),
    )
    op.create_table(
        "term_calendar",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_term_calendar")),
    )
    op.create_table(
        "curriculum",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("calendar_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["term_calendar.id"],
            name=op.f("fk_curriculum_calendar_id_term_calendar"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curriculum")),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("objective", sa.JSON(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('OPTIMAL', 'FEASIBLE', 'INFEASIBLE', 'UNKNOWN')",
            name=op.f("ck_plan_status"),
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenario.id"],
            name=op.f("fk_plan_scenario_id_scenario"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_scenario_id"), ["scenario_id"], unique=False)

    op.create_table(
        "skill",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("area_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("onet", sa.JSON(), nullable=False),
        sa.Column("esco", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["skill_area.id"],
            name=op.f("fk_skill_area_id_skill_area"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill")),
    )
    with op.batch_alter_table("skill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skill_area_id"), ["area_id"], unique=False)

    op.create_table(
        "term",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("term_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("season", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("max_credits", sa.Float(), nullable=True),
        sa.Column("min_credits", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "max_credits IS NULL OR max_credits >= 0", name=op.f("ck_term_max_credits_non_negative")
        ),
        sa.CheckConstraint(
            "min_credits IS NULL OR min_credits >= 0", name=op.f("ck_term_min_credits_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["term_calendar.id"],
            name=op.f("fk_term_calendar_id_term_calendar"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_term")),
        sa.UniqueConstraint("calendar_id", "term_id", name="uq_term_calendar_term"),
    )
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_term_calendar_id"), ["calendar_id"], unique=False)

    op.create_table(
        "course",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("credits", sa.Float(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("max_sections", sa.Integer(), nullable=False),
        sa.Column("session_cost", sa.Float(), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=True),
        sa.Column("curriculum_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 1", name=op.f("ck_course_capacity_positive")
        ),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name=op.f("ck_course_cost_non_negative")),
        sa.CheckConstraint(
            "credits IS NULL OR credits >= 0", name=op.f("ck_course_credits_non_negative")
        ),
        sa.CheckConstraint(
            "hours IS NULL OR hours >= 0", name=op.f("ck_course_hours_non_negative")
        ),
        sa.CheckConstraint(
            "max_sections IS NULL OR max_sections >= 0",
            name=op.f("ck_course_max_sections_non_negative"),
        ),
        sa.CheckConstraint(
            "session_cost IS NULL OR session_cost >= 0",
            name=op.f("ck_course_session_cost_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["curriculum_id"],
            ["curriculum.id"],
            name=op.f("fk_course_curriculum_id_curriculum"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_curriculum_id"), ["curriculum_id"], unique=False
        )

    op.create_table(
        "learner",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("curriculum_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("budget", sa.Float(), nullable=True),
        sa.Column("max_credits", sa.Float(), nullable=True),
        sa.Column("gap_mode", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("completed", sa.JSON(), nullable=False),
        sa.Column("required", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("pinned", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "gap_mode IS NULL OR gap_mode IN ('minimise', 'close')",
            name=op.f("ck_learner_gap_mode"),
        ),
        sa.CheckConstraint(
            "budget IS NULL OR budget >= 0", name=op.f("ck_learner_budget_non_negative")
        ),
        sa.CheckConstraint("count >= 1", name=op.f("ck_learner_count_positive")),
        sa.CheckConstraint(
            "max_credits IS NULL OR max_credits >= 0",
            name=op.f("ck_learner_max_credits_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["curriculum_id"],
            ["curriculum.id"],
            name=op.f("fk_learner_curriculum_id_curriculum"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_learner_role_id_role"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner")),
    )
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learner_curriculum_id"), ["curriculum_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_learner_role_id"), ["role_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_learner_team"), ["team"], unique=False)

    op.create_table(
        "level_descriptor",
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_level_descriptor_level_range")),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_level_descriptor_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("skill_id", "level", name=op.f("pk_level_descriptor")),
    )
    op.create_table(
        "role_requirement",
        sa.Column("role_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_role_requirement_level_range")),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["role.id"],
            name=op.f("fk_role_requirement_role_id_role"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_role_requirement_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("role_id", "skill_id", name=op.f("pk_role_requirement")),
    )
    op.create_table(
        "solve_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("best_objective", sa.JSON(), nullable=True),
        sa.Column("bound", sa.JSON(), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name=op.f("ck_solve_run_status"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_solve_run_plan_id_plan"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenario.id"],
            name=op.f("fk_solve_run_scenario_id_scenario"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solve_run")),
    )
    with op.batch_alter_table("solve_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solve_run_scenario_id"), ["scenario_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_solve_run_status"), ["status"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("api_token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'staff', 'learner')", name=op.f("ck_account_role")),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_account_learner_id_learner"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("api_token_hash", name=op.f("uq_account_api_token_hash")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
        sa.UniqueConstraint("learner_id", name=op.f("uq_account_learner_id")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "source IN ('self', 'check', 'staff', 'course')", name=op.f("ck_assessment_source")
        ),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name=op.f("ck_assessment_confidence"),
        ),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_assessment_level_range")),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_assessment_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_assessment_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_learner_skill", ["learner_id", "skill_id"], unique=False
        )

    op.create_table(
        "course_requires_skill",
        sa.Column("course_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "level BETWEEN 0 AND 4", name=op.f("ck_course_requires_skill_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_requires_skill_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_course_requires_skill_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("course_id", "skill_id", name=op.f("pk_course_requires_skill")),
    )
    op.create_table(
        "course_teaches",
        sa.Column("course_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_course_teaches_level_range")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_teaches_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_course_teaches_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("course_id", "skill_id", name=op.f("pk_course_teaches")),
    )
    op.create_table(
        "learner_level",
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_learner_level_level_range")),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_learner_level_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_learner_level_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("learner_id", "skill_id", name=op.f("pk_learner_level")),
    )
    op.create_table(
        "learner_target",
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("skill_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_learner_target_level_range")),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_learner_target_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_learner_target_skill_id_skill"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("learner_id", "skill_id", name=op.f("pk_learner_target")),
    )
    op.create_table(
        "prerequisite",
        sa.Column("course_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("prerequisite_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_prerequisite_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_id"],
            ["course.id"],
            name=op.f("fk_prerequisite_prerequisite_id_course"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("course_id", "prerequisite_id", name=op.f("pk_prerequisite")),
    )
    op.create_table(
        "prerequisite_group",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("course_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_prerequisite_group_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_prerequisite_group")),
    )
    with op.batch_alter_table("prerequisite_group", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prerequisite_group_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "prerequisite_option",
        sa.Column("group_pk", sa.Integer(), nullable=False),
        sa.Column("prerequisite_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_pk"],
            ["prerequisite_group.pk"],
            name=op.f("fk_prerequisite_option_group_pk_prerequisite_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_id"],
            ["course.id"],
            name=op.f("fk_prerequisite_option_prerequisite_id_course"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("group_pk", "prerequisite_id", name=op.f("pk_prerequisite_option")),
    )


def downgrade() -> None:

    op.drop_table("prerequisite_option")
    with op.batch_alter_table("prerequisite_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prerequisite_group_course_id"))

    op.drop_table("prerequisite_group")
    op.drop_table("prerequisite")
    op.drop_table("learner_target")
    op.drop_table("learner_level")
    op.drop_table("course_teaches")
    op.drop_table("course_requires_skill")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_learner_skill")

    op.drop_table("assessment")
    op.drop_table("account")
    with op.batch_alter_table("solve_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solve_run_status"))
        batch_op.drop_index(batch_op.f("ix_solve_run_scenario_id"))

    op.drop_table("solve_run")
    op.drop_table("role_requirement")
    op.drop_table("level_descriptor")
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_team"))
        batch_op.drop_index(batch_op.f("ix_learner_role_id"))
        batch_op.drop_index(batch_op.f("ix_learner_curriculum_id"))

    op.drop_table("learner")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_curriculum_id"))

    op.drop_table("course")
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_term_calendar_id"))

    op.drop_table("term")
    with op.batch_alter_table("skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_area_id"))

    op.drop_table("skill")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_scenario_id"))

    op.drop_table("plan")
    op.drop_table("curriculum")
    op.drop_table("term_calendar")
    op.drop_table("skill_area")
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_name"))

    op.drop_table("scenario")
    op.drop_table("role")
