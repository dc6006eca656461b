"""Queries over the portal's state: sign-in requests, sessions, calendar feeds."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from tracker.db.models import (
    CalendarFeed,
    Coordinator,
    SignInRequest,
    Student,
    WebSession,
)

LIVE = ("sending", "sent")  # a request whose link and code work (until they expire)


def serialise(session: Session, keys: Iterable[str]) -> None:
    """Until the commit, this transaction alone counts and writes for ``keys``.

    A limit is a count and an insert: two processes doing both at once would each see
    room for one more. On SQLite every writing transaction holds the database's one
    write lock from its BEGIN already; PostgreSQL takes a lock per key (in one order,
    so that two transactions never wait for each other)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    numbers = [int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
               for key in sorted(set(keys))]
    session.connection().execute(_LOCKS, {"keys": numbers})  # one round trip, in order


_LOCKS = text("SELECT pg_advisory_xact_lock(key) FROM unnest(CAST(:keys AS bigint[])) AS key")


# --- sign-in requests --------------------------------------------------------------------


def _counted(condition: ColumnElement[bool]) -> Any:
    return (select(func.count()).select_from(SignInRequest)
            .where(condition, SignInRequest.created_at >= bindparam("since"))
            .scalar_subquery())


# Built once, and run on the session's connection (the ORM's execution of a statement that
# loads no object costs as much again): POST /login runs them every time, and answers
# about as fast as /healthz would.
_REQUESTS_SINCE = select(_counted(SignInRequest.identity_key == bindparam("identity_key")),
                         _counted(SignInRequest.client == bindparam("client")))
_QUEUE = insert(cast(Table, SignInRequest.__table__))  # the table's: no ORM bulk-insert machinery


def requests_since(session: Session, since: datetime, identity_key: str,
                   client: str) -> tuple[int, int]:
    """How many requests asked for this identity, and from this client, since ``since``
    (one statement)."""
    row = session.connection().execute(_REQUESTS_SINCE, {
        "since": since, "identity_key": identity_key, "client": client}).one()
    return int(row[0]), int(row[1])


def queue(session: Session, **values: Any) -> None:
    """A new request, as it comes (one INSERT, no object to keep)."""
    session.connection().execute(_QUEUE, values)


def mails_since(session: Session, person: ColumnElement[bool], since: datetime) -> int:
    """How many sign-in mails went (or are going) to one person since ``since``."""
    return int(session.scalar(select(func.count()).select_from(SignInRequest).where(
        person, SignInRequest.claimed_at >= since,
        SignInRequest.state.not_in(("queued", "dropped")))) or 0)


def waiting(session: Session, stale_before: datetime, limit: int) -> list[int]:
    """Requests no worker has (or a worker took and never finished: it stopped)."""
    return list(session.scalars(
        select(SignInRequest.id).where(or_(
            SignInRequest.state == "queued",
            (SignInRequest.state == "sending") & (SignInRequest.claimed_at < stale_before)))
        .order_by(SignInRequest.id).limit(limit)))


