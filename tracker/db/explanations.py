"""What explains a student's standing, for one student or many at once: the activities
they were at (of the kinds the rules count) and the state of their assignments.

Read for everyone that ``which`` selects in one statement each, so that a reminder run
over a cohort tells every student the whole story at the cost of two queries.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from tracker.db.models import Activity, AssignmentRecord, Participation, Student


def activities_of_kinds(session: Session, kinds: Collection[str]) \
        -> dict[int, tuple[str, date, str]]:
    """Every activity of these kinds: id -> (kind, date, title)."""
    if not kinds:
        return {}
    return {id_: (kind, held_on, title) for id_, kind, held_on, title in session.execute(
        select(Activity.id, Activity.kind, Activity.held_on, Activity.title)
        .where(Activity.kind.in_(sorted(kinds))))}


def participations(session: Session, which: ColumnElement[bool],
                   kinds: Collection[str]) -> Iterator[tuple[int, int, str]]:
    """(student id, activity id, status) of every participation of ``which`` students
    in an activity of these kinds."""
    if not kinds:
        return
    yield from session.execute(
        select(Participation.student_id, Participation.activity_id, Participation.status)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Student, Student.id == Participation.student_id)
        .where(which, Activity.kind.in_(sorted(kinds))))


def participations_with_activities(session: Session, which: ColumnElement[bool],
                                   kinds: Collection[str]) \
        -> Iterator[tuple[int, int, str, str, date, str]]:
    """What :func:`participations` gives, each with its activity's (kind, date, title):
    one query for a few students, instead of also reading every activity of the kinds."""
    if not kinds:
        return
    yield from session.execute(
        select(Participation.student_id, Participation.activity_id, Participation.status,
               Activity.kind, Activity.held_on, Activity.title)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(Student, Student.id == Participation.student_id)
        .where(which, Activity.kind.in_(sorted(kinds))))


def assignment_states(session: Session, which: ColumnElement[bool]) \
        -> Iterator[tuple[int, int, str, date | None, date | None, str | None]]:
    """(student id, assignment number, status, submitted on, decided on, feedback) of
    every assignment record of ``which`` students."""
    yield from session.execute(
        select(AssignmentRecord.student_id, AssignmentRecord.number, AssignmentRecord.status,
               AssignmentRecord.submitted_on, AssignmentRecord.decided_on,
               AssignmentRecord.feedback)
        .join(Student, Student.id == AssignmentRecord.student_id)
        .where(which))
