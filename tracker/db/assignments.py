"""Queries about reflection assignments."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.db.models import AssignmentRecord


def record_of(session: Session, student_id: int, number: int) -> AssignmentRecord | None:
    return session.scalars(select(AssignmentRecord).where(
        AssignmentRecord.student_id == student_id,
        AssignmentRecord.number == number)).first()


def of_student(session: Session, student_id: int) -> list[AssignmentRecord]:
    return list(session.scalars(select(AssignmentRecord)
                                .where(AssignmentRecord.student_id == student_id)
                                .order_by(AssignmentRecord.number)))


def erase_feedback(session: Session, student_id: int) -> None:
    session.execute(update(AssignmentRecord).where(AssignmentRecord.student_id == student_id)
                    .values(feedback=None))
