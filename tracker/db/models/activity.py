from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from tracker.db.models.base import Base, month_number, utcnow


class ActivityKind(Base):
    """A kind from the rules file's catalogue; kept when later rules drop it."""

    __tablename__ = "activity_kind"
    history_key = ("code",)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))


class Activity(Base):
    """One occurrence of a kind: a colloquium on a day, a symposium, an excursion."""

    __tablename__ = "activity"
    # Sign-in sheets (and the history) name activities by id: SQLite must never give a
    # deleted one's id to a new activity (PostgreSQL's sequences never do).
    __table_args__ = (UniqueConstraint("kind", "held_on", "title"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(ForeignKey("activity_kind.code"))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(300))
    organiser: Mapped[str | None] = mapped_column(String(300))
    # year * 12 + month - 1 of held_on, kept with it: programme years are then integer
    # arithmetic in SQL, not a date function per participation row (see db/progress.py).
    month_number: Mapped[int] = mapped_column()
    # Up by one at every edit (service/activities.edit_activity): a calendar feed's
    # SEQUENCE, so that a subscribed calendar takes the new date or title.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("held_on")
    def _keep_month_number(self, _key: str, held_on: date) -> date:
        self.month_number = month_number(held_on)
        return held_on
