"""Who a browser is signed in as: sessions are rows, the cookie holds a random id whose
hash names the row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from tracker.db import portal
from tracker.db.engine import Database
from tracker.db.models import WebSession
from tracker.service.portal.secrets import digest, new_token

Role = Literal["student", "coordinator"]


@dataclass(frozen=True)
class Lifetime:
    idle: timedelta  # signed out after this long without a request
    longest: timedelta  # signed out this long after signing in, whatever happens
    touch: timedelta  # how stale ``seen_at`` may get before a request writes it again


LIFETIMES: dict[Role, Lifetime] = {
    "student": Lifetime(timedelta(days=30), timedelta(days=120), timedelta(hours=1)),
    "coordinator": Lifetime(timedelta(hours=8), timedelta(days=7), timedelta(minutes=5)),
}


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser: who, and as what."""

    session_id: int
    role: Role
    person_id: int
    name: str
    number: str | None  # a student's number
    email: str | None
    signed_in_at: datetime

    def expires_at(self) -> datetime:
        return self.signed_in_at + LIFETIMES[self.role].longest


def visitor(db: Database, key: str, now: datetime) -> Visitor | None:
    """The person signed in with cookie ``key`` at ``now``; None when nobody (or the
    session ran out)."""
    with db.reading() as connection:
        row = portal.session_by_key(connection, digest(key))
    if row is None:
        return None
    role: Role = "student" if row.student_id is not None else "coordinator"
    lifetime = LIFETIMES[role]
    if now - row.seen_at > lifetime.idle or now - row.created_at > lifetime.longest:
        return None
    if row.student is not None:
        person = Visitor(row.id, role, row.student, row.student_name, row.student_number,
                         row.student_email, row.created_at)
    elif row.coordinator is not None:
        person = Visitor(row.id, role, row.coordinator, row.coordinator_name, None,
                         row.coordinator_email, row.created_at)
    else:  # the student was forgotten a moment ago
        return None
    if now - row.seen_at > lifetime.touch:
        with db.transaction() as session:
            portal.touch(session, row.id, now)
    return person


def start(session: Session, role: Role, person_id: int, now: datetime) -> str:
    """A new session (inside the caller's transaction); returns the cookie's value."""
    key = new_token()
    session.add(WebSession(key_hash=digest(key), created_at=now, seen_at=now,
                           student_id=person_id if role == "student" else None,
                           coordinator_id=person_id if role == "coordinator" else None))
    session.flush()
    return key


def sign_out(db: Database, key: str) -> None:
    with db.transaction() as session:
        portal.end_session(session, digest(key))


def sign_out_everywhere(db: Database, person: Visitor) -> int:
    """End every session of the person (this browser's too); returns how many."""
    column = WebSession.student_id if person.role == "student" else WebSession.coordinator_id
    with db.transaction() as session:
        return portal.end_sessions(session, column == person.person_id)


def end_stale(db: Database, now: datetime) -> int:
    """Remove the rows of sessions that ran out (they answer as nobody already)."""
    stale = [and_(column.is_not(None),
                  or_(WebSession.seen_at < now - lifetime.idle,
                      WebSession.created_at < now - lifetime.longest))
             for column, lifetime in ((WebSession.student_id, LIFETIMES["student"]),
                                      (WebSession.coordinator_id, LIFETIMES["coordinator"]))]
    with db.transaction() as session:
        return portal.end_stale_sessions(session, or_(*stale))
