from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base, utcnow
from tracker.vocabulary import ParticipationStatus, sql_check


class Participation(Base):
    """A student at an activity. Only ``attended`` counts towards requirements."""

    __tablename__ = "participation"
    # How the history names one row: a student is at an activity once.
    history_key = ("student_id", "activity_id")
    __table_args__ = (
        UniqueConstraint("student_id", "activity_id"),
        CheckConstraint(sql_check("status", ParticipationStatus), name="status"),
        # Covers the progress and report aggregates: they read no table row.
        Index("ix_participation_progress", "student_id", "status", "activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(500))  # "typed", or "file.csv:12"
    note: Mapped[str | None] = mapped_column(Text)  # evidence, e.g. the question asked
    # The change that recorded this row: undo deletes by it, without a history entry
    # per row (a sign-in sheet of thousands of rows stays one cheap change).
    change_id: Mapped[int] = mapped_column(ForeignKey("change.id"), index=True)
