"""Set-based writes that are safe when two coordinators record the same row at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.orm import Session


def insert_missing(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows``, skipping any that a unique constraint says are there already.

    Returns how many were inserted.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(model.__table__).on_conflict_do_nothing()
    elif dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(model.__table__).on_conflict_do_nothing()
    else:  # pragma: no cover - the tracker supports SQLite and PostgreSQL
        raise NotImplementedError(f"no conflict-free insert for {dialect}")
    result: CursorResult[Any] = session.execute(statement, rows)  # type: ignore[assignment]
    return int(result.rowcount)
