"""A student's claim of an activity done elsewhere, and its evidence (SPEC §9).

The claim is a row the history keeps (its decisions are changes, undone like any
other); the evidence is a row of its own, beside it, written in the transaction that
writes the claim and never copied into the history: erasing a student deletes both,
and the bytes are gone with them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.activity import Activity, ActivityKind
from tracker.db.models.base import Base
from tracker.db.models.student import Student
from tracker.vocabulary import ClaimStatus, sql_check


class Claim(Base):
    __tablename__ = "claim"
    # Ids are never given twice (SQLite too): the history names a claim by its id, and
    # an erased student's claims are deleted.
    __table_args__ = (
        CheckConstraint(sql_check("status", ClaimStatus), name="status"),
        Index("ix_claim_student_submitted", "student_id", "submitted_at"),
        Index("ix_claim_status_submitted", "status", "submitted_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey(Student.id))
    kind: Mapped[str] = mapped_column(ForeignKey(ActivityKind.code))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    organiser: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by: Mapped[str | None] = mapped_column(String(200))
    # A rejection's reason, or the note an approval was given; the student sees it.
    reason: Mapped[str | None] = mapped_column(Text)
    # The activity the approval recorded the participation at.
    activity_id: Mapped[int | None] = mapped_column(ForeignKey(Activity.id))
