from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base, utcnow


class ErasedNumber(Base):
    """A student whose personal data was erased, known only by a keyed hash of their
    number: enough to notice them in an old class list, not to say who they were
    without the key (see tracker.db.erasures)."""

    __tablename__ = "erased_number"
    history_key = ("digest",)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """A value the tracker keeps for itself, such as the key of the erased numbers."""

    __tablename__ = "setting"
    history_key = ("name",)

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
