from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base, utcnow
from tracker.db.models.student import Student
from tracker.vocabulary import AssignmentStatus, sql_check


class AssignmentRecord(Base):
    """The latest state of one student's reflection assignment; the history keeps earlier."""

    __tablename__ = "assignment_record"
    __table_args__ = (
        UniqueConstraint("student_id", "number"),
        CheckConstraint(sql_check("status", AssignmentStatus), name="status"),
        {"sqlite_autoincrement": True},  # history names rows by id: never two with one
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey(Student.id))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)  # approved or rejected
    graded_by: Mapped[str | None] = mapped_column(String(200))
    feedback: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
