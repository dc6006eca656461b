"""Statements that load no object of the ORM, run on the session's own connection.

Through ``Session.execute`` such a statement pays for the ORM's execution as well (its
compile state, its result's wrapping), which for the few-row reads of a portal request
costs about what running the statement does. On the session's connection it runs in the
same transaction, sees the same snapshot and gives the same rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar, TypeVarTuple

from sqlalchemy import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TypedReturnsRows

Columns = TypeVarTuple("Columns")
Arguments = ParamSpec("Arguments")
Built = TypeVar("Built")


def rows(session: Session, statement: TypedReturnsRows[*Columns],
         params: Mapping[str, Any] | None = None) -> CursorResult[*Columns]:
    """``statement``'s rows, read in the session's transaction; what the session holds
    unwritten is flushed first, as the ORM's own execution would (autoflush)."""
    session.flush()
    return session.connection().execute(statement, params)


def kept(build: Callable[Arguments, Built]) -> Callable[Arguments, Built]:
    """``build``, whose statement is kept for the same arguments (the same condition
    object, the same columns): SQLAlchemy remembers a statement's cache key on the
    statement, so one built once is neither built nor keyed again. What varies from one
    run to the next is a bound parameter. (Statements are immutable: threads share them.)
    A few hundred statements at most: a report's own condition is kept until pushed out.
    """
    return functools.lru_cache(maxsize=256)(build)  # type: ignore[return-value]
