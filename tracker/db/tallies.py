"""The attendance tallies: per student, kind and programme year, how many activities
were attended. Every transaction that writes participations, moves an activity or
changes a student's start month marks the students concerned; before it commits, their
tallies are counted again from the participations, in one statement. So the tallies
are never behind what a transaction committed, whichever path wrote it (a command, an
import, a check-in, an undo). On PostgreSQL a refresh locks the students it counts, not
the table (see :func:`_lock`): a room of phones checking in never queues behind one lock.

The report reads the tallies (see tracker.db.progress) when it judges today or later:
attendance can only be recorded for activities held on or before today. Without them
a report of 10,000 students counts 400,000 participations again (on SQLite 0.25 s instead
of 0.10 s), more than the whole report may take beside a plain ``GROUP BY`` script.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Delete,
    Insert,
    Integer,
    Select,
    bindparam,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session, sessionmaker

from tracker.db.models import Activity, AttendanceTally, Participation, Student
from tracker.db.progress import programme_year
from tracker.vocabulary import ParticipationStatus

_STALE = "tracker_stale_tallies"  # in Session.info: student ids, or ALL
ALL = "all"
EVERYONE_FROM = 2000  # that many students or more: count everyone again


def mark(session: Session, student_ids: Iterable[int]) -> None:
    """These students' tallies are to be counted again before the commit."""
    stale = session.info.setdefault(_STALE, set())
    if stale != ALL:
        stale.update(student_ids)
        if len(stale) >= EVERYONE_FROM:
            session.info[_STALE] = ALL


def mark_participants(session: Session, activity_ids: Iterable[int]) -> None:
    """Everyone recorded at these activities (whose kind or day changes)."""
    ids = list(activity_ids)
    if ids:
        with session.no_autoflush:
            mark(session, session.scalars(select(Participation.student_id)
                                          .where(Participation.activity_id.in_(ids))))


def refresh(session: Session) -> None:
    """Count the marked students' tallies again (before the transaction commits)."""
    session.flush()
    stale = session.info.pop(_STALE, None)
    if not stale:
        return
    if session.get_bind().dialect.name == "postgresql":
        _lock(session, stale)
    if stale != ALL:
        remove, add = _for_students()
        ids, connection = {"ids": sorted(stale)}, session.connection()
        connection.execute(remove, ids)  # (no tally is ever an object in the session)
        connection.execute(add, ids)
        return
    counted, columns = _counted()
    session.execute(delete(AttendanceTally))
    if session.get_bind().dialect.name != "sqlite":
        session.execute(insert(AttendanceTally).from_select(columns, counted))
        return
    # SQLite groups in this process's memory: counted a range of students at a time
    # (a range of the participations' key), four million sign-ins stay lean.
    highest = session.scalar(select(func.max(Participation.student_id))) or 0
    for low in range(0, highest + 1, STUDENTS_PER_COUNT):
        session.execute(insert(AttendanceTally).from_select(columns, counted.where(
            Participation.student_id.between(low, low + STUDENTS_PER_COUNT - 1))))


STUDENTS_PER_COUNT = 10_000


def _counted() -> tuple[Select[int, str, int, int], list[str]]:
    """The tallies as counted from the participations, and their columns."""
    year = programme_year().label("programme_year")
    counted = (select(Participation.student_id, Activity.kind, year, func.count())
               .join(Activity, Activity.id == Participation.activity_id)
               .join(Student, Student.id == Participation.student_id)
               .where(Participation.status == ParticipationStatus.ATTENDED)
               .group_by(Participation.student_id, Activity.kind, year))
    target = (AttendanceTally.student_id, AttendanceTally.kind,
              AttendanceTally.programme_year, AttendanceTally.attended)
    return counted, [c.key for c in target]


@functools.cache
def _for_students() -> tuple[Delete, Insert]:
    """The refresh of some students (``ids``), built once: a check-in is one of those,
    and building the statements took longer than running them."""
    ids = bindparam("ids", type_=Integer, expanding=True)
    counted, columns = _counted()
    return (delete(AttendanceTally).where(AttendanceTally.student_id.in_(ids)),
            insert(AttendanceTally).from_select(
                columns, counted.where(Participation.student_id.in_(ids))))

# PostgreSQL's advisory locks of the tallies: (STUDENT_LOCK, student id) and
# (EVERYONE_LOCK, 0). Ids of our own choosing, in a key space no table uses.
STUDENT_LOCK, EVERYONE_LOCK = 0x7A11, 0x7A12
LOCK_EACH_UP_TO = 100  # more students than that: the lock of everyone


def _lock(session: Session, stale: set[int] | str) -> None:
    """One refresh of a student's tallies at a time, each counting what the ones before it
    committed (on SQLite, writers take turns already). Check-ins of different students
    never wait for each other: each takes its students' locks, in key order (so two
    refreshes never wait for each other in a circle), and shares the lock of everyone; a
    refresh of many students takes that one alone. The locks go with the transaction."""
    if stale == ALL or len(stale) > LOCK_EACH_UP_TO:
        session.execute(text("SELECT pg_advisory_xact_lock(:everyone, 0)"),
                        {"everyone": EVERYONE_LOCK})
        return
    # One statement: for each student in key order, the shared lock (taken once, then
    # held already) and then the student's (PostgreSQL evaluates a row's expressions in
    # the order of the list).
    session.connection().execute(_LOCK_EACH, {"everyone": EVERYONE_LOCK,
                                              "student": STUDENT_LOCK, "ids": sorted(stale)})


_LOCK_EACH = text("SELECT pg_advisory_xact_lock_shared(:everyone, 0), "
                  "pg_advisory_xact_lock(:student, id) "
                  "FROM unnest(CAST(:ids AS integer[])) AS id")  # (in this order)


def watch(sessions: sessionmaker[Session]) -> None:
    """Keep the tallies of what the sessions ``sessions`` makes write (the tracker's own
    sessions; any other session in the process is none of the tallies' business)."""
    event.listen(sessions, "before_flush", _before_flush)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """What the ORM is about to write that changes a count."""
    for row in (*session.new, *session.deleted):
        if isinstance(row, Participation):
            mark(session, [row.student_id])
    for row in session.dirty:
        if isinstance(row, Participation):
            mark(session, [row.student_id])
        elif isinstance(row, Activity) and _changed(row, "kind", "held_on"):
            mark_participants(session, [row.id])
        elif isinstance(row, Student) and _changed(row, "start"):
            mark(session, [row.id])


def _changed(row: Any, *names: str) -> bool:
    from sqlalchemy import inspect

    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in names)
