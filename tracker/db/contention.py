"""Coordinators importing at once: imports take turns, and a transaction that lost a race
is told from one that failed.

On SQLite every writer takes the write lock when it begins (``BEGIN IMMEDIATE``), so two
imports never interleave. On PostgreSQL rows are locked one by one as they are written:
two imports of overlapping sheets, each in batches, would each hold rows the other
wants next ("deadlock detected"). An import therefore first takes one advisory lock
that every import takes, for the length of its transaction, and so imports take turns
there too (waiting as long as any lock is waited for: see tracker.db.engine); within a
batch rows are written in key order (see the attendance import), so an import and a
typed ``attend`` wait for each other rather than deadlock. What still fails (a
serialization failure, a deadlock with a command that is not an import) is worth running
again; a lock held too long is "busy" (tracker.db.failures).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

IMPORTS_LOCK = 0x747261636B  # any fixed number: the one lock every import takes
_RETRY = {"40001", "40P01"}  # serialization failure, deadlock detected


def take_turns_with_other_imports(session: Session) -> None:
    """Wait until no other import is writing; the turn ends with this transaction. A
    no-op on SQLite, where the write lock does this."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORTS_LOCK})


def worth_retrying(error: BaseException) -> bool:
    """A transaction that failed only because another ran at the same time (not one that
    waited for a lock too long: that waited enough)."""
    original = getattr(error, "orig", None)
    return isinstance(error, DBAPIError) and getattr(original, "sqlstate", None) in _RETRY
