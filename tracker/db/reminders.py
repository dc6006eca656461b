"""Queries and writes of the reminders sent to students (see
:class:`tracker.db.models.Reminder` for the states a reminder goes through)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tracker.db.models import Reminder, Student
from tracker.vocabulary import ReminderState

SENT, CLAIMED, REFUSED = ReminderState.SENT, ReminderState.CLAIMED, ReminderState.REFUSED
_HOLDING = (SENT.value, CLAIMED.value)  # a student reminded, or being reminded


def last_sent(session: Session, student_ids: Collection[int],
              since: datetime) -> dict[int, tuple[datetime, str]]:
    """For these students, their last reminder sent or claimed on or after ``since``:
    when, and its state (``claimed``: a run has it, or stopped before it knew)."""
    if not student_ids:
        return {}
    query = (select(Reminder.student_id, Reminder.sent_at, Reminder.state)
             .where(Reminder.sent_at >= since, Reminder.state.in_(_HOLDING))
             .order_by(Reminder.sent_at))
    found = {student_id: (sent_at, state) for student_id, sent_at, state in
             session.execute(query)}
    return {student_id: found[student_id] for student_id in student_ids
            if student_id in found}


def claim(session: Session, reminder: Reminder, since: datetime) \
        -> tuple[datetime, str] | None:
    """Write ``reminder`` as claimed, unless its student has one sent or claimed on or
    after ``since`` (then that one's time and state). The student's row is locked
    first, so that two runs at once cannot both claim them (SQLite: the transaction
    holds the write lock already)."""
    session.execute(select(Student.id).where(Student.id == reminder.student_id)
                    .with_for_update())
    held = session.execute(
        select(Reminder.sent_at, Reminder.state)
        .where(Reminder.student_id == reminder.student_id, Reminder.sent_at >= since,
               Reminder.state.in_(_HOLDING))
        .order_by(Reminder.sent_at.desc()).limit(1)).first()
    if held is not None:
        return held[0], held[1]
    reminder.state = CLAIMED.value
    session.add(reminder)
    session.flush()
    return None


def mark(session: Session, reminder_id: int, state: ReminderState, at: datetime, *,
         message_id: str | None = None, problem: str | None = None) -> None:
    values: dict[str, object] = {"state": state.value, "sent_at": at}
    if message_id is not None:
        values["message_id"] = message_id[:300]
    if problem is not None:
        values["problem"] = problem[:300]
    session.execute(update(Reminder).where(Reminder.id == reminder_id).values(**values))


def release(session: Session, reminder_id: int) -> None:
    """A claimed reminder that did not go after all."""
    session.execute(delete(Reminder).where(Reminder.id == reminder_id,
                                           Reminder.state == CLAIMED.value))


def counts_of_change(session: Session, change_id: int) -> dict[str, int]:
    """How many reminders of one run are in each state."""
    return {state: int(n) for state, n in session.execute(
        select(Reminder.state, func.count()).where(Reminder.change_id == change_id)
        .group_by(Reminder.state))}


def of_student(session: Session, student_id: int) -> Sequence[Reminder]:
    """Every reminder of a student, whatever its state (all of it is data held)."""
    return session.scalars(select(Reminder).where(Reminder.student_id == student_id)
                           .order_by(Reminder.sent_at)).all()


def count_and_last(session: Session, student_id: int) -> tuple[int, datetime | None]:
    """How many reminders a student was sent, and when the last."""
    count, last = session.execute(select(func.count(), func.max(Reminder.sent_at))
                                  .where(Reminder.student_id == student_id,
                                         Reminder.state == SENT.value)).one()
    return int(count), last


def erase(session: Session, student_id: int) -> None:
    session.execute(delete(Reminder).where(Reminder.student_id == student_id))
