"""Participations keyed by (student, activity) in one B-tree, and attendance tallies.

The participation table had a row id, a unique (student, activity) index and indexes on
activity, change and (student, status, activity): five B-trees updated per line of a
sign-in sheet. Now (student, activity) is the primary key, and on SQLite the table is
WITHOUT ROWID: one B-tree, in the order progress reads it. The report's numbers come
from attendance_tally, counted again by every write (tracker.db.tallies).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "student_id, activity_id, status, recorded_by, recorded_at, source, note, change_id"


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('attended', 'excused')",
                           name=op.f("ck_participation_status")),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"],
                                name=op.f("fk_participation_activity_id_activity")),
        sa.ForeignKeyConstraint(["change_id"], ["change.id"],
                                name=op.f("fk_participation_change_id_change")),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"],
                                name=op.f("fk_participation_student_id_student")),
    ]


def _set_aside() -> None:
    """Keep the rows in a plain copy while the table is made again."""
    op.execute(f"CREATE TABLE participation_copy AS SELECT {_COLUMNS} FROM participation")
    op.drop_table("participation")


def upgrade() -> None:
    _set_aside()
    op.create_table(
        "participation",
        sa.Column("student_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("activity_id", sa.Integer(), nullable=False, autoincrement=False),
        *_columns(),
        sa.PrimaryKeyConstraint("student_id", "activity_id", name=op.f("pk_participation")),
        sqlite_with_rowid=False,
    )
    op.execute(f"INSERT INTO participation ({_COLUMNS}) SELECT {_COLUMNS} "
               "FROM participation_copy ORDER BY student_id, activity_id")
    op.drop_table("participation_copy")
    op.create_table(
        "attendance_tally",
        sa.Column("student_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("programme_year", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("student_id", "kind", "programme_year",
                                name=op.f("pk_attendance_tally")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO attendance_tally (student_id, kind, programme_year, attended) "
        "SELECT p.student_id, a.kind, CASE WHEN a.month_number < s.start_month_number "
        "THEN 0 ELSE (a.month_number - s.start_month_number) / 12 + 1 END AS y, count(*) "
        "FROM participation p JOIN activity a ON a.id = p.activity_id "
        "JOIN student s ON s.id = p.student_id WHERE p.status = 'attended' "
        "GROUP BY p.student_id, a.kind, y")


def downgrade() -> None:
    op.drop_table("attendance_tally")
    _set_aside()
    op.create_table(
        "participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        *_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
        sa.UniqueConstraint("student_id", "activity_id",
                            name=op.f("uq_participation_student_id_activity_id")),
    )
    op.execute(f"INSERT INTO participation ({_COLUMNS}) SELECT {_COLUMNS} "
               "FROM participation_copy ORDER BY recorded_at, student_id, activity_id")
    op.drop_table("participation_copy")
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participation_activity_id"), ["activity_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_participation_change_id"), ["change_id"],
                              unique=False)
        batch_op.create_index("ix_participation_progress",
                              ["student_id", "status", "activity_id"], unique=False)
