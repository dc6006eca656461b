"""Record a reflection assignment: submitted, approved or rejected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker import fields
from tracker.db import assignments, history, students
from tracker.db.engine import Database
from tracker.db.models import AssignmentRecord
from tracker.errors import NotFound
from tracker.rules import RuleBook
from tracker.service.rules import rules_in_force
from tracker.vocabulary import AssignmentStatus, ChangeKind


@dataclass(frozen=True)
class AssignmentState:
    """One student's reflection assignment as it stands."""

    assignment: int
    title: str | None
    status: str
    submitted: date | None
    decided: date | None
    graded_by: str | None
    feedback: str | None

    @classmethod
    def of(cls, row: AssignmentRecord, book: RuleBook) -> AssignmentState:
        return cls(row.number, book.assignments.get(row.number), row.status, row.submitted_on,
                   row.decided_on, row.graded_by, row.feedback)


@dataclass(frozen=True)
class AssignmentRecorded:
    student: str
    state: AssignmentState
    changed: bool


def known_assignment(number: int, book: RuleBook) -> int:
    if number not in book.assignments:
        raise NotFound(f"no reflection assignment {number} (assignments: "
                       f"{', '.join(f'{k} {t}' for k, t in book.assignments.items())})")
    return number


def record_assignment(db: Database, number: str, assignment: int, status: AssignmentStatus,
                      *, on: date | None = None, feedback: str | None = None,
                      by: str | None = None) -> AssignmentRecorded:
    """Set the state of one assignment."""
    day = on or date.today()
    clean_feedback = fields.text("feedback", feedback)
    clean_by = fields.text("by", by)
    with db.transaction() as session:
        book = rules_in_force(session).book
        known_assignment(assignment, book)
        student = students.require(session, fields.student_number(number, book))
        row = assignments.record_of(session, student.id, assignment)
        before = history.snapshot(row) if row is not None else None
        if row is None:
            row = AssignmentRecord(student_id=student.id, number=assignment, status=status.value)
            session.add(row)
        elif row.status == status and (clean_feedback is None or row.feedback == clean_feedback):
            return AssignmentRecorded(student.number, AssignmentState.of(row, book), False)
        change = history.open_change(session, ChangeKind.ASSIGNMENT, clean_by,
                                     f"{student.number} assignment {assignment}: {status}")
        row.status = status.value
        if status == AssignmentStatus.SUBMITTED:
            row.submitted_on = day
            row.decided_on = None
        else:
            row.decided_on = day
            row.graded_by = change.actor
        if clean_feedback is not None:
            row.feedback = clean_feedback
        row.updated_at = change.at
        history.updated(session, change, row, before)
        return AssignmentRecorded(student.number, AssignmentState.of(row, book), True)
