from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from tracker.db.models.base import Base, month_number, utcnow
from tracker.vocabulary import StudentStatus, sql_check


class Student(Base):
    __tablename__ = "student"
    __table_args__ = (
        CheckConstraint(sql_check("status", StudentStatus), name="status"),
        {"sqlite_autoincrement": True},  # history names rows by id: never two with one
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    start: Mapped[date] = mapped_column(Date, index=True)  # first day of the start month
    start_month_number: Mapped[int] = mapped_column()  # of start; see Activity.month_number
    specialisation: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=StudentStatus.ACTIVE.value)
    # An individual programme agreed with the study advisor: a requirement-set id
    # that replaces the one chosen by start month.
    rules_override: Mapped[str | None] = mapped_column(String(64))
    override_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the student's personal data was erased (`tracker student forget`): the
    # row stays, anonymous, so that attendance counts of activities stay right.
    forgotten_at: Mapped[datetime | None] = mapped_column()

    @validates("start")
    def _keep_start_month_number(self, _key: str, start: date) -> date:
        self.start_month_number = month_number(start)
        return start
