"""Queries over the portal's state: sign-in requests, sessions, calendar feeds."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
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
    RulesVersion,
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
    session.connection().execute(_LOCKS, {"keys": _lock_numbers(keys)})  # one round trip


_LOCKS = text("SELECT pg_advisory_xact_lock(key) FROM unnest(CAST(:keys AS bigint[])) AS key")


def _lock_numbers(keys: Iterable[str]) -> list[int]:
    return [int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            for key in sorted(set(keys))]


# --- sign-in requests --------------------------------------------------------------------


def _counted(condition: ColumnElement[bool]) -> Any:
    return (select(func.count()).select_from(SignInRequest)
            .where(condition, SignInRequest.created_at >= bindparam("since"))
            .scalar_subquery())


# --- asking for a sign-in (POST /login) --------------------------------------------------
#
# The students' one write, and the one a portal answers most: it loads no object, so it
# runs on a connection of its own, without the ORM's session (whose machinery was a
# quarter of the transaction's CPU in this process: 0.12 of 0.49 ms), in two statements
# built once: the locks, and the counts with the insert.


def serialise_asking(connection: Connection, keys: Iterable[str], *,
                     newest_rules: bool) -> tuple[int, str] | None:
    """:func:`serialise` for a sign-in request, in one statement with what rides along:
    on PostgreSQL the transaction's commit is made asynchronous; with ``newest_rules``,
    the newest rules version's (id, digest) comes back (None without, or when there
    are none; on SQLite a read of its own, without a round trip to pay).

    The commit: a request is ephemeral. Lost in a crash of the database server (at most
    the commits of the last three ``wal_writer_delay``, 0.6 s by default; never a
    broken database), it is as if the student had not asked: its mail had not left
    either (a mail leaves after the worker's claim of the row committed, synchronously,
    and the log is flushed in order), and they ask again. Waiting for the flush cost
    0.16 ms of an answer that must stay within twice /healthz's (more on a busy disk).
    ``set_config(..., true)`` is ``SET LOCAL``: this transaction only; the connection's
    next commits synchronously again.

    The rules: a student number is read by the rules in force (their form); a portal
    process knows the version it parsed last, and whether that is still the newest
    (another process may have loaded one) rides along here instead of a round trip of
    its own. The locks stay a statement of their own before the counts: under READ
    COMMITTED a count in the locking statement would take its snapshot before the lock
    is granted, and miss what the transaction that held it wrote."""
    if connection.dialect.name != "postgresql":
        row = connection.execute(_NEWEST_RULES).first() if newest_rules else None
    else:
        statement = _ASKING_LOCKS_AND_RULES if newest_rules else _ASKING_LOCKS
        row = connection.execute(statement, {"keys": _lock_numbers(keys)}).first()
    if not newest_rules or row is None or row[-2] is None:
        return None
    return int(row[-2]), str(row[-1])


_NEWEST = f"FROM {RulesVersion.__tablename__} ORDER BY id DESC LIMIT 1"
_NEWEST_RULES = text(f"SELECT id, digest {_NEWEST}")
_ASKING = ("SELECT pg_advisory_xact_lock(key), set_config('synchronous_commit', 'off', true)"
           "{rules} FROM unnest(CAST(:keys AS bigint[])) AS key")
_ASKING_LOCKS = text(_ASKING.format(rules=""))
_ASKING_LOCKS_AND_RULES = text(_ASKING.format(
    rules=f", (SELECT id {_NEWEST}), (SELECT digest {_NEWEST})"))

_TABLE = cast(Table, SignInRequest.__table__)  # the table's: no ORM bulk-insert machinery
_IDENTITY_KEY: BindParameter[Any] = bindparam("identity_key", type_=_TABLE.c.identity_key.type)
_CLIENT: BindParameter[Any] = bindparam("client", type_=_TABLE.c.client.type)
_FOR_IDENTITY = _counted(SignInRequest.identity_key == _IDENTITY_KEY)
_FROM_CLIENT = _counted(SignInRequest.client == _CLIENT)
_REQUESTS_SINCE = select(_FOR_IDENTITY, _FROM_CLIENT)
_QUEUED = ("identity", "identity_key", "client", "browser_hash", "state", "created_at",
           "attempts", "wrong_codes")
_SHARED = {"identity_key": _IDENTITY_KEY, "client": _CLIENT}
_QUEUE_WITHIN = insert(_TABLE).from_select(_QUEUED, select(*(
    _SHARED[name] if name in _SHARED else bindparam(name, type_=_TABLE.c[name].type)
    for name in _QUEUED)).where(bindparam("most_for_identity") > _FOR_IDENTITY,
                                bindparam("most_from_client") > _FROM_CLIENT)) \
    .execution_options(preserve_rowcount=True)  # (an INSERT's is not kept unless asked)


def queue_within(connection: Connection, since: datetime, most_for_identity: int,
                 most_from_client: int, *, identity: str, identity_key: str, client: str,
                 browser_hash: str, created_at: datetime) -> bool:
    """A new request, unless ``most_for_identity`` asked for its identity, or
    ``most_from_client`` from its client, since ``since``: the counts and the insert in
    one statement (INSERT ... SELECT ... WHERE). False: refused (:func:`requests_since`
    says which). Run under :func:`serialise_asking`, the statement's snapshot is taken
    after the locks were granted, and counts every request that went before."""
    result = connection.execute(_QUEUE_WITHIN, {
        "since": since, "most_for_identity": most_for_identity,
        "most_from_client": most_from_client, "identity": identity,
        "identity_key": identity_key, "client": client, "browser_hash": browser_hash,
        "state": "queued", "created_at": created_at, "attempts": 0, "wrong_codes": 0})
    return bool(result.rowcount)


def requests_since(connection: Connection, since: datetime, identity_key: str,
                   client: str) -> tuple[int, int]:
    """How many requests asked for this identity, and from this client, since ``since``
    (one statement)."""
    row = connection.execute(_REQUESTS_SINCE, {
        "since": since, "identity_key": identity_key, "client": client}).one()
    return int(row[0]), int(row[1])


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
