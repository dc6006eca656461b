"""Personal data: everything held about one student, and erasing it (GDPR)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update

from tracker.db.engine import Database
from tracker.db.models import (
    Activity,
    AssignmentRecord,
    Change,
    ChangeEntry,
    Participation,
    utcnow,
)
from tracker.errors import InvalidInput
from tracker.service.changes import open_change
from tracker.service.lookup import find_student
from tracker.service.rules import rules_in_force
from tracker.service.students import student_row

FORGOTTEN_NAME = "(forgotten)"


def _touching(student_id: int) -> Any:
    """Changes that wrote a row of the student's, or recorded their attendance."""
    return or_(
        Change.id.in_(select(ChangeEntry.change_id).where(ChangeEntry.student_id == student_id)),
        Change.id.in_(select(Participation.change_id)
                      .where(Participation.student_id == student_id)))


def export_student(db: Database, number: str) -> dict[str, Any]:
    """Everything the tracker holds about one student, for a subject-access request."""
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        student = find_student(session, number, in_force.book)
        participations = session.execute(
            select(Activity.id, Activity.kind, Activity.held_on, Activity.title,
                   Participation.status, Participation.recorded_by, Participation.recorded_at,
                   Participation.source, Participation.note)
            .join(Activity, Activity.id == Participation.activity_id)
            .where(Participation.student_id == student.id)
            .order_by(Activity.held_on, Activity.id)).all()
        assignments = session.scalars(
            select(AssignmentRecord).where(AssignmentRecord.student_id == student.id)
            .order_by(AssignmentRecord.number)).all()
        changes = session.scalars(
            select(Change).where(_touching(student.id)).order_by(Change.id)).all()
        return {
            "student": {**student_row(student), "override": student.rules_override,
                        "override_reason": student.override_reason,
                        "registered": student.created_at},
            "participations": [
                {"activity": row.id, "kind": row.kind, "date": row.held_on,
                 "title": row.title, "status": row.status, "recorded_by": row.recorded_by,
                 "recorded_at": row.recorded_at, "source": row.source, "note": row.note}
                for row in participations],
            "assignments": [
                {"assignment": a.number, "title": in_force.book.assignments.get(a.number),
                 "status": a.status, "submitted": a.submitted_on, "decided": a.decided_on,
                 "graded_by": a.graded_by, "feedback": a.feedback}
                for a in assignments],
            "history": [{"id": c.id, "at": c.at, "by": c.actor, "command": c.command,
                         "summary": c.summary} for c in changes],
        }


def forget_student(db: Database, number: str, by: str | None = None) -> int:
    """Erase a student's personal data everywhere, history included.

    What stays is anonymous: a row without name, number or contact that keeps the
    attendance counts of activities right, the participations and assignment states
    without notes or feedback, and a history entry saying that data was erased (not
    whose). Returns the id of that entry.
    """
    with db.transaction() as session:
        student = find_student(session, number, rules_in_force(session).book)
        if student.forgotten_at is not None:  # pragma: no cover - not findable by number
            raise InvalidInput("this student's data was erased already")
        held_number = student.number
        session.execute(update(Participation).where(Participation.student_id == student.id)
                        .values(note=None))
        session.execute(update(AssignmentRecord)
                        .where(AssignmentRecord.student_id == student.id)
                        .values(feedback=None))
        session.execute(update(ChangeEntry).where(ChangeEntry.student_id == student.id)
                        .values(before=None, after=None))
        session.execute(update(Change).where(Change.summary.contains(held_number))
                        .values(summary=func.replace(Change.summary, held_number,
                                                     "(a forgotten student)")))
        student.number = f"forgotten-{student.id}"
        student.name = FORGOTTEN_NAME
        student.email = None
        student.specialisation = None
        student.rules_override = None
        student.override_reason = None
        student.status = "withdrawn"
        student.forgotten_at = utcnow()
        change = open_change(session, "student forget", by,
                             "erased the personal data of one student")
        return change.id
