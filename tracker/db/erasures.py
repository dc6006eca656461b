"""Erased students, remembered only as a keyed hash (HMAC-SHA256) of their number.

The key is random, made at the first erasure and kept in the database. With the
database, one can test whether a given number was erased (that is what the hash is
for); without it the hashes say nothing. No name, date of birth or e-mail is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker.db.models import ErasedNumber, Setting
from tracker.errors import InvalidInput

_KEY = "erasure key"


def _key(session: Session, create: bool) -> bytes | None:
    setting = session.get(Setting, _KEY)
    if setting is None:
        if not create:
            return None
        setting = Setting(name=_KEY, value=secrets.token_hex(32))
        session.add(setting)
        session.flush()
    return bytes.fromhex(setting.value)


def _digest(key: bytes, number: str) -> str:
    return hmac.new(key, number.encode("utf-8"), hashlib.sha256).hexdigest()


def remember(session: Session, number: str) -> ErasedNumber:
    key = _key(session, create=True)
    assert key is not None
    row = ErasedNumber(digest=_digest(key, number))
    session.merge(row)
    session.flush()
    return row


class Erased:
    """Which numbers were erased: loaded once, for checking many."""

    def __init__(self, session: Session) -> None:
        self.key = _key(session, create=False)
        self.when: dict[str, datetime] = {} if self.key is None else {
            digest: at for digest, at in session.execute(
                select(ErasedNumber.digest, ErasedNumber.erased_at))}

    def erased_on(self, number: str) -> datetime | None:
        if self.key is None or not self.when:
            return None
        return self.when.get(_digest(self.key, number))

    def refuse(self, number: str) -> None:
        """Refuse to register an erased student again without being told to."""
        erased_on = self.erased_on(number)
        if erased_on is not None:
            raise InvalidInput(f"{number} asked to be forgotten: their data was erased on "
                               f"{erased_on:%Y-%m-%d}; to register them again deliberately, "
                               "add --re-register")

    def row(self, session: Session, number: str) -> ErasedNumber | None:
        if self.key is None or self.erased_on(number) is None:
            return None
        return session.get(ErasedNumber, _digest(self.key, number))


def erasure_tables() -> tuple[str, ...]:
    """What an erasure writes to: the rows it blanks or deletes, and the record it
    keeps (their models imported here: only an erasure needs them)."""
    from tracker.db.models import (
        AssignmentRecord,
        Change,
        ChangeEntry,
        Claim,
        ClaimEvidence,
        Participation,
        Reminder,
        Student,
    )

    return tuple(model.__tablename__ for model in (
        Student, Participation, AssignmentRecord, Reminder, ChangeEntry, Change,
        ErasedNumber, Setting, Claim, ClaimEvidence))


def clear_traces(engine: Engine) -> bool:
    """After an erasure is committed: what it erased leaves the files too, not only the
    tables. Returns False when some of it may remain for now (SQLite: another program
    is reading and keeps the log in use, its next checkpoint clears it).

    SQLite zeroes what it deletes (``secure_delete``, set on every connection) but the
    log (``-wal``) still holds the pages as they were before: a checkpoint copies the
    log into the file and truncates it. PostgreSQL keeps the old rows as dead tuples
    until a vacuum reclaims them; ``VACUUM`` cannot run in a transaction, so it runs
    here, after the commit. (PostgreSQL's own write-ahead log keeps them until the
    server recycles it; see the README.)
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            driver = connection.connection.driver_connection
            busy, _, _ = driver.execute(  # type: ignore[union-attr]
                "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return not busy
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(engine.dialect.identifier_preparer.quote(table)
                               for table in erasure_tables())
            connection.execution_options(isolation_level="AUTOCOMMIT") \
                .exec_driver_sql(f"VACUUM {quoted}")
    return True
