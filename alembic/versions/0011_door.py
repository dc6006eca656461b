"""Check-in by QR code: doors, scans waiting for a sign-in, web check-ins with their
flags, and the bad codes tried.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def _activity(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_activity_id_activity"))


def upgrade() -> None:
    op.create_table(
        "door",
        sa.Column("activity_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("link_nonce", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("code_key", sa.String(length=64), nullable=False),
        sa.Column("opened_at", MOMENT, nullable=False),
        sa.Column("closes_at", MOMENT, nullable=False),
        sa.Column("closed_at", MOMENT, nullable=True),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("run_head", sa.Integer(), nullable=True),
        _activity("door"),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_door")),
        sa.UniqueConstraint("link_hash", name=op.f("uq_door_link_hash")),
    )
    op.create_table(
        "door_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("scanned_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("done_at", MOMENT, nullable=True),
        _activity("door_scan"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_scan")),
    )
    with op.batch_alter_table("door_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_door_scan_device_hash"), ["device_hash"])
    op.create_table(
        "door_checkin",
        sa.Column("activity_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("student_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("flags", sa.String(length=100), nullable=False),
        _activity("door_checkin"),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"], ondelete="CASCADE",
                                name=op.f("fk_door_checkin_student_id_student")),
        sa.PrimaryKeyConstraint("activity_id", "student_id", name=op.f("pk_door_checkin")),
    )
    with op.batch_alter_table("door_checkin", schema=None) as batch_op:
        batch_op.create_index("ix_door_checkin_activity_device",
                              ["activity_id", "device_hash"])
    op.create_table(
        "door_miss",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_miss")),
    )
    with op.batch_alter_table("door_miss", schema=None) as batch_op:
        batch_op.create_index("ix_door_miss_browser_at", ["browser_hash", "at"])


def downgrade() -> None:
    with op.batch_alter_table("door_miss", schema=None) as batch_op:
        batch_op.drop_index("ix_door_miss_browser_at")
    op.drop_table("door_miss")
    with op.batch_alter_table("door_checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_door_checkin_activity_device")
    op.drop_table("door_checkin")
    with op.batch_alter_table("door_scan", schema=None) as batch_op:
        batch_op.drop_index("ix_door_scan_device_hash")
    op.drop_table("door_scan")
    op.drop_table("door")
