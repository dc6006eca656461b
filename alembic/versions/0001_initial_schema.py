"""Initial schema: students, activities, participations, assignments, rules, history.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:40:36.517167
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_kind",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_activity_kind")),
    )
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("command", sa.String(length=50), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["undoes_id"], ["change.id"], name=op.f("fk_change_undoes_id_change")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
        sa.UniqueConstraint("undoes_id", name=op.f("uq_change_undoes_id")),
    )
    op.create_table(
        "rules_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules_version")),
    )
    op.create_table(
        "student",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("start_month_number", sa.Integer(), nullable=False),
        sa.Column("specialisation", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rules_override", sa.String(length=64), nullable=True),
        sa.Column("override_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'graduated', 'withdrawn')", name=op.f("ck_student_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student")),
        sa.UniqueConstraint("number", name=op.f("uq_student_number")),
    )
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_student_start"), ["start"], unique=False)

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("organiser", sa.String(length=300), nullable=True),
        sa.Column("month_number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind"], ["activity_kind.code"], name=op.f("fk_activity_kind_activity_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint(
            "kind", "held_on", "title", name=op.f("uq_activity_kind_held_on_title")
        ),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_held_on"), ["held_on"], unique=False)

    op.create_table(
        "assignment_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("graded_by", sa.String(length=200), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'rejected')",
            name=op.f("ck_assignment_record_status"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_assignment_record_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_record")),
        sa.UniqueConstraint(
            "student_id", "number", name=op.f("uq_assignment_record_student_id_number")
        ),
    )
    op.create_table(
        "change_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"], ["change.id"], name=op.f("fk_change_entry_change_id_change")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_entry")),
    )
    with op.batch_alter_table("change_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_entry_change_id"), ["change_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_change_entry_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "requirement_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("started_from", sa.Date(), nullable=True),
        sa.Column("started_before", sa.Date(), nullable=True),
        sa.Column("requirement_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["rules_version.id"],
            name=op.f("fk_requirement_set_version_id_rules_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_set")),
        sa.UniqueConstraint("version_id", "code", name=op.f("uq_requirement_set_version_id_code")),
    )
    op.create_table(
        "participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('attended', 'excused')", name=op.f("ck_participation_status")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_participation_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["change_id"], ["change.id"], name=op.f("fk_participation_change_id_change")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_participation_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
        sa.UniqueConstraint(
            "student_id", "activity_id", name=op.f("uq_participation_student_id_activity_id")
        ),
    )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participation_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_participation_change_id"), ["change_id"], unique=False)
        batch_op.create_index(
            "ix_participation_progress", ["student_id", "status", "activity_id"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index("ix_participation_progress")
        batch_op.drop_index(batch_op.f("ix_participation_change_id"))
        batch_op.drop_index(batch_op.f("ix_participation_activity_id"))

    op.drop_table("participation")
    op.drop_table("requirement_set")
    with op.batch_alter_table("change_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_entry_student_id"))
        batch_op.drop_index(batch_op.f("ix_change_entry_change_id"))

    op.drop_table("change_entry")
    op.drop_table("assignment_record")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_held_on"))

    op.drop_table("activity")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_start"))

    op.drop_table("student")
    op.drop_table("rules_version")
    op.drop_table("change")
    op.drop_table("activity_kind")
