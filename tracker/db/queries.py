"""The aggregate queries behind progress and reports: counts in SQL, never rows in Python.

Attendance is counted per (student, kind, programme year); the rules then decide over
those few numbers. Programme years come from the month numbers kept on activities and
students, so the database does integer arithmetic, not date functions, per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from tracker.db.models import Activity, AssignmentRecord, Participation, Student


def programme_year() -> ColumnElement[int]:
    """The programme year of an activity for a student: 1 for the first twelve months
    from the start month, 0 before the start."""
    months = Activity.month_number - Student.start_month_number
    return case((months < 0, 0), else_=months // 12 + 1)


def attendance_tallies(session: Session, as_of: date, which: ColumnElement[bool]) \
        -> Iterator[tuple[int, str, int, int]]:
    """(student id, kind, programme year, attended count) for ``which`` students,
    counting activities held on or before ``as_of``."""
    year = programme_year().label("year")
    query = (
        select(Participation.student_id, Activity.kind, year, func.count())
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Student, Student.id == Participation.student_id)
        .where(which, Participation.status == "attended", Activity.held_on <= as_of)
        .group_by(Participation.student_id, Activity.kind, year)
    )
    for student_id, kind, programme_year_, count in session.execute(query):  # noqa: UP028
        yield student_id, kind, programme_year_, count  # plain tuples, not Rows


Column = tuple[str, int | None]
"""A count a report needs: attended activities of a kind, in one programme year or
(None) in all."""


def attendance_by_student(session: Session, as_of: date, which: ColumnElement[bool],
                          columns: Sequence[Column]) -> Iterator[tuple[Any, ...]]:
    """One row per student with attendance: (student id, one count per column).

    Grouped by student alone, the database streams through the covering index
    instead of sorting every (student, kind, year), and ``count(*) FILTER`` skips
    what a column does not count: the cheapest aggregate that answers every rule.
    """
    year = programme_year()
    counts = []
    for kind, in_year in columns:
        wanted = Activity.kind == kind if in_year is None else and_(
            Activity.kind == kind, year == in_year)
        counts.append(func.count().filter(wanted))  # FILTER: SQLite 3.30+, PostgreSQL
    query = (
        select(Participation.student_id, *counts)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Student, Student.id == Participation.student_id)
        .where(which, Participation.status == "attended", Activity.held_on <= as_of)
        .group_by(Participation.student_id)
    )
    yield from session.execute(query)


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
