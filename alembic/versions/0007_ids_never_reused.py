"""Ids are never given out twice: activities, students, assignment records.

A coordinator's sign-in sheet names activities by id, and the history names every row
it changed by id. SQLite gives a new row the highest id plus one, so after the newest
row was deleted (an activity deleted, an add undone) the next one took its id: a sheet
still naming the old activity would have signed people in to the new one, and the new
student's history would have shown the undone one's. AUTOINCREMENT keeps every id ever
used; PostgreSQL's sequences already did.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("activity", "student", "assignment_record")


def _rebuild(autoincrement: bool) -> None:
    """Each table made again, with its rows, constraints and indexes (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
