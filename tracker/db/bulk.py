"""Set-based writes that are safe when two coordinators record the same row at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_missing(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows``, skipping any that a unique constraint says are there already.

    Returns how many were inserted.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the tracker supports SQLite and PostgreSQL
        raise NotImplementedError(f"no conflict-free insert for {dialect}")
    result = session.execute(insert(table).on_conflict_do_nothing(), rows)
    return result.rowcount
