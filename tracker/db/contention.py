"""Coordinators writing at once: imports take turns, and a database that is busy is told
apart from bad input.

On SQLite every writer takes the write lock when it begins (``BEGIN IMMEDIATE``), so two
imports never interleave. On PostgreSQL rows are locked one by one as they are written:
two imports of overlapping sheets, each in batches, would each hold rows the other
wants next ("deadlock detected"). An import therefore first takes one advisory lock
that every import takes, for the length of its transaction, and so imports take turns
there too; within a batch rows are written in key order (see the attendance import), so
an import and a typed ``attend`` wait for each other rather than deadlock. What still
fails (a serialization failure, a deadlock with a command that is not an import) is
worth running again; a lock held longer than SQLite's busy timeout is "busy".
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

IMPORTS_LOCK = 0x747261636B  # any fixed number: the one lock every import takes
BUSY = "the database is busy: try again"
_RETRY = {"40001", "40P01"}  # serialization failure, deadlock detected
_BUSY = {"55P03"}  # lock not available: lock_timeout passed


def take_turns_with_other_imports(session: Session) -> None:
    """Wait (as long as SQLite waits for its write lock) until no other import is
    writing; the turn ends with this transaction. A no-op on SQLite, where the write lock
    does this."""
    if session.get_bind().dialect.name != "postgresql":
        return
    from tracker.db import engine

    session.execute(text(f"SET LOCAL lock_timeout = {int(engine.BUSY_TIMEOUT_MS)}"))
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORTS_LOCK})


def _sqlstate(error: BaseException) -> str | None:
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None)


def worth_retrying(error: BaseException) -> bool:
    """A transaction that failed only because another ran at the same time."""
    return isinstance(error, DBAPIError) and _sqlstate(error) in _RETRY


def is_busy(error: BaseException) -> bool:
    """The database could not be had in time (a lock held by another command), or the
    transaction lost a race: nothing was wrong with what the user asked."""
    if not isinstance(error, DBAPIError):
        return False
    if _sqlstate(error) in _RETRY | _BUSY:
        return True
    said = str(error.orig).lower()
    return "database is locked" in said or "database table is locked" in said
