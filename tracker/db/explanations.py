"""What explains a student's standing, for one student or many at once: the activities
they were at (of the kinds the rules count) and the state of their assignments.

Read for everyone that ``which`` selects in one statement each, so that a reminder run
over a cohort tells every student the whole story at the cost of two queries (three
with the activities), the participations grouped per student by the database: one row
per student, not one per participation.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tracker.db import statements
from tracker.db.models import Activity, AssignmentRecord, Participation, Student
from tracker.db.which import Which
from tracker.vocabulary import ParticipationStatus

STATUSES = tuple(status.value for status in ParticipationStatus)
"""The columns of :func:`participations_grouped` after the student's id, in order."""


_KINDS: BindParameter[str] = bindparam("kinds", expanding=True)
Rows = Select[*tuple[Any, ...]]  # a statement kept per condition


def activities_of_kinds(session: Session, kinds: Collection[str]) \
        -> dict[int, tuple[str, date, str]]:
    """Every activity of these kinds: id -> (kind, date, title)."""
    if not kinds:
        return {}
    return {id_: (kind, held_on, title) for id_, kind, held_on, title in session.execute(
        select(Activity.id, Activity.kind, Activity.held_on, Activity.title)
        .where(Activity.kind.in_(sorted(kinds))))}


def participations(session: Session, which: Which,
                   kinds: Collection[str]) -> Iterator[tuple[int, int, str]]:
    """(student id, activity id, status) of every participation of ``which`` students
    in an activity of these kinds."""
    return _of_kinds(session, _participations, which, kinds)


def participations_grouped(session: Session, which: Which,
                           kinds: Collection[str]) -> Iterator[tuple[Any, ...]]:
    """What :func:`participations` gives, one row per student: (student id, then per
    status of :data:`STATUSES` the ids of the activities with that status, joined by
    commas, in no order; None when none). The database groups them: a cohort of ten
    thousand students is ten thousand rows, not the four hundred thousand of their
    participations."""
    return _of_kinds(session, _grouped, which, kinds)


# A cohort's grouped participations as one text: a student's fields apart by US, the
# students by RS (neither is in an activity id or in a number the database writes).
_FIELD, _RECORD = "\x1f", "\x1e"


def participations_grouped_at_once(connection: Connection, which: Which,
                                   kinds: Collection[str]) -> dict[int, tuple[str | None, ...]]:
    """What :func:`participations_grouped` gives (by student id), read as one row of
    one text: the database works it out in one step, so a thread that reads it holds
    Python's lock for no more than the start and the end (row by row it would take
    the lock back ten thousand times from a thread that is busy judging students)."""
    if not kinds:
        return {}
    text = connection.execute(_grouped_at_once(which.condition),
                              which.bound(kinds=sorted(kinds))).scalar()
    grouped: dict[int, tuple[str | None, ...]] = {}
    for record in text.split(_RECORD) if text else ():
        student_id, *ids = record.split(_FIELD)
        grouped[int(student_id)] = tuple([of_status or None for of_status in ids])
    return grouped


@statements.kept
def _grouped_at_once(which: ColumnElement[bool]) -> Select[str | None]:
    grouped = _grouped(which).subquery()
    fields: ColumnElement[str] = cast(grouped.c.student_id, String)
    for column in list(grouped.c)[1:]:
        fields = fields.concat(_FIELD).concat(func.coalesce(column, ""))
    return select(func.group_concat(fields, _RECORD))


def participations_with_activities(session: Session, which: Which,
                                   kinds: Collection[str]) \
        -> Iterator[tuple[int, int, str, str, date, str]]:
    """What :func:`participations` gives, each with its activity's (kind, date, title):
    one query for a few students, instead of also reading every activity of the kinds."""
    return _of_kinds(session, _with_activities, which, kinds)


def _of_kinds(session: Session, build: Callable[[ColumnElement[bool]], Rows],
              which: Which, kinds: Collection[str]) -> Iterator[Any]:
    """The rows of ``build``'s statement (kept per condition) for these kinds."""
    if not kinds:
        return iter(())
    return iter(statements.rows(session, build(which.condition),
                                which.bound(kinds=sorted(kinds))))


def _at_activities_of_kinds(query: Rows, which: ColumnElement[bool]) -> Rows:
    """``query`` over participations joined to their activities, narrowed to ``which``
    students and ``kinds``."""
    return (query.join(Activity, Activity.id == Participation.activity_id)
            .join(Student, Student.id == Participation.student_id)
            .where(which, Activity.kind.in_(_KINDS)))


def _in_activities_of_kinds(query: Rows, which: ColumnElement[bool]) -> Rows:
    """``query`` over participations, narrowed to ``which`` students and ``kinds``
    without reading each one's activity: the few activities of those kinds are found
    once (a cohort's 400,000 participations each looked up their activity, a third of
    the statement's time)."""
    of_kinds = select(Activity.id).where(Activity.kind.in_(_KINDS))
    return (query.join(Student, Student.id == Participation.student_id)
            .where(which, Participation.activity_id.in_(of_kinds)))


@statements.kept
def _participations(which: ColumnElement[bool]) -> Rows:
    return _in_activities_of_kinds(select(
        Participation.student_id, Participation.activity_id, Participation.status), which)


@statements.kept
def _grouped(which: ColumnElement[bool]) -> Rows:
    return _in_activities_of_kinds(select(Participation.student_id, *(
        func.aggregate_strings(case((Participation.status == status,
                                     cast(Participation.activity_id, String))), ",")
        for status in STATUSES)), which).group_by(Participation.student_id)


@statements.kept
def _with_activities(which: ColumnElement[bool]) -> Rows:
    return _at_activities_of_kinds(select(
        Participation.student_id, Participation.activity_id, Participation.status,
        Activity.kind, Activity.held_on, Activity.title), which)


def assignment_states(session: Session, which: Which) \
        -> Iterator[tuple[int, int, str, date | None, date | None, str | None]]:
    """(student id, assignment number, status, submitted on, decided on, feedback) of
    every assignment record of ``which`` students."""
    yield from statements.rows(session, _assignment_states(which.condition), which.values)


@statements.kept
def _assignment_states(which: ColumnElement[bool]) -> Rows:
    return (select(AssignmentRecord.student_id, AssignmentRecord.number,
                   AssignmentRecord.status, AssignmentRecord.submitted_on,
                   AssignmentRecord.decided_on, AssignmentRecord.feedback)
            .join(Student, Student.id == AssignmentRecord.student_id)
            .where(which))
