from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base, utcnow
from tracker.db.models.student import Student


class Waiver(Base):
    """One requirement marked met for one student (``tracker student waive``): make-up
    work credited, or an exemption by the exam board, with who, when and why. It counts
    as met for completion; ``student unwaive`` (or undo) takes it away again."""

    __tablename__ = "waiver"
    __table_args__ = (
        UniqueConstraint("student_id", "requirement"),
        {"sqlite_autoincrement": True},  # history names rows by id: never two with one
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey(Student.id), index=True)
    requirement: Mapped[str] = mapped_column(String(64))  # a requirement's id
    reason: Mapped[str] = mapped_column(String(500))
    waived_by: Mapped[str] = mapped_column(String(200))
    waived_at: Mapped[datetime] = mapped_column(default=utcnow)
