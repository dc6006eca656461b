"""Queries over the doors: check-in by QR code (see tracker.db.models.door)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    String,
    Update,
    bindparam,
    cast,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from tracker.db.history import SUMMARY_LENGTH
from tracker.db.models import (
    Activity,
    Change,
    Door,
    DoorCheckin,
    DoorMiss,
    DoorScan,
    Participation,
    Student,
)
from tracker.vocabulary import ParticipationStatus


def door(session: Session, activity_id: int, *, lock: bool = False) -> Door | None:
    """The activity's door; with ``lock``, held until the transaction ends (the door's
    check-ins take turns, so a window's run has one first change)."""
    query = select(Door).where(Door.activity_id == activity_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


# The statements of every scan and check-in are built once, on first use, their values
# bound at each call: building a select() costs about as much as running it. Those that
# read or write no object of the session run on its connection (the ORM's execution
# costs as much again; what they read was flushed before, or is written by them alone).


@functools.cache
def _with_activity() -> Select[*tuple[Any, ...]]:
    undo = aliased(Change)
    return (select(Activity.id, Activity.title, Activity.held_on,
                   Door.activity_id.label("door"), Door.code_key, Door.opened_at,
                   Door.closes_at, Door.closed_at, Door.opened_by, Door.run_head,
                   undo.id.label("undone_by"))
            .outerjoin(Door, Door.activity_id == Activity.id)
            .outerjoin(undo, (undo.undoes_id == Door.run_head) & Door.run_head.is_not(None))
            .where(Activity.id == bindparam("activity_id")).limit(1))


def with_activity(connection: Connection, activity_id: int) -> Row[*tuple[Any, ...]] | None:
    """The activity (``id``, ``title``, ``held_on``) and its door (``door`` None when it
    has none; ``code_key``, the window, ``opened_by``, ``run_head``; ``undone_by`` the
    undo of that run, if any), read together by one statement: what every scan and
    check-in judges first. None when there is no such activity."""
    return connection.execute(_with_activity(), {"activity_id": activity_id}).first()


@functools.cache
def _with_misses() -> Select[*tuple[Any, ...]]:
    return _with_activity().add_columns(
        _misses_since().scalar_subquery().label("misses"),
        _misses_since("client_hash").scalar_subquery().label("client_misses"))


def misses_and_activity(connection: Connection, browser_hash: str, client_hash: str,
                        since: datetime, activity_id: int
                        ) -> tuple[int, int, Row[*tuple[Any, ...]] | None]:
    """:func:`misses_since` of the browser and of the client's address, and
    :func:`with_activity`, in one statement (a scan asks all three)."""
    found = connection.execute(_with_misses(), {
        "activity_id": activity_id, "browser_hash": browser_hash, "client_hash": client_hash,
        "since": since}).first()
    if found is None:  # (no such activity: the misses still count)
        return (misses_since(connection, browser_hash, since),
                misses_since(connection, client_hash, since), None)
    return int(found.misses or 0), int(found.client_misses or 0), found


@functools.cache
def _student_at() -> Select[*tuple[Any, ...]]:
    return (select(Student.id, Student.number, Participation.status,
                   Participation.recorded_at)
            .outerjoin(Participation, (Participation.student_id == Student.id)
                       & (Participation.activity_id == bindparam("activity_id")))
            .where(Student.id == bindparam("student_id"), Student.forgotten_at.is_(None)))


def student_at(session: Session, student_id: int, activity_id: int) \
        -> Row[*tuple[Any, ...]] | None:
    """The student (``id``, ``number``; None when erased since) and their record at the
    activity, if any (``status``, ``recorded_at``; None when there is none)."""
    return session.connection().execute(_student_at(), {
        "student_id": student_id, "activity_id": activity_id}).first()


DEVICE_LOCK = 0x7A21  # PostgreSQL's advisory locks (DEVICE_LOCK, hash of a device's key)


def device_takes_turns(session: Session, device_hash: str) -> None:
    """Until the transaction ends, this browser's other check-ins wait (so a second
    student on the same phone sees the first and is flagged). A no-op on SQLite, whose
    writers take turns already."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_DEVICE_LOCK_SQL, {"device": DEVICE_LOCK,
                                                        "key": device_hash})


_DEVICE_LOCK_SQL = text("SELECT pg_advisory_xact_lock(:device, hashtext(:key))")


def by_link(session: Session, link_hash: str) -> Door | None:
    return session.scalars(select(Door).where(Door.link_hash == link_hash)).first()


def open_door_keys(connection: Connection, now: datetime) -> list[tuple[int, str]]:
    """(activity id, code key) of every door open at ``now``."""
    return [(int(activity_id), key) for activity_id, key in connection.execute(
        select(Door.activity_id, Door.code_key).where(
            Door.closes_at > now, Door.closed_at.is_(None), Door.opened_at <= now))]


def attended_count(session: Session, activity_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Participation).where(
        Participation.activity_id == activity_id,
        Participation.status == ParticipationStatus.ATTENDED)) or 0)


@functools.cache
def _misses_since(key: str = "browser_hash") -> Select[int]:
    return select(func.count()).select_from(DoorMiss).where(
        DoorMiss.browser_hash == bindparam(key), DoorMiss.at >= bindparam("since"))


def misses_since(connection: Connection, key_hash: str, since: datetime) -> int:
    """The bad codes of one browser, or of one client address (a row's
    ``browser_hash`` is the hash of either, see :func:`miss`)."""
    return int(connection.scalar(_misses_since(), {"browser_hash": key_hash,
                                                   "since": since}) or 0)


def miss(session: Session, browser_hash: str, client_hash: str | None, at: datetime,
         forget_before: datetime) -> None:
    """One more bad code of this browser and (unless None) of this client address, each
    a row keyed by its hash (and old ones of every browser and address forgotten)."""
    session.execute(delete(DoorMiss).where(DoorMiss.at < forget_before))
    session.add(DoorMiss(browser_hash=browser_hash, at=at))
    if client_hash:
        session.add(DoorMiss(browser_hash=client_hash, at=at))


def checkin(session: Session, activity_id: int, student_id: int) -> DoorCheckin | None:
    return session.get(DoorCheckin, (activity_id, student_id))


_CHECKIN_VALUES = ("at", "device_hash", "client", "flags")


@functools.cache
def _write_checkin(dialect: str) -> Any:
    made = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(DoorCheckin)
    values = {name: bindparam(name, type_=DoorCheckin.__table__.c[name].type)
              for name in _CHECKIN_VALUES}
    return made.values(activity_id=bindparam("activity_id"),
                       student_id=bindparam("student_id"), **values).on_conflict_do_update(
        index_elements=[DoorCheckin.activity_id, DoorCheckin.student_id],
        set_={name: made.excluded[name] for name in _CHECKIN_VALUES})


def write_checkin(session: Session, activity_id: int, student_id: int, *, at: datetime,
                  device_hash: str, client: str, flags: str) -> None:
    """The student's check-in at the door, in one statement: a new row, or the one kept
    from an earlier check-in (removed from the list since) written over."""
    session.connection().execute(_write_checkin(session.get_bind().dialect.name), {
        "activity_id": activity_id, "student_id": student_id, "at": at,
        "device_hash": device_hash, "client": client, "flags": flags})


def others_from_device(session: Session, activity_id: int, device_hash: str,
                       student_id: int) -> int:
    """How many other students this browser checked in at this door."""
    return int(session.connection().scalar(_others_from_device(), {
        "activity_id": activity_id, "device_hash": device_hash,
        "student_id": student_id}) or 0)


@functools.cache
def _others_from_device() -> Select[int]:
    return select(func.count()).select_from(DoorCheckin).join(
        Participation, (Participation.activity_id == DoorCheckin.activity_id)
        & (Participation.student_id == DoorCheckin.student_id)).where(
        DoorCheckin.activity_id == bindparam("activity_id"),
        DoorCheckin.device_hash == bindparam("device_hash"),
        DoorCheckin.student_id != bindparam("student_id"))


def web_checkins(session: Session, activity_id: int, since: datetime) -> int:
    """How many were checked in at the door from ``since`` on (its window's opening:
    the check-ins of that window's run)."""
    return int(session.scalar(select(func.count()).select_from(DoorCheckin).where(
        DoorCheckin.activity_id == activity_id, DoorCheckin.at >= since)) or 0)


def count_run(session: Session, head: int, activity_id: int, what: str,
              since: datetime) -> None:
    """The run's head says how many were checked in at the door in its window (from
    ``since``, the window's opening, on: a door opened again is a run of its own),
    counted by the same statement that writes it (see history.hold_summary for the lock
    it needs first)."""
    session.connection().execute(_count_run(), {
        "head": head, "activity_id": activity_id, "since": since,
        "what": f" student(s) at {what} by QR code"})


@functools.cache
def _count_run() -> Update:
    # A check-in's time is never before its window's opening: its scan was judged open.
    # A row of an earlier window is one written over since, or one of that window's.
    counted = select(func.count()).select_from(DoorCheckin).where(
        DoorCheckin.activity_id == bindparam("activity_id"),
        DoorCheckin.at >= bindparam("since")).scalar_subquery()
    summary = literal("checked in ") + cast(counted, String) + bindparam("what", type_=String)
    return (update(Change).where(Change.id == bindparam("head"))
            .values(summary=func.substr(summary, 1, SUMMARY_LENGTH)))


def waiting_scans(session: Session, device_hash: str, now: datetime) -> list[DoorScan]:
    """This browser's scans still waiting for a sign-in, oldest first."""
    return list(session.scalars(select(DoorScan).where(
        DoorScan.device_hash == device_hash, DoorScan.done_at.is_(None),
        DoorScan.expires_at > now).order_by(DoorScan.id).with_for_update()))


def forget_old_scans(session: Session, before: datetime) -> None:
    session.execute(delete(DoorScan).where(DoorScan.expires_at < before))


def live_list(session: Session, activity_id: int) -> list[Any]:
    """Everyone recorded at the activity, newest first: number, name, status, when,
    source, and the door's flags and time for a web check-in."""
    return list(session.execute(
        select(Student.number, Student.name, Participation.status, Participation.recorded_at,
               Participation.source, DoorCheckin.flags, DoorCheckin.at)
        .join(Student, Student.id == Participation.student_id)
        .outerjoin(DoorCheckin, (DoorCheckin.activity_id == Participation.activity_id)
                   & (DoorCheckin.student_id == Participation.student_id))
        .where(Participation.activity_id == activity_id)
        .order_by(func.coalesce(DoorCheckin.at, Participation.recorded_at).desc(),
                  Student.number)))


def flags_at(session: Session, activity_id: int) -> dict[str, str]:
    """Student number -> the flags of their web check-in at the activity."""
    return {number: flags for number, flags in session.execute(
        select(Student.number, DoorCheckin.flags)
        .join(Student, Student.id == DoorCheckin.student_id)
        .where(DoorCheckin.activity_id == activity_id))}


def activity_of_run(session: Session, run_head: int) -> int | None:
    """The activity whose door's check-ins by QR code are the run ``run_head``, if any."""
    return session.scalar(select(Door.activity_id).where(Door.run_head == run_head))
