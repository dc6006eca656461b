"""The aggregate queries behind progress and reports: counts in SQL, never rows in Python.

``progress`` (one student) and ``report`` (many) run the same queries, narrowed by
``which``: they cannot drift apart.

Attendance is counted per (student, kind, programme year); the rules then decide over
those few numbers. Programme years come from the month numbers kept on activities and
students, so the database does integer arithmetic, not date functions, per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from tracker.db import statements
from tracker.db.models import (
    Activity,
    AssignmentRecord,
    AttendanceTally,
    Participation,
    Student,
    Waiver,
)
from tracker.db.which import Which
from tracker.vocabulary import AssignmentStatus, ParticipationStatus


@dataclass(frozen=True, slots=True)
class Enrolled:
    """A student as progress and reports need them."""

    id: int
    number: str
    name: str
    start: date
    status: str
    rules_override: str | None


def enrolled(session: Session, which: Which) -> list[Enrolled]:
    return [Enrolled(*row) for row in statements.rows(session, _enrolled(which.condition),
                                                      which.values)]


@statements.kept
def _enrolled(which: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (select(Student.id, Student.number, Student.name, Student.start, Student.status,
                   Student.rules_override).where(which).order_by(Student.start, Student.number))


def programme_year() -> ColumnElement[int]:
    """The programme year of an activity for a student: 1 for the first twelve months
    from the start month, 0 before the start."""
    months = Activity.month_number - Student.start_month_number
    return case((months < 0, 0), else_=months // 12 + 1)


Column = tuple[str, int | None]
"""A count a report needs: attended activities of a kind, in one programme year or
(None) in all from the start month on."""


def attendance_by_student(session: Session, as_of: date, which: Which,
                          columns: Sequence[Column]) -> Iterator[tuple[Any, ...]]:
    """One row per student with attendance: (student id, one count per column).

    Grouped by student alone, the database streams through the covering index
    instead of sorting every (student, kind, year), and ``count(*) FILTER`` skips
    what a column does not count: the cheapest aggregate that answers every rule.
    """
    yield from statements.rows(session, _attendance(which.condition, tuple(columns)),
                               which.bound(as_of=as_of))


@statements.kept
def _attendance(which: ColumnElement[bool],
                columns: tuple[Column, ...]) -> Select[*tuple[Any, ...]]:
    year = programme_year()
    since_start = Activity.month_number >= Student.start_month_number
    counts = []
    for kind, in_year in columns:
        wanted = and_(Activity.kind == kind, since_start if in_year is None
                      else year == in_year)
        counts.append(func.count().filter(wanted))  # FILTER: SQLite 3.30+, PostgreSQL
    return (
        select(Participation.student_id, *counts)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Student, Student.id == Participation.student_id)
        .where(which, Participation.status == ParticipationStatus.ATTENDED,
               Activity.held_on <= bindparam("as_of"))
        .group_by(Participation.student_id)
    )


def tallies_by_student(session: Session, which: Which,
                       columns: Sequence[Column]) -> Iterator[tuple[Any, ...]]:
    """What :func:`attendance_by_student` gives, read from the attendance tallies: a few
    rows per student instead of every participation. Right for any day from today on
    (attendance is recorded for activities held up to today)."""
    yield from statements.rows(session, _tallies(which.condition, tuple(columns)),
                               which.values)


@statements.kept
def _tallies(which: ColumnElement[bool],
             columns: tuple[Column, ...]) -> Select[*tuple[Any, ...]]:
    tally = AttendanceTally
    return (select(tally.student_id, *_sums(columns))
            .join(Student, Student.id == tally.student_id)
            .where(which).group_by(tally.student_id))


@lru_cache(maxsize=16)
def _sums(columns: tuple[Column, ...]) -> tuple[ColumnElement[Any], ...]:
    """The tallies' sums for ``columns`` (the same for every condition)."""
    tally = AttendanceTally
    return tuple(func.sum(tally.attended).filter(
        tally.kind == kind,
        tally.programme_year >= 1 if in_year is None else tally.programme_year == in_year)
        for kind, in_year in columns)


def approvals(session: Session, as_of: date, which: Which) \
        -> Iterator[tuple[int, int, date]]:
    """(student id, assignment number, date approved) approved on or before ``as_of``."""
    for student_id, number, decided_on in statements.rows(
            session, _approvals(which.condition), which.bound(as_of=as_of)):
        if decided_on is not None:
            yield student_id, number, decided_on


@statements.kept
def _approvals(which: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (
        select(AssignmentRecord.student_id, AssignmentRecord.number, AssignmentRecord.decided_on)
        .join(Student, Student.id == AssignmentRecord.student_id)
        .where(which, AssignmentRecord.status == AssignmentStatus.APPROVED,
               AssignmentRecord.decided_on <= bindparam("as_of"))
    )


def waivers(session: Session, as_of: date, which: Which) \
        -> Iterator[tuple[int, str, str]]:
    """(student id, requirement id, reason) of the waivers made on or before ``as_of``
    (a day in UTC)."""
    until = datetime.combine(as_of + timedelta(days=1), time(), UTC)
    yield from statements.rows(session, _waivers(which.condition), which.bound(until=until))


@statements.kept
def _waivers(which: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (select(Waiver.student_id, Waiver.requirement, Waiver.reason)
            .join(Student, Student.id == Waiver.student_id)
            .where(which, Waiver.waived_at < bindparam("until", type_=Waiver.waived_at.type)))


def taken_upcoming(session: Session, as_of: date, activity_ids: Sequence[int],
                   which: Which) -> dict[int, frozenset[int]]:
    """For ``which`` students: the upcoming activities that cannot add anything to what
    they have done on ``as_of``: excused from ahead, or attended and counted already
    (held that day)."""
    if not activity_ids:
        return {}
    taken: dict[int, set[int]] = {}
    for student_id, activity_id in statements.rows(
            session, _taken(which.condition),
            which.bound(activity_ids=list(activity_ids), as_of=as_of)):
        taken.setdefault(student_id, set()).add(activity_id)
    return {student_id: frozenset(ids) for student_id, ids in taken.items()}


@statements.kept
def _taken(which: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (select(Participation.student_id, Participation.activity_id)
            .join(Student, Student.id == Participation.student_id)
            .join(Activity, Activity.id == Participation.activity_id)
            .where(which, Participation.activity_id.in_(bindparam("activity_ids",
                                                                  expanding=True)),
                   or_(Participation.status == ParticipationStatus.EXCUSED,
                       Activity.held_on <= bindparam("as_of"))))
