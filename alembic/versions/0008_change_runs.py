"""Runs of changes, and who wrote a participation last.

A kiosk session at the door is now one change per check-in, each part of the session's
first change (``change.part_of_id``), which history and undo show and revert as one;
the first change says until when the kiosk is still open (``change.open_until``). A
participation's ``change_id`` is now the change that wrote it last, and an entry that
writes over a participation keeps whose version it replaced
(``change_entry.replaces_change_id``): undo refuses a change whose rows a later change
wrote over, instead of deleting them.

Downgrading folds each run back into its first change (the one-change sessions of
0007) and forgets the replaced changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("open_until", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index(batch_op.f("ix_change_part_of_id"), ["part_of_id"],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_change_part_of_id_change"), "change",
                                    ["part_of_id"], ["id"])
    with op.batch_alter_table("change_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_change_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_change_entry_replaces_change_id"),
                              ["replaces_change_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_change_entry_replaces_change_id_change"),
                                    "change", ["replaces_change_id"], ["id"])
    # The entries written so far keep whose participation they replaced in their values.
    if op.get_bind().dialect.name == "sqlite":
        replaced = "json_extract(before, '$.change_id')"
    else:
        replaced = "CAST(before ->> 'change_id' AS INTEGER)"
    op.execute(f"UPDATE change_entry SET replaces_change_id = {replaced} "
               "WHERE table_name = 'participation'")


def downgrade() -> None:
    # Each run becomes its first change again: what its later changes wrote is its own.
    for table in ("participation", "change_entry", "reminder"):
        op.execute(f"UPDATE {table} SET change_id = (SELECT part_of_id FROM change "
                   f"WHERE change.id = {table}.change_id) WHERE change_id IN "
                   "(SELECT id FROM change WHERE part_of_id IS NOT NULL)")
    _drop_reference("change_entry", "replaces_change_id")
    op.execute("DELETE FROM change WHERE part_of_id IS NOT NULL")
    _drop_reference("change", "part_of_id", also="open_until")


def _drop_reference(table: str, column: str, also: str | None = None) -> None:
    """Drop a column that refers to a change (its foreign key and index first)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"fk_{table}_{column}_change"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        if also is not None:
            batch_op.drop_column(also)
        batch_op.drop_column(column)
