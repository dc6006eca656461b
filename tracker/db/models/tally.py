from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base


class AttendanceTally(Base):
    """How many activities of a kind a student attended in a programme year: the
    report's numbers, kept up to date by every write (see tracker.db.tallies) so that a
    report of ten thousand students reads ten thousand small groups of rows, not every
    participation. Derived data: never in the history, rebuilt at will."""

    __tablename__ = "attendance_tally"
    __table_args__ = ({"sqlite_with_rowid": False},)

    # No foreign key: a tally goes with the participations it counts, at commit.
    student_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    programme_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    attended: Mapped[int] = mapped_column()