def claim(session: Session, request_id: int, now: datetime, stale_before: datetime) -> bool:
    """Take a waiting request for this worker; False when another took it first."""
    result = session.execute(
        update(SignInRequest)
        .where(SignInRequest.id == request_id, or_(
            SignInRequest.state == "queued",
            (SignInRequest.state == "sending") & (SignInRequest.claimed_at < stale_before)))
        .values(state="sending", claimed_at=now, attempts=SignInRequest.attempts + 1)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def by_token(session: Session, token_hash: str) -> SignInRequest | None:
    return session.scalars(select(SignInRequest)
                           .where(SignInRequest.token_hash == token_hash)).first()


def live_of_browser(session: Session, browser_hash: str, now: datetime) -> list[SignInRequest]:
    """The requests this browser asked for whose code still works, newest first."""
    return list(session.scalars(
        select(SignInRequest).where(SignInRequest.browser_hash == browser_hash,
                                    SignInRequest.state.in_(LIVE),
                                    SignInRequest.expires_at > now)
        .order_by(SignInRequest.id.desc())))


def use(session: Session, request_id: int, now: datetime, browser_hash: str) -> bool:
    """Mark a live request used; False when another click used it first."""
    result = session.execute(
        update(SignInRequest)
        .where(SignInRequest.id == request_id, SignInRequest.state.in_(LIVE))
        .values(state="used", used_at=now, used_by_browser=browser_hash)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def count_wrong_code(session: Session, request_ids: list[int], voids_at: int) -> None:
    """One more wrong code for each request; at ``voids_at`` a request is void."""
    if not request_ids:
        return
    session.execute(update(SignInRequest).where(SignInRequest.id.in_(request_ids))
                    .values(wrong_codes=SignInRequest.wrong_codes + 1)
                    .execution_options(synchronize_session=False))
    session.execute(update(SignInRequest)
                    .where(SignInRequest.id.in_(request_ids),
                           SignInRequest.wrong_codes >= voids_at,
                           SignInRequest.state.in_(LIVE))
                    .values(state="void")
                    .execution_options(synchronize_session=False))


def forget_requests(session: Session, before: datetime) -> int:
    result = session.execute(delete(SignInRequest).where(SignInRequest.created_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- sessions ------------------------------------------------------------------------------


@functools.cache
def _session_by_key() -> Select[*tuple[Any, ...]]:
    return (select(WebSession.id, WebSession.student_id, WebSession.created_at,
                   WebSession.seen_at, Student.id.label("student"),
                   Student.name.label("student_name"), Student.number.label("student_number"),
                   Student.email.label("student_email"), Coordinator.id.label("coordinator"),
                   Coordinator.name.label("coordinator_name"),
                   Coordinator.email.label("coordinator_email"))
            .outerjoin(Student, (Student.id == WebSession.student_id)
                       & Student.forgotten_at.is_(None))
            .outerjoin(Coordinator, Coordinator.id == WebSession.coordinator_id)
            .where(WebSession.key_hash == bindparam("key_hash")))


def session_by_key(connection: Connection, key_hash: str) -> Row[*tuple[Any, ...]] | None:
    """The session of a cookie's hash, with its person (student or coordinator) side by
    side: one statement, built once (every request of a signed-in browser reads it). A
    student who was forgotten leaves ``student`` None."""
    return connection.execute(_session_by_key(), {"key_hash": key_hash}).first()


def touch(session: Session, session_id: int, now: datetime) -> None:
    session.execute(update(WebSession).where(WebSession.id == session_id)
                    .values(seen_at=now).execution_options(synchronize_session=False))


def end_session(session: Session, key_hash: str) -> WebSession | None:
    """End one session (by its cookie's hash); the row it was, if any."""
    found = session.scalars(select(WebSession).where(WebSession.key_hash == key_hash)).first()
    if found is not None:
        session.delete(found)
        session.flush()
    return found


def end_sessions(session: Session, person: ColumnElement[bool]) -> int:
    result = session.execute(delete(WebSession).where(person))
    return int(result.rowcount)  # type: ignore[attr-defined]


def end_stale_sessions(session: Session, stale: ColumnElement[bool]) -> int:
    result = session.execute(delete(WebSession).where(stale))
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- calendar feeds ----------------------------------------------------------------------


def feed_of(session: Session, student_id: int) -> CalendarFeed | None:
    return session.get(CalendarFeed, student_id)


def student_of_feed(session: Session, token_hash: str) -> Student | None:
    return session.scalars(
        select(Student).join(CalendarFeed, CalendarFeed.student_id == Student.id)
        .where(CalendarFeed.token_hash == token_hash, Student.forgotten_at.is_(None))).first()


def replace_feed(session: Session, student_id: int, token_hash: str, now: datetime) -> None:
    session.execute(delete(CalendarFeed).where(CalendarFeed.student_id == student_id))
    session.add(CalendarFeed(student_id=student_id, token_hash=token_hash, created_at=now))
    session.flush()


def held_for_student(session: Session, student_id: int) \
        -> tuple[list[WebSession], list[SignInRequest], CalendarFeed | None]:
    """What the portal holds about a student: their sessions, sign-in requests and
    calendar address (for a subject-access export)."""
    sessions = list(session.scalars(select(WebSession).where(
        WebSession.student_id == student_id).order_by(WebSession.created_at)))
    requests = list(session.scalars(select(SignInRequest).where(
        SignInRequest.student_id == student_id).order_by(SignInRequest.created_at)))
    return sessions, requests, session.get(CalendarFeed, student_id)


# --- erasure -----------------------------------------------------------------------------


def forget_student(session: Session, student_id: int) -> None:
    """Everything the portal holds about a student: sessions (they end at once),
    sign-in requests and the calendar address."""
    session.execute(delete(WebSession).where(WebSession.student_id == student_id))
    session.execute(delete(SignInRequest).where(SignInRequest.student_id == student_id))
    session.execute(delete(CalendarFeed).where(CalendarFeed.student_id == student_id))
