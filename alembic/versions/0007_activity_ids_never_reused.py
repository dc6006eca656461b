"""Activity ids are never given out twice.

A coordinator's sign-in sheet names activities by id. SQLite gives a new row the
highest id plus one, so after the newest activity was deleted (or its adding undone)
the next one took its id, and a sheet still naming the old id would have signed people
in to the wrong activity. AUTOINCREMENT keeps every id ever used; PostgreSQL's
sequences already did.

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


def _rebuild_activity(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("activity", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def upgrade() -> None:
    _rebuild_activity(True)


def downgrade() -> None:
    _rebuild_activity(False)
