"""The aggregate queries behind progress and reports: counts in SQL, never rows in Python.

Attendance is counted per (student, kind, month since the student's start month), the
grain programme years are made of; the rules then decide over those few numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import ColumnElement, Integer, cast, extract, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tracker.db.models import Activity, AssignmentRecord, Participation, Student


def _month_index(day: ColumnElement[date] | InstrumentedAttribute[date]) \
        -> ColumnElement[int]:
    return cast(extract("year", day) * 12 + extract("month", day), Integer)


def attendance_tallies(session: Session, as_of: date, which: ColumnElement[bool]) \
        -> Iterator[tuple[int, str, int, int]]:
    """(student id, kind, months after the start month, attended count) for ``which``
    students, counting activities held on or before ``as_of``."""
    month = (_month_index(Activity.held_on) - _month_index(Student.start)).label("month")
    query = (
        select(Participation.student_id, Activity.kind, month, func.count())
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Student, Student.id == Participation.student_id)
        .where(which, Participation.status == "attended", Activity.held_on <= as_of)
        .group_by(Participation.student_id, Activity.kind, month)
    )
    for student_id, kind, offset, count in session.execute(query):
        yield student_id, kind, int(offset), int(count)


def approvals(session: Session, as_of: date, which: ColumnElement[bool]) \
        -> Iterator[tuple[int, int, date]]:
    """(student id, assignment number, date approved) approved on or before ``as_of``."""
    query = (
        select(AssignmentRecord.student_id, AssignmentRecord.number, AssignmentRecord.decided_on)
        .join(Student, Student.id == AssignmentRecord.student_id)
        .where(which, AssignmentRecord.status == "approved",
               AssignmentRecord.decided_on <= as_of)
    )
    for student_id, number, decided_on in session.execute(query):
        if decided_on is not None:
            yield student_id, number, decided_on


def upcoming_activities(session: Session, after: date, kinds: set[str], student_id: int,
                        limit: int = 200) -> list[Activity]:
    """Scheduled activities of ``kinds`` after ``after`` the student is not yet down for."""
    if not kinds:
        return []
    taken = select(Participation.activity_id).where(Participation.student_id == student_id)
    return list(session.scalars(
        select(Activity)
        .where(Activity.kind.in_(kinds), Activity.held_on > after, Activity.id.not_in(taken))
        .order_by(Activity.held_on, Activity.id)
        .limit(limit)
    ))
