"""Record a reflection assignment: submitted, approved or rejected."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.db.engine import Database
from tracker.db.models import ASSIGNMENT_STATUSES, AssignmentRecord
from tracker.errors import InvalidInput, NotFound
from tracker.service.changes import open_change, record, snapshot
from tracker.service.lookup import find_student, text_field
from tracker.service.rules import rules_in_force


def record_assignment(db: Database, number: str, assignment: int, status: str, *,
                      on: date | None = None, feedback: str | None = None,
                      by: str | None = None) -> tuple[dict[str, Any], bool]:
    """Set the state of one assignment; returns (the record, whether anything changed)."""
    if status not in ASSIGNMENT_STATUSES:
        raise InvalidInput(f"status {status!r} is not one of {', '.join(ASSIGNMENT_STATUSES)}")
    day = on or date.today()
    clean_feedback = text_field("feedback", feedback)
    clean_by = text_field("by", by)
    with db.transaction() as session:
        book = rules_in_force(session).book
        if assignment not in book.assignments:
            raise NotFound(f"no reflection assignment {assignment} (assignments: "
                           f"{', '.join(f'{k} {t}' for k, t in book.assignments.items())})")
        student = find_student(session, number, book)
        row = session.scalars(select(AssignmentRecord).where(
            AssignmentRecord.student_id == student.id,
            AssignmentRecord.number == assignment)).first()
        before = snapshot(row) if row is not None else None
        if row is None:
            row = AssignmentRecord(student_id=student.id, number=assignment, status=status)
            session.add(row)
        elif row.status == status and (clean_feedback is None or row.feedback == clean_feedback):
            return _view(student.number, book.assignments[assignment], row), False
        change = open_change(session, "assignment", clean_by,
                             f"{student.number} assignment {assignment}: {status}")
        row.status = status
        if status == "submitted":
            row.submitted_on = day
            row.decided_on = None
        else:
            row.decided_on = day
            row.graded_by = change.actor
        if clean_feedback is not None:
            row.feedback = clean_feedback
        row.updated_at = change.at
        record(session, change, row, before)
        return _view(student.number, book.assignments[assignment], row), True


def _view(number: str, title: str, row: AssignmentRecord) -> dict[str, Any]:
    return {"student": number, "assignment": row.number, "title": title,
            "status": row.status, "submitted": row.submitted_on, "decided": row.decided_on,
            "graded_by": row.graded_by, "feedback": row.feedback}
