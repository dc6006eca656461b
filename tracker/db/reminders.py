"""Queries and writes of the reminders delivered to students."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.db.models import Reminder


def last_sent(session: Session, student_ids: Collection[int],
              since: datetime) -> dict[int, datetime]:
    """For these students, when each was last reminded, if on or after ``since``."""
    if not student_ids:
        return {}
    query = (select(Reminder.student_id, func.max(Reminder.sent_at))
             .where(Reminder.sent_at >= since).group_by(Reminder.student_id))
    found = {student_id: sent_at for student_id, sent_at in session.execute(query)}
    return {student_id: found[student_id] for student_id in student_ids
            if student_id in found}


def of_student(session: Session, student_id: int) -> list[Reminder]:
    return list(session.scalars(select(Reminder).where(Reminder.student_id == student_id)
                                .order_by(Reminder.sent_at)))


def count_and_last(session: Session, student_id: int) -> tuple[int, datetime | None]:
    count, last = session.execute(select(func.count(), func.max(Reminder.sent_at))
                                  .where(Reminder.student_id == student_id)).one()
    return int(count), last


def erase(session: Session, student_id: int) -> None:
    session.execute(delete(Reminder).where(Reminder.student_id == student_id))
