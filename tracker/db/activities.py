"""Queries about activities."""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from tracker.db import statements
from tracker.db.models import Activity, Participation, Student
from tracker.db.which import Which
from tracker.errors import NotFound
from tracker.vocabulary import ParticipationStatus


@dataclass(frozen=True, slots=True)
class Scheduled:
    """An activity as a loop over many rows needs it: plain values, no ORM attributes."""

    id: int
    kind: str
    held_on: date
    title: str


def require(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"no activity #{activity_id}: `tracker activity list` shows them")
    return activity


def by_key(session: Session, kind: str, held_on: date, title: str) -> Activity | None:
    return session.scalars(select(Activity).where(
        Activity.kind == kind, Activity.held_on == held_on, Activity.title == title)).first()


def keys(session: Session) -> set[tuple[str, date, str]]:
    """(kind, day, title) of every activity: what makes an activity the same one."""
    return {(kind, held_on, title) for kind, held_on, title in session.execute(
        select(Activity.kind, Activity.held_on, Activity.title))}


def schedule(session: Session) -> list[Scheduled]:
    return [Scheduled(*row) for row in session.execute(
        select(Activity.id, Activity.kind, Activity.held_on, Activity.title))]


def listing(session: Session, kind: str | None, start: date | None,
            end: date | None) -> list[tuple[Activity, int]]:
    """Activities by date, each with how many attended (counted in one pass over the
    participations, which are kept in student order)."""
    counts = (select(Participation.activity_id, func.count().label("attended"))
              .where(Participation.status == ParticipationStatus.ATTENDED)
              .group_by(Participation.activity_id).subquery())
    query = (select(Activity, func.coalesce(counts.c.attended, 0))
             .outerjoin(counts, counts.c.activity_id == Activity.id)
             .order_by(Activity.held_on, Activity.id))
    if kind is not None:
        query = query.where(Activity.kind == kind)
    if start is not None:
        query = query.where(Activity.held_on >= start)
    if end is not None:
        query = query.where(Activity.held_on <= end)
    return [(activity, count) for activity, count in session.execute(query)]


def coming(session: Session, from_day: date, kinds: Collection[str]) \
        -> list[Row[int, str, date, str]]:
    """(id, kind, held_on, title) of the activities of ``kinds`` held on or after
    ``from_day``, by date (columns, not objects: every page of a student asks)."""
    if not kinds:
        return []
    return list(statements.rows(session, _coming(), {"kinds": sorted(kinds),
                                                     "from_day": from_day}))


@functools.cache
def _coming() -> Select[int, str, date, str]:
    return (select(Activity.id, Activity.kind, Activity.held_on, Activity.title)
            .where(Activity.kind.in_(bindparam("kinds", expanding=True)),
                   Activity.held_on >= bindparam("from_day"))
            .order_by(Activity.held_on, Activity.id))


def turnout(session: Session, which: Which,
            until: date) -> list[tuple[int, str, date, str, int]]:
    """(id, kind, day, title, how many of ``which`` students attended) of every activity
    held up to ``until`` that any of them attended, by date."""
    query = (select(Activity.id, Activity.kind, Activity.held_on, Activity.title, func.count())
             .join(Participation, Participation.activity_id == Activity.id)
             .join(Student, Student.id == Participation.student_id)
             .where(which.condition, Participation.status == ParticipationStatus.ATTENDED,
                    Activity.held_on <= until)
             .group_by(Activity.id).order_by(Activity.held_on, Activity.id))
    return [(id_, kind, held_on, title, count)
            for id_, kind, held_on, title, count in session.execute(query, which.values)]


def attendees(session: Session, activity_id: int) \
        -> list[tuple[str, str, str, str | None, str, tuple[str, ...]]]:
    """(student number, name, status, note, source, flags) of everyone recorded at an
    activity; the flags are the door's, for a check-in by QR code."""
    from tracker.db.models import DoorCheckin  # (only this listing reads the door's table)

    query = (select(Student.number, Student.name, Participation.status, Participation.note,
                    Participation.source, DoorCheckin.flags)
             .join(Student, Student.id == Participation.student_id)
             .outerjoin(DoorCheckin, (DoorCheckin.activity_id == Participation.activity_id)
                        & (DoorCheckin.student_id == Participation.student_id))
             .where(Participation.activity_id == activity_id)
             .order_by(Student.number))
    return [(number, name, status, note, source, tuple((flags or "").split()))
            for number, name, status, note, source, flags in session.execute(query)]


def participations_at(session: Session, activity_id: int) -> list[Participation]:
    return list(session.scalars(select(Participation)
                                .where(Participation.activity_id == activity_id)))
