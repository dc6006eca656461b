"""A scan of the door's QR code, and the check-in it makes (SPEC §9).

A scan is judged when it arrives (by the server's clock): the door open, the activity
held today, the code this door's current or previous one. A signed-in student then
presses one button; a browser not signed in keeps its scan for 10 minutes, and signing
in there completes it. Either way the participation (source ``qr``) is written by
:func:`tracker.service.attendance.write_participations`, the kiosk's and ``attend`` 's
path: one record per student, whichever way came first. Each check-in is a change of
its own, ``part_of`` the window's first one (a run: ``history`` shows the window as one
change, ``undo`` takes it away once the door closed).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tracker.db import changes, doors, history, participations, tallies
from tracker.db.engine import Database
from tracker.db.models import Activity, Door, DoorScan
from tracker.db.participations import ParticipationRow
from tracker.errors import InvalidInput
from tracker.service.attendance import Outcome, write_participations
from tracker.service.portal import TooManyRequests
from tracker.service.portal.doorcode import (
    KEPT_SCAN,
    CodeAge,
    Window,
    ends_at,
    judge_code,
    window_at,
)
from tracker.service.portal.secrets import keyed
from tracker.vocabulary import ChangeKind, ParticipationStatus

SOURCE = "qr"
SHARED_DEVICE = "shared-device"
OUTSIDE_NETWORK = "outside-network"
MOST_MISSES = 10  # bad codes a minute, per browser
# ... and per client address, for phones not signed in: a client that keeps no cookie
# (or sends a new one each time) is a new browser at every scan. A lecture hall behind
# one NAT address must still get in: each of 200 phones may scan an expired code twice
# in the same minute. A signed-in student is counted by their own browser only, so one
# device flooding the hall's address cannot lock the signed-in room out. (Guessing a code
# of 2^40 at this rate would take millennia; the browser's limit is the one a phone meets.)
MOST_MISSES_PER_CLIENT = 400
MISS_WINDOW = timedelta(minutes=1)
NOBODY = ""  # the address of a signed-in phone: no row is kept under it


class Refused(InvalidInput):
    """A scan or check-in refused, in a sentence; ``bad_code`` when the code was wrong
    (counted towards the browser's limit)."""

    def __init__(self, sentence: str, *, bad_code: bool = False) -> None:
        super().__init__(sentence)
        self.bad_code = bad_code


@dataclass(frozen=True)
class Scan:
    """A scan judged good at ``scanned_at``."""

    activity_id: int
    title: str
    scanned_at: datetime


@dataclass(frozen=True)
class CheckedIn:
    activity_id: int
    title: str
    at: datetime  # when this check-in was made, or the earlier one
    already: bool
    flags: tuple[str, ...] = ()


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


_UNREAD = object()


def _judge(connection: Connection, activity_id: int, code: str | None, at: datetime,
           today: date, read: Any = _UNREAD) -> Any:
    """The activity and its door as :func:`tracker.db.doors.with_activity` reads them
    (or ``read``, read so already), for a scan at ``at``; Refused with the reason
    otherwise (``code`` None: a kept scan, whose code was judged when it came)."""
    found = doors.with_activity(connection, activity_id) if read is _UNREAD else read
    if found is not None and found.held_on != today:
        raise Refused(f"{found.title} is not held today (it is on {found.held_on}): "
                      "check-in works only on the day itself.")
    if found is None or found.door is None:
        raise Refused("Check-in by QR code is not open for this activity. Scan the code on "
                      "the screen in your room.", bad_code=found is None)
    what = found.title
    window = window_at(found.opened_at, found.closes_at, found.closed_at, at)
    if window == Window.NOT_OPEN:
        raise Refused(f"Check-in for {what} is not open yet: wait until the coordinator "
                      "opens it, then scan the code on the screen.")
    if window == Window.CLOSED:
        raise Refused(f"Check-in for {what} closed at "
                      f"{_clock(ends_at(found.closes_at, found.closed_at))}. If you were "
                      "there, tell the coordinator.")
    if code is None:
        return found
    age = judge_code(bytes.fromhex(found.code_key), activity_id, code, at)
    if age == CodeAge.EXPIRED:
        raise Refused("This code has expired: the code on the screen changes every 10 "
                      "seconds. Scan it again.", bad_code=True)
    if age == CodeAge.UNKNOWN:
        for other, key in doors.open_door_keys(connection, at):
            if other != activity_id and judge_code(bytes.fromhex(key), other, code, at) \
                    == CodeAge.GOOD:
                raise Refused(f"This is not the code of {what}: it belongs to another "
                              "activity. Scan the code on the screen in your own room.",
                              bad_code=True)
        raise Refused(f"This is not a check-in code of {what}. Scan the code on the screen "
                      "again.", bad_code=True)
    return found


def client_hash(key: bytes, client: str) -> str:
    """How a client address's bad codes are kept: keyed with the portal's key (an
    address is personal data, and a plain hash of one is undone by trying them all); an
    IPv6 address by its /64 network, within which a client may take any address."""
    named = client  # ("unknown": no address known)
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        pass
    else:
        named = str(address)
        if isinstance(address, ipaddress.IPv6Address):
            named = (str(address.ipv4_mapped) if address.ipv4_mapped is not None
                     else str(ipaddress.ip_network(f"{address}/64", strict=False)))
    return keyed(key, "door-miss-client", named)


def judge_scan(db: Database, activity_id: int, code: str, browser_hash: str,
               now: datetime, today: date, *, client_hash: str | None) -> Scan:
    """A scan as it arrives: good, or Refused (a wrong code is counted for the browser's
    limit and for its address's, ``client_hash`` of :func:`client_hash`; past either,
    TooManyRequests before anything is judged). ``client_hash`` None: a signed-in
    student's phone, which only its own limit stops."""
    address = client_hash
    try:
        with db.reading() as connection:  # (two reads, each of what was committed)
            misses, from_client, found = doors.misses_and_activity(
                connection, browser_hash, address or NOBODY, now - MISS_WINDOW, activity_id)
            if misses >= MOST_MISSES:
                raise TooManyRequests(f"That was more than {MOST_MISSES} wrong check-in "
                                      "codes in a minute from this browser. Wait a minute, "
                                      "then scan the code on the screen again.")
            if from_client >= MOST_MISSES_PER_CLIENT:
                raise TooManyRequests(f"That was more than {MOST_MISSES_PER_CLIENT} wrong "
                                      "check-in codes in a minute from your network. Sign "
                                      "in on the portal's front page, then scan the code on "
                                      "the screen again: a signed-in phone is counted on "
                                      "its own.")
            found = _judge(connection, activity_id, code, now, today, found)
            return Scan(found.id, found.title, now)
    except Refused as refusal:
        if refusal.bad_code:
            with db.transaction() as session:
                doors.miss(session, browser_hash, address, now, now - MISS_WINDOW)
        raise


def check_in(db: Database, scan: Scan, code: str, student_id: int, *, device_hash: str,
             client: str, flags: frozenset[str] = frozenset(), now: datetime,
             today: date) -> CheckedIn:
    """The button's check-in of a scan judged at ``scan.scanned_at`` (at most 10
    minutes ago): judged again at that moment, then written."""
    _in_time(scan, now)
    try:
        with db.transaction() as session:
            found = _judge(session.connection(), scan.activity_id, code, scan.scanned_at,
                           today)
            return _record(session, found, student_id, device_hash, client, flags, now)
    except _Already as already:
        return already.answer


def _in_time(scan: Scan, now: datetime) -> None:
    if not scan.scanned_at <= now <= scan.scanned_at + KEPT_SCAN:
        raise Refused("This scan is more than 10 minutes old. Scan the code on the screen "
                      "again.")


def check_kept(db: Database, scan: Scan, code: str, now: datetime, today: date) -> None:
    """A scan about to be kept for a sign-in, judged again at the moment it was made."""
    _in_time(scan, now)
    with db.reading() as connection:
        _judge(connection, scan.activity_id, code, scan.scanned_at, today)


def keep_scan(db: Database, scan: Scan, *, device_hash: str, client: str,
              now: datetime) -> None:
    """A browser not signed in: its scan waits 10 minutes for a sign-in there."""
    with db.transaction() as session:
        doors.forget_old_scans(session, now)
        session.add(DoorScan(activity_id=scan.activity_id, device_hash=device_hash,
                             client=client[:64], scanned_at=scan.scanned_at,
                             expires_at=scan.scanned_at + KEPT_SCAN))


def complete_waiting(db: Database, device_hash: str, student_id: int, *, client: str,
                     flags: frozenset[str] = frozenset(), now: datetime,
                     today: date) -> list[CheckedIn | Refused]:
    """After a sign-in: the scans this browser kept, checked in as they were judged
    when scanned (each refusal said, not raised)."""
    done: list[CheckedIn | Refused] = []
    with db.transaction() as session:
        waiting = doors.waiting_scans(session, device_hash, now)
        for scan in waiting:
            scan.done_at = now
        ids = [(s.activity_id, s.scanned_at) for s in waiting]
    for activity_id, scanned_at in dict(ids).items():  # one check-in per door
        try:
            with db.transaction() as session:
                found = _judge(session.connection(), activity_id, None, scanned_at, today)
                done.append(_record(session, found, student_id, device_hash, client, flags,
                                    now))
        except _Already as already:
            done.append(already.answer)
        except Refused as refusal:
            done.append(refusal)
    return done


class _Already(Exception):
    """Recorded already (by the kiosk, a sheet or another tab): roll back, answer so."""

    def __init__(self, answer: CheckedIn) -> None:
        super().__init__(answer.title)
        self.answer = answer


def _record(session: Session, found: Any, student_id: int, device_hash: str, client: str,
            flags: frozenset[str], now: datetime) -> CheckedIn:
    """Check-ins of a room run side by side: the door is only read; "each student once"
    is the participation's unique key; a device's check-ins take turns (its flag); the
    run's first change is made under the door's lock, and its count under its own, last,
    held only for the commit."""
    activity_id, title = found.id, found.title
    student = doors.student_at(session, student_id, activity_id)
    if student is None:  # (erased since the sign-in)
        raise Refused("You are not registered (any more); ask your coordinator.")
    if student.status == ParticipationStatus.ATTENDED:  # (None: not recorded there)
        raise _Already(_earlier(session, activity_id, title, student.id,
                                student.recorded_at))
    head: int | None = None if found.undone_by is not None else found.run_head
    door: Door | None = None
    if head is None:  # the window's first check-in (or the first since its run was undone)
        door = doors.door(session, activity_id, lock=True)  # one opens the run
        if door is None:  # (removed a moment ago)
            raise Refused("Check-in by QR code is not open for this activity. Scan the code "
                          "on the screen in your room.")
        head = _run_head(session, door)
    what = f"#{activity_id} {title}"
    # The run's first change is an object (it will say the whole run, and when it ends);
    # every other check-in's is written as it is.
    change = history.open_change(session, ChangeKind.CHECKIN, found.opened_by) \
        if head is None else history.write_change(
            session, ChangeKind.CHECKIN, found.opened_by,
            f"checked in {student.number} at {what} by QR code", part_of=head)
    [written] = write_participations(session, change, [ParticipationRow(
        student.id, activity_id, ParticipationStatus.ATTENDED.value, SOURCE)])
    if written.outcome in (Outcome.UNCHANGED, Outcome.CONFLICT):  # a kiosk, a moment ago
        raise _Already(_earlier(session, activity_id, title, student.id, now))
    words = set(flags)
    doors.device_takes_turns(session, device_hash)
    if doors.others_from_device(session, activity_id, device_hash, student.id):
        words.add(SHARED_DEVICE)
    marked = " ".join(sorted(words))
    # (a row there already: removed from the list earlier, and back)
    doors.write_checkin(session, activity_id, student.id, at=now, device_hash=device_hash,
                        client=client[:64], flags=marked)
    tallies.refresh(session)  # now, not at the commit: the run's head is locked last
    if door is not None and head is None:
        door.run_head = change.id
        change.open_until = ends_at(door.closes_at, door.closed_at)
        change.summary = _whole(session, activity_id, what,
                                door.opened_at)[:history.SUMMARY_LENGTH]
    elif head is not None:
        history.hold_summary(session, head)  # the count: each check-in's counts the last
        doors.count_run(session, head, activity_id, what, found.opened_at)
    return CheckedIn(activity_id, title, now, False, tuple(sorted(words)))


def _run_head(session: Session, found: Door) -> int | None:
    """The first change of the window's run, unless that run was undone."""
    head = found.run_head
    if head is not None and changes.undone_by(session, head) is not None:
        return None  # that run was undone: the door's check-ins start a new one
    return head


def _whole(session: Session, activity_id: int, what: str, opened_at: datetime) -> str:
    """The run's words: the check-ins of its window (the door's, since it opened)."""
    return f"checked in {doors.web_checkins(session, activity_id, opened_at)} student(s) " \
        f"at {what} by QR code"


def _earlier(session: Session, activity_id: int, title: str, student_id: int,
             recorded_at: datetime) -> CheckedIn:
    row = doors.checkin(session, activity_id, student_id)
    return CheckedIn(activity_id, title, row.at if row is not None else recorded_at, True)


def checked_in_at(db: Database, student_id: int, activity_id: int) -> CheckedIn | None:
    """The student's own check-in at an activity (for the page after it), if any."""
    with db.transaction(read_only=True) as session:
        activity = session.get(Activity, activity_id)
        held = participations.at_activity(session, activity_id, [student_id]).get(student_id)
        if activity is None or held is None or held.status != ParticipationStatus.ATTENDED:
            return None
        return _earlier(session, activity_id, activity.title, student_id, held.recorded_at)
