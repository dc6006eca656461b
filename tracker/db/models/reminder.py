from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base
from tracker.db.models.history import Change
from tracker.db.models.student import Student
from tracker.vocabulary import ReminderState, sql_check


class Reminder(Base):
    """One reminder e-mail to a student: personal data (exported with the student,
    erased with them).

    A run writes the row (``claimed``) and commits it before the message goes to the
    server, then marks it ``sent`` or ``refused``; a row left ``claimed`` is a message
    that may have gone (the run stopped between the server's answer and the record).
    ``sent_at`` is when it was claimed, then when the server took it.
    """

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_student_sent", "student_id", "sent_at"),
                      CheckConstraint(sql_check("state", ReminderState), name="state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey(Student.id))
    change_id: Mapped[int] = mapped_column(ForeignKey(Change.id), index=True)
    sent_at: Mapped[datetime] = mapped_column()
    sent_by: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # The ids of the requirements the message named (open, at risk or overdue).
    requirements: Mapped[list[Any]] = mapped_column(JSON)
    message_id: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default=ReminderState.SENT.value,
                                       server_default=ReminderState.SENT.value)
    problem: Mapped[str | None] = mapped_column(String(300))  # why it was refused
