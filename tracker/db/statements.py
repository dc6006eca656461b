"""Statements that load no object of the ORM, run on the session's own connection.

Through ``Session.execute`` such a statement pays for the ORM's execution as well (its
compile state, its result's wrapping), which for the few-row reads of a portal request
costs about what running the statement does. On the session's connection it runs in the
same transaction, sees the same snapshot and gives the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVarTuple

from sqlalchemy import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TypedReturnsRows

Columns = TypeVarTuple("Columns")


def rows(session: Session, statement: TypedReturnsRows[*Columns],
         params: Mapping[str, Any] | None = None) -> CursorResult[*Columns]:
    """``statement``'s rows, read in the session's transaction; what the session holds
    unwritten is flushed first, as the ORM's own execution would (autoflush)."""
    session.flush()
    return session.connection().execute(statement, params)
