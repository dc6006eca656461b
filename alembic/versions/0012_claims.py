"""Claims of outside activities: the claim, and its evidence beside it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("organiser", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", MOMENT, nullable=False),
        sa.Column("decided_at", MOMENT, nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')",
                           name=op.f("ck_claim_status")),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"],
                                name=op.f("fk_claim_activity_id_activity")),
        sa.ForeignKeyConstraint(["kind"], ["activity_kind.code"],
                                name=op.f("fk_claim_kind_activity_kind")),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"],
                                name=op.f("fk_claim_student_id_student")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index("ix_claim_student_submitted", ["student_id", "submitted_at"])
        batch_op.create_index("ix_claim_status_submitted", ["status", "submitted_at"])
    op.create_table(
        "claim_evidence",
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE",
                                name=op.f("fk_claim_evidence_claim_id_claim")),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_evidence")),
    )


def downgrade() -> None:
    op.drop_table("claim_evidence")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_status_submitted")
        batch_op.drop_index("ix_claim_student_submitted")
    op.drop_table("claim")
