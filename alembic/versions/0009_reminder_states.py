"""Reminders claimed before they are sent: each reminder row has a state (claimed, sent,
refused) and, when refused, why.

A run writes the row as ``claimed`` and commits it before the message goes to the
server, so two runs never remind the same student and a run that stops between the
server's answer and the record leaves a row saying the message may have gone. Every
row written before this revision was a delivered message: ``sent``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=16), nullable=False,
                                      server_default="sent"))
        batch_op.add_column(sa.Column("problem", sa.String(length=300), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_reminder_state"), "state IN ('claimed', 'sent', 'refused')")


def downgrade() -> None:
    # A claimed or refused reminder was never known to be delivered: the older schema
    # holds delivered ones only.
    op.execute("DELETE FROM reminder WHERE state <> 'sent'")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reminder_state"), type_="check")
        batch_op.drop_column("problem")
        batch_op.drop_column("state")
