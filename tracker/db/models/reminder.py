from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base


class Reminder(Base):
    """One reminder e-mail delivered to a student: personal data (exported with the
    student, erased with them)."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_student_sent", "student_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    change_id: Mapped[int] = mapped_column(ForeignKey("change.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column()
    sent_by: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # The ids of the requirements the message named (open, at risk or overdue).
    requirements: Mapped[list[Any]] = mapped_column(JSON)
    message_id: Mapped[str] = mapped_column(String(300))
