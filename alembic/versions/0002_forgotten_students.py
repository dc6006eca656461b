"""Forgotten students: when a student's personal data was erased.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=True))
    # A database that came down from here and goes up again: its erased students (named
    # "forgotten-<id>" by the erasure) are erased still. The moment itself is lost.
    op.execute("UPDATE student SET forgotten_at = created_at WHERE number LIKE 'forgotten-%'")


def downgrade() -> None:
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_column("forgotten_at")
