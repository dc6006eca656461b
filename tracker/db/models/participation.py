from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.activity import Activity
from tracker.db.models.base import Base, utcnow
from tracker.db.models.student import Student
from tracker.vocabulary import ParticipationStatus, sql_check


class Participation(Base):
    """A student at an activity. Only ``attended`` counts towards requirements.

    One B-tree holds it all: keyed by (student, activity), which is what makes a row
    the same row, in student order, which is how progress reads it (on SQLite a table
    WITHOUT ROWID: no row id, no second index). A sign-in sheet of 400,000 lines
    updates that one tree per line.
    """

    __tablename__ = "participation"
    # How the history names one row: a student is at an activity once.
    history_key = ("student_id", "activity_id")
    __table_args__ = (
        CheckConstraint(sql_check("status", ParticipationStatus), name="status"),
        {"sqlite_with_rowid": False},
    )

    student_id: Mapped[int] = mapped_column(ForeignKey(Student.id), primary_key=True,
                                            autoincrement=False)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey(Activity.id),
                                             primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(500))  # "typed", or "file.csv:12"
    note: Mapped[str | None] = mapped_column(Text)  # evidence, e.g. the question asked
    # The change that wrote this row last: undo of the change that inserted it deletes
    # by it, without a history entry per row (a sign-in sheet of thousands of rows stays
    # one cheap change); a later change that writes the row takes it over, with an entry
    # that names the change it replaced. Undo reads it rarely: no index. Named, not
    # imported: a read of participations (progress, a report) never builds the history's
    # table, and every writer of a participation writes its change first (no relationship
    # asks the flush to order them).
    change_id: Mapped[int] = mapped_column(ForeignKey("change.id"))
