"""A door: check-in by QR code opened for an activity held today (SPEC §9).

``open_door`` makes the window, a new key for its codes and a new projector link;
``close_door`` ends it, and with it the link and every code. The projector's link is
``/door/<secret>``: the secret is keyed from the portal's key and a random value of the
door's, kept only as its SHA-256 hash and found by it, so the coordinator can be shown
the link again but the database does not hold it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from tracker.db import activities, changes, doors, history
from tracker.db.engine import Database
from tracker.db.models import Activity, Door
from tracker.errors import InvalidInput, NotFound
from tracker.service.activities import ActivityView
from tracker.service.portal.doorcode import Window, current_code, ends_at, window_at
from tracker.service.portal.secrets import digest, keyed, portal_key

DEFAULT_MINUTES = 120
MOST_MINUTES = 12 * 60


@dataclass(frozen=True)
class DoorState:
    """An activity's door as the coordinator sees it."""

    activity: ActivityView
    window: Window
    opened_at: datetime | None
    ends_at: datetime | None
    link: str | None  # /door/<secret> while open
    count: int  # attended so far, by any way in


@dataclass(frozen=True)
class Opened:
    state: DoorState
    already: bool  # it was open: nothing changed


def projector_secret(key: bytes, door: Door) -> str:
    return keyed(key, "projector", f"{door.activity_id}:{door.link_nonce}")


def require_today(activity: Activity, today: date) -> None:
    if activity.held_on != today:
        raise InvalidInput(f"activity #{activity.id} {activity.title} is on "
                           f"{activity.held_on}, not today ({today}): check-in by QR code "
                           "opens only on the day an activity is held")


def check_minutes(minutes: int) -> int:
    if not 1 <= minutes <= MOST_MINUTES:
        raise InvalidInput(f"--minutes {minutes}: say how long check-in stays open, 1 to "
                           f"{MOST_MINUTES} minutes")
    return minutes


def open_door(db: Database, activity_id: int, *, minutes: int = DEFAULT_MINUTES,
              by: str | None = None, now: datetime, today: date) -> Opened:
    """Open check-in for ``minutes``; a door open already stays as it is (same link)."""
    check_minutes(minutes)
    who = history.actor(by)
    key = portal_key(db)
    with db.transaction() as session:
        activity = activities.require(session, activity_id)
        require_today(activity, today)
        found = doors.door(session, activity_id, lock=True)
        if found is not None and _window(found, now) == Window.OPEN:
            return Opened(_state(session, key, activity, found, now), already=True)
        if found is None:
            found = Door(activity_id=activity_id)
            session.add(found)
        found.link_nonce = secrets.token_hex(32)
        found.code_key = secrets.token_hex(32)
        found.link_hash = digest(projector_secret(key, found))
        found.opened_at, found.closes_at = now, now + timedelta(minutes=minutes)
        found.closed_at, found.run_head, found.opened_by = None, None, who
        session.flush()
        return Opened(_state(session, key, activity, found, now), already=False)


def close_door(db: Database, activity_id: int, *, now: datetime) -> tuple[DoorState, bool]:
    """Close check-in now: the link and every code die. (state, whether it was open)."""
    key = portal_key(db)
    with db.transaction() as session:
        activity = activities.require(session, activity_id)
        found = doors.door(session, activity_id, lock=True)
        if found is None or _window(found, now) != Window.OPEN:
            return door_state_of(session, key, activity, found, now), False
        found.closed_at = now
        if found.run_head is not None:  # the window's check-ins may be undone from now on
            changes.hold_open(session, found.run_head, None)
        return _state(session, key, activity, found, now), True


def door_state(db: Database, activity_id: int, now: datetime) -> DoorState:
    key = portal_key(db)
    with db.transaction(read_only=True) as session:
        activity = activities.require(session, activity_id)
        return door_state_of(session, key, activity, doors.door(session, activity_id), now)


def door_state_of(session: Session, key: bytes, activity: Activity, found: Door | None,
                  now: datetime) -> DoorState:
    if found is None:
        return DoorState(ActivityView.of(activity), Window.NOT_OPEN, None, None, None,
                         doors.attended_count(session, activity.id))
    return _state(session, key, activity, found, now)


def _state(session: Session, key: bytes, activity: Activity, found: Door,
           now: datetime) -> DoorState:
    window = _window(found, now)
    link = f"/door/{projector_secret(key, found)}" if window == Window.OPEN else None
    return DoorState(ActivityView.of(activity), window, found.opened_at,
                     ends_at(found.closes_at, found.closed_at), link,
                     doors.attended_count(session, activity.id))


def _window(found: Door, now: datetime) -> Window:
    return window_at(found.opened_at, found.closes_at, found.closed_at, now)


@dataclass(frozen=True)
class Projector:
    """What the screen by the door shows: no names, the code, the title, the count."""

    activity_id: int
    title: str
    code: str
    count: int
    ends_at: datetime


def projector(db: Database, secret: str, now: datetime) -> Projector:
    """The projector's view; NotFound for a wrong link or a door no longer open."""
    with db.transaction(read_only=True) as session:
        found = doors.by_link(session, digest(secret))
        if found is None or _window(found, now) != Window.OPEN:
            raise NotFound("no door is open at this address")
        activity = session.get(Activity, found.activity_id)
        assert activity is not None  # the door goes with its activity
        return Projector(found.activity_id, activity.title,
                         current_code(bytes.fromhex(found.code_key), found.activity_id, now),
                         doors.attended_count(session, found.activity_id),
                         ends_at(found.closes_at, found.closed_at))


def code_now(db: Database, activity_id: int, now: datetime) -> str:
    """The code an open door shows at ``now`` (for a benchmark or a test: what a phone
    would read off the screen)."""
    with db.transaction(read_only=True) as session:
        found = doors.door(session, activity_id)
        if found is None or _window(found, now) != Window.OPEN:
            raise InvalidInput(f"check-in for activity #{activity_id} is not open")
        return current_code(bytes.fromhex(found.code_key), activity_id, now)


@dataclass(frozen=True)
class Present:
    """One student recorded at the activity, as the coordinator's live list shows them."""

    number: str
    name: str
    status: str
    at: datetime  # the door's check-in, else when the record was made
    source: str  # qr, checkin, typed, a file's line
    flags: tuple[str, ...]


def present(db: Database, activity_id: int) -> list[Present]:
    """Everyone recorded at the activity, newest first, with their flags."""
    with db.transaction(read_only=True) as session:
        activities.require(session, activity_id)
        return [Present(number, name, status, door_at or recorded_at, source,
                        tuple((flags or "").split()))
                for number, name, status, recorded_at, source, flags, door_at
                in doors.live_list(session, activity_id)]
